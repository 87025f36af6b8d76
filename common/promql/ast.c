#include <stdlib.h>
#include <string.h>

#include "promql/ast.h"
#include "promql/func.h"

struct ast_node *
ast_new(enum ast_kind kind, size_t pos)
{
	struct ast_node *n = calloc(1, sizeof(*n));

	if (n != NULL) {
		n->kind = kind;
		n->pos = n->end = pos;
	}
	return n;
}

int
ast_strlist_add(char ***list, size_t *n, const char *s, size_t len)
{
	char **nl = reallocarray(*list, *n + 1, sizeof(**list));
	char *c;

	if (nl == NULL)
		return -1;
	*list = nl;
	if ((c = strndup(s, len)) == NULL)
		return -1;
	nl[(*n)++] = c;
	return 0;
}

void
ast_strlist_free(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

void
ast_free(struct ast_node *n)
{
	if (n == NULL)
		return;
	ast_free(n->x);
	ast_free(n->y);
	for (size_t i = 0; i < n->nargs; i++)
		ast_free(n->args[i]);
	free(n->args);
	free(n->str);
	free(n->name);
	if (!n->shared_m)
		matchers_free(n->m, n->nm);
	ast_strlist_free(n->mlabels, n->nmlabels);
	ast_strlist_free(n->include, n->ninclude);
	ast_strlist_free(n->grouping, n->ngrouping);
	free(n);
}

static int
copy_list(char ***dst, char *const *src, size_t n)
{
	size_t k = 0;

	*dst = NULL;
	for (size_t i = 0; i < n; i++)
		if (ast_strlist_add(dst, &k, src[i], strlen(src[i])) == -1) {
			ast_strlist_free(*dst, k);
			*dst = NULL;
			return -1;
		}
	return 0;
}

struct ast_node *
ast_clone(const struct ast_node *n)
{
	struct ast_node *c;

	if ((c = malloc(sizeof(*c))) == NULL)
		return NULL;
	*c = *n;
	c->x = c->y = NULL;
	c->args = NULL;
	c->nargs = 0;
	c->str = c->name = NULL;
	c->mlabels = c->include = c->grouping = NULL;
	c->nmlabels = c->ninclude = c->ngrouping = 0;
	c->sel = NULL;
	c->shared_m = 1;
	if ((n->str && (c->str = malloc(n->slen + 1)) == NULL) ||
	    (n->name && (c->name = strdup(n->name)) == NULL))
		goto fail;
	if (n->str)
		memcpy(c->str, n->str, n->slen + 1);
	if (copy_list(&c->mlabels, n->mlabels, n->nmlabels) == -1)
		goto fail;
	c->nmlabels = n->nmlabels;
	if (copy_list(&c->include, n->include, n->ninclude) == -1)
		goto fail;
	c->ninclude = n->ninclude;
	if (copy_list(&c->grouping, n->grouping, n->ngrouping) == -1)
		goto fail;
	c->ngrouping = n->ngrouping;
	if ((n->x && (c->x = ast_clone(n->x)) == NULL) ||
	    (n->y && (c->y = ast_clone(n->y)) == NULL))
		goto fail;
	if (n->nargs) {
		if ((c->args = calloc(n->nargs, sizeof(*c->args))) == NULL)
			goto fail;
		c->nargs = n->nargs;
		for (size_t i = 0; i < n->nargs; i++)
			if ((c->args[i] = ast_clone(n->args[i])) == NULL)
				goto fail;
	}
	return c;
fail:
	ast_free(c);
	return NULL;
}

enum promql_vtype
ast_type(const struct ast_node *n)
{
	switch (n->kind) {
	case AST_NUMBER:
		return PROMQL_SCALAR;
	case AST_STRING:
		return PROMQL_STRING;
	case AST_VECSEL:
	case AST_AGG:
		return PROMQL_VECTOR;
	case AST_MATSEL:
	case AST_SUBQUERY:
		return PROMQL_MATRIX;
	case AST_PAREN:
	case AST_UNARY:
	case AST_STEPINV:
		return ast_type(n->x);
	case AST_BINARY:
		return ast_type(n->x) == PROMQL_SCALAR &&
		    ast_type(n->y) == PROMQL_SCALAR ? PROMQL_SCALAR :
		    PROMQL_VECTOR;
	case AST_CALL:
		return n->fn ? n->fn->ret : PROMQL_NONE;
	}
	return PROMQL_NONE;
}

struct ast_node *
ast_unparen(struct ast_node *n)
{
	while (n != NULL && n->kind == AST_PAREN)
		n = n->x;
	return n;
}

struct ast_node *
ast_unwrap(struct ast_node *n)
{
	while (n != NULL && (n->kind == AST_PAREN || n->kind == AST_STEPINV))
		n = n->x;
	return n;
}

const char *
ast_type_doc(enum promql_vtype t)
{
	switch (t) {
	case PROMQL_SCALAR: return "scalar";
	case PROMQL_VECTOR: return "instant vector";
	case PROMQL_MATRIX: return "range vector";
	case PROMQL_STRING: return "string";
	default: return "none";
	}
}

const char *
ast_type_name(enum promql_vtype t)
{
	switch (t) {
	case PROMQL_SCALAR: return "scalar";
	case PROMQL_VECTOR: return "vector";
	case PROMQL_MATRIX: return "matrix";
	case PROMQL_STRING: return "string";
	default: return "none";
	}
}
