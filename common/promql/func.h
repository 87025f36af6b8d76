/*
 * func: PromQL's functions, as Prometheus 2.42 lists them
 * (parser/functions.go): names, argument and result types, and the
 * implementations the evaluator calls.
 *
 * A function over a range vector (rate, *_over_time, ...) is called once
 * per series and step with the window of samples (range_fn); every other
 * function once per step with the input vectors (vec_fn).  The native
 * histogram functions (histogram_count, histogram_sum,
 * histogram_fraction) exist and, as Prometheus does for float samples,
 * return nothing.
 */
#ifndef PROMQL_FUNC_H
#define PROMQL_FUNC_H

#include <stddef.h>
#include <stdint.h>

#include "promql/promql.h"

struct ev;
struct ev_vector;
struct ast_node;
struct promql_point;
struct promql_lset;

/* One series' samples in one step's window. */
struct ev_window {
	const struct promql_point *p;
	size_t			 n;
	int64_t			 ts;		/* the step */
	int64_t			 range, offset;	/* of the selector, ms */
	const double		*sargs;		/* scalar args at this step */
	const struct promql_lset *ls;
};

/* A call node's state across steps (a compiled regex, a label cache). */
struct ev_call {
	struct ast_node		*node;
	void			*state;
	void			(*state_free)(void *);
};

/* 1 with *out set, 0 for no value at this step, -1 on error. */
typedef int (*promql_range_fn)(struct ev *ev, const struct ev_window *w,
	    double *out);
/* Append the results of one step to out; -1 on error. */
typedef int (*promql_vec_fn)(struct ev *ev, struct ev_call *c,
	    struct ev_vector *in, int64_t ts, struct ev_vector *out);

struct promql_func {
	const char		*name;
	enum promql_vtype	 argt[5];
	int			 nargt;
	int			 variadic;	/* 0 exact, n more, -1 any */
	enum promql_vtype	 ret;
	int			 at_unsafe;	/* AtModifierUnsafeFunctions */
	promql_range_fn		 range;
	promql_vec_fn		 vec;
};

/* The function called name (n bytes), or NULL. */
const struct promql_func *promql_func_lookup(const char *name, size_t n);

/* Implementations (fn_*.c). */
int	fn_rate(struct ev *, const struct ev_window *, double *);
int	fn_increase(struct ev *, const struct ev_window *, double *);
int	fn_delta(struct ev *, const struct ev_window *, double *);
int	fn_irate(struct ev *, const struct ev_window *, double *);
int	fn_idelta(struct ev *, const struct ev_window *, double *);
int	fn_deriv(struct ev *, const struct ev_window *, double *);
int	fn_predict_linear(struct ev *, const struct ev_window *, double *);
int	fn_holt_winters(struct ev *, const struct ev_window *, double *);
int	fn_changes(struct ev *, const struct ev_window *, double *);
int	fn_resets(struct ev *, const struct ev_window *, double *);
int	fn_avg_over_time(struct ev *, const struct ev_window *, double *);
int	fn_count_over_time(struct ev *, const struct ev_window *, double *);
int	fn_sum_over_time(struct ev *, const struct ev_window *, double *);
int	fn_min_over_time(struct ev *, const struct ev_window *, double *);
int	fn_max_over_time(struct ev *, const struct ev_window *, double *);
int	fn_last_over_time(struct ev *, const struct ev_window *, double *);
int	fn_present_over_time(struct ev *, const struct ev_window *, double *);
int	fn_absent_over_time(struct ev *, const struct ev_window *, double *);
int	fn_quantile_over_time(struct ev *, const struct ev_window *, double *);
int	fn_stddev_over_time(struct ev *, const struct ev_window *, double *);
int	fn_stdvar_over_time(struct ev *, const struct ev_window *, double *);

int	fn_math(struct ev *, struct ev_call *, struct ev_vector *, int64_t,
	    struct ev_vector *);
int	fn_clamp(struct ev *, struct ev_call *, struct ev_vector *, int64_t,
	    struct ev_vector *);
int	fn_clamp_min(struct ev *, struct ev_call *, struct ev_vector *,
	    int64_t, struct ev_vector *);
int	fn_clamp_max(struct ev *, struct ev_call *, struct ev_vector *,
	    int64_t, struct ev_vector *);
int	fn_round(struct ev *, struct ev_call *, struct ev_vector *, int64_t,
	    struct ev_vector *);
int	fn_time(struct ev *, struct ev_call *, struct ev_vector *, int64_t,
	    struct ev_vector *);
int	fn_pi(struct ev *, struct ev_call *, struct ev_vector *, int64_t,
	    struct ev_vector *);
int	fn_vector(struct ev *, struct ev_call *, struct ev_vector *, int64_t,
	    struct ev_vector *);
int	fn_scalar(struct ev *, struct ev_call *, struct ev_vector *, int64_t,
	    struct ev_vector *);
int	fn_sort(struct ev *, struct ev_call *, struct ev_vector *, int64_t,
	    struct ev_vector *);
int	fn_sort_desc(struct ev *, struct ev_call *, struct ev_vector *,
	    int64_t, struct ev_vector *);
int	fn_absent(struct ev *, struct ev_call *, struct ev_vector *, int64_t,
	    struct ev_vector *);
int	fn_timestamp(struct ev *, struct ev_call *, struct ev_vector *,
	    int64_t, struct ev_vector *);
int	fn_date(struct ev *, struct ev_call *, struct ev_vector *, int64_t,
	    struct ev_vector *);
int	fn_label_replace(struct ev *, struct ev_call *, struct ev_vector *,
	    int64_t, struct ev_vector *);
int	fn_label_join(struct ev *, struct ev_call *, struct ev_vector *,
	    int64_t, struct ev_vector *);
int	fn_histogram_quantile(struct ev *, struct ev_call *,
	    struct ev_vector *, int64_t, struct ev_vector *);
int	fn_native_histogram(struct ev *, struct ev_call *, struct ev_vector *,
	    int64_t, struct ev_vector *);

/* sort()/sort_desc() order of n samples, ties as Go's sort.Sort. */
struct ev_sample;
void	promql_sort_samples(struct ev_sample *v, size_t n, int desc);

/* The quantile of n values (sorted in place), as Prometheus' quantile(). */
double	fn_quantile(double q, double *v, size_t n);

#endif
