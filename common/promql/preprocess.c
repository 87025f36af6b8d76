/*
 * preprocess: what Prometheus 2.42 does to a query's tree before it
 * evaluates it (PreprocessExpr, setOffsetForAtModifier): wrap the parts
 * whose value does not change from step to step in StepInvariantExpr
 * nodes, so they are evaluated once; turn @ start() and @ end() into
 * times; and turn every @ into an offset relative to the evaluation's
 * start, which is how the evaluator reads @.
 */
#include <stdlib.h>

#include "promql/eval.h"
#include "promql/func.h"

/* Wrap *np (without its parentheses, as newStepInvariantExpr does). */
static int
wrap(struct ast_node **np)
{
	struct ast_node *n, *inner = *np, *p;

	while (inner->kind == AST_PAREN) {
		p = inner;
		inner = inner->x;
		p->x = NULL;
		ast_free(p);
	}
	if ((n = ast_new(AST_STEPINV, inner->pos)) == NULL) {
		*np = inner;
		return -1;
	}
	n->end = inner->end;
	n->x = inner;
	*np = n;
	return 0;
}

static void
resolve_at(struct ast_node *n, int64_t start, int64_t end)
{
	if (n->at_kind == AST_AT_START) {
		n->at = start;
		n->has_at = 1;
	} else if (n->at_kind == AST_AT_END) {
		n->at = end;
		n->has_at = 1;
	}
}

/* 1: n is step invariant; 0: it is not; -1: ENOMEM. */
static int
pre(struct ast_node *n, int64_t start, int64_t end)
{
	int a, b, inv;

	switch (n->kind) {
	case AST_VECSEL:
		resolve_at(n, start, end);
		return n->has_at;
	case AST_AGG:
		/* The parameter is not looked at, as in Prometheus. */
		return pre(n->x, start, end);
	case AST_BINARY:
		if ((a = pre(n->x, start, end)) == -1 ||
		    (b = pre(n->y, start, end)) == -1)
			return -1;
		if (a && b)
			return 1;
		if ((a && wrap(&n->x) == -1) || (b && wrap(&n->y) == -1))
			return -1;
		return 0;
	case AST_CALL: {
		int *flags = calloc(n->nargs + 1, sizeof(*flags));

		if (flags == NULL)
			return -1;
		inv = !n->fn->at_unsafe;
		for (size_t i = 0; i < n->nargs; i++) {
			if ((flags[i] = pre(n->args[i], start, end)) == -1) {
				free(flags);
				return -1;
			}
			inv = inv && flags[i];
		}
		for (size_t i = 0; !inv && i < n->nargs; i++)
			if (flags[i] && wrap(&n->args[i]) == -1) {
				free(flags);
				return -1;
			}
		free(flags);
		return inv;
	}
	case AST_MATSEL:
		return pre(n->x, start, end);
	case AST_SUBQUERY:
		if ((a = pre(n->x, start, end)) == -1)
			return -1;
		/* The inside is evaluated once w.r.t. the subquery's start
		 * when it can be, whatever the subquery's own @. */
		if (a && wrap(&n->x) == -1)
			return -1;
		resolve_at(n, start, end);
		return n->has_at;
	case AST_PAREN:
	case AST_UNARY:
		return pre(n->x, start, end);
	case AST_NUMBER:
	case AST_STRING:
		return 1;
	case AST_STEPINV:
		return 1;
	}
	return 0;
}

struct ast_node *
ev_preprocess(struct ast_node *n, int64_t start, int64_t end)
{
	int r = pre(n, start, end);

	if (r == -1 || (r == 1 && wrap(&n) == -1)) {
		ast_free(n);
		return NULL;
	}
	return n;
}

/* The offsets and ranges of the subqueries above a node, as Prometheus'
 * subqueryTimes() adds them up: an @ on a subquery starts over. */
struct subq_times {
	int64_t	 offset, range, ts;
	int	 has_ts;
};

static void
subq_enter(struct subq_times *t, const struct ast_node *sq)
{
	if (sq->has_at) {
		t->offset = sq->orig_offset;
		t->range = sq->range;
		t->ts = sq->at;
		t->has_ts = 1;
	} else {
		t->offset = ev_add(t->offset, sq->orig_offset);
		t->range = ev_add(t->range, sq->range);
	}
}

static int64_t
at_offset(const struct ast_node *n, struct subq_times t, int64_t evaltime)
{
	int64_t subq_offset = t.offset;

	if (!n->has_at)
		return n->orig_offset;
	if (t.has_ts)
		subq_offset = ev_add(subq_offset, ev_sub(evaltime, t.ts));
	return ev_sub(ev_add(n->orig_offset, ev_sub(evaltime, n->at)),
	    subq_offset);
}

static void
set_offsets(struct ast_node *n, struct subq_times t, int64_t evaltime)
{
	struct subq_times inner;

	if (n == NULL)
		return;
	switch (n->kind) {
	case AST_VECSEL:
		n->offset = at_offset(n, t, evaltime);
		return;
	case AST_SUBQUERY:
		n->offset = at_offset(n, t, evaltime);
		inner = t;
		subq_enter(&inner, n);
		set_offsets(n->x, inner, evaltime);
		return;
	default:
		break;
	}
	set_offsets(n->x, t, evaltime);
	set_offsets(n->y, t, evaltime);
	for (size_t i = 0; i < n->nargs; i++)
		set_offsets(n->args[i], t, evaltime);
}

void
ev_set_offsets(struct ast_node *n, int64_t evaltime)
{
	struct subq_times t = { 0, 0, 0, 0 };

	set_offsets(n, t, evaltime);
}

/* --- what each selector reads (getTimeRangesForSelector) ---------------- */

static int select_one(struct ev *ev, struct ast_node *vs, int64_t mint,
	    int64_t maxt, int matrix, const char *func);

/* func: the call whose argument n is (through ranges, parentheses and
 * subqueries), for the storage's hints. */
static int
walk_select(struct ev *ev, struct ast_node *n, struct subq_times t,
    int64_t eval_range, const char *func)
{
	struct subq_times inner;

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
		subq_enter(&inner, n);
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
	struct subq_times t = { 0, 0, 0, 0 };

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
