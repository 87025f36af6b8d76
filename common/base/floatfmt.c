#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/digits.h"
#include "base/floatfmt.h"

/*
 * Schubfach, in short.  A finite double v > 0 is c * 2^q, c an integer
 * below 2^53.  Every real in its rounding interval R reads back as v; R
 * reaches half way to the doubles on either side, its ends included only
 * when c is even (ties to even).  Scaled by 10^-k, with k chosen so that
 * R is at least 1 and less than 10 wide, R holds at least one integer
 * and at most one multiple of ten.  The decimals with fewest digits in R
 * are then that multiple of ten, if there is one, or else the integers
 * next to v * 10^-k.
 *
 * v * 10^-k and the ends of R are computed as c * 2^q times a 126-bit
 * approximation g of 10^-k from above, kept to two bits below the point
 * and rounded to odd.  Giulietti proves that for every double the result
 * sits on the same side of each integer and half integer as the exact
 * value, so comparing with the candidates is exact.
 */

#define C_MIN	((uint64_t)1 << 52)	/* smallest normal significand */
#define Q_MIN	(-1074)			/* exponent of c for denormals */
#define K_MIN	(-324)			/* k over all finite doubles */
#define K_MAX	292
#define BIG_WORDS 26			/* 5^325 has 755 bits */

/* g > 10^-k * 2^(125 - e2) >= g - 1, so 2^125 < g <= 2^126. */
struct pow10 {
	uint64_t	hi, lo;
	int		e2;		/* floor(log2(10^-k)) */
};

static struct pow10 pow10tab[K_MAX - K_MIN + 1];
static pthread_once_t pow10once = PTHREAD_ONCE_INIT;
static int pow10built;	/* set, with release, once pow10tab is whole */

/* Exact unsigned integers, only to build pow10tab. */
struct big {
	uint32_t	w[BIG_WORDS];	/* least significant first */
	int		n;		/* words in use, the top one not 0 */
};

static void
big_mul5(struct big *b)
{
	uint64_t carry = 0;

	for (int i = 0; i < b->n; i++) {
		carry += (uint64_t)b->w[i] * 5;
		b->w[i] = (uint32_t)carry;
		carry >>= 32;
	}
	if (carry != 0)
		b->w[b->n++] = (uint32_t)carry;
}

static void
big_shl1(struct big *b)
{
	uint32_t carry = 0, top;

	for (int i = 0; i < b->n; i++) {
		top = b->w[i] >> 31;
		b->w[i] = b->w[i] << 1 | carry;
		carry = top;
	}
	if (carry != 0)
		b->w[b->n++] = carry;
}

static int
big_cmp(const struct big *a, const struct big *b)
{
	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	for (int i = a->n - 1; i >= 0; i--)
		if (a->w[i] != b->w[i])
			return a->w[i] < b->w[i] ? -1 : 1;
	return 0;
}

/* a -= b, with a >= b. */
static void
big_sub(struct big *a, const struct big *b)
{
	uint64_t borrow = 0, d;

	for (int i = 0; i < a->n; i++) {
		d = (uint64_t)a->w[i] - (i < b->n ? b->w[i] : 0) - borrow;
		a->w[i] = (uint32_t)d;
		borrow = d >> 63;
	}
	while (a->n > 0 && a->w[a->n - 1] == 0)
		a->n--;
}

static int
big_bitlen(const struct big *b)
{
	return 32 * b->n - __builtin_clz(b->w[b->n - 1]);
}

static unsigned
big_bit(const struct big *b, int i)
{
	return i >= 0 && i / 32 < b->n ? b->w[i / 32] >> i % 32 & 1 : 0;
}

/* The top 126 bits of b (len bits long), rounded down. */
static unsigned __int128
big_top126(const struct big *b, int len)
{
	unsigned __int128 g = 0;

	for (int i = len - 1; i >= len - 126; i--)
		g = g << 1 | big_bit(b, i);
	return g;
}

/* floor(2^(125 + len) / d), d len bits long and not a power of two,
 * by long division one bit at a time. */
static unsigned __int128
big_recip126(const struct big *d, int len)
{
	struct big r = { { 0 }, 0 };
	unsigned __int128 g = 0;

	/* 2^(len - 1) < d: the quotient bits above bit 125 are all 0. */
	r.w[(len - 1) / 32] = (uint32_t)1 << (len - 1) % 32;
	r.n = (len - 1) / 32 + 1;
	for (int i = 0; i < 126; i++) {
		big_shl1(&r);
		g <<= 1;
		if (big_cmp(&r, d) >= 0) {
			big_sub(&r, d);
			g |= 1;
		}
	}
	return g;
}

static void
pow10_set(int k, unsigned __int128 g, int e2)
{
	g++;
	pow10tab[k - K_MIN].hi = (uint64_t)(g >> 64);
	pow10tab[k - K_MIN].lo = (uint64_t)g;
	pow10tab[k - K_MIN].e2 = e2;
}

/* 10^e = 5^e * 2^e has the bits of 5^e; 10^-e = 2^-e / 5^e. */
static void
pow10_build(void)
{
	struct big p = { { 1 }, 1 };
	int len;

	for (int e = 0; e <= -K_MIN || e <= K_MAX; e++) {
		len = big_bitlen(&p);
		if (-e >= K_MIN)
			pow10_set(-e, big_top126(&p, len), e + len - 1);
		if (e > 0 && e <= K_MAX)
			pow10_set(e, big_recip126(&p, len), -e - len);
		big_mul5(&p);
	}
	__atomic_store_n(&pow10built, 1, __ATOMIC_RELEASE);
}

/* The table, built on first use.  Past that, one load instead of a call
 * into pthread_once per number. */
static inline void
pow10_ready(void)
{
	if (!__atomic_load_n(&pow10built, __ATOMIC_ACQUIRE))
		pthread_once(&pow10once, pow10_build);
}

void
floatfmt_pow10(int p, uint64_t *hi, uint64_t *lo, int *e)
{
	const struct pow10 *t;

	pow10_ready();
	t = &pow10tab[-p - K_MIN];
	*hi = t->hi;
	*lo = t->lo;
	*e = t->e2;
}

/*
 * floor(q * log10(2)) and floor(q * log10(2) + log10(3/4)) for |q| <=
 * 1100, in fixed point: the logarithms times 2^32, rounded down (checked
 * over that range against exact powers).  gcc and clang shift negative
 * numbers arithmetically, so the shift rounds down too.
 */
static int
flog10pow2(int q)
{
	return (int)((int64_t)q * 1292913986 >> 32);
}

static int
flog10threequarterspow2(int q)
{
	return (int)(((int64_t)q * 1292913986 - 536607788) >> 32);
}

/*
 * Round to odd of g * cp / 2^127: the integer part, with its lowest bit
 * set when bits 64 to 126 of the product are not all zero.  The bits
 * below 64 only hold the excess of g over 10^-k and are left out.
 */
static uint64_t
rop(const struct pow10 *p, uint64_t cp)
{
	unsigned __int128 lo, hi;

	lo = (unsigned __int128)p->lo * cp;
	hi = (unsigned __int128)p->hi * cp + (uint64_t)(lo >> 64);
	return (uint64_t)(hi >> 63) | ((uint64_t)hi << 1 != 0);
}

/*
 * The shortest decimal d * 10^*k in the rounding interval of c * 2^q,
 * of those the closest to it, ties to even.  d may end in zeros.  vb, vbl
 * and vbr count quarter units of 10^*k.
 */
static uint64_t
schubfach(uint64_t c, int q, int *k)
{
	const struct pow10 *p;
	uint64_t cb = c << 2, cbl, cbr = cb + 2, vb, vbl, vbr, s, u, w;
	unsigned out = c & 1;	/* the ends of R are out for odd c */
	int h, inu, inw;

	if (c != C_MIN || q == Q_MIN) {
		cbl = cb - 2;
		*k = flog10pow2(q);
	} else {
		/* A power of two: the double below is nearer. */
		cbl = cb - 1;
		*k = flog10threequarterspow2(q);
	}
	pow10_ready();
	p = &pow10tab[*k - K_MIN];
	h = q + p->e2 + 2;
	vb = rop(p, cb << h);
	vbl = rop(p, cbl << h);
	vbr = rop(p, cbr << h);

	s = vb >> 2;
	u = s / 10 * 10;
	w = u + 10;
	inu = vbl + out <= u << 2;
	inw = (w << 2) + out <= vbr;
	if (inu != inw)
		return inu ? u : w;

	w = s + 1;
	inu = vbl + out <= s << 2;
	inw = (w << 2) + out <= vbr;
	if (inu != inw)
		return inu ? s : w;
	if (vb < 4 * s + 2 || (vb == 4 * s + 2 && (s & 1) == 0))
		return s;
	return w;
}

/* The two digits of r < 100 at p. */
static void
put2(char *p, uint32_t r)
{
	p[0] = (char)('0' + r / 10);
	p[1] = (char)('0' + r % 10);
}

/*
 * The decimal digits of n > 0 into out, NUL-terminated; returns how many.
 * Eight digits at a time, split in pairs in 32-bit arithmetic, so that
 * the divisions need not wait for each other.
 */
static int
utoa(uint64_t n, char *out)
{
	int len = digits_len(n);
	char *p = out + len;
	uint32_t x, hi, lo;

	*p = '\0';
	while (n >= 100000000) {
		x = (uint32_t)(n % 100000000);
		n /= 100000000;
		hi = x / 10000;
		lo = x % 10000;
		p -= 8;
		put2(p, hi / 100);
		put2(p + 2, hi % 100);
		put2(p + 4, lo / 100);
		put2(p + 6, lo % 100);
	}
	for (x = (uint32_t)n; p > out; x /= 10)
		*--p = (char)('0' + x % 10);
	return len;
}

/* Whether |v| is an integer below 2^53, which is then *n: such a double
 * is exactly its own shortest decimal, so it needs no Schubfach. */
static int
smallint(double v, uint64_t *n)
{
	double a = fabs(v);

	if (!(a < 0x1p53))
		return 0;
	*n = (uint64_t)a;
	return (double)*n == a;
}

int
floatfmt_digits(double v, char digits[FLOATFMT_DIGITS_MAX], int *exp)
{
	uint64_t bits, c, d;
	int be, k = 0, nd;

	memcpy(&bits, &v, sizeof(bits));
	be = (int)(bits >> 52 & 0x7ff);
	c = bits & (C_MIN - 1);
	if (be == 0x7ff || (be == 0 && c == 0)) {
		digits[0] = '\0';
		*exp = 0;
		return 0;
	}
	if (!smallint(v, &d)) {
		if (be == 0)
			d = schubfach(c, Q_MIN, &k);
		else
			d = schubfach(c | C_MIN, be - 1075, &k);
	}
	nd = utoa(d, digits);
	*exp = k + nd - 1;
	while (digits[nd - 1] == '0')
		nd--;
	digits[nd] = '\0';
	return nd;
}

static int
special(double v, char *out)
{
	if (isnan(v))
		strcpy(out, "NaN");
	else if (isinf(v))
		strcpy(out, v > 0 ? "+Inf" : "-Inf");
	else if (v == 0)
		strcpy(out, signbit(v) ? "-0" : "0");
	else
		return 0;
	return 1;
}

/* Plain decimal of digits with the first digit at 10^exp. */
static char *
plain(char *o, const char *digits, int nd, int exp)
{
	if (exp < 0) {
		*o++ = '0';
		*o++ = '.';
		for (int i = -1; i > exp; i--)
			*o++ = '0';
		memcpy(o, digits, (size_t)nd);
		o += nd;
	} else {
		for (int i = 0; i <= exp || i < nd; i++) {
			if (i == exp + 1)
				*o++ = '.';
			*o++ = i < nd ? digits[i] : '0';
		}
	}
	*o = '\0';
	return o;
}

static const char pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

size_t
floatfmt_u64(uint64_t n, char *out)
{
	int len = n ? digits_len(n) : 1;

	if (n == 0)
		*out = '0';
	else
		digits_put(out, n, len);
	return (size_t)len;
}

size_t
floatfmt_g_len(double v, char out[FLOATFMT_MAX])
{
	uint64_t bits, c, d;
	char *o = out;
	int be, k = 0, nd, exp;

	memcpy(&bits, &v, sizeof(bits));
	be = (int)(bits >> 52 & 0x7ff);
	c = bits & (C_MIN - 1);
	if (be == 0x7ff || (be == 0 && c == 0)) {
		special(v, out);
		return strlen(out);
	}
	if (bits >> 63)
		*o++ = '-';
	if (smallint(v, &d)) {
		if (d < 1000000) {
			nd = digits_len(d);
			digits_put(o, d, nd);
			o[nd] = '\0';
			return (size_t)(o + nd - out);
		}
	} else if (be == 0)
		d = schubfach(c, Q_MIN, &k);
	else
		d = schubfach(c | C_MIN, be - 1075, &k);
	/* Schubfach's pick may end in zeros (a short decimal, many), Go's
	 * digits do not: strip them in halving steps. */
	while (d % 100000000 == 0) {
		d /= 100000000;
		k += 8;
	}
	if (d % 10000 == 0) {
		d /= 10000;
		k += 4;
	}
	if (d % 100 == 0) {
		d /= 100;
		k += 2;
	}
	if (d % 10 == 0) {
		d /= 10;
		k++;
	}
	nd = digits_len(d);
	exp = k + nd - 1;
	/* Go decides the form by the exponent alone when it prints the
	 * shortest digits (strconv: eprec = 6), so 1e+06 but 123456. */
	if (exp < -4 || exp >= 6) {
		digits_put(o + 1, d, nd);
		o[0] = o[1];
		if (nd > 1) {
			o[1] = '.';
			o += nd + 1;
		} else
			o++;
		*o++ = 'e';
		*o++ = exp < 0 ? '-' : '+';
		exp = abs(exp);
		if (exp >= 100)
			*o++ = (char)('0' + exp / 100);
		memcpy(o, pairs + exp % 100 * 2, 2);
		o += 2;
	} else if (exp < 0) {
		memcpy(o, "0.0000", (size_t)(1 - exp));
		o += 1 - exp;
		digits_put(o, d, nd);
		o += nd;
	} else if (nd > exp + 1) {
		/* The digits one to the right, then the integer part moved
		 * back over the gap for the point. */
		digits_put(o + 1, d, nd);
		for (int i = 0; i <= exp; i++)
			o[i] = o[i + 1];
		o[exp + 1] = '.';
		o += nd + 1;
	} else {
		/* A whole number below 10^6 is a small integer, handled
		 * above: this is for completeness only. */
		digits_put(o, d, nd);
		memset(o + nd, '0', (size_t)(exp + 1 - nd));
		o += exp + 1;
	}
	*o = '\0';
	return (size_t)(o - out);
}

char *
floatfmt_g(double v, char out[FLOATFMT_MAX])
{
	floatfmt_g_len(v, out);
	return out;
}

char *
floatfmt_f(double v, char out[FLOATFMT_F_MAX])
{
	char digits[FLOATFMT_DIGITS_MAX], *o = out;
	uint64_t n;
	int nd, exp;

	if (special(v, out))
		return out;
	if (v < 0)
		*o++ = '-';
	if (smallint(v, &n)) {
		utoa(n, o);
		return out;
	}
	nd = floatfmt_digits(v, digits, &exp);
	plain(o, digits, nd, exp);
	return out;
}
