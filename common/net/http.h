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
 *
 * A body may also stream from a range of a file (body_file), and a 2xx
 * response body may go straight to a file (resp_file), so objects of
 * hundreds of MiB never sit in memory.  Credentials given for SigV4
 * (username, password) go to libcurl only, never into an error line.
 */
#ifndef NET_HTTP_H
#define NET_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/buf.h"
#include "base/errbuf.h"

#define HTTP_CONNECT_TIMEOUT_MS	5000
#define HTTP_TIMEOUT_MS		30000
#define HTTP_MAX_BODY		((size_t)64 << 20)
#define HTTP_RETRY_BASE_MS	100
#define HTTP_RETRY_MAX_MS	10000
#define HTTP_MAX_HEADERS	((size_t)64 << 10)

/*
 * A byte range of an open file: len bytes from off.  As a request body
 * it is read with pread(2), so the fd's offset never moves and a retry
 * sends the same bytes again; as a response sink it is written with
 * pwrite(2) from off (len is not used), so fd must be a regular file.
 */
struct http_file {
	int	 fd;
	off_t	 off;
	off_t	 len;
};

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
	/* Stream the body from this file range instead of body/body_len
	 * (which must then be empty); not for GET or HEAD.  NULL = none.
	 * A read error or a file shorter than len fails the request, and
	 * is never retried. */
	const struct http_file *body_file;
	/* Write the body of a 2xx response here instead of resp->body;
	 * other statuses still fill resp->body (an error document), and
	 * max_body caps only that.  NULL = none.  A write error fails the
	 * request unretried. */
	const struct http_file *resp_file;
	/* CURLOPT_AWS_SIGV4's parameter ("aws:amz:us-east-1:s3") and the
	 * key pair it signs with, or NULL.  libcurl 7.88 signs every header
	 * in headers, even an empty "Name:" that removes one, and then the
	 * signature is wrong: so with aws_sigv4 set, no "Expect:" or
	 * "Content-Type:" removals are added, and the caller names a
	 * Content-Type for any body. */
	const char	*aws_sigv4;
	const char	*username;
	const char	*password;
	/* CA bundle for TLS peers instead of the system's, or NULL; and 1
	 * to skip verifying the peer (a test rig's self-signed cert). */
	const char	*ca_file;
	int		 insecure_skip_verify;
	/* Fail a transfer that moves less than a byte a second for this
	 * long (a stalled peer); 0 = no such check.  Rounded up to whole
	 * seconds.  With a large timeout_ms it bounds a long upload by
	 * progress rather than by its total time. */
	long		 stall_ms;
};

/* A GET with the defaults and no abort_fd; set url (and the rest). */
#define HTTP_REQUEST_INIT { "GET", NULL, NULL, 0, NULL, 0, 0, 0, -1, \
	NULL, NULL, NULL, NULL, NULL, NULL, 0, 0 }

struct http_response {
	long		 status;	/* 0 when no response arrived */
	struct buf	 body;		/* owned; NUL-terminated as buf is */
	int		 aborted;	/* 1 when the last call gave up because
					   abort_fd became readable */
	/* The header lines of the last response, "Name: value\r\n" each,
	 * at most HTTP_MAX_HEADERS bytes (the rest is dropped): read them
	 * with http_response_header.  Interim 1xx responses are not kept. */
	struct buf	 headers;
	/* Body bytes written to req->resp_file by the last attempt. */
	uint64_t	 file_bytes;
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
/* Free the body and headers; resp may be used again after
 * http_response_init. */
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

/*
 * The value of the response header name (any case) with surrounding
 * blanks trimmed, copied into out (n bytes, NUL-terminated).  0 when
 * found and it fit; -1 when absent, or too long for out (out is then "").
 */
int	http_response_header(const struct http_response *resp,
	    const char *name, char *out, size_t n);

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
