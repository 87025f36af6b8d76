/*
 * fetch: one select per vector selector, for exactly the time range its
 * evaluation reads, as Prometheus 2.42 computes it
 * (getTimeRangesForSelector): the evaluation range, moved back by the
 * offsets and ranges of the subqueries above (an @ resets them), by the
 * selector's own offset, and by its range window or the lookback delta;
 * an @ pins it.  The series come back sorted by labels, their samples in
 * the query's pool.
 */
#include <stdlib.h>

#include "promql/eval.h"
#include "promql/func.h"

static int select_one(struct ev *ev, struct ast_node *vs, int64_t mint,
	    int64_t maxt, int matrix, const char *func);

/* func: the call whose argument n is (through ranges, parentheses and
 * subqueries), for the storage's hints. */
static int
walk_select(struct ev *ev, struct ast_node *n, struct ev_subq t,
    int64_t eval_range, const char *func)
{
	struct ev_subq inner;

	if (n == NULL)
		return 0;
	switch (n->kind) {
	case AST_VECSEL: {
		int64_t start = ev->start, end = ev->end;

		if (t.has_ts)
			start = end = t.ts;
		if (n->has_at) {
			start = end = n->at;
		} else {
			start = ev_sub(ev_sub(start, t.offset), t.range);
			end = ev_sub(end, t.offset);
		}
		start = ev_sub(start, eval_range ? eval_range :
		    ev->q->opts.lookback_ms);
		start = ev_sub(start, n->orig_offset);
		end = ev_sub(end, n->orig_offset);
		return select_one(ev, n, start, end, eval_range != 0, func);
	}
	case AST_MATSEL:
		return walk_select(ev, n->x, t, n->range, func);
	case AST_SUBQUERY:
		inner = t;
		ev_subq_enter(&inner, n);
		return walk_select(ev, n->x, inner, 0, func);
	default:
		break;
	}
	if (walk_select(ev, n->x, t, 0, n->kind == AST_PAREN ? func : NULL) ==
	    -1 || walk_select(ev, n->y, t, 0, NULL) == -1)
		return -1;
	for (size_t i = 0; i < n->nargs; i++)
		if (walk_select(ev, n->args[i], t, 0, n->fn ? n->fn->name :
		    NULL) == -1)
			return -1;
	return 0;
}

int
ev_select_all(struct ev *ev, struct ast_node *root)
{
	struct ev_subq t = { 0, 0, 0, 0 };

	return walk_select(ev, root, t, 0, NULL);
}

/* --- fetching ------------------------------------------------------------ */

static int
cmp_sel(const void *a, const void *b)
{
	const struct ast_sel_series *x = a, *y = b;

	return lset_cmp(x->ls, y->ls);
}

static int
select_one(struct ev *ev, struct ast_node *vs, int64_t mint, int64_t maxt,
    int matrix, const char *func)
{
	const struct promql_storage *st = ev->q->st;
	struct promql_series *got = NULL;
	struct ast_sel *sel;
	char err[ERR_MAX];
	size_t n = 0;
	int rc = 0;

	if ((sel = pool_calloc(&ev->q->pool, 1, sizeof(*sel))) == NULL)
		return ev_nomem(ev);
	vs->sel = sel;
	if (st == NULL || st->select == NULL)
		return 0;
	err[0] = '\0';
	if (st->select(st->arg, vs->m, vs->nm, mint, maxt, func, &got, &n,
	    err) == -1)
		return ev_fail(ev, PROMQL_INTERNAL, "expanding series: %s",
		    err);
	if (n > 0 && (sel->s = pool_calloc(&ev->q->pool, n,
	    sizeof(*sel->s))) == NULL) {
		rc = ev_nomem(ev);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct ast_sel_series *s = &sel->s[sel->n];
		size_t k = 0;

		if ((s->ls = lset_from_labels(&ev->q->in, &got[i].labels)) ==
		    NULL || (got[i].n > 0 && (s->p = pool_alloc(&ev->q->pool,
		    got[i].n * sizeof(*s->p))) == NULL)) {
			rc = ev_nomem(ev);
			goto out;
		}
		for (size_t j = 0; j < got[i].n; j++) {
			/* A window never holds stale markers: a range
			 * selector's series can do without them. */
			if (matrix && ev_is_stale(got[i].v[j]))
				continue;
			s->p[k].t = got[i].t[j];
			s->p[k].v = got[i].v[j];
			k++;
		}
		s->n = k;
		sel->n++;
		/* Give each series back as soon as it is copied: the peak
		 * is one copy of the selection, not two. */
		free(got[i].t);
		free(got[i].v);
		got[i].t = NULL;
		got[i].v = NULL;
	}
	if (sel->n > 1)
		qsort(sel->s, sel->n, sizeof(*sel->s), cmp_sel);
out:
	promql_series_free(got, n);
	return rc;
}
