/*
 * digits: unsigned integers as decimal text, eight digits to a word.
 *
 * What every writer of numbers (floatfmt, series lines) spends its time
 * on, so the functions are inline.  A word holds eight ASCII digits,
 * the first in its lowest byte, so that storing it little-endian writes
 * them in order; this assumes a little-endian machine (x86-64, arm64).
 * digits_put writes whole words: up to 7 bytes after the digits may be
 * clobbered, and its callers leave that room.
 */
#ifndef BASE_DIGITS_H
#define BASE_DIGITS_H

#include <stdint.h>
#include <string.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "digits writes words of digits little-endian"
#endif

static const uint64_t digits_pow10[20] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
	1000000000, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
	10000000000000ULL, 100000000000000ULL, 1000000000000000ULL,
	10000000000000000ULL, 100000000000000000ULL, 1000000000000000000ULL,
	10000000000000000000ULL
};

/* How many decimal digits n > 0 has: log10(2) is about 1233 / 4096. */
static inline int
digits_len(uint64_t n)
{
	int t = (64 - __builtin_clzll(n)) * 1233 >> 12;

	return t + (n >= digits_pow10[t]);
}

/*
 * The eight digits of x < 10^8, leading zeros included, as a word: x
 * split in fours into two 32-bit lanes, each into hundreds and rest in
 * 16-bit lanes, each into tens and units in bytes, by multiplications
 * with reciprocals that are exact in these ranges (x / 100 = x * 10486
 * >> 20 below 43699, x / 10 = x * 103 >> 10 below 179).  No division
 * waits for another.
 */
static inline __attribute__((always_inline)) uint64_t
digits_word(uint32_t x)
{
	uint64_t v, q, t;

	v = (uint64_t)(x / 10000) | (uint64_t)(x % 10000) << 32;
	q = (v * 10486 >> 20) & 0x0000007f0000007fULL;
	v = q | (v - q * 100) << 16;
	t = (v * 103 >> 10) & 0x000f000f000f000fULL;
	v = t | (v - t * 10) << 8;
	return v + 0x3030303030303030ULL;
}

/* The len = digits_len(n) digits of n > 0 at o, the first word shifted
 * down past its leading zeros. */
static inline __attribute__((always_inline)) void
digits_put(char *o, uint64_t n, int len)
{
	uint64_t v, w, x;

	if (len <= 8) {
		v = digits_word((uint32_t)n) >> (8 * (8 - len));
		memcpy(o, &v, sizeof(v));
	} else if (len <= 16) {
		v = digits_word((uint32_t)(n / 100000000)) >> (8 * (16 - len));
		w = digits_word((uint32_t)(n % 100000000));
		memcpy(o, &v, sizeof(v));
		memcpy(o + len - 8, &w, sizeof(w));
	} else {
		v = digits_word((uint32_t)(n / 10000000000000000ULL)) >>
		    (8 * (24 - len));
		w = digits_word((uint32_t)(n / 100000000 % 100000000));
		x = digits_word((uint32_t)(n % 100000000));
		memcpy(o, &v, sizeof(v));
		memcpy(o + len - 16, &w, sizeof(w));
		memcpy(o + len - 8, &x, sizeof(x));
	}
}

/*
 * Runs of nearby numbers (sorted timestamps, 9 to 16 digits): numbers
 * that share their digits above the last eight share a word for them.
 * Start with digits_run_init; digits_run_put writes n at o and returns
 * the end, with digits_put's 7 bytes of room.
 */
struct digits_run {
	uint64_t	hi;		/* n / 10^8 of the last number */
	uint64_t	word;		/* its digits, shifted down */
	int		len;		/* how many */
};

static inline void
digits_run_init(struct digits_run *r)
{
	r->hi = UINT64_MAX;
	r->word = 0;
	r->len = 0;
}

static inline char *
digits_run_put(struct digits_run *r, char *o, uint64_t n)
{
	uint64_t hi, w;
	int len;

	if (n < 100000000 || n >= 10000000000000000ULL) {
		len = n ? digits_len(n) : 1;
		if (n == 0)
			*o = '0';
		else
			digits_put(o, n, len);
		return o + len;
	}
	hi = n / 100000000;
	if (hi != r->hi) {
		r->hi = hi;
		r->len = digits_len(hi);
		r->word = digits_word((uint32_t)hi) >> (8 * (8 - r->len));
	}
	w = digits_word((uint32_t)(n % 100000000));
	memcpy(o, &r->word, sizeof(r->word));
	memcpy(o + r->len, &w, sizeof(w));
	return o + r->len + 8;
}

#endif
