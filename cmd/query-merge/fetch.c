#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errbuf.h"
#include "net/fanout.h"
#include "net/remote.h"
#include "fetch.h"

int
fetch_warn(struct fetch *f, const char *fmt, ...)
{
	char **nw, *line;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -1;
	if ((nw = realloc(f->warn, (f->nwarn + 1) * sizeof(*nw))) == NULL) {
		free(line);
		return -1;
	}
	f->warn = nw;
	f->warn[f->nwarn++] = line;
	return 0;
}

static void
fseries_release(struct fseries *s)
{
	labels_release(&s->labels);
	free(s->mem);
	free(s->t);
	free(s->v);
}

void
fetch_release(struct fetch *f)
{
	for (size_t i = 0; i < f->n; i++)
		fseries_release(&f->s[i]);
	free(f->s);
	for (size_t i = 0; i < f->nwarn; i++)
		free(f->warn[i]);
	free(f->warn);
	memset(f, 0, sizeof(*f));
}

/* A copy of matchers (the request owns its own). */
static int
copy_matchers(const struct matcher *m, size_t n, struct matcher **out,
    char *err)
{
	struct matcher *c;

	*out = NULL;
	if (n == 0)
		return 0;
	if ((c = calloc(n, sizeof(*c))) == NULL)
		return errbuf_sys(err, "matchers");
	for (size_t i = 0; i < n; i++)
		if (matcher_init(&c[i], m[i].type, m[i].name, m[i].value,
		    m[i].vlen, err) == -1) {
			matchers_free(c, i);
			return -1;
		}
	*out = c;
	return 0;
}

static int
build_body(const struct fetch_sel *sel, size_t nsel, struct buf *body,
    char *err)
{
	struct remote_request rq = REMOTE_REQUEST_INIT;
	struct matcher *m;
	int rc = -1;

	for (size_t i = 0; i < nsel; i++) {
		if (copy_matchers(sel[i].m, sel[i].nm, &m, err) == -1)
			goto out;
		if (remote_request_add_query(&rq, sel[i].mint, sel[i].maxt, m,
		    sel[i].nm) == -1) {
			matchers_free(m, sel[i].nm);
			errbuf_sys(err, "remote read request");
			goto out;
		}
	}
	if (remote_request_add_type(&rq, REMOTE_STREAMED_XOR_CHUNKS) == -1 ||
	    remote_request_add_type(&rq, REMOTE_SAMPLES) == -1) {
		errbuf_sys(err, "remote read request");
		goto out;
	}
	rc = remote_request_encode(&rq, body, err);
out:
	remote_request_release(&rq);
	return rc;
}

/* A new series with its own copy of l. */
static struct fseries *
add_series(struct fetch *f, const struct labels *l, unsigned store,
    unsigned query)
{
	struct fseries *s;
	size_t size = 0, off = 0;

	if (f->n == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 256;

		if ((s = realloc(f->s, cap * sizeof(*s))) == NULL)
			return NULL;
		f->s = s;
		f->cap = cap;
	}
	s = &f->s[f->n];
	memset(s, 0, sizeof(*s));
	s->store = store;
	s->query = query;
	for (size_t i = 0; i < l->n; i++)
		size += l->v[i].name.n + l->v[i].value.n;
	if ((s->mem = malloc(size ? size : 1)) == NULL)
		return NULL;
	for (size_t i = 0; i < l->n; i++) {
		struct str name = { s->mem + off, l->v[i].name.n };
		struct str value;

		memcpy(s->mem + off, l->v[i].name.p, l->v[i].name.n);
		off += l->v[i].name.n;
		value.p = s->mem + off;
		value.n = l->v[i].value.n;
		memcpy(s->mem + off, l->v[i].value.p, l->v[i].value.n);
		off += l->v[i].value.n;
		if (labels_add(&s->labels, name, value) == -1) {
			fseries_release(s);
			return NULL;
		}
	}
	labels_sort(&s->labels);
	f->n++;
	return s;
}

/* Move a points buffer's samples into s. */
static int
take_points(struct fseries *s, struct remote_points *p)
{
	s->t = p->t;
	s->v = p->v;
	s->n = p->n;
	memset(p, 0, sizeof(*p));
	return 0;
}

static int
copy_samples(struct fseries *s, const int64_t *t, const double *v, size_t n,
    int64_t mint, int64_t maxt)
{
	size_t k = 0;

	if ((s->t = malloc((n ? n : 1) * sizeof(*t))) == NULL ||
	    (s->v = malloc((n ? n : 1) * sizeof(*v))) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (t[i] < mint || t[i] > maxt)
			continue;
		s->t[k] = t[i];
		s->v[k++] = v[i];
	}
	s->n = k;
	return 0;
}

static int
decode_samples(struct fetch *f, struct fanout_req *r, unsigned store,
    const struct fetch_sel *sel, size_t nsel)
{
	struct remote_response rr = REMOTE_RESPONSE_INIT;
	char err[ERR_MAX];
	int rc;

	if ((rc = remote_samples_decode(&rr, r->body.data, r->body.len, 0,
	    err)) != 0)
		return fetch_warn(f, "%s: %s", r->url, err) == -1 ? -1 : 0;
	if (rr.nresults != nsel) {
		remote_response_release(&rr);
		return fetch_warn(f, "%s: %zu results for %zu queries",
		    r->url, rr.nresults, nsel) == -1 ? -1 : 0;
	}
	for (size_t q = 0; q < rr.nresults; q++)
		for (size_t i = 0; i < rr.results[q].nseries; i++) {
			const struct remote_series *rs =
			    &rr.results[q].series[i];
			struct fseries *s;

			if ((s = add_series(f, &rs->labels, store,
			    (unsigned)q)) == NULL ||
			    copy_samples(s, rs->t, rs->v, rs->n, sel[q].mint,
			    sel[q].maxt) == -1) {
				remote_response_release(&rr);
				return -1;
			}
		}
	remote_response_release(&rr);
	return 0;
}

static int
decode_frames(struct fetch *f, struct fanout_req *r, unsigned store,
    const struct fetch_sel *sel, size_t nsel)
{
	struct remote_frame_dec d;
	struct remote_frame fr;
	struct remote_points pts = REMOTE_POINTS_INIT;
	struct fseries *cur = NULL;
	size_t first = f->n;
	char err[ERR_MAX];
	int rc, ret = 0;

	remote_frame_dec_init(&d, 0);
	if (remote_frame_dec_feed(&d, r->body.data, r->body.len) == -1) {
		ret = -1;
		goto out;
	}
	while ((rc = remote_frame_dec_next(&d, &fr, err)) == 1) {
		if (fr.query_index < 0 || (size_t)fr.query_index >= nsel) {
			rc = REMOTE_EBAD;
			errbuf_set(err, "frame answers query %lld of %zu",
			    (long long)fr.query_index, nsel);
			break;
		}
		for (size_t i = 0; i < fr.nseries; i++) {
			const struct remote_series *rs = &fr.series[i];
			const struct fetch_sel *q = &sel[fr.query_index];

			/* A series split over frames: the same labels and
			 * query again. */
			if (cur == NULL || cur->query != fr.query_index ||
			    labels_compare(&cur->labels, &rs->labels) != 0) {
				if (cur != NULL && (remote_points_finish(&pts) ==
				    -1 || take_points(cur, &pts) == -1)) {
					ret = -1;
					goto out;
				}
				if ((cur = add_series(f, &rs->labels, store,
				    (unsigned)fr.query_index)) == NULL) {
					ret = -1;
					goto out;
				}
			}
			if ((rc = remote_points_add_chunks(&pts, rs->chunks,
			    rs->nchunks, q->mint, q->maxt, err)) != 0)
				break;
		}
		if (rc != 1 && rc != 0)
			break;
		rc = 1;
	}
	if (rc == 0)
		rc = remote_frame_dec_finish(&d, err);
	if (rc == REMOTE_ESYS) {
		ret = -1;
		goto out;
	}
	if (rc != 0) {
		/* Garbage: none of this store's series, and a warning. */
		while (f->n > first)
			fseries_release(&f->s[--f->n]);
		cur = NULL;
		ret = fetch_warn(f, "%s: %s", r->url, err);
		goto out;
	}
	if (cur != NULL && (remote_points_finish(&pts) == -1 ||
	    take_points(cur, &pts) == -1))
		ret = -1;
out:
	remote_points_release(&pts);
	remote_frame_dec_release(&d);
	return ret;
}

int
fetch_run(struct fetch *f, const struct store_pick *p,
    const struct fetch_sel *sel, size_t nsel, long timeout_ms, char *err)
{
	static const char *const headers[] = {
		"Content-Type: application/x-protobuf",
		"Content-Encoding: snappy",
		"X-Prometheus-Remote-Read-Version: " REMOTE_VERSION,
		"User-Agent: query-merge",
		NULL
	};
	struct buf body = BUF_INIT(BUF_NOMAX), url = BUF_INIT(BUF_NOMAX);
	struct fanout_req *r;
	char **urls;
	int rc = 0;

	if (p->n == 0)
		return 0;
	if (build_body(sel, nsel, &body, err) == -1)
		return -1;
	r = calloc(p->n, sizeof(*r));
	urls = calloc(p->n, sizeof(*urls));
	if (r == NULL || urls == NULL) {
		rc = errbuf_sys(err, "fan-out");
		goto out;
	}
	for (size_t i = 0; i < p->n; i++) {
		fanout_req_init(&r[i]);
		if (asprintf(&urls[i], "%s%s", p->url[i], REMOTE_PATH) < 0) {
			urls[i] = NULL;
			rc = errbuf_sys(err, "fan-out");
			goto out;
		}
		r[i].url = urls[i];
		r[i].req_body = body.data;
		r[i].req_len = body.len;
		r[i].headers = headers;
		r[i].timeout_ms = timeout_ms;
		r[i].max_body = REMOTE_MAX_RESPONSE;
	}
	if ((rc = fanout_run(r, p->n, err)) == -1)
		goto out;
	for (size_t i = 0; i < p->n && rc == 0; i++) {
		if (r[i].failed) {
			rc = fetch_warn(f, "%s", r[i].err);
		} else if (r[i].status != 200) {
			/* The first line of its error, as the store said. */
			size_t k = strcspn(r[i].body.data ? r[i].body.data :
			    "", "\n");

			rc = fetch_warn(f, "%s: status %ld: %.*s", r[i].url,
			    r[i].status, (int)(k > 200 ? 200 : k),
			    r[i].body.data ? r[i].body.data : "");
		} else if (strncmp(r[i].content_type,
		    "application/x-streamed-protobuf", 31) == 0) {
			rc = decode_frames(f, &r[i], (unsigned)i, sel, nsel);
		} else {
			rc = decode_samples(f, &r[i], (unsigned)i, sel, nsel);
		}
		/* Done with that body: free it before decoding the next. */
		fanout_req_release(&r[i]);
		buf_init(&r[i].body, BUF_NOMAX);
	}
	if (rc == -1)
		errbuf_sys(err, "remote read");
out:
	for (size_t i = 0; r != NULL && i < p->n; i++)
		fanout_req_release(&r[i]);
	for (size_t i = 0; urls != NULL && i < p->n; i++)
		free(urls[i]);
	free(r);
	free(urls);
	buf_release(&body);
	buf_release(&url);
	return rc;
}
