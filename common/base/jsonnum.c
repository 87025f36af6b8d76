#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/floatfmt.h"
#include "base/jsonnum.h"

/* Digits are read eight to a word, the first in its lowest byte. */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "jsonnum reads words of digits little-endian"
#endif

#define MAX_DIGITS	19	/* what a uint64 holds exactly, any digits */
#define EXP_CLAMP	100000	/* far past where every double over- or
				 * underflows, so clamping changes nothing */
/* A midpoint between two doubles has at most 767 significant digits: a
 * decimal kept to more than that, with one nonzero digit standing in for
 * any nonzero rest, rounds as the whole does. */
#define KEEP_DIGITS	800

static const double exact10[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
	1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

static int
isdig(char c)
{
	return (unsigned char)(c - '0') < 10;
}

static const uint64_t pow10u[] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000
};

/*
 * The run of digits at p, up to 8 of them, in one word: p..p+8 must be
 * readable.  Returns how many (0 to 8), their value in *val.  A byte is a
 * digit when its high nibble is 3 and its low one plus 6 stays below 16,
 * tested in all eight at once without carries between them; the first
 * byte that is not is the lowest nonzero byte of that test.  Subtracting
 * '0' everywhere borrows only upwards from a non-digit, past the run,
 * and the shift drops those bytes.
 */
static inline int
run8(const char *p, uint64_t *val)
{
	uint64_t x, m;
	int nd;

	memcpy(&x, p, sizeof(x));
	m = ((x & 0xf0f0f0f0f0f0f0f0ULL) ^ 0x3030303030303030ULL) |
	    (((x & 0x0f0f0f0f0f0f0f0fULL) + 0x0606060606060606ULL) &
	    0xf0f0f0f0f0f0f0f0ULL);
	nd = m ? __builtin_ctzll(m) >> 3 : 8;
	if (nd == 0)
		return 0;
	x = (x - 0x3030303030303030ULL) << (64 - 8 * nd);
	x = (x * 10 + (x >> 8)) & 0x00ff00ff00ff00ffULL;
	x = (x * 100 + (x >> 16)) & 0x0000ffff0000ffffULL;
	x = (x * 10000 + (x >> 32)) & 0xffffffffULL;
	*val = x;
	return nd;
}

static double
from_bits(uint64_t b)
{
	double v;

	memcpy(&v, &b, sizeof(v));
	return v;
}

/*
 * w * 10^q rounded, w > 0 (clz needs it) and exact, q within floatfmt's
 * table.  With g from the table, T = w * 10^q * 2^(125 - e) lies in
 * [w (g - 1), w g), so the 190-bit product P = w g, w shifted up to fill
 * 64 bits, exceeds T (shifted alike) by less than 2^64.  Cut to 128 bits
 * by a shift of s >= 61, P's top X is then T's top part to within
 * (-8, +1), which decides the rounding of X's top 53 bits unless the 75
 * bits below them are that close to a half.  -1 then, or when the result
 * is not a normal double: the caller asks strtod.
 */
static int
convert(uint64_t w, int q, int neg, double *v)
{
	const unsigned __int128 half = (unsigned __int128)1 << 74;
	unsigned __int128 a, b, mid, x, rest;
	uint64_t hi, lo, p0, p1, p2, m;
	int e, lz, s, ex;

	floatfmt_pow10(q, &hi, &lo, &e);
	lz = __builtin_clzll(w);
	w <<= lz;
	a = (unsigned __int128)w * lo;
	b = (unsigned __int128)w * hi;
	p0 = (uint64_t)a;
	mid = (a >> 64) + (uint64_t)b;
	p1 = (uint64_t)mid;
	p2 = (uint64_t)(b >> 64) + (uint64_t)(mid >> 64);
	/* 2^188 < P < 2^190: p2's top bit is bit 60 or 61. */
	s = 128 + 63 - __builtin_clzll(p2) - 127;
	x = (unsigned __int128)p2 << (128 - s) |
	    (unsigned __int128)p1 << (64 - s) | p0 >> s;
	m = (uint64_t)(x >> 75);
	rest = x & (((unsigned __int128)1 << 75) - 1);
	ex = s - lz + e - 50;
	if (rest + 1 <= half)
		;
	else if (rest >= half + 8) {
		if (++m == (uint64_t)1 << 53) {
			m >>= 1;
			ex++;
		}
	} else
		return -1;
	if (ex + 1075 < 1 || ex + 1075 > 2046)
		return -1;
	*v = from_bits((uint64_t)neg << 63 | (uint64_t)(ex + 1075) << 52 |
	    (m & (((uint64_t)1 << 52) - 1)));
	return 0;
}

/*
 * The exact answer from strtod, on a copy that is NUL-terminated and
 * bounded: sign, at most KEEP_DIGITS significant digits (plus a 1 if a
 * nonzero digit was dropped), exponent.
 */
static int __attribute__((noinline))
slow(const char *p, const char *end, double *v)
{
	char buf[KEEP_DIGITS + 32], *o = buf;
	int64_t ex = 0;
	int k = 0, frac = 0, sticky = 0;
	double d;

	if (*p == '-')
		*o++ = *p++;
	for (; p < end && (isdig(*p) || *p == '.'); p++) {
		if (*p == '.') {
			frac = 1;
			continue;
		}
		if (k == 0 && *p == '0') {
			ex -= frac;
			continue;
		}
		if (k < KEEP_DIGITS) {
			o[k++] = *p;
			ex -= frac;
		} else {
			sticky |= *p != '0';
			ex += !frac;
		}
	}
	if (k == 0)
		o[k++] = '0';
	if (sticky) {
		o[k++] = '1';
		ex--;
	}
	o += k;
	if (p < end && (*p == 'e' || *p == 'E')) {
		int neg = 0;
		int64_t e = 0;

		p++;
		if (*p == '+' || *p == '-')
			neg = *p++ == '-';
		for (; p < end && isdig(*p); p++)
			if (e < EXP_CLAMP)
				e = e * 10 + (*p - '0');
		ex += neg ? -e : e;
	}
	if (ex < -10 * EXP_CLAMP)
		ex = -10 * EXP_CLAMP;
	if (ex > 10 * EXP_CLAMP)
		ex = 10 * EXP_CLAMP;
	snprintf(o, sizeof(buf) - (size_t)(o - buf), "e%lld", (long long)ex);
	d = strtod(buf, NULL);
	if (isinf(d))
		return JSONNUM_RANGE;
	*v = d;
	return 0;
}

/*
 * The usual number, where the line goes on for at least FAST_ROOM more
 * bytes: an integer part of up to 15 digits, a fraction, 19 digits in
 * all at most, a short exponent, read eight digits at a time.  1 if it
 * was not such a number (nothing is consumed then), else as
 * jsonnum_read.
 */
#define FAST_ROOM	48

static inline __attribute__((always_inline)) int
fast(const char *p, double *v, const char **next)
{
	uint64_t w, x;
	int neg = *p == '-', n, nd, q = 0;
	double d;

	p += neg;
	if (*p == '0') {
		/* 0, or 0.<fraction>: leading zeros of the fraction count
		 * as digits below, which only errs on the safe side. */
		if ((unsigned char)(p[1] - '0') < 10 || p[1] == 'e' ||
		    p[1] == 'E')
			return 1;
		w = 0;
		nd = 0;
		p++;
	} else if ((nd = run8(p, &w)) == 0)
		return 1;
	p += nd;
	if (nd == 8 && (n = run8(p, &x)) > 0) {
		if (n == 8)
			return 1;
		w = w * pow10u[n] + x;
		nd += n;
		p += n;
	}
	if (*p == '.') {
		if ((n = run8(p + 1, &x)) == 0 || nd + n > MAX_DIGITS)
			return 1;
		w = w * pow10u[n] + x;
		nd += n;
		q = -n;
		p += 1 + n;
		if (n == 8 && (n = run8(p, &x)) > 0) {
			if (n == 8 || nd + n > MAX_DIGITS)
				return 1;
			w = w * pow10u[n] + x;
			q -= n;
			p += n;
		}
	}
	if (*p == 'e' || *p == 'E') {
		int eneg = 0, e = 0, k;

		p++;
		if (*p == '+' || *p == '-')
			eneg = *p++ == '-';
		for (k = 0; k < 4 && (unsigned char)(*p - '0') < 10; k++)
			e = e * 10 + (*p++ - '0');
		if (k == 0 || k == 4)
			return 1;
		q += eneg ? -e : e;
	}
	if (w == 0)
		*v = neg ? -0.0 : 0.0;
	else if (w <= (uint64_t)1 << 53 && q >= -22 && q <= 22) {
		d = (double)w;
		d = q < 0 ? d / exact10[-q] : d * exact10[q];
		*v = neg ? -d : d;
	} else if (q < FLOATFMT_POW10_MIN || q > 308 ||
	    convert(w, q, neg, v) == -1)
		return 1;
	*next = p;
	return 0;
}

/* The first eight digits of the last number read, as bytes and value:
 * sorted timestamps mostly begin as the one before did.  It always holds
 * eight digits a number may begin with, so that matching it is reading
 * them; HEAD_INIT is "10000000". */
struct head {
	uint64_t	bytes, value;
};

#define HEAD_INIT	{ 0x3030303030303031ULL, 10000000 }

/* Plain digits, at most 15 (below 2^53: exact as they are), where the
 * line goes on for at least FAST_ROOM more bytes.  1 if it is not such a
 * number, else as jsonnum_read_int. */
static inline __attribute__((always_inline)) int
fast_int(const char *p, int64_t *v, const char **next, struct head *h)
{
	const char *q = p + (*p == '-');
	uint64_t w, x, b;
	int n, r;

	memcpy(&b, q, sizeof(b));
	if (b == h->bytes) {
		w = h->value;
		n = 8;
	} else {
		if (*q == '0' || (n = run8(q, &w)) == 0)
			return 1;
		if (n == 8) {
			h->bytes = b;
			h->value = w;
		}
	}
	if (n == 8 && (r = run8(q + 8, &x)) > 0) {
		if (r == 8)
			return 1;
		w = w * pow10u[r] + x;
		n += r;
	}
	if (q[n] == '.' || (q[n] | 0x20) == 'e')
		return 1;
	*v = q > p ? -(int64_t)w : (int64_t)w;
	*next = q + n;
	return 0;
}

int
jsonnum_read_int(const char *p, const char *end, int64_t *v,
    const char **next)
{
	struct head h = HEAD_INIT;
	double d;
	int r;

	if (end - p >= FAST_ROOM && fast_int(p, v, next, &h) == 0)
		return 0;
	if ((r = jsonnum_read(p, end, &d, next)) != 0)
		return r;
	if (d != floor(d) || fabs(d) >= 9007199254740992.0)
		return JSONNUM_NOTINT;
	*v = (int64_t)d;
	return 0;
}

/* Any number, a digit at a time where fast() did not take it. */
static int __attribute__((noinline))
general(const char *p, const char *end, double *v, const char **next)
{
	const char *start = p;
	uint64_t w = 0, x;
	int64_t q = 0;
	int nd = 0, neg = 0, trunc = 0;
	double d, d2;

	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	if (p == end || !isdig(*p)) {
		*next = p;
		return JSONNUM_SYNTAX;
	}
	if (*p == '0') {
		if (++p < end && isdig(*p)) {
			*next = p;
			return JSONNUM_SYNTAX;
		}
	} else {
		while (end - p >= 8 && nd <= MAX_DIGITS - 8 && run8(p, &x) == 8) {
			w = w * 100000000 + x;
			nd += 8;
			p += 8;
		}
		for (; p < end && isdig(*p); p++) {
			if (nd < MAX_DIGITS) {
				w = w * 10 + (uint64_t)(*p - '0');
				nd++;
			} else {
				trunc |= *p != '0';
				q++;
			}
		}
	}
	if (p < end && *p == '.') {
		if (++p == end || !isdig(*p)) {
			*next = p;
			return JSONNUM_SYNTAX;
		}
		if (w == 0)
			for (; p < end && *p == '0'; p++)
				q--;
		while (end - p >= 8 && nd <= MAX_DIGITS - 8 && run8(p, &x) == 8) {
			w = w * 100000000 + x;
			nd += 8;
			q -= 8;
			p += 8;
		}
		for (; p < end && isdig(*p); p++) {
			if (nd < MAX_DIGITS) {
				w = w * 10 + (uint64_t)(*p - '0');
				nd++;
				q--;
			} else
				trunc |= *p != '0';
		}
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		int eneg = 0;
		int64_t e = 0;

		if (++p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		if (p == end || !isdig(*p)) {
			*next = p;
			return JSONNUM_SYNTAX;
		}
		for (; p < end && isdig(*p); p++)
			if (e < EXP_CLAMP)
				e = e * 10 + (*p - '0');
		q += eneg ? -e : e;
	}
	*next = p;

	if (w == 0) {
		*v = neg ? -0.0 : 0.0;
		return 0;
	}
	/* Clinger: both exact, so one correctly rounded operation. */
	if (!trunc && w <= (uint64_t)1 << 53 && q >= -22 && q <= 22) {
		d = (double)w;
		d = q < 0 ? d / exact10[-q] : d * exact10[q];
		*v = neg ? -d : d;
		return 0;
	}
	/* Below 10^19 * 10^-343 = 10^-324, under half the least double. */
	if (q < -342) {
		*v = neg ? -0.0 : 0.0;
		return 0;
	}
	if (q > 308)
		return JSONNUM_RANGE;
	if (q >= FLOATFMT_POW10_MIN && q <= FLOATFMT_POW10_MAX &&
	    convert(w, (int)q, neg, &d) == 0) {
		/* Digits were dropped: the value lies between w and w + 1
		 * units, and rounds as both do if they agree. */
		if (!trunc || (convert(w + 1, (int)q, neg, &d2) == 0 &&
		    memcmp(&d, &d2, sizeof(d)) == 0)) {
			*v = d;
			return 0;
		}
	}
	return slow(start, p, v);
}

int
jsonnum_read(const char *p, const char *end, double *v, const char **next)
{
	if (end - p >= FAST_ROOM && fast(p, v, next) == 0)
		return 0;
	return general(p, end, v, next);
}

/*
 * The loops over a run of usual numbers, in one function so that nothing
 * is called per number: what a series line's arrays are made of.
 */
size_t
jsonnum_read_list(const char **pp, const char *end, double *v, size_t max)
{
	const char *p = *pp, *q;
	size_t n = 0;

	if (max > 0 && end - p >= FAST_ROOM && fast(p, &v[0], &q) == 0) {
		n = 1;
		p = q;
		while (n < max && *p == ',' && end - p > FAST_ROOM &&
		    fast(p + 1, &v[n], &q) == 0) {
			n++;
			p = q;
		}
	}
	*pp = p;
	return n;
}

size_t
jsonnum_read_int_list(const char **pp, const char *end, int64_t *v,
    size_t max)
{
	struct head h = HEAD_INIT;
	const char *p = *pp, *q;
	size_t n = 0;

	if (max > 0 && end - p >= FAST_ROOM && fast_int(p, &v[0], &q,
	    &h) == 0) {
		n = 1;
		p = q;
		while (n < max && *p == ',' && end - p > FAST_ROOM &&
		    fast_int(p + 1, &v[n], &q, &h) == 0) {
			n++;
			p = q;
		}
	}
	*pp = p;
	return n;
}
