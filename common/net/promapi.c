#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/errbuf.h"
#include "base/jsonstr.h"
#include "net/http.h"
#include "net/promapi.h"

int
promapi_error(struct httpd_resp *resp, int status, const char *type,
    const char *fmt, ...)
{
	char msg[ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	resp->status = status;
	buf_reset(&resp->body);
	httpd_resp_header(resp, "Content-Type", "application/json");
	buf_addstr(&resp->body, "{\"status\":\"error\",\"errorType\":");
	jsonstr_add(&resp->body, type, strlen(type));
	buf_addstr(&resp->body, ",\"error\":");
	jsonstr_add(&resp->body, msg, strlen(msg));
	buf_addstr(&resp->body, "}");
	return 0;
}

int
promapi_begin(struct buf *b)
{
	return buf_addstr(b, "{\"status\":\"success\",\"data\":");
}

int
promapi_end(struct buf *b)
{
	return buf_addstr(b, "}");
}

int
promapi_time(const struct httpd_req *req, const char *name, int64_t dflt,
    int64_t *out, char *err)
{
	const char *v = httpd_req_param(req, name);
	char e[ERR_MAX];

	if (v == NULL || *v == '\0') {
		*out = dflt;
		return 0;
	}
	if (clock_parse_time(v, out, e) == -1)
		return errbuf_set(err, "invalid parameter \"%s\": cannot parse "
		    "\"%s\" to a valid timestamp", name, v);
	return 0;
}

void
promapi_selectors_free(struct tsdb_selector *sel, size_t n)
{
	for (size_t i = 0; i < n; i++)
		matchers_free(sel[i].m, sel[i].n);
	free(sel);
}

int
promapi_selectors(const struct httpd_req *req, struct tsdb_selector **sel,
    size_t *n, char *err)
{
	const char *const *v = httpd_req_params(req, "match[]", n);
	char e[ERR_MAX];

	*sel = NULL;
	if (v == NULL || *n == 0) {
		*n = 0;
		return 0;
	}
	if ((*sel = calloc(*n, sizeof(**sel))) == NULL)
		return errbuf_sys(err, "match[]");
	for (size_t i = 0; i < *n; i++) {
		if (matcher_parse_selector(v[i], &(*sel)[i].m, &(*sel)[i].n,
		    e) == -1) {
			promapi_selectors_free(*sel, i);
			*sel = NULL;
			return errbuf_set(err, "invalid parameter \"match[]\": %s",
			    e);
		}
	}
	return 0;
}


int
promapi_get(const char *base, const char *path, int abort_fd,
    long timeout_ms, size_t max_body, struct buf *url, struct json_t **doc,
    struct json_t **data, char *err)
{
	struct http_request req = HTTP_REQUEST_INIT;
	struct http_response resp;
	size_t n = strlen(base);
	json_error_t je;
	int rc = -1;

	*doc = *data = NULL;
	while (n > 0 && base[n - 1] == '/')
		n--;
	buf_reset(url);
	if (buf_add(url, base, n) == -1 || buf_addstr(url, path) == -1)
		return errbuf_sys(err, "%s", base);
	http_response_init(&resp);
	req.url = url->data;
	req.timeout_ms = timeout_ms;
	req.max_body = max_body;
	req.abort_fd = abort_fd;
	if (http_do(&req, &resp, err) == -1)
		goto out;
	if (resp.status != 200) {
		errbuf_set(err, "GET %s: HTTP status %ld", url->data,
		    resp.status);
		goto out;
	}
	*doc = (struct json_t *)json_loadb(resp.body.data ? resp.body.data :
	    "", resp.body.len, 0, &je);
	if (*doc == NULL) {
		errbuf_set(err, "GET %s: not JSON: %s", url->data, je.text);
		goto out;
	}
	*data = (struct json_t *)json_object_get((json_t *)*doc, "data");
	rc = 0;
out:
	http_response_release(&resp);
	return rc;
}
