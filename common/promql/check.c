/*
 * check: the type checks Prometheus 2.42 runs on a parsed expression
 * (parser.checkAST), in its order and with its messages; the first error
 * is the one reported.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "promql/func.h"
#include "promql/gofmt.h"
#include "promql/parse.h"

struct checker {
	const char	*q;
	char		*err;
	int		 failed;
};

static void
cfail(struct checker *c, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
cfail(struct checker *c, size_t pos, const char *fmt, ...)
{
	char msg[ERR_MAX];
	va_list ap;

	if (c->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	promql_errpos(c->err, c->q, pos, msg);
	c->failed = 1;
}

static enum promql_vtype check(struct checker *c, struct ast_node *n);

static void
expect_type(struct checker *c, struct ast_node *n, enum promql_vtype want,
    const char *context)
{
	enum promql_vtype t = check(c, n);

	if (t != want)
		cfail(c, n->pos, "expected type %s in %s, got %s",
		    ast_type_doc(want), context, ast_type_doc(t));
}

/* Where a binary expression's operator starts (Prometheus' opRange). */
static size_t
op_pos(struct checker *c, const struct ast_node *n)
{
	size_t p = n->x->end, len = strlen(c->q);

	while (p < len && (c->q[p] == ' ' || c->q[p] == '\t' ||
	    c->q[p] == '\n' || c->q[p] == '\r'))
		p++;
	return p;
}

static void
check_binary(struct checker *c, struct ast_node *n)
{
	enum promql_vtype lt = check(c, n->x), rt = check(c, n->y);
	const char *op = promql_tok_text(n->op);

	if (n->ret_bool && !promql_tok_is_comparison(n->op))
		cfail(c, op_pos(c, n), "bool modifier can only be used on "
		    "comparison operators");
	if (promql_tok_is_comparison(n->op) && !n->ret_bool &&
	    lt == PROMQL_SCALAR && rt == PROMQL_SCALAR)
		cfail(c, op_pos(c, n), "comparisons between scalars must use "
		    "BOOL modifier");
	if (promql_tok_is_setop(n->op) && n->card == AST_ONE_TO_ONE)
		n->card = AST_MANY_TO_MANY;
	if (n->on)
		for (size_t i = 0; i < n->nmlabels; i++)
			for (size_t j = 0; j < n->ninclude; j++)
				if (strcmp(n->mlabels[i], n->include[j]) == 0)
					cfail(c, op_pos(c, n), "label \"%s\" "
					    "must not occur in ON and GROUP "
					    "clause at once", n->mlabels[i]);
	if (lt != PROMQL_SCALAR && lt != PROMQL_VECTOR)
		cfail(c, n->x->pos, "binary expression must contain only "
		    "scalar and instant vector types");
	if (rt != PROMQL_SCALAR && rt != PROMQL_VECTOR)
		cfail(c, n->y->pos, "binary expression must contain only "
		    "scalar and instant vector types");
	if ((lt != PROMQL_VECTOR || rt != PROMQL_VECTOR) && n->has_vm) {
		if (n->nmlabels > 0)
			cfail(c, n->pos, "vector matching only allowed "
			    "between instant vectors");
		n->has_vm = 0;
	} else if (promql_tok_is_setop(n->op)) {
		if (n->card == AST_ONE_TO_MANY || n->card == AST_MANY_TO_ONE)
			cfail(c, n->pos, "no grouping allowed for \"%s\" "
			    "operation", op);
		if (n->card != AST_MANY_TO_MANY)
			cfail(c, n->pos, "set operations must always be "
			    "many-to-many");
	}
	if ((lt == PROMQL_SCALAR || rt == PROMQL_SCALAR) &&
	    promql_tok_is_setop(n->op))
		cfail(c, n->pos, "set operator \"%s\" not allowed in binary "
		    "scalar expression", op);
}

static void
check_call(struct checker *c, struct ast_node *n)
{
	const struct promql_func *f = n->fn;
	size_t nargs = (size_t)f->nargt;
	char ctx[128];

	if (f->variadic == 0) {
		if (nargs != n->nargs)
			cfail(c, n->pos, "expected %zu argument(s) in call to "
			    "\"%s\", got %zu", nargs, f->name, n->nargs);
	} else {
		size_t na = nargs - 1;

		if (na > n->nargs)
			cfail(c, n->pos, "expected at least %zu argument(s) in "
			    "call to \"%s\", got %zu", na, f->name, n->nargs);
		else if (f->variadic > 0 && na + (size_t)f->variadic <
		    n->nargs)
			cfail(c, n->pos, "expected at most %zu argument(s) in "
			    "call to \"%s\", got %zu",
			    na + (size_t)f->variadic, f->name, n->nargs);
	}
	snprintf(ctx, sizeof(ctx), "call to function \"%s\"", f->name);
	for (size_t i = 0; i < n->nargs; i++) {
		size_t k = i;

		if (k >= nargs) {
			/* Extra arguments of a variadic function take the
			 * last type; others are not checked. */
			if (f->variadic == 0)
				break;
			k = nargs - 1;
		}
		expect_type(c, n->args[i], f->argt[k], ctx);
	}
}

static void
check_selector(struct checker *c, struct ast_node *n)
{
	if (n->name != NULL) {
		/* The last matcher is the name's own. */
		for (size_t i = 0; i + 1 < n->nm; i++)
			if (strcmp(n->m[i].name, "__name__") == 0) {
				struct buf b = BUF_INIT(ERR_MAX - 1);

				gofmt_quote(&b, n->name, strlen(n->name));
				buf_addstr(&b, " or ");
				gofmt_quote(&b, n->m[i].value, n->m[i].vlen);
				cfail(c, n->pos, "metric name must not be set "
				    "twice: %s", b.data ? b.data : "");
				buf_release(&b);
			}
		return;
	}
	for (size_t i = 0; i < n->nm; i++)
		if (!matcher_matches_empty(&n->m[i]))
			return;
	cfail(c, n->pos, "vector selector must contain at least one "
	    "non-empty matcher");
}

static enum promql_vtype
check(struct checker *c, struct ast_node *n)
{
	enum promql_vtype t = ast_type(n), s;

	switch (n->kind) {
	case AST_AGG:
		expect_type(c, n->x, PROMQL_VECTOR, "aggregation expression");
		if (n->op == TOK_TOPK || n->op == TOK_BOTTOMK ||
		    n->op == TOK_QUANTILE)
			expect_type(c, n->y, PROMQL_SCALAR,
			    "aggregation parameter");
		if (n->op == TOK_COUNT_VALUES)
			expect_type(c, n->y, PROMQL_STRING,
			    "aggregation parameter");
		break;
	case AST_BINARY:
		check_binary(c, n);
		break;
	case AST_CALL:
		check_call(c, n);
		break;
	case AST_PAREN:
	case AST_MATSEL:
	case AST_STEPINV:
		check(c, n->x);
		break;
	case AST_UNARY:
		s = check(c, n->x);
		if (s != PROMQL_SCALAR && s != PROMQL_VECTOR)
			cfail(c, n->pos, "unary expression only allowed on "
			    "expressions of type scalar or instant vector, "
			    "got \"%s\"", ast_type_doc(s));
		break;
	case AST_SUBQUERY:
		s = check(c, n->x);
		if (s != PROMQL_VECTOR)
			cfail(c, n->pos, "subquery is only allowed on instant "
			    "vector, got %s instead", ast_type_name(s));
		break;
	case AST_VECSEL:
		check_selector(c, n);
		break;
	case AST_NUMBER:
	case AST_STRING:
		break;
	}
	return t;
}

int
promql_check(struct ast_node *root, const char *query, char *err)
{
	struct checker c = { query, err, 0 };

	check(&c, root);
	return c.failed ? -1 : 0;
}
