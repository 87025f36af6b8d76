/*
 * floatfmt: float64 to text the way Go's strconv.FormatFloat does it with
 * precision -1: the fewest digits that read back as the same float64.
 * Prometheus prints values this way ('g' in promtool tsdb dump and in
 * series lines, 'f' in the HTTP API), so matching it digit for digit is
 * what lets our output be compared byte for byte with the real one.
 *
 * The digits come from glibc's correctly rounded printf at increasing
 * precision, stopping at the first that round-trips.
 */
#ifndef BASE_FLOATFMT_H
#define BASE_FLOATFMT_H

/* Longest output, NUL included ("-1.2345678901234567e-308" is 24). */
#define FLOATFMT_MAX	32

/* Go 'g', -1: the exponent form (1e+06, 2.5e-05) when the decimal
 * exponent is below -4 or at least 6, plain decimal otherwise; NaN, +Inf,
 * -Inf and -0 spelled as Go does.  Returns out. */
char	*floatfmt_g(double v, char out[FLOATFMT_MAX]);

/* Go 'f', -1: never an exponent (the HTTP API's sample values).
 * out needs up to 330 bytes for extreme exponents. */
#define FLOATFMT_F_MAX	340
char	*floatfmt_f(double v, char out[FLOATFMT_F_MAX]);

#endif
