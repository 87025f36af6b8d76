#include <string.h>

#include "base/errbuf.h"
#include "tsdb/matcher.h"
#include "unit.h"

static int
re(enum matcher_type t, const char *pat, const char *val)
{
	struct matcher m;
	char err[ERR_MAX];
	int r;

	if (matcher_init(&m, t, "l", pat, strlen(pat), err) == -1) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	r = matcher_matches(&m, val, strlen(val));
	matcher_release(&m);
	return r;
}

static int
parses(const char *sel, size_t want, char *err)
{
	struct matcher *m;
	size_t n;

	if (matcher_parse_selector(sel, &m, &n, err) == -1)
		return -1;
	matchers_free(m, n);
	return n == want ? 0 : -2;
}

int
main(void)
{
	struct matcher *m;
	char err[ERR_MAX];
	size_t n;

	CHECK_INT(re(MATCHER_EQ, "a", "a"), 1);
	CHECK_INT(re(MATCHER_EQ, "a", "ab"), 0);
	CHECK_INT(re(MATCHER_NEQ, "a", "b"), 1);
	/* Fully anchored, alternation included. */
	CHECK_INT(re(MATCHER_RE, "a|b", "ab"), 0);
	CHECK_INT(re(MATCHER_RE, "a|b", "b"), 1);
	CHECK_INT(re(MATCHER_RE, "b", "abc"), 0);
	CHECK_INT(re(MATCHER_RE, "a.*", "abc"), 1);
	/* 2.42: '.' does not match a newline, '$' only at the end. */
	CHECK_INT(re(MATCHER_RE, ".*", "a\nb"), 0);
	CHECK_INT(re(MATCHER_NRE, ".*", "a\nb"), 1);
	CHECK_INT(re(MATCHER_RE, "(?s:.*)", "a\nb"), 1);
	CHECK_INT(re(MATCHER_RE, "(?s).*", "a\nb"), 1);
	CHECK_INT(re(MATCHER_RE, "a$", "a\n"), 0);
	CHECK_INT(re(MATCHER_RE, "a", "a\n"), 0);
	CHECK_INT(re(MATCHER_RE, "(?i)ABC", "abc"), 1);
	CHECK_INT(re(MATCHER_RE, "api|node", "node"), 1);
	CHECK_INT(re(MATCHER_RE, ".+", ""), 0);
	CHECK_INT(re(MATCHER_RE, "", ""), 1);
	CHECK_INT(re(MATCHER_RE, "\xc3\xbc.", "\xc3\xbc\xc3\xa9"), 1);
	/* Invalid UTF-8 in a value never breaks matching; unlike Go, no
	 * pattern matches the invalid bytes (promtool cannot write them). */
	CHECK_INT(re(MATCHER_RE, ".*", "\xff\xfe"), 0);
	CHECK_INT(re(MATCHER_RE, "(?s:.*)", "ok"), 1);
	/* A bad regex is an error naming it. */
	CHECK_INT(re(MATCHER_RE, "a(", "a"), -1);
	{
		struct matcher bad;

		CHECK_INT(matcher_init(&bad, MATCHER_RE, "job", "a)(b", 4,
		    err), -1);
		CHECK(strstr(err, "bad regex 'a)(b' for label job") != NULL);
	}

	/* Selectors. */
	CHECK_INT(matcher_parse_selector("up{job=~\"api|node\", env!=''}",
	    &m, &n, err), 0);
	CHECK_INT(n, 3);
	CHECK_STR(m[0].name, "__name__");
	CHECK_STR(m[0].value, "up");
	CHECK_INT(m[1].type, MATCHER_RE);
	CHECK_STR(m[1].value, "api|node");
	CHECK_INT(m[2].type, MATCHER_NEQ);
	CHECK_STR(m[2].value, "");
	matchers_free(m, n);
	CHECK_INT(parses("up", 1, err), 0);
	CHECK_INT(parses("  ns:metric:rate5m  ", 1, err), 0);
	CHECK_INT(parses("{__name__=\"up\",}", 1, err), 0);
	CHECK_INT(parses("{a=\"x\\n\\\"y\\u00fc\\x41\\101\"}", 1, err), 0);
	CHECK_INT(matcher_parse_selector("{a=`x\\n`}", &m, &n, err), 0);
	CHECK_STR(m[0].value, "x\\n");
	matchers_free(m, n);
	CHECK_INT(matcher_parse_selector("{a=\"\\u00fc\\x41\\101\\t\"}", &m,
	    &n, err), 0);
	CHECK_STR(m[0].value, "\xc3\xbc" "AA\t");
	matchers_free(m, n);
	/* As promtool's --match: all-empty matchers are a valid selector. */
	CHECK_INT(parses("{a=\"\"}", 1, err), 0);
	CHECK_INT(parses("{a=~\".*\"}", 1, err), 0);
	CHECK_INT(parses("", 0, err), -1);
	CHECK_INT(parses("{}", 0, err), -1);
	CHECK_INT(parses("up{", 0, err), -1);
	CHECK_INT(parses("up{a=\"b\"", 0, err), -1);
	CHECK_INT(parses("up{a==\"b\"}", 0, err), -1);
	CHECK_INT(parses("up{a=b}", 0, err), -1);
	CHECK_INT(parses("up{a=\"b\"} x", 0, err), -1);
	CHECK_INT(parses("up{a=\"\\q\"}", 0, err), -1);
	CHECK_INT(parses("up{a=\"\\'\"}", 0, err), -1);
	CHECK_INT(parses("up{1a=\"b\"}", 0, err), -1);
	CHECK_INT(parses("up{a=~\"(\"}", 0, err), -1);
	CHECK(strstr(err, "bad regex") != NULL);
	return unit_done();
}
