/*
 * eval: the evaluator's values and its entry points between modules.
 *
 * Evaluation follows Prometheus 2.42's engine: every expression is
 * evaluated over the whole time range at once, [start, end] in steps of
 * interval (an instant query is start == end), into a matrix holding one
 * point per step at which the series has a value.  rangeEval (ev_range)
 * then walks the steps, hands each operator or function the input
 * vectors of one step, and collects what it returns.  Subqueries and
 * step-invariant parts run a nested evaluator with their own range.
 *
 * All memory comes from the query's pool (pool.h); label sets are
 * interned (lset.h).  Functions return 0, or -1 with the error already
 * recorded in the query (ev_fail): the caller just returns -1 too, and
 * the pool takes back whatever was held.
 */
#ifndef PROMQL_EVAL_H
#define PROMQL_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "promql/ast.h"
#include "promql/lset.h"
#include "promql/pmap.h"
#include "promql/pool.h"
#include "promql/promql.h"

struct promql_point {
	int64_t		 t;
	double		 v;
};

struct ev_series {
	const struct promql_lset *ls;
	struct promql_point	*p;
	size_t			 n, cap;
	size_t			 cur;		/* ev_range's cursor */
};

struct ev_matrix {
	struct ev_series	*s;
	size_t			 n, cap;
};

struct ev_sample {
	const struct promql_lset *ls;
	int64_t			 t;
	double			 v;
	const void		*aux;	/* per-series helper (signature) */
};

struct ev_vector {
	struct ev_sample	*s;
	size_t			 n, cap;
};

/* What the query shares between nested evaluators. */
struct ev_query {
	struct pool		 pool;
	struct lset_interner	 in;
	const struct promql_storage *st;
	struct promql_opts	 opts;
	int64_t			 deadline;	/* clock_mono_ms; 0: none */
	size_t			 cur_samples;
	int			 rc;		/* PROMQL_* of the failure */
	char			*err;		/* the caller's ERR_MAX buffer */
};

struct ev {
	struct ev_query		*q;
	int64_t			 start, end, interval;
};

/*
 * Time arithmetic as Go does it on int64: wrapping, never undefined.
 * Queries can put times anywhere (@ 9e15, offsets of centuries).
 */
static inline int64_t
ev_add(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

static inline int64_t
ev_sub(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a - (uint64_t)b);
}

/* The number of steps of ev (0 when end < start), and the time of step
 * i. */
size_t	ev_steps(const struct ev *ev);
int64_t	ev_step_ts(const struct ev *ev, size_t i);

/* Record a failure (rc one of PROMQL_EXEC...) and return -1. */
int	ev_fail(struct ev *ev, int rc, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
int	ev_nomem(struct ev *ev);
int	ev_too_many_samples(struct ev *ev);
/* -1 (recorded) when the query timed out or was canceled. */
int	ev_check_done(struct ev *ev);

/* Evaluate n into a matrix (strings are not evaluated here). */
int	ev_eval(struct ev *ev, struct ast_node *n, struct ev_matrix *out);

/* Matrices and vectors in the query's pool. */
int	ev_series_add(struct ev *ev, struct ev_series *s, int64_t t, double v);
struct ev_series *ev_matrix_add(struct ev *ev, struct ev_matrix *m,
	    const struct promql_lset *ls);
void	ev_matrix_free(struct ev *ev, struct ev_matrix *m);
size_t	ev_matrix_points(const struct ev_matrix *m);
int	ev_vector_add(struct ev *ev, struct ev_vector *v,
	    const struct promql_lset *ls, int64_t t, double val);
void	ev_vector_free(struct ev *ev, struct ev_vector *v);
/* Does the matrix (or vector) hold one label set twice? */
int	ev_matrix_dup(struct ev *ev, const struct ev_matrix *m, int *dup);
int	ev_vector_dup(struct ev *ev, const struct ev_vector *v, int *dup);

/*
 * rangeEval: evaluate exprs[0..n) (NULL or string ones are skipped and
 * get empty vectors), then for each step call fn with the input vectors
 * of that step; fn appends its result to out.  prep, if given, computes
 * one helper per input series (its aux).  An instant evaluation keeps
 * fn's order; a range one assembles series by labels.
 */
typedef int (*ev_step_fn)(struct ev *ev, void *arg, struct ev_vector *in,
	    int64_t ts, struct ev_vector *out);
typedef int (*ev_prep_fn)(struct ev *ev, void *arg, size_t argi,
	    const struct promql_lset *ls, const void **aux);
int	ev_range(struct ev *ev, struct ast_node **exprs, size_t n,
	    ev_prep_fn prep, void *preparg, ev_step_fn fn, void *fnarg,
	    struct ev_matrix *out);

/* The evaluation of each kind of node, in their own modules. */
int	ev_vector_selector(struct ev *ev, struct ast_node *n,
	    struct ev_matrix *out);
int	ev_matrix_selector(struct ev *ev, struct ast_node *n,
	    struct ev_matrix *out);
int	ev_binary(struct ev *ev, struct ast_node *n, struct ev_matrix *out);
int	ev_aggregate(struct ev *ev, struct ast_node *n, struct ev_matrix *out);
int	ev_call(struct ev *ev, struct ast_node *n, struct ev_matrix *out);
int	ev_subquery(struct ev *ev, struct ast_node *n, struct ev_matrix *out);

/* One instant lookup of a selected series at ts (lookback, staleness);
 * 1 with *t, *v when there is a value, else 0. */
struct ast_sel_series;
int	ev_lookup(struct ev *ev, const struct ast_sel_series *s,
	    int64_t reft, int64_t *t, double *v);

/* The offsets and ranges of the subqueries above a node, as Prometheus'
 * subqueryTimes() adds them up: an @ on a subquery starts over. */
struct ev_subq {
	int64_t	 offset, range, ts;
	int	 has_ts;
};

void	ev_subq_enter(struct ev_subq *t, const struct ast_node *sq);

/* Prepare an evaluation clone: step-invariant wrappers, @ start()/end(),
 * offsets for @ (preprocess.c); fetch every selector's series
 * (fetch.c). */
struct ast_node *ev_preprocess(struct ast_node *n, int64_t start,
	    int64_t end);
void	ev_set_offsets(struct ast_node *n, int64_t evaltime);
int	ev_select_all(struct ev *ev, struct ast_node *root);

/* The selected series of a vector selector. */
struct ast_sel_series {
	const struct promql_lset *ls;
	struct promql_point	*p;	/* time order; stale markers kept */
	size_t			 n;
};

struct ast_sel {
	struct ast_sel_series	*s;
	size_t			 n;
};

/* absent()'s labels for its argument (createLabelsForAbsentFunction);
 * NULL on ENOMEM. */
const struct promql_lset *ev_absent_labels(struct ev *ev,
	    const struct ast_node *arg);

/* Is v Prometheus' stale marker? */
int	ev_is_stale(double v);

/* Go's math.Max/Min (NaN wins, then the infinities) and math.Pow
 * (gomath.c). */
double	ev_go_max(double a, double b);
double	ev_go_min(double a, double b);
double	ev_go_pow(double x, double y);
double	ev_go_log(double x);
double	ev_go_log2(double x);
double	ev_go_log10(double x);
double	ev_go_sin(double x);
double	ev_go_cos(double x);

#endif
