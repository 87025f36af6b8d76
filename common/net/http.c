#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "base/backoff.h"
#include "base/buf.h"
#include "base/errbuf.h"
#include "net/http.h"

#ifndef VERSION
#define VERSION	"0.0.0-dev"
#endif

#ifndef CURL_WRITEFUNC_ERROR		/* libcurl < 7.87 */
#define CURL_WRITEFUNC_ERROR	0
#endif

/* What the callbacks of one transfer share with http_attempt. */
struct http_xfer {
	struct http_response	*resp;
	CURL			*h;
	const struct http_file	*src;		/* req->body_file */
	const struct http_file	*sink;		/* req->resp_file */
	off_t			 sent;		/* of src, this attempt */
	int			 toobig;	/* body went over max_body */
	int			 nomem;
	int			 ioerr;		/* errno of a local read or
						   write, or EIO for a
						   short file */
	int			 iosink;	/* ioerr was the sink's */
	int			 in_head;	/* between a status line and
						   its blank line */
};

static const char http_tchar[] = "!#$%&'*+-.^_`|~"
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

int
http_init(char err[ERR_MAX])
{
	CURLcode rc;

	/* curl counts inits, so a second http_init is harmless as long as
	 * each has its http_cleanup. */
	if ((rc = curl_global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK)
		return errbuf_set(err, "libcurl init: %s",
		    curl_easy_strerror(rc));
	return 0;
}

void
http_cleanup(void)
{
	curl_global_cleanup();
}

void
http_response_init(struct http_response *resp)
{
	resp->status = 0;
	resp->aborted = 0;
	resp->file_bytes = 0;
	buf_init(&resp->body, HTTP_MAX_BODY);
	buf_init(&resp->headers, HTTP_MAX_HEADERS);
}

void
http_response_release(struct http_response *resp)
{
	buf_release(&resp->body);
	buf_release(&resp->headers);
	resp->status = 0;
}

int
http_response_header(const struct http_response *resp, const char *name,
    char *out, size_t n)
{
	const char *p, *end, *eol, *v, *ve;
	size_t k = strlen(name);

	if (n > 0)
		out[0] = '\0';
	if (resp->headers.data == NULL)
		return -1;
	end = resp->headers.data + resp->headers.len;
	for (p = resp->headers.data; p < end; p = eol + 1) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		if ((size_t)(eol - p) <= k || p[k] != ':' ||
		    strncasecmp(p, name, k) != 0)
			continue;
		for (v = p + k + 1; v < eol && (*v == ' ' || *v == '\t'); v++)
			;
		for (ve = eol; ve > v && (ve[-1] == '\r' || ve[-1] == ' ' ||
		    ve[-1] == '\t'); ve--)
			;
		if ((size_t)(ve - v) >= n)
			return -1;
		memcpy(out, v, (size_t)(ve - v));
		out[ve - v] = '\0';
		return 0;
	}
	return -1;
}

int
http_status_retryable(long status)
{
	return status == 429 || (status >= 500 && status <= 599);
}

/*
 * Copy url into dst without its userinfo ("user:password@"): error lines
 * end up in logs, and credentials must not.  The authority is what follows
 * "scheme://" (or the start, as curl guesses a scheme) up to the first
 * '/', '?' or '#'; its last '@' ends the userinfo, as in RFC 3986.
 */
static void
http_redact(char *dst, size_t n, const char *url)
{
	const char *auth, *end, *at;
	size_t k;

	k = strspn(url, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");
	auth = k > 0 && strncmp(url + k, "://", 3) == 0 ? url + k + 3 : url;
	end = auth + strcspn(auth, "/?#");
	at = memrchr(auth, '@', (size_t)(end - auth));
	if (at == NULL)
		snprintf(dst, n, "%s", url);
	else
		snprintf(dst, n, "%.*s%s", (int)(auth - url), url, at + 1);
}

/* "METHOD url: what", always -1. */
static int
http_fail(char *err, const struct http_request *req, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
http_fail(char *err, const struct http_request *req, const char *fmt, ...)
{
	char url[ERR_MAX], what[ERR_MAX];
	va_list ap;

	http_redact(url, sizeof(url), req->url ? req->url : "(null)");
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return errbuf_set(err, "%s %s: %s", req->method ? req->method : "GET",
	    url, what);
}

/* 1 when headers has a line for name ("Name: v", "Name:" or "Name;"). */
static int
http_has_header(const char *const *headers, const char *name)
{
	size_t n = strlen(name);

	for (; headers && *headers; headers++)
		if (strncasecmp(*headers, name, n) == 0 &&
		    ((*headers)[n] == ':' || (*headers)[n] == ';'))
			return 1;
	return 0;
}

/* Append s to *list; on failure the whole list is freed. */
static int
http_slist_add(struct curl_slist **list, const char *s)
{
	struct curl_slist *l;

	if ((l = curl_slist_append(*list, s)) == NULL) {
		curl_slist_free_all(*list);
		*list = NULL;
		return -1;
	}
	*list = l;
	return 0;
}

/* Put n bytes of a 2xx body into the sink file; 0 or -1 (ioerr set). */
static int
http_sink(struct http_xfer *x, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = pwrite(x->sink->fd, p, n, x->sink->off +
		    (off_t)x->resp->file_bytes);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			x->ioerr = w == -1 ? errno : EIO;
			x->iosink = 1;
			return -1;
		}
		p += w;
		n -= (size_t)w;
		x->resp->file_bytes += (uint64_t)w;
	}
	return 0;
}

static size_t
http_write(char *p, size_t size, size_t n, void *arg)
{
	struct http_xfer *x = arg;
	long status = 0;

	/* Only a success goes to the sink: an error document stays in
	 * memory, where the caller can read why. */
	if (x->sink != NULL && curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE,
	    &status) == CURLE_OK && status >= 200 && status <= 299)
		return http_sink(x, p, size * n) == 0 ? size * n :
		    CURL_WRITEFUNC_ERROR;
	/* size is 1 by contract; the product is kept for the letter of
	 * the API. */
	if (buf_add(&x->resp->body, p, size * n) == -1) {
		if (errno == ENOBUFS)
			x->toobig = 1;
		else
			x->nomem = 1;
		return CURL_WRITEFUNC_ERROR;
	}
	return size * n;
}

/*
 * Keep the header lines of the final response: each status line starts
 * afresh, so a "100 Continue" or a redirect's head is not mixed in.
 * Lines past HTTP_MAX_HEADERS are dropped, not an error: they are for
 * reading a few named values, and the transfer itself is fine.
 */
static size_t
http_header(char *p, size_t size, size_t n, void *arg)
{
	struct http_xfer *x = arg;
	size_t len = size * n;

	if (!x->in_head || (len >= 5 && strncmp(p, "HTTP/", 5) == 0)) {
		buf_reset(&x->resp->headers);
		x->in_head = 1;
	}
	if (len <= 2 && (len == 0 || p[0] == '\r' || p[0] == '\n'))
		x->in_head = 0;
	else
		(void)buf_add(&x->resp->headers, p, len);
	return len;
}

/* Hand curl the next bytes of the body file, from where it asked. */
static size_t
http_read(char *p, size_t size, size_t n, void *arg)
{
	struct http_xfer *x = arg;
	off_t left = x->src->len - x->sent;
	size_t want = size * n;
	ssize_t r;

	if (left <= 0)
		return 0;
	if ((off_t)want > left)
		want = (size_t)left;
	while ((r = pread(x->src->fd, p, want, x->src->off + x->sent)) == -1 &&
	    errno == EINTR)
		;
	if (r <= 0) {
		/* A file cut short under us would send a short body that
		 * the Content-Length promised in full. */
		x->ioerr = r == 0 ? EIO : errno;
		x->iosink = 0;
		return CURL_READFUNC_ABORT;
	}
	x->sent += r;
	return (size_t)r;
}

/* curl rewinds the body when it must send it again on one handle. */
static int
http_seek(void *arg, curl_off_t off, int origin)
{
	struct http_xfer *x = arg;

	if (origin != SEEK_SET || off < 0 || off > x->src->len)
		return CURL_SEEKFUNC_CANTSEEK;
	x->sent = (off_t)off;
	return CURL_SEEKFUNC_OK;
}

/* Readable, hung up or in error: any of them means "stop". */
static int
http_fd_ready(int fd)
{
	struct pollfd pfd;

	pfd.fd = fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	return poll(&pfd, 1, 0) > 0;
}

/*
 * -1 with err set for a request that can never succeed.  Runs before any
 * curl handle exists, so abort_fd cannot be mistaken for a descriptor
 * curl has just opened in the slot of one the caller closed.
 */
static int
http_check(const struct http_request *req, char err[ERR_MAX])
{
	const char *const *hp;
	const char *method = req->method ? req->method : "GET";

	if (req->url == NULL || *req->url == '\0')
		return errbuf_set(err, "%s: no URL", method);
	if (*method == '\0' || method[strspn(method, http_tchar)] != '\0')
		return http_fail(err, req, "bad method");
	if (req->body == NULL && req->body_len > 0)
		return http_fail(err, req, "body_len %zu without a body",
		    req->body_len);
	if ((strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) &&
	    (req->body_len > 0 || req->body_file != NULL))
		return http_fail(err, req, "a body on %s", method);
	if (req->body_file != NULL && (req->body_len > 0 ||
	    req->body_file->off < 0 || req->body_file->len < 0 ||
	    fcntl(req->body_file->fd, F_GETFD) == -1))
		return http_fail(err, req, "bad body_file");
	if (req->resp_file != NULL && (req->resp_file->off < 0 ||
	    fcntl(req->resp_file->fd, F_GETFD) == -1))
		return http_fail(err, req, "bad resp_file");
	for (hp = req->headers; hp && *hp; hp++)
		if (strpbrk(*hp, "\r\n") != NULL)
			return http_fail(err, req,
			    "header with a line break");
	if (req->abort_fd >= 0 && fcntl(req->abort_fd, F_GETFD) == -1)
		return http_fail(err, req, "abort_fd %d: %s", req->abort_fd,
		    strerror(errno));
	return 0;
}

/*
 * Put all of req, checked by http_check, on the easy handle h, which is
 * new or was curl_easy_reset: the one place a reused handle would have to
 * be set up again.  The header list goes to *hdrs, which the caller frees
 * after the transfer (curl keeps pointing at it).  -1 with err set when
 * out of memory or libcurl lacks an option.
 */
static int
http_setup(CURL *h, const struct http_request *req, struct http_xfer *x,
    char *cerr, struct curl_slist **hdrs, char err[ERR_MAX])
{
	const char *const *hp;
	const char *method = req->method ? req->method : "GET";
	const char *body = req->body ? req->body : "";
	long cto, to;
	size_t max;
	int bad = 0, get, head, post, sendbody;

	get = strcmp(method, "GET") == 0;
	head = strcmp(method, "HEAD") == 0;
	post = strcmp(method, "POST") == 0;
	/* Servers answer 411 to a POST or PUT without a length. */
	sendbody = post || strcmp(method, "PUT") == 0 ||
	    strcmp(method, "PATCH") == 0 || req->body_len > 0 ||
	    req->body_file != NULL;

	cto = req->connect_timeout_ms > 0 ? req->connect_timeout_ms :
	    HTTP_CONNECT_TIMEOUT_MS;
	to = req->timeout_ms > 0 ? req->timeout_ms : HTTP_TIMEOUT_MS;
	max = req->max_body > 0 ? req->max_body : HTTP_MAX_BODY;
	x->resp->body.max = max;

	*hdrs = NULL;
	for (hp = req->headers; hp && *hp; hp++)
		if (http_slist_add(hdrs, *hp) == -1)
			return http_fail(err, req, "out of memory");
	/* Expect: 100-continue costs a round trip, or a second against a
	 * server that ignores it; a body of ours is already in memory.
	 * curl's default form Content-Type would be a lie.  SigV4 in
	 * libcurl 7.88 would sign the empty removals (see http.h). */
	if (req->aws_sigv4 == NULL &&
	    ((!http_has_header(req->headers, "Expect") &&
	    http_slist_add(hdrs, "Expect:") == -1) ||
	    (sendbody && !http_has_header(req->headers, "Content-Type") &&
	    http_slist_add(hdrs, "Content-Type:") == -1)))
		return http_fail(err, req, "out of memory");

	cerr[0] = '\0';
	bad |= curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_URL, req->url) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") !=
	    CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER,
	    req->insecure_skip_verify ? 0L : 1L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST,
	    req->insecure_skip_verify ? 0L : 2L) != CURLE_OK;
	if (req->ca_file != NULL)
		bad |= curl_easy_setopt(h, CURLOPT_CAINFO, req->ca_file) !=
		    CURLE_OK;
	if (req->stall_ms > 0) {
		bad |= curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L) !=
		    CURLE_OK;
		bad |= curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME,
		    (req->stall_ms + 999) / 1000) != CURLE_OK;
	}
	if (req->aws_sigv4 != NULL) {
		bad |= curl_easy_setopt(h, CURLOPT_AWS_SIGV4,
		    req->aws_sigv4) != CURLE_OK;
		bad |= curl_easy_setopt(h, CURLOPT_USERNAME,
		    req->username ? req->username : "") != CURLE_OK;
		bad |= curl_easy_setopt(h, CURLOPT_PASSWORD,
		    req->password ? req->password : "") != CURLE_OK;
	}
	bad |= curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, http_header) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_HEADERDATA, x) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, cto) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, to) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_USERAGENT, "strata/" VERSION) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_HTTPHEADER, *hdrs) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, http_write) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_WRITEDATA, x) != CURLE_OK;
	/* Refuses a declared Content-Length over the cap before any of
	 * the body comes; http_write catches the rest.  A body bound for
	 * resp_file has no cap: only an error document stays in memory,
	 * and http_write caps that. */
	if (req->resp_file == NULL && (uint64_t)max <= (uint64_t)INT64_MAX)
		bad |= curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
		    (curl_off_t)max) != CURLE_OK;

	if (get)
		bad |= curl_easy_setopt(h, CURLOPT_HTTPGET, 1L) != CURLE_OK;
	else if (head)
		bad |= curl_easy_setopt(h, CURLOPT_NOBODY, 1L) != CURLE_OK;
	else if (!post || req->body_file != NULL)
		bad |= curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method) !=
		    CURLE_OK;
	if (req->body_file != NULL) {
		/* UPLOAD reads through the callback and states the length;
		 * its method is PUT unless CUSTOMREQUEST says otherwise. */
		bad |= curl_easy_setopt(h, CURLOPT_UPLOAD, 1L) != CURLE_OK;
		bad |= curl_easy_setopt(h, CURLOPT_READFUNCTION, http_read) !=
		    CURLE_OK;
		bad |= curl_easy_setopt(h, CURLOPT_READDATA, x) != CURLE_OK;
		bad |= curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, http_seek) !=
		    CURLE_OK;
		bad |= curl_easy_setopt(h, CURLOPT_SEEKDATA, x) != CURLE_OK;
		bad |= curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE,
		    (curl_off_t)req->body_file->len) != CURLE_OK;
	} else if (sendbody) {
		/* Never a NULL POSTFIELDS: curl would read the body from
		 * stdin instead. */
		bad |= curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)req->body_len) != CURLE_OK;
		bad |= curl_easy_setopt(h, CURLOPT_POSTFIELDS, body) !=
		    CURLE_OK;
	}
	if (bad) {
		curl_slist_free_all(*hdrs);
		*hdrs = NULL;
		return http_fail(err, req, "libcurl %s lacks an option we need",
		    curl_version_info(CURLVERSION_NOW)->version);
	}
	return 0;
}

/*
 * Drive h to its end on the multi handle m, waking at once when abort_fd
 * becomes ready: curl's own progress callback only comes about once a
 * second while a peer is silent, which is not "promptly".  Returns the
 * transfer's result; *aborted says the abort_fd cut it short, *why names
 * a failure of the multi interface itself.
 */
static CURLcode
http_run(CURLM *m, CURL *h, int abort_fd, int *aborted, const char **why)
{
	struct curl_waitfd wfd;
	CURLMsg *msg;
	CURLMcode mc;
	CURLcode rc = CURLE_GOT_NOTHING;
	int running, left;

	*aborted = 0;
	*why = NULL;
	if ((mc = curl_multi_add_handle(m, h)) != CURLM_OK) {
		*why = curl_multi_strerror(mc);
		return CURLE_FAILED_INIT;
	}
	for (;;) {
		if (abort_fd >= 0 && http_fd_ready(abort_fd)) {
			*aborted = 1;
			rc = CURLE_ABORTED_BY_CALLBACK;
			goto out;
		}
		if ((mc = curl_multi_perform(m, &running)) != CURLM_OK)
			break;
		if (running == 0)
			break;
		wfd.fd = abort_fd;
		wfd.events = CURL_WAIT_POLLIN;
		wfd.revents = 0;
		/* curl shortens the wait to its own next timeout. */
		mc = curl_multi_poll(m, abort_fd >= 0 ? &wfd : NULL,
		    abort_fd >= 0 ? 1 : 0, 1000, NULL);
		if (mc != CURLM_OK)
			break;
	}
	if (mc != CURLM_OK) {
		*why = curl_multi_strerror(mc);
		rc = CURLE_FAILED_INIT;
		goto out;
	}
	while ((msg = curl_multi_info_read(m, &left)) != NULL)
		if (msg->msg == CURLMSG_DONE && msg->easy_handle == h)
			rc = msg->data.result;
out:
	curl_multi_remove_handle(m, h);
	return rc;
}

/*
 * One attempt, as http_do; *permanent is set when trying again cannot
 * help: the request itself is bad, or the answer will not fit.
 */
static int
http_attempt(const struct http_request *req, struct http_response *resp,
    char err[ERR_MAX], int *permanent)
{
	char cerr[CURL_ERROR_SIZE];
	struct curl_slist *hdrs = NULL;
	struct http_xfer x;
	const char *why;
	CURLM *m = NULL;
	CURL *h = NULL;
	CURLcode rc;
	long status = 0;
	int aborted, ret = -1;

	*permanent = 0;
	resp->status = 0;
	resp->aborted = 0;
	resp->file_bytes = 0;
	buf_reset(&resp->body);
	buf_reset(&resp->headers);
	memset(&x, 0, sizeof(x));
	x.resp = resp;
	x.src = req->body_file;
	x.sink = req->resp_file;

	if (http_check(req, err) == -1) {
		*permanent = 1;
		return -1;
	}
	if ((h = curl_easy_init()) == NULL || (m = curl_multi_init()) == NULL) {
		*permanent = 1;
		http_fail(err, req, "cannot start libcurl (out of memory?)");
		goto out;
	}
	x.h = h;
	if (http_setup(h, req, &x, cerr, &hdrs, err) == -1) {
		*permanent = 1;
		goto out;
	}
	rc = http_run(m, h, req->abort_fd, &aborted, &why);
	if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK)
		resp->status = status;
	if (aborted) {
		resp->aborted = 1;
		http_fail(err, req, "aborted");
	} else if (why != NULL)
		http_fail(err, req, "libcurl: %s", why);
	else if (x.ioerr != 0) {
		/* Our own disk, not the network: trying again cannot help. */
		*permanent = 1;
		http_fail(err, req, "%s: %s", x.iosink ?
		    "write response to file" : "read body file",
		    x.ioerr == EIO && !x.iosink ? "file shorter than its "
		    "stated length" : strerror(x.ioerr));
	} else if (x.toobig || rc == CURLE_FILESIZE_EXCEEDED) {
		*permanent = 1;
		http_fail(err, req, "response body over %zu bytes",
		    resp->body.max);
	} else if (x.nomem || rc == CURLE_OUT_OF_MEMORY) {
		*permanent = 1;
		http_fail(err, req, "out of memory");
	} else if (rc != CURLE_OK) {
		*permanent = rc == CURLE_URL_MALFORMAT ||
		    rc == CURLE_UNSUPPORTED_PROTOCOL ||
		    rc == CURLE_NOT_BUILT_IN;
		/* The error buffer says more ("Failed to connect to
		 * 127.0.0.1 port 9 after 0 ms: ...") than the code. */
		http_fail(err, req, "%s", cerr[0] ? cerr :
		    curl_easy_strerror(rc));
	} else
		ret = 0;
out:
	curl_multi_cleanup(m);
	curl_easy_cleanup(h);
	curl_slist_free_all(hdrs);
	return ret;
}

int
http_do(const struct http_request *req, struct http_response *resp,
    char err[ERR_MAX])
{
	int permanent;

	return http_attempt(req, resp, err, &permanent);
}

/*
 * Sleep ms, or less if fd (which may be -1) becomes ready: 1 then, else 0.
 * Signals (EINTR) do not shorten the wait; the fd is how they do.
 */
static int
http_sleep(long ms, int fd)
{
	struct timespec now, end;
	struct pollfd pfd;
	long long left;
	int n;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += ms / 1000;
	end.tv_nsec += (ms % 1000) * 1000000L;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		/* Rounded up, so poll never wakes a hair early and spins. */
		left = ((long long)end.tv_sec - now.tv_sec) * 1000 +
		    (end.tv_nsec - now.tv_nsec + 999999) / 1000000;
		if (left <= 0)
			return 0;
		pfd.fd = fd;	/* poll skips a negative fd: a plain sleep */
		pfd.events = POLLIN;
		pfd.revents = 0;
		n = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (n > 0)
			return 1;
		if (n == -1 && errno != EINTR)
			return 0;
	}
}

int
http_do_retry(const struct http_request *req, struct http_response *resp,
    const struct http_retry *retry, char err[ERR_MAX])
{
	struct backoff b;
	int attempt, max, permanent, ret;

	max = retry->max_attempts < 0 ? 1 : retry->max_attempts;
	backoff_init(&b, retry->base_ms > 0 ? retry->base_ms :
	    HTTP_RETRY_BASE_MS, retry->max_ms > 0 ? retry->max_ms :
	    HTTP_RETRY_MAX_MS);
	for (attempt = 1;;) {
		ret = http_attempt(req, resp, err, &permanent);
		if (resp->aborted || permanent)
			return ret;
		if (ret == 0 && !http_status_retryable(resp->status))
			return 0;
		/* Counted only when bounded: "forever" must not overflow. */
		if (max > 0 && attempt++ >= max)
			return ret;
		if (http_sleep(backoff_next(&b), req->abort_fd)) {
			resp->aborted = 1;
			return http_fail(err, req, "aborted");
		}
	}
}
