/*
 * gofmt: the few pieces of Go's strconv and fmt that PromQL's text
 * depends on, so that what we print and parse is what Prometheus 2.42
 * prints and parses: quoted strings (strconv.Quote, the printer's and the
 * error messages' %q), quoted runes (%q and %#U of a rune), the float
 * forms of the HTTP API ('e' below 1e-6 and from 1e21, 'f' otherwise),
 * and numbers as PromQL reads them (strconv.ParseInt with base 0, then
 * strconv.ParseFloat).
 *
 * Everything appends to a struct buf and returns -1 only when the buffer
 * cannot grow.  Printability of non-ASCII runes is approximated (C1
 * controls, U+00A0, U+00AD, U+2028/9 and U+FEFF are not printable,
 * everything else is): Go's table is much longer, and the difference
 * only shows in how an exotic rune is escaped, never in what it means.
 */
#ifndef PROMQL_GOFMT_H
#define PROMQL_GOFMT_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* strconv.Quote of s (n bytes): "..." with Go's escapes; invalid UTF-8
 * bytes as \xNN. */
int	gofmt_quote(struct buf *b, const char *s, size_t n);
/* %.10q...: at most 10 runes of s quoted, then "..." if s was longer. */
int	gofmt_quote_trunc(struct buf *b, const char *s, size_t n, size_t runes);
/* strconv.QuoteRune: 'x', '\n', '\x00'.  r < 0 is Go's EOF (-1). */
int	gofmt_quote_rune(struct buf *b, int32_t r);
/* %#U: "U+0078 'x'", or "U+000A" for a rune that does not print. */
int	gofmt_rune_u(struct buf *b, int32_t r);

/* The HTTP API's sample value: strconv 'e' when 0 < |v| < 1e-6 or
 * |v| >= 1e21, 'f' otherwise, both with the shortest digits; "NaN",
 * "+Inf", "-Inf". */
int	gofmt_api_float(struct buf *b, double v);

/* Go's %f: six decimals, and NaN, +Inf, -Inf spelled as Go does.
 * Returns out (GOFMT_F_MAX bytes). */
#define GOFMT_F_MAX	340
char	*gofmt_percent_f(double v, char out[GOFMT_F_MAX]);

/* Decode one UTF-8 rune at s (n > 0 bytes) as Go's utf8.DecodeRune:
 * *len gets its width; an invalid sequence is U+FFFD with width 1. */
int32_t	gofmt_decode_rune(const char *s, size_t n, size_t *len);
/* Is r printable, as strconv.IsPrint (approximated, see above)? */
int	gofmt_isprint(int32_t r);

/*
 * A PromQL number token: strconv.ParseInt(s, 0, 64) (0x, 0o, 0b and
 * leading-0 octal prefixes), and when that fails strconv.ParseFloat
 * ("1.5e3", "Inf", "NaN").  -1 when neither takes all of s, or the float
 * overflows; err then holds Go's text ("strconv.ParseFloat: parsing
 * \"1e\": invalid syntax").
 */
int	gofmt_parse_number(const char *s, size_t n, double *out, char *err);

#endif
