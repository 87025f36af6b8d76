#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <pcre2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "base/utf8.h"
#include "tsdb/matcher.h"

const char *
matcher_op(enum matcher_type t)
{
	static const char *const ops[] = { "=", "!=", "=~", "!~" };

	return ops[t];
}

static int
compile(struct matcher *m, char *err)
{
	uint32_t opts = PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_UTF |
	    PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY;
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	int code;

	m->re = pcre2_compile((PCRE2_SPTR)m->value, m->vlen, opts, &code, &off,
	    NULL);
	if (m->re == NULL) {
		pcre2_get_error_message(code, msg, sizeof(msg));
		return errbuf_set(err, "bad regex '%s' for label %s at "
		    "offset %zu: %s", m->value, m->name, (size_t)off,
		    (char *)msg);
	}
	/* JIT is an optimisation only: without it PCRE2 interprets. */
	pcre2_jit_compile(m->re, PCRE2_JIT_COMPLETE);
	m->md = pcre2_match_data_create_from_pattern(m->re, NULL);
	if (m->md == NULL)
		return errbuf_sys(err, "regex for label %s", m->name);
	return 0;
}

int
matcher_init(struct matcher *m, enum matcher_type type, const char *name,
    const char *value, size_t vlen, char *err)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->vlen = vlen;
	if ((m->name = strdup(name)) == NULL ||
	    (m->value = malloc(vlen + 1)) == NULL) {
		matcher_release(m);
		return errbuf_sys(err, "matcher");
	}
	memcpy(m->value, value, vlen);
	m->value[vlen] = '\0';
	if ((type == MATCHER_RE || type == MATCHER_NRE) &&
	    compile(m, err) == -1) {
		matcher_release(m);
		return -1;
	}
	return 0;
}

void
matcher_release(struct matcher *m)
{
	free(m->name);
	free(m->value);
	if (m->md)
		pcre2_match_data_free(m->md);
	if (m->re)
		pcre2_code_free(m->re);
	memset(m, 0, sizeof(*m));
}

int
matcher_matches(struct matcher *m, const char *value, size_t n)
{
	int eq;

	switch (m->type) {
	case MATCHER_EQ:
	case MATCHER_NEQ:
		eq = n == m->vlen && memcmp(value, m->value, n) == 0;
		return m->type == MATCHER_EQ ? eq : !eq;
	default:
		/* An empty subject may be NULL (an absent label). */
		eq = pcre2_match(m->re, (PCRE2_SPTR)(value ? value : ""), n,
		    0, 0, m->md, NULL) >= 0;
		return m->type == MATCHER_RE ? eq : !eq;
	}
}

int
matcher_matches_empty(struct matcher *m)
{
	return matcher_matches(m, "", 0);
}

int
matcher_matches_labels(struct matcher *m, const struct labels *l)
{
	const struct str *v = labels_get(l, str_of(m->name));

	return v ? matcher_matches(m, v->p, v->n) : matcher_matches_empty(m);
}

void
matchers_free(struct matcher *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		matcher_release(&m[i]);
	free(m);
}

/* --- the selector parser ------------------------------------------------ */

struct sel {
	const char	*s, *p;		/* whole input, cursor */
	struct matcher	*m;
	size_t		 n;
	char		*err;
};

static void
skip_space(struct sel *x)
{
	while (*x->p == ' ' || *x->p == '\t' || *x->p == '\n' || *x->p == '\r')
		x->p++;
}

static int
fail(struct sel *x, const char *what)
{
	return errbuf_set(x->err, "bad selector '%s' at char %zu: %s", x->s,
	    (size_t)(x->p - x->s) + 1, what);
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* A label name, or with colons a metric name, into b. */
static int
ident(struct sel *x, int colons, struct buf *b)
{
	const char *start = x->p;

	if (!is_alpha(*x->p) && !(colons && *x->p == ':'))
		return -1;
	while (is_alpha(*x->p) || is_digit(*x->p) || (colons && *x->p == ':'))
		x->p++;
	buf_reset(b);
	return buf_add(b, start, (size_t)(x->p - start));
}

static int
hexval(int c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}


/* One escape after a backslash (Go's strconv.Unquote rules). */
static int
escape(struct sel *x, char quote, struct buf *b)
{
	static const char from[] = "abfnrtv\\", to[] = "\a\b\f\n\r\t\v\\";
	const char *e;
	uint32_t cp = 0;
	int digits, base, v;

	if ((e = strchr(from, *x->p)) != NULL && *x->p) {
		x->p++;
		return buf_addch(b, to[e - from]);
	}
	if (*x->p == quote && quote != '`') {
		x->p++;
		return buf_addch(b, quote);
	}
	switch (*x->p) {
	case 'x': digits = 2; base = 16; x->p++; break;
	case 'u': digits = 4; base = 16; x->p++; break;
	case 'U': digits = 8; base = 16; x->p++; break;
	case '0': case '1': case '2': case '3':
		digits = 3; base = 8; break;
	default:
		return fail(x, "unknown escape sequence");
	}
	for (int i = 0; i < digits; i++) {
		v = base == 16 ? hexval(*x->p) : (*x->p >= '0' && *x->p <= '7' ?
		    *x->p - '0' : -1);
		if (v < 0)
			return fail(x, "bad escape sequence");
		cp = cp * (uint32_t)base + (uint32_t)v;
		x->p++;
	}
	/* \x and octal give a byte; \u and \U a code point. */
	if (digits <= 3 && (base == 8 || digits == 2))
		return cp > 255 ? fail(x, "octal escape out of range") :
		    buf_addch(b, (char)cp);
	if (utf8_append(b, cp) == -1)
		return fail(x, "invalid Unicode code point in escape");
	return 0;
}

static int
string(struct sel *x, struct buf *b)
{
	char q = *x->p;

	if (q != '"' && q != '\'' && q != '`')
		return fail(x, "expected a quoted string");
	x->p++;
	buf_reset(b);
	for (;;) {
		if (*x->p == '\0' || (*x->p == '\n' && q != '`'))
			return fail(x, "unterminated quoted string");
		if (*x->p == q) {
			x->p++;
			return buf_add(b, "", 0);
		}
		if (*x->p == '\\' && q != '`') {
			x->p++;
			if (escape(x, q, b) == -1)
				return -1;
			continue;
		}
		if (buf_addch(b, *x->p++) == -1)
			return errbuf_sys(x->err, "selector");
	}
}

static int
push(struct sel *x, enum matcher_type t, const char *name, const char *v,
    size_t vlen)
{
	struct matcher *m = reallocarray(x->m, x->n + 1, sizeof(*m));

	if (m == NULL)
		return errbuf_sys(x->err, "selector");
	x->m = m;
	if (matcher_init(&x->m[x->n], t, name, v, vlen, x->err) == -1)
		return -1;
	x->n++;
	return 0;
}

static int
matcher_item(struct sel *x, struct buf *name, struct buf *val)
{
	enum matcher_type t;

	if (ident(x, 0, name) == -1)
		return fail(x, "expected a label name");
	skip_space(x);
	if (x->p[0] == '=' && x->p[1] == '~')
		t = MATCHER_RE, x->p += 2;
	else if (x->p[0] == '!' && x->p[1] == '~')
		t = MATCHER_NRE, x->p += 2;
	else if (x->p[0] == '!' && x->p[1] == '=')
		t = MATCHER_NEQ, x->p += 2;
	else if (x->p[0] == '=')
		t = MATCHER_EQ, x->p += 1;
	else
		return fail(x, "expected =, !=, =~ or !~");
	skip_space(x);
	if (string(x, val) == -1)
		return -1;
	return push(x, t, name->data, val->data, val->len);
}

static int
parse(struct sel *x)
{
	struct buf name = BUF_INIT(BUF_NOMAX), val = BUF_INIT(BUF_NOMAX);
	int r = 0;

	skip_space(x);
	if (is_alpha(*x->p) || *x->p == ':') {
		ident(x, 1, &name);
		r = push(x, MATCHER_EQ, "__name__", name.data, name.len);
		skip_space(x);
	}
	if (r == 0 && *x->p == '{') {
		x->p++;
		skip_space(x);
		while (r == 0 && *x->p != '}') {
			if ((r = matcher_item(x, &name, &val)) == -1)
				break;
			skip_space(x);
			if (*x->p == ',') {
				x->p++;
				skip_space(x);
			} else if (*x->p != '}')
				r = fail(x, "expected , or }");
		}
		if (r == 0) {
			x->p++;
			skip_space(x);
		}
	}
	if (r == 0 && *x->p != '\0')
		r = fail(x, "unexpected character");
	if (r == 0 && x->n == 0)
		r = fail(x, "empty selector");
	buf_release(&name);
	buf_release(&val);
	return r;
}

int
matcher_parse_selector(const char *s, struct matcher **out, size_t *n,
    char *err)
{
	struct sel x = { .s = s, .p = s, .err = err };

	if (parse(&x) == -1) {
		matchers_free(x.m, x.n);
		return -1;
	}
	*out = x.m;
	*n = x.n;
	return 0;
}
