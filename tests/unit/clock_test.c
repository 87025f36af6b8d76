#include <stdint.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "unit.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static void
test_now(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int64_t m0, m1, r;

	m0 = clock_mono_ms();
	nanosleep(&ts, NULL);
	m1 = clock_mono_ms();
	CHECK(m1 - m0 >= 20);
	CHECK(m1 - m0 < 10000);
	r = clock_real_ms();
	/* Between 2020 and 2200: a clock in seconds or ns would miss. */
	CHECK(r > 1577836800000LL && r < 7258118400000LL);
	CHECK((int64_t)time(NULL) - r / 1000 <= 1);
}

static void
test_rfc3339(void)
{
	static const struct {
		int64_t		 ms;
		const char	*s;
	} v[] = {
		{ 0, "1970-01-01T00:00:00.000Z" },
		{ 1, "1970-01-01T00:00:00.001Z" },
		{ -1, "1969-12-31T23:59:59.999Z" },
		{ -1000, "1969-12-31T23:59:59.000Z" },
		{ -1001, "1969-12-31T23:59:58.999Z" },
		{ 1435781451781LL, "2015-07-01T20:10:51.781Z" },
		{ 1795596000123LL, "2026-11-25T08:40:00.123Z" },
		{ 1709208000000LL, "2024-02-29T12:00:00.000Z" },
		{ -2203891200000LL, "1900-03-01T00:00:00.000Z" },
		{ -62167219200000LL, "0000-01-01T00:00:00.000Z" },
		{ 253402300799999LL, "9999-12-31T23:59:59.999Z" },
		{ INT64_MAX, "292278994-08-17T07:12:55.807Z" },
		{ INT64_MIN, "-292275055-05-16T16:47:04.192Z" },
	};
	char out[CLOCK_RFC3339_MAX], err[ERR_MAX];
	int64_t back;
	size_t i;

	for (i = 0; i < NELEM(v); i++) {
		clock_rfc3339(v[i].ms, out);
		CHECK_STR(out, v[i].s);
		if (v[i].ms < -62167219200000LL ||
		    v[i].ms > 253402300799999LL)
			continue;
		/* Years 0000-9999 read back to the same ms. */
		CHECK_INT(clock_parse_time(out, &back, err), 0);
		CHECK_INT(back, v[i].ms);
	}
}

static void
test_parse(void)
{
	static const struct {
		const char	*s;
		int64_t		 ms;
	} good[] = {
		/* RFC 3339 */
		{ "2015-07-01T20:10:51.781Z", 1435781451781LL },
		{ "2015-07-01T20:10:51Z", 1435781451000LL },
		{ "2015-07-01T20:10:51+02:00", 1435774251000LL },
		{ "2015-07-01T20:10:51-07:30", 1435808451000LL },
		{ "2015-07-01T20:10:51.781+00:00", 1435781451781LL },
		{ "2015-07-01T20:10:51.781-00:00", 1435781451781LL },
		{ "2015-07-01T20:10:51.7Z", 1435781451700LL },
		{ "2015-07-01T20:10:51.78Z", 1435781451780LL },
		{ "2015-07-01T20:10:51.7819Z", 1435781451781LL },
		{ "2015-07-01T20:10:51.781999999999Z", 1435781451781LL },
		{ "2015-07-01T20:10:51.000000001Z", 1435781451000LL },
		{ "2024-02-29T12:00:00Z", 1709208000000LL },
		{ "2000-02-29T00:00:00Z", 951782400000LL },
		{ "1970-01-01T00:00:00Z", 0 },
		{ "1970-01-01T00:00:00+23:59", -86340000LL },
		{ "1969-12-31T23:59:59.999Z", -1 },
		{ "0000-01-01T00:00:00Z", -62167219200000LL },
		{ "9999-12-31T23:59:59.999Z", 253402300799999LL },
		/* Unix seconds */
		{ "0", 0 },
		{ "1435781451", 1435781451000LL },
		{ "1435781451.781", 1435781451781LL },
		{ "1435781451.7", 1435781451700LL },
		{ "1435781451.7814", 1435781451781LL },
		{ "1435781451.7815", 1435781451782LL },
		{ "1.9995", 2000 },
		{ "1.0004", 1000 },
		{ "1.", 1000 },
		{ ".5", 500 },
		{ "+1.5", 1500 },
		{ "-1.5", -1500 },
		{ "-0.0005", -1 },
		{ "-0", 0 },
		{ "0001", 1000 },
		{ "9223372036854775.807", INT64_MAX },
		{ "-9223372036854775.807", -INT64_MAX },
	};
	static const struct {
		const char	*s;
		const char	*err;
	} bad[] = {
		{ "", "bad time '': empty" },
		{ "now", "bad time 'now': want RFC 3339 like "
		    "2015-07-01T20:10:51Z or Unix seconds" },
		{ ".", NULL },
		{ "-", NULL },
		{ "1e9", NULL },
		{ "inf", NULL },
		{ "NaN", NULL },
		{ "0x10", NULL },
		{ "1.2.3", NULL },
		{ " 1", NULL },
		{ "1 ", NULL },
		{ "1,5", NULL },
		{ "9223372036854775.808", "bad time '9223372036854775.808': "
		    "out of range" },
		{ "99999999999999999999999", "bad time "
		    "'99999999999999999999999': out of range" },
		{ "2015-07-01", NULL },
		{ "2015-07-01T20:10:51", NULL },
		{ "2015-07-01T20:10Z", NULL },
		{ "2015-07-01 20:10:51Z", NULL },
		{ "2015-07-01t20:10:51Z", NULL },
		{ "2015-7-01T20:10:51Z", NULL },
		{ "15-07-01T20:10:51.000Z", NULL },
		{ "2015-07-01T20:10:51z", "bad time '2015-07-01T20:10:51z': "
		    "want 'Z' or an offset like +02:00 after the time" },
		{ "2015-07-01T20:10:51.Z", NULL },
		{ "2015-07-01T20:10:51,781Z", NULL },
		{ "2015-07-01T20:10:51.781", NULL },
		{ "2015-07-01T20:10:51+0200", NULL },
		{ "2015-07-01T20:10:51+02", NULL },
		{ "2015-07-01T20:10:51+02:00 ", NULL },
		{ "2015-07-01T20:10:51Z ", NULL },
		{ "2015-07-01T20:10:51ZZ", NULL },
		{ "2015-07-01T20:10:51+24:00", "bad time "
		    "'2015-07-01T20:10:51+24:00': offset out of range" },
		{ "2015-07-01T20:10:51+02:60", NULL },
		{ "2015-00-01T00:00:00Z", "bad time '2015-00-01T00:00:00Z': "
		    "month out of range" },
		{ "2015-13-01T00:00:00Z", NULL },
		{ "2015-02-29T00:00:00Z", "bad time '2015-02-29T00:00:00Z': "
		    "day out of range" },
		{ "1900-02-29T00:00:00Z", NULL },
		{ "2015-04-31T00:00:00Z", NULL },
		{ "2015-07-00T00:00:00Z", NULL },
		{ "2015-07-01T24:00:00Z", "bad time '2015-07-01T24:00:00Z': "
		    "hour out of range" },
		{ "2015-07-01T20:60:00Z", "bad time '2015-07-01T20:60:00Z': "
		    "minute out of range" },
		{ "2015-06-30T23:59:60Z", "bad time '2015-06-30T23:59:60Z': "
		    "second out of range" },
		{ "+2015-07-01T20:10:51Z", NULL },
		{ "2015-07-01T20:10:51Z\n", "bad time "
		    "'2015-07-01T20:10:51Z\\x0a': want 'Z' or an offset like "
		    "+02:00 after the time" },
	};
	char err[ERR_MAX];
	int64_t ms;
	size_t i;

	for (i = 0; i < NELEM(good); i++) {
		ms = 42;
		CHECK_INT(clock_parse_time(good[i].s, &ms, err), 0);
		CHECK_INT(ms, good[i].ms);
	}
	for (i = 0; i < NELEM(bad); i++) {
		ms = 42;
		err[0] = '\0';
		CHECK_INT(clock_parse_time(bad[i].s, &ms, err), -1);
		CHECK_INT(ms, 42);
		if (bad[i].err != NULL)
			CHECK_STR(err, bad[i].err);
		else
			CHECK(strncmp(err, "bad time '", 10) == 0 &&
			    strchr(err, '\n') == NULL);
	}
}

int
main(void)
{
	test_now();
	test_rfc3339();
	test_parse();
	return unit_done();
}
