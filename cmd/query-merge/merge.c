#include <stdlib.h>
#include <string.h>

#include "series/counter.h"
#include "merge.h"

struct item {
	struct fseries	*s;
	struct labels	 key;		/* borrowed pairs: all but replica */
	struct labels	 rep;		/* borrowed pairs: replica labels */
	unsigned	 query;
};

static int
is_replica(const struct merge_opts *o, struct str name)
{
	for (size_t i = 0; i < o->nreplica; i++)
		if (str_eq(name, o->replica[i]))
			return 1;
	return 0;
}

static int
cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c;

	if (x->query != y->query)
		return x->query < y->query ? -1 : 1;
	if ((c = labels_compare(&x->key, &y->key)) != 0)
		return c;
	if ((c = labels_compare(&x->rep, &y->rep)) != 0)
		return c;
	if (x->s->store != y->s->store)
		return x->s->store < y->s->store ? -1 : 1;
	return 0;
}

static int
split(const struct merge_opts *o, struct item *it, struct fseries *s)
{
	memset(it, 0, sizeof(*it));
	it->s = s;
	it->query = o->by_query ? s->query : 0;
	for (size_t i = 0; i < s->labels.n; i++) {
		const struct label *l = &s->labels.v[i];

		if (labels_add(o->dedup && is_replica(o, l->name) ? &it->rep :
		    &it->key, l->name, l->value) == -1)
			return -1;
	}
	return 0;
}

/* Merge items [a, b) (same key, sorted by replica values) and emit
 * them: series/dedup's group, with counters adjusted when asked. */
static int
group(const struct merge_opts *o, struct item *v, size_t a, size_t b,
    struct labels *reps, struct dedup_replica *rr, struct dedup_out *out,
    merge_emit_fn emit, void *arg)
{
	/* One series from one store: nothing to merge, no copy. */
	if (b - a == 1)
		return v[a].s->n == 0 ? 0 : emit(arg, v[a].query, &v[a].key,
		    v[a].s->t, v[a].s->v, v[a].s->n);
	for (size_t k = a; k < b; k++) {
		rr[k - a].t = v[k].s->t;
		rr[k - a].v = v[k].s->v;
		rr[k - a].n = v[k].s->n;
		reps[k - a] = v[k].rep;
	}
	/* Without dedup every member has the same labels: one replica. */
	if (dedup_group(o->dedup ? o->func : DEDUP_CHAIN, rr, reps, b - a,
	    out) == -1)
		return -1;
	if (o->dedup && v[a].query < o->ncounter && o->counter[v[a].query] &&
	    counter_adjust(rr, b - a, out) == -1)
		return -1;
	if (out->n == 0)
		return 0;
	return emit(arg, v[a].query, &v[a].key, out->t, out->v, out->n);
}

int
merge_run(const struct merge_opts *o, struct fetch *f, merge_emit_fn emit,
    void *arg)
{
	struct item *v;
	struct labels *reps = NULL;
	struct dedup_out out = { 0 };
	struct dedup_replica *rr = NULL;
	size_t maxg = 0;
	int rc = 0;

	if (f->n == 0)
		return 0;
	if ((v = calloc(f->n, sizeof(*v))) == NULL)
		return -1;
	for (size_t i = 0; i < f->n; i++)
		if (split(o, &v[i], &f->s[i]) == -1) {
			rc = -1;
			goto out;
		}
	qsort(v, f->n, sizeof(*v), cmp_item);
	for (size_t i = 0; i < f->n;) {
		size_t j = i;

		while (j < f->n && v[j].query == v[i].query &&
		    labels_compare(&v[j].key, &v[i].key) == 0)
			j++;
		if (j - i > maxg)
			maxg = j - i;
		i = j;
	}
	if ((reps = calloc(maxg, sizeof(*reps))) == NULL ||
	    (rr = calloc(maxg, sizeof(*rr))) == NULL) {
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i < f->n && rc == 0;) {
		size_t j = i;

		while (j < f->n && v[j].query == v[i].query &&
		    labels_compare(&v[j].key, &v[i].key) == 0)
			j++;
		rc = group(o, v, i, j, reps, rr, &out, emit, arg);
		i = j;
	}
out:
	for (size_t i = 0; i < f->n; i++) {
		labels_release(&v[i].key);
		labels_release(&v[i].rep);
	}
	dedup_out_release(&out);
	free(reps);
	free(rr);
	free(v);
	return rc;
}
