/*
 * http: a small HTTP client on libcurl, one request at a time, with
 * timeouts, a cap on the response body, retries with backoff, and an fd
 * that aborts a transfer (a signalfd, a self-pipe).
 *
 * What always holds: every transfer has a connect timeout, a whole-transfer
 * timeout and a cap on the body it buffers; TLS peers are verified;
 * redirects are not followed; only http:// and https:// are spoken; no
 * signals are used (CURLOPT_NOSIGNAL), so any thread may call in.  An error
 * line names the method and the URL with any user:password@ removed, and
 * never holds credentials.  "Success" (0) means an HTTP response arrived,
 * whatever its status: deciding what a 404 means is the caller's job.
 * Nothing here reads from abort_fd: it stays readable for the caller.
 */
#ifndef NET_HTTP_H
#define NET_HTTP_H

#include <stddef.h>

#include "base/buf.h"
#include "base/errbuf.h"

#define HTTP_CONNECT_TIMEOUT_MS	5000
#define HTTP_TIMEOUT_MS		30000
#define HTTP_MAX_BODY		((size_t)64 << 20)
#define HTTP_RETRY_BASE_MS	100
#define HTTP_RETRY_MAX_MS	10000

struct http_request {
	const char	*method;	/* "GET", "POST", ...; NULL = "GET" */
	const char	*url;
	const void	*body;		/* body_len bytes, or NULL if 0 */
	size_t		 body_len;
	/* NULL-terminated "Name: value" list, or NULL.  "Name:" with no
	 * value removes a header curl would add. */
	const char *const *headers;
	/* 0 (or less) means the default: HTTP_CONNECT_TIMEOUT_MS,
	 * HTTP_TIMEOUT_MS for the whole transfer, HTTP_MAX_BODY bytes of
	 * response body. */
	long		 connect_timeout_ms;
	long		 timeout_ms;
	size_t		 max_body;
	/* -1, or an fd that, once readable (or hung up), aborts the
	 * transfer and any wait between retries at once.  Note that 0 is
	 * stdin, not "none": start from HTTP_REQUEST_INIT. */
	int		 abort_fd;
};

/* A GET with the defaults and no abort_fd; set url (and the rest). */
#define HTTP_REQUEST_INIT { "GET", NULL, NULL, 0, NULL, 0, 0, 0, -1 }

struct http_response {
	long		 status;	/* 0 when no response arrived */
	struct buf	 body;		/* owned; NUL-terminated as buf is */
	int		 aborted;	/* 1 when the last call gave up because
					   abort_fd became readable */
};

struct http_retry {
	int	max_attempts;	/* attempts in all, 0 = forever */
	long	base_ms;	/* first backoff, 0 = HTTP_RETRY_BASE_MS */
	long	max_ms;		/* backoff cap, 0 = HTTP_RETRY_MAX_MS */
};

/*
 * Set up libcurl (curl_global_init).  Call from main() before any thread
 * starts, and before any other http_ call.  -1 with err set if libcurl
 * cannot start.  Balanced by http_cleanup, after the last transfer.
 */
int	http_init(char err[ERR_MAX]);
void	http_cleanup(void);

/* An empty response: status 0, empty body.  Cannot fail. */
void	http_response_init(struct http_response *resp);
/* Free the body; resp may be used again after http_response_init. */
void	http_response_release(struct http_response *resp);

/*
 * One attempt at req.  resp must have been set up by http_response_init;
 * its status, aborted flag and body are overwritten (the body buffer is
 * reused).
 *
 * POST, PUT and PATCH always send a body with a Content-Length, so an
 * empty POST carries "Content-Length: 0" (Prometheus' /-/reload); other
 * methods send one only when body_len > 0, and GET and HEAD never (a body
 * there is an error).  No Content-Type is sent unless headers names one,
 * nor "Expect: 100-continue".  HEAD asks for headers only.
 *
 * 0 when an HTTP response arrived, whatever its status: resp->status and
 * the whole body in resp->body.  -1 on a transport failure (refused,
 * timeout, DNS, TLS, a body over max_body, out of memory, a bad request),
 * with err like "POST http://127.0.0.1:9090/-/reload: Failed to connect
 * ...".  After -1, resp->status is the status if one arrived before the
 * failure (a body cut short, say), else 0, and resp->body holds what came.
 * -1 with resp->aborted == 1 means abort_fd became readable; err then ends
 * in ": aborted".
 */
int	http_do(const struct http_request *req, struct http_response *resp,
	    char err[ERR_MAX]);

/* 1 for a status worth retrying: 429 and every 5xx; else 0. */
int	http_status_retryable(long status);

/*
 * http_do, again after a backoff with jitter (base/backoff.h) while the
 * attempt fails in transport or answers with a retryable status, at most
 * retry->max_attempts times in all.  A 2xx, 3xx or another 4xx ends it at
 * once, as do failures that cannot mend by themselves (a malformed URL, a
 * body over max_body, out of memory).  The wait between attempts is a
 * poll() on abort_fd, so a signal cuts it short.
 *
 * Returns as http_do did for the last attempt: 0 with the last status
 * (possibly still a 503 once attempts run out), or -1 with err set.  An
 * abort, during a transfer or during a wait, gives -1 with resp->aborted
 * == 1 and err ending in ": aborted".
 */
int	http_do_retry(const struct http_request *req,
	    struct http_response *resp, const struct http_retry *retry,
	    char err[ERR_MAX]);

#endif
