/*
 * floatfmt: float64 to text the way Go's strconv.FormatFloat does it with
 * precision -1: the fewest digits that read back as the same float64.
 * Prometheus prints values this way ('g' in promtool tsdb dump and in
 * series lines, 'f' in the HTTP API), so matching it digit for digit is
 * what lets our output be compared byte for byte with the real one.
 *
 * The digits are those of Go: of all the decimals that read back as v
 * (round to nearest, ties to even), those with the fewest significant
 * digits, and of these the one closest to v.  They come from Giulietti's
 * Schubfach ("The Schubfach way to render doubles", 2020): one 64 x 128
 * bit product per bound of the rounding interval, no loop over lengths,
 * no big numbers except once, thread-safely, to build the table of powers
 * of ten.  Nothing here allocates.
 */
#ifndef BASE_FLOATFMT_H
#define BASE_FLOATFMT_H

#include <stddef.h>
#include <stdint.h>

/* Longest output, NUL included ("-1.2345678901234567e-308" is 24). */
#define FLOATFMT_MAX	32

/* Go 'g', -1: the exponent form (1e+06, 2.5e-05) when the decimal
 * exponent is below -4 or at least 6, plain decimal otherwise; NaN, +Inf,
 * -Inf and -0 spelled as Go does.  Returns out. */
char	*floatfmt_g(double v, char out[FLOATFMT_MAX]);
/* The same, returning the length (what strlen(out) would be). */
size_t	 floatfmt_g_len(double v, char out[FLOATFMT_MAX]);

/* n in decimal at out (at most 20 bytes, no NUL); returns the length.
 * Up to FLOATFMT_U64_MAX bytes of out may be written: the digits are
 * written in words of eight.  The digit writer behind the above, for the
 * integers written next to floats (timestamps). */
#define FLOATFMT_U64_MAX	28
size_t	 floatfmt_u64(uint64_t n, char *out);

/* Go 'f', -1: never an exponent (the HTTP API's sample values).
 * out needs up to 330 bytes for extreme exponents. */
#define FLOATFMT_F_MAX	340
char	*floatfmt_f(double v, char out[FLOATFMT_F_MAX]);

/* The shortest digits of |v|, without sign, dot or trailing zeros,
 * NUL-terminated in digits; *exp gets the decimal exponent of the first
 * digit, so that |v| reads as d1.d2d3... * 10^exp.  Returns how many
 * digits (1 to 17); 0, with digits empty, when v is zero, infinite or
 * NaN.  floatfmt_g and floatfmt_f lay these out; the unit test checks
 * them against printf and strtod and against exact arithmetic. */
#define FLOATFMT_DIGITS_MAX	18
int	 floatfmt_digits(double v, char digits[FLOATFMT_DIGITS_MAX], int *exp);

/* The table of powers of ten behind the above, for readers of decimals
 * (base/jsonnum) that need the same 126 bits: 10^p, p from
 * FLOATFMT_POW10_MIN to FLOATFMT_POW10_MAX, as g = hi * 2^64 + lo and e
 * with g - 1 <= 10^p * 2^(125 - e) < g and 2^125 < g <= 2^126, so e is
 * floor(log2(10^p)). */
#define FLOATFMT_POW10_MIN	(-292)
#define FLOATFMT_POW10_MAX	324
void	 floatfmt_pow10(int p, uint64_t *hi, uint64_t *lo, int *e);

#endif
