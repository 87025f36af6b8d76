/*
 * promapi: the envelope, parameters and errors of Prometheus' HTTP API
 * (/api/v1/...), shared by the servers that speak it.
 *
 *	{"status":"success","data":...}
 *	{"status":"error","errorType":"bad_data","error":"..."}
 *
 * Times are RFC 3339 or Unix seconds with a fraction, as Prometheus parses
 * them; match[] takes series selectors, repeatable.  Error texts follow
 * Prometheus' where a client might look at them.
 */
#ifndef NET_PROMAPI_H
#define NET_PROMAPI_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/labels.h"
#include "net/httpd.h"
#include "tsdb/query.h"

/* "No start" and "no end". */
#define PROMAPI_MIN_TIME	INT64_MIN
#define PROMAPI_MAX_TIME	INT64_MAX

/* Answer with Prometheus' error shape; type is "bad_data", "execution",
 * "internal", ...  Returns 0 (the handler has its answer). */
int	promapi_error(struct httpd_resp *resp, int status, const char *type,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* {"status":"success","data": ... then the caller's data, then "}". */
int	promapi_begin(struct buf *b);
int	promapi_end(struct buf *b);

/* Parameter name as a time, dflt when absent.  -1 with Prometheus' text
 * in err when it does not parse. */
int	promapi_time(const struct httpd_req *req, const char *name,
	    int64_t dflt, int64_t *out, char *err);

/* Every match[] as a selector: *sel a new array of *n (0 if none given);
 * free with promapi_selectors_free. */
int	promapi_selectors(const struct httpd_req *req,
	    struct tsdb_selector **sel, size_t *n, char *err);
void	promapi_selectors_free(struct tsdb_selector *sel, size_t n);

/*
 * Client side: GET <base><path> from a Prometheus (a base path such as
 * /prometheus is kept), expect 200 and a JSON body, and hand back its
 * "data" member in *data, owned by *doc (json_decref it; NULL on error).
 * The full URL goes to url (for the caller's messages).  -1 with "GET
 * <url>: ..." in err.
 */
struct json_t;
int	promapi_get(const char *base, const char *path, int abort_fd,
	    long timeout_ms, size_t max_body, struct buf *url,
	    struct json_t **doc, struct json_t **data, char *err);

#endif
