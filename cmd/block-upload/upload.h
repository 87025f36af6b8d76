/*
 * upload: block-upload's loop.  Block lines in on stdin, one result line
 * out per outcome; failed blocks tried again every retry interval, for
 * as long as stdin is open and up to UPLOAD_EOF_ATTEMPTS tries in all
 * after it ended; signals and the retry timer in one poll.
 */
#ifndef UPLOAD_H
#define UPLOAD_H

#include <stdint.h>

#include "base/errbuf.h"
#include "bucket/bucket.h"
#include "net/extlabels.h"

/* Thanos' sidecar asks Prometheus for its labels every 2 s until it has
 * them. */
#define UPLOAD_LABELS_RETRY_MS	2000
/* Tries a failed block gets in all once stdin has ended. */
#define UPLOAD_EOF_ATTEMPTS	3
/* Longest block line: a path. */
#define UPLOAD_LINE_MAX		4096

struct upload_config {
	struct bucket	*bucket;
	struct extlabels labels;	/* from --label; or filled from
					   prom_url */
	const char	*prom_url;	/* NULL: labels are fixed */
	int64_t		 ready_timeout_ms;
	int		 ignore_unequal;	/* block durations may differ */
	int64_t		 retry_ms;
	const char	*shipper_file;	/* NULL: per TSDB dir */
	int		 sigfd;
};

/*
 * Run until stdin has ended and no retry is left, or SIGTERM/SIGINT
 * comes.  0 when every block read
 * was shipped (or was in the bucket) or a signal stopped us; 1 when some
 * block was not shipped by the end; -1 with err on a failure that stops
 * everything (a malformed line, stdout, no labels from Prometheus).
 */
int	upload_run(struct upload_config *c, char *err);

#endif
