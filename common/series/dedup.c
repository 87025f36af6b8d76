#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/errbuf.h"
#include "series/dedup.h"
#include "tsdb/xorchunk.h"

#define PENALTY_INITIAL_MS	5000
#define CHUNK_SAMPLES		120

int
dedup_func_parse(const char *s, enum dedup_func *f)
{
	if (strcmp(s, "gapless") == 0)
		*f = DEDUP_GAPLESS;
	else if (strcmp(s, "penalty") == 0)
		*f = DEDUP_PENALTY;
	else if (strcmp(s, "chain") == 0)
		*f = DEDUP_CHAIN;
	else
		return -1;
	return 0;
}

static int
out_add(struct dedup_out *o, int64_t t, double v)
{
	if (o->n == o->cap) {
		size_t ncap = o->cap ? o->cap * 2 : 256;
		int64_t *nt = reallocarray(o->t, ncap, sizeof(*nt));
		double *nv;

		if (nt == NULL)
			return -1;
		o->t = nt;
		if ((nv = reallocarray(o->v, ncap, sizeof(*nv))) == NULL)
			return -1;
		o->v = nv;
		o->cap = ncap;
	}
	o->t[o->n] = t;
	o->v[o->n] = v;
	o->n++;
	return 0;
}

void
dedup_out_release(struct dedup_out *o)
{
	free(o->t);
	free(o->v);
	memset(o, 0, sizeof(*o));
}

/* --- chain ------------------------------------------------------------- */

static int
merge_chain(const struct dedup_replica *r, size_t k, struct dedup_out *out)
{
	size_t *pos = calloc(k ? k : 1, sizeof(*pos));
	int rc = 0;

	if (pos == NULL)
		return -1;
	for (;;) {
		size_t best = k;

		for (size_t i = 0; i < k; i++)
			if (pos[i] < r[i].n && (best == k ||
			    r[i].t[pos[i]] < r[best].t[pos[best]]))
				best = i;
		if (best == k)
			break;
		if ((rc = out_add(out, r[best].t[pos[best]],
		    r[best].v[pos[best]])) == -1)
			break;
		/* The same timestamp elsewhere is the same sample. */
		for (size_t i = 0; i < k; i++)
			if (i != best && pos[i] < r[i].n &&
			    r[i].t[pos[i]] == r[best].t[pos[best]])
				pos[i]++;
		pos[best]++;
	}
	free(pos);
	return rc;
}

/* --- penalty (Thanos' dedupSeriesIterator, exactly) --------------------- */

struct pit {
	int	(*next)(struct pit *);
	int	(*seek)(struct pit *, int64_t);
	int64_t	 t;
	double	 v;
	/* a replica */
	const struct dedup_replica *r;
	size_t	 i;
	int	 started;
	/* a merge of two */
	struct pit *a, *b;
	int	 aok, bok, init;
	int64_t	 last, pena, penb;
};

static int
arr_next(struct pit *p)
{
	if (!p->started)
		p->started = 1, p->i = 0;
	else if (p->i < p->r->n)
		p->i++;
	if (p->i >= p->r->n)
		return 0;
	p->t = p->r->t[p->i];
	p->v = p->r->v[p->i];
	return 1;
}

/* The first sample at or after t; never back. */
static int
arr_seek(struct pit *p, int64_t t)
{
	if (!p->started)
		p->started = 1, p->i = 0;
	while (p->i < p->r->n && p->r->t[p->i] < t)
		p->i++;
	if (p->i >= p->r->n)
		return 0;
	p->t = p->r->t[p->i];
	p->v = p->r->v[p->i];
	return 1;
}

static int64_t
sat_add(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	return a + b;
}

static int
dd_next(struct pit *p)
{
	struct pit *a = p->a, *b = p->b;

	if (!p->init) {
		p->aok = a->next(a);
		p->bok = b->next(b);
		p->last = INT64_MIN;
		p->init = 1;
	}
	if (p->aok)
		p->aok = a->seek(a, sat_add(sat_add(p->last, 1), p->pena));
	if (p->bok)
		p->bok = b->seek(b, sat_add(sat_add(p->last, 1), p->penb));
	if (!p->aok && !p->bok)
		return 0;
	if (p->aok && (!p->bok || a->t <= b->t)) {
		if (p->bok)
			p->penb = p->last == INT64_MIN ? PENALTY_INITIAL_MS :
			    2 * (a->t - p->last);
		p->pena = 0;
		p->last = p->t = a->t;
		p->v = a->v;
	} else {
		if (p->aok)
			p->pena = p->last == INT64_MIN ? PENALTY_INITIAL_MS :
			    2 * (b->t - p->last);
		p->penb = 0;
		p->last = p->t = b->t;
		p->v = b->v;
	}
	p->started = 1;
	return 1;
}

/* Seek never jumps: Next until there (a fresh one takes one Next first). */
static int
dd_seek(struct pit *p, int64_t t)
{
	if (!p->started && !dd_next(p))
		return 0;
	while (p->t < t)
		if (!dd_next(p))
			return 0;
	return 1;
}

static int
merge_penalty(const struct dedup_replica *r, size_t k, struct dedup_out *out)
{
	struct pit *it, *top;
	int rc = 0;

	if (k == 0)
		return 0;
	if ((it = calloc(2 * k, sizeof(*it))) == NULL)
		return -1;
	for (size_t i = 0; i < k; i++) {
		it[i].next = arr_next;
		it[i].seek = arr_seek;
		it[i].r = &r[i];
	}
	/* merge(merge(merge(r0, r1), r2), r3): left-deep. */
	top = &it[0];
	for (size_t i = 1; i < k; i++) {
		struct pit *m = &it[k + i];

		m->next = dd_next;
		m->seek = dd_seek;
		m->a = top;
		m->b = &it[i];
		top = m;
	}
	while (rc == 0 && top->next(top))
		rc = out_add(out, top->t, top->v);
	free(it);
	return rc;
}

/* --- gapless ------------------------------------------------------------ */

static int
is_stale(double v)
{
	uint64_t b;

	memcpy(&b, &v, sizeof(b));
	return b == JSONL_STALE_BITS;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The replica's scrape interval: the median step between its samples;
 * 0 when it has fewer than two. */
static int64_t
interval(const struct dedup_replica *r)
{
	int64_t *d, m;

	if (r->n < 2 || (d = malloc((r->n - 1) * sizeof(*d))) == NULL)
		return 0;
	for (size_t i = 1; i < r->n; i++)
		d[i - 1] = r->t[i] - r->t[i - 1];
	qsort(d, r->n - 1, sizeof(*d), cmp_i64);
	m = d[(r->n - 1) / 2];
	free(d);
	return m;
}

/* First index of r at or after t, from i on. */
static size_t
lower_bound(const struct dedup_replica *r, size_t i, int64_t t)
{
	size_t lo = i, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->t[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The replica (other than cur) with the earliest sample at or after from
 * and before until; its index in *at.  k if none.
 */
static size_t
candidate(const struct dedup_replica *r, size_t k, const size_t *pos,
    size_t cur, int64_t from, int64_t until, size_t *at)
{
	size_t best = k;

	for (size_t i = 0; i < k; i++) {
		size_t j;

		if (i == cur)
			continue;
		j = lower_bound(&r[i], pos[i], from);
		if (j < r[i].n && r[i].t[j] < until && (best == k ||
		    r[i].t[j] < r[best].t[*at])) {
			best = i;
			*at = j;
		}
	}
	return best;
}

static int
merge_gapless(const struct dedup_replica *r, size_t k, struct dedup_out *out)
{
	int64_t *iv, fallback = 0, last = INT64_MIN;
	size_t *pos, cur = k, at = 0;
	int rc = 0;

	if (k == 0)
		return 0;
	pos = calloc(k, sizeof(*pos));
	iv = calloc(k, sizeof(*iv));
	if (pos == NULL || iv == NULL) {
		free(pos);
		free(iv);
		return -1;
	}
	for (size_t i = 0; i < k; i++) {
		iv[i] = interval(&r[i]);
		if (iv[i] > 0 && (fallback == 0 || iv[i] < fallback))
			fallback = iv[i];
	}
	for (size_t i = 0; i < k; i++) {
		if (iv[i] == 0)
			iv[i] = fallback;
		if (r[i].n > 0 && (cur == k || r[i].t[0] < r[cur].t[0]))
			cur = i;
	}
	while (cur < k && rc == 0) {
		int64_t half = iv[cur] / 2, tn;
		size_t j;

		pos[cur] = lower_bound(&r[cur], pos[cur],
		    last == INT64_MIN ? INT64_MIN : last + 1);
		if (pos[cur] == r[cur].n) {
			/* This replica ended: the others may go on. */
			cur = candidate(r, k, pos, cur, last == INT64_MIN ?
			    INT64_MIN : last + (half > 0 ? half : 1), INT64_MAX,
			    &at);
			if (cur < k)
				pos[cur] = at;
			continue;
		}
		tn = r[cur].t[pos[cur]];
		if (last != INT64_MIN && (is_stale(r[cur].v[pos[cur]]) ||
		    (iv[cur] > 0 && tn - last > iv[cur] + half))) {
			/* A gap, or the replica lost the series: the earliest
			 * other sample that fills it, if one comes first. */
			j = candidate(r, k, pos, cur, last + (half > 0 ? half :
			    1), is_stale(r[cur].v[pos[cur]]) ? INT64_MAX : tn,
			    &at);
			if (j < k) {
				cur = j;
				pos[cur] = at;
				tn = r[cur].t[at];
			}
		}
		rc = out_add(out, tn, r[cur].v[pos[cur]]);
		last = tn;
		pos[cur]++;
	}
	free(pos);
	free(iv);
	return rc;
}

int
dedup_merge(enum dedup_func f, const struct dedup_replica *r, size_t k,
    struct dedup_out *out)
{
	out->n = 0;
	if (k == 1) {
		for (size_t i = 0; i < r[0].n; i++)
			if (out_add(out, r[0].t[i], r[0].v[i]) == -1)
				return -1;
		return 0;
	}
	switch (f) {
	case DEDUP_PENALTY:
		return merge_penalty(r, k, out);
	case DEDUP_CHAIN:
		return merge_chain(r, k, out);
	default:
		return merge_gapless(r, k, out);
	}
}

/* --- the stream of series lines ----------------------------------------- */

int
dedup_add_label(struct dedup *d, const char *name)
{
	if (d->nnames == DEDUP_MAX_LABELS || !labels_valid_name(name))
		return -1;
	for (size_t i = 0; i < d->nnames; i++)
		if (strcmp(d->names[i], name) == 0)
			return 0;
	if ((d->names[d->nnames] = strdup(name)) == NULL)
		return -1;
	d->nnames++;
	return 0;
}

static int
is_replica(const struct dedup *d, struct str name)
{
	for (size_t i = 0; i < d->nnames; i++)
		if (str_eq(name, d->names[i]))
			return 1;
	return 0;
}

/*
 * The order key of a label set, Thanos' order for deduplication: the
 * labels with the replica labels moved to the end, compared as Prometheus
 * compares label sets.  When the replica labels sort after a set's other
 * names (as "replica" usually does) that is plain label order.  Encoded
 * so that memcmp order is that order: each pair is 0x03, name, value,
 * each string with 0x00 escaped as 0x01 0x01 and 0x01 as 0x01 0x02 and
 * ended by 0x00; the set ends with 0x02, so it sorts before a longer one.
 * group gets the pairs without the replica labels: the group's identity.
 */
static int
add_escaped(struct buf *b, struct str s)
{
	int r = 0;

	for (size_t i = 0; i < s.n && r == 0; i++) {
		unsigned char c = (unsigned char)s.p[i];

		if (c <= 1) {
			r |= buf_addch(b, 1);
			r |= buf_addch(b, (char)(c + 1));
		} else
			r |= buf_addch(b, (char)c);
	}
	return r | buf_addch(b, 0);
}

static int
add_pair(struct buf *b, const struct label *l)
{
	return buf_addch(b, 3) | add_escaped(b, l->name) |
	    add_escaped(b, l->value);
}

static int
make_key(const struct dedup *d, const struct labels *l, struct buf *group,
    struct buf *full)
{
	int r = 0;

	buf_reset(group);
	for (size_t i = 0; i < l->n; i++)
		if (!is_replica(d, l->v[i].name))
			r |= add_pair(group, &l->v[i]);
	buf_reset(full);
	r |= buf_add(full, group->data, group->len);
	for (size_t i = 0; i < l->n; i++)
		if (is_replica(d, l->v[i].name))
			r |= add_pair(full, &l->v[i]);
	return r | buf_addch(full, 2);
}

static int
keycmp(const struct buf *a, const struct buf *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->data, b->data, n);

	if (c != 0 || a->len == b->len)
		return c;
	return a->len < b->len ? -1 : 1;
}

/* Union of s into o by timestamp, o's sample first on a tie. */
static int
union_into(struct dedup_out *o, const int64_t *t, const double *v, size_t n)
{
	struct dedup_out m = { 0 };
	size_t i = 0, j = 0;

	while (i < o->n || j < n) {
		int r;

		if (j == n || (i < o->n && o->t[i] <= t[j])) {
			if (j < n && o->t[i] == t[j])
				j++;
			r = out_add(&m, o->t[i], o->v[i]);
			i++;
		} else {
			r = out_add(&m, t[j], v[j]);
			j++;
		}
		if (r == -1) {
			dedup_out_release(&m);
			return -1;
		}
	}
	dedup_out_release(o);
	*o = m;
	return 0;
}

/* The line's samples, decoded from chunks when it came in that form. */
static int
line_samples(struct jsonl_series *s, struct dedup_out *o, char *err)
{
	o->n = 0;
	if (!s->is_chunks) {
		for (size_t i = 0; i < s->n; i++)
			if (out_add(o, s->t[i], s->v[i]) == -1)
				return errbuf_sys(err, "samples");
		return 0;
	}
	for (size_t c = 0; c < s->nchunks; c++) {
		struct xor_iter it;
		int r;

		xor_iter_init(&it, s->chunks[c].data, s->chunks[c].len);
		while ((r = xor_iter_next(&it)) == 1)
			if (out_add(o, it.t, it.v) == -1)
				return errbuf_sys(err, "samples");
		if (r == -1)
			return errbuf_set(err, "chunk %zu: %s", c + 1, it.err);
	}
	return 0;
}

static int
write_group(struct dedup *d, FILE *out, char *err)
{
	struct dedup_replica *r;
	int chunks = 0, rc = 0;

	if (d->nm == 0)
		return 0;
	if ((r = calloc(d->nm, sizeof(*r))) == NULL)
		return errbuf_sys(err, "dedup");
	for (size_t i = 0; i < d->nm; i++) {
		r[i] = (struct dedup_replica){ d->m[i].s.t, d->m[i].s.v,
		    d->m[i].s.n };
		chunks |= d->m[i].chunks;
	}
	if (dedup_merge(d->func, r, d->nm, &d->merged) == -1)
		rc = errbuf_sys(err, "dedup");
	free(r);
	buf_reset(&d->out);
	if (rc == 0 && d->merged.n > 0) {
		if (!chunks)
			rc = jsonl_add_values(&d->out, &d->glabels, d->merged.t,
			    d->merged.v, d->merged.n);
		else {
			struct buf chunk = BUF_INIT(BUF_NOMAX);
			struct xor_enc enc;
			const unsigned char *p;
			size_t len, n = d->merged.n;

			rc = jsonl_begin(&d->out, &d->glabels);
			for (size_t i = 0; i < n && rc == 0; i += CHUNK_SAMPLES) {
				size_t end = i + CHUNK_SAMPLES < n ?
				    i + CHUNK_SAMPLES : n;

				buf_reset(&chunk);
				xor_enc_init(&enc, &chunk);
				for (size_t k = i; k < end && rc == 0; k++)
					rc = xor_enc_add(&enc, d->merged.t[k],
					    d->merged.v[k]);
				if (rc == 0 && (p = xor_enc_finish(&enc,
				    &len)) != NULL)
					rc = jsonl_add_chunk(&d->out, i == 0,
					    d->merged.t[i], d->merged.t[end - 1],
					    p, len);
			}
			rc |= jsonl_end_chunks(&d->out);
			buf_release(&chunk);
		}
		if (rc != 0)
			rc = errbuf_sys(err, "output");
		else if (fwrite(d->out.data, 1, d->out.len, out) != d->out.len)
			rc = errbuf_sys(err, "write <stdout>");
	}
	for (size_t i = 0; i < d->nm; i++) {
		labels_release(&d->m[i].replica);
		dedup_out_release(&d->m[i].s);
	}
	d->nm = 0;
	return rc;
}

/* Keep the line's labels minus replica labels as the group's (copied:
 * the parsed line goes away with the next one). */
static int
set_group_labels(struct dedup *d, const struct labels *l)
{
	size_t off = 0;

	buf_reset(&d->gstore);
	labels_reset(&d->glabels);
	for (size_t i = 0; i < l->n; i++) {
		if (is_replica(d, l->v[i].name))
			continue;
		if (buf_add(&d->gstore, l->v[i].name.p, l->v[i].name.n) ||
		    buf_add(&d->gstore, l->v[i].value.p, l->v[i].value.n))
			return -1;
	}
	for (size_t i = 0; i < l->n; i++) {
		struct str name, value;

		if (is_replica(d, l->v[i].name))
			continue;
		name = (struct str){ d->gstore.data + off, l->v[i].name.n };
		off += name.n;
		value = (struct str){ d->gstore.data + off, l->v[i].value.n };
		off += value.n;
		if (labels_add(&d->glabels, name, value) == -1)
			return -1;
	}
	return 0;
}

int
dedup_feed(struct dedup *d, const char *line, size_t len, FILE *out,
    char *err)
{
	struct buf group = BUF_INIT(BUF_NOMAX), full = BUF_INIT(BUF_NOMAX);
	struct dedup_member *m;
	int c = 0, rc = -1;

	if (jsonl_parse(&d->line, line, len, err) == -1)
		return -1;
	if (make_key(d, &d->line.labels, &group, &full) == -1) {
		errbuf_sys(err, "dedup");
		goto out;
	}
	if (d->any && (c = keycmp(&full, &d->prevkey)) < 0) {
		errbuf_set(err, "not sorted: series lines must come in label "
		    "order, replica labels compared last");
		goto out;
	}
	if (d->any && keycmp(&group, &d->key) == 0 && c == 0) {
		/* The very same series again (another store): union. */
		m = &d->m[d->nm - 1];
		if (line_samples(&d->line, &d->merged, err) == -1 ||
		    union_into(&m->s, d->merged.t, d->merged.v,
		    d->merged.n) == -1)
			goto out;
		m->chunks |= d->line.is_chunks;
		rc = 0;
		goto out;
	}
	if (d->any && keycmp(&group, &d->key) != 0) {
		if (write_group(d, out, err) == -1)
			goto out;
	}
	if (d->nm == 0 && set_group_labels(d, &d->line.labels) == -1) {
		errbuf_sys(err, "dedup");
		goto out;
	}
	if (d->nm == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 4;
		struct dedup_member *v = reallocarray(d->m, ncap, sizeof(*v));

		if (v == NULL) {
			errbuf_sys(err, "dedup");
			goto out;
		}
		d->m = v;
		d->cap = ncap;
	}
	m = &d->m[d->nm];
	memset(m, 0, sizeof(*m));
	d->nm++;
	m->chunks = d->line.is_chunks;
	if (line_samples(&d->line, &m->s, err) == -1)
		goto out;
	buf_reset(&d->key);
	if (buf_add(&d->key, group.data, group.len) == -1) {
		errbuf_sys(err, "dedup");
		goto out;
	}
	d->any = 1;
	rc = 0;
out:
	if (rc == 0) {
		buf_reset(&d->prevkey);
		if (buf_add(&d->prevkey, full.data, full.len) == -1)
			rc = errbuf_sys(err, "dedup");
	}
	buf_release(&group);
	buf_release(&full);
	return rc;
}

int
dedup_flush(struct dedup *d, FILE *out, char *err)
{
	return write_group(d, out, err);
}

void
dedup_release(struct dedup *d)
{
	for (size_t i = 0; i < d->nm; i++) {
		labels_release(&d->m[i].replica);
		dedup_out_release(&d->m[i].s);
	}
	free(d->m);
	for (size_t i = 0; i < d->nnames; i++)
		free(d->names[i]);
	buf_release(&d->key);
	buf_release(&d->prevkey);
	buf_release(&d->gstore);
	labels_release(&d->glabels);
	jsonl_series_release(&d->line);
	dedup_out_release(&d->merged);
	buf_release(&d->out);
	memset(d, 0, sizeof(*d));
}
