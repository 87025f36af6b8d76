#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/errbuf.h"
#include "base/jsonstr.h"
#include "base/parse.h"
#include "net/promapi.h"
#include "promql/promql.h"
#include "eval.h"

#define MAX_POINTS	11000	/* per series, as Prometheus */

struct pstore {
	struct qm		*qm;
	const struct qopts	*o;
	struct qwarn		 w;
};

struct collect {
	struct promql_series	*v;
	size_t			 n, cap;
};

static int
emit_collect(void *arg, unsigned query, const struct labels *l,
    const int64_t *t, const double *v, size_t n)
{
	struct collect *c = arg;
	struct promql_series *s;

	(void)query;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;

		if ((s = realloc(c->v, cap * sizeof(*s))) == NULL)
			return -1;
		c->v = s;
		c->cap = cap;
	}
	s = &c->v[c->n];
	memset(s, 0, sizeof(*s));
	/* Counted before anything can fail: the caller frees what is. */
	c->n++;
	if (promql_series_set_labels(s, l) == -1 ||
	    (s->t = malloc((n ? n : 1) * sizeof(*t))) == NULL ||
	    (s->v = malloc((n ? n : 1) * sizeof(*v))) == NULL)
		return -1;
	memcpy(s->t, t, n * sizeof(*t));
	memcpy(s->v, v, n * sizeof(*v));
	s->n = n;
	return 0;
}

static int
add_warnings(struct qwarn *to, struct qwarn *from)
{
	char **nl;

	if (from->n == 0)
		return 0;
	if ((nl = realloc(to->line, (to->n + from->n) * sizeof(*nl))) == NULL)
		return -1;
	to->line = nl;
	memcpy(to->line + to->n, from->line, from->n * sizeof(*nl));
	to->n += from->n;
	free(from->line);
	memset(from, 0, sizeof(*from));
	return 0;
}

static int
store_select(void *arg, struct matcher *m, size_t nm, int64_t mint, int64_t maxt,
    const char *func, struct promql_series **out, size_t *n, char *err)
{
	struct pstore *ps = arg;
	struct fetch_sel sel = { m, nm, mint, maxt, qm_counter_func(func) };
	struct collect c = { NULL, 0, 0 };
	struct qwarn w = { 0 };
	int rc;

	rc = qm_select(ps->qm, ps->o, &sel, 1, emit_collect, &c, &w, err);
	if (add_warnings(&ps->w, &w) == -1)
		rc = errbuf_sys(err, "query");
	qwarn_release(&w);
	if (rc != 0) {
		promql_series_free(c.v, c.n);
		return -1;
	}
	*out = c.v;
	*n = c.n;
	return 0;
}

static int
parse_step(const char *s, int64_t *ms, char *err)
{
	char *end;
	double d;

	if (s == NULL || *s == '\0')
		return errbuf_set(err, "invalid parameter \"step\": cannot "
		    "parse \"\" to a valid duration");
	errno = 0;
	d = strtod(s, &end);
	if (*end == '\0' && errno == 0 && isfinite(d)) {
		*ms = (int64_t)llround(d * 1000);
		return 0;
	}
	if (parse_duration(s, ms, err) == -1)
		return errbuf_set(err, "invalid parameter \"step\": cannot "
		    "parse \"%s\" to a valid duration", s);
	return 0;
}

static int
need_time(struct httpd_req *req, const char *name, int64_t *ms, char *err)
{
	if (httpd_req_param(req, name) == NULL)
		return errbuf_set(err, "invalid parameter \"%s\": cannot parse "
		    "\"\" to a valid timestamp", name);
	return promapi_time(req, name, 0, ms, err);
}

/* The answer's JSON, with the stores' warnings before its last '}'. */
static int
write_result(struct buf *b, const struct promql_result *res,
    const struct qwarn *w)
{
	if (promql_result_json(res, b) == -1)
		return -1;
	if (w->n == 0)
		return 0;
	while (b->len > 0 && b->data[b->len - 1] != '}')
		b->len--;
	if (b->len == 0)
		return -1;
	b->len--;
	buf_addstr(b, ",\"warnings\":[");
	for (size_t i = 0; i < w->n; i++) {
		if (i > 0)
			buf_addch(b, ',');
		jsonstr_add(b, w->line[i], strlen(w->line[i]));
	}
	return buf_addstr(b, "]}");
}

/* The engine's errors in its own JSON, which escapes as Go does. */
static int
engine_error(struct httpd_resp *resp, int rc, const char *msg)
{
	resp->status = promql_http_status(rc);
	buf_reset(&resp->body);
	httpd_resp_header(resp, "Content-Type", "application/json");
	return promql_error_json(rc, msg, &resp->body);
}

int
eval_handle(struct qm *qm, struct httpd_req *req, struct httpd_resp *resp,
    const struct qopts *o, int instant)
{
	struct pstore ps = { .qm = qm, .o = o };
	struct promql_storage st = { store_select, &ps };
	struct promql_opts po = PROMQL_OPTS_INIT;
	struct promql_result res = PROMQL_RESULT_INIT;
	struct promql_expr *e = NULL;
	const char *q = httpd_req_param(req, "query");
	int64_t start, end, step = 0;
	char err[ERR_MAX], msg[ERR_MAX + 32];
	int rc;

	if (instant) {
		if (promapi_time(req, "time", clock_real_ms(), &start,
		    err) == -1)
			return promapi_error(resp, 400, "bad_data", "%s", err);
		end = start;
	} else {
		if (need_time(req, "start", &start, err) == -1 ||
		    need_time(req, "end", &end, err) == -1)
			return promapi_error(resp, 400, "bad_data", "%s", err);
		if (end < start)
			return promapi_error(resp, 400, "bad_data",
			    "end timestamp must not be before start time");
		if (parse_step(httpd_req_param(req, "step"), &step, err) == -1)
			return promapi_error(resp, 400, "bad_data", "%s", err);
		if (step <= 0)
			return promapi_error(resp, 400, "bad_data", "zero or "
			    "negative query resolution step widths are not "
			    "accepted. Try a positive integer");
		if ((end - start) / step > MAX_POINTS)
			return promapi_error(resp, 400, "bad_data", "exceeded "
			    "maximum resolution of 11,000 points per "
			    "timeseries. Try decreasing the query resolution "
			    "(?step=XX)");
	}
	/* 2.42 names the parameter for /api/v1/query only. */
	if ((rc = promql_parse(q ? q : "", &e, err)) != 0) {
		snprintf(msg, sizeof(msg), "%s%s", instant ?
		    "invalid parameter \"query\": " : "", err);
		return engine_error(resp, rc, msg);
	}
	po.lookback_ms = qm->lookback_ms;
	po.timeout_ms = qm->query_timeout_ms;
	po.max_samples = (size_t)qm->max_samples;
	rc = instant ? promql_instant(e, &st, start, &po, &res, err) :
	    promql_range(e, &st, start, end, step, &po, &res, err);
	promql_expr_free(e);
	if (rc != 0) {
		/* A store that failed without partial response: its error. */
		qwarn_release(&ps.w);
		promql_result_release(&res);
		return engine_error(resp, rc, err);
	}
	httpd_resp_header(resp, "Content-Type", "application/json");
	rc = write_result(&resp->body, &res, &ps.w);
	promql_result_release(&res);
	qwarn_release(&ps.w);
	return rc;
}
