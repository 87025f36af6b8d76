#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/errbuf.h"
#include "base/jsonstr.h"
#include "net/promapi.h"
#include "series/export.h"
#include "series/jsonl.h"
#include "tsdb/labelquery.h"
#include "read.h"
#include "server.h"

/* A request's view of the store: a snapshot and its blocks as an array. */
struct view {
	struct store_set	*set;
	struct tsdb_block	**blocks;
	size_t			 n;
};

static int
view_open(struct server *sv, struct view *v)
{
	v->set = store_acquire(sv->store);
	v->n = v->set->n;
	if ((v->blocks = calloc(v->n ? v->n : 1, sizeof(*v->blocks))) ==
	    NULL) {
		store_set_release(v->set);
		return -1;
	}
	for (size_t i = 0; i < v->n; i++)
		v->blocks[i] = &v->set->v[i]->b;
	return 0;
}

static void
view_close(struct view *v)
{
	free(v->blocks);
	store_set_release(v->set);
}

/* The parameters the series, labels and export endpoints share. */
struct params {
	struct tsdb_selector	*sel;
	size_t			 nsel;
	int64_t			 start, end;
};

static int
get_params(struct httpd_req *req, struct httpd_resp *resp, struct params *p,
    int need_match)
{
	char err[ERR_MAX];

	memset(p, 0, sizeof(*p));
	if (promapi_time(req, "start", PROMAPI_MIN_TIME, &p->start, err) == -1 ||
	    promapi_time(req, "end", PROMAPI_MAX_TIME, &p->end, err) == -1) {
		promapi_error(resp, 400, "bad_data", "%s", err);
		return -1;
	}
	if (p->end < p->start) {
		promapi_error(resp, 400, "bad_data", "end timestamp must not be "
		    "before start time");
		return -1;
	}
	if (promapi_selectors(req, &p->sel, &p->nsel, err) == -1) {
		promapi_error(resp, 400, "bad_data", "%s", err);
		return -1;
	}
	if (need_match && p->nsel == 0) {
		promapi_error(resp, 400, "bad_data", "no match[] parameter "
		    "provided");
		return -1;
	}
	return 0;
}

static int
series(struct httpd_req *req, struct httpd_resp *resp, void *arg)
{
	const struct tsdb_qseries *s;
	struct tsdb_query q;
	struct params p;
	struct view v;
	char err[ERR_MAX];
	int r, first = 1;

	if (get_params(req, resp, &p, 1) == -1)
		return 0;
	if (view_open(arg, &v) == -1) {
		promapi_selectors_free(p.sel, p.nsel);
		return -1;
	}
	r = tsdb_query_open(&q, v.blocks, v.n, p.sel, p.nsel, p.start, p.end,
	    err);
	if (r == 0) {
		httpd_resp_header(resp, "Content-Type", "application/json");
		promapi_begin(&resp->body);
		buf_addch(&resp->body, '[');
		while ((r = tsdb_query_next(&q, &s, err)) == 1) {
			if (!first)
				buf_addch(&resp->body, ',');
			first = 0;
			if (jsonstr_add_labels(&resp->body, s->labels) == -1) {
				r = errbuf_sys(err, "series");
				break;
			}
		}
		buf_addch(&resp->body, ']');
		promapi_end(&resp->body);
		tsdb_query_close(&q);
	}
	if (r == -1)
		promapi_error(resp, 422, "execution", "%s", err);
	view_close(&v);
	promapi_selectors_free(p.sel, p.nsel);
	return 0;
}

static int
names(struct httpd_resp *resp, struct params *p, struct view *v,
    const char *name)
{
	struct strs out = { 0 };
	char err[ERR_MAX];

	if (tsdb_label_query(v->blocks, v->n, p->sel, p->nsel, p->start,
	    p->end, name, &out, err) == -1) {
		strs_release(&out);
		return promapi_error(resp, 422, "execution", "%s", err);
	}
	httpd_resp_header(resp, "Content-Type", "application/json");
	promapi_begin(&resp->body);
	buf_addch(&resp->body, '[');
	for (size_t i = 0; i < out.n; i++) {
		if (i > 0)
			buf_addch(&resp->body, ',');
		jsonstr_add(&resp->body, out.v[i].p, out.v[i].n);
	}
	buf_addch(&resp->body, ']');
	promapi_end(&resp->body);
	strs_release(&out);
	return 0;
}

static int
labels(struct httpd_req *req, struct httpd_resp *resp, void *arg)
{
	struct params p;
	struct view v;

	if (get_params(req, resp, &p, 0) == -1)
		return 0;
	if (view_open(arg, &v) == -1) {
		promapi_selectors_free(p.sel, p.nsel);
		return -1;
	}
	names(resp, &p, &v, NULL);
	view_close(&v);
	promapi_selectors_free(p.sel, p.nsel);
	return 0;
}

/* /api/v1/label/NAME/values */
static int
label_values(struct httpd_req *req, struct httpd_resp *resp, void *arg)
{
	const char *path = httpd_req_path(req) + strlen("/api/v1/label/");
	const char *slash = strchr(path, '/');
	char name[1024];
	struct params p;
	struct view v;

	if (slash == NULL || strcmp(slash, "/values") != 0 ||
	    (size_t)(slash - path) >= sizeof(name)) {
		resp->status = 404;
		buf_addstr(&resp->body, "404 page not found\n");
		return 0;
	}
	memcpy(name, path, (size_t)(slash - path));
	name[slash - path] = '\0';
	if (!labels_valid_name(name))
		return promapi_error(resp, 400, "bad_data", "invalid label "
		    "name: \"%s\"", name);
	if (get_params(req, resp, &p, 0) == -1)
		return 0;
	if (view_open(arg, &v) == -1) {
		promapi_selectors_free(p.sel, p.nsel);
		return -1;
	}
	names(resp, &p, &v, name);
	view_close(&v);
	promapi_selectors_free(p.sel, p.nsel);
	return 0;
}

/* --- /api/v1/export: series lines, streamed ---------------------------- */

struct stream {
	struct params		p;
	struct view		v;
	struct tsdb_query	q;
	struct export		x;
	int			open;
};

static int
stream_next(void *arg, struct buf *out)
{
	struct stream *st = arg;
	char err[ERR_MAX];
	int r;

	/* About 64 KiB a piece: few chunks on the wire, little memory. */
	while (out->len < 65536) {
		if ((r = export_next(&st->x, out, err)) == 0)
			return 0;
		if (r == -1)
			return -1;
	}
	return 1;
}

static void
stream_done(void *arg)
{
	struct stream *st = arg;

	if (st->open) {
		export_release(&st->x);
		tsdb_query_close(&st->q);
	}
	view_close(&st->v);
	promapi_selectors_free(st->p.sel, st->p.nsel);
	free(st);
}

static int
export(struct httpd_req *req, struct httpd_resp *resp, void *arg)
{
	const char *fmt = httpd_req_param(req, "format");
	enum export_format f = EXPORT_VALUES;
	struct stream *st;
	char err[ERR_MAX];

	if (fmt && strcmp(fmt, "chunks") == 0)
		f = EXPORT_CHUNKS;
	else if (fmt && *fmt && strcmp(fmt, "values") != 0)
		return promapi_error(resp, 400, "bad_data", "invalid parameter "
		    "\"format\": \"%s\" is not values or chunks", fmt);
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return -1;
	if (get_params(req, resp, &st->p, 1) == -1) {
		free(st);
		return 0;
	}
	if (view_open(arg, &st->v) == -1) {
		promapi_selectors_free(st->p.sel, st->p.nsel);
		free(st);
		return -1;
	}
	if (tsdb_query_open(&st->q, st->v.blocks, st->v.n, st->p.sel,
	    st->p.nsel, st->p.start, st->p.end, err) == -1) {
		stream_done(st);
		return promapi_error(resp, 422, "execution", "%s", err);
	}
	export_init(&st->x, &st->q, f);
	st->open = 1;
	httpd_resp_header(resp, "Content-Type", "application/stream+json");
	return httpd_resp_stream(resp, stream_next, stream_done, st) == -1 ?
	    -1 : 0;
}

/* --- /api/v1/blocks --------------------------------------------------- */

static int
blocks(struct httpd_req *req, struct httpd_resp *resp, void *arg)
{
	struct view v;

	(void)req;
	if (view_open(arg, &v) == -1)
		return -1;
	httpd_resp_header(resp, "Content-Type", "application/json");
	promapi_begin(&resp->body);
	buf_addstr(&resp->body, "{\"blocks\":[");
	for (size_t i = 0; i < v.n; i++) {
		char *doc = json_dumps((json_t *)v.blocks[i]->meta.doc,
		    JSON_COMPACT | JSON_PRESERVE_ORDER);

		if (i > 0)
			buf_addch(&resp->body, ',');
		buf_addstr(&resp->body, doc ? doc : "null");
		free(doc);
	}
	buf_addstr(&resp->body, "]}");
	promapi_end(&resp->body);
	view_close(&v);
	return 0;
}

const struct httpd_route *
server_routes(struct server *sv)
{
	static struct httpd_route routes[] = {
		{ "GET|POST", "/api/v1/series", series, NULL, "series" },
		{ "GET|POST", "/api/v1/labels", labels, NULL, "labels" },
		{ "GET|POST", "/api/v1/label/*", label_values, NULL,
		    "label_values" },
		{ "GET|POST", "/api/v1/export", export, NULL, "export" },
		{ "GET", "/api/v1/blocks", blocks, NULL, "blocks" },
		{ "POST", "/api/v1/read", read_handler, NULL, "read" },
		{ NULL, NULL, NULL, NULL, NULL },
	};

	for (size_t i = 0; routes[i].path; i++)
		routes[i].arg = sv;
	return routes;
}
