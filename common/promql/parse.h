/*
 * parse: PromQL text to a syntax tree (ast.h), as Prometheus 2.42's
 * parser reads it: the same precedence and associativity, the same
 * places where keywords may be metric or label names, and its error
 * messages at its positions.
 *
 * It is a recursive-descent parser standing in for Prometheus' yacc
 * grammar; syntax errors name the innermost construct that has an error
 * rule in that grammar (aggregation, grouping opts, label matching,
 * offset, @, subquery), as yacc's error recovery would.  Only the first
 * error is reported.  After a clean parse the tree is type-checked
 * (check.c) as parser.checkAST does.  Unlike Prometheus, nesting deeper
 * than PROMQL_MAX_DEPTH is refused.
 */
#ifndef PROMQL_PARSE_H
#define PROMQL_PARSE_H

#include "base/errbuf.h"
#include "promql/ast.h"

/* How deeply expressions may nest (parentheses, operands, arguments):
 * a limit Prometheus does not have, so that no query can exhaust the
 * stack of the thread evaluating it. */
#define PROMQL_MAX_DEPTH	500

struct promql_expr {
	struct ast_node	*root;
	char		*query;
};

/* Parse query (n bytes) into *out; -1 with "L:C: parse error: ..." in
 * err. */
int	promql_parse_ast(const char *query, size_t n, struct ast_node **out,
	    char *err);

/* Type-check a parsed tree; -1 with the first error in err.  query is
 * the text the positions refer to. */
int	promql_check(struct ast_node *root, const char *query, char *err);

/* "L:C: parse error: " for byte offset pos of query. */
int	promql_errpos(char *err, const char *query, size_t pos,
	    const char *msg);

/* Why regex re (len bytes, NUL-terminated) does not compile, as Go
 * words it where it can (regexerr.c); the caller knows it does not. */
void	promql_regex_error(const char *re, size_t len, char *err);

/* Write the tree as Prometheus' String() does. */
int	promql_print(struct buf *b, const struct ast_node *n);

#endif
