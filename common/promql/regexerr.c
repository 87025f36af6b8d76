/*
 * regexerr: why a label matcher's regex does not compile, in the words
 * of Go's regexp package ("error parsing regexp: missing closing ):
 * `^(?:(a)$`") for the errors PCRE2 and RE2 share, PCRE2's words for the
 * rest.  Go sees the regex wrapped in ^(?:...)$, as Prometheus compiles
 * it.  The regex is compiled again here, on the error path only, for
 * PCRE2's error code and offset.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "promql/parse.h"

/* Where the character class that is never closed starts ("[" outside a
 * class opens one; "]" closes it unless it comes first; "[:...:]" and
 * escapes are skipped), for Go's quote of the error. */
static const char *
unclosed_class(const char *re)
{
	const char *start = re;
	int in = 0;

	for (const char *c = re; *c; c++) {
		if (*c == '\\' && c[1]) {
			c++;
		} else if (!in && *c == '[') {
			start = c;
			in = 1;
			if (c[1] == '^')
				c++;
			if (c[1] == ']')
				c++;
		} else if (in && *c == '[' && c[1] == ':' &&
		    strstr(c + 2, ":]") != NULL) {
			c = strstr(c + 2, ":]") + 1;
		} else if (in && *c == ']') {
			in = 0;
		}
	}
	return start;
}

void
promql_regex_error(const char *re, size_t len, char *err)
{
	uint32_t opts = PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_UTF |
	    PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY;
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off = 0;
	pcre2_code *code;
	int e = 0;
	size_t k, n;

	if ((code = pcre2_compile((PCRE2_SPTR)re, len, opts, &e, &off,
	    NULL)) != NULL) {
		/* matcher_init failed for want of memory. */
		pcre2_code_free(code);
		errbuf_set(err, "out of memory");
		return;
	}
	if (off > len)
		off = len;
	switch (e) {
	case PCRE2_ERROR_MISSING_CLOSING_PARENTHESIS:
		errbuf_set(err, "error parsing regexp: missing closing ): "
		    "`^(?:%s)$`", re);
		return;
	case PCRE2_ERROR_UNMATCHED_CLOSING_PARENTHESIS:
		errbuf_set(err, "error parsing regexp: unexpected ): "
		    "`^(?:%s)$`", re);
		return;
	case PCRE2_ERROR_MISSING_SQUARE_BRACKET:
		errbuf_set(err, "error parsing regexp: missing closing ]: "
		    "`%s)$`", unclosed_class(re));
		return;
	case PCRE2_ERROR_CLASS_RANGE_ORDER:
		/* PCRE2 points at the range's last character. */
		if (off >= 2 && off < len && re[off - 1] == '-') {
			errbuf_set(err, "error parsing regexp: invalid character "
			    "class range: `%.3s`", re + off - 2);
			return;
		}
		break;
	case PCRE2_ERROR_QUANTIFIER_INVALID:
		if (off < len) {
			n = 1;
			if (re[off] == '{' && strchr(re + off, '}'))
				n = (size_t)(strchr(re + off, '}') - (re + off)) +
				    1;
			errbuf_set(err, "error parsing regexp: missing argument "
			    "to repetition operator: `%.*s`", (int)n, re + off);
			return;
		}
		break;
	case PCRE2_ERROR_INVALID_AFTER_PARENS_QUERY:
		for (k = off; k > 0 && !(re[k - 1] == '(' && re[k] == '?'); k--)
			;
		if (off < len && k > 0) {
			errbuf_set(err, "error parsing regexp: invalid or "
			    "unsupported Perl syntax: `%.*s`",
			    (int)(off - k + 2), re + k - 1);
			return;
		}
		break;
	case PCRE2_ERROR_UNKNOWN_ESCAPE:
		for (k = off; k > 0 && re[k - 1] != '\\'; k--)
			;
		if (k > 0 && k < len) {
			errbuf_set(err, "error parsing regexp: invalid escape "
			    "sequence: `%.2s`", re + k - 1);
			return;
		}
		break;
	}
	pcre2_get_error_message(e, msg, sizeof(msg));
	errbuf_set(err, "error parsing regexp: %s", (char *)msg);
}

