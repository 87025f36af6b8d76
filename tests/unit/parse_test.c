#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "base/parse.h"
#include "unit.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

#define SEC	1000LL
#define MIN	(60 * SEC)
#define HOUR	(60 * MIN)
#define DAY	(24 * HOUR)
#define WEEK	(7 * DAY)
#define YEAR	(365 * DAY)

static void
test_duration(void)
{
	static const struct {
		const char	*s;
		int64_t		 ms;
	} good[] = {
		{ "0", 0 },
		{ "0s", 0 },
		{ "0ms", 0 },
		{ "00m", 0 },
		{ "30s", 30 * SEC },
		{ "5m", 5 * MIN },
		{ "2h", 2 * HOUR },
		{ "1h30m", HOUR + 30 * MIN },
		{ "500ms", 500 },
		{ "1s500ms", 1500 },
		{ "1d", DAY },
		{ "2w", 2 * WEEK },
		{ "1y", YEAR },
		{ "90d", 90 * DAY },
		{ "1y2w3d4h5m6s7ms", YEAR + 2 * WEEK + 3 * DAY + 4 * HOUR +
		    5 * MIN + 6 * SEC + 7 },
		{ "1y1ms", YEAR + 1 },
		{ "120m", 120 * MIN },
		{ "007s", 7 * SEC },
		{ "9223372036854775807ms", INT64_MAX },
		{ "292471208y", 292471208 * YEAR },
		{ "292471208y35w", 292471208 * YEAR + 35 * WEEK },
	};
	static const struct {
		const char	*s;
		const char	*err;
	} bad[] = {
		{ "", "bad duration '': empty" },
		{ "5", "bad duration '5': missing unit" },
		{ "10", "bad duration '10': missing unit" },
		{ "1h30", "bad duration '1h30': missing unit" },
		{ "5x", "bad duration '5x': unknown unit 'x'" },
		{ "5M", "bad duration '5M': unknown unit 'M'" },
		{ "5 m", "bad duration '5 m': unknown unit ' m'" },
		{ "5m ", "bad duration '5m ': unknown unit 'm '" },
		{ " 5m", "bad duration ' 5m': not a number and unit" },
		{ "m", "bad duration 'm': not a number and unit" },
		{ "+5m", "bad duration '+5m': not a number and unit" },
		{ "-5m", "bad duration '-5m': negative" },
		{ "1.5h", "bad duration '1.5h': fractions are not allowed" },
		{ "1h1h", "bad duration '1h1h': unit 'h' repeated" },
		{ "1m1h", "bad duration '1m1h': unit 'h' after 'm'" },
		{ "1ms1s", "bad duration '1ms1s': unit 's' after 'ms'" },
		{ "1s1s", "bad duration '1s1s': unit 's' repeated" },
		{ "9223372036854775808ms",
		    "bad duration '9223372036854775808ms': out of range" },
		{ "292471209y", "bad duration '292471209y': out of range" },
		{ "292471208y36w",
		    "bad duration '292471208y36w': out of range" },
		{ "99999999999999999999999s",
		    "bad duration '99999999999999999999999s': out of range" },
		{ "5m\n", "bad duration '5m\\x0a': unknown unit 'm\\x0a'" },
		{ "1h 30m", "bad duration '1h 30m': unknown unit 'h '" },
		{ "0x10s", "bad duration '0x10s': unknown unit 'x'" },
	};
	char err[ERR_MAX];
	int64_t ms;
	size_t i;

	for (i = 0; i < NELEM(good); i++) {
		ms = -1;
		err[0] = '\0';
		CHECK_INT(parse_duration(good[i].s, &ms, err), 0);
		CHECK_INT(ms, good[i].ms);
		CHECK_STR(err, "");
	}
	for (i = 0; i < NELEM(bad); i++) {
		ms = 42;
		CHECK_INT(parse_duration(bad[i].s, &ms, err), -1);
		CHECK_STR(err, bad[i].err);
		CHECK_INT(ms, 42);
	}
}

static void
test_duration_format(void)
{
	static const struct {
		int64_t		 ms;
		const char	*s;
	} v[] = {
		{ 0, "0s" },
		{ 1, "1ms" },
		{ 1500, "1s500ms" },
		{ 30 * SEC, "30s" },
		{ 5400000, "1h30m" },
		{ 2 * HOUR, "2h" },
		{ DAY, "1d" },
		{ WEEK, "1w" },
		{ 2 * WEEK, "2w" },
		{ 90 * DAY, "90d" },	/* not 12w6d: w only when exact */
		{ 8 * DAY, "8d" },
		{ YEAR, "1y" },
		{ 2 * YEAR, "2y" },
		{ YEAR + DAY, "366d" },	/* y only when exact either */
		{ YEAR + 1, "365d1ms" },
		{ DAY + HOUR + MIN + SEC + 1, "1d1h1m1s1ms" },
		{ -1500, "-1s500ms" },
		{ INT64_MAX, "106751991167d7h12m55s807ms" },
		{ INT64_MIN, "-106751991167d7h12m55s808ms" },
	};
	char out[PARSE_DURATION_MAX], small[4], err[ERR_MAX];
	int64_t back;
	size_t i;

	for (i = 0; i < NELEM(v); i++) {
		CHECK_INT(parse_duration_format(v[i].ms, out, sizeof(out)),
		    0);
		CHECK_STR(out, v[i].s);
		if (v[i].ms < 0)
			continue;
		/* What we print, we read back. */
		CHECK_INT(parse_duration(out, &back, err), 0);
		CHECK_INT(back, v[i].ms);
	}
	CHECK_INT(parse_duration_format(1500, small, sizeof(small)), -1);
	CHECK_INT(errno, ERANGE);
	CHECK_STR(small, "");
	CHECK_INT(parse_duration_format(HOUR, small, sizeof(small)), 0);
	CHECK_STR(small, "1h");
	CHECK_INT(parse_duration_format(HOUR, small, 2), -1);
	CHECK_INT(parse_duration_format(HOUR, small, 3), 0);
	CHECK_INT(parse_duration_format(HOUR, NULL, 0), -1);
}

static void
test_uint64(void)
{
	char err[ERR_MAX];
	uint64_t v;

	CHECK_INT(parse_uint64("0", 0, 10, &v, err), 0);
	CHECK_INT(v, 0);
	CHECK_INT(parse_uint64("10", 0, 10, &v, err), 0);
	CHECK_INT(v, 10);
	CHECK_INT(parse_uint64("007", 0, 10, &v, err), 0);
	CHECK_INT(v, 7);
	CHECK_INT(parse_uint64("18446744073709551615", 0, UINT64_MAX, &v,
	    err), 0);
	CHECK(v == UINT64_MAX);
	CHECK_INT(parse_uint64("5", 5, 5, &v, err), 0);
	CHECK_INT(v, 5);

	v = 99;
	CHECK_INT(parse_uint64("11", 0, 10, &v, err), -1);
	CHECK_STR(err, "bad number '11': too large (max 10)");
	CHECK_INT(v, 99);
	CHECK_INT(parse_uint64("4", 5, 10, &v, err), -1);
	CHECK_STR(err, "bad number '4': too small (min 5)");
	CHECK_INT(parse_uint64("18446744073709551616", 0, UINT64_MAX, &v,
	    err), -1);
	CHECK_STR(err, "bad number '18446744073709551616': "
	    "too large (max 18446744073709551615)");
	CHECK_INT(parse_uint64("99999999999999999999999", 0, 10, &v, err),
	    -1);
	CHECK_STR(err, "bad number '99999999999999999999999': "
	    "too large (max 10)");
	CHECK_INT(parse_uint64("", 0, 10, &v, err), -1);
	CHECK_STR(err, "bad number '': empty");
	CHECK_INT(parse_uint64("-1", 0, 10, &v, err), -1);
	CHECK_STR(err, "bad number '-1': not a decimal number");
	CHECK_INT(parse_uint64("+1", 0, 10, &v, err), -1);
	CHECK_STR(err, "bad number '+1': not a decimal number");
	CHECK_INT(parse_uint64(" 1", 0, 10, &v, err), -1);
	CHECK_INT(parse_uint64("1 ", 0, 10, &v, err), -1);
	CHECK_STR(err, "bad number '1 ': not a decimal number");
	CHECK_INT(parse_uint64("0x10", 0, 100, &v, err), -1);
	CHECK_INT(parse_uint64("1e3", 0, 10000, &v, err), -1);
	CHECK_INT(parse_uint64("1.0", 0, 10, &v, err), -1);
	CHECK_INT(parse_uint64("12a", 0, 100, &v, err), -1);
	CHECK_STR(err, "bad number '12a': not a decimal number");
	CHECK_INT(v, 99);
}

static void
test_bool(void)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true",
	    "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false",
	    "False" };
	static const char *const bad[] = { "", "yes", "no", "on", "off",
	    "tRUE", "TRue", "2", "00", " true", "true ", "y", "n", "-1" };
	char err[ERR_MAX];
	size_t i;
	int b;

	for (i = 0; i < NELEM(yes); i++) {
		b = -1;
		CHECK_INT(parse_bool(yes[i], &b, err), 0);
		CHECK_INT(b, 1);
		b = -1;
		CHECK_INT(parse_bool(no[i], &b, err), 0);
		CHECK_INT(b, 0);
	}
	for (i = 0; i < NELEM(bad); i++) {
		b = -1;
		CHECK_INT(parse_bool(bad[i], &b, err), -1);
		CHECK_INT(b, -1);
	}
	CHECK_INT(parse_bool("yes", &b, err), -1);
	CHECK_STR(err, "bad boolean 'yes': want true or false");
}

static void
test_size(void)
{
	static const struct {
		const char	*s;
		uint64_t	 bytes;
	} good[] = {
		{ "0", 0 },
		{ "0B", 0 },
		{ "1", 1 },
		{ "1024", 1024 },
		{ "100B", 100 },
		{ "1KB", 1024 },
		{ "1KiB", 1024 },
		{ "512KiB", 512 << 10 },
		{ "250MB", 250ULL << 20 },
		{ "250MiB", 250ULL << 20 },
		{ "2GB", 2ULL << 30 },
		{ "2GiB", 2ULL << 30 },
		{ "3TB", 3ULL << 40 },
		{ "3TiB", 3ULL << 40 },
		{ "1PB", 1ULL << 50 },
		{ "15EiB", 15ULL << 60 },
		{ "1.5KB", 1536 },
		{ "0.5GiB", 1ULL << 29 },
		{ "1.25MB", 1310720 },
		{ "0.1KB", 102 },	/* 102.4, cut to whole bytes */
		{ "1.999999999999999999999999KB", 2047 },
		{ "0.000001KB", 0 },
		{ "15.9999999999999999999EB", UINT64_MAX },
		{ "18446744073709551615", UINT64_MAX },
		{ "18446744073709551615B", UINT64_MAX },
		{ "0016MB", 16ULL << 20 },
	};
	static const struct {
		const char	*s;
		const char	*err;
	} bad[] = {
		{ "", "bad size '': empty" },
		{ "MB", "bad size 'MB': not a number and unit" },
		{ "-1MB", "bad size '-1MB': negative" },
		{ "+1MB", "bad size '+1MB': not a number and unit" },
		{ " 1MB", "bad size ' 1MB': not a number and unit" },
		{ ".5GB", "bad size '.5GB': not a number and unit" },
		{ "5.GB", "bad size '5.GB': no digits after the point" },
		{ "1.5", "bad size '1.5': fraction of a byte" },
		{ "1.5B", "bad size '1.5B': fraction of a byte" },
		{ "1kB", "bad size '1kB': unknown unit 'kB' "
		    "(want B, KB, MB, GB, TB, PB, EB or KiB ... EiB)" },
		{ "1mb", "bad size '1mb': unknown unit 'mb' "
		    "(want B, KB, MB, GB, TB, PB, EB or KiB ... EiB)" },
		{ "1K", "bad size '1K': unknown unit 'K' "
		    "(want B, KB, MB, GB, TB, PB, EB or KiB ... EiB)" },
		{ "1 MB", "bad size '1 MB': unknown unit ' MB' "
		    "(want B, KB, MB, GB, TB, PB, EB or KiB ... EiB)" },
		{ "1MB ", "bad size '1MB ': unknown unit 'MB ' "
		    "(want B, KB, MB, GB, TB, PB, EB or KiB ... EiB)" },
		{ "1GB512MB", "bad size '1GB512MB': unknown unit 'GB512MB' "
		    "(want B, KB, MB, GB, TB, PB, EB or KiB ... EiB)" },
		{ "16EB", "bad size '16EB': out of range" },
		{ "16384PiB", "bad size '16384PiB': out of range" },
		{ "18446744073709551616", "bad size '18446744073709551616': "
		    "out of range" },
		{ "17179869184GB", "bad size '17179869184GB': out of range" },
	};
	char err[ERR_MAX];
	uint64_t v;
	size_t i;

	for (i = 0; i < NELEM(good); i++) {
		v = 12345;
		CHECK_INT(parse_size(good[i].s, &v, err), 0);
		CHECK(v == good[i].bytes);
		if (v != good[i].bytes)
			fprintf(stderr, "  parse_size(\"%s\") = %llu\n",
			    good[i].s, (unsigned long long)v);
	}
	for (i = 0; i < NELEM(bad); i++) {
		v = 12345;
		CHECK_INT(parse_size(bad[i].s, &v, err), -1);
		CHECK_STR(err, bad[i].err);
		CHECK_INT(v, 12345);
	}
}

static void
test_quote(void)
{
	char q[PARSE_QUOTE_MAX], long_[200], want[100];

	CHECK_STR(parse_quote("plain", q), "plain");
	CHECK_STR(parse_quote("", q), "");
	CHECK_STR(parse_quote("a\tb\nc\x7f", q), "a\\x09b\\x0ac\\x7f");
	CHECK_STR(parse_quote("caf\xc3\xa9 'x'", q), "caf\xc3\xa9 'x'");
	memset(long_, 'z', sizeof(long_) - 1);
	long_[sizeof(long_) - 1] = '\0';
	memset(want, 'z', 64);
	memcpy(want + 64, "...", 4);
	CHECK_STR(parse_quote(long_, q), want);
	long_[64] = '\0';
	want[64] = '\0';
	CHECK_STR(parse_quote(long_, q), want);
	/* The worst case fills the buffer exactly. */
	memset(long_, '\n', 199);
	long_[199] = '\0';
	CHECK_INT(strlen(parse_quote(long_, q)), PARSE_QUOTE_MAX - 1);
}

int
main(void)
{
	test_duration();
	test_duration_format();
	test_uint64();
	test_bool();
	test_size();
	test_quote();
	return unit_done();
}
