/*
 * errbuf_test: errbuf_set and errbuf_sys format into ERR_MAX bytes, cut
 * long lines with a NUL inside the buffer, never write past it, return -1,
 * and errbuf_sys appends strerror of the errno it was called with and
 * leaves errno as it found it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/errbuf.h"
#include "unit.h"

#define GUARD	32	/* bytes past ERR_MAX that must stay untouched */

static char big[2 * ERR_MAX];

/* err[] with a guard zone after it; fill it with a marker first. */
static char area[ERR_MAX + GUARD];

static void
fill(void)
{
	memset(area, '#', sizeof(area));
}

static int
guard_intact(void)
{
	for (size_t i = ERR_MAX; i < sizeof(area); i++)
		if (area[i] != '#')
			return 0;
	return 1;
}

static void
test_set(void)
{
	char err[ERR_MAX];

	CHECK_INT(errbuf_set(err, "bad line %d: '%s'", 7, "x=y"), -1);
	CHECK_STR(err, "bad line 7: 'x=y'");
	CHECK_INT(errbuf_set(err, "plain"), -1);
	CHECK_STR(err, "plain");
	CHECK_INT(errbuf_set(err, "%s", ""), -1);
	CHECK_STR(err, "");

	/* Exactly ERR_MAX-1 characters fit whole. */
	fill();
	CHECK_INT(errbuf_set(area, "%.*s", ERR_MAX - 1, big), -1);
	CHECK_INT(strlen(area), ERR_MAX - 1);
	CHECK(guard_intact());

	/* Longer is cut to ERR_MAX-1 characters and a NUL. */
	fill();
	CHECK_INT(errbuf_set(area, "%s tail", big), -1);
	CHECK_INT(strlen(area), ERR_MAX - 1);
	CHECK(area[ERR_MAX - 1] == '\0');
	CHECK(memcmp(area, big, ERR_MAX - 1) == 0);
	CHECK(guard_intact());
}

static void
test_sys(void)
{
	char err[ERR_MAX], want[ERR_MAX];

	errno = ENOENT;
	CHECK_INT(errbuf_sys(err, "open %s", "/no/such"), -1);
	CHECK_INT(errno, ENOENT);
	snprintf(want, sizeof(want), "open /no/such: %s", strerror(ENOENT));
	CHECK_STR(err, want);

	errno = EACCES;
	CHECK_INT(errbuf_sys(err, "%s", ""), -1);
	CHECK_INT(errno, EACCES);
	snprintf(want, sizeof(want), ": %s", strerror(EACCES));
	CHECK_STR(err, want);

	/* The errno at the call, not one changed by formatting. */
	errno = ENOSPC;
	CHECK_INT(errbuf_sys(err, "write %s: %d", "f", 12), -1);
	CHECK_INT(errno, ENOSPC);
	snprintf(want, sizeof(want), "write f: 12: %s", strerror(ENOSPC));
	CHECK_STR(err, want);

	/* A prefix that fills the buffer leaves no room for strerror, and
	 * the line is still cut in bounds and ends in a NUL. */
	fill();
	errno = EIO;
	CHECK_INT(errbuf_sys(area, "%s", big), -1);
	CHECK_INT(errno, EIO);
	CHECK_INT(strlen(area), ERR_MAX - 1);
	CHECK(memcmp(area, big, ERR_MAX - 1) == 0);
	CHECK(guard_intact());

	/* Room for part of ": strerror": as much as fits. */
	fill();
	errno = ENOENT;
	CHECK_INT(errbuf_sys(area, "%.*s", ERR_MAX - 4, big), -1);
	CHECK_INT(errno, ENOENT);
	CHECK_INT(strlen(area), ERR_MAX - 1);
	CHECK(memcmp(area + ERR_MAX - 4, ": ", 2) == 0);
	CHECK(area[ERR_MAX - 2] == strerror(ENOENT)[0]);
	CHECK(guard_intact());
}

int
main(void)
{
	memset(big, 'a', sizeof(big) - 1);
	test_set();
	test_sys();
	return unit_done();
}
