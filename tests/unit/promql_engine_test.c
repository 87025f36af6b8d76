/*
 * promql engine: what it asks the storage for (matchers and the exact
 * time range each selector reads), results and their JSON as
 * Prometheus' API writes them, and every kind of error (max samples,
 * timeout, cancel, storage failure, bad range queries).
 */
#include <math.h>
#include <string.h>

#include "promql/memstore.h"
#include "promql/promql.h"
#include "unit.h"

static struct memstore ms = MEMSTORE_INIT;

/* A storage that records the selects it gets, then answers from ms. */
static char selects[4096];
static int fail_select;
static char funcs[256];		/* the hints' functions, "-" for none */

static int
recording_select(void *arg, struct matcher *m, size_t nm, int64_t mint,
    int64_t maxt, const char *func, struct promql_series **out, size_t *n,
    char *err)
{
	size_t len = strlen(selects);
	struct promql_storage inner = memstore_storage(arg);

	if (fail_select)
		return errbuf_set(err, "store down");
	snprintf(selects + len, sizeof(selects) - len, "%s[", len ? " " : "");
	for (size_t i = 0; i < nm; i++) {
		len = strlen(selects);
		snprintf(selects + len, sizeof(selects) - len, "%s%s%s\"%s\"",
		    i ? "," : "", m[i].name, matcher_op(m[i].type), m[i].value);
	}
	len = strlen(selects);
	snprintf(selects + len, sizeof(selects) - len, "]%lld..%lld",
	    (long long)mint, (long long)maxt);
	len = strlen(funcs);
	snprintf(funcs + len, sizeof(funcs) - len, "%s%s", len ? " " : "",
	    func ? func : "-");
	return inner.select(inner.arg, m, nm, mint, maxt, func, out, n, err);
}

static struct promql_storage rec = { recording_select, &ms };

static void
add(const char *name, const char *job, const double *v, size_t n,
    int64_t step)
{
	struct labels l = LABELS_INIT;
	int64_t t[64];

	for (size_t i = 0; i < n; i++)
		t[i] = (int64_t)i * step;
	labels_add(&l, STR("__name__"), str_of(name));
	if (job)
		labels_add(&l, STR("job"), str_of(job));
	CHECK(memstore_add(&ms, &l, t, v, n) == 0);
	labels_release(&l);
}

/* The selects an instant query at t made. */
static const char *
selects_of(const char *q, int64_t t)
{
	static char err[ERR_MAX];
	struct promql_result r;
	struct promql_expr *e;

	selects[0] = '\0';
	funcs[0] = '\0';
	if (promql_parse(q, &e, err) != 0)
		return err;
	if (promql_instant(e, &rec, t, NULL, &r, err) != 0) {
		promql_expr_free(e);
		return err;
	}
	promql_result_release(&r);
	promql_expr_free(e);
	return selects;
}

static void
test_pushdown(void)
{
	CHECK_STR(selects_of("up", 600000),
	    "[__name__=\"up\"]300000..600000");
	CHECK_STR(selects_of("rate(up{job=~\"a.*\"}[5m] offset 1m)", 600000),
	    "[job=~\"a.*\",__name__=\"up\"]240000..540000");
	CHECK_STR(selects_of("up @ 100", 600000),
	    "[__name__=\"up\"]-200000..100000");
	CHECK_STR(selects_of("up offset -1m", 600000),
	    "[__name__=\"up\"]360000..660000");
	CHECK_STR(selects_of("max_over_time(up[10m:1m])", 3600000),
	    "[__name__=\"up\"]2700000..3600000");
	CHECK_STR(selects_of("max_over_time(rate(up[2m])[10m:1m] offset 5m)",
	    3600000), "[__name__=\"up\"]2580000..3300000");
	CHECK_STR(selects_of("up + on(job) down", 60000),
	    "[__name__=\"up\"]-240000..60000 [__name__=\"down\"]-240000..60000");
	CHECK_STR(selects_of("sum_over_time(up[1m] @ start())", 60000),
	    "[__name__=\"up\"]0..60000");
	/* The hints: the call a selector is an argument of. */
	selects_of("rate(up[5m])", 600000);
	CHECK_STR(funcs, "rate");
	selects_of("sum(up)", 600000);
	CHECK_STR(funcs, "-");
	selects_of("max_over_time(increase(up[2m])[10m:1m])", 3600000);
	CHECK_STR(funcs, "increase");
	selects_of("resets((up[5m]))", 600000);
	CHECK_STR(funcs, "resets");
	selects_of("abs(up) + irate(up[1m])", 600000);
	CHECK_STR(funcs, "abs irate");
}

static void
test_range_pushdown(void)
{
	struct promql_result r;
	struct promql_expr *e;
	char err[ERR_MAX];

	selects[0] = '\0';
	CHECK(promql_parse("rate(up[1m])", &e, err) == 0);
	CHECK(promql_range(e, &rec, 600000, 1200000, 60000, NULL, &r, err) ==
	    0);
	CHECK_STR(selects, "[__name__=\"up\"]540000..1200000");
	CHECK_INT(r.type, PROMQL_MATRIX);
	promql_result_release(&r);
	promql_expr_free(e);
}

/* The API body of an instant (step 0) or range query. */
static const char *
body(const char *q, int64_t start, int64_t end, int64_t step)
{
	static char out[4096];
	struct promql_storage st = memstore_storage(&ms);
	struct promql_result r;
	struct promql_expr *e;
	struct buf b = BUF_INIT(BUF_NOMAX);
	char err[ERR_MAX];
	int rc;

	if ((rc = promql_parse(q, &e, err)) == 0) {
		rc = step == 0 ? promql_instant(e, &st, start, NULL, &r, err) :
		    promql_range(e, &st, start, end, step, NULL, &r, err);
		promql_expr_free(e);
	}
	if (rc == 0) {
		promql_result_json(&r, &b);
		promql_result_release(&r);
	} else {
		promql_error_json(rc, err, &b);
	}
	snprintf(out, sizeof(out), "%s", b.data);
	buf_release(&b);
	return out;
}

static void
test_json(void)
{
	CHECK_STR(body("up", 30000, 0, 0),
	    "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
	    "\"result\":[{\"metric\":{\"__name__\":\"up\",\"job\":\"a\"},"
	    "\"value\":[30,\"4\"]},{\"metric\":{\"__name__\":\"up\",\"job\":"
	    "\"b\"},\"value\":[30,\"0.5\"]}]}}");
	CHECK_STR(body("up{job=\"a\"}[20s]", 30500, 0, 0),
	    "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\","
	    "\"result\":[{\"metric\":{\"__name__\":\"up\",\"job\":\"a\"},"
	    "\"values\":[[20,\"3\"],[30,\"4\"]]}]}}");
	CHECK_STR(body("1e-7", 1500, 0, 0),
	    "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\","
	    "\"result\":[1.500,\"1e-07\"]}}");
	CHECK_STR(body("1.5e21", -1250, 0, 0),
	    "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\","
	    "\"result\":[-1.250,\"1.5e+21\"]}}");
	CHECK_STR(body("-1/0", 0, 0, 0),
	    "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\","
	    "\"result\":[0,\"-Inf\"]}}");
	CHECK_STR(body("0.000001 + 123456789", 0, 0, 0),
	    "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\","
	    "\"result\":[0,\"123456789.000001\"]}}");
	CHECK_STR(body("\"<a&b>\"", 7, 0, 0),
	    "{\"status\":\"success\",\"data\":{\"resultType\":\"string\","
	    "\"result\":[0.007,\"\\u003ca\\u0026b\\u003e\"]}}");
	CHECK_STR(body("sum(up)", 0, 20000, 10000),
	    "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\","
	    "\"result\":[{\"metric\":{},\"values\":[[0,\"2\"],[10,\"3\"],"
	    "[20,\"4.5\"]]}]}}");
	CHECK_STR(body("nothing", 0, 20000, 10000),
	    "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\","
	    "\"result\":[]}}");
	/* A range answer is sorted by labels. */
	CHECK_STR(body("-up", 0, 0, 10000),
	    "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\","
	    "\"result\":[{\"metric\":{\"job\":\"a\"},\"values\":[[0,\"-1\"]]},"
	    "{\"metric\":{\"job\":\"b\"},\"values\":[[0,\"-1\"]]}]}}");
	CHECK_STR(body("label_replace(vector(1), \"l\", \"\\n\\\"\", \"\", \"\")",
	    0, 0, 0),
	    "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
	    "\"result\":[{\"metric\":{\"l\":\"\\n\\\"\"},\"value\":[0,\"1\"]}]}}");
}

static void
test_errors(void)
{
	struct promql_opts o = PROMQL_OPTS_INIT;
	struct promql_storage st = memstore_storage(&ms);
	struct promql_result r;
	struct promql_expr *e;
	char err[ERR_MAX];
	volatile int cancel = 1;

	CHECK_STR(body("up + on(job)", 0, 0, 0),
	    "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":"
	    "\"1:13: parse error: unexpected end of input\"}");
	CHECK_STR(body("up * on() up", 30000, 0, 0),
	    "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":"
	    "\"found duplicate series for the match group {} on the right "
	    "hand-side of the operation: [{__name__=\\\"up\\\", job=\\\"b\\\"}, "
	    "{__name__=\\\"up\\\", job=\\\"a\\\"}];many-to-many matching not "
	    "allowed: matching labels must be unique on one side\"}");
	CHECK_STR(body("up[1m]", 0, 60000, 10000),
	    "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":"
	    "\"invalid expression type \\\"range vector\\\" for range query, "
	    "must be Scalar or instant Vector\"}");

	CHECK(promql_parse("count_over_time(up[1m:1ms])", &e, err) == 0);
	o.max_samples = 100;
	CHECK_INT(promql_instant(e, &st, 60000, &o, &r, err), PROMQL_EXEC);
	CHECK_STR(err, "query processing would load too many samples into "
	    "memory in query execution");
	o = (struct promql_opts)PROMQL_OPTS_INIT;
	o.cancel = &cancel;
	CHECK_INT(promql_instant(e, &st, 60000, &o, &r, err),
	    PROMQL_CANCELED);
	CHECK_STR(err, "query was canceled in expression evaluation");
	CHECK_INT(r.type, PROMQL_NONE);
	promql_expr_free(e);

	/* A subquery of ten million empty steps outlasts 50 ms. */
	CHECK(promql_parse("count_over_time(count(nothing)[10000000s:1s])", &e,
	    err) == 0);
	o = (struct promql_opts)PROMQL_OPTS_INIT;
	o.timeout_ms = 50;
	CHECK_INT(promql_instant(e, &st, 0, &o, &r, err), PROMQL_TIMEOUT);
	CHECK_STR(err, "query timed out in expression evaluation");
	promql_expr_free(e);

	fail_select = 1;
	CHECK(promql_parse("up", &e, err) == 0);
	CHECK_INT(promql_instant(e, &rec, 0, NULL, &r, err), PROMQL_INTERNAL);
	CHECK_STR(err, "expanding series: store down");
	fail_select = 0;
	CHECK_INT(promql_range(e, &st, 10, 0, 1, NULL, &r, err),
	    PROMQL_BAD_DATA);
	CHECK_INT(promql_range(e, &st, 0, 10, 0, NULL, &r, err),
	    PROMQL_BAD_DATA);
	promql_expr_free(e);

	CHECK_STR(promql_errtype(PROMQL_BAD_DATA), "bad_data");
	CHECK_STR(promql_errtype(PROMQL_EXEC), "execution");
	CHECK_STR(promql_errtype(PROMQL_TIMEOUT), "timeout");
	CHECK_STR(promql_errtype(PROMQL_CANCELED), "canceled");
	CHECK_STR(promql_errtype(PROMQL_INTERNAL), "internal");
	CHECK_INT(promql_http_status(PROMQL_BAD_DATA), 400);
	CHECK_INT(promql_http_status(PROMQL_EXEC), 422);
	CHECK_INT(promql_http_status(PROMQL_TIMEOUT), 503);
	CHECK_INT(promql_http_status(PROMQL_INTERNAL), 500);
}

static void
test_stale(void)
{
	double stale;
	uint64_t bits = 0x7ff0000000000002ULL;
	double v[3] = { 1, 0, 2 };

	memcpy(&stale, &bits, sizeof(stale));
	v[1] = stale;
	add("st", NULL, v, 3, 10000);
	/* The marker ends the series for instant lookups... */
	CHECK_STR(body("st", 15000, 0, 0),
	    "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
	    "\"result\":[]}}");
	/* ...and is left out of windows. */
	CHECK_STR(body("count_over_time(st[30s])", 25000, 0, 0),
	    "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
	    "\"result\":[{\"metric\":{},\"value\":[25,\"2\"]}]}}");
}

int
main(void)
{
	static const double a[] = { 1, 2, 3, 4 }, b[] = { 1, 1, 1.5, 0.5 };

	add("up", "a", a, 4, 10000);
	add("up", "b", b, 4, 10000);
	test_pushdown();
	test_range_pushdown();
	test_json();
	test_errors();
	test_stale();
	memstore_clear(&ms);
	return unit_done();
}
