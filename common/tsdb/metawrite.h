/*
 * metawrite: a block's meta.json with Thanos' "thanos" section, written
 * byte for byte as Thanos writes it (pkg/block/metadata Meta.Write: Go's
 * json.Encoder with a tab indent), so a bucket filled by block-upload
 * cannot be told from one filled by a Thanos sidecar.
 *
 * What always holds: the Prometheus part is re-encoded from the parsed
 * meta (tsdb/meta.h) through the fields Thanos' vendored Prometheus
 * knows, in their Go order (ulid, minTime, maxTime, stats, compaction,
 * version), so unknown fields are dropped as Thanos drops them; zero
 * stats and empty or false compaction fields are left out as Go's
 * omitempty leaves them out.  Strings are escaped as Go escapes them
 * (<, >, & as \u003c \u003e \u0026, control bytes as \u00XX, bad UTF-8
 * as \ufffd), label names are sorted by bytes, and the document ends in
 * a newline.  Nothing here does I/O.
 */
#ifndef TSDB_METAWRITE_H
#define TSDB_METAWRITE_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "base/labels.h"
#include "tsdb/meta.h"

/* thanos.source of what a sidecar uploads. */
#define METAWRITE_SOURCE_SIDECAR	"sidecar"

/* One entry of thanos.files; size -1 for none (meta.json has none). */
struct metawrite_file {
	const char	*rel_path;	/* "chunks/000001", "index" */
	int64_t		 size;
};

/* The thanos section; everything borrowed. */
struct metawrite_thanos {
	const struct labels	*labels;	/* sorted, not empty */
	int64_t			 resolution;	/* ms: 0 */
	const char		*source;	/* "sidecar" */
	/* Names in chunks/, sorted: the deprecated segment_files. */
	const char *const	*segments;
	size_t			 nsegments;
	/* Sorted by rel_path bytes. */
	const struct metawrite_file *files;
	size_t			 nfiles;
};

/*
 * Append to out the meta.json of the block m with the thanos section t,
 * any thanos section m had replaced.  -1 with err when m's document has
 * a compaction field of the wrong type (m->doc is read for the sources,
 * parents and hints tsdb_meta does not keep), or memory runs out.
 */
int	tsdb_metawrite_thanos(const struct tsdb_meta *m,
	    const struct metawrite_thanos *t, struct buf *out,
	    char err[ERR_MAX]);

/* Append s (n bytes) to out as a JSON string the way Go's encoding/json
 * writes it, quotes included.  -1 with errno (ENOMEM, ENOBUFS). */
int	tsdb_metawrite_string(struct buf *out, const char *s, size_t n);

#endif
