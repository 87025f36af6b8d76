/*
 * promql: a PromQL engine with the semantics of Prometheus 2.42.
 *
 * Parse once (promql_parse), then evaluate at an instant (promql_instant,
 * /api/v1/query) or over a range (promql_range, /api/v1/query_range).
 * The engine pulls data through a struct promql_storage: one select per
 * selector in the query, with the selector's matchers and exactly the
 * time range its evaluation reads (lookback, range windows, offsets, @,
 * subqueries included), so a remote store sends only what is needed.
 *
 * Results come back as Prometheus' API has them: a scalar or string with
 * its time, a vector (one sample per series, all at the evaluation time,
 * in the order the evaluation produced them, as Prometheus leaves them),
 * or a matrix (series sorted by labels).  promql_result_json writes the
 * body of /api/v1/query{,_range} byte for byte as Prometheus does.
 *
 * Errors: every call returns 0, or a negative PROMQL_* naming the API
 * error type, with one line in the caller's char err[ERR_MAX]; parse
 * errors read as Prometheus' ("1:5: parse error: unexpected ..."; its
 * /api/v1/query, not query_range, prefixes them with
 * `invalid parameter "query": `).  Native histograms are not supported:
 * a float-only engine.  docs/PROMQL.md lists what else differs.
 *
 * An expression may be evaluated many times, but not by two threads at
 * once (its regex matchers hold match data).
 */
#ifndef PROMQL_PROMQL_H
#define PROMQL_PROMQL_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "base/labels.h"
#include "tsdb/matcher.h"

/* The types of values, as Prometheus' parser.ValueType. */
enum promql_vtype {
	PROMQL_NONE, PROMQL_SCALAR, PROMQL_VECTOR, PROMQL_MATRIX,
	PROMQL_STRING
};

/* Return codes: the API's error types. */
enum promql_rc {
	PROMQL_OK = 0,
	PROMQL_BAD_DATA = -1,	/* 400 bad_data: parse errors, bad input */
	PROMQL_EXEC = -2,	/* 422 execution: evaluation errors */
	PROMQL_TIMEOUT = -3,	/* 503 timeout: --query.timeout passed */
	PROMQL_CANCELED = -4,	/* 503 canceled: opts.cancel was set */
	PROMQL_INTERNAL = -5	/* 500 internal: storage failed, no memory */
};

/* "bad_data", "execution", "timeout", "canceled", "internal". */
const char *promql_errtype(int rc);
/* The HTTP status Prometheus 2.42 answers with for rc. */
int	promql_http_status(int rc);

/*
 * One series: labels sorted by name, samples in time order (stale
 * markers, Prometheus' NaN 0x7ff0000000000002, included as stored).
 * t and v are malloc'd arrays of n; strings is one malloc'd block that
 * holds the bytes labels points to.  The struct owns all three.
 */
struct promql_series {
	struct labels	 labels;
	char		*strings;
	int64_t		*t;
	double		*v;
	size_t		 n;
};

/* Copy l (in any order) into s->labels/s->strings, sorted.  -1 ENOMEM. */
int	promql_series_set_labels(struct promql_series *s,
	    const struct labels *l);
/* Free n series and the array itself. */
void	promql_series_free(struct promql_series *s, size_t n);

/*
 * Where data comes from.  select returns (malloc'd, the engine frees it
 * with promql_series_free) every series matching all nm matchers that
 * has samples in [mint, maxt] (ms, inclusive), with those samples; more
 * samples are harmless, fewer are wrong.  Series with equal labels must
 * not repeat (deduplicate replicas before).  func is the function that
 * reads the selector ("rate", "sum_over_time", ...; NULL when none), as
 * Prometheus' SelectHints.Func says it: the name of the call whose
 * argument it is (through a range, parentheses or a subquery), so that
 * a deduplicating store can treat counters read by rate() as counters.
 * -1 with a line in err on failure (the query fails as "internal").
 */
struct promql_storage {
	int	(*select)(void *arg, struct matcher *m, size_t nm,
		    int64_t mint, int64_t maxt, const char *func,
		    struct promql_series **out, size_t *n, char *err);
	void	*arg;
};

struct promql_opts {
	int64_t		 lookback_ms;	/* --query.lookback-delta, 5m */
	int64_t		 timeout_ms;	/* --query.timeout, 2m; 0: none */
	size_t		 max_samples;	/* --query.max-samples, 50000000 */
	int64_t		 subquery_step_ms; /* step of "[5m:]": 1m, as the
					   * default evaluation interval */
	const volatile int *cancel;	/* non-zero: stop as canceled */
};

#define PROMQL_OPTS_INIT	{ 300000, 120000, 50000000, 60000, NULL }

struct promql_expr;

/* Parse a query.  PROMQL_BAD_DATA with Prometheus' message on error. */
int	promql_parse(const char *query, struct promql_expr **out, char *err);
void	promql_expr_free(struct promql_expr *e);
enum promql_vtype promql_expr_type(const struct promql_expr *e);
/* The expression as Prometheus prints it (Expr.String()). */
int	promql_expr_string(const struct promql_expr *e, struct buf *b);

struct promql_result {
	enum promql_vtype	 type;
	int64_t			 t;		/* scalar, string */
	double			 scalar;
	char			*string;	/* NUL-terminated */
	size_t			 slen;
	struct promql_series	*series;	/* vector: one sample each */
	size_t			 nseries;
};

#define PROMQL_RESULT_INIT	{ PROMQL_NONE, 0, 0, NULL, 0, NULL, 0 }

void	promql_result_release(struct promql_result *r);

/* Evaluate e at time t (ms).  opts NULL: the defaults. */
int	promql_instant(const struct promql_expr *e,
	    const struct promql_storage *st, int64_t t,
	    const struct promql_opts *opts, struct promql_result *res,
	    char *err);
/* Evaluate e at start, start+step, ... up to end (ms): always a matrix.
 * Only scalar and instant-vector expressions can be (bad_data). */
int	promql_range(const struct promql_expr *e,
	    const struct promql_storage *st, int64_t start, int64_t end,
	    int64_t step, const struct promql_opts *opts,
	    struct promql_result *res, char *err);

/* {"status":"success","data":{"resultType":...,"result":...}} */
int	promql_result_json(const struct promql_result *r, struct buf *b);
/* {"status":"error","errorType":"...","error":"..."} */
int	promql_error_json(int rc, const char *err, struct buf *b);

#endif
