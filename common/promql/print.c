/*
 * print: an expression as Prometheus 2.42's String() methods write it,
 * so that what we print parses back to the same tree and reads as
 * Prometheus' own (the test framework re-parses it).
 */
#include <stdlib.h>
#include <string.h>

#include "base/floatfmt.h"
#include "base/parse.h"
#include "promql/func.h"
#include "promql/gofmt.h"
#include "promql/parse.h"

static int
add_duration(struct buf *b, int64_t ms)
{
	char d[PARSE_DURATION_MAX];

	parse_duration_format(ms, d, sizeof(d));
	return buf_addstr(b, d);
}

/* " @ 100.000" / " @ start()" and " offset 5m" / " offset -5m". */
static int
add_at_offset(struct buf *b, const struct ast_node *n)
{
	int r = 0;

	if (n->at_kind == AST_AT_TS)
		r |= buf_addf(b, " @ %.3f", (double)n->at / 1000.0);
	else if (n->at_kind == AST_AT_START)
		r |= buf_addstr(b, " @ start()");
	else if (n->at_kind == AST_AT_END)
		r |= buf_addstr(b, " @ end()");
	if (n->orig_offset > 0)
		r |= buf_addstr(b, " offset ") | add_duration(b, n->orig_offset);
	else if (n->orig_offset < 0)
		r |= buf_addstr(b, " offset -") |
		    add_duration(b, -n->orig_offset);
	return r;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* name{matchers}, without @ and offset. */
static int
add_selector(struct buf *b, const struct ast_node *n)
{
	char **strs = NULL;
	size_t k = 0;
	int r = 0;

	if (n->nm > 0 && (strs = calloc(n->nm, sizeof(*strs))) == NULL)
		return -1;
	for (size_t i = 0; i < n->nm && r == 0; i++) {
		const struct matcher *m = &n->m[i];
		struct buf s = BUF_INIT(BUF_NOMAX);

		if (n->name && m->type == MATCHER_EQ &&
		    strcmp(m->name, "__name__") == 0 &&
		    strcmp(m->value, n->name) == 0)
			continue;
		r |= buf_addstr(&s, m->name) |
		    buf_addstr(&s, matcher_op(m->type)) |
		    gofmt_quote(&s, m->value, m->vlen);
		if (r == 0 && (strs[k] = buf_detach(&s, NULL)) != NULL)
			k++;
		else
			r = -1;
		buf_release(&s);
	}
	if (n->name)
		r |= buf_addstr(b, n->name);
	if (k > 0) {
		qsort(strs, k, sizeof(*strs), cmp_str);
		r |= buf_addch(b, '{');
		for (size_t i = 0; i < k; i++)
			r |= buf_addstr(b, i ? "," : "") | buf_addstr(b, strs[i]);
		r |= buf_addch(b, '}');
	}
	for (size_t i = 0; i < k; i++)
		free(strs[i]);
	free(strs);
	return r;
}

static int
add_list(struct buf *b, char **l, size_t n)
{
	int r = 0;

	for (size_t i = 0; i < n; i++)
		r |= buf_addstr(b, i ? ", " : "") | buf_addstr(b, l[i]);
	return r;
}

int
promql_print(struct buf *b, const struct ast_node *n)
{
	char f[FLOATFMT_MAX];
	int r = 0;

	switch (n->kind) {
	case AST_NUMBER:
		return buf_addstr(b, floatfmt_g(n->num, f));
	case AST_STRING:
		return gofmt_quote(b, n->str, n->slen);
	case AST_VECSEL:
		return add_selector(b, n) | add_at_offset(b, n);
	case AST_MATSEL:
		r |= add_selector(b, n->x) | buf_addch(b, '[') |
		    add_duration(b, n->range) | buf_addch(b, ']');
		return r | add_at_offset(b, n->x);
	case AST_SUBQUERY:
		r |= promql_print(b, n->x) | buf_addch(b, '[') |
		    add_duration(b, n->range) | buf_addch(b, ':');
		if (n->step != 0)
			r |= add_duration(b, n->step);
		return r | buf_addch(b, ']') | add_at_offset(b, n);
	case AST_PAREN:
		return buf_addch(b, '(') | promql_print(b, n->x) |
		    buf_addch(b, ')');
	case AST_UNARY:
		return buf_addstr(b, promql_tok_text(n->op)) |
		    promql_print(b, n->x);
	case AST_STEPINV:
		return promql_print(b, n->x);
	case AST_CALL:
		r |= buf_addstr(b, n->fn->name) | buf_addch(b, '(');
		for (size_t i = 0; i < n->nargs; i++)
			r |= buf_addstr(b, i ? ", " : "") |
			    promql_print(b, n->args[i]);
		return r | buf_addch(b, ')');
	case AST_AGG:
		r |= buf_addstr(b, promql_tok_text(n->op));
		if (n->without)
			r |= buf_addstr(b, " without (") |
			    add_list(b, n->grouping, n->ngrouping) |
			    buf_addstr(b, ") ");
		else if (n->ngrouping > 0)
			r |= buf_addstr(b, " by (") |
			    add_list(b, n->grouping, n->ngrouping) |
			    buf_addstr(b, ") ");
		r |= buf_addch(b, '(');
		if (n->y)
			r |= promql_print(b, n->y) | buf_addstr(b, ", ");
		return r | promql_print(b, n->x) | buf_addch(b, ')');
	case AST_BINARY:
		r |= promql_print(b, n->x) | buf_addch(b, ' ') |
		    buf_addstr(b, promql_tok_text(n->op));
		if (n->ret_bool)
			r |= buf_addstr(b, " bool");
		if (n->has_vm && (n->nmlabels > 0 || n->on)) {
			r |= buf_addstr(b, n->on ? " on (" : " ignoring (") |
			    add_list(b, n->mlabels, n->nmlabels) |
			    buf_addch(b, ')');
			if (n->card == AST_MANY_TO_ONE ||
			    n->card == AST_ONE_TO_MANY)
				r |= buf_addstr(b, n->card == AST_MANY_TO_ONE ?
				    " group_left (" : " group_right (") |
				    add_list(b, n->include, n->ninclude) |
				    buf_addch(b, ')');
		}
		return r | buf_addch(b, ' ') | promql_print(b, n->y);
	}
	return -1;
}
