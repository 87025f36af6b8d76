/*
 * httpd_test: a server on 127.0.0.1 port 0 with a route table, driven by
 * net/http (libcurl) and, where headers or odd requests matter, by a raw
 * socket.  Routes, query and form parameters, the body cap, 404 and 405,
 * the built-ins, request metrics, a 10 MB streamed answer, a slow handler
 * beside a fast one (thread per connection and thread pool), and quiesce
 * with drain.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "net/http.h"
#include "net/httpd.h"
#include "unit.h"

#define STREAM_PIECE	65536
#define STREAM_PIECES	160		/* 10 MiB */

static atomic_int slow_started, slow_finished, stream_done;

/* Handlers. */

static void
add_values(struct buf *b, struct httpd_req *req, const char *name)
{
	const char *const *v;
	size_t i, n;

	v = httpd_req_params(req, name, &n);
	buf_addf(b, "%s=", name);
	for (i = 0; i < n; i++)
		buf_addf(b, "%s[%s]", i ? "," : "", v[i]);
	buf_addch(b, '\n');
	if (v != NULL)
		CHECK(v[n] == NULL);
}

static int
h_echo(struct httpd_req *req, struct httpd_resp *resp, void *arg)
{
	const char *q = httpd_req_param(req, "q");
	const char *hdr = httpd_req_header(req, "x-test");
	size_t len;

	buf_addf(&resp->body, "%s %s arg=%s\n", httpd_req_method(req),
	    httpd_req_path(req), (const char *)arg);
	buf_addf(&resp->body, "q=%s\n", q ? q : "(none)");
	add_values(&resp->body, req, "match[]");
	add_values(&resp->body, req, "query");
	add_values(&resp->body, req, "");
	add_values(&resp->body, req, "empty");
	buf_addf(&resp->body, "x-test=%s\n", hdr ? hdr : "(none)");
	buf_addf(&resp->body, "body=%s\n", httpd_req_body(req, &len));
	httpd_resp_header(resp, "X-Reply", "yes");
	return 0;
}

static int
h_upload(struct httpd_req *req, struct httpd_resp *resp, void *arg)
{
	const char *body;
	size_t len;

	(void)arg;
	body = httpd_req_body(req, &len);
	resp->status = 201;
	httpd_resp_header(resp, "Content-Type", "application/json");
	return buf_addf(&resp->body, "{\"len\":%zu,\"first\":\"%c\"}", len,
	    len ? body[0] : '-');
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static int
h_slow(struct httpd_req *req, struct httpd_resp *resp, void *arg)
{
	const char *ms = httpd_req_param(req, "ms");

	(void)arg;
	atomic_fetch_add(&slow_started, 1);
	sleep_ms(ms ? atol(ms) : 1000);
	atomic_fetch_add(&slow_finished, 1);
	return buf_addstr(&resp->body, "slow done\n");
}

static int
h_fast(struct httpd_req *req, struct httpd_resp *resp, void *arg)
{
	(void)req;
	(void)arg;
	return buf_addstr(&resp->body, "fast\n");
}

static int
h_fail(struct httpd_req *req, struct httpd_resp *resp, void *arg)
{
	(void)req;
	(void)arg;
	buf_addstr(&resp->body, "secret partial answer");
	return -1;
}

struct gen {
	int	pieces;		/* made so far */
	int	fail_at;	/* -1 at this piece, 0 = never */
};

static int
gen_next(void *arg, struct buf *out)
{
	struct gen *g = arg;
	char block[STREAM_PIECE];
	int i;

	/* Each call starts from an empty piece: memory stays bounded. */
	CHECK_INT(out->len, 0);
	if (g->fail_at && g->pieces == g->fail_at)
		return -1;
	for (i = 0; i < STREAM_PIECE; i++)
		block[i] = (char)('a' + (g->pieces + i) % 26);
	if (buf_add(out, block, sizeof(block)) == -1)
		return -1;
	g->pieces++;
	return g->pieces < STREAM_PIECES;
}

static void
gen_done(void *arg)
{
	free(arg);
	atomic_fetch_add(&stream_done, 1);
}

static int
h_stream(struct httpd_req *req, struct httpd_resp *resp, void *arg)
{
	struct gen *g;

	(void)req;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return -1;
	g->fail_at = arg != NULL ? 3 : 0;
	httpd_resp_header(resp, "Content-Type", "application/x-ndjson");
	return httpd_resp_stream(resp, gen_next, gen_done, g);
}

static const struct httpd_route routes[] = {
	{ "GET", "/echo", h_echo, "echo-arg", "echo" },
	{ "GET|POST", "/form", h_echo, "form-arg", "form" },
	{ "POST", "/upload", h_upload, NULL, "upload" },
	{ "PUT", "/upload", h_upload, NULL, "upload" },
	{ "GET", "/slow", h_slow, NULL, "slow" },
	{ "GET", "/fast", h_fast, NULL, "fast" },
	{ "GET", "/fail", h_fail, NULL, "fail" },
	{ "GET", "/stream", h_stream, NULL, "stream" },
	{ "GET", "/stream-cut", h_stream, "cut", "stream" },
	{ "GET", "/files/*", h_echo, "prefix", NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};

/* Clients. */

static char base[64];

static int
get(const char *path, struct http_response *resp, char *err)
{
	struct http_request req = HTTP_REQUEST_INIT;
	char url[4096];

	snprintf(url, sizeof(url), "%s%s", base, path);
	req.url = url;
	req.timeout_ms = 10000;
	return http_do(&req, resp, err);
}

static int
post(const char *path, const char *ctype, const void *body, size_t len,
    struct http_response *resp, char *err)
{
	struct http_request req = HTTP_REQUEST_INIT;
	const char *hdrs[] = { NULL, NULL };
	char url[512], ct[128];

	snprintf(url, sizeof(url), "%s%s", base, path);
	snprintf(ct, sizeof(ct), "Content-Type: %s", ctype);
	hdrs[0] = ct;
	req.method = "POST";
	req.url = url;
	req.body = body;
	req.body_len = len;
	req.headers = hdrs;
	return http_do(&req, resp, err);
}

/*
 * Send text as is on a new connection and read the whole answer until
 * the server closes (requests ask for "Connection: close").  -1 with
 * errno if the connection cannot be made.
 */
static int
raw(unsigned port, const char *text, size_t len, struct buf *out)
{
	struct sockaddr_in sa;
	struct pollfd pfd;
	char chunk[65536];
	ssize_t n;
	int fd;

	buf_reset(out);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		close(fd);
		return -1;
	}
	while (len > 0 && (n = send(fd, text, len, MSG_NOSIGNAL)) > 0) {
		text += n;
		len -= (size_t)n;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (poll(&pfd, 1, 5000) == 1 &&
	    (n = recv(fd, chunk, sizeof(chunk), 0)) > 0)
		buf_add(out, chunk, (size_t)n);
	close(fd);
	return 0;
}

static int
raw_str(unsigned port, const char *text, struct buf *out)
{
	return raw(port, text, strlen(text), out);
}

/* A kept-alive connection that has had one answer, or -1. */
static int
keepalive_open(unsigned port)
{
	static const char req[] = "GET /fast HTTP/1.1\r\nHost: x\r\n\r\n";
	struct sockaddr_in sa;
	struct pollfd pfd;
	char got[1024];
	size_t len = 0;
	ssize_t n;
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) == -1) {
		close(fd);
		return -1;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	got[0] = '\0';
	while (strstr(got, "\r\n\r\nfast\n") == NULL && len < sizeof(got) - 1 &&
	    poll(&pfd, 1, 3000) == 1 &&
	    (n = recv(fd, got + len, sizeof(got) - 1 - len, 0)) > 0) {
		len += (size_t)n;
		got[len] = '\0';
	}
	CHECK(strstr(got, "\r\n\r\nfast\n") != NULL);
	CHECK(strstr(got, "Connection: close") == NULL);
	return fd;
}

/* One more request on a kept-alive connection; what comes back until
 * the server closes it. */
static void
keepalive_again(int fd, struct buf *out)
{
	static const char req[] = "GET /fast HTTP/1.1\r\nHost: x\r\n\r\n";
	struct pollfd pfd;
	char chunk[1024];
	ssize_t n;

	buf_reset(out);
	CHECK(send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) > 0);
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (poll(&pfd, 1, 3000) == 1 &&
	    (n = recv(fd, chunk, sizeof(chunk), 0)) > 0)
		buf_add(out, chunk, (size_t)n);
}

struct bg {
	pthread_t		 tid;
	const char		*path;
	struct http_response	 resp;
	int			 rc;
	int64_t			 ms;
	char			 err[ERR_MAX];
};

static void *
bg_main(void *arg)
{
	struct bg *b = arg;
	int64_t t0 = clock_mono_ms();

	b->rc = get(b->path, &b->resp, b->err);
	b->ms = clock_mono_ms() - t0;
	return NULL;
}

static void
bg_start(struct bg *b, const char *path)
{
	memset(b, 0, sizeof(*b));
	b->path = path;
	http_response_init(&b->resp);
	CHECK_INT(pthread_create(&b->tid, NULL, bg_main, b), 0);
}

static void
wait_for(atomic_int *v, int want)
{
	int64_t end = clock_mono_ms() + 3000;

	while (atomic_load(v) < want && clock_mono_ms() < end)
		sleep_ms(1);
}

/* Tests. */

static void
test_routes(void)
{
	struct http_response r;
	char err[ERR_MAX];

	http_response_init(&r);
	CHECK_INT(get("/echo?q=a+b%2Bc&match[]=x&match%5B%5D=y&&empty&=v",
	    &r, err), 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(r.body.data, "GET /echo arg=echo-arg\n"
	    "q=a b+c\n"
	    "match[]=[x],[y]\n"
	    "query=\n"
	    "=[v]\n"
	    "empty=[]\n"
	    "x-test=(none)\n"
	    "body=\n");

	/* The form body's values come before the query string's. */
	CHECK_INT(post("/form?match[]=q1&query=fromquery",
	    "application/x-www-form-urlencoded; charset=utf-8",
	    "match[]=b1&query=up%7Bjob%3D%22a%22%7D&match[]=b2", 49, &r,
	    err), 0);
	CHECK_INT(r.status, 200);
	CHECK(strstr(r.body.data, "POST /form arg=form-arg\n") != NULL);
	CHECK(strstr(r.body.data, "match[]=[b1],[b2],[q1]\n") != NULL);
	CHECK(strstr(r.body.data,
	    "query=[up{job=\"a\"}],[fromquery]\n") != NULL);

	/* Another content type: the body stays raw, not parameters. */
	CHECK_INT(post("/form", "application/json", "match[]=no", 10, &r,
	    err), 0);
	CHECK(strstr(r.body.data, "match[]=\n") != NULL);
	CHECK(strstr(r.body.data, "body=match[]=no\n") != NULL);

	CHECK_INT(post("/upload", "application/octet-stream", "xyz", 3, &r,
	    err), 0);
	CHECK_INT(r.status, 201);
	CHECK_STR(r.body.data, "{\"len\":3,\"first\":\"x\"}");

	CHECK_INT(get("/files/a/b.txt", &r, err), 0);
	CHECK_INT(r.status, 200);
	CHECK(strncmp(r.body.data, "GET /files/a/b.txt arg=prefix\n", 30) ==
	    0);
	CHECK_INT(get("/files", &r, err), 0);
	CHECK_INT(r.status, 404);

	CHECK_INT(get("/nope", &r, err), 0);
	CHECK_INT(r.status, 404);
	CHECK_STR(r.body.data, "404 page not found\n");
	CHECK_INT(get("/upload", &r, err), 0);
	CHECK_INT(r.status, 405);
	CHECK_INT(post("/echo", "text/plain", "", 0, &r, err), 0);
	CHECK_INT(r.status, 405);

	/* Bad escapes, a NUL, and Go's refusal of ';' are 400. */
	CHECK_INT(get("/echo?q=%zz", &r, err), 0);
	CHECK_INT(r.status, 400);
	CHECK_INT(get("/echo?q=%4", &r, err), 0);
	CHECK_INT(r.status, 400);
	CHECK_INT(get("/echo?q=a%00b", &r, err), 0);
	CHECK_INT(r.status, 400);
	CHECK_INT(get("/echo?a=1;b=2", &r, err), 0);
	CHECK_INT(r.status, 400);
	CHECK_INT(post("/form", "application/x-www-form-urlencoded", "q=%",
	    3, &r, err), 0);
	CHECK_INT(r.status, 400);

	CHECK_INT(get("/fail", &r, err), 0);
	CHECK_INT(r.status, 500);
	CHECK_STR(r.body.data, "internal server error\n");

	CHECK_INT(get("/-/healthy", &r, err), 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(r.body.data, "OK\n");
	http_response_release(&r);
}

static void
test_raw(unsigned port)
{
	struct buf b = BUF_INIT(BUF_NOMAX);
	char *big;
	size_t n;

	/* Headers: ours, the default type, Allow on 405. */
	raw_str(port, "GET /echo HTTP/1.1\r\nHost: x\r\nX-Test: hi there\r\n"
	    "Connection: close\r\n\r\n", &b);
	CHECK(strncmp(b.data, "HTTP/1.1 200 OK\r\n", 17) == 0);
	CHECK(strstr(b.data, "\r\nX-Reply: yes\r\n") != NULL);
	CHECK(strstr(b.data, "\r\nContent-Type: text/plain; charset=utf-8\r\n")
	    != NULL);
	CHECK(strstr(b.data, "x-test=hi there\n") != NULL);

	raw_str(port, "DELETE /upload HTTP/1.1\r\nHost: x\r\n"
	    "Connection: close\r\n\r\n", &b);
	CHECK(strncmp(b.data, "HTTP/1.1 405 ", 13) == 0);
	CHECK(strstr(b.data, "\r\nAllow: POST, PUT\r\n") != NULL);
	raw_str(port, "BREW /form HTTP/1.1\r\nHost: x\r\n"
	    "Connection: close\r\n\r\n", &b);
	CHECK(strncmp(b.data, "HTTP/1.1 405 ", 13) == 0);
	CHECK(strstr(b.data, "\r\nAllow: GET, HEAD, POST\r\n") != NULL);

	/* A proxy's absolute-form target is routed on its path. */
	raw_str(port, "GET http://x/echo?q=abs HTTP/1.1\r\nHost: x\r\n"
	    "Connection: close\r\n\r\n", &b);
	CHECK(strstr(b.data, "\r\n\r\nGET /echo arg=echo-arg\nq=abs\n") !=
	    NULL);

	/* HEAD goes where GET does, without a body. */
	raw_str(port, "HEAD /-/healthy HTTP/1.1\r\nHost: x\r\n"
	    "Connection: close\r\n\r\n", &b);
	CHECK(strncmp(b.data, "HTTP/1.1 200 OK\r\n", 17) == 0);
	CHECK(b.len > 4 && strcmp(b.data + b.len - 4, "\r\n\r\n") == 0);

	/* The body cap, declared up front and found while reading a
	 * chunked body. */
	raw_str(port, "POST /upload HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 1001\r\nConnection: close\r\n\r\n", &b);
	CHECK(strncmp(b.data, "HTTP/1.1 413 ", 13) == 0);
	CHECK(strstr(b.data, "\r\n\r\nrequest body over 1000 bytes\n") !=
	    NULL);
	big = malloc(2000);
	n = (size_t)snprintf(big, 2000, "POST /upload HTTP/1.1\r\nHost: x\r\n"
	    "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
	for (int k = 0; k < 2; k++) {
		n += (size_t)snprintf(big + n, 2000 - n, "258\r\n");
		memset(big + n, 'c', 600);
		n += 600;
		n += (size_t)snprintf(big + n, 2000 - n, "\r\n");
	}
	n += (size_t)snprintf(big + n, 2000 - n, "0\r\n\r\n");
	raw(port, big, n, &b);
	CHECK(strncmp(b.data, "HTTP/1.1 413 ", 13) == 0);
	free(big);
	big = malloc(1200);
	n = (size_t)snprintf(big, 1200, "POST /upload HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 1000\r\nConnection: close\r\n\r\n");
	memset(big + n, 'k', 1000);
	raw(port, big, n + 1000, &b);
	CHECK(strncmp(b.data, "HTTP/1.1 201 ", 13) == 0);
	CHECK(strstr(b.data, "{\"len\":1000,\"first\":\"k\"}") != NULL);
	free(big);

	/* A head too big for libmicrohttpd is refused by it, and the
	 * request it never handed us is still released (ASan, drain). */
	big = malloc(300000);
	n = (size_t)snprintf(big, 300000, "GET /echo HTTP/1.1\r\nHost: x\r\n"
	    "X-Big: ");
	memset(big + n, 'b', 200000);
	n += 200000;
	n += (size_t)snprintf(big + n, 300000 - n,
	    "\r\nConnection: close\r\n\r\n");
	raw(port, big, n, &b);
	CHECK(b.len == 0 || strncmp(b.data, "HTTP/1.1 4", 10) == 0);
	free(big);

	/* A streamed answer is chunked; HEAD makes and frees the stream
	 * without sending it. */
	raw_str(port, "HEAD /stream HTTP/1.1\r\nHost: x\r\n"
	    "Connection: close\r\n\r\n", &b);
	CHECK(strncmp(b.data, "HTTP/1.1 200 OK\r\n", 17) == 0);
	CHECK(strstr(b.data, "Content-Type: application/x-ndjson\r\n") !=
	    NULL);
	buf_release(&b);
}

static void
test_ready_metrics(struct httpd *h)
{
	struct http_response r;
	char err[ERR_MAX];
	int64_t end;
	int i, seen = 0;

	http_response_init(&r);
	CHECK_INT(get("/-/ready", &r, err), 0);
	CHECK_INT(r.status, 503);
	httpd_set_ready(h, 1);
	CHECK_INT(get("/-/ready", &r, err), 0);
	CHECK_INT(r.status, 200);

	for (i = 0; i < 3; i++)
		CHECK_INT(get("/fast", &r, err), 0);
	/* A request is counted once its answer is out, which may be a
	 * moment after the client has it: look again for a while. */
	end = clock_mono_ms() + 2000;
	while (!seen && clock_mono_ms() < end) {
		CHECK_INT(get("/metrics", &r, err), 0);
		CHECK_INT(r.status, 200);
		seen = strstr(r.body.data, "http_requests_total{code=\"200\","
		    "handler=\"fast\",method=\"GET\"} 3\n") != NULL &&
		    strstr(r.body.data, "http_request_duration_seconds_"
		    "bucket{handler=\"fast\",le=\"+Inf\"} 3\n") != NULL &&
		    strstr(r.body.data, "http_inflight_requests{"
		    "handler=\"fast\"} 0\n") != NULL;
		if (!seen)
			sleep_ms(10);
	}
	CHECK(seen);
	CHECK(strstr(r.body.data, "http_requests_total{code=\"404\","
	    "handler=\"notfound\",method=\"GET\"} ") != NULL);
	CHECK(strstr(r.body.data, "http_requests_total{code=\"405\","
	    "handler=\"upload\",method=\"GET\"} 1\n") != NULL);
	CHECK(strstr(r.body.data, "http_requests_total{code=\"405\","
	    "handler=\"form\",method=\"other\"} 1\n") != NULL);
	CHECK(strstr(r.body.data, "http_requests_total{code=\"500\","
	    "handler=\"fail\",method=\"GET\"} 1\n") != NULL);
	CHECK(strstr(r.body.data, "http_request_duration_seconds_bucket{"
	    "handler=\"fast\",le=\"+Inf\"} 3\n") != NULL);
	CHECK(strstr(r.body.data, "http_request_duration_seconds_bucket{"
	    "handler=\"fast\",le=\"0.001\"} ") != NULL);
	/* This very request is in flight while /metrics renders. */
	CHECK(strstr(r.body.data,
	    "http_inflight_requests{handler=\"metrics\"} 1\n") != NULL);
	CHECK(strstr(r.body.data,
	    "http_inflight_requests{handler=\"fast\"} 0\n") != NULL);
	CHECK(strstr(r.body.data, "\nprocess_open_fds ") != NULL);
	http_response_release(&r);
}

static void
test_stream(void)
{
	struct http_response r;
	char err[ERR_MAX];
	size_t i, bad = 0;
	int before = atomic_load(&stream_done);

	http_response_init(&r);
	CHECK_INT(get("/stream", &r, err), 0);
	CHECK_INT(r.status, 200);
	CHECK_INT(r.body.len, (size_t)STREAM_PIECE * STREAM_PIECES);
	for (i = 0; i < r.body.len; i++)
		if (r.body.data[i] != (char)('a' + (i / STREAM_PIECE +
		    i % STREAM_PIECE) % 26))
			bad++;
	CHECK_INT(bad, 0);
	wait_for(&stream_done, before + 1);
	CHECK_INT(atomic_load(&stream_done), before + 1);

	/* Cut short by the producer: the client must see a failure, not
	 * a complete-looking answer. */
	CHECK_INT(get("/stream-cut", &r, err), -1);
	wait_for(&stream_done, before + 2);
	CHECK_INT(atomic_load(&stream_done), before + 2);
	http_response_release(&r);
}

/* A slow request does not hold up a fast one on another connection. */
static void
test_parallel(const char *what)
{
	struct http_response r;
	struct bg slow;
	char err[ERR_MAX];
	int64_t t0, fast_ms;
	int before = atomic_load(&slow_started);

	http_response_init(&r);
	bg_start(&slow, "/slow?ms=1000");
	wait_for(&slow_started, before + 1);
	t0 = clock_mono_ms();
	CHECK_INT(get("/fast", &r, err), 0);
	fast_ms = clock_mono_ms() - t0;
	CHECK_INT(r.status, 200);
	CHECK(fast_ms < 300);
	pthread_join(slow.tid, NULL);
	CHECK_INT(slow.rc, 0);
	CHECK_INT(slow.resp.status, 200);
	CHECK(slow.ms >= 1000);
	fprintf(stderr, "httpd_test: %s: fast %lld ms beside slow %lld ms\n",
	    what, (long long)fast_ms, (long long)slow.ms);
	http_response_release(&slow.resp);
	http_response_release(&r);
}

static void
test_drain(struct httpd *h)
{
	struct http_response r;
	struct bg slow;
	struct buf b = BUF_INIT(BUF_NOMAX);
	char err[ERR_MAX];
	int before = atomic_load(&slow_started);
	int done_before = atomic_load(&slow_finished);
	int ka, idle;
	int64_t t0;

	http_response_init(&r);
	CHECK((ka = keepalive_open(httpd_port(h))) != -1);
	CHECK((idle = keepalive_open(httpd_port(h))) != -1);
	bg_start(&slow, "/slow?ms=700");
	wait_for(&slow_started, before + 1);
	httpd_quiesce(h);
	httpd_quiesce(h);
	/* New connections are refused at once. */
	CHECK_INT(raw_str(httpd_port(h), "GET /fast HTTP/1.1\r\n\r\n", &b),
	    -1);
	CHECK_INT(errno, ECONNREFUSED);
	CHECK_INT(get("/fast", &r, err), -1);
	/* A connection kept alive from before still gets an answer, and
	 * is told it is the last. */
	keepalive_again(ka, &b);
	CHECK(strncmp(b.data, "HTTP/1.1 200 OK\r\n", 17) == 0);
	CHECK(strstr(b.data, "\r\nConnection: close\r\n") != NULL);
	CHECK(b.len > 5 && strcmp(b.data + b.len - 5, "fast\n") == 0);
	close(ka);
	/* Not yet drained at a near deadline; drained at a later one,
	 * with the slow request answered in full. */
	CHECK_INT(httpd_drain(h, clock_mono_ms() + 50), -1);
	CHECK_INT(errno, ETIMEDOUT);
	CHECK_INT(httpd_drain(h, clock_mono_ms() + 3000), 0);
	CHECK_INT(atomic_load(&slow_finished), done_before + 1);
	pthread_join(slow.tid, NULL);
	CHECK_INT(slow.rc, 0);
	CHECK_INT(slow.resp.status, 200);
	CHECK_STR(slow.resp.body.data, "slow done\n");
	CHECK_INT(raw_str(httpd_port(h), "GET /fast HTTP/1.1\r\n\r\n", &b),
	    -1);
	CHECK_INT(httpd_drain(h, clock_mono_ms()), 0);
	/* An idle kept-alive connection does not hold up the stop. */
	t0 = clock_mono_ms();
	httpd_stop(h);
	CHECK(clock_mono_ms() - t0 < 1000);
	httpd_stop(h);
	close(idle);
	http_response_release(&slow.resp);
	http_response_release(&r);
	buf_release(&b);
}

static void
test_start_errors(void)
{
	static const struct httpd_route bad_routes[] = {
		{ "GET", "nope", h_fast, NULL, NULL },
		{ "GET|POTS", "/x", h_fast, NULL, NULL },
		{ "GET||POST", "/y", h_fast, NULL, NULL },
		{ NULL, NULL, NULL, NULL, NULL }
	};
	static const char *const bad[] = {
		"", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536",
		"127.0.0.1:-1", "::1:80", "[::1]80",
	};
	struct httpd h, h2;
	char err[ERR_MAX];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		httpd_init(&h);
		err[0] = '\0';
		CHECK_INT(httpd_start(&h, bad[i], routes, NULL, err), -1);
		CHECK(err[0] != '\0');
	}
	httpd_init(&h);
	CHECK_INT(httpd_start(&h, "127.0.0.1:0", bad_routes, NULL, err), -1);
	CHECK_STR(err, "bad route for nope");
	httpd_init(&h);
	CHECK_INT(httpd_start(&h, "127.0.0.1:0", bad_routes + 1, NULL, err),
	    -1);
	CHECK_STR(err, "bad route for /x");
	httpd_init(&h);
	CHECK_INT(httpd_start(&h, "127.0.0.1:0", bad_routes + 2, NULL, err),
	    -1);
	CHECK_STR(err, "bad route for /y");

	/* A port in use. */
	httpd_init(&h);
	CHECK_INT(httpd_start(&h, "127.0.0.1:0", routes, NULL, err), 0);
	httpd_init(&h2);
	snprintf(base, sizeof(base), "127.0.0.1:%u", httpd_port(&h));
	CHECK_INT(httpd_start(&h2, base, routes, NULL, err), -1);
	CHECK(strstr(err, "listen 127.0.0.1:") == err);
	CHECK(strstr(err, "in use") != NULL);
	httpd_stop(&h2);
	/* Without a registry there is no /metrics. */
	snprintf(base, sizeof(base), "http://127.0.0.1:%u", httpd_port(&h));
	{
		struct http_response r;

		http_response_init(&r);
		CHECK_INT(get("/metrics", &r, err), 0);
		CHECK_INT(r.status, 404);
		http_response_release(&r);
	}
	httpd_stop(&h);
}

static void
test_pool(void)
{
	struct httpd h;
	char err[ERR_MAX];

	httpd_init(&h);
	h.threads = 4;
	CHECK_INT(httpd_start(&h, "127.0.0.1:0", routes, NULL, err), 0);
	snprintf(base, sizeof(base), "http://127.0.0.1:%u", httpd_port(&h));
	test_parallel("thread pool");
	httpd_quiesce(&h);
	CHECK_INT(httpd_drain(&h, clock_mono_ms() + 1000), 0);
	httpd_stop(&h);
}

int
main(void)
{
	struct metrics *reg;
	struct httpd h;
	char err[ERR_MAX];
	int64_t t0 = clock_mono_ms();

	CHECK_INT(http_init(err), 0);
	CHECK((reg = metrics_new()) != NULL);
	CHECK_INT(metrics_add_process(reg, err), 0);
	httpd_init(&h);
	h.max_body = 1000;
	if (httpd_start(&h, "127.0.0.1:0", routes, reg, err) == -1) {
		fprintf(stderr, "httpd_test: %s\n", err);
		return 1;
	}
	CHECK(httpd_port(&h) > 0);
	snprintf(base, sizeof(base), "http://127.0.0.1:%u", httpd_port(&h));

	test_routes();
	test_raw(httpd_port(&h));
	test_ready_metrics(&h);
	test_stream();
	test_parallel("thread per connection");
	test_drain(&h);
	test_start_errors();
	test_pool();

	metrics_free(reg);
	http_cleanup();
	fprintf(stderr, "httpd_test: %lld ms in all\n",
	    (long long)(clock_mono_ms() - t0));
	return unit_done();
}
