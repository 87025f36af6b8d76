/*
 * ulid: the IDs that name Prometheus and Thanos block directories.
 *
 * A ULID is 128 bits: a 48-bit Unix time in milliseconds, then 80 random
 * bits, written as 26 characters of Crockford base32
 * ("0123456789ABCDEFGHJKMNPQRSTVWXYZ", no I L O U), most significant
 * first.  26 characters carry 130 bits, so the first one is 0-7.
 *
 * Invariants: struct ulid holds the 16 bytes big-endian, so memcmp order
 * (ulid_compare) is time order and is also the order of the text forms,
 * which is how Prometheus sorts its blocks.  ulid_format always writes
 * uppercase, as Go's oklog/ulid does; ulid_parse of ulid_format's output
 * gives back the same bytes.  Nothing here allocates.
 */
#ifndef TSDB_ULID_H
#define TSDB_ULID_H

#include <stdint.h>

#define ULID_LEN	26	/* characters, without the NUL */
#define ULID_MAX_MS	((1ULL << 48) - 1)

struct ulid {
	unsigned char	b[16];	/* big-endian: time (6 bytes), random (10) */
};

/*
 * Parse exactly 26 base32 characters ending in a NUL.  Letters are taken
 * in either case, as oklog/ulid (which Prometheus and Thanos use) takes
 * them.  Every character is checked, as in oklog's ParseStrict: its plain
 * Parse turns I, L, O, U and other bytes into an undefined ID instead.
 * Crockford's aliases (O for 0, I and L for 1) are refused, as oklog
 * refuses them.  A first character above '7' would overflow 128 bits and
 * is refused.  0 on success, -1 (out untouched) otherwise.
 */
int		ulid_parse(const char *s, struct ulid *out);

/* Write the 26 uppercase characters and a NUL into out. */
void		ulid_format(const struct ulid *u, char out[ULID_LEN + 1]);

/* The time part, in milliseconds since the Unix epoch. */
uint64_t	ulid_time_ms(const struct ulid *u);

/* A new ULID at time ms with 80 bits from getrandom(2).  -1 with errno
 * EINVAL if ms does not fit in 48 bits, or getrandom's errno. */
int		ulid_new(struct ulid *u, uint64_t ms);

/* <0, 0 or >0 as a sorts before, equal to or after b (time first). */
int		ulid_compare(const struct ulid *a, const struct ulid *b);

#endif
