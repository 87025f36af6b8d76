/*
 * ast: the syntax tree of a PromQL expression, as Prometheus 2.42 builds
 * it (parser/ast.go), plus the node the engine adds for step-invariant
 * parts (StepInvariantExpr).
 *
 * One struct for every kind of node; each kind uses the fields its
 * comment names.  A node owns its children, strings and matchers, except
 * in a clone made for one evaluation, whose matchers are borrowed from
 * the parsed tree (shared_m).  pos/end are byte offsets into the query,
 * for error messages.  Times are int64 milliseconds.
 */
#ifndef PROMQL_AST_H
#define PROMQL_AST_H

#include <stddef.h>
#include <stdint.h>

#include "promql/lex.h"
#include "promql/promql.h"
#include "tsdb/matcher.h"

enum ast_kind {
	AST_NUMBER, AST_STRING, AST_VECSEL, AST_MATSEL, AST_SUBQUERY,
	AST_PAREN, AST_UNARY, AST_BINARY, AST_CALL, AST_AGG, AST_STEPINV
};

/* How the @ modifier was given. */
enum ast_at { AST_AT_NONE, AST_AT_TS, AST_AT_START, AST_AT_END };

/* Vector matching cardinality. */
enum ast_card {
	AST_ONE_TO_ONE, AST_MANY_TO_ONE, AST_ONE_TO_MANY, AST_MANY_TO_MANY
};

struct promql_func;
struct ast_sel;

struct ast_node {
	enum ast_kind		 kind;
	size_t			 pos, end;

	double			 num;		/* NUMBER */
	char			*str;		/* STRING, unquoted, owned */
	size_t			 slen;

	/* VECSEL: name outside the braces (or NULL); matchers, with the
	 * name's matcher last, as Prometheus appends it. */
	char			*name;
	struct matcher		*m;
	size_t			 nm;
	int			 shared_m;	/* m belongs to another tree */

	/* VECSEL, SUBQUERY: offset as written, offset in effect (adjusted
	 * for @ by the engine), and the @ modifier. */
	int64_t			 orig_offset, offset;
	enum ast_at		 at_kind;
	int64_t			 at;		/* AST_AT_TS, or resolved */
	int			 has_at;	/* at holds a time */

	int64_t			 range;		/* MATSEL, SUBQUERY */
	int64_t			 step;		/* SUBQUERY; 0: default */

	/* UNARY, PAREN, STEPINV, MATSEL (its VECSEL), SUBQUERY: x.
	 * BINARY: x op y.  AGG: x the expression, y the parameter. */
	struct ast_node		*x, *y;
	enum promql_tok		 op;		/* UNARY, BINARY, AGG */

	struct ast_node		**args;		/* CALL */
	size_t			 nargs;
	const struct promql_func *fn;

	/* BINARY: bool modifier and vector matching (has_vm). */
	int			 ret_bool;
	int			 has_vm, on;
	enum ast_card		 card;
	char			**mlabels, **include;
	size_t			 nmlabels, ninclude;

	/* AGG: by/without labels. */
	char			**grouping;
	size_t			 ngrouping;
	int			 without;

	/* VECSEL during evaluation: the series selected for it. */
	struct ast_sel		*sel;
};

struct ast_node	*ast_new(enum ast_kind kind, size_t pos);
void	 ast_free(struct ast_node *n);
/* A deep copy for one evaluation: matchers are shared with n, runtime
 * fields are empty.  NULL on ENOMEM. */
struct ast_node	*ast_clone(const struct ast_node *n);
/* The node's value type (Prometheus' Type()). */
enum promql_vtype ast_type(const struct ast_node *n);
/* Strip parentheses (and, with stepinv, StepInvariantExpr wrappers). */
struct ast_node	*ast_unparen(struct ast_node *n);
struct ast_node	*ast_unwrap(struct ast_node *n);

/* "scalar", "instant vector", "range vector", "string" (DocumentedType)
 * and "scalar", "vector", "matrix", "string", "none" (ValueType). */
const char *ast_type_doc(enum promql_vtype t);
const char *ast_type_name(enum promql_vtype t);

/* Append s to a NULL-terminated-free string list; -1 on ENOMEM. */
int	 ast_strlist_add(char ***list, size_t *n, const char *s, size_t len);
void	 ast_strlist_free(char **list, size_t n);

#endif
