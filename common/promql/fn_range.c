/*
 * fn_range: the functions of a range vector, one window at a time, with
 * Prometheus 2.42's arithmetic: rate/increase/delta extrapolated to the
 * window's edges, irate/idelta from the last two samples, least-squares
 * deriv and predict_linear, holt_winters, changes, resets, and the
 * *_over_time family (Kahan-Neumaier sums where Prometheus has them).
 */
#include <math.h>
#include <stdlib.h>

#include "promql/eval.h"
#include "promql/func.h"
#include "promql/gofmt.h"

static void
kahan_inc(double inc, double *sum, double *c)
{
	double t = *sum + inc;

	/* Neumaier: the larger of the two keeps the carry exact. */
	if (fabs(*sum) >= fabs(inc))
		*c += (*sum - t) + inc;
	else
		*c += (inc - t) + *sum;
	*sum = t;
}

/* Go's Duration.Seconds() of ms milliseconds, rounding as Go does. */
static double
go_seconds(int64_t ms)
{
	return (double)(ms / 1000) + (double)(ms % 1000 * 1000000) / 1e9;
}

static int
extrapolated_rate(const struct ev_window *w, int counter, int rate,
    double *out)
{
	const struct promql_point *p = w->p;
	size_t n = w->n;
	int64_t range_start = ev_sub(w->ts, ev_add(w->range, w->offset));
	int64_t range_end = ev_sub(w->ts, w->offset);
	double result, prev, to_start, to_end, sampled, avg, threshold;
	double ext, factor;

	if (n < 2)
		return 0;
	result = p[n - 1].v - p[0].v;
	prev = p[0].v;
	if (counter)
		for (size_t i = 1; i < n; i++) {
			if (p[i].v < prev)
				result += prev;
			prev = p[i].v;
		}
	to_start = (double)ev_sub(p[0].t, range_start) / 1000;
	to_end = (double)ev_sub(range_end, p[n - 1].t) / 1000;
	sampled = (double)(p[n - 1].t - p[0].t) / 1000;
	avg = sampled / (double)(n - 1);
	if (counter && result > 0 && p[0].v >= 0) {
		/* A counter is never negative: do not extrapolate to
		 * before it would have been zero. */
		double to_zero = sampled * (p[0].v / result);

		if (to_zero < to_start)
			to_start = to_zero;
	}
	threshold = avg * 1.1;
	ext = sampled;
	ext += to_start < threshold ? to_start : avg / 2;
	ext += to_end < threshold ? to_end : avg / 2;
	factor = ext / sampled;
	if (rate)
		factor /= go_seconds(w->range);
	*out = result * factor;
	return 1;
}

int
fn_rate(struct ev *ev, const struct ev_window *w, double *out)
{
	(void)ev;
	return extrapolated_rate(w, 1, 1, out);
}

int
fn_increase(struct ev *ev, const struct ev_window *w, double *out)
{
	(void)ev;
	return extrapolated_rate(w, 1, 0, out);
}

int
fn_delta(struct ev *ev, const struct ev_window *w, double *out)
{
	(void)ev;
	return extrapolated_rate(w, 0, 0, out);
}

static int
instant_value(const struct ev_window *w, int rate, double *out)
{
	const struct promql_point *last, *prev;
	double v;
	int64_t dt;

	if (w->n < 2)
		return 0;
	last = &w->p[w->n - 1];
	prev = &w->p[w->n - 2];
	if (rate && last->v < prev->v)
		v = last->v;	/* a counter reset */
	else
		v = last->v - prev->v;
	if ((dt = ev_sub(last->t, prev->t)) == 0)
		return 0;
	if (rate)
		v /= (double)dt / 1000;
	*out = v;
	return 1;
}

int
fn_irate(struct ev *ev, const struct ev_window *w, double *out)
{
	(void)ev;
	return instant_value(w, 1, out);
}

int
fn_idelta(struct ev *ev, const struct ev_window *w, double *out)
{
	(void)ev;
	return instant_value(w, 0, out);
}

/* Least squares over the window, x in seconds from at. */
static void
linear_regression(const struct ev_window *w, int64_t at, double *slope,
    double *intercept)
{
	double n = 0, sx = 0, cx = 0, sy = 0, cy = 0, sxy = 0, cxy = 0;
	double sx2 = 0, cx2 = 0, init = w->p[0].v, cov, var;
	int consty = 1;

	for (size_t i = 0; i < w->n; i++) {
		double x = (double)ev_sub(w->p[i].t, at) / 1e3;
		double y = w->p[i].v;

		if (consty && i > 0 && y != init)
			consty = 0;
		n += 1;
		kahan_inc(x, &sx, &cx);
		kahan_inc(y, &sy, &cy);
		kahan_inc(x * y, &sxy, &cxy);
		kahan_inc(x * x, &sx2, &cx2);
	}
	if (consty) {
		if (isinf(init)) {
			*slope = *intercept = NAN;
			return;
		}
		*slope = 0;
		*intercept = init;
		return;
	}
	sx += cx;
	sy += cy;
	sxy += cxy;
	sx2 += cx2;
	cov = sxy - sx * sy / n;
	var = sx2 - sx * sx / n;
	*slope = cov / var;
	*intercept = sy / n - *slope * sx / n;
}

int
fn_deriv(struct ev *ev, const struct ev_window *w, double *out)
{
	double slope, icept;

	(void)ev;
	if (w->n < 2)
		return 0;
	/* Near the values, for precision (Prometheus issue 2674). */
	linear_regression(w, w->p[0].t, &slope, &icept);
	*out = slope;
	return 1;
}

int
fn_predict_linear(struct ev *ev, const struct ev_window *w, double *out)
{
	double slope, icept;

	(void)ev;
	if (w->n < 2)
		return 0;
	linear_regression(w, w->ts, &slope, &icept);
	*out = slope * w->sargs[1] + icept;
	return 1;
}

int
fn_holt_winters(struct ev *ev, const struct ev_window *w, double *out)
{
	double sf = w->sargs[1], tf = w->sargs[2], s0 = 0, s1, b;
	char f[GOFMT_F_MAX];

	/* Checked before anything else, as in Prometheus (NaN passes). */
	if (sf <= 0 || sf >= 1)
		return ev_fail(ev, PROMQL_EXEC, "invalid smoothing factor. "
		    "Expected: 0 < sf < 1, got: %s", gofmt_percent_f(sf, f));
	if (tf <= 0 || tf >= 1)
		return ev_fail(ev, PROMQL_EXEC, "invalid trend factor. "
		    "Expected: 0 < tf < 1, got: %s", gofmt_percent_f(tf, f));
	if (w->n < 2)
		return 0;
	s1 = w->p[0].v;
	b = w->p[1].v - w->p[0].v;
	for (size_t i = 1; i < w->n; i++) {
		double x = sf * w->p[i].v, y;

		/* The trend at i-1 (calcTrendValue): b itself at 0. */
		if (i - 1 != 0)
			b = tf * (s1 - s0) + (1 - tf) * b;
		y = (1 - sf) * (s1 + b);
		s0 = s1;
		s1 = x + y;
	}
	*out = s1;
	return 1;
}

int
fn_changes(struct ev *ev, const struct ev_window *w, double *out)
{
	double prev = w->p[0].v;
	size_t changes = 0;

	(void)ev;
	for (size_t i = 1; i < w->n; i++) {
		double cur = w->p[i].v;

		if (cur != prev && !(isnan(cur) && isnan(prev)))
			changes++;
		prev = cur;
	}
	*out = (double)changes;
	return 1;
}

int
fn_resets(struct ev *ev, const struct ev_window *w, double *out)
{
	double prev = w->p[0].v;
	size_t resets = 0;

	(void)ev;
	for (size_t i = 1; i < w->n; i++) {
		if (w->p[i].v < prev)
			resets++;
		prev = w->p[i].v;
	}
	*out = (double)resets;
	return 1;
}

int
fn_avg_over_time(struct ev *ev, const struct ev_window *w, double *out)
{
	double mean = 0, count = 0, c = 0;

	(void)ev;
	for (size_t i = 0; i < w->n; i++) {
		double v = w->p[i].v;

		count++;
		if (isinf(mean)) {
			/* Inf stays Inf, unless NaN or -Inf comes. */
			if (isinf(v) && (mean > 0) == (v > 0))
				continue;
			if (!isinf(v) && !isnan(v))
				continue;
		}
		kahan_inc(v / count - mean / count, &mean, &c);
	}
	*out = isinf(mean) ? mean : mean + c;
	return 1;
}

int
fn_count_over_time(struct ev *ev, const struct ev_window *w, double *out)
{
	(void)ev;
	*out = (double)w->n;
	return 1;
}

int
fn_sum_over_time(struct ev *ev, const struct ev_window *w, double *out)
{
	double sum = 0, c = 0;

	(void)ev;
	for (size_t i = 0; i < w->n; i++)
		kahan_inc(w->p[i].v, &sum, &c);
	*out = isinf(sum) ? sum : sum + c;
	return 1;
}

int
fn_min_over_time(struct ev *ev, const struct ev_window *w, double *out)
{
	double min = w->p[0].v;

	(void)ev;
	for (size_t i = 0; i < w->n; i++)
		if (w->p[i].v < min || isnan(min))
			min = w->p[i].v;
	*out = min;
	return 1;
}

int
fn_max_over_time(struct ev *ev, const struct ev_window *w, double *out)
{
	double max = w->p[0].v;

	(void)ev;
	for (size_t i = 0; i < w->n; i++)
		if (w->p[i].v > max || isnan(max))
			max = w->p[i].v;
	*out = max;
	return 1;
}

int
fn_last_over_time(struct ev *ev, const struct ev_window *w, double *out)
{
	(void)ev;
	*out = w->p[w->n - 1].v;
	return 1;
}

int
fn_present_over_time(struct ev *ev, const struct ev_window *w, double *out)
{
	(void)ev;
	(void)w;
	*out = 1;
	return 1;
}

int
fn_absent_over_time(struct ev *ev, const struct ev_window *w, double *out)
{
	(void)ev;
	(void)w;
	*out = 1;
	return 1;
}

int
fn_quantile_over_time(struct ev *ev, const struct ev_window *w, double *out)
{
	double *v = pool_alloc(&ev->q->pool, w->n * sizeof(*v));

	if (v == NULL)
		return ev_nomem(ev);
	for (size_t i = 0; i < w->n; i++)
		v[i] = w->p[i].v;
	*out = fn_quantile(w->sargs[0], v, w->n);
	pool_free(&ev->q->pool, v);
	return 1;
}

static double
variance(const struct ev_window *w)
{
	double count = 0, mean = 0, cmean = 0, aux = 0, caux = 0;

	for (size_t i = 0; i < w->n; i++) {
		double v = w->p[i].v, delta;

		count++;
		delta = v - (mean + cmean);
		kahan_inc(delta / count, &mean, &cmean);
		kahan_inc(delta * (v - (mean + cmean)), &aux, &caux);
	}
	return (aux + caux) / count;
}

int
fn_stddev_over_time(struct ev *ev, const struct ev_window *w, double *out)
{
	(void)ev;
	*out = sqrt(variance(w));
	return 1;
}

int
fn_stdvar_over_time(struct ev *ev, const struct ev_window *w, double *out)
{
	(void)ev;
	*out = variance(w);
	return 1;
}
