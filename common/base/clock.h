/*
 * clock: the time now, and times written as text, in int64 milliseconds.
 *
 * Milliseconds since the Unix epoch (UTC, leap seconds not counted) are
 * what Prometheus' TSDB stores and its HTTP API returns, so they are our
 * one time type.  clock_mono_ms only ever goes forward and is for
 * timeouts and intervals; clock_real_ms can jump and is for timestamps.
 * Nothing here allocates or keeps state.
 */
#ifndef BASE_CLOCK_H
#define BASE_CLOCK_H

#include <stdint.h>

#include "base/errbuf.h"

/* Bytes clock_rfc3339 writes at most, with the NUL. */
#define CLOCK_RFC3339_MAX	32

/* Milliseconds on CLOCK_MONOTONIC: from an unspecified start, never going
 * back.  Cannot fail on Linux. */
int64_t	clock_mono_ms(void);

/* Milliseconds since the Unix epoch on CLOCK_REALTIME.  Cannot fail on
 * Linux. */
int64_t	clock_real_ms(void);

/* ms as RFC 3339 in UTC with exactly three fraction digits, e.g.
 * "2026-11-25T08:40:00.123Z"; times before the epoch round down, so -1 is
 * "1969-12-31T23:59:59.999Z".  Every int64 ms fits in CLOCK_RFC3339_MAX,
 * but years outside 0000-9999 are not RFC 3339 and clock_parse_time will
 * not read them back. */
void	clock_rfc3339(int64_t ms, char out[CLOCK_RFC3339_MAX]);

/* A time as the Prometheus HTTP API takes it (start=, end=, time=), into
 * ms since the epoch:
 *  - RFC 3339, as Go's time.RFC3339Nano reads it: "2015-07-01T20:10:51Z",
 *    with any number of fraction digits after a '.', and 'Z' or an offset
 *    "+02:00"; 'T' and 'Z' upper case, years 0000-9999, the date and
 *    time checked (no Feb 30, no second 60).  Fractions are cut to the
 *    millisecond, as Prometheus does;
 *  - Unix seconds in decimal, with an optional sign and fraction
 *    ("1435781451", "1435781451.781", "-1.5"), rounded to the nearest
 *    millisecond with halves away from zero (Prometheus rounds the same,
 *    but through a float64).  Exponents, "inf" and "nan" are not taken.
 * -1 with a line in err if s is neither or is out of int64 ms range. */
int	clock_parse_time(const char *s, int64_t *ms, char *err);

#endif
