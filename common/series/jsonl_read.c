/*
 * The series-line reader: one pass over the line, by hand, for the one
 * object shape series lines have.  It reads what a JSON parser would
 * read there (any whitespace between tokens, keys in any order, every
 * JSON string escape, every JSON number), and takes exactly the lines the
 * jansson reader it replaced took, but for these, which that one let by:
 * a chunk object with a key other than mint, maxt and xor; "NaN:0x" with
 * anything but 16 hex digits after it; a timestamp, mint or maxt of 2^53
 * or more in magnitude, which a double (as jansson read it) cannot hold
 * exactly; a raw NUL byte, which jansson 2.14 drops after a number.
 * tests/fuzz/jsonl.c holds the two against each other.
 *
 * Nothing is allocated per line once the buffers have grown to the
 * longest line: samples go into the series' arrays, label strings into
 * its string bytes, chunk data into its binary bytes, each reserved up
 * front as big as the line could need so that pointers into them stay
 * put while the line is read.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/errbuf.h"
#include "base/jsonnum.h"
#include "series/jsonl.h"

enum { K_METRIC = 1, K_VALUES = 2, K_TIMESTAMPS = 4, K_CHUNKS = 8 };

struct rd {
	const char		*p, *end, *line;
	struct jsonl_series	*s;
	char			*str;	/* next free byte of s->strs */
	char			*err;
};

static const char not_a_value[] = "is not a number, \"NaN\", \"StaleNaN\", "
    "\"+Inf\" or \"-Inf\"";

static int
isws(char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static void
ws(struct rd *r)
{
	while (r->p < r->end && isws(*r->p))
		r->p++;
}

/* The character at p, or 0 at the end of the line (a NUL in the line is
 * never valid where a token is expected, so the two need not differ). */
static char
peek(const struct rd *r)
{
	return r->p < r->end ? *r->p : '\0';
}

static int
synerr(struct rd *r, const char *what)
{
	if (r->p >= r->end)
		return errbuf_set(r->err, "column %zu: %s at the end of the "
		    "line", (size_t)(r->end - r->line) + 1, what);
	return errbuf_set(r->err, "column %zu: %s",
	    (size_t)(r->p - r->line) + 1, what);
}

static int
expect(struct rd *r, char c, const char *what)
{
	ws(r);
	if (peek(r) != c)
		return synerr(r, what);
	r->p++;
	ws(r);
	return 0;
}

static double
float_of(uint64_t b)
{
	double v;

	memcpy(&v, &b, sizeof(v));
	return v;
}

/* --- strings --------------------------------------------------------- */

static int
hex4(const char *p, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			v |= (unsigned)((c | 0x20) - 'a' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static char *
put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80)
		*o++ = (char)cp;
	else if (cp < 0x800) {
		*o++ = (char)(0xc0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | cp >> 12);
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | cp >> 18);
		*o++ = (char)(0x80 | (cp >> 12 & 0x3f));
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	return o;
}

/*
 * How long the UTF-8 sequence at p is (p < end, *p >= 0x80), 0 if it is
 * not valid UTF-8: no overlong forms, no surrogates, nothing past
 * U+10FFFF, as RFC 3629 (and jansson) have it.
 */
static size_t
utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned cp;
	size_t n;

	if (*p >= 0xc2 && *p <= 0xdf) {
		n = 2;
		cp = *p & 0x1f;
	} else if (*p >= 0xe0 && *p <= 0xef) {
		n = 3;
		cp = *p & 0x0f;
	} else if (*p >= 0xf0 && *p <= 0xf4) {
		n = 4;
		cp = *p & 0x07;
	} else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* One escape after the backslash at p, written at *o. */
static int
escape(struct rd *r, const char **pp, char **o)
{
	const char *p = *pp + 1;
	unsigned cp, lo;

	if (p >= r->end)
		goto bad;
	switch (*p) {
	case '"':  *(*o)++ = '"';  break;
	case '\\': *(*o)++ = '\\'; break;
	case '/':  *(*o)++ = '/';  break;
	case 'b':  *(*o)++ = '\b'; break;
	case 'f':  *(*o)++ = '\f'; break;
	case 'n':  *(*o)++ = '\n'; break;
	case 'r':  *(*o)++ = '\r'; break;
	case 't':  *(*o)++ = '\t'; break;
	case 'u':
		if (r->end - p < 5 || hex4(p + 1, &cp) == -1)
			goto bad;
		p += 4;
		if (cp >= 0xdc00 && cp <= 0xdfff)
			goto badu;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			/* A high surrogate: its low half must follow. */
			if (r->end - p < 7 || p[1] != '\\' || p[2] != 'u' ||
			    hex4(p + 3, &lo) == -1 || lo < 0xdc00 ||
			    lo > 0xdfff)
				goto badu;
			cp = 0x10000 + ((cp - 0xd800) << 10 | (lo - 0xdc00));
			p += 6;
		}
		if (cp == 0) {
			r->p = *pp;
			return synerr(r, "\\u0000 in a string");
		}
		*o = put_utf8(*o, cp);
		break;
	default:
		goto bad;
	}
	*pp = p + 1;
	return 0;
bad:
	r->p = *pp;
	return synerr(r, "invalid escape in a string");
badu:
	r->p = *pp;
	return synerr(r, "invalid \\u escape: a lone surrogate");
}

/*
 * The string at r->p (its opening quote): *out is its bytes, pointing
 * into the line when it has no escape, else into s->strs where they were
 * decoded.  Raw bytes must be valid UTF-8 and no control characters.
 */
static int
string(struct rd *r, struct str *out)
{
	const char *p = r->p + 1, *start = p, *end = r->end;
	char *o, *first;
	size_t n;

	for (; p < end; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '"') {
			*out = (struct str){ start, (size_t)(p - start) };
			r->p = p + 1;
			return 0;
		}
		if (c == '\\' || c < 0x20 || c >= 0x80)
			break;
	}
	first = o = r->str;
	memcpy(o, start, (size_t)(p - start));
	o += p - start;
	while (p < end) {
		unsigned char c = (unsigned char)*p;

		if (c == '"') {
			*out = (struct str){ first, (size_t)(o - first) };
			r->str = o;
			r->p = p + 1;
			return 0;
		}
		if (c == '\\') {
			if (escape(r, &p, &o) == -1)
				return -1;
		} else if (c < 0x20) {
			r->p = p;
			return synerr(r, "control character in a string");
		} else if (c < 0x80)
			*o++ = *p++;
		else {
			if ((n = utf8_len((const unsigned char *)p,
			    (const unsigned char *)end)) == 0) {
				r->p = p;
				return synerr(r, "invalid UTF-8 in a string");
			}
			memcpy(o, p, n);
			o += n;
			p += n;
		}
	}
	r->p = end;
	return synerr(r, "unterminated string");
}

/* A string kept with the series: copied into s->strs unless it is there. */
static struct str
keep(struct rd *r, struct str s)
{
	char *o;

	if (s.p >= r->s->strs && s.p < r->s->strs + r->s->strcap)
		return s;
	o = r->str;
	memcpy(o, s.p, s.n);
	r->str += s.n;
	return (struct str){ o, s.n };
}

static int
is(struct str s, const char *lit, size_t n)
{
	return s.n == n && memcmp(s.p, lit, n) == 0;
}

#define IS(s, lit)	is((s), (lit), sizeof(lit) - 1)

/* --- numbers --------------------------------------------------------- */

/*
 * An integer as series lines carry timestamps: a JSON number whose value
 * is a whole number below 2^53 in magnitude.  -1 if it is not a number
 * at all (*bad 0, a syntax error) or not such an integer (*bad 1).
 */
static int
integer(struct rd *r, int64_t *out, int *bad)
{
	char c = peek(r);

	if (c != '-' && (unsigned char)(c - '0') >= 10) {
		/* A string, an object...: valid JSON, maybe, but no number. */
		*bad = 1;
		return -1;
	}
	switch (jsonnum_read_int(r->p, r->end, out, &r->p)) {
	case 0:
		return 0;
	case JSONNUM_SYNTAX:
		*bad = 0;
		return -1;
	default:
		*bad = 1;
		return -1;
	}
}

/* The strings a value may be instead of a number. */
static int
special(struct str s, double *v)
{
	uint64_t b = 0;

	if (IS(s, "NaN"))
		*v = float_of(JSONL_NAN_BITS);
	else if (IS(s, "StaleNaN"))
		*v = float_of(JSONL_STALE_BITS);
	else if (IS(s, "+Inf"))
		*v = INFINITY;
	else if (IS(s, "-Inf"))
		*v = -INFINITY;
	else if (s.n == 22 && memcmp(s.p, "NaN:0x", 6) == 0) {
		for (size_t i = 6; i < 22; i++) {
			char c = s.p[i];

			b <<= 4;
			if (c >= '0' && c <= '9')
				b |= (uint64_t)(c - '0');
			else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
				b |= (uint64_t)((c | 0x20) - 'a' + 10);
			else
				return -1;
		}
		if (!isnan(float_of(b)))
			return -1;
		*v = float_of(b);
	} else
		return -1;
	return 0;
}

/* --- the parts of a line ---------------------------------------------- */

static int
grow(struct jsonl_series *s, size_t n)
{
	size_t ncap = s->cap ? s->cap : 256;
	int64_t *t;
	double *v;

	while (ncap < n)
		ncap *= 2;
	if ((t = reallocarray(s->t, ncap, sizeof(*t))) == NULL)
		return -1;
	s->t = t;
	if ((v = reallocarray(s->v, ncap, sizeof(*v))) == NULL)
		return -1;
	s->v = v;
	s->cap = ncap;
	return 0;
}

/* After an array element: 1 at its ']', 0 after a ',', -1 otherwise. */
static int
next_elem(struct rd *r)
{
	if (peek(r) != ',') {
		ws(r);
		if (peek(r) == ']') {
			r->p++;
			return 1;
		}
		if (peek(r) != ',')
			return synerr(r, "expected ',' or ']'");
	}
	r->p++;
	if (r->p < r->end && isws(*r->p))
		ws(r);
	return 0;
}

static int
metric(struct rd *r)
{
	struct labels *l = &r->s->labels;
	struct str name, value;

	if (peek(r) != '{')
		return errbuf_set(r->err, "\"metric\" is not an object");
	r->p++;
	ws(r);
	if (peek(r) == '}') {
		r->p++;
		return 0;
	}
	for (;;) {
		if (peek(r) != '"')
			return synerr(r, "expected a label name");
		if (string(r, &name) == -1 || expect(r, ':', "expected ':'") ==
		    -1)
			return -1;
		if (peek(r) != '"')
			return errbuf_set(r->err, "label %.*s: value is not a "
			    "string", (int)name.n, name.p);
		name = keep(r, name);
		if (string(r, &value) == -1)
			return -1;
		if (value.n == 0)
			return errbuf_set(r->err, "label %.*s: empty value",
			    (int)name.n, name.p);
		if (name.n == 0)
			return errbuf_set(r->err, "empty label name");
		if (labels_add(l, name, keep(r, value)) == -1)
			return errbuf_sys(r->err, "labels");
		ws(r);
		if (peek(r) == '}')
			break;
		if (peek(r) != ',')
			return synerr(r, "expected ',' or '}'");
		r->p++;
		ws(r);
	}
	r->p++;
	labels_sort(l);
	for (size_t i = 1; i < l->n; i++)
		if (str_cmp(l->v[i - 1].name, l->v[i].name) == 0)
			return errbuf_set(r->err, "label %.*s: twice",
			    (int)l->v[i].name.n, l->v[i].name.p);
	return 0;
}

static int
values(struct rd *r, size_t *count)
{
	struct jsonl_series *s = r->s;
	struct str str;
	size_t n = 0, k;
	int rc;

	if (peek(r) != '[')
		return errbuf_set(r->err, "\"values\" and \"timestamps\" must "
		    "be arrays");
	r->p++;
	ws(r);
	if (peek(r) == ']') {
		r->p++;
		*count = 0;
		return 0;
	}
	for (;;) {
		char c = peek(r);

		if (n == s->cap && grow(s, n + 1) == -1)
			return errbuf_sys(r->err, "samples");
		/* Most of a line: numbers, many at a time. */
		if ((k = jsonnum_read_list(&r->p, r->end, s->v + n,
		    s->cap - n)) > 0)
			n += k;
		else if (c == '-' || (unsigned char)(c - '0') < 10) {
			rc = jsonnum_read(r->p, r->end, &s->v[n], &r->p);
			if (rc == JSONNUM_SYNTAX)
				return synerr(r, "invalid number");
			if (rc == JSONNUM_RANGE)
				return errbuf_set(r->err, "value %zu is out of "
				    "range", n + 1);
			n++;
		} else if (c == '"') {
			if (string(r, &str) == -1)
				return -1;
			if (special(str, &s->v[n]) == -1)
				return errbuf_set(r->err, "value %zu %s", n + 1,
				    not_a_value);
			n++;
		} else
			return errbuf_set(r->err, "value %zu %s", n + 1,
			    not_a_value);
		if ((rc = next_elem(r)) == -1)
			return -1;
		if (rc == 1)
			break;
	}
	*count = n;
	return 0;
}

static int
timestamps(struct rd *r, size_t *count)
{
	struct jsonl_series *s = r->s;
	size_t n = 0, k, i;
	int rc, bad;

	if (peek(r) != '[')
		return errbuf_set(r->err, "\"values\" and \"timestamps\" must "
		    "be arrays");
	r->p++;
	ws(r);
	if (peek(r) == ']') {
		r->p++;
		*count = 0;
		return 0;
	}
	for (;;) {
		if (n == s->cap && grow(s, n + 1) == -1)
			return errbuf_sys(r->err, "samples");
		if ((k = jsonnum_read_int_list(&r->p, r->end, s->t + n,
		    s->cap - n)) == 0) {
			if (integer(r, &s->t[n], &bad) == -1) {
				if (!bad)
					return synerr(r, "invalid number");
				return errbuf_set(r->err, "timestamp %zu is not "
				    "an integer below 2^53", n + 1);
			}
			k = 1;
		}
		for (i = n > 0 ? n : 1; i < n + k; i++)
			if (s->t[i] <= s->t[i - 1])
				return errbuf_set(r->err, "timestamp %zu (%lld) "
				    "does not increase", i + 1,
				    (long long)s->t[i]);
		n += k;
		if ((rc = next_elem(r)) == -1)
			return -1;
		if (rc == 1)
			break;
	}
	*count = n;
	return 0;
}

/* The value of each base64 character, -1 for the other bytes. */
static const signed char b64tab[256] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1, -1, 63,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1,
	-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, -1,
	-1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1
};

/*
 * Standard base64 with padding, as the old reader took it: a length that
 * is a multiple of 4, alphabet characters, then at most two '='.  Bits
 * left over in the last character are ignored.  The bytes go to out,
 * their count to *len; -1 if s is not such base64.
 */
static int
b64(struct str s, unsigned char *out, size_t *len)
{
	const unsigned char *p = (const unsigned char *)s.p;
	size_t n = s.n, o = 0, i;
	int a, b, c, d;

	if (n % 4 != 0)
		return -1;
	if (n == 0) {
		*len = 0;
		return 0;
	}
	/* All but the last four: no padding there. */
	for (i = 0; i + 4 < n; i += 4) {
		uint32_t x;

		a = b64tab[p[i]];
		b = b64tab[p[i + 1]];
		c = b64tab[p[i + 2]];
		d = b64tab[p[i + 3]];
		if ((a | b | c | d) < 0)
			return -1;
		x = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 |
		    (uint32_t)d;
		out[o] = (unsigned char)(x >> 16);
		out[o + 1] = (unsigned char)(x >> 8);
		out[o + 2] = (unsigned char)x;
		o += 3;
	}
	a = b64tab[p[i]];
	b = b64tab[p[i + 1]];
	c = p[i + 2] == '=' && p[i + 3] == '=' ? 0 : b64tab[p[i + 2]];
	d = p[i + 3] == '=' ? 0 : b64tab[p[i + 3]];
	if ((a | b | c | d) < 0)
		return -1;
	out[o++] = (unsigned char)(a << 2 | b >> 4);
	if (p[i + 2] != '=')
		out[o++] = (unsigned char)(b << 4 | c >> 2);
	if (p[i + 3] != '=')
		out[o++] = (unsigned char)(c << 6 | d);
	*len = o;
	return 0;
}

/*
 * The xor string, without string()'s look at every byte: base64 has no
 * quote, backslash or byte that needs checking as UTF-8.  With a
 * backslash it is read as a string (escapes may spell base64).
 */
static int
xor_text(struct rd *r, struct str *x)
{
	const char *p = r->p + 1, *q = memchr(p, '"', (size_t)(r->end - p));

	if (q != NULL && memchr(p, '\\', (size_t)(q - p)) == NULL) {
		/* No escape: the bytes as they stand.  Any that JSON would
		 * refuse in a string (a control character, bad UTF-8) is
		 * no base64 either, and refused as that. */
		*x = (struct str){ p, (size_t)(q - p) };
		r->p = q + 1;
		return 0;
	}
	return string(r, x);
}

static int
chunk(struct rd *r, struct jsonl_chunk *ch, size_t i)
{
	struct str key, x = { NULL, 0 };
	int have = 0, bad, bit;

	if (peek(r) != '{')
		goto needs;
	r->p++;
	ws(r);
	if (peek(r) != '}') {
		for (;;) {
			if (peek(r) != '"')
				return synerr(r, "expected a key");
			if (string(r, &key) == -1 ||
			    expect(r, ':', "expected ':'") == -1)
				return -1;
			if (IS(key, "mint"))
				bit = 1;
			else if (IS(key, "maxt"))
				bit = 2;
			else if (IS(key, "xor"))
				bit = 4;
			else
				return errbuf_set(r->err, "chunk %zu: unknown "
				    "key \"%.*s\"", i + 1, (int)key.n, key.p);
			if (have & bit)
				return errbuf_set(r->err, "chunk %zu: \"%.*s\" "
				    "twice", i + 1, (int)key.n, key.p);
			have |= bit;
			if (bit == 4) {
				if (peek(r) != '"')
					goto needs;
				if (xor_text(r, &x) == -1)
					return -1;
			} else if (integer(r, bit == 1 ? &ch->mint : &ch->maxt,
			    &bad) == -1) {
				if (!bad)
					return synerr(r, "invalid number");
				goto needs;
			}
			ws(r);
			if (peek(r) == '}')
				break;
			if (peek(r) != ',')
				return synerr(r, "expected ',' or '}'");
			r->p++;
			ws(r);
		}
	}
	r->p++;
	if (have != 7)
		goto needs;
	ch->data = r->s->bin + r->s->binlen;
	if (b64(x, r->s->bin + r->s->binlen, &ch->len) == -1)
		return errbuf_set(r->err, "chunk %zu: xor is not base64", i + 1);
	r->s->binlen += ch->len;
	if (ch->mint > ch->maxt || (i > 0 && ch->mint <= ch[-1].maxt))
		return errbuf_set(r->err, "chunk %zu: time range out of order",
		    i + 1);
	return 0;
needs:
	return errbuf_set(r->err, "chunk %zu: needs integer mint, maxt and a "
	    "string xor", i + 1);
}

static int
chunks(struct rd *r)
{
	struct jsonl_series *s = r->s;
	size_t need = (size_t)(r->end - r->p) / 4 * 3 + 3;
	int rc;

	if (peek(r) != '[')
		return errbuf_set(r->err, "\"chunks\" is not an array");
	/* Every base64 byte still to come, decoded, fits. */
	if (need > s->bincap) {
		unsigned char *b = realloc(s->bin, need);

		if (b == NULL)
			return errbuf_sys(r->err, "chunks");
		s->bin = b;
		s->bincap = need;
	}
	s->binlen = 0;
	r->p++;
	ws(r);
	if (peek(r) == ']') {
		r->p++;
		return 0;
	}
	for (;;) {
		if (s->nchunks == s->chunkcap) {
			size_t ncap = s->chunkcap ? s->chunkcap * 2 : 16;
			struct jsonl_chunk *c = reallocarray(s->chunks, ncap,
			    sizeof(*c));

			if (c == NULL)
				return errbuf_sys(r->err, "chunks");
			s->chunks = c;
			s->chunkcap = ncap;
		}
		if (chunk(r, &s->chunks[s->nchunks], s->nchunks) == -1)
			return -1;
		s->nchunks++;
		if ((rc = next_elem(r)) == -1)
			return -1;
		if (rc == 1)
			return 0;
	}
}

/* --- the line --------------------------------------------------------- */

static int
member(struct rd *r, int *seen, size_t *nv, size_t *nt)
{
	struct str key;
	int bit;

	if (peek(r) != '"')
		return synerr(r, "expected a key");
	if (string(r, &key) == -1 || expect(r, ':', "expected ':'") == -1)
		return -1;
	if (IS(key, "metric"))
		bit = K_METRIC;
	else if (IS(key, "values"))
		bit = K_VALUES;
	else if (IS(key, "timestamps"))
		bit = K_TIMESTAMPS;
	else if (IS(key, "chunks"))
		bit = K_CHUNKS;
	else
		return errbuf_set(r->err, "unknown key \"%.*s\"", (int)key.n,
		    key.p);
	if (*seen & bit)
		return errbuf_set(r->err, "\"%.*s\" twice", (int)key.n, key.p);
	*seen |= bit;
	switch (bit) {
	case K_METRIC:
		return metric(r);
	case K_VALUES:
		return values(r, nv);
	case K_TIMESTAMPS:
		return timestamps(r, nt);
	default:
		return chunks(r);
	}
}

static int
parse(struct jsonl_series *s, const char *line, size_t len, char *err)
{
	struct rd r;
	size_t nv = 0, nt = 0;
	int seen = 0;

	s->n = 0;
	s->nchunks = 0;
	s->is_chunks = 0;
	labels_reset(&s->labels);
	while (len > 0 && line[len - 1] == '\n')
		len--;
	/* Decoded strings are never longer than their text. */
	if (len + 1 > s->strcap) {
		char *p = realloc(s->strs, len + 1);

		if (p == NULL)
			return errbuf_sys(err, "line");
		s->strs = p;
		s->strcap = len + 1;
	}
	r = (struct rd){ line, line + len, line, s, s->strs, err };
	ws(&r);
	if (peek(&r) != '{')
		return synerr(&r, "not a JSON object");
	r.p++;
	ws(&r);
	if (peek(&r) != '}') {
		for (;;) {
			if (member(&r, &seen, &nv, &nt) == -1)
				return -1;
			ws(&r);
			if (peek(&r) == '}')
				break;
			if (peek(&r) != ',')
				return synerr(&r, "expected ',' or '}'");
			r.p++;
			ws(&r);
		}
	}
	r.p++;
	ws(&r);
	if (r.p != r.end)
		return synerr(&r, "text after the object");
	if (!(seen & K_METRIC))
		return errbuf_set(err, "\"metric\" is not an object");
	if (seen & K_CHUNKS) {
		if (seen & (K_VALUES | K_TIMESTAMPS))
			return errbuf_set(err, "both \"chunks\" and \"values\"");
		s->is_chunks = 1;
		return 0;
	}
	if ((seen & (K_VALUES | K_TIMESTAMPS)) != (K_VALUES | K_TIMESTAMPS))
		return errbuf_set(err, "\"values\" and \"timestamps\" must be "
		    "arrays");
	if (nv != nt)
		return errbuf_set(err, "%zu values but %zu timestamps", nv, nt);
	s->n = nv;
	return 0;
}

int
jsonl_parse(struct jsonl_series *s, const char *line, size_t len, char *err)
{
	if (parse(s, line, len, err) == 0)
		return 0;
	s->n = 0;
	s->nchunks = 0;
	s->is_chunks = 0;
	labels_reset(&s->labels);
	return -1;
}

void
jsonl_series_release(struct jsonl_series *s)
{
	labels_release(&s->labels);
	free(s->t);
	free(s->v);
	free(s->chunks);
	free(s->strs);
	free(s->bin);
	memset(s, 0, sizeof(*s));
}
