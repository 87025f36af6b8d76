/*
 * Replica dedup: the three merge functions, and the stream that groups
 * series (lines or structs) and merges each group.  Buffers live in
 * struct dedup from group to group, so a long stream allocates only
 * while its groups still grow.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/errbuf.h"
#include "series/dedup.h"
#include "tsdb/xorchunk.h"

#define PENALTY_INITIAL_MS	5000
#define TS_LIMIT		((int64_t)1 << 53)
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

/* Room for n samples in all. */
static int
out_reserve(struct dedup_out *o, size_t n)
{
	size_t ncap = o->cap ? o->cap : 256;
	int64_t *nt;
	double *nv;

	if (n <= o->cap)
		return 0;
	while (ncap < n)
		ncap *= 2;
	if ((nt = reallocarray(o->t, ncap, sizeof(*nt))) == NULL)
		return -1;
	o->t = nt;
	if ((nv = reallocarray(o->v, ncap, sizeof(*nv))) == NULL)
		return -1;
	o->v = nv;
	o->cap = ncap;
	return 0;
}

void
dedup_out_release(struct dedup_out *o)
{
	free(o->t);
	free(o->v);
	memset(o, 0, sizeof(*o));
}

/* Scratch for k replicas, zeroed; -1 on ENOMEM. */
static int
work_reserve(struct dedup_work *w, size_t k)
{
	size_t *pos;
	int64_t *iv;
	struct dedup_replica *r;

	if (k > w->kcap) {
		if ((pos = reallocarray(w->pos, k, sizeof(*pos))) == NULL)
			return -1;
		w->pos = pos;
		if ((iv = reallocarray(w->iv, k, sizeof(*iv))) == NULL)
			return -1;
		w->iv = iv;
		if ((r = reallocarray(w->r, k, sizeof(*r))) == NULL)
			return -1;
		w->r = r;
		w->kcap = k;
	}
	memset(w->pos, 0, k * sizeof(*w->pos));
	memset(w->iv, 0, k * sizeof(*w->iv));
	return 0;
}

static void
work_release(struct dedup_work *w)
{
	free(w->pos);
	free(w->iv);
	free(w->r);
	free(w->steps);
	free(w->hist);
	memset(w, 0, sizeof(*w));
}

/* --- chain ------------------------------------------------------------- */

static int
merge_chain(const struct dedup_replica *r, size_t k, struct dedup_out *out,
    struct dedup_work *w)
{
	size_t *pos = w->pos;
	int rc = 0;

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

/* The element of rank m of a[0..n) (what a[m] would be sorted), by
 * Hoare's selection: linear time on average, where sorting was most of
 * a group's cost.  a is reordered. */
static int64_t
select_rank(int64_t *a, size_t n, size_t m)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		int64_t pivot = a[lo + (hi - lo) / 2], x;
		size_t i = lo, j = hi;

		for (;;) {
			while (a[i] < pivot)
				i++;
			while (a[j] > pivot)
				j--;
			if (i >= j)
				break;
			x = a[i];
			a[i] = a[j];
			a[j] = x;
			i++;
			j--;
		}
		/* a[lo..j] <= pivot <= a[j+1..hi]. */
		if (m <= j)
			hi = j;
		else
			lo = j + 1;
	}
	return a[m];
}

/* t[i] - t[i - 1], wrapping instead of overflowing for timestamps more
 * than 2^63 apart, which no scrape interval is. */
static int64_t
step(const struct dedup_replica *r, size_t i)
{
	return (int64_t)((uint64_t)r->t[i] - (uint64_t)r->t[i - 1]);
}

/*
 * The element of rank m of the n - 1 steps between r's timestamps, by
 * counting: steps near the middle one of a few samples fall into a
 * window of HIST counters, those below it are counted, and the rank is
 * found by a walk over the window.  Nothing is compared with anything,
 * so jitter costs no mispredicted branches, where a selection over
 * jittered steps was most of a group's cost.  -2 if the rank lies
 * outside the window (the caller then selects).
 */
#define HIST	4096

static int
count_rank(const struct dedup_replica *r, size_t m, struct dedup_work *w,
    int64_t *out)
{
	int64_t probe[9], lo, x;
	size_t n = r->n - 1, below = 0, cum;
	uint32_t *h;

	if (w->hist == NULL && (w->hist = calloc(HIST, sizeof(*h))) == NULL)
		return -1;
	h = w->hist;
	for (size_t i = 0; i < 9; i++) {
		size_t j = 1 + i * (n - 1) / 8, k = i;

		x = step(r, j);
		for (; k > 0 && probe[k - 1] > x; k--)
			probe[k] = probe[k - 1];
		probe[k] = x;
	}
	lo = probe[4] < INT64_MIN + HIST ? INT64_MIN : probe[4] - HIST / 2;
	for (size_t i = 1; i <= n; i++) {
		uint64_t u;

		x = step(r, i);
		u = (uint64_t)x - (uint64_t)lo;
		below += x < lo;
		if (u < HIST)
			h[u]++;
	}
	cum = below;
	*out = INT64_MIN;
	if (m >= below)
		for (size_t i = 0; i < HIST; i++) {
			cum += h[i];
			if (cum > m) {
				*out = lo + (int64_t)i;
				break;
			}
		}
	memset(h, 0, HIST * sizeof(*h));
	return *out == INT64_MIN ? -2 : 0;
}

/* The replica's scrape interval: the median step between its samples;
 * 0 when it has fewer than two; -1 on ENOMEM. */
static int64_t
interval(const struct dedup_replica *r, struct dedup_work *w)
{
	int64_t *d, med;
	size_t m;
	int rc;

	if (r->n < 2)
		return 0;
	m = (r->n - 2) / 2;
	if (r->n > 64 && (rc = count_rank(r, m, w, &med)) != -2)
		return rc == 0 ? med : -1;
	if (r->n - 1 > w->stepcap) {
		if ((d = reallocarray(w->steps, r->n - 1, sizeof(*d))) == NULL)
			return -1;
		w->steps = d;
		w->stepcap = r->n - 1;
	}
	d = w->steps;
	for (size_t i = 1; i < r->n; i++)
		d[i - 1] = step(r, i);
	return select_rank(d, r->n - 1, m);
}

/* First index of r at or after t, from i on: galloping, as the answer is
 * nearly always i or just after it. */
static size_t
lower_bound(const struct dedup_replica *r, size_t i, int64_t t)
{
	size_t lo = i, hi, step = 1;

	if (i >= r->n || r->t[i] >= t)
		return i;
	/* r->t[lo] < t: find hi with r->t[hi] >= t, or hi = n. */
	for (;;) {
		hi = lo + step;
		if (hi >= r->n) {
			hi = r->n;
			break;
		}
		if (r->t[hi] >= t)
			break;
		lo = hi;
		step *= 2;
	}
	lo++;
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

/*
 * What the loop below does while a replica keeps its cadence, without
 * the loop's questions: take its next samples as long as none is stale
 * or more than 1.5 intervals after the last.  Most samples pass here.
 */
static void
follow(const struct dedup_replica *r, size_t *pos, int64_t iv, int64_t *last,
    struct dedup_out *out)
{
	int64_t lim = iv > 0 ? iv + iv / 2 : INT64_MAX, l = *last;
	size_t p = *pos, o = out->n;

	while (p < r->n && !is_stale(r->v[p]) && r->t[p] - l <= lim) {
		l = out->t[o] = r->t[p];
		out->v[o++] = r->v[p++];
	}
	*pos = p;
	*last = l;
	out->n = o;
}

static int
merge_gapless(const struct dedup_replica *r, size_t k, struct dedup_out *out,
    struct dedup_work *w)
{
	int64_t *iv = w->iv, fallback = 0, last = INT64_MIN;
	size_t *pos = w->pos, cur = k, at = 0, total = 0;
	int rc = 0;

	if (k == 0)
		return 0;
	for (size_t i = 0; i < k; i++) {
		total += r[i].n;
		if ((iv[i] = interval(&r[i], w)) < 0)
			return -1;
		if (iv[i] > 0 && (fallback == 0 || iv[i] < fallback))
			fallback = iv[i];
	}
	for (size_t i = 0; i < k; i++) {
		if (iv[i] == 0)
			iv[i] = fallback;
		if (r[i].n > 0 && (cur == k || r[i].t[0] < r[cur].t[0]))
			cur = i;
	}
	/* Never more samples out than in: no growing on the way. */
	if (out_reserve(out, total) == -1)
		return -1;
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
		out->t[out->n] = tn;
		out->v[out->n] = r[cur].v[pos[cur]];
		out->n++;
		last = tn;
		pos[cur]++;
		follow(&r[cur], &pos[cur], iv[cur], &last, out);
	}
	return rc;
}

static int
merge(enum dedup_func f, const struct dedup_replica *r, size_t k,
    struct dedup_out *out, struct dedup_work *w)
{
	out->n = 0;
	if (k == 0)
		return 0;
	if (k == 1) {
		if (out_reserve(out, r[0].n) == -1)
			return -1;
		if (r[0].n > 0) {
			memcpy(out->t, r[0].t, r[0].n * sizeof(*out->t));
			memcpy(out->v, r[0].v, r[0].n * sizeof(*out->v));
		}
		out->n = r[0].n;
		return 0;
	}
	if (work_reserve(w, k) == -1)
		return -1;
	switch (f) {
	case DEDUP_PENALTY:
		return merge_penalty(r, k, out);
	case DEDUP_CHAIN:
		return merge_chain(r, k, out, w);
	default:
		return merge_gapless(r, k, out, w);
	}
}

int
dedup_merge(enum dedup_func f, const struct dedup_replica *r, size_t k,
    struct dedup_out *out)
{
	struct dedup_work w = { 0 };
	int rc = merge(f, r, k, out, &w);

	work_release(&w);
	return rc;
}

/* Union of (t, v, n) and o into tmp, then swapped into o: by timestamp,
 * o's sample first on a tie. */
static int
union_into(struct dedup_out *o, const int64_t *t, const double *v, size_t n,
    struct dedup_out *tmp)
{
	struct dedup_out x;
	size_t i = 0, j = 0, k = 0;

	if (out_reserve(tmp, o->n + n) == -1)
		return -1;
	while (i < o->n && j < n) {
		if (o->t[i] <= t[j]) {
			if (o->t[i] == t[j])
				j++;
			tmp->t[k] = o->t[i];
			tmp->v[k++] = o->v[i++];
		} else {
			tmp->t[k] = t[j];
			tmp->v[k++] = v[j++];
		}
	}
	for (; i < o->n; i++, k++) {
		tmp->t[k] = o->t[i];
		tmp->v[k] = o->v[i];
	}
	for (; j < n; j++, k++) {
		tmp->t[k] = t[j];
		tmp->v[k] = v[j];
	}
	tmp->n = k;
	x = *o;
	*o = *tmp;
	*tmp = x;
	return 0;
}

int
dedup_group(enum dedup_func f, const struct dedup_replica *members,
    const struct labels *replica_values, size_t k, struct dedup_out *out)
{
	struct dedup_work w = { 0 };
	struct dedup_out *u = NULL, tmp = { 0 };
	struct dedup_replica *r = NULL;
	size_t *ord = NULL, nr = 0, nu = 0;
	int rc = -1;

	out->n = 0;
	if (k == 0)
		return 0;
	if ((ord = calloc(k, sizeof(*ord))) == NULL ||
	    (r = calloc(k, sizeof(*r))) == NULL ||
	    (u = calloc(k, sizeof(*u))) == NULL)
		goto out;
	/* Insertion sort: stable, and groups are small. */
	for (size_t i = 0; i < k; i++) {
		size_t j = i;

		while (j > 0 && replica_values != NULL &&
		    labels_compare(&replica_values[ord[j - 1]],
		    &replica_values[i]) > 0) {
			ord[j] = ord[j - 1];
			j--;
		}
		ord[j] = i;
	}
	for (size_t i = 0; i < k; ) {
		size_t j = i + 1;

		while (j < k && replica_values != NULL &&
		    labels_compare(&replica_values[ord[i]],
		    &replica_values[ord[j]]) == 0)
			j++;
		if (j == i + 1)
			r[nr++] = members[ord[i]];
		else {
			/* The same series more than once: one union. */
			struct dedup_out *o = &u[nu++];

			for (size_t m = i; m < j; m++)
				if (union_into(o, members[ord[m]].t,
				    members[ord[m]].v, members[ord[m]].n,
				    &tmp) == -1)
					goto out;
			r[nr++] = (struct dedup_replica){ o->t, o->v, o->n };
		}
		i = j;
	}
	rc = merge(f, r, nr, out, &w);
out:
	for (size_t i = 0; i < nu; i++)
		dedup_out_release(&u[i]);
	dedup_out_release(&tmp);
	work_release(&w);
	free(u);
	free(r);
	free(ord);
	return rc;
}

/* --- the stream of series ------------------------------------------------ */

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

void
dedup_set_sink(struct dedup *d, dedup_emit_fn fn, void *arg)
{
	d->sink = fn;
	d->sinkarg = arg;
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
static char *
add_escaped(char *o, struct str s)
{
	for (size_t i = 0; i < s.n; i++) {
		unsigned char c = (unsigned char)s.p[i];

		if (c <= 1) {
			*o++ = 1;
			*o++ = (char)(c + 1);
		} else
			*o++ = (char)c;
	}
	*o++ = 0;
	return o;
}

static void
add_pair(struct buf *b, const struct label *l)
{
	char *o = b->data + b->len;

	*o++ = 3;
	o = add_escaped(o, l->name);
	o = add_escaped(o, l->value);
	b->len = (size_t)(o - b->data);
}

static int
make_key(const struct dedup *d, const struct labels *l, struct buf *group,
    struct buf *full)
{
	size_t most = 1;

	/* Escaping at most doubles a string; 3 bytes more per pair. */
	for (size_t i = 0; i < l->n; i++)
		most += 2 * (l->v[i].name.n + l->v[i].value.n) + 3;
	buf_reset(group);
	buf_reset(full);
	if (buf_grow(group, most) == -1 || buf_grow(full, most) == -1)
		return -1;
	for (size_t i = 0; i < l->n; i++)
		if (!is_replica(d, l->v[i].name))
			add_pair(group, &l->v[i]);
	memcpy(full->data, group->data, group->len);
	full->len = group->len;
	for (size_t i = 0; i < l->n; i++)
		if (is_replica(d, l->v[i].name))
			add_pair(full, &l->v[i]);
	full->data[full->len++] = 2;
	return 0;
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

/* The group as a series line into d->out: the values form, or the chunks
 * form (120 samples a chunk) when any member came as chunks. */
static int
format_group(struct dedup *d, int chunks, const int64_t *t, const double *v,
    size_t n)
{
	const unsigned char *p;
	struct xor_enc enc;
	size_t len;
	int rc;

	buf_reset(&d->out);
	if (!chunks)
		return jsonl_add_values(&d->out, &d->glabels, t, v, n);
	rc = jsonl_begin(&d->out, &d->glabels);
	for (size_t i = 0; i < n && rc == 0; i += CHUNK_SAMPLES) {
		size_t end = i + CHUNK_SAMPLES < n ? i + CHUNK_SAMPLES : n;

		buf_reset(&d->chunk);
		xor_enc_init(&enc, &d->chunk);
		for (size_t k = i; k < end && rc == 0; k++)
			rc = xor_enc_add(&enc, t[k], v[k]);
		if (rc == 0 && (p = xor_enc_finish(&enc, &len)) == NULL)
			rc = -1;
		if (rc == 0)
			rc = jsonl_add_chunk(&d->out, i == 0, t[i], t[end - 1], p,
			    len);
	}
	return rc | jsonl_end_chunks(&d->out);
}

/* Merge the open group and pass it on; the group is empty after. */
static int
emit_group(struct dedup *d, char *err)
{
	const int64_t *t;
	const double *v;
	size_t n, nm = d->nm;
	int chunks = 0, rc = 0;

	if (nm == 0)
		return 0;
	d->nm = 0;
	for (size_t i = 0; i < nm; i++)
		chunks |= d->m[i].chunks;
	if (nm == 1) {
		/* Nothing to merge: straight from the member. */
		t = d->m[0].s.t;
		v = d->m[0].s.v;
		n = d->m[0].s.n;
	} else {
		if (work_reserve(&d->work, nm) == -1)
			return errbuf_sys(err, "dedup");
		for (size_t i = 0; i < nm; i++)
			d->work.r[i] = (struct dedup_replica){ d->m[i].s.t,
			    d->m[i].s.v, d->m[i].s.n };
		if (merge(d->func, d->work.r, nm, &d->merged, &d->work) == -1)
			return errbuf_sys(err, "dedup");
		t = d->merged.t;
		v = d->merged.v;
		n = d->merged.n;
	}
	if (n == 0)
		return 0;
	if (d->sink != NULL)
		return d->sink(d->sinkarg, &d->glabels, t, v, n, err);
	if (d->fp == NULL)
		return errbuf_set(err, "dedup: no sink and no output");
	if (format_group(d, chunks, t, v, n) != 0)
		rc = errbuf_sys(err, "output");
	else if (fwrite(d->out.data, 1, d->out.len, d->fp) != d->out.len)
		rc = errbuf_sys(err, "write <stdout>");
	return rc;
}

/* Keep the series' labels minus replica labels as the group's (copied:
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

/*
 * Where a new series goes: *m the member to fill (a fresh one, its
 * samples empty), or NULL when it is the last member's series again and
 * its samples are to be merged into that one.  A group it ends is passed
 * on first.
 */
static int
place(struct dedup *d, const struct labels *l, struct dedup_member **m,
    char *err)
{
	int c = 0;

	if (make_key(d, l, &d->kgroup, &d->kfull) == -1)
		return errbuf_sys(err, "dedup");
	if (d->any && (c = keycmp(&d->kfull, &d->prevkey)) < 0)
		return errbuf_set(err, "not sorted: series lines must come in "
		    "label order, replica labels compared last");
	if (d->any && c == 0) {
		/* The very same series again (another store). */
		*m = NULL;
		return 0;
	}
	if (d->any && keycmp(&d->kgroup, &d->key) != 0 &&
	    emit_group(d, err) == -1)
		return -1;
	if (d->nm == 0 && set_group_labels(d, l) == -1)
		return errbuf_sys(err, "dedup");
	if (d->nm == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 4;
		struct dedup_member *v = reallocarray(d->m, ncap, sizeof(*v));

		if (v == NULL)
			return errbuf_sys(err, "dedup");
		memset(v + d->cap, 0, (ncap - d->cap) * sizeof(*v));
		d->m = v;
		d->cap = ncap;
	}
	*m = &d->m[d->nm];
	(*m)->s.n = 0;
	(*m)->chunks = 0;
	return 0;
}

/* The series is in: its keys become the last ones. */
static int
placed(struct dedup *d, struct dedup_member *m)
{
	struct buf x;

	if (m != NULL) {
		if (d->nm == 0) {
			/* A new group: its key is this series' group key. */
			x = d->key;
			d->key = d->kgroup;
			d->kgroup = x;
		}
		d->nm++;
	}
	x = d->prevkey;
	d->prevkey = d->kfull;
	d->kfull = x;
	d->any = 1;
	return 0;
}

/* The samples of a chunks-form line, decoded, into o (reset first). */
static int
chunk_samples(const struct jsonl_series *s, struct dedup_out *o, char *err)
{
	o->n = 0;
	for (size_t c = 0; c < s->nchunks; c++) {
		struct xor_iter it;
		int r, count = xor_chunk_count(s->chunks[c].data,
		    s->chunks[c].len);

		if (count > 0 && out_reserve(o, o->n + (size_t)count) == -1)
			return errbuf_sys(err, "samples");
		xor_iter_init(&it, s->chunks[c].data, s->chunks[c].len);
		while ((r = xor_iter_next(&it)) == 1) {
			if (o->n == o->cap && out_reserve(o, o->n + 1) == -1)
				return errbuf_sys(err, "samples");
			if (o->n > 0 && it.t <= o->t[o->n - 1])
				return errbuf_set(err, "chunk %zu: timestamps "
				    "do not increase", c + 1);
			/* What series lines cannot carry, they cannot be
			 * written with (see jsonl_read.c). */
			if (it.t <= -TS_LIMIT || it.t >= TS_LIMIT)
				return errbuf_set(err, "chunk %zu: timestamp "
				    "%lld out of range", c + 1,
				    (long long)it.t);
			o->t[o->n] = it.t;
			o->v[o->n] = it.v;
			o->n++;
		}
		if (r == -1)
			return errbuf_set(err, "chunk %zu: %s", c + 1, it.err);
	}
	return 0;
}

int
dedup_feed(struct dedup *d, const char *line, size_t len, FILE *out,
    char *err)
{
	struct jsonl_series *s = &d->line;
	struct dedup_member *m, *last;

	d->fp = out;
	if (jsonl_parse(s, line, len, err) == -1 ||
	    place(d, &s->labels, &m, err) == -1)
		return -1;
	if (m == NULL) {
		/* Again: merged into the last member by timestamp. */
		last = &d->m[d->nm - 1];
		if (s->is_chunks) {
			if (chunk_samples(s, &d->merged, err) == -1)
				return -1;
			if (union_into(&last->s, d->merged.t, d->merged.v,
			    d->merged.n, &d->tmp) == -1)
				return errbuf_sys(err, "dedup");
		} else if (union_into(&last->s, s->t, s->v, s->n,
		    &d->tmp) == -1)
			return errbuf_sys(err, "dedup");
		last->chunks |= s->is_chunks;
	} else if (s->is_chunks) {
		m->chunks = 1;
		if (chunk_samples(s, &m->s, err) == -1)
			return -1;
	} else {
		/* The parsed arrays become the member's, and the member's
		 * old ones the parser's for the next line: no copy. */
		struct dedup_out x = m->s;

		m->s = (struct dedup_out){ s->t, s->v, s->n, s->cap };
		s->t = x.t;
		s->v = x.v;
		s->cap = x.cap;
		s->n = 0;
	}
	return placed(d, m);
}

int
dedup_flush(struct dedup *d, FILE *out, char *err)
{
	d->fp = out;
	return emit_group(d, err);
}

int
dedup_put(struct dedup *d, const struct labels *l, const int64_t *t,
    const double *v, size_t n, char *err)
{
	struct dedup_member *m;

	for (size_t i = 1; i < l->n; i++)
		if (str_cmp(l->v[i - 1].name, l->v[i].name) >= 0)
			return errbuf_set(err, "labels not sorted by name");
	for (size_t i = 1; i < n; i++)
		if (t[i] <= t[i - 1])
			return errbuf_set(err, "sample %zu: timestamps do not "
			    "increase", i + 1);
	if (place(d, l, &m, err) == -1)
		return -1;
	if (m == NULL) {
		if (union_into(&d->m[d->nm - 1].s, t, v, n, &d->tmp) == -1)
			return errbuf_sys(err, "dedup");
	} else {
		if (out_reserve(&m->s, n) == -1)
			return errbuf_sys(err, "dedup");
		if (n > 0) {
			memcpy(m->s.t, t, n * sizeof(*t));
			memcpy(m->s.v, v, n * sizeof(*v));
		}
		m->s.n = n;
	}
	return placed(d, m);
}

int
dedup_end(struct dedup *d, char *err)
{
	return emit_group(d, err);
}

void
dedup_release(struct dedup *d)
{
	for (size_t i = 0; i < d->cap; i++)
		dedup_out_release(&d->m[i].s);
	free(d->m);
	for (size_t i = 0; i < d->nnames; i++)
		free(d->names[i]);
	buf_release(&d->key);
	buf_release(&d->prevkey);
	buf_release(&d->kgroup);
	buf_release(&d->kfull);
	buf_release(&d->gstore);
	labels_release(&d->glabels);
	jsonl_series_release(&d->line);
	dedup_out_release(&d->merged);
	dedup_out_release(&d->tmp);
	work_release(&d->work);
	buf_release(&d->out);
	buf_release(&d->chunk);
	memset(d, 0, sizeof(*d));
}
