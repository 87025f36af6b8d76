/*
 * ULIDs as a 128-bit number held in two 64-bit halves: base32 text is that
 * number in 26 five-bit digits, so both directions are shifts, with no
 * per-character table of byte positions to get wrong.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "tsdb/ulid.h"

static const char digits[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* The value of base32 digit c in either case, -1 if it is not one. */
static int
digit(unsigned char c)
{
	const char *p;

	if (c >= 'a' && c <= 'z')
		c = (unsigned char)(c - 'a' + 'A');
	if (c == '\0' || (p = strchr(digits, c)) == NULL)
		return -1;
	return (int)(p - digits);
}

static uint64_t
get64(const unsigned char *p)
{
	uint64_t x = 0;
	int i;

	for (i = 0; i < 8; i++)
		x = x << 8 | p[i];
	return x;
}

static void
put64(unsigned char *p, uint64_t x)
{
	int i;

	for (i = 7; i >= 0; i--, x >>= 8)
		p[i] = (unsigned char)x;
}

int
ulid_parse(const char *s, struct ulid *out)
{
	uint64_t hi = 0, lo = 0;
	int i, d;

	if (strnlen(s, ULID_LEN + 1) != ULID_LEN || s[0] > '7')
		return -1;
	for (i = 0; i < ULID_LEN; i++) {
		if ((d = digit((unsigned char)s[i])) == -1)
			return -1;
		/* Shift the 128-bit number left by one digit.  The first
		 * digit is at most 7, so no set bit is ever shifted out. */
		hi = hi << 5 | lo >> 59;
		lo = lo << 5 | (uint64_t)d;
	}
	put64(out->b, hi);
	put64(out->b + 8, lo);
	return 0;
}

void
ulid_format(const struct ulid *u, char out[ULID_LEN + 1])
{
	uint64_t hi = get64(u->b), lo = get64(u->b + 8);
	int i;

	for (i = ULID_LEN - 1; i >= 0; i--) {
		out[i] = digits[lo & 31];
		lo = lo >> 5 | hi << 59;
		hi >>= 5;
	}
	out[ULID_LEN] = '\0';
}

uint64_t
ulid_time_ms(const struct ulid *u)
{
	return get64(u->b) >> 16;
}

int
ulid_new(struct ulid *u, uint64_t ms)
{
	unsigned char r[10];
	size_t got = 0;
	ssize_t n;
	int i;

	if (ms > ULID_MAX_MS) {
		errno = EINVAL;
		return -1;
	}
	/* getrandom(2) returns fewer bytes only when a signal interrupts
	 * it; 10 bytes never block once the pool is initialised. */
	while (got < sizeof(r)) {
		n = getrandom(r + got, sizeof(r) - got, 0);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)n;
	}
	for (i = 5; i >= 0; i--, ms >>= 8)
		u->b[i] = (unsigned char)ms;
	memcpy(u->b + 6, r, sizeof(r));
	return 0;
}

int
ulid_compare(const struct ulid *a, const struct ulid *b)
{
	return memcmp(a->b, b->b, sizeof(a->b));
}
