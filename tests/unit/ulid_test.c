#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "tsdb/ulid.h"
#include "unit.h"

static void
test_vectors(void)
{
	/* The ulid spec's README: ulid(1469918176385) gives
	 * 01ARYZ6S41TSV4RRFFQ69G5FAV.  Its other example,
	 * 01ARZ3NDEKTSV4RRFFQ69G5FAV, is 01563E3AB5D3D6764C61EFB99302BD5B
	 * in hex: a different time, 1469922850259. */
	static const unsigned char want[16] = {
		0x01, 0x56, 0x3E, 0x3A, 0xB5, 0xD3, 0xD6, 0x76,
		0x4C, 0x61, 0xEF, 0xB9, 0x93, 0x02, 0xBD, 0x5B
	};
	struct ulid u;
	char s[ULID_LEN + 1];

	CHECK_INT(ulid_parse("01ARYZ6S41TSV4RRFFQ69G5FAV", &u), 0);
	CHECK_INT(ulid_time_ms(&u), 1469918176385LL);
	ulid_format(&u, s);
	CHECK_STR(s, "01ARYZ6S41TSV4RRFFQ69G5FAV");

	CHECK_INT(ulid_parse("01ARZ3NDEKTSV4RRFFQ69G5FAV", &u), 0);
	CHECK(memcmp(u.b, want, 16) == 0);
	CHECK_INT(ulid_time_ms(&u), 1469922850259LL);
	ulid_format(&u, s);
	CHECK_STR(s, "01ARZ3NDEKTSV4RRFFQ69G5FAV");

	/* Lowercase is read, uppercase written. */
	CHECK_INT(ulid_parse("01arz3ndektsv4rrffq69g5fav", &u), 0);
	CHECK(memcmp(u.b, want, 16) == 0);
	ulid_format(&u, s);
	CHECK_STR(s, "01ARZ3NDEKTSV4RRFFQ69G5FAV");

	CHECK_INT(ulid_parse("00000000000000000000000000", &u), 0);
	CHECK_INT(ulid_time_ms(&u), 0);
	CHECK_INT(ulid_parse("7ZZZZZZZZZZZZZZZZZZZZZZZZZ", &u), 0);
	CHECK(ulid_time_ms(&u) == ULID_MAX_MS);
	CHECK(u.b[0] == 0xFF && u.b[15] == 0xFF);
	ulid_format(&u, s);
	CHECK_STR(s, "7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
}

static void
test_reject(void)
{
	static const char *bad[] = {
		"",
		"01ARZ3NDEKTSV4RRFFQ69G5FA",	/* 25 */
		"01ARZ3NDEKTSV4RRFFQ69G5FAVX",	/* 27 */
		"80000000000000000000000000",	/* overflows 128 bits */
		"ZZZZZZZZZZZZZZZZZZZZZZZZZZ",
		"a1ARZ3NDEKTSV4RRFFQ69G5FAV",	/* 'a' is 10: overflow */
		"01ARZ3NDEKTSV4RRFFQ69G5FAI",	/* I L O U are not digits */
		"01ARZ3NDEKTSV4RRFFQ69G5FAL",
		"01ARZ3NDEKTSV4RRFFQ69G5FAO",
		"01ARZ3NDEKTSV4RRFFQ69G5FAU",
		"01ARZ3NDEKTSV4RRFFQ69G5FAu",
		"01ARZ3NDEKTSV4RRFFQ69G5FA-",
		"01ARZ3NDEKTSV4RRFFQ69G5FA ",
		"01ARZ3NDEKTSV4RRFFQ69G5FA\xff",
		" 01ARZ3NDEKTSV4RRFFQ69G5FA",
	};
	struct ulid u;
	size_t i;
	int bad_ok = 0;

	memset(&u, 0xAA, sizeof(u));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ulid_parse(bad[i], &u) != -1) {
			fprintf(stderr, "accepted '%s'\n", bad[i]);
			bad_ok++;
		}
	CHECK_INT(bad_ok, 0);
	CHECK(u.b[0] == 0xAA && u.b[15] == 0xAA);
	/* The string is NUL-terminated at 26 even if more memory follows. */
	CHECK_INT(ulid_parse("01ARZ3NDEKTSV4RRFFQ69G5FAV\0garbage", &u), 0);
}

static void
test_new(void)
{
	struct ulid a, b, c;
	char s[ULID_LEN + 1];
	uint64_t now = (uint64_t)time(NULL) * 1000;
	int i, same = 0;

	CHECK_INT(ulid_new(&a, now), 0);
	CHECK(ulid_time_ms(&a) == now);
	ulid_format(&a, s);
	CHECK_INT(strlen(s), ULID_LEN);
	CHECK_INT(ulid_parse(s, &b), 0);
	CHECK_INT(ulid_compare(&a, &b), 0);

	/* Same millisecond: random parts differ. */
	for (i = 0; i < 100; i++) {
		CHECK_INT(ulid_new(&b, now), 0);
		if (ulid_compare(&a, &b) == 0)
			same++;
	}
	CHECK_INT(same, 0);

	/* Time orders IDs, and their text sorts the same way. */
	CHECK_INT(ulid_new(&c, now + 1), 0);
	CHECK(ulid_compare(&a, &c) < 0 && ulid_compare(&c, &a) > 0);
	{
		char sa[ULID_LEN + 1], sc[ULID_LEN + 1];

		ulid_format(&a, sa);
		ulid_format(&c, sc);
		CHECK(strcmp(sa, sc) < 0);
	}

	CHECK_INT(ulid_new(&a, ULID_MAX_MS), 0);
	CHECK(ulid_time_ms(&a) == ULID_MAX_MS);
	CHECK_INT(ulid_new(&a, ULID_MAX_MS + 1), -1);
	CHECK_INT(errno, EINVAL);
}

int
main(void)
{
	test_vectors();
	test_reject();
	test_new();
	return unit_done();
}
