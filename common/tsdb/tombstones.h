/*
 * tombstones: a block's deleted time ranges per series (the "tombstones"
 * file).  A missing file means none.  Intervals are closed [mint, maxt];
 * a sample inside any interval of its series is not returned.
 */
#ifndef TSDB_TOMBSTONES_H
#define TSDB_TOMBSTONES_H

#include <stddef.h>
#include <stdint.h>

struct tsdb_stone {
	uint32_t	ref;		/* series reference */
	int64_t		mint, maxt;
};

struct tsdb_tombstones {
	struct tsdb_stone *v;		/* sorted by ref, then mint */
	size_t		 n;
};

/* Parse the file at path; ENOENT gives an empty set. */
int	tsdb_tombstones_read(struct tsdb_tombstones *t, const char *path,
	    char *err);
int	tsdb_tombstones_parse(struct tsdb_tombstones *t, const void *data,
	    size_t len, const char *name, char *err);
/* The intervals of series ref: *n of them starting at the result. */
const struct tsdb_stone *tsdb_tombstones_get(const struct tsdb_tombstones *t,
	    uint32_t ref, size_t *n);
void	tsdb_tombstones_release(struct tsdb_tombstones *t);

#endif
