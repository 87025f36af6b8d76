/*
 * jsonnum: the grammar, and every value bit for bit against strtod(3) on
 * edge cases and on millions of random decimals of every shape
 * (JSONNUM_RANDOM=N for more).
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/floatfmt.h"
#include "base/jsonnum.h"
#include "unit.h"

static uint64_t rng_state = 42;

static uint64_t
rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int bad_shown;

/* s must read as strtod reads it, to its end: alone, and followed by
 * more of a line (the fast path needs room to read ahead). */
static void
same1(const char *s, size_t n, size_t len)
{
	const char *next;
	double got = 0, want = strtod(s, NULL);
	int64_t i = 0;
	int r = jsonnum_read(s, s + len, &got, &next), ri;

	unit_checks++;
	if (isinf(want) ? r != JSONNUM_RANGE : (r != 0 || next != s + n ||
	    memcmp(&got, &want, sizeof(got)) != 0)) {
		unit_failed++;
		if (bad_shown++ < 10)
			fprintf(stderr, "jsonnum %s: r=%d got %a want %a\n", s,
			    r, got, want);
	}
	/* The integer reader: the same double, if whole and below 2^53. */
	ri = jsonnum_read_int(s, s + len, &i, &next);
	unit_checks++;
	if (isinf(want) ? ri != JSONNUM_RANGE : want == floor(want) &&
	    fabs(want) < 9007199254740992.0 ? (ri != 0 ||
	    (double)i != want || next != s + n) : ri != JSONNUM_NOTINT) {
		unit_failed++;
		if (bad_shown++ < 10)
			fprintf(stderr, "jsonnum_read_int %s: r=%d got %lld\n",
			    s, ri, (long long)i);
	}
}

static void
same(const char *s)
{
	static const char *after[] = { ",1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9,"
	    "0,1,2,3,4,5,6,7,8,9", "]", "],\"timestamps\":[1,2,3,4,5,6,7,8,9,"
	    "10,11,12,13,14,15,16,17,18,19,20", " , 1" };
	char buf[8192];
	size_t n = strlen(s);

	same1(s, n, n);
	if (n + 100 > sizeof(buf))
		return;
	for (size_t i = 0; i < sizeof(after) / sizeof(after[0]); i++) {
		snprintf(buf, sizeof(buf), "%s%s", s, after[i]);
		same1(buf, n, strlen(buf));
	}
}

/* s (all of it) is not a JSON number, or has text after one; also
 * with room after it. */
static void
bad(const char *s, int stops_at)
{
	char buf[256];
	const char *next;
	double v;
	int r = jsonnum_read(s, s + strlen(s), &v, &next);

	if (stops_at < 0)
		CHECK(r == JSONNUM_SYNTAX);
	else
		CHECK(r == 0 && next == s + stops_at);
	snprintf(buf, sizeof(buf), "%s%s", s, stops_at < 0 ? "" :
	    "                                                            ");
	if (stops_at < 0) {
		/* Cut where it is bad: what follows cannot make it good. */
		snprintf(buf, sizeof(buf), "%s                                "
		    "                                    ", s);
		r = jsonnum_read(buf, buf + strlen(buf), &v, &next);
		CHECK(r == JSONNUM_SYNTAX || (r == 0 &&
		    next < buf + strlen(s)));
	} else {
		r = jsonnum_read(buf, buf + strlen(buf), &v, &next);
		CHECK(r == 0 && next == buf + stops_at);
	}
}

static void
test_edges(void)
{
	static const char *ok[] = {
		"0", "-0", "0.0", "-0.0", "0e0", "0E+5", "0e-99999999999",
		"1", "-1", "12", "1.5", "123456789012345678", "1e308",
		"9007199254740991", "9007199254740992", "9007199254740993",
		"9007199254740994", "9007199254740995", "18446744073709551615",
		"18446744073709551616", "99999999999999999999999",
		"1.7976931348623157e308", "1.7976931348623158e308",
		"1.7976931348623159e308", "2.2250738585072014e-308",
		"2.2250738585072011e-308", "4.9406564584124654e-324",
		"2.4703282292062327e-324", "2.4703282292062328e-324",
		"5e-324", "1e-400", "-1e-400", "1e-342", "1e-343", "1e-330",
		"1e-300", "1.5e-300", "0.1", "12345678", "123456789",
		"1234567812345678", "123456781234567", "1.2345678", "1.23456789",
		"12345678.12345678", "12345678.123456789", "1234567.123456789012",
		"1.5e+06", "1.5e-05", "1.2345678901234567e+10", "1e9999",
		"-1.5e-0005", "123456781234567.8", "1e23", "8.5e-23",
		"0.0e-30", "-0.000e-300", "0.0000000e+999", "0.5e-30",
		"0.30000000000000004", "1e22",
		"1e23", "1e-22", "1e-23", "123.456e-7", "0.000001",
		"1.00000000000000011102230246251565404236316680908203125",
		"1.00000000000000011102230246251565404236316680908203124",
		"1.00000000000000011102230246251565404236316680908203126",
		"7.2057594037927933e16", "1e999", "-1e999", "1e+308",
		"17976931348623157081452742373170435679807056752584499659891"
		"7477832700239683519706406306001089434938002036524286838436"
		"4617306489082018125", "0.00000000000000000000000000000001",
		"3.14159265358979323846264338327950288419716939937510582097",
	};
	static const char *syntax[] = {
		"", "-", "+1", "01", "-01", "00", ".5", "1.", "1.e5", "1e",
		"1e+", "1E-", "-.5", "inf", "NaN", "--1", "e5",
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		same(ok[i]);
	for (size_t i = 0; i < sizeof(syntax) / sizeof(syntax[0]); i++)
		bad(syntax[i], -1);
	bad("1x", 1);
	bad("0x10", 1);
	bad("1.5,", 3);
	bad("-0]", 2);
	bad("1e5e5", 3);
	bad("12345678901234567890123 ", 23);
	{
		/* NUL bytes where a list's next number begins are no
		 * digits, whatever the list remembers of numbers before. */
		static const char nul[] = "1,\0\0\0\0\0\0\0\0001,"
		    "0000000000000000000000000000000000000000000000000000";
		const char *p = nul;
		int64_t iv[4];
		double dv[4];

		CHECK_INT(jsonnum_read_int_list(&p, nul + sizeof(nul) - 1, iv,
		    4), 1);
		CHECK(p == nul + 1 && iv[0] == 1);
		p = nul;
		CHECK_INT(jsonnum_read_list(&p, nul + sizeof(nul) - 1, dv, 4),
		    1);
		CHECK(p == nul + 1 && dv[0] == 1);
	}
	{
		/* A long run of digits: the bounded copy and its sticky
		 * digit. */
		static char big[5000];

		memset(big, '9', sizeof(big) - 1);
		same(big);
		big[0] = '0';
		big[1] = '.';
		same(big);
		memset(big + 2, '0', 1000);
		same(big);
	}
	{
		/* Exactly half way between 1 and the next double, with a
		 * nonzero digit far beyond KEEP_DIGITS. */
		char s[2000] = "1.00000000000000011102230246251565404236316680"
		    "908203125";
		size_t n = strlen(s);

		memset(s + n, '0', 1500);
		strcpy(s + n + 1500, "1");
		same(s);
	}
}

/* Random decimals: 1 to 25 digits, the point anywhere (or after some
 * zeros), an exponent anywhere a double can reach, or none. */
static void
random_decimal(char *s)
{
	int nd = 1 + (int)(rng() % 25), point = (int)(rng() % (nd + 1));
	char d[32], *o = s;

	for (int i = 0; i < nd; i++)
		d[i] = (char)('0' + rng() % 10);
	if (d[0] == '0')
		d[0] = '1';
	if (rng() & 1)
		*o++ = '-';
	if (point == 0) {
		o += sprintf(o, "0.%.*s", (int)(rng() % 6), "00000");
		point = -1;
	}
	for (int i = 0; i < nd; i++) {
		if (i == point)
			*o++ = '.';
		*o++ = d[i];
	}
	if (rng() % 4 != 0)
		o += sprintf(o, "e%d", (int)(rng() % 700) - 350);
	*o = '\0';
}

static void
test_random(long n)
{
	char s[64], out[FLOATFMT_MAX];
	uint64_t b;
	double v;

	for (long i = 0; i < n; i++) {
		random_decimal(s);
		same(s);
		/* What our writer writes: shortest digits of any double. */
		do {
			b = rng();
			memcpy(&v, &b, sizeof(v));
		} while (!isfinite(v));
		same(floatfmt_g(v, out));
		/* Decimal-looking values, as scraped. */
		v = (double)((int64_t)(rng() % 2000000) - 1000000) /
		    pow(10, (double)(rng() % 8));
		same(floatfmt_g(v, out));
	}
}

/*
 * The list readers against one number at a time, on comma-separated
 * runs of every kind of number, from an exact-size heap copy (ASan sees
 * reads past the end).  A list stops where it likes; the caller goes on
 * with jsonnum_read, as the series reader does.
 */
static void
test_lists(int rounds)
{
	char out[FLOATFMT_MAX], *text;
	enum { N = 300 };
	static double want[N], got[N];
	static int64_t iwant[N], igot[N];
	struct buf { char *p; size_t n, cap; } b = { NULL, 0, 0 };

	for (int round = 0; round < rounds; round++) {
		int ints = round % 2;
		int64_t t = 1700000000000LL + (int64_t)(rng() % 1000000000);
		size_t n = 1 + rng() % N, k, i;
		const char *p, *end, *next;

		b.n = 0;
		for (i = 0; i < n; i++) {
			char tmp[64];
			int len;

			if (ints) {
				t += 1 + (int64_t)(rng() % (rng() % 4 == 0 ?
				    100000000 : 20000));
				len = rng() % 50 == 0 ? snprintf(tmp, sizeof(tmp),
				    "%lld.0", (long long)t) : rng() % 50 == 0 ?
				    snprintf(tmp, sizeof(tmp), "-%lld",
				    (long long)(rng() % 100)) :
				    snprintf(tmp, sizeof(tmp), "%lld",
				    (long long)t);
			} else {
				double v;
				uint64_t bits;

				switch (rng() % 5) {
				case 0:
					v = (double)(rng() % 1000000);
					break;
				case 1:
					v = (double)((int64_t)(rng() % 2000000) -
					    1000000) / 1000;
					break;
				case 2:
					v = ((double)(rng() >> 11) /
					    9007199254740992.0 - 0.5) * 200;
					break;
				case 3:
					bits = rng();
					memcpy(&v, &bits, sizeof(v));
					if (!isfinite(v))
						v = 0;
					break;
				default:
					v = (double)(rng() % 100000) * 1e9;
					break;
				}
				len = snprintf(tmp, sizeof(tmp), "%s",
				    floatfmt_g(v, out));
			}
			if (b.n + (size_t)len + 2 > b.cap) {
				b.cap = (b.n + (size_t)len + 2) * 2;
				b.p = realloc(b.p, b.cap);
			}
			if (i > 0)
				b.p[b.n++] = ',';
			memcpy(b.p + b.n, tmp, (size_t)len);
			b.n += (size_t)len;
		}
		b.p[b.n++] = ']';
		text = malloc(b.n);
		memcpy(text, b.p, b.n);
		end = text + b.n;
		/* One at a time. */
		p = text;
		for (i = 0; i < n; i++) {
			if (ints)
				CHECK_INT(jsonnum_read_int(p, end, &iwant[i],
				    &next), 0);
			else
				CHECK_INT(jsonnum_read(p, end, &want[i], &next),
				    0);
			p = next + 1;
		}
		/* As lists. */
		p = text;
		for (i = 0; i < n; ) {
			k = ints ? jsonnum_read_int_list(&p, end, igot + i,
			    n - i) : jsonnum_read_list(&p, end, got + i, n - i);
			if (k == 0) {
				if (ints)
					CHECK_INT(jsonnum_read_int(p, end,
					    &igot[i], &p), 0);
				else
					CHECK_INT(jsonnum_read(p, end, &got[i],
					    &p), 0);
				k = 1;
			}
			i += k;
			CHECK(*p == (i < n ? ',' : ']'));
			p++;
		}
		CHECK(p == end);
		if (ints)
			CHECK(memcmp(igot, iwant, n * sizeof(*igot)) == 0);
		else
			CHECK(memcmp(got, want, n * sizeof(*got)) == 0);
		free(text);
	}
	free(b.p);
}

static double
ns_per(int strtod_too, char (*s)[FLOATFMT_MAX], size_t n)
{
	struct timespec t0, t1;
	const char *next;
	double v, sum = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int round = 0; round < 16; round++)
		for (size_t i = 0; i < n; i++) {
			if (strtod_too)
				v = strtod(s[i], NULL);
			else
				jsonnum_read(s[i], s[i] + strlen(s[i]), &v,
				    &next);
			sum += v;
		}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (sum == 1.5)	/* keep the loop */
		fputc(' ', stderr);
	return ((double)(t1.tv_sec - t0.tv_sec) * 1e9 +
	    (double)(t1.tv_nsec - t0.tv_nsec)) / (double)n / 16;
}

/* JSONNUM_BENCH=1: ns per number, ours and strtod's. */
static void
bench(void)
{
	enum { N = 1 << 12 };	/* in the cache, as a line being read is */
	static char s[N][FLOATFMT_MAX];
	uint64_t b;
	double v;

	for (int kind = 0; kind < 3; kind++) {
		for (size_t i = 0; i < N; i++) {
			if (kind == 0) {
				b = rng() >> 11;
				v = ((double)b / 9007199254740992.0 - 0.5) * 200;
			} else if (kind == 1)
				v = (double)((int64_t)(rng() % 2000000) -
				    1000000) / pow(10, (double)(rng() % 8));
			else {
				snprintf(s[i], sizeof(s[i]), "%llu",
				    1700000000000ULL + rng() % 100000000);
				continue;
			}
			floatfmt_g(v, s[i]);
		}
		printf("%s: jsonnum %.1f ns/number, strtod %.1f\n",
		    kind == 0 ? "full-precision gauges" : kind == 1 ? "decimal-looking" :
		    "timestamps", ns_per(0, s, N), ns_per(1, s, N));
	}
}

int
main(void)
{
	const char *env = getenv("JSONNUM_RANDOM");

	test_edges();
	test_random(env != NULL ? atol(env) : 300000);
	test_lists(2000);
	if (getenv("JSONNUM_BENCH") != NULL)
		bench();
	return unit_done();
}
