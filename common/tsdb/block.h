/*
 * block: one TSDB block directory opened for reading: meta.json, index,
 * chunk segments and tombstones, each checked at open as far as it can be
 * without reading every byte (the rest is checked as it is read).
 */
#ifndef TSDB_BLOCK_H
#define TSDB_BLOCK_H

#include "tsdb/chunks.h"
#include "tsdb/index.h"
#include "tsdb/meta.h"
#include "tsdb/source.h"
#include "tsdb/tombstones.h"

struct tsdb_block {
	char			*dir;		/* owned */
	struct tsdb_meta	 meta;
	struct tsdb_source	 isrc;
	struct tsdb_index	 ix;
	struct tsdb_chunks	 ch;
	struct tsdb_tombstones	 tomb;
};

/* Open the block in dir (local files, memory-mapped).  -1 with a message
 * naming the file at fault. */
int	tsdb_block_open_dir(struct tsdb_block *b, const char *dir, char *err);
/* Open a block from parts fetched elsewhere (a remote bucket): meta.json
 * bytes, an index source and nseg chunk segment sources (both taken
 * over, also on failure), tombstones bytes or NULL.  name is for errors. */
int	tsdb_block_open_parts(struct tsdb_block *b, const char *name,
	    const char *meta, size_t metalen, struct tsdb_source *index,
	    struct tsdb_source *seg, size_t nseg, const void *tomb,
	    size_t tomblen, char *err);
void	tsdb_block_close(struct tsdb_block *b);

/* Is name (a directory entry) a block directory name: a ULID, not one of
 * Prometheus' .tmp-for-creation / .tmp-for-deletion leftovers? */
int	tsdb_block_name(const char *name);

#endif
