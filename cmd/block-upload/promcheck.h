/*
 * promcheck: the Thanos sidecar's check of the Prometheus it ships for
 * (validatePrometheus): local compaction must be off, that is
 * --storage.tsdb.min-block-duration equal to max-block-duration, or
 * Prometheus merges blocks before they are shipped and the level-1 blocks
 * it deletes are never uploaded; 2h is what Thanos recommends.
 */
#ifndef PROMCHECK_H
#define PROMCHECK_H

#include "base/errbuf.h"

/*
 * GET <url>/api/v1/status/flags once (abort_fd as in net/http.h).  0 when
 * the block durations are equal (a warning is logged unless they are
 * 2h), or when ignore_unequal is set; 1 when Prometheus could not be
 * asked (err says why: try again); -1 with Thanos' error in err when
 * they differ.
 */
int	promcheck_flags(const char *url, int abort_fd, int ignore_unequal,
	    char err[ERR_MAX]);

#endif
