/*
 * aggregate: sum, avg, min, max, count, group, stddev, stdvar, topk,
 * bottomk, quantile and count_values with by/without, step by step as
 * Prometheus 2.42's aggregation() does: groups in the order their first
 * sample comes, the same running formulas (incremental mean for avg,
 * Welford for stddev/stdvar), and topk/bottomk kept in a binary heap
 * with Go's container/heap moves and sorted with Go's pdqsort, so ties
 * come out as Prometheus has them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/floatfmt.h"
#include "promql/eval.h"
#include "promql/func.h"
#include "promql/gosort.h"

struct group {
	const struct promql_lset *labels;
	double			 value, mean;
	size_t			 count;
	struct ev_sample	*heap;		/* topk, bottomk, quantile */
	size_t			 nheap, capheap;
};

struct agg {
	struct ast_node		*n;
	char			**grouping;	/* sorted */
	size_t			 ngrouping;
	const char		*value_label;	/* count_values */
	int			 param_at;	/* index of x in the inputs */
};

static int
cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The grouping key, which is also the group's labels. */
static const struct promql_lset *
group_key(struct ev *ev, const struct agg *a, char **grouping, size_t ng,
    const struct promql_lset *ls)
{
	if (a->n->without)
		return lset_drop(&ev->q->in, ls, grouping, ng, 1);
	return lset_keep(&ev->q->in, ls, grouping, ng);
}

static int
prep_key(struct ev *ev, void *arg, size_t argi, const struct promql_lset *ls,
    const void **aux)
{
	const struct agg *a = arg;

	if ((int)argi != a->param_at) {
		*aux = NULL;
		return 0;
	}
	if ((*aux = group_key(ev, a, a->grouping, a->ngrouping, ls)) == NULL)
		return ev_nomem(ev);
	return 0;
}

/* vectorByValueHeap / vectorByReverseValueHeap Less: NaN is "least". */
static int
heap_less(const struct ev_sample *h, size_t i, size_t j, int reverse)
{
	if (isnan(h[i].v))
		return 1;
	return reverse ? h[i].v > h[j].v : h[i].v < h[j].v;
}

static void
heap_swap(struct ev_sample *h, size_t i, size_t j)
{
	struct ev_sample t = h[i];

	h[i] = h[j];
	h[j] = t;
}

static void
heap_up(struct ev_sample *h, size_t j, int reverse)
{
	while (j > 0) {
		size_t i = (j - 1) / 2;

		if (!heap_less(h, j, i, reverse))
			break;
		heap_swap(h, i, j);
		j = i;
	}
}

static void
heap_down(struct ev_sample *h, size_t i, size_t n, int reverse)
{
	for (;;) {
		size_t j = 2 * i + 1;

		if (j >= n)
			break;
		if (j + 1 < n && heap_less(h, j + 1, j, reverse))
			j++;
		if (!heap_less(h, j, i, reverse))
			break;
		heap_swap(h, i, j);
		i = j;
	}
}

/* sort.Sort(sort.Reverse(heap)): Reverse's Less is the heap's with i
 * and j exchanged; Go's pdqsort does the rest (gosort.c). */
static int
rev_less(const struct ev_sample *h, size_t i, size_t j, int reverse)
{
	return heap_less(h, j, i, reverse);
}

static void
sort_reverse(struct ev_sample *h, size_t n, int reverse)
{
	gosort(h, n, rev_less, reverse);
}

/* sort() and sort_desc(): the same machinery as topk's final sort. */
void
promql_sort_samples(struct ev_sample *v, size_t n, int desc)
{
	/* sort: Reverse(vectorByReverseValueHeap); sort_desc:
	 * Reverse(vectorByValueHeap). */
	sort_reverse(v, n, !desc);
}

static int
heap_push(struct ev *ev, struct group *g, const struct ev_sample *s,
    int reverse)
{
	if (pool_grow(&ev->q->pool, &g->heap, &g->capheap, g->nheap + 1,
	    sizeof(*g->heap)) == -1)
		return ev_nomem(ev);
	g->heap[g->nheap++] = *s;
	if (reverse != -1)
		heap_up(g->heap, g->nheap - 1, reverse);
	return 0;
}

static int
agg_step(struct ev *ev, void *arg, struct ev_vector *in, int64_t ts,
    struct ev_vector *out)
{
	struct agg *a = arg;
	enum promql_tok op = a->n->op;
	struct ev_vector *vec = &in[a->param_at];
	struct group *groups = NULL;
	size_t ngroups = 0, capgroups = 0, x;
	struct pmap index;
	char **grouping = a->grouping;
	size_t ng = a->ngrouping;
	int64_t k = 0;
	double q = 0;
	int rc = -1;

	if (op == TOK_TOPK || op == TOK_BOTTOMK) {
		double f = in[0].n ? in[0].s[0].v : NAN;
		char fb[FLOATFMT_MAX];

		if (!(f <= 9223372036854774784.0 &&
		    f >= -9223372036854775808.0))
			return ev_fail(ev, PROMQL_EXEC, "Scalar value %s "
			    "overflows int64", floatfmt_g(f, fb));
		k = (int64_t)f;
		if (k < 1)
			return 0;
	}
	if (op == TOK_QUANTILE)
		q = in[0].n ? in[0].s[0].v : NAN;
	if (op == TOK_COUNT_VALUES) {
		if (!labels_valid_name(a->value_label))
			return ev_fail(ev, PROMQL_EXEC, "invalid label name "
			    "\"%s\"", a->value_label);
		if (!a->n->without) {
			/* The value label joins the by() labels. */
			if ((grouping = pool_alloc(&ev->q->pool, (ng + 1) *
			    sizeof(*grouping))) == NULL)
				return ev_nomem(ev);
			if (ng > 0)
				memcpy(grouping, a->grouping,
				    ng * sizeof(*grouping));
			grouping[ng++] = (char *)a->value_label;
			qsort(grouping, ng, sizeof(*grouping), cmp_cstr);
		}
	}
	pmap_init(&index, &ev->q->pool);
	for (size_t si = 0; si < vec->n; si++) {
		struct ev_sample s = vec->s[si];
		const struct promql_lset *key = s.aux;
		struct group *g;

		if (op == TOK_COUNT_VALUES) {
			char f[FLOATFMT_F_MAX];

			floatfmt_f(s.v, f);
			if ((s.ls = lset_set(&ev->q->in, s.ls, a->value_label,
			    strlen(a->value_label), f, strlen(f))) == NULL ||
			    (key = group_key(ev, a, grouping, ng, s.ls)) ==
			    NULL) {
				ev_nomem(ev);
				goto out;
			}
		}
		if (!pmap_get(&index, key, &x)) {
			if (pool_grow(&ev->q->pool, &groups, &capgroups,
			    ngroups + 1, sizeof(*groups)) == -1 ||
			    pmap_put(&index, key, ngroups) == -1) {
				ev_nomem(ev);
				goto out;
			}
			g = &groups[ngroups++];
			memset(g, 0, sizeof(*g));
			g->labels = key;
			g->value = s.v;
			g->mean = s.v;
			g->count = 1;
			switch (op) {
			case TOK_STDVAR:
			case TOK_STDDEV:
				g->value = 0;
				break;
			case TOK_TOPK:
			case TOK_BOTTOMK:
			case TOK_QUANTILE:
				if (heap_push(ev, g, &s, -1) == -1)
					goto out;
				break;
			case TOK_GROUP:
				g->value = 1;
				break;
			default:
				break;
			}
			continue;
		}
		g = &groups[x];
		switch (op) {
		case TOK_SUM:
			g->value += s.v;
			break;
		case TOK_AVG:
			g->count++;
			if (isinf(g->mean)) {
				/* An infinite mean stays unless the new
				 * value is the other infinity or NaN:
				 * Inf - Inf would make it NaN too early. */
				if (isinf(s.v) && (g->mean > 0) == (s.v > 0))
					break;
				if (!isinf(s.v) && !isnan(s.v))
					break;
			}
			/* Divide first: the sum could overflow. */
			g->mean += s.v / (double)g->count -
			    g->mean / (double)g->count;
			break;
		case TOK_GROUP:
			break;
		case TOK_MAX:
			if (g->value < s.v || isnan(g->value))
				g->value = s.v;
			break;
		case TOK_MIN:
			if (g->value > s.v || isnan(g->value))
				g->value = s.v;
			break;
		case TOK_COUNT:
		case TOK_COUNT_VALUES:
			g->count++;
			break;
		case TOK_STDVAR:
		case TOK_STDDEV: {
			double delta = s.v - g->mean;

			g->count++;
			g->mean += delta / (double)g->count;
			g->value += delta * (s.v - g->mean);
			break;
		}
		case TOK_TOPK:
		case TOK_BOTTOMK: {
			int rev = op == TOK_BOTTOMK;
			double top = g->heap[0].v;

			if ((int64_t)g->nheap < k ||
			    (rev ? top > s.v : top < s.v) || isnan(top)) {
				if ((int64_t)g->nheap == k) {
					if (k == 1) {
						g->heap[0] = s;
						break;
					}
					/* heap.Pop */
					heap_swap(g->heap, 0, g->nheap - 1);
					heap_down(g->heap, 0, g->nheap - 1,
					    rev);
					g->nheap--;
				}
				if (heap_push(ev, g, &s, rev) == -1)
					goto out;
			}
			break;
		}
		case TOK_QUANTILE:
			if (heap_push(ev, g, &s, -1) == -1)
				goto out;
			break;
		default:
			break;
		}
	}
	for (size_t i = 0; i < ngroups; i++) {
		struct group *g = &groups[i];
		double v = g->value;

		switch (op) {
		case TOK_AVG:
			v = g->mean;
			break;
		case TOK_COUNT:
		case TOK_COUNT_VALUES:
			v = (double)g->count;
			break;
		case TOK_STDVAR:
			v = g->value / (double)g->count;
			break;
		case TOK_STDDEV:
			v = sqrt(g->value / (double)g->count);
			break;
		case TOK_TOPK:
		case TOK_BOTTOMK:
			if (g->nheap > 1)
				sort_reverse(g->heap, g->nheap,
				    op == TOK_BOTTOMK);
			for (size_t j = 0; j < g->nheap; j++)
				if (ev_vector_add(ev, out, g->heap[j].ls, ts,
				    g->heap[j].v) == -1)
					goto out;
			continue;
		case TOK_QUANTILE: {
			double *vals = pool_alloc(&ev->q->pool,
			    g->nheap * sizeof(*vals));

			if (vals == NULL) {
				ev_nomem(ev);
				goto out;
			}
			for (size_t j = 0; j < g->nheap; j++)
				vals[j] = g->heap[j].v;
			v = fn_quantile(q, vals, g->nheap);
			pool_free(&ev->q->pool, vals);
			break;
		}
		default:
			break;
		}
		if (ev_vector_add(ev, out, g->labels, ts, v) == -1)
			goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; i < ngroups; i++)
		pool_free(&ev->q->pool, groups[i].heap);
	pool_free(&ev->q->pool, groups);
	if (grouping != a->grouping)
		pool_free(&ev->q->pool, grouping);
	pmap_release(&index);
	return rc;
}

int
ev_aggregate(struct ev *ev, struct ast_node *n, struct ev_matrix *out)
{
	struct agg a;
	struct ast_node *param = n->y ? ast_unparen(ast_unwrap(n->y)) : NULL;
	struct ast_node *args[2];
	int rc;

	memset(&a, 0, sizeof(a));
	a.n = n;
	a.ngrouping = n->ngrouping;
	if (n->ngrouping > 0) {
		if ((a.grouping = pool_alloc(&ev->q->pool, n->ngrouping *
		    sizeof(*a.grouping))) == NULL)
			return ev_nomem(ev);
		memcpy(a.grouping, n->grouping, n->ngrouping *
		    sizeof(*a.grouping));
		qsort(a.grouping, a.ngrouping, sizeof(*a.grouping), cmp_cstr);
	}
	if (param != NULL && param->kind == AST_STRING) {
		a.value_label = param->str;
		a.param_at = 0;
		args[0] = n->x;
		rc = ev_range(ev, args, 1, prep_key, &a, agg_step, &a, out);
	} else {
		a.param_at = 1;
		args[0] = n->y;
		args[1] = n->x;
		rc = ev_range(ev, args, 2, prep_key, &a, agg_step, &a, out);
	}
	pool_free(&ev->q->pool, a.grouping);
	return rc;
}
