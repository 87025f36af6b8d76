#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/errbuf.h"
#include "net/promapi.h"
#include "series/jsonl.h"

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
	jsonl_add_string(&resp->body, type, strlen(type));
	buf_addstr(&resp->body, ",\"error\":");
	jsonl_add_string(&resp->body, msg, strlen(msg));
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

