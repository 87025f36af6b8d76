/*
 * promql/parse: trees, their printed form (Prometheus' String()), the
 * precedence and associativity of operators, and parse errors with
 * Prometheus 2.42's messages and line:column positions.
 */
#include <string.h>

#include "promql/parse.h"
#include "promql/promql.h"
#include "unit.h"

/* The printed form of s, or its error. */
static const char *
parsed(const char *s)
{
	static char out[1024];
	struct promql_expr *e;
	char err[ERR_MAX];
	struct buf b = BUF_INIT(BUF_NOMAX);

	if (promql_parse(s, &e, err) != 0) {
		snprintf(out, sizeof(out), "%s", err);
		return out;
	}
	promql_expr_string(e, &b);
	snprintf(out, sizeof(out), "%s", b.data ? b.data : "");
	buf_release(&b);
	promql_expr_free(e);
	return out;
}

/* The tree with every binary and unary node parenthesized. */
static void
shape(struct buf *b, const struct ast_node *n)
{
	switch (n->kind) {
	case AST_BINARY:
		buf_addch(b, '(');
		shape(b, n->x);
		buf_addf(b, " %s ", promql_tok_text(n->op));
		shape(b, n->y);
		buf_addch(b, ')');
		break;
	case AST_UNARY:
		buf_addf(b, "(%s", promql_tok_text(n->op));
		shape(b, n->x);
		buf_addch(b, ')');
		break;
	default:
		promql_print(b, n);
		break;
	}
}

static const char *
tree(const char *s)
{
	static char out[1024];
	struct ast_node *n;
	char err[ERR_MAX];
	struct buf b = BUF_INIT(BUF_NOMAX);

	if (promql_parse_ast(s, strlen(s), &n, err) == -1)
		return err[0] ? strcpy(out, err) : "";
	shape(&b, n);
	snprintf(out, sizeof(out), "%s", b.data);
	buf_release(&b);
	ast_free(n);
	return out;
}

static void
test_print(void)
{
	static const struct {
		const char	*in, *want;
	} cases[] = {
		{ "foo", "foo" },
		{ "foo{b=\"2\", a=~'1'}", "foo{a=~\"1\",b=\"2\"}" },
		{ "{__name__=\"foo\"}", "{__name__=\"foo\"}" },
		{ "sum by (a, b) (rate(x[5m]))", "sum by (a, b) (rate(x[5m]))" },
		{ "sum(rate(x[5m])) without (a)",
		    "sum without (a) (rate(x[5m]))" },
		{ "sum by () (x)", "sum(x)" },
		{ "topk(3, x)", "topk(3, x)" },
		{ "count_values(\"v\", x)", "count_values(\"v\", x)" },
		{ "a + on(b) group_left(c) d", "a + on (b) group_left (c) d" },
		{ "a * ignoring(b) group_right d",
		    "a * ignoring (b) group_right () d" },
		{ "a > bool 1", "a > bool 1" },
		{ "a and on() b", "a and on () b" },
		{ "x offset 5m", "x offset 5m" },
		{ "x offset -1h30m", "x offset -1h30m" },
		{ "x[5m] offset 1w @ 1.5", "x[5m] @ 1.500 offset 1w" },
		{ "x @ start()", "x @ start()" },
		{ "x[10m:] @ end()", "x[10m:] @ end()" },
		{ "rate(x[5m])[30m:1m] offset 5m", "rate(x[5m])[30m:1m] offset 5m" },
		{ "-x", "-x" },
		{ "- - 1", "1" },
		{ "1e6", "1e+06" },
		{ "0x10", "16" },
		{ "-Inf", "-Inf" },
		{ "NaN", "NaN" },
		{ "\"a\\\"b\"", "\"a\\\"b\"" },
		{ "(a + b) * c", "(a + b) * c" },
		{ "label_replace(x, \"a\", \"$1\", \"b\", \"(.*)\")",
		    "label_replace(x, \"a\", \"$1\", \"b\", \"(.*)\")" },
		{ "sum", "sum" },
		{ "x and y or z unless w", "x and y or z unless w" },
		{ "foo # a comment", "foo" },
		{ "time()", "time()" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_STR(parsed(cases[i].in), cases[i].want);
}

static void
test_precedence(void)
{
	CHECK_STR(tree("a + b * c"), "(a + (b * c))");
	CHECK_STR(tree("a * b + c"), "((a * b) + c)");
	CHECK_STR(tree("a - b - c"), "((a - b) - c)");
	CHECK_STR(tree("a ^ b ^ c"), "(a ^ (b ^ c))");
	CHECK_STR(tree("-a ^ b"), "(-(a ^ b))");
	CHECK_STR(tree("-a * b"), "((-a) * b)");
	CHECK_STR(tree("a or b and c"), "(a or (b and c))");
	CHECK_STR(tree("a and b unless c"), "((a and b) unless c)");
	CHECK_STR(tree("a == b + c"), "(a == (b + c))");
	CHECK_STR(tree("a + b offset 5m"), "(a + b offset 5m)");
	CHECK_STR(tree("a atan2 b * c"), "((a atan2 b) * c)");
	CHECK_STR(tree("2 ^ -1 ^ 2"), "(2 ^ (-(1 ^ 2)))");
}

static void
test_errors(void)
{
	static const struct {
		const char	*in, *want;
	} cases[] = {
		{ "", "1:1: parse error: no expression found in input" },
		{ "1 +", "1:4: parse error: unexpected end of input" },
		{ "*1", "1:1: parse error: unexpected <op:*>" },
		{ "100..4", "1:5: parse error: unexpected number \".4\"" },
		{ "1 and 1", "1:1: parse error: set operator \"and\" not "
		    "allowed in binary scalar expression" },
		{ "1 == 1", "1:3: parse error: comparisons between scalars "
		    "must use BOOL modifier" },
		{ "-\"s\"", "1:1: parse error: unary expression only allowed "
		    "on expressions of type scalar or instant vector, got "
		    "\"string\"" },
		{ "-test[5m]", "1:1: parse error: unary expression only allowed "
		    "on expressions of type scalar or instant vector, got "
		    "\"range vector\"" },
		{ "1 offset 1d", "1:1: parse error: offset modifier must be "
		    "preceded by an instant vector selector or range vector "
		    "selector or a subquery" },
		{ "foo offset 1s offset 2s", "1:1: parse error: offset may "
		    "not be set multiple times" },
		{ "a - on(b) ignoring(c) d", "1:11: parse error: unexpected "
		    "<ignoring>" },
		{ "foo == on(bar) 10", "1:1: parse error: vector matching only "
		    "allowed between instant vectors" },
		{ "foo and on(bar) group_left(baz) bar", "1:1: parse error: no "
		    "grouping allowed for \"and\" operation" },
		{ "foo + on(bar) group_left(bar) baz", "1:5: parse error: label "
		    "\"bar\" must not occur in ON and GROUP clause at once" },
		{ "foo + bool bar", "1:5: parse error: bool modifier can only "
		    "be used on comparison operators" },
		{ "some_metric{a=b}", "1:15: parse error: unexpected identifier "
		    "\"b\" in label matching, expected string" },
		{ "foo{gibberish}", "1:14: parse error: unexpected \"}\" in label "
		    "matching, expected label matching operator" },
		{ "foo{__name__=\"bar\" lol}", "1:20: parse error: unexpected "
		    "identifier \"lol\" in label matching, expected \",\" or "
		    "\"}\"" },
		{ "{}", "1:1: parse error: vector selector must contain at "
		    "least one non-empty matcher" },
		{ "{x=~\".*\"}", "1:1: parse error: vector selector must contain "
		    "at least one non-empty matcher" },
		{ "foo{__name__=\"bar\"}", "1:1: parse error: metric name must "
		    "not be set twice: \"foo\" or \"bar\"" },
		{ "foo[0m]", "1:5: parse error: duration must be greater than 0" },
		{ "foo[5m:1m1]", "1:8: parse error: bad number or duration "
		    "syntax: \"1m1\"" },
		{ "some_metric[5m] OFFSET 1", "1:24: parse error: unexpected "
		    "number \"1\" in offset, expected duration" },
		{ "some_metric[5m] OFFSET", "1:23: parse error: unexpected end "
		    "of input in offset, expected duration" },
		{ "some_metric OFFSET 1m[5m]", "1:22: parse error: no offset "
		    "modifiers allowed before range" },
		{ "some_metric @ 123 [5m]", "1:19: parse error: no @ modifiers "
		    "allowed before range" },
		{ "(foo + bar)[5m]", "1:12: parse error: ranges only allowed for "
		    "vector selectors" },
		{ "sum without(==)(some_metric)", "1:13: parse error: unexpected "
		    "<op:==> in grouping opts, expected label" },
		{ "sum without(foo,,)(x)", "1:17: parse error: unexpected \",\" "
		    "in grouping opts, expected label" },
		{ "sum (x) by test", "1:12: parse error: unexpected identifier "
		    "\"test\" in grouping opts, expected \"(\"" },
		{ "sum () by (test)", "1:1: parse error: no arguments for "
		    "aggregate expression provided" },
		{ "sum (x) without (test) by (test)", "1:24: parse error: "
		    "unexpected <by>" },
		{ "topk(some_metric)", "1:1: parse error: wrong number of "
		    "arguments for aggregate expression provided, expected 2, "
		    "got 1" },
		{ "topk(some_metric,)", "1:17: parse error: trailing commas not "
		    "allowed in function call args" },
		{ "topk(some_metric, other_metric)", "1:6: parse error: expected "
		    "type scalar in aggregation parameter, got instant vector" },
		{ "count_values(5, other_metric)", "1:14: parse error: expected "
		    "type string in aggregation parameter, got scalar" },
		{ "rate(some_metric[5m]) @ 1234", "1:1: parse error: @ modifier "
		    "must be preceded by an instant vector selector or range "
		    "vector selector or a subquery" },
		{ "floor()", "1:1: parse error: expected 1 argument(s) in call "
		    "to \"floor\", got 0" },
		{ "floor(1)", "1:7: parse error: expected type instant vector in "
		    "call to function \"floor\", got scalar" },
		{ "hour(a, a, a)", "1:1: parse error: expected at most 1 "
		    "argument(s) in call to \"hour\", got 3" },
		{ "label_join(a)", "1:1: parse error: expected at least 3 "
		    "argument(s) in call to \"label_join\", got 1" },
		{ "time(some_metric)", "1:1: parse error: expected 0 "
		    "argument(s) in call to \"time\", got 1" },
		{ "non_existent(x)", "1:1: parse error: unknown function with "
		    "name \"non_existent\"" },
		{ "rate(some_metric)", "1:6: parse error: expected type range "
		    "vector in call to function \"rate\", got instant vector" },
		{ "-=", "1:2: parse error: unexpected \"=\"" },
		{ "++-++-+-+-<", "1:11: parse error: unexpected <op:<>" },
		{ "a>b()", "1:3: parse error: unknown function with name \"b\"" },
		{ "test[5d] OFFSET 10s [10m:5s]", "1:1: parse error: subquery is "
		    "only allowed on instant vector, got matrix instead" },
		{ "foo @ +Inf", "1:1: parse error: timestamp out of bounds for @ "
		    "modifier: +Inf" },
		{ "foo @ start() @ end()", "1:1: parse error: @ <timestamp> may "
		    "not be set multiple times" },
		{ "foo @ ", "1:7: parse error: unexpected end of input in @, "
		    "expected timestamp" },
		{ "start()", "1:6: parse error: unexpected \"(\"" },
		{ "foo bar", "1:5: parse error: unexpected identifier \"bar\"" },
		{ "sum(1 +)", "1:8: parse error: unexpected \")\" in aggregation" },
		{ "foo[5m:x", "1:8: parse error: unexpected colon 'x'" },
		{ "foo[5m", "1:7: parse error: unclosed left bracket" },
		{ "1e400", "1:1: parse error: error parsing number: "
		    "strconv.ParseFloat: parsing \"1e400\": value out of range" },
		{ "foo\n  + (", "2:6: parse error: unclosed left parenthesis" },
		{ "x offset 5x", "1:10: parse error: bad number or duration "
		    "syntax: \"5\"" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_STR(parsed(cases[i].in), cases[i].want);
}

static void
test_types(void)
{
	static const struct {
		const char		*in;
		enum promql_vtype	 want;
	} cases[] = {
		{ "1", PROMQL_SCALAR }, { "\"s\"", PROMQL_STRING },
		{ "x", PROMQL_VECTOR }, { "x[5m]", PROMQL_MATRIX },
		{ "x[5m:]", PROMQL_MATRIX }, { "1 + 1", PROMQL_SCALAR },
		{ "x + 1", PROMQL_VECTOR }, { "time()", PROMQL_SCALAR },
		{ "scalar(x)", PROMQL_SCALAR }, { "sum(x)", PROMQL_VECTOR },
		{ "(-1)", PROMQL_SCALAR },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct promql_expr *e;
		char err[ERR_MAX];

		CHECK(promql_parse(cases[i].in, &e, err) == 0);
		CHECK_INT(promql_expr_type(e), cases[i].want);
		promql_expr_free(e);
	}
}

int
main(void)
{
	test_print();
	test_precedence();
	test_errors();
	test_types();
	return unit_done();
}
