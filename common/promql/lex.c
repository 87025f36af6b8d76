#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "base/utf8.h"
#include "promql/gofmt.h"
#include "promql/lex.h"

#define LEX_EOF	(-1)

static const struct {
	const char		*word;
	enum promql_tok		 tok;
} keywords[] = {
	{ "and", TOK_LAND }, { "or", TOK_LOR }, { "unless", TOK_LUNLESS },
	{ "atan2", TOK_ATAN2 },
	{ "sum", TOK_SUM }, { "avg", TOK_AVG }, { "count", TOK_COUNT },
	{ "min", TOK_MIN }, { "max", TOK_MAX }, { "group", TOK_GROUP },
	{ "stddev", TOK_STDDEV }, { "stdvar", TOK_STDVAR },
	{ "topk", TOK_TOPK }, { "bottomk", TOK_BOTTOMK },
	{ "count_values", TOK_COUNT_VALUES }, { "quantile", TOK_QUANTILE },
	{ "offset", TOK_OFFSET }, { "by", TOK_BY }, { "without", TOK_WITHOUT },
	{ "on", TOK_ON }, { "ignoring", TOK_IGNORING },
	{ "group_left", TOK_GROUP_LEFT }, { "group_right", TOK_GROUP_RIGHT },
	{ "bool", TOK_BOOL }, { "start", TOK_START }, { "end", TOK_END },
	/* Special numbers are number tokens, whatever their case. */
	{ "inf", TOK_NUMBER }, { "nan", TOK_NUMBER },
};

const char *
promql_tok_text(enum promql_tok t)
{
	static const char *const ops[] = {
		[TOK_ADD] = "+", [TOK_SUB] = "-", [TOK_MUL] = "*",
		[TOK_DIV] = "/", [TOK_MOD] = "%", [TOK_POW] = "^",
		[TOK_EQLC] = "==", [TOK_NEQ] = "!=", [TOK_LSS] = "<",
		[TOK_LTE] = "<=", [TOK_GTR] = ">", [TOK_GTE] = ">=",
		[TOK_EQL_REGEX] = "=~", [TOK_NEQ_REGEX] = "!~", [TOK_AT] = "@",
		[TOK_LPAREN] = "(", [TOK_RPAREN] = ")", [TOK_LBRACE] = "{",
		[TOK_RBRACE] = "}", [TOK_LBRACKET] = "[", [TOK_RBRACKET] = "]",
		[TOK_COMMA] = ",", [TOK_EQL] = "=", [TOK_COLON] = ":",
	};

	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (keywords[i].tok == t && t != TOK_NUMBER)
			return keywords[i].word;
	if ((size_t)t < sizeof(ops) / sizeof(ops[0]) && ops[t] != NULL)
		return ops[t];
	return "";
}

int
promql_tok_is_operator(enum promql_tok t)
{
	return t >= TOK_ADD && t <= TOK_ATAN2;
}

int
promql_tok_is_aggregator(enum promql_tok t)
{
	return t >= TOK_AVG && t <= TOK_TOPK;
}

int
promql_tok_is_keyword(enum promql_tok t)
{
	return t >= TOK_BOOL && t <= TOK_WITHOUT;
}

int
promql_tok_is_comparison(enum promql_tok t)
{
	return t == TOK_EQLC || t == TOK_NEQ || t == TOK_LTE ||
	    t == TOK_LSS || t == TOK_GTE || t == TOK_GTR;
}

int
promql_tok_is_setop(enum promql_tok t)
{
	return t == TOK_LAND || t == TOK_LOR || t == TOK_LUNLESS;
}

int
promql_tok_desc(struct buf *b, const char *in, const struct promql_token *t)
{
	const char *s = in + t->pos;
	const char *what;

	switch (t->type) {
	case TOK_EOF:
		return buf_addstr(b, "end of input");
	case TOK_AT:
		/* 2.42 has no name for '@' in its token table and prints the
		 * yacc token number. */
		return buf_addstr(b, "\"<Item 57385>\" <op:@>");
	case TOK_IDENT:
		return buf_addstr(b, "identifier ") | gofmt_quote(b, s, t->len);
	case TOK_METRIC_IDENT:
		return buf_addstr(b, "metric identifier ") |
		    gofmt_quote(b, s, t->len);
	case TOK_NUMBER: what = "number "; break;
	case TOK_STRING: what = "string "; break;
	case TOK_DURATION: what = "duration "; break;
	case TOK_START: case TOK_END:
	case TOK_LPAREN: case TOK_RPAREN: case TOK_LBRACE: case TOK_RBRACE:
	case TOK_LBRACKET: case TOK_RBRACKET: case TOK_COMMA: case TOK_EQL:
	case TOK_COLON:
		what = "";
		break;
	default:
		if (promql_tok_is_keyword(t->type))
			return buf_addf(b, "<%.*s>", (int)t->len, s);
		if (promql_tok_is_operator(t->type))
			return buf_addf(b, "<op:%.*s>", (int)t->len, s);
		if (promql_tok_is_aggregator(t->type))
			return buf_addf(b, "<aggr:%.*s>", (int)t->len, s);
		what = "";
		break;
	}
	return buf_addstr(b, what) | gofmt_quote_trunc(b, s, t->len, 10);
}

/* --- the state machine --------------------------------------------------- */

/* The next rune, or LEX_EOF; remembers its width for backup(). */
static int32_t
next(struct promql_lexer *l)
{
	size_t len;
	int32_t r;

	if (l->pos >= l->n) {
		l->width = 0;
		return LEX_EOF;
	}
	r = gofmt_decode_rune(l->in + l->pos, l->n - l->pos, &len);
	l->pos += len;
	l->width = len;
	return r;
}

static void
backup(struct promql_lexer *l)
{
	l->pos -= l->width;
}

static int32_t
peek(struct promql_lexer *l)
{
	int32_t r = next(l);

	backup(l);
	return r;
}

static int
accept(struct promql_lexer *l, const char *valid)
{
	int32_t r = next(l);

	if (r > 0 && r < 0x80 && strchr(valid, (int)r) != NULL)
		return 1;
	backup(l);
	return 0;
}

static void
accept_run(struct promql_lexer *l, const char *valid)
{
	while (accept(l, valid))
		;
}

static int
is_space(int32_t r)
{
	return r == ' ' || r == '\t' || r == '\n' || r == '\r';
}

static int
is_alpha(int32_t r)
{
	return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
}

static int
is_digit(int32_t r)
{
	return r >= '0' && r <= '9';
}

static int
is_alnum(int32_t r)
{
	return is_alpha(r) || is_digit(r);
}

static void
emit(struct promql_lexer *l, struct promql_token *t, enum promql_tok type)
{
	t->type = type;
	t->pos = l->start;
	t->len = l->pos - l->start;
	l->start = l->pos;
}

/* An error token at l->start (where Prometheus reports it); its message
 * is already in l->err.  The lexer stops there. */
static void
error_tok(struct promql_lexer *l, struct promql_token *t)
{
	t->type = TOK_ERROR;
	t->pos = l->start;
	t->len = 0;
	l->done = 1;
}

static void
errorf(struct promql_lexer *l, struct promql_token *t, const char *msg)
{
	errbuf_set(l->err, "%s", msg);
	error_tok(l, t);
}

/* prefix, then r as Go's %q (quote) or %#U (!quote), then suffix. */
static void
error_rune(struct promql_lexer *l, struct promql_token *t,
    const char *prefix, int32_t r, int quote, const char *suffix)
{
	struct buf b = BUF_INIT(ERR_MAX - 1);

	buf_addstr(&b, prefix);
	if (quote)
		gofmt_quote_rune(&b, r);
	else
		gofmt_rune_u(&b, r);
	buf_addstr(&b, suffix);
	errbuf_set(l->err, "%s", b.data ? b.data : prefix);
	buf_release(&b);
	error_tok(l, t);
}

/* prefix, then the text of the current token quoted. */
static void
error_text(struct promql_lexer *l, struct promql_token *t, const char *prefix)
{
	struct buf b = BUF_INIT(ERR_MAX - 1);

	buf_addstr(&b, prefix);
	gofmt_quote(&b, l->in + l->start, l->pos - l->start);
	errbuf_set(l->err, "%s", b.data ? b.data : prefix);
	buf_release(&b);
	error_tok(l, t);
}

static int
scan_number(struct promql_lexer *l)
{
	const char *digits = "0123456789";

	if (accept(l, "0") && accept(l, "xX"))
		digits = "0123456789abcdefABCDEF";
	accept_run(l, digits);
	if (accept(l, "."))
		accept_run(l, digits);
	if (accept(l, "eE")) {
		accept(l, "+-");
		accept_run(l, "0123456789");
	}
	/* A number must not run into letters: "5m" is a duration. */
	return !is_alnum(peek(l));
}

/* The unit part of a duration whose digits were read; reads one rune
 * past it, which the caller gives back with backup(). */
static int
accept_remaining_duration(struct promql_lexer *l)
{
	if (!accept(l, "smhdwy"))
		return 0;
	/* "ms"; bad pairs like "hs" are left to the duration parser. */
	accept(l, "s");
	while (accept(l, "0123456789")) {
		accept_run(l, "0123456789");
		if (!accept(l, "smhdw"))
			return 0;
		accept(l, "s");
	}
	return !is_alnum(next(l));
}

/* The rest of an escape sequence; the backslash has been read.  0 when
 * it is good. */
static int
lex_escape(struct promql_lexer *l, struct promql_token *t, int32_t quote)
{
	uint32_t x = 0, base, max;
	int32_t r = next(l);
	int n;

	switch (r) {
	case 'a': case 'b': case 'f': case 'n': case 'r': case 't': case 'v':
	case '\\':
		return 0;
	case '0': case '1': case '2': case '3': case '4': case '5': case '6':
	case '7':
		n = 3, base = 8, max = 255;
		break;
	case 'x':
		r = next(l);
		n = 2, base = 16, max = 255;
		break;
	case 'u':
		r = next(l);
		n = 4, base = 16, max = 0x10ffff;
		break;
	case 'U':
		r = next(l);
		n = 8, base = 16, max = 0x10ffff;
		break;
	case LEX_EOF:
		errorf(l, t, "escape sequence not terminated");
		return -1;
	default:
		if (r == quote)
			return 0;
		error_rune(l, t, "unknown escape sequence ", r, 0, "");
		return -1;
	}
	while (n > 0) {
		uint32_t d = 16;

		if (r >= '0' && r <= '9')
			d = (uint32_t)(r - '0');
		else if (r >= 'a' && r <= 'f')
			d = (uint32_t)(r - 'a' + 10);
		else if (r >= 'A' && r <= 'F')
			d = (uint32_t)(r - 'A' + 10);
		if (d >= base) {
			if (r == LEX_EOF)
				errorf(l, t, "escape sequence not terminated");
			else
				error_rune(l, t, "illegal character ", r, 0,
				    " in escape sequence");
			return -1;
		}
		x = x * base + d;
		if (--n > 0)
			r = next(l);
	}
	if (x > max || (x >= 0xd800 && x < 0xe000)) {
		errorf(l, t, "escape sequence is an invalid Unicode code point");
		return -1;
	}
	return 0;
}

/* A quoted string; the opening quote has been read. */
static void
lex_string(struct promql_lexer *l, struct promql_token *t, int32_t quote)
{
	for (;;) {
		int32_t r = next(l);

		if (r == '\\') {
			if (lex_escape(l, t, quote) == -1)
				return;
			continue;
		}
		/* Go's decoder gives U+FFFD for a bad byte, and Prometheus
		 * refuses the rune itself as well. */
		if (r == 0xfffd) {
			errorf(l, t, "invalid UTF-8 rune");
			return;
		}
		if (r == LEX_EOF || r == '\n') {
			errorf(l, t, "unterminated quoted string");
			return;
		}
		if (r == quote)
			break;
	}
	emit(l, t, TOK_STRING);
}

static void
lex_raw_string(struct promql_lexer *l, struct promql_token *t)
{
	for (;;) {
		int32_t r = next(l);

		if (r == 0xfffd) {
			errorf(l, t, "invalid UTF-8 rune");
			return;
		}
		if (r == LEX_EOF) {
			errorf(l, t, "unterminated raw string");
			return;
		}
		if (r == '`')
			break;
	}
	emit(l, t, TOK_STRING);
}

static void
lex_keyword_or_ident(struct promql_lexer *l, struct promql_token *t)
{
	size_t len;
	int32_t r;
	int colon = 0;

	while ((r = next(l)), is_alnum(r) || r == ':')
		colon |= r == ':';
	backup(l);
	len = l->pos - l->start;
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (strlen(keywords[i].word) == len &&
		    strncasecmp(keywords[i].word, l->in + l->start, len) == 0) {
			emit(l, t, keywords[i].tok);
			return;
		}
	emit(l, t, colon ? TOK_METRIC_IDENT : TOK_IDENT);
}

static void
lex_number_or_duration(struct promql_lexer *l, struct promql_token *t)
{
	if (scan_number(l)) {
		emit(l, t, TOK_NUMBER);
		return;
	}
	if (accept_remaining_duration(l)) {
		backup(l);
		emit(l, t, TOK_DURATION);
		return;
	}
	error_text(l, t, "bad number or duration syntax: ");
}

/* The first token after '[': a duration and nothing else. */
static void
lex_duration(struct promql_lexer *l, struct promql_token *t)
{
	l->in_duration = 0;
	if (scan_number(l)) {
		errorf(l, t, "missing unit character in duration");
		return;
	}
	if (!accept_remaining_duration(l)) {
		error_text(l, t, "bad duration syntax: ");
		return;
	}
	backup(l);
	emit(l, t, TOK_DURATION);
}

static void
skip_comment(struct promql_lexer *l)
{
	int32_t r;

	l->pos++;
	while ((r = next(l)) != '\r' && r != '\n' && r != LEX_EOF)
		;
	backup(l);
	l->start = l->pos;
}

/* One step inside {...}: 1 when a token was produced. */
static int
lex_inside_braces(struct promql_lexer *l, struct promql_token *t)
{
	int32_t r;

	if (l->pos < l->n && l->in[l->pos] == '#') {
		skip_comment(l);
		return 0;
	}
	r = next(l);
	if (r == LEX_EOF) {
		errorf(l, t, "unexpected end of input inside braces");
	} else if (is_space(r)) {
		while (is_space(peek(l)))
			next(l);
		l->start = l->pos;
		return 0;
	} else if (is_alpha(r)) {
		while (is_alnum(next(l)))
			;
		backup(l);
		emit(l, t, TOK_IDENT);
	} else if (r == ',') {
		emit(l, t, TOK_COMMA);
	} else if (r == '"' || r == '\'') {
		lex_string(l, t, r);
	} else if (r == '`') {
		lex_raw_string(l, t);
	} else if (r == '=') {
		if (next(l) == '~') {
			emit(l, t, TOK_EQL_REGEX);
		} else {
			backup(l);
			emit(l, t, TOK_EQL);
		}
	} else if (r == '!') {
		int32_t nr = next(l);

		if (nr == '~')
			emit(l, t, TOK_NEQ_REGEX);
		else if (nr == '=')
			emit(l, t, TOK_NEQ);
		else
			error_rune(l, t, "unexpected character after '!' "
			    "inside braces: ", nr, 1, "");
	} else if (r == '{') {
		error_rune(l, t, "unexpected left brace ", r, 1, "");
	} else if (r == '}') {
		emit(l, t, TOK_RBRACE);
		l->brace_open = 0;
	} else {
		error_rune(l, t, "unexpected character inside braces: ", r, 1,
		    "");
	}
	return 1;
}

/* One step of lexStatements: 1 when a token was produced. */
static int
lex_statements(struct promql_lexer *l, struct promql_token *t)
{
	int32_t r, p;

	if (l->brace_open)
		return lex_inside_braces(l, t);
	if (l->in_duration) {
		lex_duration(l, t);
		return 1;
	}
	if (l->pos < l->n && l->in[l->pos] == '#') {
		skip_comment(l);
		return 0;
	}
	r = next(l);
	switch (r) {
	case LEX_EOF:
		if (l->paren_depth != 0)
			errorf(l, t, "unclosed left parenthesis");
		else if (l->bracket_open)
			errorf(l, t, "unclosed left bracket");
		else {
			emit(l, t, TOK_EOF);
			l->done = 1;
		}
		return 1;
	case ',': emit(l, t, TOK_COMMA); return 1;
	case '*': emit(l, t, TOK_MUL); return 1;
	case '/': emit(l, t, TOK_DIV); return 1;
	case '%': emit(l, t, TOK_MOD); return 1;
	case '+': emit(l, t, TOK_ADD); return 1;
	case '-': emit(l, t, TOK_SUB); return 1;
	case '^': emit(l, t, TOK_POW); return 1;
	case '@': emit(l, t, TOK_AT); return 1;
	case '=':
		p = peek(l);
		if (p == '=') {
			next(l);
			emit(l, t, TOK_EQLC);
		} else if (p == '~') {
			error_rune(l, t, "unexpected character after '=': ", p,
			    1, "");
		} else {
			emit(l, t, TOK_EQL);
		}
		return 1;
	case '!':
		p = next(l);
		if (p == '=')
			emit(l, t, TOK_NEQ);
		else
			error_rune(l, t, "unexpected character after '!': ", p,
			    1, "");
		return 1;
	case '<':
		if (peek(l) == '=') {
			next(l);
			emit(l, t, TOK_LTE);
		} else
			emit(l, t, TOK_LSS);
		return 1;
	case '>':
		if (peek(l) == '=') {
			next(l);
			emit(l, t, TOK_GTE);
		} else
			emit(l, t, TOK_GTR);
		return 1;
	case '"': case '\'':
		lex_string(l, t, r);
		return 1;
	case '`':
		lex_raw_string(l, t);
		return 1;
	case '(':
		emit(l, t, TOK_LPAREN);
		l->paren_depth++;
		return 1;
	case ')':
		emit(l, t, TOK_RPAREN);
		if (--l->paren_depth < 0)
			error_rune(l, t, "unexpected right parenthesis ", r, 1,
			    "");
		return 1;
	case '{':
		emit(l, t, TOK_LBRACE);
		l->brace_open = 1;
		return 1;
	case '[':
		if (l->bracket_open) {
			error_rune(l, t, "unexpected left bracket ", r, 1, "");
			return 1;
		}
		l->got_colon = 0;
		emit(l, t, TOK_LBRACKET);
		while (is_space(peek(l)))
			next(l);
		l->start = l->pos;
		l->bracket_open = 1;
		l->in_duration = 1;
		return 1;
	case ']':
		if (!l->bracket_open) {
			error_rune(l, t, "unexpected right bracket ", r, 1, "");
			return 1;
		}
		emit(l, t, TOK_RBRACKET);
		l->bracket_open = 0;
		return 1;
	}
	if (is_space(r)) {
		while (is_space(peek(l)))
			next(l);
		l->start = l->pos;
		return 0;
	}
	if (is_digit(r) || (r == '.' && is_digit(peek(l)))) {
		backup(l);
		lex_number_or_duration(l, t);
		return 1;
	}
	if (is_alpha(r) || r == ':') {
		if (!l->bracket_open) {
			backup(l);
			lex_keyword_or_ident(l, t);
			return 1;
		}
		/* Inside brackets Prometheus takes any letter for the
		 * subquery colon. */
		if (l->got_colon) {
			error_rune(l, t, "unexpected colon ", r, 1, "");
			return 1;
		}
		emit(l, t, TOK_COLON);
		l->got_colon = 1;
		return 1;
	}
	error_rune(l, t, "unexpected character: ", r, 1, "");
	return 1;
}

void
promql_lex_init(struct promql_lexer *l, const char *in, size_t n)
{
	memset(l, 0, sizeof(*l));
	l->in = in;
	l->n = n;
}

void
promql_lex_next(struct promql_lexer *l, struct promql_token *t)
{
	if (l->done) {
		*t = l->last;
		return;
	}
	while (!lex_statements(l, t))
		;
	l->last = *t;
}

/* --- unquoting ----------------------------------------------------------- */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}


int
promql_unquote(const char *s, size_t n, struct buf *out, char *err)
{
	char q;

	if (n < 2 || s[0] != s[n - 1] ||
	    (s[0] != '"' && s[0] != '\'' && s[0] != '`'))
		return errbuf_set(err, "invalid syntax");
	q = s[0];
	s++;
	n -= 2;
	if (q == '`') {
		if (memchr(s, '`', n) != NULL)
			return errbuf_set(err, "invalid syntax");
		return buf_add(out, s, n) == 0 ? 0 :
		    errbuf_sys(err, "unquote");
	}
	if (memchr(s, '\n', n) != NULL)
		return errbuf_set(err, "invalid syntax");
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		uint32_t x = 0;
		int k, r;

		if (c == (unsigned char)q)
			return errbuf_set(err, "invalid syntax");
		if (c != '\\') {
			r = buf_addch(out, (char)c);
			i++;
			goto added;
		}
		if (++i >= n)
			return errbuf_set(err, "invalid syntax");
		c = (unsigned char)s[i++];
		switch (c) {
		case 'a': r = buf_addch(out, '\a'); goto added;
		case 'b': r = buf_addch(out, '\b'); goto added;
		case 'f': r = buf_addch(out, '\f'); goto added;
		case 'n': r = buf_addch(out, '\n'); goto added;
		case 'r': r = buf_addch(out, '\r'); goto added;
		case 't': r = buf_addch(out, '\t'); goto added;
		case 'v': r = buf_addch(out, '\v'); goto added;
		case '\\': r = buf_addch(out, '\\'); goto added;
		case '\'': case '"':
			if (c != (unsigned char)q)
				return errbuf_set(err, "invalid syntax");
			r = buf_addch(out, (char)c);
			goto added;
		case 'x': case 'u': case 'U':
			k = c == 'x' ? 2 : c == 'u' ? 4 : 8;
			if (i + (size_t)k > n)
				return errbuf_set(err, "invalid syntax");
			for (int j = 0; j < k; j++) {
				int d = hexval((unsigned char)s[i++]);

				if (d < 0)
					return errbuf_set(err,
					    "invalid syntax");
				x = x << 4 | (uint32_t)d;
			}
			if (c == 'x') {
				r = buf_addch(out, (char)x);
				goto added;
			}
			if (x > 0x10ffff || (x >= 0xd800 && x < 0xe000))
				return errbuf_set(err, "invalid syntax");
			r = utf8_append(out, x);
			goto added;
		default:
			if (c < '0' || c > '7' || i + 2 > n)
				return errbuf_set(err, "invalid syntax");
			x = c - '0';
			for (int j = 0; j < 2; j++) {
				unsigned char d = (unsigned char)s[i++];

				if (d < '0' || d > '7')
					return errbuf_set(err,
					    "invalid syntax");
				x = x * 8 + (d - '0');
			}
			if (x > 255)
				return errbuf_set(err, "invalid syntax");
			r = buf_addch(out, (char)x);
			goto added;
		}
added:
		if (r == -1)
			return errbuf_sys(err, "unquote");
	}
	return 0;
}
