#include <jansson.h>
#include <string.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "base/log.h"
#include "base/parse.h"
#include "net/promapi.h"
#include "promcheck.h"

#define FLAGS_MAX	((size_t)1 << 20)
#define FLAGS_TIMEOUT_MS	5000
#define TWO_HOURS_MS	(2 * 3600 * 1000)

int
promcheck_flags(const char *url, int abort_fd, int ignore_unequal,
    char err[ERR_MAX])
{
	struct buf u = BUF_INIT(BUF_NOMAX);
	json_t *doc = NULL, *data, *vmin, *vmax;
	const char *smin, *smax;
	int64_t min, max;
	char e[ERR_MAX];
	int rc = 1;

	if (promapi_get(url, "/api/v1/status/flags", abort_fd,
	    FLAGS_TIMEOUT_MS, FLAGS_MAX, &u, (struct json_t **)&doc,
	    (struct json_t **)&data, err) == -1)
		goto out;
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
	return rc;
}
