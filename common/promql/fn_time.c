/*
 * fn_time: year(), month(), day_of_month(), day_of_week(), day_of_year(),
 * days_in_month(), hour(), minute() of sample values taken as Unix
 * seconds (or of the step's time without an argument), in UTC, as Go's
 * time package computes them.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "promql/eval.h"
#include "promql/func.h"

struct civil {
	int64_t	 year;
	int	 month, day, hour, minute, wday, yday, mdays;
};

static int
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Unix seconds to a UTC calendar date (Hinnant's days_from_civil, run
 * backwards). */
static void
civil_of(int64_t secs, struct civil *c)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int64_t days = secs / 86400, rem = secs % 86400, z, era, doe, yoe, doy;
	int64_t mp, y;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	c->hour = (int)(rem / 3600);
	c->minute = (int)(rem % 3600 / 60);
	/* 1970-01-01 was a Thursday (4). */
	c->wday = (int)(((days % 7) + 11) % 7);
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	c->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	c->month = (int)(mp < 10 ? mp + 3 : mp - 9);
	c->year = c->month <= 2 ? y + 1 : y;
	c->yday = c->day;
	for (int m = 1; m < c->month; m++)
		c->yday += mdays[m - 1] + (m == 2 && is_leap(c->year));
	c->mdays = mdays[c->month - 1] + (c->month == 2 && is_leap(c->year));
}

static double
part(const char *name, const struct civil *c)
{
	if (strcmp(name, "year") == 0)
		return (double)c->year;
	if (strcmp(name, "month") == 0)
		return c->month;
	if (strcmp(name, "day_of_month") == 0)
		return c->day;
	if (strcmp(name, "day_of_week") == 0)
		return c->wday;
	if (strcmp(name, "day_of_year") == 0)
		return c->yday;
	if (strcmp(name, "days_in_month") == 0)
		return c->mdays;
	if (strcmp(name, "hour") == 0)
		return c->hour;
	return c->minute;
}

/* Go's int64(f) on amd64: out of range (and NaN) is the minimum. */
static int64_t
go_int64(double f)
{
	if (!(f >= -9223372036854775808.0 && f < 9223372036854775808.0))
		return INT64_MIN;
	return (int64_t)f;
}

int
fn_date(struct ev *ev, struct ev_call *c, struct ev_vector *in, int64_t ts,
    struct ev_vector *out)
{
	const char *name = c->node->fn->name;
	struct civil cv;

	if (c->node->nargs == 0) {
		/* Integer division truncates, as Go's enh.Ts/1000. */
		civil_of(ts / 1000, &cv);
		return ev_vector_add(ev, out, ev->q->in.empty, ts,
		    part(name, &cv));
	}
	for (size_t i = 0; i < in[0].n; i++) {
		const struct promql_lset *ls = lset_drop_name(&ev->q->in,
		    in[0].s[i].ls);

		if (ls == NULL)
			return ev_nomem(ev);
		civil_of(go_int64(in[0].s[i].v), &cv);
		if (ev_vector_add(ev, out, ls, ts, part(name, &cv)) == -1)
			return -1;
	}
	return 0;
}
