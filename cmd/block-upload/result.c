#include <stdio.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/parse.h"
#include "result.h"
#include "ship.h"

static const char *const names[] = {
	[SHIP_UPLOADED] = "uploaded",
	[SHIP_EXISTS] = "exists",
	[SHIP_FAILED] = "failed",
	[SHIP_GONE] = "gone",
	[SHIP_ABORTED] = "aborted",
};

int
result_print(const struct ship_result *r, const char *path,
    unsigned attempt, int64_t retry_ms)
{
	struct buf b = BUF_INIT(BUF_NOMAX);
	char ts[CLOCK_RFC3339_MAX], n[32], secs[32];
	char retry[PARSE_DURATION_MAX];
	int rc = 0;

	clock_rfc3339(clock_real_ms(), ts);
	snprintf(secs, sizeof(secs), "%lld.%03lld", (long long)(r->ms / 1000),
	    (long long)(r->ms % 1000));
	logfmt_add(&b, "ts", ts);
	logfmt_add(&b, "event", names[r->status]);
	logfmt_add(&b, "ulid", r->ulid);
	if (r->status == SHIP_UPLOADED || r->status == SHIP_EXISTS) {
		snprintf(n, sizeof(n), "%llu", (unsigned long long)r->bytes);
		logfmt_add(&b, "bytes", n);
		snprintf(n, sizeof(n), "%zu", r->files);
		logfmt_add(&b, "files", n);
		logfmt_add(&b, "seconds", secs);
	} else {
		snprintf(n, sizeof(n), "%u", attempt);
		logfmt_add(&b, "attempt", n);
		logfmt_add(&b, "seconds", secs);
		logfmt_add(&b, "error", r->err);
		/* Abandoned at a signal: the next run tries again. */
		if (retry_ms >= 0)
			parse_duration_format(retry_ms, retry, sizeof(retry));
		if (r->status != SHIP_ABORTED)
			logfmt_add(&b, "retry_in", retry_ms >= 0 ? retry :
			    "never");
	}
	logfmt_add(&b, "path", path);
	if (b.data == NULL || printf("%s\n", b.data) < 0 ||
	    fflush(stdout) == EOF)
		rc = -1;
	buf_release(&b);
	return rc;
}
