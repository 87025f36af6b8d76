#include <jansson.h>
#include <string.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "base/log.h"
#include "base/parse.h"
#include "net/http.h"
#include "promcheck.h"

#define FLAGS_MAX	((size_t)1 << 20)
#define FLAGS_TIMEOUT_MS	5000
#define TWO_HOURS_MS	(2 * 3600 * 1000)

int
promcheck_flags(const char *url, int abort_fd, int ignore_unequal,
    char err[ERR_MAX])
{
	struct http_request req = HTTP_REQUEST_INIT;
	struct http_response resp;
	struct buf u = BUF_INIT(BUF_NOMAX);
	json_error_t je;
	json_t *doc = NULL, *data, *vmin, *vmax;
	const char *smin, *smax;
	int64_t min, max;
	char e[ERR_MAX];
	size_t n = strlen(url);
	int rc = 1;

	http_response_init(&resp);
	while (n > 0 && url[n - 1] == '/')
		n--;
	if (buf_add(&u, url, n) == -1 ||
	    buf_addstr(&u, "/api/v1/status/flags") == -1) {
		errbuf_sys(err, "%s", url);
		goto out;
	}
	req.url = u.data;
	req.timeout_ms = FLAGS_TIMEOUT_MS;
	req.max_body = FLAGS_MAX;
	req.abort_fd = abort_fd;
	if (http_do(&req, &resp, err) == -1)
		goto out;
	if (resp.status != 200) {
		errbuf_set(err, "GET %s: HTTP status %ld", u.data, resp.status);
		goto out;
	}
	doc = json_loadb(resp.body.data ? resp.body.data : "", resp.body.len,
	    0, &je);
	data = json_object_get(doc, "data");
	vmin = json_object_get(data, "storage.tsdb.min-block-duration");
	vmax = json_object_get(data, "storage.tsdb.max-block-duration");
	if (!json_is_string(vmin) || !json_is_string(vmax)) {
		errbuf_set(err, "GET %s: no storage.tsdb.min-block-duration "
		    "and max-block-duration in the answer", u.data);
		goto out;
	}
	smin = json_string_value(vmin);
	smax = json_string_value(vmax);
	if (parse_duration(smin, &min, e) == -1 ||
	    parse_duration(smax, &max, e) == -1) {
		errbuf_set(err, "GET %s: %s", u.data, e);
		goto out;
	}
	rc = 0;
	if (min != max && !ignore_unequal)
		rc = errbuf_set(err, "found that TSDB Max time is %s and Min "
		    "time is %s. Compaction needs to be disabled "
		    "(storage.tsdb.min-block-duration = "
		    "storage.tsdb.max-block-duration)", smax, smin);
	else if (max != TWO_HOURS_MS)
		log_warn("found that TSDB block time is not 2h. Only 2h block "
		    "time is recommended.", "block-time", smax);
out:
	json_decref(doc);
	buf_release(&u);
	http_response_release(&resp);
	return rc;
}
