/*
 * meta: a block's meta.json, Prometheus' fields and Thanos' "thanos"
 * section.
 *
 * Reading is strict where Prometheus and Thanos are (version must be 1,
 * thanos.version absent or 1) and lenient where they are (unknown keys are
 * ignored, any key order).  The parsed document is kept (doc), so a writer
 * can change the thanos section and keep everything else; strings in the
 * struct point into doc and live as long as the meta.
 */
#ifndef TSDB_META_H
#define TSDB_META_H

#include <stddef.h>
#include <stdint.h>

#include "base/labels.h"

/* The JSON document; jansson's json_t, opaque here. */
struct json_t;

struct tsdb_meta {
	char		 ulid[27];
	int64_t		 min_time;	/* inclusive, ms */
	int64_t		 max_time;	/* exclusive, ms */
	uint64_t	 num_samples, num_series, num_chunks, num_tombstones;
	int		 level;		/* compaction.level */
	size_t		 nsources;	/* compaction.sources */
	/* Thanos' section; has_thanos is 0 for a plain Prometheus block. */
	int		 has_thanos;
	struct labels	 ext;		/* thanos.labels, sorted */
	int64_t		 resolution;	/* thanos.downsample.resolution */
	const char	*source;	/* thanos.source or NULL */
	struct json_t	*doc;
};

/* Parse meta.json bytes.  name is used in errors ("<name>: ulid: ...").
 * -1 with err set; m needs no release then. */
int	tsdb_meta_parse(struct tsdb_meta *m, const char *data, size_t len,
	    const char *name, char *err);
/* Read and parse <dir>/meta.json; the ULID must equal the directory's
 * last component when that is a ULID. */
int	tsdb_meta_read_dir(struct tsdb_meta *m, const char *dir, char *err);
void	tsdb_meta_release(struct tsdb_meta *m);

#endif
