/*
 * watch: find the blocks of a Prometheus TSDB directory that are ready
 * to ship and not shipped yet, and print them as block lines
 * (docs/FORMATS.md): once, or on every change of the directory and every
 * interval.
 */
#ifndef WATCH_H
#define WATCH_H

#include <stdint.h>

#include "base/errbuf.h"

/* A block that is not shipped is warned about when its age reaches this
 * share (in percent) of the retention. */
#define WATCH_RETENTION_WARN_PCT	90

struct watch_config {
	const char	*tsdb;		/* absolute, no trailing '/' */
	const char	*shipper_file;
	int		 upload_compacted;
	int64_t		 interval_ms;
	int64_t		 retention_ms;	/* 0: no warnings */
};

/* Print every ready block not in the shipper file, oldest first, and
 * return.  -1 with err when the directory cannot be read or stdout
 * fails. */
int	watch_once(const struct watch_config *c, char *err);

/*
 * Print them, then keep watching: inotify on the directory and the
 * shipper file's directory, a rescan every interval, SIGHUP for a rescan
 * now; each block is printed once.  Returns 0 on SIGTERM or SIGINT, -1
 * with err on a failure (stdout closed by its reader among them).
 */
int	watch_forever(const struct watch_config *c, char *err);

#endif
