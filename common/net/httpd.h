/*
 * httpd: the HTTP server every strata server runs, on libmicrohttpd:
 * a route table, the built-in /-/healthy, /-/ready and /metrics, request
 * metrics, streamed responses, and a drain for SIGTERM.
 *
 * What always holds:
 *  - requests run in parallel: by default each connection has its own
 *    thread (MHD_USE_THREAD_PER_CONNECTION), so a slow handler or a slow
 *    client holds up nobody else; at most max_conns connections are open;
 *  - a handler sees a finished request: the whole body (at most max_body
 *    bytes; a longer one is answered 413 without calling the handler), and
 *    the parameters of the query string and, for a POST, PUT or PATCH
 *    with Content-Type application/x-www-form-urlencoded, of the body, the
 *    body's values first, as Go's Request.ParseForm merges them (so
 *    Prometheus API clients may use either);
 *  - parameters are decoded as Go's url.ParseQuery does ('+' is a space,
 *    %XX a byte); a malformed query or form body, or one holding a NUL
 *    byte, is answered 400 before any handler runs;
 *  - every request that got an answer is counted in the registry given
 *    to httpd_start: http_requests_total{code,handler,method},
 *    http_request_duration_seconds{handler} (from the request line read
 *    to the last byte sent) and http_inflight_requests{handler}.  handler
 *    is the route's name ("healthy", "ready", "metrics" for the
 *    built-ins; that of the first route with the path for a 405),
 *    "notfound" for a 404; method is GET, HEAD, POST, PUT, DELETE, PATCH
 *    or OPTIONS, anything else "other";
 *  - a request head (request line and headers) over 128 KiB is refused
 *    by libmicrohttpd itself (414 or 431), before any route is looked at:
 *    long queries belong in a POST form body;
 *  - routes are matched in order after the built-ins; a path that no
 *    route matches is 404, a path matched only for other methods is 405
 *    with an Allow header; HEAD is served wherever GET is;
 *  - nothing here prints: libmicrohttpd's own complaints go to the
 *    debug-level log (base/log.h).
 *
 * The owner blocks its signals (sig_open) before httpd_start, so that
 * libmicrohttpd's threads inherit the mask.  SIGPIPE never comes from
 * here (sends use MSG_NOSIGNAL).
 */
#ifndef NET_HTTPD_H
#define NET_HTTPD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "net/metrics.h"

#define HTTPD_MAX_CONNS		512
#define HTTPD_MAX_BODY		((size_t)10 << 20)	/* as Go's ParseForm */
#define HTTPD_IDLE_TIMEOUT_S	120
#define HTTPD_RESP_MAX		((size_t)64 << 20)	/* body, or a piece */

struct httpd_req;		/* a request, valid during its handler */

/*
 * The answer a handler fills in.  status starts at 200 and body empty (a
 * buf with the cap HTTPD_RESP_MAX: bigger answers are streamed, see
 * httpd_resp_stream); Content-Type defaults to
 * "text/plain; charset=utf-8" unless set with httpd_resp_header.
 */
struct httpd_resp {
	int		 status;
	struct buf	 body;
	/* Private to httpd.c. */
	struct httpd_hdr *hdrs;
	struct httpd_stream *stream;
};

/*
 * A handler, run in the connection's thread.  Returns 0 when resp is the
 * answer.  -1 means it could not make one: the client gets a 500 with a
 * generic text, and whatever was put in resp is dropped.  It must not
 * keep req or resp after it returns.
 */
struct httpd_route {
	const char	*method;	/* "GET", "POST", "GET|POST", ... */
	const char	*path;		/* exact; a prefix if it ends in '*' */
	int		(*handler)(struct httpd_req *req,
			    struct httpd_resp *resp, void *arg);
	void		*arg;
	const char	*name;		/* handler label; NULL = path */
};

/*
 * A server.  httpd_init sets the settings below to their defaults; change
 * them before httpd_start.  The rest is private.
 */
struct httpd {
	unsigned		 threads;	/* 0: a thread per connection;
						   N: a pool of N threads, each
						   serving many connections, so
						   a slow handler stalls the
						   others on its thread */
	unsigned		 max_conns;	/* HTTPD_MAX_CONNS */
	size_t			 max_body;	/* HTTPD_MAX_BODY */
	unsigned		 idle_timeout_s; /* HTTPD_IDLE_TIMEOUT_S */

	struct MHD_Daemon	*mhd;
	const struct httpd_route *routes;
	struct metrics		*reg;
	struct metric		*m_requests, *m_duration, *m_inflight;
	int			 lfd;
	unsigned		 port;
	atomic_int		 ready;
	atomic_int		 quiesced;
	pthread_mutex_t		 mu;		/* guards inflight */
	pthread_cond_t		 idle;		/* inflight reached 0 */
	long			 inflight;
};

/* Defaults into h; cannot fail.  Call before httpd_start. */
void	httpd_init(struct httpd *h);

/*
 * Listen on listen ("host:port", "[v6addr]:port", or ":port" for every
 * address, IPv6 and IPv4; port 0 lets the kernel pick, see httpd_port)
 * and serve routes (a table ended by an entry with a NULL path, borrowed:
 * it, its names and args must outlive the server).  reg (borrowed, may
 * be NULL for no metrics and no /metrics) receives the request metrics
 * and is rendered at /metrics.  Not ready until httpd_set_ready.
 * -1 with a line in err for a bad address or route, a port in use, or a
 * libmicrohttpd that will not start; nothing is left running then.
 */
int	httpd_start(struct httpd *h, const char *listen,
	    const struct httpd_route *routes, struct metrics *reg, char *err);

/* The port listened on (the real one when 0 was asked for). */
unsigned httpd_port(const struct httpd *h);

/* Whether GET /-/ready answers 200 (ready != 0) or 503 (the start, and
 * always once quiesced).  Any thread, before or after httpd_start. */
void	httpd_set_ready(struct httpd *h, int ready);

/*
 * Stop taking connections: the listening socket stops listening, so new
 * connections are refused at once (and any not yet accepted are reset).
 * Requests already read are served, and from now on every answer says
 * "Connection: close" so that kept-alive connections end after it.  Also
 * makes /-/ready answer 503.  Idempotent.
 */
void	httpd_quiesce(struct httpd *h);

/*
 * Wait until no request is in flight (read but not yet fully answered)
 * or until deadline_ms on clock_mono_ms() passes.  0 when drained; -1
 * with errno ETIMEDOUT if requests were still running at the deadline.
 * Usually after httpd_quiesce; any thread but a handler's.
 */
int	httpd_drain(struct httpd *h, int64_t deadline_ms);

/*
 * Close every connection and end every thread, then free what
 * httpd_start made; h may be httpd_init'ed and started again.  Waits for
 * handlers that are still running (so drain first).  A no-op on a server
 * not running.
 */
void	httpd_stop(struct httpd *h);

/* The request's method ("GET", ...) and path (decoded, without the
 * query string).  Owned by the request. */
const char *httpd_req_method(const struct httpd_req *req);
const char *httpd_req_path(const struct httpd_req *req);

/* The first value of parameter name (form body before query string), or
 * NULL if there is none.  Owned by the request. */
const char *httpd_req_param(const struct httpd_req *req, const char *name);

/* All values of parameter name, as match[] takes many, in order (form
 * body first, then query string): *n of them, NULL-terminated.  NULL with
 * *n = 0 if there are none.  Owned by the request. */
const char *const *httpd_req_params(const struct httpd_req *req,
	    const char *name, size_t *n);

/* The value of request header name (any case), or NULL.  Owned by the
 * request. */
const char *httpd_req_header(const struct httpd_req *req, const char *name);

/* The raw body: *len bytes followed by a NUL that is not counted ("" for
 * none).  Owned by the request. */
const char *httpd_req_body(const struct httpd_req *req, size_t *len);

/* Add a response header (both strings copied); a Content-Type replaces
 * the default.  -1 with errno ENOMEM, or EINVAL for a name or value with
 * a CR or LF in it or a header libmicrohttpd sets itself
 * (Content-Length, Transfer-Encoding, Connection). */
int	httpd_resp_header(struct httpd_resp *resp, const char *name,
	    const char *value);

/*
 * Send the body in pieces made on demand instead of from resp->body
 * (which is then ignored), with chunked transfer encoding.  next(arg,
 * out) appends the next piece to out, which is empty at each call and
 * capped at HTTPD_RESP_MAX bytes, and returns 1 while more may follow
 * or 0 after the last piece (out may hold a last piece), so only one
 * piece is in memory at a time.  -1 aborts the response: the connection
 * is closed before the terminating chunk, so the client sees a cut
 * transfer, never a complete-looking one.  next runs in the connection's
 * thread after the handler has returned, and only when the client can
 * take more.  done(arg), if not NULL, is called exactly once when the
 * response is finished or abandoned, also if it was never sent (a HEAD,
 * an error, a handler returning -1); arg must live until then.  -1 with
 * errno ENOMEM (done has then been called).
 */
int	httpd_resp_stream(struct httpd_resp *resp,
	    int (*next)(void *arg, struct buf *out), void (*done)(void *arg),
	    void *arg);

#endif
