/*
 * preprocess: what Prometheus 2.42 does to a query's tree before it
 * evaluates it (PreprocessExpr, setOffsetForAtModifier): wrap the parts
 * whose value does not change from step to step in StepInvariantExpr
 * nodes, so they are evaluated once; turn @ start() and @ end() into
 * times; and turn every @ into an offset relative to the evaluation's
 * start, which is how the evaluator reads @.  (Fetching each selector's
 * series for the ranges these give is fetch.c's.)
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

void
ev_subq_enter(struct ev_subq *t, const struct ast_node *sq)
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
at_offset(const struct ast_node *n, struct ev_subq t, int64_t evaltime)
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
set_offsets(struct ast_node *n, struct ev_subq t, int64_t evaltime)
{
	struct ev_subq inner;

	if (n == NULL)
		return;
	switch (n->kind) {
	case AST_VECSEL:
		n->offset = at_offset(n, t, evaltime);
		return;
	case AST_SUBQUERY:
		n->offset = at_offset(n, t, evaltime);
		inner = t;
		ev_subq_enter(&inner, n);
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
	struct ev_subq t = { 0, 0, 0, 0 };

	set_offsets(n, t, evaltime);
}

