/*
 * fn_math: the functions of instant vectors and scalars that compute a
 * value per sample (abs, ceil, exp, ln, the trigonometry, round, clamp,
 * sgn, ...) and the small ones around them (time, pi, vector, scalar,
 * sort, absent, timestamp), as Prometheus 2.42 defines them.
 */
#include <math.h>
#include <string.h>

#include "promql/eval.h"
#include "promql/func.h"

typedef double (*mathfn)(double);

static double f_rad(double v) { return v * M_PI / 180; }
static double f_deg(double v) { return v * 180 / M_PI; }

static double
f_sgn(double v)
{
	if (v < 0)
		return -1;
	if (v > 0)
		return 1;
	return v;
}

static const struct {
	const char	*name;
	mathfn		 fn;
} mathfns[] = {
	{ "abs", fabs }, { "ceil", ceil }, { "floor", floor }, { "exp", exp },
	{ "sqrt", sqrt }, { "ln", ev_go_log }, { "log2", ev_go_log2 },
	{ "log10", ev_go_log10 },
	{ "sin", ev_go_sin }, { "cos", ev_go_cos }, { "tan", tan }, { "asin", asin },
	{ "acos", acos }, { "atan", atan }, { "sinh", sinh }, { "cosh", cosh },
	{ "tanh", tanh }, { "asinh", asinh }, { "acosh", acosh },
	{ "atanh", atanh }, { "rad", f_rad }, { "deg", f_deg },
	{ "sgn", f_sgn },
};

/* Every sample through f, without its metric name (simpleFunc). */
static int
apply(struct ev *ev, struct ev_vector *in, int64_t ts, mathfn f,
    struct ev_vector *out)
{
	for (size_t i = 0; i < in->n; i++) {
		const struct promql_lset *ls = lset_drop_name(&ev->q->in,
		    in->s[i].ls);

		if (ls == NULL)
			return ev_nomem(ev);
		if (ev_vector_add(ev, out, ls, ts, f(in->s[i].v)) == -1)
			return -1;
	}
	return 0;
}

int
fn_math(struct ev *ev, struct ev_call *c, struct ev_vector *in, int64_t ts,
    struct ev_vector *out)
{
	const char *name = c->node->fn->name;

	for (size_t i = 0; i < sizeof(mathfns) / sizeof(mathfns[0]); i++)
		if (strcmp(mathfns[i].name, name) == 0)
			return apply(ev, &in[0], ts, mathfns[i].fn, out);
	return ev_fail(ev, PROMQL_INTERNAL, "no function %s", name);
}

static int
clamp(struct ev *ev, struct ev_vector *in, int64_t ts, double min,
    double max, int lo, int hi, struct ev_vector *out)
{
	for (size_t i = 0; i < in->n; i++) {
		const struct promql_lset *ls = lset_drop_name(&ev->q->in,
		    in->s[i].ls);
		double v = in->s[i].v;

		if (ls == NULL)
			return ev_nomem(ev);
		if (hi)
			v = ev_go_min(max, v);
		if (lo)
			v = ev_go_max(min, v);
		if (ev_vector_add(ev, out, ls, ts, v) == -1)
			return -1;
	}
	return 0;
}

int
fn_clamp(struct ev *ev, struct ev_call *c, struct ev_vector *in, int64_t ts,
    struct ev_vector *out)
{
	double min = in[1].s[0].v, max = in[2].s[0].v;

	(void)c;
	if (max < min)
		return 0;
	return clamp(ev, &in[0], ts, min, max, 1, 1, out);
}

int
fn_clamp_min(struct ev *ev, struct ev_call *c, struct ev_vector *in,
    int64_t ts, struct ev_vector *out)
{
	(void)c;
	return clamp(ev, &in[0], ts, in[1].s[0].v, 0, 1, 0, out);
}

int
fn_clamp_max(struct ev *ev, struct ev_call *c, struct ev_vector *in,
    int64_t ts, struct ev_vector *out)
{
	(void)c;
	return clamp(ev, &in[0], ts, 0, in[1].s[0].v, 0, 1, out);
}

int
fn_round(struct ev *ev, struct ev_call *c, struct ev_vector *in, int64_t ts,
    struct ev_vector *out)
{
	double to = c->node->nargs >= 2 ? in[1].s[0].v : 1;
	/* The inverse causes fewer precision problems, says Prometheus;
	 * ties round up. */
	double inv = 1.0 / to;

	for (size_t i = 0; i < in[0].n; i++) {
		const struct promql_lset *ls = lset_drop_name(&ev->q->in,
		    in[0].s[i].ls);

		if (ls == NULL)
			return ev_nomem(ev);
		if (ev_vector_add(ev, out, ls, ts,
		    floor(in[0].s[i].v * inv + 0.5) / inv) == -1)
			return -1;
	}
	return 0;
}

int
fn_time(struct ev *ev, struct ev_call *c, struct ev_vector *in, int64_t ts,
    struct ev_vector *out)
{
	(void)c;
	(void)in;
	return ev_vector_add(ev, out, ev->q->in.empty, ts, (double)ts / 1000);
}

int
fn_pi(struct ev *ev, struct ev_call *c, struct ev_vector *in, int64_t ts,
    struct ev_vector *out)
{
	(void)c;
	(void)in;
	return ev_vector_add(ev, out, ev->q->in.empty, ts, M_PI);
}

int
fn_vector(struct ev *ev, struct ev_call *c, struct ev_vector *in, int64_t ts,
    struct ev_vector *out)
{
	(void)c;
	if (in[0].n == 0)
		return 0;
	return ev_vector_add(ev, out, ev->q->in.empty, ts, in[0].s[0].v);
}

int
fn_scalar(struct ev *ev, struct ev_call *c, struct ev_vector *in, int64_t ts,
    struct ev_vector *out)
{
	(void)c;
	return ev_vector_add(ev, out, ev->q->in.empty, ts,
	    in[0].n == 1 ? in[0].s[0].v : NAN);
}

static int
sort_vec(struct ev *ev, struct ev_vector *in, int desc, struct ev_vector *out)
{
	for (size_t i = 0; i < in->n; i++)
		if (ev_vector_add(ev, out, in->s[i].ls, in->s[i].t,
		    in->s[i].v) == -1)
			return -1;
	promql_sort_samples(out->s, out->n, desc);
	return 0;
}

int
fn_sort(struct ev *ev, struct ev_call *c, struct ev_vector *in, int64_t ts,
    struct ev_vector *out)
{
	(void)c;
	(void)ts;
	return sort_vec(ev, &in[0], 0, out);
}

int
fn_sort_desc(struct ev *ev, struct ev_call *c, struct ev_vector *in,
    int64_t ts, struct ev_vector *out)
{
	(void)c;
	(void)ts;
	return sort_vec(ev, &in[0], 1, out);
}

int
fn_absent(struct ev *ev, struct ev_call *c, struct ev_vector *in, int64_t ts,
    struct ev_vector *out)
{
	const struct promql_lset *ls;

	if (in[0].n > 0)
		return 0;
	if ((ls = ev_absent_labels(ev, c->node->args[0])) == NULL)
		return ev_nomem(ev);
	return ev_vector_add(ev, out, ls, ts, 1);
}

int
fn_timestamp(struct ev *ev, struct ev_call *c, struct ev_vector *in,
    int64_t ts, struct ev_vector *out)
{
	(void)c;
	for (size_t i = 0; i < in[0].n; i++) {
		const struct promql_lset *ls = lset_drop_name(&ev->q->in,
		    in[0].s[i].ls);

		if (ls == NULL)
			return ev_nomem(ev);
		if (ev_vector_add(ev, out, ls, ts,
		    (double)in[0].s[i].t / 1000) == -1)
			return -1;
	}
	return 0;
}

/* histogram_count, histogram_sum, histogram_fraction: float samples have
 * no native histogram, so nothing comes out (as in Prometheus). */
int
fn_native_histogram(struct ev *ev, struct ev_call *c, struct ev_vector *in,
    int64_t ts, struct ev_vector *out)
{
	(void)ev;
	(void)c;
	(void)in;
	(void)ts;
	(void)out;
	return 0;
}
