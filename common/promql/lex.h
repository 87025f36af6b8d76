/*
 * lex: PromQL's tokens, as Prometheus 2.42's lexer cuts them.
 *
 * The lexer is a small state machine over the input bytes: inside {...}
 * keywords are plain identifiers, inside [...] only durations and a colon
 * are read, '#' starts a comment that runs to the end of the line.  It
 * never allocates.  A token is a position and a length in the input; an
 * error token carries its message in the lexer (one line, Prometheus'
 * words) and its position is where Prometheus reports it.  After an
 * error or the end of input every further call returns the same token.
 */
#ifndef PROMQL_LEX_H
#define PROMQL_LEX_H

#include <stddef.h>

#include "base/buf.h"
#include "base/errbuf.h"

enum promql_tok {
	TOK_EOF, TOK_ERROR,
	TOK_IDENT, TOK_METRIC_IDENT, TOK_NUMBER, TOK_STRING, TOK_DURATION,
	TOK_LPAREN, TOK_RPAREN, TOK_LBRACE, TOK_RBRACE, TOK_LBRACKET,
	TOK_RBRACKET, TOK_COMMA, TOK_EQL, TOK_COLON,
	/* Operators (Prometheus' IsOperator). */
	TOK_ADD, TOK_SUB, TOK_MUL, TOK_DIV, TOK_MOD, TOK_POW, TOK_EQLC,
	TOK_NEQ, TOK_LSS, TOK_LTE, TOK_GTR, TOK_GTE, TOK_EQL_REGEX,
	TOK_NEQ_REGEX, TOK_AT, TOK_LAND, TOK_LOR, TOK_LUNLESS, TOK_ATAN2,
	/* Aggregators. */
	TOK_AVG, TOK_BOTTOMK, TOK_COUNT, TOK_COUNT_VALUES, TOK_GROUP, TOK_MAX,
	TOK_MIN, TOK_QUANTILE, TOK_STDDEV, TOK_STDVAR, TOK_SUM, TOK_TOPK,
	/* Keywords. */
	TOK_BOOL, TOK_BY, TOK_GROUP_LEFT, TOK_GROUP_RIGHT, TOK_IGNORING,
	TOK_OFFSET, TOK_ON, TOK_WITHOUT,
	/* The @ modifier's preprocessors. */
	TOK_START, TOK_END
};

struct promql_token {
	enum promql_tok	 type;
	size_t		 pos;	/* byte offset in the input */
	size_t		 len;	/* bytes of the token's text */
};

struct promql_lexer {
	const char	*in;
	size_t		 n, pos, start;
	int		 paren_depth, brace_open, bracket_open, got_colon;
	int		 in_duration;	/* next token starts after '[' */
	int		 done;		/* EOF or error returned */
	size_t		 width;		/* bytes of the rune last read */
	struct promql_token last;
	char		 err[ERR_MAX];	/* message of an error token */
};

void	promql_lex_init(struct promql_lexer *l, const char *in, size_t n);
/* The next token (comments skipped). */
void	promql_lex_next(struct promql_lexer *l, struct promql_token *t);

/* The operator's or keyword's canonical text: "+", "and", "sum", "by". */
const char *promql_tok_text(enum promql_tok t);
int	promql_tok_is_operator(enum promql_tok t);
int	promql_tok_is_aggregator(enum promql_tok t);
int	promql_tok_is_keyword(enum promql_tok t);
int	promql_tok_is_comparison(enum promql_tok t);
int	promql_tok_is_setop(enum promql_tok t);

/*
 * How Prometheus names a token in "unexpected ..." messages:
 * "end of input", "<op:+>", "<aggr:sum>", "<by>", "\"(\"",
 * "identifier \"foo\"", "number \"1\"".  in is the lexed input.
 */
int	promql_tok_desc(struct buf *b, const char *in,
	    const struct promql_token *t);

/*
 * A quoted token's text as strutil.Unquote reads it: "..." and '...'
 * with Go's escapes (\x and octal give raw bytes, \u and \U UTF-8),
 * `...` as is.  Appends to out; -1 with a line in err on a bad escape.
 */
int	promql_unquote(const char *s, size_t n, struct buf *out, char *err);

#endif
