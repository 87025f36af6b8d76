/*
 * promql/lex: tokens as Prometheus 2.42's lexer cuts them, and its
 * errors at its positions.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "promql/lex.h"
#include "unit.h"

/* The tokens of s as "TYPE:text TYPE:text ...", or "... ERR@pos:msg". */
static const char *
lex_all(const char *s)
{
	static char out[1024];
	struct promql_lexer l;
	struct promql_token t;
	size_t n = 0;

	promql_lex_init(&l, s, strlen(s));
	out[0] = '\0';
	for (int i = 0; i < 64; i++) {
		promql_lex_next(&l, &t);
		if (t.type == TOK_ERROR) {
			n += (size_t)snprintf(out + n, sizeof(out) - n,
			    "%sERR@%zu:%s", n ? " " : "", t.pos, l.err);
			break;
		}
		if (t.type == TOK_EOF)
			break;
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%d:%.*s",
		    n ? " " : "", (int)t.type, (int)t.len, s + t.pos);
	}
	return out;
}

static char *
fmt(const char *f, ...)
{
	static char out[1024];
	va_list ap;

	va_start(ap, f);
	vsnprintf(out, sizeof(out), f, ap);
	va_end(ap);
	return out;
}

static void
test_tokens(void)
{
	CHECK_STR(lex_all("foo"), fmt("%d:foo", TOK_IDENT));
	CHECK_STR(lex_all("foo:bar"), fmt("%d:foo:bar", TOK_METRIC_IDENT));
	CHECK_STR(lex_all("1 + 2.5e3"), fmt("%d:1 %d:+ %d:2.5e3",
	    TOK_NUMBER, TOK_ADD, TOK_NUMBER));
	CHECK_STR(lex_all("0x1f .5 Inf nan"), fmt("%d:0x1f %d:.5 %d:Inf %d:nan",
	    TOK_NUMBER, TOK_NUMBER, TOK_NUMBER, TOK_NUMBER));
	CHECK_STR(lex_all("5m 1h30m 10ms"), fmt("%d:5m %d:1h30m %d:10ms",
	    TOK_DURATION, TOK_DURATION, TOK_DURATION));
	CHECK_STR(lex_all("SUM by (and)"), fmt("%d:SUM %d:by %d:( %d:and %d:)",
	    TOK_SUM, TOK_BY, TOK_LPAREN, TOK_LAND, TOK_RPAREN));
	/* Keywords are identifiers inside braces. */
	CHECK_STR(lex_all("{by=\"x\",on!~'y'}"),
	    fmt("%d:{ %d:by %d:= %d:\"x\" %d:, %d:on %d:!~ %d:'y' %d:}",
	    TOK_LBRACE, TOK_IDENT, TOK_EQL, TOK_STRING, TOK_COMMA, TOK_IDENT,
	    TOK_NEQ_REGEX, TOK_STRING, TOK_RBRACE));
	CHECK_STR(lex_all("foo[5m:1m]"), fmt("%d:foo %d:[ %d:5m %d:: %d:1m %d:]",
	    TOK_IDENT, TOK_LBRACKET, TOK_DURATION, TOK_COLON, TOK_DURATION,
	    TOK_RBRACKET));
	CHECK_STR(lex_all("a == b != c <= d >= e < f > g"),
	    fmt("%d:a %d:== %d:b %d:!= %d:c %d:<= %d:d %d:>= %d:e %d:< %d:f "
	    "%d:> %d:g", TOK_IDENT, TOK_EQLC, TOK_IDENT, TOK_NEQ, TOK_IDENT,
	    TOK_LTE, TOK_IDENT, TOK_GTE, TOK_IDENT, TOK_LSS, TOK_IDENT,
	    TOK_GTR, TOK_IDENT));
	CHECK_STR(lex_all("foo @ start() # a comment\n+ `raw\\n`"),
	    fmt("%d:foo %d:@ %d:start %d:( %d:) %d:+ %d:`raw\\n`", TOK_IDENT,
	    TOK_AT, TOK_START, TOK_LPAREN, TOK_RPAREN, TOK_ADD, TOK_STRING));
	CHECK_STR(lex_all("offset -5m"), fmt("%d:offset %d:- %d:5m",
	    TOK_OFFSET, TOK_SUB, TOK_DURATION));
}

static void
test_errors(void)
{
	CHECK_STR(lex_all("."), "ERR@0:unexpected character: '.'");
	CHECK_STR(lex_all("2.5."), fmt("%d:2.5 ERR@3:unexpected character: "
	    "'.'", TOK_NUMBER));
	CHECK_STR(lex_all("0deadbeef"),
	    "ERR@0:bad number or duration syntax: \"0de\"");
	CHECK_STR(lex_all("(1))"), fmt("%d:( %d:1 %d:) ERR@4:unexpected right "
	    "parenthesis ')'", TOK_LPAREN, TOK_NUMBER, TOK_RPAREN));
	CHECK_STR(lex_all("((1)"), fmt("%d:( %d:( %d:1 %d:) ERR@4:unclosed "
	    "left parenthesis", TOK_LPAREN, TOK_LPAREN, TOK_NUMBER,
	    TOK_RPAREN));
	CHECK_STR(lex_all("1 !~ 1"), fmt("%d:1 ERR@2:unexpected character "
	    "after '!': '~'", TOK_NUMBER));
	CHECK_STR(lex_all("1 =~ 1"), fmt("%d:1 ERR@2:unexpected character "
	    "after '=': '~'", TOK_NUMBER));
	CHECK_STR(lex_all("{"), fmt("%d:{ ERR@1:unexpected end of input "
	    "inside braces", TOK_LBRACE));
	CHECK_STR(lex_all("}"), "ERR@0:unexpected character: '}'");
	CHECK_STR(lex_all("a{b:c}"), fmt("%d:a %d:{ %d:b ERR@3:unexpected "
	    "character inside braces: ':'", TOK_IDENT, TOK_LBRACE, TOK_IDENT));
	CHECK_STR(lex_all("a[5mm]"), fmt("%d:a %d:[ ERR@2:bad duration "
	    "syntax: \"5mm\"", TOK_IDENT, TOK_LBRACKET));
	CHECK_STR(lex_all("a[]"), fmt("%d:a %d:[ ERR@2:missing unit "
	    "character in duration", TOK_IDENT, TOK_LBRACKET));
	CHECK_STR(lex_all("a[5m"), fmt("%d:a %d:[ %d:5m ERR@4:unclosed left "
	    "bracket", TOK_IDENT, TOK_LBRACKET, TOK_DURATION));
	CHECK_STR(lex_all("\"\\c\""), "ERR@0:unknown escape sequence U+0063 'c'");
	CHECK_STR(lex_all("\"\\x.\""),
	    "ERR@0:illegal character U+002E '.' in escape sequence");
	CHECK_STR(lex_all("\"abc"), "ERR@0:unterminated quoted string");
	CHECK_STR(lex_all("`abc"), "ERR@0:unterminated raw string");
	CHECK_STR(lex_all("\"\xff\""), "ERR@0:invalid UTF-8 rune");
	CHECK_STR(lex_all("\"\\uD800\""),
	    "ERR@0:escape sequence is an invalid Unicode code point");
}

static void
test_unquote(void)
{
	const char *q = "\"a\\n\\x41\\u00e9\\101\"";
	struct buf b = BUF_INIT(BUF_NOMAX);
	char err[ERR_MAX];

	CHECK(promql_unquote(q, strlen(q), &b, err) == 0);
	CHECK(b.len == 6 && memcmp(b.data, "a\nA\xc3\xa9" "A", 6) == 0);
	buf_reset(&b);
	CHECK(promql_unquote("'it''", 5, &b, err) == -1);
	buf_reset(&b);
	CHECK(promql_unquote("'x\\'y'", 6, &b, err) == 0);
	CHECK_STR(b.data, "x'y");
	buf_reset(&b);
	CHECK(promql_unquote("`a\\nb`", 6, &b, err) == 0);
	CHECK_STR(b.data, "a\\nb");
	buf_release(&b);
}

static void
test_desc(void)
{
	static const struct {
		const char	*in;
		const char	*want;
	} cases[] = {
		{ "", "end of input" },
		{ "foo", "identifier \"foo\"" },
		{ "a:b", "metric identifier \"a:b\"" },
		{ "1.5", "number \"1.5\"" },
		{ "\"a string that is long\"", "string \"\\\"a string \"..." },
		{ "+", "<op:+>" },
		{ "and", "<op:and>" },
		{ "SUM", "<aggr:SUM>" },
		{ "by", "<by>" },
		{ "(", "\"(\"" },
		{ "start", "\"start\"" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b = BUF_INIT(BUF_NOMAX);
		struct promql_lexer l;
		struct promql_token t;

		promql_lex_init(&l, cases[i].in, strlen(cases[i].in));
		promql_lex_next(&l, &t);
		promql_tok_desc(&b, cases[i].in, &t);
		CHECK_STR(b.data, cases[i].want);
		buf_release(&b);
	}
}

int
main(void)
{
	test_tokens();
	test_errors();
	test_unquote();
	test_desc();
	return unit_done();
}
