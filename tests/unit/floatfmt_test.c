/*
 * floatfmt_test: Go's own spellings first (promtool's outputs, and Go
 * 1.19 strconv.FormatFloat for the rest), then floatfmt_digits against
 * two references that share nothing with Schubfach:
 *
 *   ref_check	glibc's correctly rounded printf and strtod: the method
 *		floatfmt used before, made exact at powers of two.  Some
 *		microseconds a value, so it sees the edge cases and one
 *		value in REF_EVERY of the random ones.
 *   exact_check	the definition, in exact integer arithmetic: the digits
 *		read back as v, no decimal with fewer digits does, none as
 *		long is closer (ties to even).  Every value.
 *
 * FLOATFMT_RANDOM=n checks n random bit patterns and n / 2 random
 * decimal-looking values (default 2000000); FLOATFMT_SEED=s changes the
 * random values; FLOATFMT_BENCH=1 also prints ns per value of
 * floatfmt_digits, floatfmt_g and the old printf-strtod method.
 */
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/floatfmt.h"
#include "unit.h"

#define REF_EVERY	128	/* random values per ref_check */
#define BAD_SHOWN	10	/* failures printed in full */
#define BIG_WORDS	16	/* 2^58 * 5^345 has 860 bits */
#define POW5_MAX	345

static const char *
g(double v)
{
	static char out[FLOATFMT_MAX];

	return floatfmt_g(v, out);
}

static const char *
f(double v)
{
	static char out[FLOATFMT_F_MAX];

	return floatfmt_f(v, out);
}

/* splitmix64: a fixed, seedable sequence. */
static uint64_t rng_state;

static uint64_t
rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15);

	z = (z ^ z >> 30) * 0xbf58476d1ce4e5b9;
	z = (z ^ z >> 27) * 0x94d049bb133111eb;
	return z ^ z >> 31;
}

static double
frombits(uint64_t b)
{
	double v;

	memcpy(&v, &b, sizeof(v));
	return v;
}

static uint64_t
tobits(double v)
{
	uint64_t b;

	memcpy(&b, &v, sizeof(b));
	return b;
}

static uint64_t
pow10u(int n)
{
	uint64_t p = 1;

	while (n-- > 0)
		p *= 10;
	return p;
}

/*
 * Exact integers, just big enough for m * 5^n with m < 2^58 and n <=
 * POW5_MAX: enough for every comparison of a decimal with 17 digits and
 * a double's rounding bound.
 */
struct big {
	uint64_t	w[BIG_WORDS];	/* least significant first */
	int		n;		/* top word not 0 */
};

static struct big pow5[POW5_MAX + 1];

static void
big_mul(struct big *r, const struct big *a, uint64_t m)
{
	unsigned __int128 carry = 0;

	for (int i = 0; i < a->n; i++) {
		carry += (unsigned __int128)a->w[i] * m;
		r->w[i] = (uint64_t)carry;
		carry >>= 64;
	}
	r->n = a->n;
	if (carry != 0)
		r->w[r->n++] = (uint64_t)carry;
}

static void
pow5_init(void)
{
	pow5[0].w[0] = 1;
	pow5[0].n = 1;
	for (int i = 1; i <= POW5_MAX; i++)
		big_mul(&pow5[i], &pow5[i - 1], 5);
}

static int
bitlen(uint64_t x)
{
	return x == 0 ? 0 : 64 - __builtin_clzll(x);
}

static int
big_bitlen(const struct big *p)
{
	return 64 * (p->n - 1) + bitlen(p->w[p->n - 1]);
}

/* The sign of p - y * 2^d, d >= 0. */
static int
big_cmp(const struct big *p, uint64_t y, int d)
{
	int lp = big_bitlen(p), ly = bitlen(y) + d, i = d / 64, r = d % 64;
	uint64_t top;

	if (lp != ly)
		return lp < ly ? -1 : 1;
	/* p has as many bits above d as y has: line them up. */
	top = p->w[i] >> r;
	if (r != 0 && i + 1 < p->n)
		top |= p->w[i + 1] << (64 - r);
	if (top != y)
		return top < y ? -1 : 1;
	if (r != 0 && (p->w[i] & (((uint64_t)1 << r) - 1)) != 0)
		return 1;
	while (i-- > 0)
		if (p->w[i] != 0)
			return 1;
	return 0;
}

/* The sign of p * 2^s - y * 2^t. */
static int
big_cmp2(const struct big *p, int s, uint64_t y, int t)
{
	int lp;

	if (t >= s)
		return big_cmp(p, y, t - s);
	lp = big_bitlen(p) + s - t;
	if (lp != bitlen(y))
		return lp < bitlen(y) ? -1 : 1;
	/* Both fit in 64 bits. */
	return (p->w[0] << (s - t)) < y ? -1 : (p->w[0] << (s - t)) > y;
}

/* The sign of m * 10^x - b * 2^y, m and b > 0. */
static int
cmp_dec_bin(uint64_t m, int x, uint64_t b, int y)
{
	struct big p;

	if (x >= 0) {
		big_mul(&p, &pow5[x], m);
		return big_cmp2(&p, x, b, y);
	}
	big_mul(&p, &pow5[-x], b);
	return -big_cmp2(&p, y, m, x);
}

/* A double's rounding interval: b * 2^y at each end, ends in or out. */
struct bounds {
	uint64_t	c;		/* v = c * 2^q */
	int		q;
	uint64_t	lo, hi;
	int		ylo, yhi;
	int		incl;
};

static void
bounds(double v, struct bounds *r)
{
	uint64_t bits = tobits(v) & ~((uint64_t)1 << 63);
	int be = (int)(bits >> 52);

	r->c = bits & (((uint64_t)1 << 52) - 1);
	r->q = -1074;
	if (be != 0) {
		r->c |= (uint64_t)1 << 52;
		r->q = be - 1075;
	}
	r->incl = (r->c & 1) == 0;
	r->hi = 2 * r->c + 1;
	r->yhi = r->q - 1;
	if (r->c == (uint64_t)1 << 52 && be > 1) {
		/* The double below is nearer: half as far. */
		r->lo = 4 * r->c - 1;
		r->ylo = r->q - 2;
	} else {
		r->lo = 2 * r->c - 1;
		r->ylo = r->q - 1;
	}
}

static int
below_lo(const struct bounds *r, uint64_t m, int x)
{
	int s = cmp_dec_bin(m, x, r->lo, r->ylo);

	return s < 0 || (s == 0 && !r->incl);
}

static int
above_hi(const struct bounds *r, uint64_t m, int x)
{
	int s = cmp_dec_bin(m, x, r->hi, r->yhi);

	return s > 0 || (s == 0 && !r->incl);
}

/*
 * Whether m * 10^x (m of nd digits, not ending in 0) is v's shortest
 * decimal by the definition: inside the rounding interval; the decimals
 * of fewer digits on either side of it (every shorter one is at or past
 * those) outside; the nd-digit neighbour on v's side no closer to v, or
 * as close and m even.
 */
static int
exact_check(double v, uint64_t m, int nd, int x)
{
	struct bounds r;
	uint64_t a, n2;
	int side, mid, x2;

	bounds(v, &r);
	if (m % 10 == 0 || below_lo(&r, m, x) || above_hi(&r, m, x))
		return 0;
	a = m / 10;
	if (nd > 1 && (!below_lo(&r, a, x + 1) || !above_hi(&r, a + 1, x + 1)))
		return 0;
	side = cmp_dec_bin(m, x, r.c, r.q);
	if (side == 0)
		return 1;
	if (side > 0) {
		/* Lower neighbour m - 1, or 9 * 10^(x-1) below 1 * 10^x. */
		n2 = m == 1 ? 19 : 2 * m - 1;
		x2 = m == 1 ? x - 1 : x;
		mid = cmp_dec_bin(n2, x2, r.c, r.q + 1);
		if (mid > 0 || (mid == 0 && (m & 1) != 0))
			return m == 1 ? below_lo(&r, 9, x - 1) :
			    below_lo(&r, m - 1, x);
		return 1;
	}
	mid = cmp_dec_bin(2 * m + 1, x, r.c, r.q + 1);
	if (mid < 0 || (mid == 0 && (m & 1) != 0))
		return above_hi(&r, m + 1, x);
	return 1;
}

static int
reads_back(uint64_t m, int x, double v)
{
	char buf[48];

	snprintf(buf, sizeof(buf), "%" PRIu64 "e%d", m, x);
	return strtod(buf, NULL) == v;
}

/*
 * The p-digit decimal nearest v that reads back as v, as m * 10^x; 0 if
 * there is none.  printf rounds correctly, so it gives the nearest p-digit
 * decimal.  When that one does not read back but another p-digit decimal
 * does, so does its neighbour on the other side of v, the decimals that
 * read back as v being an interval around v: at powers of two, whose
 * interval is narrower below.  With neighbours 0 this is one step of the
 * method floatfmt used before Schubfach, which missed those.
 */
static int
ref_at(double v, int p, int neighbours, uint64_t *m, int *x)
{
	char buf[48], *c;
	uint64_t d = 0, lm;
	int e, lx, found = 0, back;

	snprintf(buf, sizeof(buf), "%.*e", p - 1, v);
	back = strtod(buf, NULL) == v;
	if (!back && !neighbours)
		return 0;
	for (c = buf; *c != 'e'; c++)
		if (*c >= '0' && *c <= '9')
			d = d * 10 + (uint64_t)(*c - '0');
	e = atoi(c + 1) - (p - 1);
	if (back) {
		*m = d;
		*x = e;
		return 1;
	}
	lm = d == pow10u(p - 1) ? pow10u(p) - 1 : d - 1;
	lx = d == pow10u(p - 1) ? e - 1 : e;
	if (reads_back(lm, lx, v)) {
		*m = lm;
		*x = lx;
		found++;
	}
	if (reads_back(d + 1, e, v)) {
		*m = d + 1;
		*x = e;
		found++;
	}
	CHECK(found <= 1);
	return found;
}

/* Whether digits are the nd-digit decimal ref_at finds and no shorter one
 * reads back (if a shorter one did, one with nd - 1 digits would). */
static int
ref_check(double v, uint64_t m, int nd, int x)
{
	uint64_t rm;
	int rx;

	if (!ref_at(v, nd, 1, &rm, &rx))
		return 0;
	while (rm % 10 == 0) {
		rm /= 10;
		rx++;
	}
	if (rm != m || rx != x)
		return 0;
	return nd == 1 || !ref_at(v, nd - 1, 1, &rm, &rx);
}

static int nbad;

/* floatfmt_digits(v) against exact_check, and ref_check if slow. */
static int
check_value(double v, int slow)
{
	char digits[FLOATFMT_DIGITS_MAX];
	uint64_t m = 0;
	int nd, exp, ok;

	nd = floatfmt_digits(v, digits, &exp);
	for (int i = 0; i < nd; i++)
		m = m * 10 + (uint64_t)(digits[i] - '0');
	ok = nd > 0 && nd <= 17 && (int)strlen(digits) == nd &&
	    exact_check(v, m, nd, exp - nd + 1) &&
	    (!slow || ref_check(fabs(v), m, nd, exp - nd + 1));
	unit_checks++;
	if (!ok) {
		unit_failed++;
		if (nbad++ < BAD_SHOWN)
			fprintf(stderr, "floatfmt_digits(%a = %.17g) = %se%d: "
			    "not the shortest\n", v, v, digits, exp);
	}
	return nd;
}

static void
check_neighbours(double v)
{
	check_value(v, 1);
	if (nextafter(v, 0) != 0)
		check_value(nextafter(v, 0), 1);
	if (isfinite(nextafter(v, INFINITY)))
		check_value(nextafter(v, INFINITY), 1);
}

static void
edge_cases(void)
{
	char buf[16];
	double v;

	for (int e = -1074; e <= 1023; e++)
		check_neighbours(ldexp(1, e));
	for (int e = -323; e <= 308; e++) {
		snprintf(buf, sizeof(buf), "1e%d", e);
		check_neighbours(strtod(buf, NULL));
	}
	check_neighbours(DBL_MAX);
	check_neighbours(DBL_MIN);
	for (uint64_t b = 1; b <= 2000; b++) {
		check_value(frombits(b), 1);
		check_value(frombits(((uint64_t)1 << 52) - b), 1);
	}
	for (int i = 0; i < 10000; i++)
		check_value(frombits(rng() >> 12), 1);
	check_value(0.1, 1);
	check_value(0.2, 1);
	check_value(0.3, 1);
	check_value(0.1 + 0.2, 1);
	check_value(1.0 / 3, 1);
	check_value(2.0 / 3, 1);
	/* A thousand steps of 2^(e - 53) either side of 2^e: around 2^53
	 * integers, where the integer shortcut ends. */
	for (int e = 50; e <= 66; e++)
		for (int i = -1000; i <= 1000; i++)
			check_value(ldexp(1, e) + i * ldexp(1, e - 53), 1);
	for (int i = 1; i <= 100000; i++)
		check_value(i, 0);
	/* Odd multiples of powers of two: exact decimals, and the ties
	 * between two shortest decimals (2^-25 = 2.98023223876953125e-8). */
	for (int e = -80; e <= 80; e++)
		for (int c = 1; c < 2000; c += 2) {
			v = ldexp(c, e);
			check_value(v, c % 64 == 1);
		}
}

/* Decimals of exactly nd significant digits: 15 always read back as
 * themselves (DBL_DIG); of 16 and 17, count those that are shortest. */
static void
digit_counts(void)
{
	char buf[48], digits[FLOATFMT_DIGITS_MAX];
	uint64_t m;
	double v;
	int got, exp, x, shortest;

	for (int nd = 15; nd <= 17; nd++) {
		shortest = 0;
		for (int i = 0; i < 5000; i++) {
			m = pow10u(nd - 1) + rng() % (9 * pow10u(nd - 1));
			if (m % 10 == 0)
				m++;
			x = (int)(rng() % 600) - 300 - nd;
			snprintf(buf, sizeof(buf), "%" PRIu64 "e%d", m, x);
			v = strtod(buf, NULL);
			got = check_value(v, 1);
			if (got != nd)
				continue;
			shortest++;
			if (nd == 15) {
				floatfmt_digits(v, digits, &exp);
				snprintf(buf, sizeof(buf), "%" PRIu64, m);
				CHECK_STR(digits, buf);
				CHECK_INT(exp, x + nd - 1);
			}
		}
		if (nd == 15)
			CHECK_INT(shortest, 5000);
		else
			CHECK(shortest > 1000);
	}
}

static double
random_finite(void)
{
	double v;

	do
		v = frombits(rng());
	while (!isfinite(v) || v == 0);
	return v;
}

/* A random integer of 1 to 17 digits times a random power of ten, as
 * double arithmetic gives it: exact below 10^23, close above. */
static double
random_decimal(void)
{
	static const double exact[] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
		1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
		1e21, 1e22
	};
	double m, v;
	int nd, e;

	do {
		nd = 1 + (int)(rng() % 17);
		m = (double)(rng() % pow10u(nd));
		e = (int)(rng() % 650) - 340;
		if (e >= -22 && e <= 22)
			v = e < 0 ? m / exact[-e] : m * exact[e];
		else
			v = m * pow(10, e);
	} while (!isfinite(v) || v == 0);
	return rng() & 1 ? v : -v;
}

static void
random_values(long n)
{
	for (long i = 0; i < n; i++)
		check_value(random_finite(), i % REF_EVERY == 0);
	for (long i = 0; i < n / 2; i++)
		check_value(random_decimal(), i % REF_EVERY == 0);
}

/* floatfmt_g lays out its own digits: the same as laying out those of
 * floatfmt_digits by Go's rules, here the slow and obvious way. */
static void
layout(long n)
{
	char got[FLOATFMT_MAX], want[64], digits[FLOATFMT_DIGITS_MAX];
	double v;
	int nd, exp;

	for (long i = 0; i < n; i++) {
		v = i % 3 == 0 ? random_finite() : i % 3 == 1 ?
		    random_decimal() : (double)(rng() % 2000000) / 8;
		nd = floatfmt_digits(v, digits, &exp);
		if (v == 0)
			strcpy(want, signbit(v) ? "-0" : "0");
		else if (exp < -4 || exp >= 6)
			snprintf(want, sizeof(want), "%s%c%s%s%se%c%02d",
			    v < 0 ? "-" : "", digits[0], nd > 1 ? "." : "",
			    digits + 1, "", exp < 0 ? '-' : '+', abs(exp));
		else if (exp < 0)
			snprintf(want, sizeof(want), "%s0.%.*s%s",
			    v < 0 ? "-" : "", -exp - 1, "0000", digits);
		else if (nd > exp + 1)
			snprintf(want, sizeof(want), "%s%.*s.%s",
			    v < 0 ? "-" : "", exp + 1, digits,
			    digits + exp + 1);
		else
			snprintf(want, sizeof(want), "%s%s%.*s",
			    v < 0 ? "-" : "", digits, exp + 1 - nd, "000000");
		CHECK_INT(floatfmt_g_len(v, got), strlen(want));
		CHECK_STR(got, want);
		if (strcmp(got, want) != 0)
			break;
	}
}

/* Go spells a negative value as "-" and the spelling of its magnitude;
 * both forms read back. */
static void
signs(void)
{
	char pos[FLOATFMT_MAX], neg[FLOATFMT_MAX];
	char fpos[FLOATFMT_F_MAX], fneg[FLOATFMT_F_MAX];
	double v;

	for (int i = 0; i < 10000; i++) {
		v = fabs(i % 2 ? random_finite() : random_decimal());
		floatfmt_g(v, pos);
		floatfmt_g(-v, neg);
		CHECK(neg[0] == '-' && strcmp(neg + 1, pos) == 0);
		floatfmt_f(v, fpos);
		floatfmt_f(-v, fneg);
		CHECK(fneg[0] == '-' && strcmp(fneg + 1, fpos) == 0);
		CHECK(strtod(pos, NULL) == v && strtod(fpos, NULL) == v);
	}
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The fastest of a few runs: the machine may be busy with other work. */
static double
ns_per_value(void (*fn)(const double *, int), const double *vals, int n)
{
	double best = INFINITY, t;

	for (int run = 0; run < 5; run++) {
		t = now();
		fn(vals, n);
		t = (now() - t) / n * 1e9;
		if (t < best)
			best = t;
	}
	return best;
}

static volatile int sink;

static void
run_digits(const double *vals, int n)
{
	char digits[FLOATFMT_DIGITS_MAX];
	int exp;

	for (int i = 0; i < n; i++)
		sink = floatfmt_digits(vals[i], digits, &exp);
}

static void
run_g(const double *vals, int n)
{
	char out[FLOATFMT_MAX];

	for (int i = 0; i < n; i++)
		sink = floatfmt_g(vals[i], out)[0];
}

/* The method floatfmt used before: printf at 1, 2, ... digits until one
 * reads back. */
static void
run_old(const double *vals, int n)
{
	uint64_t m;
	int x, p;

	for (int i = 0; i < n; i++) {
		for (p = 1; p <= 17 && !ref_at(vals[i], p, 0, &m, &x); p++)
			continue;
		sink = p;
	}
}

static void
bench(void)
{
	enum { N = 1 << 18, NOLD = 1 << 12 };
	static double vals[N];

	for (int kind = 0; kind < 2; kind++) {
		for (int i = 0; i < N; i++)
			vals[i] = kind == 0 ? random_finite() : random_decimal();
		printf("%s: floatfmt_digits %.1f ns/value, floatfmt_g %.1f, "
		    "old printf-strtod digits %.0f\n",
		    kind == 0 ? "random bits" : "decimal-looking",
		    ns_per_value(run_digits, vals, N),
		    ns_per_value(run_g, vals, N),
		    ns_per_value(run_old, vals, NOLD));
	}
	fflush(stdout);
}

int
main(void)
{
	const char *env;
	long n = 2000000;

	/* promtool tsdb dump's own outputs (prometheus-formats 9.3, F3). */
	CHECK_STR(g(1000000), "1e+06");
	CHECK_STR(g(999999), "999999");
	CHECK_STR(g(123456.5), "123456.5");
	CHECK_STR(g(1234567.5), "1.2345675e+06");
	CHECK_STR(g(0.0001), "0.0001");
	CHECK_STR(g(0.00001), "1e-05");
	CHECK_STR(g(-0.0), "-0");
	CHECK_STR(g(0.0), "0");
	CHECK_STR(g(1e21), "1e+21");
	CHECK_STR(g(2.5e-5), "2.5e-05");
	CHECK_STR(g(5e-324), "5e-324");
	CHECK_STR(g(0.1), "0.1");
	CHECK_STR(g(NAN), "NaN");
	CHECK_STR(g(INFINITY), "+Inf");
	CHECK_STR(g(-INFINITY), "-Inf");
	CHECK_STR(g(123456789012345678.0), "1.2345678901234568e+17");
	CHECK_STR(g(1.7976931348623157e308), "1.7976931348623157e+308");
	CHECK_STR(g(1), "1");
	CHECK_STR(g(-1.5), "-1.5");
	CHECK_STR(g(100), "100");
	CHECK_STR(g(9.5), "9.5");
	CHECK_STR(g(2.2250738585072014e-308), "2.2250738585072014e-308");
	CHECK_STR(g(9007199254740993.0), "9.007199254740992e+15");
	/* The HTTP API's form never uses an exponent. */
	CHECK_STR(f(1e21), "1000000000000000000000");
	CHECK_STR(f(1), "1");
	CHECK_STR(f(0.1), "0.1");
	CHECK_STR(f(1.5e-7), "0.00000015");
	CHECK_STR(f(-0.0), "-0");
	CHECK_STR(f(123456.5), "123456.5");
	CHECK_STR(f(NAN), "NaN");
	CHECK(strlen(f(5e-324)) == 2 + 323 + 1);

	/* Go 1.19's strconv.FormatFloat(v, 'g' or 'f', -1, 64).  Powers of
	 * two whose shortest decimal lies above them, further than the
	 * nearest decimal as long below, which does not read back (the old
	 * printf method gave 17 digits): */
	CHECK_STR(g(0x1p-24), "5.960464477539063e-08");
	CHECK_STR(f(0x1p-24), "0.00000005960464477539063");
	CHECK_STR(g(0x1p89), "6.189700196426902e+26");
	CHECK_STR(g(0x1p976), "6.386688990511104e+293");
	CHECK_STR(g(0x1p-1017), "7.120236347223045e-307");
	/* Two shortest decimals equally near: the even one. */
	CHECK_STR(g(0x1p-25), "2.9802322387695312e-08");
	CHECK_STR(g(0x3p-24), "1.7881393432617188e-07");
	CHECK_STR(g(0x5p-23), "5.960464477539062e-07");
	/* 15, 16 and 17 digits, integers around 2^53 and 2^54. */
	CHECK_STR(g(123456789012345), "1.23456789012345e+14");
	CHECK_STR(g(1234567890123456), "1.234567890123456e+15");
	CHECK_STR(g(12345678901234567.0), "1.2345678901234568e+16");
	CHECK_STR(f(12345678901234567.0), "12345678901234568");
	CHECK_STR(g(9007199254740991), "9.007199254740991e+15");
	CHECK_STR(f(9007199254740991), "9007199254740991");
	CHECK_STR(g(9007199254740994), "9.007199254740994e+15");
	CHECK_STR(g(18014398509481984.0), "1.8014398509481984e+16");
	CHECK_STR(g(1.2345678901234567e-300), "1.2345678901234568e-300");
	CHECK_STR(g(0.1 + 0.2), "0.30000000000000004");
	CHECK_STR(g(1.0 / 3), "0.3333333333333333");
	CHECK_STR(g(2.0 / 3), "0.6666666666666666");
	CHECK_STR(g(4.35), "4.35");
	CHECK_STR(g(2.675), "2.675");
	CHECK_STR(g(1e-7), "1e-07");
	CHECK_STR(g(1e22), "1e+22");
	CHECK_STR(f(1e22), "10000000000000000000000");
	CHECK_STR(g(1e23), "1e+23");
	CHECK_STR(f(1e23), "100000000000000000000000");
	CHECK_STR(g(0x3p-1074), "1.5e-323");
	CHECK_STR(g(nextafter(DBL_MIN, 0)), "2.225073858507201e-308");
	CHECK_STR(g(-DBL_MAX), "-1.7976931348623157e+308");
	CHECK_STR(g(-999999), "-999999");
	CHECK_STR(g(-1000000), "-1e+06");
	CHECK_STR(f(-1000000), "-1000000");
	CHECK_STR(f(-0.5), "-0.5");

	if ((env = getenv("FLOATFMT_RANDOM")) != NULL)
		n = atol(env);
	rng_state = (env = getenv("FLOATFMT_SEED")) != NULL ?
	    strtoull(env, NULL, 0) : 20240601;
	pow5_init();
	edge_cases();
	digit_counts();
	signs();
	random_values(n);
	layout(300000);
	if (getenv("FLOATFMT_BENCH") != NULL)
		bench();
	return unit_done();
}
