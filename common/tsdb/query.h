/*
 * query: the series of a set of blocks that match a selector, in label
 * order, each series once, with its samples from every block merged.
 *
 * This is what "promtool tsdb dump" prints and what a store answers.
 * Each block's external labels (thanos.labels) are added to its series,
 * replacing same-name series labels as Thanos does; a matcher on an
 * external label is decided per block (the block is skipped, or the
 * matcher is satisfied) before the index is asked.  Several selectors
 * select their union, like repeated match[] parameters.
 *
 * Memory: the matching series of each block are listed (labels and chunk
 * metas, not samples) when the query opens; samples are decoded one
 * series at a time.  Blocks must be given in minTime order: when blocks
 * overlap and hold the same timestamp, the earlier block's sample wins.
 */
#ifndef TSDB_QUERY_H
#define TSDB_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/labels.h"
#include "tsdb/block.h"
#include "tsdb/matcher.h"

struct tsdb_selector {
	struct matcher	*m;
	size_t		 n;
};

/* One series' chunk metas in one block. */
struct tsdb_part {
	struct tsdb_block	*b;
	uint32_t		 ref;
	struct tsdb_chunk_meta	*chunks;	/* owned */
	size_t			 nchunks;
};

/* One block's matching series, sorted by final labels. */
struct tsdb_qblock {
	struct tsdb_block	*b;
	struct tsdb_qentry {
		struct labels	 labels;	/* final: external labels in */
		struct tsdb_part part;
	}			*e;
	size_t			 n, pos;
};

struct tsdb_qseries {
	const struct labels	*labels;
	struct tsdb_part	*parts;		/* in block order */
	size_t			 nparts, cap;
};

struct tsdb_samples {
	int64_t		*t;
	double		*v;		/* bits as stored, NaNs included */
	size_t		 n, cap;
};

struct tsdb_query {
	struct tsdb_qblock	*qb;
	size_t			 nqb;
	int64_t			 mint, maxt;	/* closed range */
	struct tsdb_qseries	 cur;
	struct buf		 scratch;
};

/* Select from n blocks (sorted by minTime) the series matching any
 * selector, with chunks overlapping [mint, maxt]. */
int	tsdb_query_open(struct tsdb_query *q, struct tsdb_block **blocks,
	    size_t n, const struct tsdb_selector *sel, size_t nsel,
	    int64_t mint, int64_t maxt, char *err);
/* The next series: 1 and *out set (valid until the next call), 0 at the
 * end, -1 on error. */
int	tsdb_query_next(struct tsdb_query *q, const struct tsdb_qseries **out,
	    char *err);
/* Its samples within [mint, maxt], tombstones applied, time-ordered,
 * one per timestamp.  out is reset first. */
int	tsdb_query_samples(struct tsdb_query *q, const struct tsdb_qseries *s,
	    struct tsdb_samples *out, char *err);
/* Do the parts' chunks need re-encoding to be served as raw chunks?
 * 0 when they are disjoint in time and no tombstone touches them. */
int	tsdb_qseries_needs_merge(const struct tsdb_qseries *s);
void	tsdb_query_close(struct tsdb_query *q);

void	tsdb_samples_release(struct tsdb_samples *s);

#endif
