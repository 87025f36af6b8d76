#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "base/log.h"
#include "base/parse.h"
#include "net/httpd.h"

#define HTTPD_MEMORY_LIMIT	((size_t)128 << 10)	/* request head */
#define HTTPD_STREAM_BLOCK	((size_t)64 << 10)
#define TEXT_PLAIN		"text/plain; charset=utf-8"

/* Thanos' buckets for http_request_duration_seconds. */
static const double duration_buckets[] = {
	0.001, 0.01, 0.1, 0.3, 0.6, 1, 3, 6, 9, 20, 30, 60, 90, 120
};

struct httpd_hdr {
	struct httpd_hdr	*next;
	char			*name;
	char			*value;
};

struct httpd_stream {
	int		(*next)(void *, struct buf *);
	void		(*done)(void *);
	void		 *arg;
	struct buf	  piece;	/* the piece being sent */
	size_t		  off;		/* bytes of it already sent */
	int		  last;		/* next said there is no more */
};

struct param {
	char		 *name;
	char		**values;	/* n, NULL-terminated */
	size_t		  n;
	size_t		  cap;
};

/*
 * One request, from the request line (the URI log callback, the first
 * thing libmicrohttpd tells us) to the end of its answer (the completed
 * callback, which libmicrohttpd promises once it has called the first).
 */
struct httpd_req {
	struct httpd			*h;
	struct MHD_Connection		*conn;
	char				*uri;	/* raw, with the query */
	const char			*method;
	const char			*path;
	const struct httpd_route	*route;
	const char			*label;	/* handler label, or NULL */
	const char			*mlabel; /* method label */
	struct timespec			 t0;
	struct buf			 body;
	struct param			*params;
	size_t				 nparams;
	size_t				 capparams;
	int				 started;
	int				 toobig;
	int				 status;	/* answered with */
};

/* The methods a route may name, in the order Allow lists them. */
static const char *const methods[] = {
	"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", NULL
};

static int builtin_healthy(struct httpd_req *, struct httpd_resp *, void *);
static int builtin_ready(struct httpd_req *, struct httpd_resp *, void *);
static int builtin_metrics(struct httpd_req *, struct httpd_resp *, void *);

static const struct httpd_route builtins[] = {
	{ "GET", "/-/healthy", builtin_healthy, NULL, "healthy" },
	{ "GET", "/-/ready", builtin_ready, NULL, "ready" },
	{ "GET", "/metrics", builtin_metrics, NULL, "metrics" },
	{ NULL, NULL, NULL, NULL, NULL }
};

void
httpd_init(struct httpd *h)
{
	memset(h, 0, sizeof(*h));
	atomic_init(&h->ready, 0);
	atomic_init(&h->quiesced, 0);
	h->threads = 0;
	h->max_conns = HTTPD_MAX_CONNS;
	h->max_body = HTTPD_MAX_BODY;
	h->idle_timeout_s = HTTPD_IDLE_TIMEOUT_S;
	h->lfd = -1;
}

/* Request accessors. */

const char *
httpd_req_method(const struct httpd_req *req)
{
	return req->method;
}

const char *
httpd_req_path(const struct httpd_req *req)
{
	return req->path;
}

static const struct param *
param_find(const struct httpd_req *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->nparams; i++)
		if (strcmp(req->params[i].name, name) == 0)
			return &req->params[i];
	return NULL;
}

const char *
httpd_req_param(const struct httpd_req *req, const char *name)
{
	const struct param *p = param_find(req, name);

	return p ? p->values[0] : NULL;
}

const char *const *
httpd_req_params(const struct httpd_req *req, const char *name, size_t *n)
{
	const struct param *p = param_find(req, name);

	*n = p ? p->n : 0;
	return p ? (const char *const *)p->values : NULL;
}

const char *
httpd_req_header(const struct httpd_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *
httpd_req_body(const struct httpd_req *req, size_t *len)
{
	*len = req->body.len;
	return req->body.data ? req->body.data : "";
}

/* Responses. */

static void
resp_init(struct httpd_resp *resp)
{
	resp->status = 200;
	buf_init(&resp->body, HTTPD_RESP_MAX);
	resp->hdrs = NULL;
	resp->stream = NULL;
}

static void
stream_free(void *arg)
{
	struct httpd_stream *st = arg;

	if (st->done)
		st->done(st->arg);
	buf_release(&st->piece);
	free(st);
}

static void
resp_release(struct httpd_resp *resp)
{
	struct httpd_hdr *hd, *next;

	for (hd = resp->hdrs; hd; hd = next) {
		next = hd->next;
		free(hd->name);
		free(hd->value);
		free(hd);
	}
	resp->hdrs = NULL;
	if (resp->stream)
		stream_free(resp->stream);
	resp->stream = NULL;
	buf_release(&resp->body);
}

int
httpd_resp_header(struct httpd_resp *resp, const char *name,
    const char *value)
{
	struct httpd_hdr *hd, **tail;

	if (name[0] == '\0' || strpbrk(name, "\r\n: \t") ||
	    strpbrk(value, "\r\n") ||
	    strcasecmp(name, "Content-Length") == 0 ||
	    strcasecmp(name, "Transfer-Encoding") == 0 ||
	    strcasecmp(name, "Connection") == 0) {
		errno = EINVAL;
		return -1;
	}
	if ((hd = calloc(1, sizeof(*hd))) == NULL)
		return -1;
	if ((hd->name = strdup(name)) == NULL ||
	    (hd->value = strdup(value)) == NULL) {
		free(hd->name);
		free(hd);
		errno = ENOMEM;
		return -1;
	}
	/* Kept in the order given: a repeated header keeps its order. */
	for (tail = &resp->hdrs; *tail; tail = &(*tail)->next)
		;
	*tail = hd;
	return 0;
}

int
httpd_resp_stream(struct httpd_resp *resp,
    int (*next)(void *, struct buf *), void (*done)(void *), void *arg)
{
	struct httpd_stream *st;

	if ((st = calloc(1, sizeof(*st))) == NULL) {
		if (done)
			done(arg);
		errno = ENOMEM;
		return -1;
	}
	st->next = next;
	st->done = done;
	st->arg = arg;
	buf_init(&st->piece, HTTPD_RESP_MAX);
	if (resp->stream)
		stream_free(resp->stream);
	resp->stream = st;
	return 0;
}

/*
 * libmicrohttpd wants up to max more bytes of a streamed body: hand out
 * what is left of the current piece, and ask for the next piece only
 * when it is used up, so one piece at a time is in memory.
 */
static ssize_t
stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct httpd_stream *st = cls;
	size_t n;
	int r;

	(void)pos;
	while (st->off == st->piece.len) {
		if (st->last)
			return MHD_CONTENT_READER_END_OF_STREAM;
		buf_reset(&st->piece);
		st->off = 0;
		if ((r = st->next(st->arg, &st->piece)) == -1)
			return MHD_CONTENT_READER_END_WITH_ERROR;
		if (r == 0)
			st->last = 1;
	}
	n = st->piece.len - st->off;
	if (n > max)
		n = max;
	memcpy(out, st->piece.data + st->off, n);
	st->off += n;
	return (ssize_t)n;
}

static int
has_header(const struct httpd_resp *resp, const char *name)
{
	const struct httpd_hdr *hd;

	for (hd = resp->hdrs; hd; hd = hd->next)
		if (strcasecmp(hd->name, name) == 0)
			return 1;
	return 0;
}

/* resp as a libmicrohttpd response; the stream or body moves into it.
 * NULL when out of memory. */
static struct MHD_Response *
resp_build(struct httpd_req *req, struct httpd_resp *resp)
{
	struct MHD_Response *r;
	const struct httpd_hdr *hd;
	size_t len;
	char *data;

	if (resp->stream) {
		r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN,
		    HTTPD_STREAM_BLOCK, stream_read, resp->stream,
		    stream_free);
		if (r == NULL)
			return NULL;
		resp->stream = NULL;	/* stream_free is r's now */
	} else {
		if ((data = buf_detach(&resp->body, &len)) == NULL)
			return NULL;
		r = MHD_create_response_from_buffer(len, data,
		    MHD_RESPMEM_MUST_FREE);
		if (r == NULL) {
			free(data);
			return NULL;
		}
	}
	for (hd = resp->hdrs; hd; hd = hd->next)
		if (MHD_add_response_header(r, hd->name, hd->value) != MHD_YES)
			goto fail;
	if (!has_header(resp, "Content-Type") &&
	    MHD_add_response_header(r, "Content-Type", TEXT_PLAIN) != MHD_YES)
		goto fail;
	/* While draining, kept-alive connections must end after this. */
	if (atomic_load(&req->h->quiesced) &&
	    MHD_add_response_header(r, "Connection", "close") != MHD_YES)
		goto fail;
	return r;
fail:
	MHD_destroy_response(r);
	return NULL;
}

/* Queue resp as the answer to req; resp is released. */
static enum MHD_Result
respond(struct httpd_req *req, struct httpd_resp *resp)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	int status = resp->status;

	if (status < 100 || status > 999)
		status = 500;
	r = resp_build(req, resp);
	resp_release(resp);
	if (r == NULL) {
		log_debug("httpd: cannot build response", "path", req->path);
		return MHD_NO;	/* closes the connection */
	}
	ret = MHD_queue_response(req->conn, (unsigned)status, r);
	MHD_destroy_response(r);
	if (ret == MHD_YES)
		req->status = status;
	return ret;
}

/* A short text answer, with an Allow header if allow is set. */
static enum MHD_Result
respond_text(struct httpd_req *req, int status, const char *allow,
    const char *fmt, ...)
{
	struct httpd_resp resp;
	va_list ap;
	int r;

	resp_init(&resp);
	resp.status = status;
	va_start(ap, fmt);
	r = buf_vaddf(&resp.body, fmt, ap);
	va_end(ap);
	if (r == -1 || (allow && httpd_resp_header(&resp, "Allow", allow) ==
	    -1)) {
		resp_release(&resp);
		return MHD_NO;
	}
	return respond(req, &resp);
}

/* Routing. */

/* 1 if method is one of the '|'-separated tokens of list; HEAD goes
 * wherever GET does. */
static int
method_in(const char *list, const char *method)
{
	const char *p = list, *end;
	size_t n;

	for (;;) {
		end = strchr(p, '|');
		n = end ? (size_t)(end - p) : strlen(p);
		if ((strlen(method) == n && strncmp(p, method, n) == 0) ||
		    (strcmp(method, "HEAD") == 0 && n == 3 &&
		    strncmp(p, "GET", 3) == 0))
			return 1;
		if (end == NULL)
			return 0;
		p = end + 1;
	}
}

static int
path_match(const char *pattern, const char *path)
{
	size_t n = strlen(pattern);

	if (n > 0 && pattern[n - 1] == '*')
		return strncmp(pattern, path, n - 1) == 0;
	return strcmp(pattern, path) == 0;
}

/* /metrics is there only with a registry to show. */
static int
route_usable(const struct httpd *h, const struct httpd_route *r)
{
	return r->handler != builtin_metrics || h->reg != NULL;
}

/*
 * Route for method and path: the first route that takes both, or NULL.
 * *pathonly is then the first route that takes the path with some other
 * method (405), if any.
 */
static const struct httpd_route *
route_find(const struct httpd *h, const char *method, const char *path,
    const struct httpd_route **pathonly)
{
	const struct httpd_route *tabs[2] = { builtins, h->routes }, *r;
	size_t t;

	*pathonly = NULL;
	for (t = 0; t < 2; t++)
		for (r = tabs[t]; r && r->path; r++) {
			if (!route_usable(h, r) || !path_match(r->path, path))
				continue;
			if (method_in(r->method, method))
				return r;
			if (*pathonly == NULL)
				*pathonly = r;
		}
	return NULL;
}

/* "GET, HEAD, POST": the methods routes take for path, for Allow. */
static int
allow_list(const struct httpd *h, const char *path, struct buf *b)
{
	const struct httpd_route *tabs[2] = { builtins, h->routes }, *r;
	size_t i, t;
	int found;

	for (i = 0; methods[i]; i++) {
		found = 0;
		for (t = 0; t < 2 && !found; t++)
			for (r = tabs[t]; r && r->path && !found; r++)
				found = route_usable(h, r) &&
				    path_match(r->path, path) &&
				    method_in(r->method, methods[i]);
		if (found && buf_addf(b, "%s%s", b->len ? ", " : "",
		    methods[i]) == -1)
			return -1;
	}
	return 0;
}

static const char *
method_label(const char *method)
{
	size_t i;

	for (i = 0; methods[i]; i++)
		if (strcmp(methods[i], method) == 0)
			return methods[i];
	return "other";
}

/* Parameters: Go's url.ParseQuery. */

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* n bytes of s, '+' as space and %XX as a byte, into a new string.
 * NULL with errno EINVAL for a bad escape or a NUL, or ENOMEM. */
static char *
unescape(const char *s, size_t n)
{
	char *out, *o;
	size_t i;
	int hi, lo;

	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	for (i = 0, o = out; i < n; i++) {
		if (s[i] == '+') {
			*o++ = ' ';
		} else if (s[i] != '%') {
			*o++ = s[i];
		} else {
			if (i + 2 >= n || (hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0 || (hi | lo) == 0)
				goto bad;
			*o++ = (char)(hi << 4 | lo);
			i += 2;
		}
	}
	*o = '\0';
	return out;
bad:
	free(out);
	errno = EINVAL;
	return NULL;
}

/* Add a value under name; both strings become req's, or are freed if
 * this fails (ENOMEM). */
static int
param_add(struct httpd_req *req, char *name, char *value)
{
	struct param *p = (struct param *)param_find(req, name), *np;
	char **nv;
	size_t ncap;

	if (p == NULL) {
		if (req->nparams == req->capparams) {
			ncap = req->capparams ? req->capparams * 2 : 8;
			if ((np = realloc(req->params, ncap * sizeof(*np))) ==
			    NULL) {
				free(name);
				free(value);
				return -1;
			}
			req->params = np;
			req->capparams = ncap;
		}
		p = &req->params[req->nparams++];
		memset(p, 0, sizeof(*p));
		p->name = name;
	} else {
		free(name);
	}
	if (p->n + 1 >= p->cap) {
		ncap = p->cap ? p->cap * 2 : 4;
		if ((nv = realloc(p->values, ncap * sizeof(char *))) == NULL)
			goto fail;
		p->values = nv;
		p->cap = ncap;
	}
	p->values[p->n++] = value;
	p->values[p->n] = NULL;
	return 0;
fail:
	/* A new param without values would break httpd_req_param. */
	if (p->n == 0) {
		free(p->name);
		req->nparams--;
	}
	free(value);
	return -1;
}

/*
 * Add the pairs of a query string or form body of n bytes.  -1 with
 * errno EINVAL for a pair Go would reject (a bad escape, a ';'), or
 * ENOMEM.
 */
static int
parse_pairs(struct httpd_req *req, const char *s, size_t n)
{
	const char *end = s + n, *amp, *eq;
	char *name, *value;

	while (s < end) {
		if ((amp = memchr(s, '&', (size_t)(end - s))) == NULL)
			amp = end;
		if (amp == s) {
			s++;
			continue;
		}
		if (memchr(s, ';', (size_t)(amp - s)) != NULL) {
			errno = EINVAL;
			return -1;
		}
		if ((eq = memchr(s, '=', (size_t)(amp - s))) == NULL)
			eq = amp;
		if ((name = unescape(s, (size_t)(eq - s))) == NULL)
			return -1;
		value = unescape(eq + (eq < amp), (size_t)(amp - eq -
		    (eq < amp)));
		if (value == NULL) {
			free(name);
			return -1;
		}
		if (param_add(req, name, value) == -1)
			return -1;
		s = amp;
	}
	return 0;
}

/* Go's ParseForm reads a body only for these, with this media type. */
static int
is_form(const struct httpd_req *req)
{
	static const char form[] = "application/x-www-form-urlencoded";
	const char *ct;

	if (strcmp(req->method, "POST") != 0 &&
	    strcmp(req->method, "PUT") != 0 &&
	    strcmp(req->method, "PATCH") != 0)
		return 0;
	if ((ct = httpd_req_header(req, "Content-Type")) == NULL)
		return 0;
	ct += strspn(ct, " \t");
	if (strncasecmp(ct, form, sizeof(form) - 1) != 0)
		return 0;
	ct += sizeof(form) - 1;
	return *ct == '\0' || *ct == ';' || *ct == ' ' || *ct == '\t';
}

static int
parse_params(struct httpd_req *req)
{
	const char *q;

	if (is_form(req) && parse_pairs(req, req->body.data ?
	    req->body.data : "", req->body.len) == -1)
		return -1;
	if ((q = strchr(req->uri, '?')) != NULL &&
	    parse_pairs(req, q + 1, strlen(q + 1)) == -1)
		return -1;
	return 0;
}

/* Metrics. */

static int
register_metrics(struct httpd *h, char *err)
{
	static const char *const req_labels[] = {
		"code", "handler", "method", NULL
	};
	static const char *const handler_label[] = { "handler", NULL };

	if (h->reg == NULL)
		return 0;
	h->m_requests = metrics_counter(h->reg, "http_requests_total",
	    "Tracks the number of HTTP requests.", req_labels, err);
	if (h->m_requests == NULL)
		return -1;
	h->m_duration = metrics_histogram(h->reg,
	    "http_request_duration_seconds",
	    "Tracks the latencies for HTTP requests.", handler_label,
	    duration_buckets, sizeof(duration_buckets) /
	    sizeof(duration_buckets[0]), err);
	if (h->m_duration == NULL)
		return -1;
	h->m_inflight = metrics_gauge(h->reg, "http_inflight_requests",
	    "Current number of HTTP requests the handler is responding to.",
	    handler_label, err);
	return h->m_inflight ? 0 : -1;
}

static double
since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	    (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* libmicrohttpd callbacks. */

/* The raw request line is seen here first: keep its URI for the query
 * string, which libmicrohttpd would decode without Go's '+' rule. */
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct httpd *h = cls;
	struct httpd_req *req;

	(void)conn;
	if ((req = calloc(1, sizeof(*req))) == NULL)
		return NULL;
	if ((req->uri = strdup(uri)) == NULL) {
		free(req);
		return NULL;
	}
	req->h = h;
	buf_init(&req->body, h->max_body);
	clock_gettime(CLOCK_MONOTONIC, &req->t0);
	pthread_mutex_lock(&h->mu);
	h->inflight++;
	pthread_mutex_unlock(&h->mu);
	return req;
}

static void
req_free(struct httpd_req *req)
{
	size_t i, j;

	for (i = 0; i < req->nparams; i++) {
		for (j = 0; j < req->params[i].n; j++)
			free(req->params[i].values[j]);
		free(req->params[i].values);
		free(req->params[i].name);
	}
	free(req->params);
	buf_release(&req->body);
	free(req->uri);
	free(req);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct httpd *h = cls;
	struct httpd_req *req = *con_cls;
	char code[16];

	(void)conn;
	(void)toe;
	if (req == NULL)
		return;
	*con_cls = NULL;
	if (req->label && h->reg) {
		if (req->status != 0) {
			snprintf(code, sizeof(code), "%d", req->status);
			metric_inc(h->m_requests, code, req->label,
			    req->mlabel);
			metric_observe(h->m_duration, since(&req->t0),
			    req->label);
		}
		metric_add(h->m_inflight, -1, req->label);
	}
	req_free(req);
	pthread_mutex_lock(&h->mu);
	if (--h->inflight == 0)
		pthread_cond_broadcast(&h->idle);
	pthread_mutex_unlock(&h->mu);
}

static void
on_log(void *cls, const char *fmt, va_list ap)
{
	char line[ERR_MAX];
	size_t n;

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	log_debug("httpd", "err", line);
}

/* Run the route's handler on the finished request. */
static enum MHD_Result
dispatch(struct httpd_req *req)
{
	struct httpd_resp resp;
	char q[PARSE_QUOTE_MAX];

	if (req->toobig)
		return respond_text(req, 413, NULL, "request body over %zu "
		    "bytes\n", req->h->max_body);
	if (parse_params(req) == -1) {
		if (errno == EINVAL)
			return respond_text(req, 400, NULL, "bad query string "
			    "or form body in request for %s\n",
			    parse_quote(req->path, q));
		return MHD_NO;
	}
	resp_init(&resp);
	if (req->route->handler(req, &resp, req->route->arg) == -1) {
		resp_release(&resp);
		return respond_text(req, 500, NULL, "internal server error\n");
	}
	return respond(req, &resp);
}

/* An absolute-form target (a proxy's "GET http://host/path") is routed
 * on its path, as Go's server does. */
static const char *
origin_path(const char *url)
{
	const char *p;

	if (url[0] == '/' || (p = strstr(url, "://")) == NULL)
		return url;
	p = strchr(p + 3, '/');
	return p ? p : "/";
}

/*
 * The first call for a request, with its head read: route it, and answer
 * at once what needs no body (404, 405, and 413 for a declared length
 * over the cap), so no body is read in vain.
 */
static enum MHD_Result
begin(struct httpd_req *req, struct MHD_Connection *conn, const char *url,
    const char *method)
{
	const struct httpd_route *pathonly;
	struct buf allow = BUF_INIT(256);
	const char *cl;
	enum MHD_Result ret;
	char *end;
	unsigned long long len;

	req->started = 1;
	req->conn = conn;
	req->method = method;
	req->mlabel = method_label(method);
	req->path = url = origin_path(url);
	if ((req->route = route_find(req->h, method, url, &pathonly)) ==
	    NULL) {
		if (pathonly == NULL) {
			req->label = "notfound";
			if (req->h->reg)
				metric_inc(req->h->m_inflight, req->label);
			return respond_text(req, 404, NULL,
			    "404 page not found\n");
		}
		req->label = pathonly->name ? pathonly->name : pathonly->path;
		if (req->h->reg)
			metric_inc(req->h->m_inflight, req->label);
		if (allow_list(req->h, url, &allow) == -1) {
			buf_release(&allow);
			return MHD_NO;
		}
		ret = respond_text(req, 405, allow.data,
		    "method not allowed\n");
		buf_release(&allow);
		return ret;
	}
	req->label = req->route->name ? req->route->name : req->route->path;
	if (req->h->reg)
		metric_inc(req->h->m_inflight, req->label);
	cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl != NULL) {
		errno = 0;
		len = strtoull(cl, &end, 10);
		if (errno == 0 && end != cl && len > req->h->max_body) {
			req->toobig = 1;
			return dispatch(req);
		}
	}
	return MHD_YES;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct httpd_req *req = *con_cls;

	(void)cls;
	(void)version;
	if (req == NULL)	/* on_uri ran out of memory */
		return MHD_NO;
	if (!req->started)
		return begin(req, conn, url, method);
	if (*upload_data_size > 0) {
		/* Past the cap, read on and drop it: the 413 goes out once
		 * the body is in, as libmicrohttpd answers only then. */
		if (!req->toobig && buf_add(&req->body, upload_data,
		    *upload_data_size) == -1) {
			if (errno != ENOBUFS)
				return MHD_NO;
			req->toobig = 1;
			buf_release(&req->body);
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	return dispatch(req);
}

/* Built-in handlers. */

static int
builtin_healthy(struct httpd_req *req, struct httpd_resp *resp, void *arg)
{
	(void)req;
	(void)arg;
	return buf_addstr(&resp->body, "OK\n");
}

static int
builtin_ready(struct httpd_req *req, struct httpd_resp *resp, void *arg)
{
	(void)arg;
	if (atomic_load(&req->h->ready) && !atomic_load(&req->h->quiesced))
		return buf_addstr(&resp->body, "OK\n");
	resp->status = 503;
	return buf_addstr(&resp->body, "not ready\n");
}

static int
builtin_metrics(struct httpd_req *req, struct httpd_resp *resp, void *arg)
{
	(void)arg;
	if (httpd_resp_header(resp, "Content-Type", METRICS_CONTENT_TYPE) ==
	    -1)
		return -1;
	return metrics_render(req->h->reg, &resp->body);
}

/* Starting and stopping. */

/*
 * "host:port", "[v6]:port" or ":port" into a socket address.  An empty
 * host is every address: IPv6's any, which takes IPv4 as well
 * (dual stack), as Go's net.Listen does.
 */
static int
resolve(const char *listen, struct sockaddr_storage *ss, char *err)
{
	char host[256], q[PARSE_QUOTE_MAX];
	const char *colon, *port;
	struct addrinfo hints, *ai;
	uint64_t pn;
	size_t hl;
	int rc;

	if (listen[0] == '[') {
		colon = strstr(listen, "]:");
		hl = colon ? (size_t)(colon - listen - 1) : 0;
		port = colon ? colon + 2 : NULL;
		listen++;
	} else {
		colon = strrchr(listen, ':');
		hl = colon ? (size_t)(colon - listen) : 0;
		port = colon ? colon + 1 : NULL;
		if (colon && memchr(listen, ':', hl) != NULL)
			port = NULL;	/* an IPv6 address needs [] */
	}
	if (port == NULL || hl >= sizeof(host) ||
	    parse_uint64(port, 0, 65535, &pn, err) == -1)
		return errbuf_set(err, "bad listen address '%s': want "
		    "host:port", parse_quote(listen, q));
	memcpy(host, listen, hl);
	host[hl] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (hl == 0) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_any;
		s6->sin6_port = htons((uint16_t)pn);
		return 0;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if ((rc = getaddrinfo(host, NULL, &hints, &ai)) != 0)
		return errbuf_set(err, "listen address %s: %s",
		    parse_quote(host, q), gai_strerror(rc));
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)pn);
	else
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)pn);
	return 0;
}

/* Catches libmicrohttpd's reason while it starts, for err. */
static _Thread_local char *start_err;

static void
on_log_start(void *cls, const char *fmt, va_list ap)
{
	va_list ap2;
	size_t n;

	if (start_err != NULL) {
		va_copy(ap2, ap);
		vsnprintf(start_err, ERR_MAX, fmt, ap2);
		va_end(ap2);
		n = strlen(start_err);
		while (n > 0 && start_err[n - 1] == '\n')
			start_err[--n] = '\0';
		/* Our error lines start in lower case. */
		if (start_err[0] >= 'A' && start_err[0] <= 'Z' &&
		    start_err[1] >= 'a' && start_err[1] <= 'z')
			start_err[0] = (char)(start_err[0] - 'A' + 'a');
	}
	on_log(cls, fmt, ap);
}

static struct MHD_Daemon *
mhd_start(struct httpd *h, const struct sockaddr_storage *ss, int dual,
    char *why)
{
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ITC |
	    MHD_USE_ERROR_LOG;
	struct MHD_Daemon *d;
	uint16_t port;

	if (h->threads == 0)
		flags |= MHD_USE_THREAD_PER_CONNECTION;
	if (ss->ss_family == AF_INET6)
		flags |= dual ? MHD_USE_DUAL_STACK : MHD_USE_IPv6;
	/* The port only names the socket in libmicrohttpd's messages;
	 * SOCK_ADDR is what it binds. */
	port = ntohs(ss->ss_family == AF_INET6 ?
	    ((const struct sockaddr_in6 *)ss)->sin6_port :
	    ((const struct sockaddr_in *)ss)->sin_port);
	start_err = why;
	why[0] = '\0';
	d = MHD_start_daemon(flags, port, NULL, NULL, on_request, h,
	    MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)ss,
	    MHD_OPTION_EXTERNAL_LOGGER, on_log_start, (void *)h,
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, (void *)h,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, (void *)h,
	    MHD_OPTION_CONNECTION_LIMIT, h->max_conns,
	    MHD_OPTION_CONNECTION_TIMEOUT, h->idle_timeout_s,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, HTTPD_MEMORY_LIMIT,
	    MHD_OPTION_THREAD_POOL_SIZE, h->threads > 1 ? h->threads : 0u,
	    MHD_OPTION_END);
	start_err = NULL;
	return d;
}

/* 1 if list is one or more known methods separated by '|'. */
static int
methods_ok(const char *list)
{
	const char *p = list, *end;
	size_t i, n;

	for (;;) {
		end = strchr(p, '|');
		n = end ? (size_t)(end - p) : strlen(p);
		for (i = 0; methods[i]; i++)
			if (strlen(methods[i]) == n &&
			    strncmp(methods[i], p, n) == 0)
				break;
		if (methods[i] == NULL)
			return 0;
		if (end == NULL)
			return 1;
		p = end + 1;
	}
}

static int
check_routes(const struct httpd_route *routes, char *err)
{
	const struct httpd_route *r;

	for (r = routes; r && r->path; r++)
		if (r->path[0] != '/' || r->method == NULL ||
		    !methods_ok(r->method) || r->handler == NULL)
			return errbuf_set(err, "bad route for %s", r->path);
	return 0;
}

int
httpd_start(struct httpd *h, const char *listen,
    const struct httpd_route *routes, struct metrics *reg, char *err)
{
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *info;
	pthread_condattr_t ca;
	char why[ERR_MAX];
	int dual;

	if (check_routes(routes, err) == -1 ||
	    resolve(listen, &ss, err) == -1)
		return -1;
	h->routes = routes;
	h->reg = reg;
	h->lfd = -1;
	if (register_metrics(h, err) == -1)
		return -1;
	pthread_mutex_init(&h->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->idle, &ca);
	pthread_condattr_destroy(&ca);
	h->inflight = 0;
	dual = ss.ss_family == AF_INET6 &&
	    IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&ss)->sin6_addr);
	h->mhd = mhd_start(h, &ss, dual, why);
	if (h->mhd == NULL && dual) {
		/* No IPv6 here: every IPv4 address, then. */
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		in_port_t port = ((struct sockaddr_in6 *)&ss)->sin6_port;

		memset(&ss, 0, sizeof(ss));
		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_ANY);
		s4->sin_port = port;
		h->mhd = mhd_start(h, &ss, 0, why);
	}
	if (h->mhd == NULL) {
		pthread_cond_destroy(&h->idle);
		pthread_mutex_destroy(&h->mu);
		return errbuf_set(err, "listen %s: %s", listen,
		    why[0] ? why : "cannot start the HTTP server");
	}
	info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_BIND_PORT);
	h->port = info ? info->port : 0;
	return 0;
}

unsigned
httpd_port(const struct httpd *h)
{
	return h->port;
}

void
httpd_set_ready(struct httpd *h, int ready)
{
	atomic_store(&h->ready, ready != 0);
}

void
httpd_quiesce(struct httpd *h)
{
	int fd;

	if (h->mhd == NULL || atomic_exchange(&h->quiesced, 1))
		return;
	if ((fd = MHD_quiesce_daemon(h->mhd)) == MHD_INVALID_SOCKET)
		return;
	/*
	 * Closing the socket here could race with a libmicrohttpd thread
	 * that has not yet seen the quiesce; shutdown() instead makes the
	 * kernel stop listening (new connections are refused) while the
	 * descriptor stays ours until httpd_stop.
	 */
	shutdown(fd, SHUT_RD);
	h->lfd = fd;
}

int
httpd_drain(struct httpd *h, int64_t deadline_ms)
{
	struct timespec ts;
	int r = 0;

	/* h->idle waits on CLOCK_MONOTONIC, the clock of clock_mono_ms. */
	ts.tv_sec = deadline_ms / 1000;
	ts.tv_nsec = (deadline_ms % 1000) * 1000000;
	pthread_mutex_lock(&h->mu);
	while (h->inflight > 0 && r == 0)
		if (pthread_cond_timedwait(&h->idle, &h->mu, &ts) ==
		    ETIMEDOUT)
			r = h->inflight > 0 ? -1 : 0;
	pthread_mutex_unlock(&h->mu);
	if (r == -1)
		errno = ETIMEDOUT;
	return r;
}

void
httpd_stop(struct httpd *h)
{
	if (h->mhd == NULL)
		return;
	MHD_stop_daemon(h->mhd);
	h->mhd = NULL;
	if (h->lfd != -1)
		close(h->lfd);
	h->lfd = -1;
	pthread_cond_destroy(&h->idle);
	pthread_mutex_destroy(&h->mu);
}
