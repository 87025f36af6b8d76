/*
 * http_test: http_do and http_do_retry against a scripted HTTP/1.1 server
 * on 127.0.0.1 in a thread of our own.  Each connection carries one
 * request; the path picks the answer:
 *
 *	/ok		200 "hello"
 *	/echo		200, after recording the request for the test
 *	/flaky		503, 503, then 200 "finally"
 *	/503		always 503
 *	/429		always 429
 *	/404		404
 *	/big		200 with Content-Length 5000
 *	/bigstream	200, 5000 bytes ended by close (no length up front)
 *	/hang		read the request, never answer
 *	/redirect	302 to /ok
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net/http.h"
#include "unit.h"

#define BIGLEN	5000
#define MAXHANG	32

struct srv {
	int		 lfd;
	int		 stop[2];	/* a byte on stop[1] ends the thread */
	unsigned	 port;
	pthread_t	 tid;
	pthread_mutex_t	 mu;
	/* All below under mu. */
	char		 head[8192];	/* last /echo request line + headers */
	char		 body[8192];	/* and its body */
	size_t		 bodylen;
	int		 hits[16];	/* per route, see srv_route */
	int		 hang[MAXHANG];	/* /hang connections, closed at stop */
	int		 nhang;
};

static const char *const routes[] = {
	"/ok", "/echo", "/flaky", "/503", "/429", "/404", "/big",
	"/bigstream", "/hang", "/redirect", NULL
};

static int
srv_route(const char *path)
{
	int i;

	for (i = 0; routes[i]; i++)
		if (strcmp(routes[i], path) == 0)
			return i;
	return -1;
}

static int
srv_hits(struct srv *s, const char *path)
{
	int n;

	pthread_mutex_lock(&s->mu);
	n = s->hits[srv_route(path)];
	pthread_mutex_unlock(&s->mu);
	return n;
}

static void
srv_clear(struct srv *s)
{
	pthread_mutex_lock(&s->mu);
	memset(s->hits, 0, sizeof(s->hits));
	s->head[0] = s->body[0] = '\0';
	s->bodylen = 0;
	pthread_mutex_unlock(&s->mu);
}

static void
send_all(int fd, const char *p, size_t n)
{
	ssize_t k;

	while (n > 0) {
		if ((k = send(fd, p, n, MSG_NOSIGNAL)) <= 0) {
			if (k == -1 && errno == EINTR)
				continue;
			return;	/* the client went away: fine */
		}
		p += k;
		n -= (size_t)k;
	}
}

static void
reply(int fd, int status, const char *body, int head)
{
	char h[256];

	snprintf(h, sizeof(h), "HTTP/1.1 %d Scripted\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n",
	    status, strlen(body));
	send_all(fd, h, strlen(h));
	if (!head)
		send_all(fd, body, strlen(body));
}

/*
 * Read one request into req (NUL-terminated); *hlen is the length of the
 * head including the blank line.  -1 on EOF, error, or 2 s of silence.
 */
static int
read_request(int fd, char *req, size_t cap, size_t *hlen, size_t *blen)
{
	struct pollfd pfd;
	const char *cl, *end;
	size_t len = 0, want = 0;
	ssize_t k;

	*hlen = *blen = 0;
	for (;;) {
		if (*hlen > 0 && len >= want)
			break;
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 2000) != 1)
			return -1;
		if ((k = recv(fd, req + len, cap - 1 - len, 0)) <= 0)
			return -1;
		len += (size_t)k;
		req[len] = '\0';
		if (*hlen == 0 && (end = strstr(req, "\r\n\r\n")) != NULL) {
			*hlen = (size_t)(end - req) + 4;
			*blen = 0;
			if ((cl = strcasestr(req, "\r\ncontent-length:")) &&
			    cl < end)
				*blen = strtoul(cl + 17, NULL, 10);
			want = *hlen + *blen;
			if (want >= cap)
				return -1;
		}
		if (len == cap - 1)
			return -1;
	}
	return 0;
}

static void
serve(struct srv *s, int fd)
{
	static const char close_head[] = "HTTP/1.1 200 OK\r\n"
	    "Connection: close\r\n\r\n";
	static const char moved[] = "HTTP/1.1 302 Found\r\n"
	    "Location: /ok\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
	static char req[16384];	/* only the server thread uses it */
	char method[16], path[256], *big;
	size_t hlen, blen;
	int r, n, head;

	if (read_request(fd, req, sizeof(req), &hlen, &blen) == -1 ||
	    sscanf(req, "%15s %255s", method, path) != 2) {
		close(fd);
		return;
	}
	head = strcmp(method, "HEAD") == 0;
	pthread_mutex_lock(&s->mu);
	if ((r = srv_route(path)) >= 0)
		n = ++s->hits[r];
	else
		n = 0;
	if (r == srv_route("/echo")) {
		snprintf(s->head, sizeof(s->head), "%.*s", (int)hlen, req);
		memcpy(s->body, req + hlen, blen);
		s->body[blen] = '\0';
		s->bodylen = blen;
	}
	if (r == srv_route("/hang") && s->nhang < MAXHANG) {
		s->hang[s->nhang++] = fd;
		pthread_mutex_unlock(&s->mu);
		return;
	}
	pthread_mutex_unlock(&s->mu);

	if (r == srv_route("/ok") || r == srv_route("/echo"))
		reply(fd, 200, "hello", head);
	else if (r == srv_route("/flaky"))
		reply(fd, n <= 2 ? 503 : 200, n <= 2 ? "busy" : "finally",
		    head);
	else if (r == srv_route("/503"))
		reply(fd, 503, "busy", head);
	else if (r == srv_route("/429"))
		reply(fd, 429, "slow down", head);
	else if (r == srv_route("/big") || r == srv_route("/bigstream")) {
		if ((big = malloc(BIGLEN + 1)) != NULL) {
			memset(big, 'x', BIGLEN);
			big[BIGLEN] = '\0';
			if (r == srv_route("/big"))
				reply(fd, 200, big, head);
			else {
				send_all(fd, close_head, strlen(close_head));
				send_all(fd, big, BIGLEN);
			}
			free(big);
		}
	} else if (r == srv_route("/redirect")) {
		send_all(fd, moved, strlen(moved));
	} else
		reply(fd, 404, "nope", head);
	close(fd);
}

static void *
srv_main(void *arg)
{
	struct srv *s = arg;
	struct pollfd pfd[2];
	int fd;

	for (;;) {
		pfd[0].fd = s->lfd;
		pfd[0].events = POLLIN;
		pfd[1].fd = s->stop[0];
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents)
			break;
		if (pfd[0].revents && (fd = accept(s->lfd, NULL, NULL)) >= 0)
			serve(s, fd);
	}
	return NULL;
}

static int
srv_start(struct srv *s)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->mu, NULL);
	if ((s->lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s->lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(s->lfd, 64) == -1 ||
	    getsockname(s->lfd, (struct sockaddr *)&sin, &len) == -1 ||
	    pipe(s->stop) == -1)
		return -1;
	s->port = ntohs(sin.sin_port);
	return pthread_create(&s->tid, NULL, srv_main, s) == 0 ? 0 : -1;
}

static void
srv_stop(struct srv *s)
{
	int i;

	if (write(s->stop[1], "x", 1) != 1) {
		perror("http_test: stop");
		exit(1);
	}
	pthread_join(s->tid, NULL);
	for (i = 0; i < s->nhang; i++)
		close(s->hang[i]);
	close(s->lfd);
	close(s->stop[0]);
	close(s->stop[1]);
	pthread_mutex_destroy(&s->mu);
}

/* A port that refuses: bound once by us, then closed. */
static unsigned
closed_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return 9;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
		close(fd);
		return 9;
	}
	close(fd);
	return ntohs(sin.sin_port);
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Writes one byte to fd after ms: a signal arriving mid-request. */
struct later {
	int		 fd;
	long		 ms;
	pthread_t	 tid;
};

static void *
later_main(void *arg)
{
	struct later *l = arg;
	struct timespec ts;

	ts.tv_sec = l->ms / 1000;
	ts.tv_nsec = (l->ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
	/* A failed write shows as the abort check failing. */
	if (write(l->fd, "!", 1) != 1)
		perror("http_test: write");
	return NULL;
}

static char url_buf[256];

static const char *
url(struct srv *s, const char *path)
{
	snprintf(url_buf, sizeof(url_buf), "http://127.0.0.1:%u%s", s->port,
	    path);
	return url_buf;
}

static int
has(const char *hay, const char *needle)
{
	return hay != NULL && strcasestr(hay, needle) != NULL;
}

int
main(void)
{
	static const char *const hdrs[] = {
		"X-Strata-Test: yes",
		"Content-Type: application/x-protobuf",
		NULL
	};
	struct http_request req = HTTP_REQUEST_INIT;
	struct http_response resp;
	struct http_retry retry;
	struct later lt;
	struct srv s;
	char err[ERR_MAX], want[256], head[8192], body[8192];
	unsigned port;
	long t0, dt;
	int p[2], rc;

	CHECK_INT(http_init(err), 0);
	if (srv_start(&s) == -1) {
		perror("http_test: server");
		return 1;
	}
	http_response_init(&resp);

	/* A plain GET: status and body. */
	req.url = url(&s, "/ok");
	CHECK_INT(http_do(&req, &resp, err), 0);
	CHECK_INT(resp.status, 200);
	CHECK_STR(resp.body.data, "hello");
	CHECK_INT(resp.body.len, 5);
	CHECK_INT(resp.aborted, 0);

	/* Any status is a response: 404 is 0, not -1. */
	req.url = url(&s, "/404");
	CHECK_INT(http_do(&req, &resp, err), 0);
	CHECK_INT(resp.status, 404);
	CHECK_STR(resp.body.data, "nope");

	/* An empty POST says Content-Length: 0, and no made-up
	 * Content-Type or Expect. */
	srv_clear(&s);
	req.method = "POST";
	req.url = url(&s, "/echo");
	CHECK_INT(http_do(&req, &resp, err), 0);
	CHECK_INT(resp.status, 200);
	pthread_mutex_lock(&s.mu);
	memcpy(head, s.head, sizeof(head));
	pthread_mutex_unlock(&s.mu);
	CHECK(strncmp(head, "POST /echo HTTP/1.1\r\n", 21) == 0);
	CHECK(has(head, "\r\nContent-Length: 0\r\n"));
	CHECK(!has(head, "\r\nContent-Type:"));
	CHECK(!has(head, "\r\nExpect:"));
	CHECK(has(head, "\r\nUser-Agent: strata/"));

	/* A POST with a body and our own headers. */
	srv_clear(&s);
	req.body = "abc";
	req.body_len = 3;
	req.headers = hdrs;
	CHECK_INT(http_do(&req, &resp, err), 0);
	pthread_mutex_lock(&s.mu);
	memcpy(head, s.head, sizeof(head));
	memcpy(body, s.body, sizeof(body));
	pthread_mutex_unlock(&s.mu);
	CHECK(strncmp(head, "POST /echo ", 11) == 0);
	CHECK(has(head, "\r\nContent-Length: 3\r\n"));
	CHECK(has(head, "\r\nX-Strata-Test: yes\r\n"));
	CHECK(has(head, "\r\nContent-Type: application/x-protobuf\r\n"));
	CHECK_STR(body, "abc");

	/* Past 1 KiB curl would ask "Expect: 100-continue" and wait for
	 * an answer this server never gives; the body goes at once. */
	srv_clear(&s);
	memset(body, 'b', 2000);
	body[2000] = '\0';
	req.body = body;
	req.body_len = 2000;
	t0 = now_ms();
	CHECK_INT(http_do(&req, &resp, err), 0);
	CHECK(now_ms() - t0 < 500);
	pthread_mutex_lock(&s.mu);
	memcpy(head, s.head, sizeof(head));
	CHECK_INT(s.bodylen, 2000);
	CHECK(memcmp(s.body, body, 2000) == 0);
	pthread_mutex_unlock(&s.mu);
	CHECK(has(head, "\r\nContent-Length: 2000\r\n"));
	CHECK(!has(head, "\r\nExpect:"));

	/* PUT, even empty, has a length; DELETE without a body has none. */
	srv_clear(&s);
	req.method = "PUT";
	req.body = NULL;
	req.body_len = 0;
	req.headers = NULL;
	CHECK_INT(http_do(&req, &resp, err), 0);
	pthread_mutex_lock(&s.mu);
	memcpy(head, s.head, sizeof(head));
	pthread_mutex_unlock(&s.mu);
	CHECK(strncmp(head, "PUT /echo ", 10) == 0);
	CHECK(has(head, "\r\nContent-Length: 0\r\n"));
	srv_clear(&s);
	req.method = "DELETE";
	CHECK_INT(http_do(&req, &resp, err), 0);
	pthread_mutex_lock(&s.mu);
	memcpy(head, s.head, sizeof(head));
	pthread_mutex_unlock(&s.mu);
	CHECK(strncmp(head, "DELETE /echo ", 13) == 0);
	CHECK(!has(head, "\r\nContent-Length:"));

	/* HEAD: the status, no body. */
	srv_clear(&s);
	req.method = "HEAD";
	CHECK_INT(http_do(&req, &resp, err), 0);
	CHECK_INT(resp.status, 200);
	CHECK_INT(resp.body.len, 0);
	pthread_mutex_lock(&s.mu);
	memcpy(head, s.head, sizeof(head));
	pthread_mutex_unlock(&s.mu);
	CHECK(strncmp(head, "HEAD /echo ", 11) == 0);

	/* Redirects are the caller's business: the 302 itself comes back. */
	req.method = "GET";
	req.url = url(&s, "/redirect");
	CHECK_INT(http_do(&req, &resp, err), 0);
	CHECK_INT(resp.status, 302);
	CHECK_INT(srv_hits(&s, "/ok"), 0);

	/* Requests that can never work fail before any connection. */
	req.method = "GET";
	req.body = "x";
	req.body_len = 1;
	CHECK_INT(http_do(&req, &resp, err), -1);
	CHECK(has(err, "a body on GET"));
	req.body = NULL;
	req.body_len = 0;
	req.method = "BAD METHOD";
	req.url = "https://alice:s3cret@example.invalid:8443/p@th?q=1";
	CHECK_INT(http_do(&req, &resp, err), -1);
	CHECK_STR(err, "BAD METHOD https://example.invalid:8443/p@th?q=1: "
	    "bad method");
	req.method = "GET";
	req.url = "ftp://127.0.0.1/";
	CHECK_INT(http_do(&req, &resp, err), -1);
	CHECK(has(err, "GET ftp://127.0.0.1/: "));

	/* Body caps: a declared length over the cap, a streamed body over
	 * it, and one exactly at it. */
	req.url = url(&s, "/big");
	req.max_body = 1000;
	CHECK_INT(http_do(&req, &resp, err), -1);
	snprintf(want, sizeof(want), "GET %s: response body over 1000 bytes",
	    url(&s, "/big"));
	CHECK_STR(err, want);
	req.url = url(&s, "/bigstream");
	CHECK_INT(http_do(&req, &resp, err), -1);
	snprintf(want, sizeof(want), "GET %s: response body over 1000 bytes",
	    url(&s, "/bigstream"));
	CHECK_STR(err, want);
	CHECK(resp.body.len <= 1000);
	req.max_body = BIGLEN;
	CHECK_INT(http_do(&req, &resp, err), 0);
	CHECK_INT(resp.body.len, BIGLEN);
	req.url = url(&s, "/big");
	CHECK_INT(http_do(&req, &resp, err), 0);
	CHECK_INT(resp.body.len, BIGLEN);
	req.max_body = 0;

	/* Connection refused: -1, the URL named, the password not. */
	port = closed_port();
	snprintf(url_buf, sizeof(url_buf),
	    "http://alice:s3cret@127.0.0.1:%u/-/reload", port);
	req.method = "POST";
	req.url = url_buf;
	CHECK_INT(http_do(&req, &resp, err), -1);
	snprintf(want, sizeof(want), "POST http://127.0.0.1:%u/-/reload: ",
	    port);
	CHECK(strncmp(err, want, strlen(want)) == 0);
	CHECK(has(err, "connect"));
	CHECK(!has(err, "s3cret") && !has(err, "alice"));
	CHECK_INT(resp.status, 0);
	CHECK_INT(resp.aborted, 0);
	if (!has(err, "connect"))
		fprintf(stderr, "err: %s\n", err);

	/* A silent server: the whole-transfer timeout fires on time. */
	req.method = "GET";
	req.url = url(&s, "/hang");
	req.timeout_ms = 300;
	t0 = now_ms();
	CHECK_INT(http_do(&req, &resp, err), -1);
	dt = now_ms() - t0;
	CHECK(dt >= 250 && dt < 2000);
	CHECK(has(err, "timed out"));
	CHECK_INT(resp.aborted, 0);

	/* abort_fd: a byte 200 ms into a hanging request stops it at
	 * once, long before its 10 s timeout. */
	CHECK_INT(pipe(p), 0);
	req.timeout_ms = 10000;
	req.abort_fd = p[0];
	lt.fd = p[1];
	lt.ms = 200;
	pthread_create(&lt.tid, NULL, later_main, &lt);
	t0 = now_ms();
	CHECK_INT(http_do(&req, &resp, err), -1);
	dt = now_ms() - t0;
	pthread_join(lt.tid, NULL);
	CHECK(dt >= 150 && dt < 700);
	CHECK_INT(resp.aborted, 1);
	snprintf(want, sizeof(want), "GET %s: aborted", url(&s, "/hang"));
	CHECK_STR(err, want);
	/* Still readable (we never read it): the next call stops at once. */
	t0 = now_ms();
	CHECK_INT(http_do(&req, &resp, err), -1);
	CHECK_INT(resp.aborted, 1);
	CHECK(now_ms() - t0 < 100);
	close(p[0]);
	close(p[1]);
	/* A pipe whose writer is gone (POLLHUP, not POLLIN) aborts too. */
	CHECK_INT(pipe(p), 0);
	close(p[1]);
	req.abort_fd = p[0];
	t0 = now_ms();
	CHECK_INT(http_do(&req, &resp, err), -1);
	CHECK_INT(resp.aborted, 1);
	CHECK(now_ms() - t0 < 100);
	close(p[0]);
	/* A closed fd is a bad request, not an endless wait. */
	CHECK_INT(http_do(&req, &resp, err), -1);
	CHECK_INT(resp.aborted, 0);
	CHECK(has(err, "abort_fd"));
	req.abort_fd = -1;
	req.timeout_ms = 0;

	/* Retries: 503, 503, then 200 on the third attempt. */
	srv_clear(&s);
	retry.max_attempts = 5;
	retry.base_ms = 1;
	retry.max_ms = 5;
	req.url = url(&s, "/flaky");
	CHECK_INT(http_do_retry(&req, &resp, &retry, err), 0);
	CHECK_INT(resp.status, 200);
	CHECK_STR(resp.body.data, "finally");
	CHECK_INT(srv_hits(&s, "/flaky"), 3);

	/* max_attempts counts every attempt; the last 503 is returned. */
	req.url = url(&s, "/503");
	CHECK_INT(http_do_retry(&req, &resp, &retry, err), 0);
	CHECK_INT(resp.status, 503);
	CHECK_STR(resp.body.data, "busy");
	CHECK_INT(srv_hits(&s, "/503"), 5);
	retry.max_attempts = 1;
	CHECK_INT(http_do_retry(&req, &resp, &retry, err), 0);
	CHECK_INT(srv_hits(&s, "/503"), 6);

	/* 429 is retried, 404 never. */
	retry.max_attempts = 3;
	req.url = url(&s, "/429");
	CHECK_INT(http_do_retry(&req, &resp, &retry, err), 0);
	CHECK_INT(resp.status, 429);
	CHECK_INT(srv_hits(&s, "/429"), 3);
	req.url = url(&s, "/404");
	CHECK_INT(http_do_retry(&req, &resp, &retry, err), 0);
	CHECK_INT(resp.status, 404);
	CHECK_INT(srv_hits(&s, "/404"), 1);

	/* A body too big does not mend itself: one attempt. */
	req.url = url(&s, "/big");
	req.max_body = 10;
	CHECK_INT(http_do_retry(&req, &resp, &retry, err), -1);
	CHECK_INT(srv_hits(&s, "/big"), 1);
	CHECK(has(err, "over 10 bytes"));
	req.max_body = 0;

	/* Transport errors are retried, then the last error returned. */
	snprintf(url_buf, sizeof(url_buf), "http://127.0.0.1:%u/", port);
	req.url = url_buf;
	t0 = now_ms();
	CHECK_INT(http_do_retry(&req, &resp, &retry, err), -1);
	CHECK(now_ms() - t0 < 1000);
	CHECK(has(err, "connect"));

	/* An abort cuts the wait between attempts short. */
	CHECK_INT(pipe(p), 0);
	req.url = url(&s, "/503");
	req.abort_fd = p[0];
	retry.max_attempts = 0;
	retry.base_ms = 3000;
	retry.max_ms = 3000;
	lt.fd = p[1];
	lt.ms = 200;
	rc = srv_hits(&s, "/503");
	pthread_create(&lt.tid, NULL, later_main, &lt);
	t0 = now_ms();
	CHECK_INT(http_do_retry(&req, &resp, &retry, err), -1);
	dt = now_ms() - t0;
	pthread_join(lt.tid, NULL);
	CHECK(dt >= 150 && dt < 1000);
	CHECK_INT(resp.aborted, 1);
	CHECK_INT(srv_hits(&s, "/503"), rc + 1);
	snprintf(want, sizeof(want), "GET %s: aborted", url(&s, "/503"));
	CHECK_STR(err, want);
	close(p[0]);
	close(p[1]);

	/* A body streamed from a file range: PUT, stated length, and only
	 * the bytes of the range. */
	{
		struct http_file bf, rf;
		char path[] = "/tmp/http_test.XXXXXX", v[64], got[16];
		int fd;

		req.abort_fd = -1;
		CHECK((fd = mkstemp(path)) != -1);
		unlink(path);
		CHECK_INT(write(fd, "0123456789abcdef", 16), 16);
		bf.fd = fd;
		bf.off = 3;
		bf.len = 5;
		srv_clear(&s);
		req.method = "PUT";
		req.url = url(&s, "/echo");
		req.body_file = &bf;
		CHECK_INT(http_do(&req, &resp, err), 0);
		CHECK_INT(resp.status, 200);
		pthread_mutex_lock(&s.mu);
		memcpy(head, s.head, sizeof(head));
		memcpy(body, s.body, sizeof(body));
		pthread_mutex_unlock(&s.mu);
		CHECK(strncmp(head, "PUT /echo ", 10) == 0);
		CHECK(has(head, "\r\nContent-Length: 5\r\n"));
		CHECK_STR(body, "34567");
		/* The response's header lines, by any case of the name. */
		CHECK_INT(http_response_header(&resp, "content-length", v,
		    sizeof(v)), 0);
		CHECK_STR(v, "5");
		CHECK_INT(http_response_header(&resp, "X-Nope", v, sizeof(v)),
		    -1);
		CHECK_INT(http_response_header(&resp, "Content-Length", v, 1),
		    -1);
		/* A file shorter than the range: a local failure, one
		 * attempt, however many retries were allowed. */
		bf.len = 100;
		srv_clear(&s);
		retry.max_attempts = 3;
		retry.base_ms = 1;
		retry.max_ms = 1;
		CHECK_INT(http_do_retry(&req, &resp, &retry, err), -1);
		CHECK(has(err, "file shorter than its stated length"));
		CHECK(srv_hits(&s, "/echo") <= 1);
		/* No file body on GET. */
		bf.len = 5;
		req.method = "GET";
		CHECK_INT(http_do(&req, &resp, err), -1);
		CHECK(has(err, "a body on GET"));
		req.body_file = NULL;

		/* A 2xx body goes to the file at its offset; an error
		 * status still comes back in memory. */
		rf.fd = fd;
		rf.off = 10;
		rf.len = 0;
		req.url = url(&s, "/ok");
		req.resp_file = &rf;
		CHECK_INT(http_do(&req, &resp, err), 0);
		CHECK_INT(resp.status, 200);
		CHECK_INT(resp.body.len, 0);
		CHECK_INT(resp.file_bytes, 5);
		CHECK_INT(pread(fd, got, 16, 0), 16);
		CHECK(memcmp(got, "0123456789hellof", 16) == 0);
		/* max_body caps memory, not the file. */
		req.url = url(&s, "/big");
		req.max_body = 1000;
		rf.off = 0;
		CHECK_INT(http_do(&req, &resp, err), 0);
		CHECK_INT(resp.file_bytes, BIGLEN);
		req.url = url(&s, "/bigstream");
		CHECK_INT(http_do(&req, &resp, err), 0);
		CHECK_INT(resp.file_bytes, BIGLEN);
		req.max_body = 0;
		req.url = url(&s, "/404");
		CHECK_INT(http_do(&req, &resp, err), 0);
		CHECK_INT(resp.status, 404);
		CHECK_STR(resp.body.data, "nope");
		CHECK_INT(resp.file_bytes, 0);
		req.resp_file = NULL;
		close(fd);
	}

	CHECK_INT(http_status_retryable(200), 0);
	CHECK_INT(http_status_retryable(404), 0);
	CHECK_INT(http_status_retryable(429), 1);
	CHECK_INT(http_status_retryable(500), 1);
	CHECK_INT(http_status_retryable(599), 1);
	CHECK_INT(http_status_retryable(600), 0);

	http_response_release(&resp);
	srv_stop(&s);
	http_cleanup();
	return unit_done();
}
