#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/errbuf.h"
#include "base/floatfmt.h"
#include "base/utf8.h"
#include "promql/gofmt.h"

int32_t
gofmt_decode_rune(const char *s, size_t n, size_t *len)
{
	int32_t r = utf8_decode(s, n, len);

	/* Go's DecodeRune: an invalid byte is one U+FFFD. */
	return r < 0 ? 0xfffd : r;
}

int
gofmt_isprint(int32_t r)
{
	if (r < 0x20 || r == 0x7f)
		return 0;
	if (r < 0x7f)
		return 1;
	if ((r >= 0x80 && r <= 0xa0) || r == 0xad || r == 0x2028 ||
	    r == 0x2029 || r == 0xfeff || r > 0x10ffff ||
	    (r >= 0xd800 && r <= 0xdfff))
		return 0;
	return 1;
}

static int
add_utf8(struct buf *b, int32_t r)
{
	char u[4];
	size_t n;

	if (r < 0x80)
		u[0] = (char)r, n = 1;
	else if (r < 0x800)
		u[0] = (char)(0xc0 | r >> 6), u[1] = (char)(0x80 | (r & 0x3f)),
		n = 2;
	else if (r < 0x10000)
		u[0] = (char)(0xe0 | r >> 12),
		u[1] = (char)(0x80 | (r >> 6 & 0x3f)),
		u[2] = (char)(0x80 | (r & 0x3f)), n = 3;
	else
		u[0] = (char)(0xf0 | r >> 18),
		u[1] = (char)(0x80 | (r >> 12 & 0x3f)),
		u[2] = (char)(0x80 | (r >> 6 & 0x3f)),
		u[3] = (char)(0x80 | (r & 0x3f)), n = 4;
	return buf_add(b, u, n);
}

/* One rune inside quotes, escaped as strconv's appendEscapedRune does. */
static int
add_escaped(struct buf *b, int32_t r, char quote)
{
	if (r == quote || r == '\\')
		return buf_addch(b, '\\') | buf_addch(b, (char)r);
	if (gofmt_isprint(r))
		return add_utf8(b, r);
	switch (r) {
	case '\a': return buf_addstr(b, "\\a");
	case '\b': return buf_addstr(b, "\\b");
	case '\f': return buf_addstr(b, "\\f");
	case '\n': return buf_addstr(b, "\\n");
	case '\r': return buf_addstr(b, "\\r");
	case '\t': return buf_addstr(b, "\\t");
	case '\v': return buf_addstr(b, "\\v");
	}
	if (r < ' ' || r == 0x7f)
		return buf_addf(b, "\\x%02x", (unsigned)r);
	if (r < 0x10000)
		return buf_addf(b, "\\u%04x", (unsigned)r);
	return buf_addf(b, "\\U%08x", (unsigned)r);
}

static int
quote_n(struct buf *b, const char *s, size_t n, size_t runes, int trunc)
{
	size_t i = 0, count = 0;
	int r = buf_addch(b, '"');

	while (i < n && r == 0) {
		size_t len;
		int32_t c;

		if (trunc && count == runes)
			break;
		c = gofmt_decode_rune(s + i, n - i, &len);
		if (c == 0xfffd && len == 1)
			r = buf_addf(b, "\\x%02x", (unsigned char)s[i]);
		else
			r = add_escaped(b, c, '"');
		i += len;
		count++;
	}
	r |= buf_addch(b, '"');
	if (trunc && i < n)
		r |= buf_addstr(b, "...");
	return r;
}

int
gofmt_quote(struct buf *b, const char *s, size_t n)
{
	return quote_n(b, s, n, 0, 0);
}

int
gofmt_quote_trunc(struct buf *b, const char *s, size_t n, size_t runes)
{
	return quote_n(b, s, n, runes, 1);
}

int
gofmt_quote_rune(struct buf *b, int32_t r)
{
	if (r < 0 || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff))
		r = 0xfffd;
	return buf_addch(b, '\'') | add_escaped(b, r, '\'') |
	    buf_addch(b, '\'');
}

int
gofmt_rune_u(struct buf *b, int32_t r)
{
	int ret;

	if (r < 0)
		return buf_addf(b, "U+%X", (unsigned)r);
	ret = buf_addf(b, "U+%04X", (unsigned)r);
	if (gofmt_isprint(r))
		ret |= buf_addstr(b, " '") | add_utf8(b, r) |
		    buf_addch(b, '\'');
	return ret;
}

int
gofmt_api_float(struct buf *b, double v)
{
	char d[FLOATFMT_DIGITS_MAX], f[FLOATFMT_F_MAX];
	double a = fabs(v);
	int exp, nd, r;

	if (isnan(v) || isinf(v) || a == 0 || (a >= 1e-6 && a < 1e21))
		return buf_addstr(b, floatfmt_f(v, f));
	/* Go 'e', -1: d[.ddd]e±XX with at least two exponent digits. */
	nd = floatfmt_digits(v, d, &exp);
	r = 0;
	if (signbit(v))
		r |= buf_addch(b, '-');
	r |= buf_addch(b, d[0]);
	if (nd > 1)
		r |= buf_addch(b, '.') | buf_add(b, d + 1, (size_t)nd - 1);
	r |= buf_addf(b, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
	return r;
}

char *
gofmt_percent_f(double v, char out[GOFMT_F_MAX])
{
	if (isnan(v))
		snprintf(out, GOFMT_F_MAX, "NaN");
	else if (isinf(v))
		snprintf(out, GOFMT_F_MAX, "%cInf", v > 0 ? '+' : '-');
	else
		snprintf(out, GOFMT_F_MAX, "%f", v);
	return out;
}

/* strconv.ParseInt(s, 0, 64): 1 parsed, 0 syntax error, -1 range. */
static int
parse_int0(const char *s, size_t n, int64_t *out)
{
	uint64_t base = 10, x = 0, lim;
	size_t i = 0;
	int neg = 0, digits = 0;

	if (i < n && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	if (i < n && s[i] == '0') {
		if (i + 1 < n && (s[i + 1] == 'x' || s[i + 1] == 'X'))
			base = 16, i += 2;
		else if (i + 1 < n && (s[i + 1] == 'o' || s[i + 1] == 'O'))
			base = 8, i += 2;
		else if (i + 1 < n && (s[i + 1] == 'b' || s[i + 1] == 'B'))
			base = 2, i += 2;
		else
			base = 8, i++, digits = 1;
	}
	lim = neg ? (uint64_t)1 << 63 : ((uint64_t)1 << 63) - 1;
	for (; i < n; i++) {
		unsigned c = (unsigned char)s[i], d;
		int over;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'z')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'Z')
			d = c - 'A' + 10;
		else
			return 0;
		if (d >= base)
			return 0;
		over = x > (UINT64_MAX - d) / base;
		x = over ? UINT64_MAX : x * base + d;
		digits++;
		if (x > lim) {
			/* Keep reading: a later bad digit is a syntax error. */
			x = UINT64_MAX;
		}
	}
	if (digits == 0)
		return 0;
	if (x == UINT64_MAX && lim != UINT64_MAX)
		return -1;
	*out = neg ? (int64_t)(0 - x) : (int64_t)x;
	return 1;
}

/* Is s (n bytes) a float as strconv.ParseFloat reads it (decimal or
 * inf/infinity/nan, any case, with a sign)?  Hex floats are left out:
 * the lexer never produces them. */
static int
float_syntax(const char *s, size_t n)
{
	size_t i = 0, mant = 0;

	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if ((n - i == 3 && strncasecmp(s + i, "inf", 3) == 0) ||
	    (n - i == 8 && strncasecmp(s + i, "infinity", 8) == 0))
		return 1;
	if (n == 3 && strncasecmp(s, "nan", 3) == 0)
		return 1;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		mant++;
	if (i < n && s[i] == '.')
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			mant++;
	if (mant == 0)
		return 0;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t e = 0;

		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			e++;
		if (e == 0)
			return 0;
	}
	return i == n;
}

int
gofmt_parse_number(const char *s, size_t n, double *out, char *err)
{
	char tmp[128], *end;
	int64_t iv;
	double v;

	if (parse_int0(s, n, &iv) == 1) {
		*out = (double)iv;
		return 0;
	}
	if (n >= sizeof(tmp) || !float_syntax(s, n))
		return errbuf_set(err, "strconv.ParseFloat: parsing \"%.*s\": "
		    "invalid syntax", (int)(n < 64 ? n : 64), s);
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	errno = 0;
	v = strtod(tmp, &end);
	if (isinf(v) && errno == ERANGE)
		return errbuf_set(err, "strconv.ParseFloat: parsing \"%s\": "
		    "value out of range", tmp);
	*out = v;
	return 0;
}
