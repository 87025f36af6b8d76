#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/errbuf.h"
#include "base/floatfmt.h"
#include "base/jsonstr.h"
#include "base/log.h"
#include "base/parse.h"
#include "net/promapi.h"
#include "net/remote.h"
#include "series/jsonl.h"
#include "api.h"
#include "eval.h"


/* --- parameters --------------------------------------------------------- */

static int
bool_param(struct httpd_req *req, const char *name, int dflt, int *out,
    char *err)
{
	const char *v = httpd_req_param(req, name);
	char e[ERR_MAX];

	if (v == NULL || *v == '\0')
		*out = dflt;
	else if (parse_bool(v, out, e) == -1)
		return errbuf_set(err, "invalid parameter \"%s\": %s", name,
		    e);
	return 0;
}

/* dedup, partial_response, replicaLabels[]. */
static int
get_qopts(struct qm *qm, struct httpd_req *req, struct qopts *o, char *err)
{
	const char *const *rl;
	size_t n;

	qopts_default(qm, o);
	if (bool_param(req, "dedup", 1, &o->dedup, err) == -1 ||
	    bool_param(req, "partial_response", qm->partial, &o->partial,
	    err) == -1)
		return -1;
	if ((rl = httpd_req_params(req, "replicaLabels[]", &n)) != NULL &&
	    n > 0) {
		if (n > QM_MAX_REPLICA)
			return errbuf_set(err, "more than %d replicaLabels[]",
			    QM_MAX_REPLICA);
		for (size_t i = 0; i < n; i++)
			o->replica[i] = rl[i];
		o->nreplica = n;
	}
	return 0;
}

static int
fail_query(struct httpd_resp *resp, int rc, const char *err)
{
	if (rc == QM_ESTORE)
		return promapi_error(resp, 500, "internal", "%s", err);
	return promapi_error(resp, 500, "internal", "%s", err);
}

static void
add_warnings(struct buf *b, const struct qwarn *w)
{
	if (w->n == 0)
		return;
	buf_addstr(b, ",\"warnings\":[");
	for (size_t i = 0; i < w->n; i++) {
		if (i > 0)
			buf_addch(b, ',');
		jsonstr_add(b, w->line[i], strlen(w->line[i]));
	}
	buf_addch(b, ']');
}

/* --- query and query_range ------------------------------------------- */

static int
evaluate(struct qm *qm, struct httpd_req *req, struct httpd_resp *resp,
    int instant)
{
	struct qopts o;
	char err[ERR_MAX];

	if (get_qopts(qm, req, &o, err) == -1)
		return promapi_error(resp, 400, "bad_data", "%s", err);
	return eval_handle(qm, req, resp, &o, instant);
}

static int
query(struct httpd_req *req, struct httpd_resp *resp, void *arg)
{
	return evaluate(arg, req, resp, 1);
}

static int
query_range(struct httpd_req *req, struct httpd_resp *resp, void *arg)
{
	return evaluate(arg, req, resp, 0);
}

/* --- series, labels, label values, export --------------------------- */

/* The parameters of the metadata endpoints: match[] (or everything),
 * start, end. */
struct meta {
	struct tsdb_selector	*sel;
	size_t			 nsel;
	struct fetch_sel	*fs;
	struct matcher		 all;	/* {__name__=~".+"} when no match[] */
};

static int
get_meta(struct httpd_req *req, struct httpd_resp *resp, struct meta *mt,
    int need_match)
{
	int64_t start, end;
	char err[ERR_MAX];

	memset(mt, 0, sizeof(*mt));
	if (promapi_time(req, "start", PROMAPI_MIN_TIME, &start, err) == -1 ||
	    promapi_time(req, "end", PROMAPI_MAX_TIME, &end, err) == -1) {
		promapi_error(resp, 400, "bad_data", "%s", err);
		return -1;
	}
	if (end < start) {
		promapi_error(resp, 400, "bad_data", "end timestamp must not "
		    "be before start time");
		return -1;
	}
	if (promapi_selectors(req, &mt->sel, &mt->nsel, err) == -1) {
		promapi_error(resp, 400, "bad_data", "%s", err);
		return -1;
	}
	if (need_match && mt->nsel == 0) {
		promapi_error(resp, 400, "bad_data", "no match[] parameter "
		    "provided");
		return -1;
	}
	if ((mt->fs = calloc(mt->nsel ? mt->nsel : 1, sizeof(*mt->fs))) ==
	    NULL)
		return -1;
	for (size_t i = 0; i < mt->nsel; i++) {
		mt->fs[i].m = mt->sel[i].m;
		mt->fs[i].nm = mt->sel[i].n;
		mt->fs[i].mint = start;
		mt->fs[i].maxt = end;
	}
	if (mt->nsel == 0) {
		if (matcher_init(&mt->all, MATCHER_RE, "__name__", ".+", 2,
		    err) == -1)
			return -1;
		mt->fs[0].m = &mt->all;
		mt->fs[0].nm = 1;
		mt->fs[0].mint = start;
		mt->fs[0].maxt = end;
	}
	return 0;
}

static size_t
meta_nsel(const struct meta *mt)
{
	return mt->nsel ? mt->nsel : 1;
}

static void
meta_release(struct meta *mt)
{
	promapi_selectors_free(mt->sel, mt->nsel);
	if (mt->nsel == 0 && mt->all.name != NULL)
		matcher_release(&mt->all);
	free(mt->fs);
}

struct collect {
	struct buf	*b;
	size_t		 n;
	const char	*label;		/* label values: which */
	char		**v;		/* names or values */
	size_t		 nv, cap;
};

static int
emit_series(void *arg, unsigned query, const struct labels *l,
    const int64_t *t, const double *v, size_t n)
{
	struct collect *c = arg;

	(void)query;
	(void)t;
	(void)v;
	(void)n;
	if (c->n++ > 0)
		buf_addch(c->b, ',');
	return jsonstr_add_labels(c->b, l);
}

static int
collect_add(struct collect *c, struct str s)
{
	if (c->nv == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;
		char **nv = realloc(c->v, cap * sizeof(*nv));

		if (nv == NULL)
			return -1;
		c->v = nv;
		c->cap = cap;
	}
	if ((c->v[c->nv] = strndup(s.p, s.n)) == NULL)
		return -1;
	c->nv++;
	return 0;
}

static int
emit_names(void *arg, unsigned query, const struct labels *l,
    const int64_t *t, const double *v, size_t n)
{
	struct collect *c = arg;

	(void)query;
	(void)t;
	(void)v;
	(void)n;
	for (size_t i = 0; i < l->n; i++) {
		if (c->label == NULL) {
			if (collect_add(c, l->v[i].name) == -1)
				return -1;
		} else if (str_eq(l->v[i].name, c->label)) {
			if (collect_add(c, l->v[i].value) == -1)
				return -1;
		}
	}
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
write_sorted(struct collect *c)
{
	size_t k = 0;

	qsort(c->v, c->nv, sizeof(*c->v), cmp_str);
	buf_addch(c->b, '[');
	for (size_t i = 0; i < c->nv; i++) {
		if (i > 0 && strcmp(c->v[i], c->v[i - 1]) == 0)
			continue;
		if (k++ > 0)
			buf_addch(c->b, ',');
		jsonstr_add(c->b, c->v[i], strlen(c->v[i]));
	}
	buf_addch(c->b, ']');
}

static int
metadata(struct qm *qm, struct httpd_req *req, struct httpd_resp *resp,
    const char *label, int series)
{
	struct qopts o;
	struct meta mt;
	struct qwarn w = { 0 };
	struct collect c = { .b = &resp->body, .label = label };
	char err[ERR_MAX];
	int rc;

	if (get_qopts(qm, req, &o, err) == -1)
		return promapi_error(resp, 400, "bad_data", "%s", err);
	if (get_meta(req, resp, &mt, series) == -1) {
		meta_release(&mt);
		return 0;
	}
	httpd_resp_header(resp, "Content-Type", "application/json");
	promapi_begin(&resp->body);
	if (series)
		buf_addch(&resp->body, '[');
	rc = qm_select(qm, &o, mt.fs, meta_nsel(&mt), series ? emit_series :
	    emit_names, &c, &w, err);
	meta_release(&mt);
	if (rc == 0) {
		if (series)
			buf_addch(&resp->body, ']');
		else
			write_sorted(&c);
		add_warnings(&resp->body, &w);
		promapi_end(&resp->body);
	} else {
		fail_query(resp, rc, err);
	}
	for (size_t i = 0; i < c.nv; i++)
		free(c.v[i]);
	free(c.v);
	qwarn_release(&w);
	return 0;
}

static int
api_series(struct httpd_req *req, struct httpd_resp *resp, void *arg)
{
	return metadata(arg, req, resp, NULL, 1);
}

static int
api_labels(struct httpd_req *req, struct httpd_resp *resp, void *arg)
{
	return metadata(arg, req, resp, NULL, 0);
}

static int
api_label_values(struct httpd_req *req, struct httpd_resp *resp, void *arg)
{
	const char *path = httpd_req_path(req), *name, *slash;
	char label[256];
	size_t n;

	name = path + strlen("/api/v1/label/");
	slash = strchr(name, '/');
	n = slash ? (size_t)(slash - name) : strlen(name);
	if (slash == NULL || strcmp(slash, "/values") != 0 || n == 0 ||
	    n >= sizeof(label))
		return promapi_error(resp, 404, "not_found", "not found");
	memcpy(label, name, n);
	label[n] = '\0';
	if (!labels_valid_name(label))
		return promapi_error(resp, 400, "bad_data", "invalid label "
		    "name: \"%s\"", label);
	return metadata(arg, req, resp, label, 0);
}

static int
emit_line(void *arg, unsigned query, const struct labels *l,
    const int64_t *t, const double *v, size_t n)
{
	struct buf *b = arg;

	(void)query;
	return jsonl_add_values(b, l, t, v, n);
}

static int
api_export(struct httpd_req *req, struct httpd_resp *resp, void *arg)
{
	struct qm *qm = arg;
	struct qopts o;
	struct meta mt;
	struct qwarn w = { 0 };
	char err[ERR_MAX];
	int rc;

	if (get_qopts(qm, req, &o, err) == -1)
		return promapi_error(resp, 400, "bad_data", "%s", err);
	if (get_meta(req, resp, &mt, 1) == -1) {
		meta_release(&mt);
		return 0;
	}
	rc = qm_select(qm, &o, mt.fs, meta_nsel(&mt), emit_line, &resp->body,
	    &w, err);
	meta_release(&mt);
	if (rc != 0) {
		qwarn_release(&w);
		return fail_query(resp, rc, err);
	}
	httpd_resp_header(resp, "Content-Type", "application/x-ndjson");
	/* Warnings ride in a header: the body is series lines only. */
	for (size_t i = 0; i < w.n; i++)
		httpd_resp_header(resp, "X-Strata-Warning", w.line[i]);
	qwarn_release(&w);
	return 0;
}

/* --- remote read -------------------------------------------------------- */

struct rread {
	enum remote_type		 type;
	struct remote_samples_enc	 enc;
	struct remote_frame_enc		 fe;
	struct buf			 scratch;
	size_t				 nqueries, next;	/* opened */
};

static int
emit_read(void *arg, unsigned query, const struct labels *l,
    const int64_t *t, const double *v, size_t n)
{
	struct rread *r = arg;

	if (r->type == REMOTE_SAMPLES) {
		while (r->next <= query) {
			if (remote_samples_enc_query(&r->enc) == -1)
				return -1;
			r->next++;
		}
		return remote_samples_enc_series(&r->enc, l, t, v, n);
	}
	if (remote_frame_enc_series(&r->fe, query, l) == -1 ||
	    remote_frame_enc_samples(&r->fe, t, v, n, &r->scratch) == -1 ||
	    remote_frame_enc_end(&r->fe) == -1)
		return -1;
	return 0;
}

static void
rread_free(void *arg)
{
	struct rread *r = arg;

	remote_samples_enc_release(&r->enc);
	remote_frame_enc_release(&r->fe);
	buf_release(&r->scratch);
	free(r);
}

static int
rread_next(void *arg, struct buf *out)
{
	struct rread *r = arg;

	return remote_samples_enc_next(&r->enc, out);
}

static int
api_read(struct httpd_req *req, struct httpd_resp *resp, void *arg)
{
	struct qm *qm = arg;
	struct remote_request rq = REMOTE_REQUEST_INIT;
	struct rread *r;
	struct fetch_sel *fs = NULL;
	struct qopts o;
	struct qwarn w = { 0 };
	const char *body;
	char err[ERR_MAX];
	size_t len;
	int rc;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -1;
	body = httpd_req_body(req, &len);
	if ((rc = remote_request_decode(&rq, body, len, err)) != 0 ||
	    (rc = remote_request_pick_type(&rq, &r->type, err)) != 0) {
		resp->status = remote_http_status(rc ? rc : REMOTE_EBAD);
		buf_addstr(&resp->body, err);
		buf_addch(&resp->body, '\n');
		remote_request_release(&rq);
		free(r);
		return 0;
	}
	if (get_qopts(qm, req, &o, err) == -1) {
		resp->status = 400;
		buf_addf(&resp->body, "%s\n", err);
		remote_request_release(&rq);
		free(r);
		return 0;
	}
	o.by_query = 1;
	if ((fs = calloc(rq.nqueries ? rq.nqueries : 1, sizeof(*fs))) == NULL) {
		remote_request_release(&rq);
		free(r);
		return -1;
	}
	for (size_t i = 0; i < rq.nqueries; i++) {
		fs[i].m = rq.queries[i].matchers;
		fs[i].nm = rq.queries[i].nmatchers;
		fs[i].mint = rq.queries[i].start_ms;
		fs[i].maxt = rq.queries[i].end_ms;
		/* Prometheus says which function reads the selector. */
		fs[i].counter = rq.queries[i].has_hints &&
		    qm_counter_func(rq.queries[i].hints.func);
		log_debug("remote read", "func", rq.queries[i].has_hints &&
		    rq.queries[i].hints.func ? rq.queries[i].hints.func : "",
		    "counter", fs[i].counter ? "true" : "false");
	}
	remote_samples_enc_init(&r->enc, REMOTE_MAX_RESPONSE);
	buf_init(&r->scratch, BUF_NOMAX);
	remote_frame_enc_init(&r->fe, &resp->body, REMOTE_FRAME_BYTES);
	rc = rq.nqueries ? qm_select(qm, &o, fs, rq.nqueries, emit_read, r,
	    &w, err) : 0;
	if (rc == 0 && r->type == REMOTE_SAMPLES) {
		while (r->next < rq.nqueries && rc == 0) {
			rc = remote_samples_enc_query(&r->enc);
			r->next++;
		}
		if (rc == 0)
			rc = remote_samples_enc_close(&r->enc);
		if (rc == -1)
			errbuf_sys(err, "remote read response");
	}
	for (size_t i = 0; i < w.n; i++)
		log_warn("partial response", "warning", w.line[i]);
	qwarn_release(&w);
	free(fs);
	remote_request_release(&rq);
	if (rc != 0) {
		buf_reset(&resp->body);
		resp->status = 500;
		buf_addf(&resp->body, "%s\n", err);
		rread_free(r);
		return 0;
	}
	httpd_resp_header(resp, "Content-Type", r->type == REMOTE_SAMPLES ?
	    REMOTE_CT_SAMPLES : REMOTE_CT_STREAM);
	if (r->type != REMOTE_SAMPLES) {
		rread_free(r);
		return 0;
	}
	/* The compressed answer leaves in pieces, freed as they go. */
	httpd_resp_header(resp, "Content-Encoding", REMOTE_ENCODING);
	return httpd_resp_stream(resp, rread_next, rread_free, r) == -1 ?
	    -1 : 0;
}

/* --- stores ------------------------------------------------------------- */

static int
api_stores(struct httpd_req *req, struct httpd_resp *resp, void *arg)
{
	struct qm *qm = arg;

	(void)req;
	httpd_resp_header(resp, "Content-Type", "application/json");
	promapi_begin(&resp->body);
	stores_json(&qm->stores, &resp->body);
	return promapi_end(&resp->body);
}

/* --- what Grafana and promtool ask besides queries --------------------- */

static int
api_exemplars(struct httpd_req *req, struct httpd_resp *resp, void *arg)
{
	(void)req;
	(void)arg;
	httpd_resp_header(resp, "Content-Type", "application/json");
	return buf_addstr(&resp->body, "{\"status\":\"success\",\"data\":[]}");
}

static int
api_metadata(struct httpd_req *req, struct httpd_resp *resp, void *arg)
{
	(void)req;
	(void)arg;
	httpd_resp_header(resp, "Content-Type", "application/json");
	return buf_addstr(&resp->body, "{\"status\":\"success\",\"data\":{}}");
}

/* The version Grafana reads to know which API it talks to: the
 * Prometheus whose PromQL this is, and ours beside it. */
static int
api_buildinfo(struct httpd_req *req, struct httpd_resp *resp, void *arg)
{
	(void)req;
	(void)arg;
	httpd_resp_header(resp, "Content-Type", "application/json");
	return buf_addstr(&resp->body, "{\"status\":\"success\",\"data\":"
	    "{\"version\":\"2.42.0\",\"revision\":\"strata-query-merge-"
	    VERSION "\",\"branch\":\"\",\"buildUser\":\"\","
	    "\"buildDate\":\"\",\"goVersion\":\"\"}}");
}

const struct httpd_route *
api_routes(struct qm *qm)
{
	static struct httpd_route routes[] = {
		{ "GET|POST", "/api/v1/query", query, NULL, "query" },
		{ "GET|POST", "/api/v1/query_range", query_range, NULL,
		    "query_range" },
		{ "GET|POST", "/api/v1/series", api_series, NULL, "series" },
		{ "GET|POST", "/api/v1/labels", api_labels, NULL, "labels" },
		{ "GET|POST", "/api/v1/label/*", api_label_values, NULL,
		    "label_values" },
		{ "GET|POST", "/api/v1/export", api_export, NULL, "export" },
		{ "POST", "/api/v1/read", api_read, NULL, "read" },
		{ "GET", "/api/v1/stores", api_stores, NULL, "stores" },
		{ "GET|POST", "/api/v1/query_exemplars", api_exemplars, NULL,
		    "query_exemplars" },
		{ "GET", "/api/v1/metadata", api_metadata, NULL, "metadata" },
		{ "GET", "/api/v1/status/buildinfo", api_buildinfo, NULL,
		    "buildinfo" },
		{ NULL, NULL, NULL, NULL, NULL },
	};

	for (size_t i = 0; routes[i].path; i++)
		routes[i].arg = qm;
	return routes;
}
