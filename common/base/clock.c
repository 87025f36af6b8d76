#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/errbuf.h"
#include "base/parse.h"

static int64_t
ms_of(clockid_t id)
{
	struct timespec ts = { 0, 0 };

	/* Fails only for a clock id the kernel lacks; both ours exist on
	 * every Linux we run on. */
	(void)clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
clock_mono_ms(void)
{
	return ms_of(CLOCK_MONOTONIC);
}

int64_t
clock_real_ms(void)
{
	return ms_of(CLOCK_REALTIME);
}

/* Write v >= 0 at p in at least width digits; returns the end. */
static char *
put(char *p, int64_t v, int width)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	while (n < width)
		tmp[n++] = '0';
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

void
clock_rfc3339(int64_t ms, char out[CLOCK_RFC3339_MAX])
{
	int64_t sec = ms / 1000, rem = ms % 1000, year;
	char *p = out;
	struct tm tm;
	time_t t;

	/* C division truncates toward zero; a time before the epoch must
	 * take the second below it and a positive remainder. */
	if (rem < 0) {
		rem += 1000;
		sec--;
	}
	t = (time_t)sec;
	if (gmtime_r(&t, &tm) == NULL) {
		/* Not reached: every int64 ms second has an int year. */
		out[0] = '\0';
		return;
	}
	/* By hand, not snprintf: the widest, "-292275055-05-16T16:47:04.192Z",
	 * is 30 bytes, which the compiler cannot know of tm_year. */
	year = (int64_t)tm.tm_year + 1900;
	if (year < 0) {
		*p++ = '-';
		year = -year;
	}
	p = put(p, year, 4);
	*p++ = '-';
	p = put(p, tm.tm_mon + 1, 2);
	*p++ = '-';
	p = put(p, tm.tm_mday, 2);
	*p++ = 'T';
	p = put(p, tm.tm_hour, 2);
	*p++ = ':';
	p = put(p, tm.tm_min, 2);
	*p++ = ':';
	p = put(p, tm.tm_sec, 2);
	*p++ = '.';
	p = put(p, rem, 3);
	*p++ = 'Z';
	*p = '\0';
}

static int
isdig(char c)
{
	return c >= '0' && c <= '9';
}

/* The n digits at s as a number, or -1 if any of them is not a digit. */
static int
fixed(const char *s, int n)
{
	int v = 0;

	while (n-- > 0) {
		if (!isdig(*s))
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	return v;
}

static int
days_in(int year, int month)
{
	static const int mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (month == 2 && year % 4 == 0 && (year % 100 != 0 ||
	    year % 400 == 0))
		return 29;
	return mdays[month - 1];
}

/*
 * Unix seconds, Prometheus' first try (strconv.ParseFloat): [+-] digits
 * [. digits], a digit somewhere.  0 if s has that shape and fits, -1 with
 * err set if it has the shape but not the range, 1 if it is not a number.
 */
static int
parse_unix(const char *s, const char *q, int64_t *ms, char *err)
{
	const char *p = s, *frac = NULL;
	uint64_t sec = 0, part = 0;
	int neg = 0, ndig = 0, i, over = 0;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	for (; isdig(*p); p++, ndig++) {
		if (sec > (UINT64_MAX - 9) / 10)
			over = 1;
		else
			sec = sec * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		frac = ++p;
		for (; isdig(*p); p++)
			ndig++;
	}
	if (*p != '\0' || ndig == 0)
		return 1;
	if (frac != NULL) {
		/* Three digits of milliseconds, then the fourth rounds:
		 * halves go away from zero, as Go's math.Round does. */
		for (i = 0; i < 3; i++) {
			part *= 10;
			if (isdig(*frac))
				part += (uint64_t)(*frac++ - '0');
		}
		if (*frac >= '5' && *frac <= '9')
			part++;
	}
	if (over || sec > ((uint64_t)INT64_MAX - part) / 1000)
		return errbuf_set(err, "bad time '%s': out of range", q);
	sec = sec * 1000 + part;
	*ms = neg ? -(int64_t)sec : (int64_t)sec;
	return 0;
}

/* RFC 3339 as Go's time.Parse(time.RFC3339Nano) takes it. */
static int
parse_rfc3339(const char *s, const char *q, int64_t *ms, char *err)
{
	int year, mon, day, hour, min, sec, oh, om, frac = 0, i;
	const char *p;
	int64_t off = 0;
	struct tm tm;
	time_t t;

	if (strlen(s) < 20 || (year = fixed(s, 4)) == -1 || s[4] != '-' ||
	    (mon = fixed(s + 5, 2)) == -1 || s[7] != '-' ||
	    (day = fixed(s + 8, 2)) == -1 || s[10] != 'T' ||
	    (hour = fixed(s + 11, 2)) == -1 || s[13] != ':' ||
	    (min = fixed(s + 14, 2)) == -1 || s[16] != ':' ||
	    (sec = fixed(s + 17, 2)) == -1)
		return errbuf_set(err, "bad time '%s': want RFC 3339 like "
		    "2015-07-01T20:10:51Z or Unix seconds", q);
	if (mon < 1 || mon > 12)
		return errbuf_set(err, "bad time '%s': month out of range", q);
	if (day < 1 || day > days_in(year, mon))
		return errbuf_set(err, "bad time '%s': day out of range", q);
	if (hour > 23)
		return errbuf_set(err, "bad time '%s': hour out of range", q);
	if (min > 59)
		return errbuf_set(err, "bad time '%s': minute out of range",
		    q);
	if (sec > 59)
		return errbuf_set(err, "bad time '%s': second out of range",
		    q);
	p = s + 19;
	if (p[0] == '.' && isdig(p[1])) {
		/* Cut, not rounded, to ms: Prometheus keeps ns, then
		 * divides. */
		for (p++, i = 0; isdig(*p); p++, i++)
			if (i < 3)
				frac = frac * 10 + (*p - '0');
		for (; i < 3; i++)
			frac *= 10;
	}
	if (strcmp(p, "Z") != 0) {
		if (strlen(p) != 6 || (p[0] != '+' && p[0] != '-') ||
		    (oh = fixed(p + 1, 2)) == -1 || p[3] != ':' ||
		    (om = fixed(p + 4, 2)) == -1)
			return errbuf_set(err, "bad time '%s': want 'Z' or "
			    "an offset like +02:00 after the time", q);
		if (oh > 23 || om > 59)
			return errbuf_set(err, "bad time '%s': "
			    "offset out of range", q);
		off = (int64_t)(oh * 60 + om) * 60;
		if (p[0] == '-')
			off = -off;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	/* The fields are checked above, so timegm has nothing to
	 * normalise, and years 0000-9999 fit any 64-bit time_t. */
	t = timegm(&tm);
	*ms = ((int64_t)t - off) * 1000 + frac;
	return 0;
}

int
clock_parse_time(const char *s, int64_t *ms, char *err)
{
	char q[PARSE_QUOTE_MAX];
	int r;

	if (*s == '\0')
		return errbuf_set(err, "bad time '': empty");
	parse_quote(s, q);
	if ((r = parse_unix(s, q, ms, err)) != 1)
		return r;
	return parse_rfc3339(s, q, ms, err);
}
