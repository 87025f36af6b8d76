/*
 * serve: store-serve as a server: sync the bucket at start (retrying
 * until it answers; not ready before), then every sync interval, and
 * serve HTTP until SIGTERM drains it.
 */
#ifndef SERVE_H
#define SERVE_H

#include <stdint.h>

#include "bucket/bucket.h"

struct serve_config {
	struct bucket	*bkt;
	const char	*data_dir;
	const char	*http_address;
	int64_t		 sync_interval_ms;
	size_t		 cache_bytes;
	int		 sigfd;		/* from sig_open, before any thread */
};

/* Run until SIGTERM or SIGINT (0); -1 with err if it cannot start. */
int	serve_run(const struct serve_config *c, char *err);

#endif
