/*
 * parse: strict parsers for the values of flags and config fields.
 *
 * Invariants: a parser takes the whole string or nothing.  There is no
 * leading or trailing space, no sign where none belongs, no base prefix,
 * and no silent wrap or clamp: a value that does not fit is an error.
 * On success the result is stored and 0 returned; on failure the result
 * is left alone, -1 returned, and char err[ERR_MAX] holds one line naming
 * the value in single quotes, e.g. "bad duration '5x': unknown unit 'x'".
 * Nothing here allocates or keeps a pointer to its input.
 */
#ifndef BASE_PARSE_H
#define BASE_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "base/errbuf.h"

/* Bytes parse_quote needs: 64 shown input bytes, each at most 4 wide. */
#define PARSE_QUOTE_MAX		260
/* Bytes parse_duration_format needs for any int64 ms value. */
#define PARSE_DURATION_MAX	64

/* A Prometheus duration ("30s", "5m", "1h30m", "500ms", "0s") into
 * milliseconds: one or more number+unit pairs, units y w d h m s ms
 * (y = 365d, w = 7d, d = 24h), each at most once and from largest to
 * smallest.  A bare "0" is 0, as in Prometheus; any other number without
 * a unit, an empty string, a sign, a fraction, or a total past
 * INT64_MAX ms is an error.  Prometheus itself stops at INT64_MAX ns,
 * about 292 years: longer values are ours alone. */
int	parse_duration(const char *s, int64_t *ms, char *err);

/* Write ms in Prometheus' canonical form into out (n bytes): "0s" for 0,
 * else d h m s ms parts from largest to smallest, with y and w only when
 * they divide the remainder exactly (5400000 -> "1h30m", 1500 ->
 * "1s500ms", 90 days -> "90d", 14 days -> "2w").  Negative values get
 * a leading '-'.  parse_duration reads every non-negative result back to
 * the same ms.  -1 with errno ERANGE if out is too small (out then holds
 * "" when n > 0); PARSE_DURATION_MAX bytes are always enough. */
int	parse_duration_format(int64_t ms, char *out, size_t n);

/* A decimal number in [min, max] into *out, like strtonum(3): digits
 * only (leading zeros allowed), no sign, no space, no 0x. */
int	parse_uint64(const char *s, uint64_t min, uint64_t max,
	    uint64_t *out, char *err);

/* A boolean as Go's strconv.ParseBool takes it: 1 t T TRUE true True
 * are 1, 0 f F FALSE false False are 0, anything else is an error. */
int	parse_bool(const char *s, int *out, char *err);

/* A size in bytes as Thanos' flags and objstore/cache configs take it
 * (alecthomas/units Base2Bytes): a number, optionally with a fraction,
 * and a unit B, KB, MB, GB, TB, PB, EB or KiB, MiB, GiB, TiB, PiB, EiB.
 * KB and KiB are both 1024 bytes, MB and MiB both 1024 KiB, and so on:
 * Thanos' "MB" is a mebibyte, never 10^6.  Units are case-sensitive
 * ("kB", "mb" are errors).  A plain number is bytes (Thanos wants "B").
 * A fraction needs digits on both sides of the point and a unit of KB or
 * more; what it gives is cut to whole bytes ("1.5KB" = 1536, "0.1KB" =
 * 102), as Thanos does.  Sums like "1GB512MB" are not taken. */
int	parse_size(const char *s, uint64_t *bytes, char *err);

/* Copy s into out (PARSE_QUOTE_MAX bytes, NUL-terminated) so it can sit
 * in a one-line error: control bytes and DEL become \xNN, and input past
 * 64 bytes is cut and marked "...".  Returns out, for use as a printf
 * argument. */
const char *parse_quote(const char *s, char out[PARSE_QUOTE_MAX]);

#endif
