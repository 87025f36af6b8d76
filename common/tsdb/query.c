#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/errbuf.h"
#include "tsdb/query.h"
#include "tsdb/xorchunk.h"

static int
cmp_entry(const void *a, const void *b)
{
	const struct tsdb_qentry *x = a, *y = b;

	return labels_compare(&x->labels, &y->labels);
}

/*
 * The block's refs for one selector: matchers on external labels are
 * decided here (mismatch: nothing; match: the matcher is dropped), the
 * rest go to the index.  If only external-label matchers were given and
 * all matched, every series is selected.
 */
static int
select_block(struct tsdb_block *b, const struct tsdb_selector *sel,
    struct postings *out, struct buf *scratch, char *err)
{
	struct matcher *rest;
	size_t nrest = 0;
	int r;

	postings_reset(out);
	if (sel->n == 0)
		return 0;
	if ((rest = calloc(sel->n, sizeof(*rest))) == NULL)
		return errbuf_sys(err, "%s", b->dir);
	for (size_t i = 0; i < sel->n; i++) {
		const struct str *ext = labels_get(&b->meta.ext,
		    str_of(sel->m[i].name));

		if (ext == NULL) {
			/* A shallow copy: same regex, same thread. */
			rest[nrest++] = sel->m[i];
			continue;
		}
		if (!matcher_matches(&sel->m[i], ext->p, ext->n)) {
			free(rest);
			return 0;
		}
	}
	if (nrest == 0)
		r = tsdb_index_postings(&b->ix, STR(""), STR(""), out, scratch,
		    err);
	else
		r = tsdb_index_select(&b->ix, rest, nrest, out, scratch, err);
	free(rest);
	return r;
}

static void
entry_release(struct tsdb_qentry *e)
{
	labels_release(&e->labels);
	free(e->part.chunks);
}

/* Read the selected series of one block, keep those with chunks in the
 * range, and sort them by their final labels. */
static int
load_block(struct tsdb_query *q, struct tsdb_qblock *qb,
    const struct postings *refs, char *err)
{
	struct tsdb_series s = TSDB_SERIES_INIT;
	int sorted = 1, r = 0;

	if ((qb->e = calloc(refs->n ? refs->n : 1, sizeof(*qb->e))) == NULL)
		return errbuf_sys(err, "%s", qb->b->dir);
	for (size_t i = 0; i < refs->n && r == 0; i++) {
		struct tsdb_qentry *e = &qb->e[qb->n];
		size_t k = 0;

		if ((r = tsdb_index_series(&qb->b->ix, refs->v[i], &s,
		    &q->scratch, err)) == -1)
			break;
		for (size_t c = 0; c < s.nchunks; c++)
			if (s.chunks[c].maxt >= q->mint &&
			    s.chunks[c].mint <= q->maxt)
				s.chunks[k++] = s.chunks[c];
		if (k == 0)
			continue;
		e->part.b = qb->b;
		e->part.ref = refs->v[i];
		e->part.nchunks = k;
		if ((e->part.chunks = malloc(k * sizeof(*s.chunks))) == NULL ||
		    labels_copy(&e->labels, &s.labels) == -1 ||
		    labels_extend(&e->labels, &qb->b->meta.ext) == -1) {
			entry_release(e);
			r = errbuf_sys(err, "%s", qb->b->dir);
			break;
		}
		memcpy(e->part.chunks, s.chunks, k * sizeof(*s.chunks));
		if (qb->n > 0 &&
		    labels_compare(&qb->e[qb->n - 1].labels, &e->labels) >= 0)
			sorted = 0;
		qb->n++;
	}
	tsdb_series_release(&s);
	/* External labels that replace series labels can reorder series. */
	if (r == 0 && !sorted)
		qsort(qb->e, qb->n, sizeof(*qb->e), cmp_entry);
	return r;
}

int
tsdb_query_open(struct tsdb_query *q, struct tsdb_block **blocks, size_t n,
    const struct tsdb_selector *sel, size_t nsel, int64_t mint, int64_t maxt,
    char *err)
{
	struct postings all = POSTINGS_INIT, one = POSTINGS_INIT;
	int r = 0;

	memset(q, 0, sizeof(*q));
	q->mint = mint;
	q->maxt = maxt;
	buf_init(&q->scratch, BUF_NOMAX);
	if ((q->qb = calloc(n ? n : 1, sizeof(*q->qb))) == NULL)
		return errbuf_sys(err, "query");
	for (size_t i = 0; i < n && r == 0; i++) {
		struct tsdb_block *b = blocks[i];

		/* meta maxTime is exclusive, the query range closed. */
		if (b->meta.max_time <= mint || b->meta.min_time > maxt)
			continue;
		postings_reset(&all);
		for (size_t s = 0; s < nsel && r == 0; s++) {
			if ((r = select_block(b, &sel[s], &one, &q->scratch,
			    err)) == 0 && postings_union(&all, &one) == -1)
				r = errbuf_sys(err, "%s", b->dir);
		}
		if (r == 0) {
			q->qb[q->nqb].b = b;
			r = load_block(q, &q->qb[q->nqb], &all, err);
			q->nqb++;
		}
	}
	postings_release(&all);
	postings_release(&one);
	if (r == -1)
		tsdb_query_close(q);
	return r;
}

int
tsdb_query_next(struct tsdb_query *q, const struct tsdb_qseries **out,
    char *err)
{
	const struct labels *min = NULL;

	q->cur.nparts = 0;
	for (size_t i = 0; i < q->nqb; i++) {
		struct tsdb_qblock *qb = &q->qb[i];

		if (qb->pos < qb->n && (min == NULL ||
		    labels_compare(&qb->e[qb->pos].labels, min) < 0))
			min = &qb->e[qb->pos].labels;
	}
	if (min == NULL)
		return 0;
	/* Take the series from every block that has it, in block order;
	 * min stays valid: entries are only released at close. */
	for (size_t i = 0; i < q->nqb; i++) {
		struct tsdb_qblock *qb = &q->qb[i];

		if (qb->pos == qb->n ||
		    labels_compare(&qb->e[qb->pos].labels, min) != 0)
			continue;
		if (q->cur.nparts == q->cur.cap) {
			size_t ncap = q->cur.cap ? q->cur.cap * 2 : 4;
			struct tsdb_part *p = reallocarray(q->cur.parts, ncap,
			    sizeof(*p));

			if (p == NULL)
				return errbuf_sys(err, "query");
			q->cur.parts = p;
			q->cur.cap = ncap;
		}
		q->cur.parts[q->cur.nparts++] = qb->e[qb->pos].part;
		qb->pos++;
	}
	q->cur.labels = min;
	*out = &q->cur;
	return 1;
}

static int
add_sample(struct tsdb_samples *s, int64_t t, double v)
{
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 256;
		int64_t *nt = reallocarray(s->t, ncap, sizeof(*nt));
		double *nv;

		if (nt == NULL)
			return -1;
		s->t = nt;
		if ((nv = reallocarray(s->v, ncap, sizeof(*nv))) == NULL)
			return -1;
		s->v = nv;
		s->cap = ncap;
	}
	s->t[s->n] = t;
	s->v[s->n] = v;
	s->n++;
	return 0;
}

static int
deleted(const struct tsdb_stone *st, size_t n, int64_t t)
{
	for (size_t i = 0; i < n; i++)
		if (t >= st[i].mint && t <= st[i].maxt)
			return 1;
	return 0;
}

/* Decode one part's chunks into out (appending). */
static int
part_samples(struct tsdb_query *q, const struct tsdb_part *p,
    struct tsdb_samples *out, char *err)
{
	const struct tsdb_stone *st;
	struct tsdb_chunk c;
	struct xor_iter it;
	size_t nst;
	int r;

	st = tsdb_tombstones_get(&p->b->tomb, p->ref, &nst);
	for (size_t i = 0; i < p->nchunks; i++) {
		if (tsdb_chunks_get(&p->b->ch, p->chunks[i].ref, &c,
		    &q->scratch, err) == -1)
			return -1;
		if (c.encoding != XOR_ENCODING)
			return errbuf_set(err, "%s: chunk %llu: encoding %u is "
			    "not supported", p->b->dir,
			    (unsigned long long)p->chunks[i].ref, c.encoding);
		xor_iter_init(&it, c.data, c.len);
		while ((r = xor_iter_next(&it)) == 1) {
			if (it.t < q->mint || it.t > q->maxt ||
			    deleted(st, nst, it.t))
				continue;
			if (add_sample(out, it.t, it.v) == -1)
				return errbuf_sys(err, "%s", p->b->dir);
		}
		if (r == -1)
			return errbuf_set(err, "%s: chunk %llu: %s", p->b->dir,
			    (unsigned long long)p->chunks[i].ref, it.err);
	}
	return 0;
}

struct tagged {
	int64_t	t;
	double	v;
	size_t	order;
};

static int
cmp_tagged(const void *a, const void *b)
{
	const struct tagged *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Overlapping blocks: sort by time, earlier block first on ties, and
 * keep one sample per timestamp. */
static int
merge_sorted(struct tsdb_samples *s)
{
	struct tagged *tg;
	size_t k = 0;

	if ((tg = malloc(s->n * sizeof(*tg))) == NULL)
		return -1;
	for (size_t i = 0; i < s->n; i++)
		tg[i] = (struct tagged){ s->t[i], s->v[i], i };
	qsort(tg, s->n, sizeof(*tg), cmp_tagged);
	for (size_t i = 0; i < s->n; i++) {
		if (k > 0 && tg[i].t == s->t[k - 1])
			continue;
		s->t[k] = tg[i].t;
		s->v[k] = tg[i].v;
		k++;
	}
	s->n = k;
	free(tg);
	return 0;
}

int
tsdb_query_samples(struct tsdb_query *q, const struct tsdb_qseries *s,
    struct tsdb_samples *out, char *err)
{
	int sorted = 1;

	out->n = 0;
	for (size_t i = 0; i < s->nparts; i++)
		if (part_samples(q, &s->parts[i], out, err) == -1)
			return -1;
	for (size_t i = 1; i < out->n && sorted; i++)
		sorted = out->t[i] > out->t[i - 1];
	if (!sorted && merge_sorted(out) == -1)
		return errbuf_sys(err, "query");
	return 0;
}

int
tsdb_qseries_needs_merge(const struct tsdb_qseries *s)
{
	int64_t last = INT64_MIN;
	size_t n;

	for (size_t i = 0; i < s->nparts; i++) {
		const struct tsdb_part *p = &s->parts[i];

		if (tsdb_tombstones_get(&p->b->tomb, p->ref, &n) != NULL)
			return 1;
		for (size_t c = 0; c < p->nchunks; c++) {
			if (p->chunks[c].mint <= last)
				return 1;
			last = p->chunks[c].maxt;
		}
	}
	return 0;
}

void
tsdb_query_close(struct tsdb_query *q)
{
	for (size_t i = 0; i < q->nqb; i++) {
		for (size_t k = 0; k < q->qb[i].n; k++)
			entry_release(&q->qb[i].e[k]);
		free(q->qb[i].e);
	}
	free(q->qb);
	free(q->cur.parts);
	buf_release(&q->scratch);
	memset(q, 0, sizeof(*q));
}

void
tsdb_samples_release(struct tsdb_samples *s)
{
	free(s->t);
	free(s->v);
	memset(s, 0, sizeof(*s));
}
