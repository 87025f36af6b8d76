/*
 * export: the series of a block query as series lines, one at a time, for
 * store-serve --once and /api/v1/export.
 *
 * In the chunks form, chunks are passed through as stored when the
 * series' parts do not overlap in time and no tombstone touches them
 * (whole chunks, as Thanos' store returns them, so they may hold samples
 * just outside the query range); otherwise the merged samples are
 * re-encoded, 120 to a chunk as Prometheus cuts them.
 */
#ifndef SERIES_EXPORT_H
#define SERIES_EXPORT_H

#include "base/buf.h"
#include "tsdb/query.h"

enum export_format { EXPORT_VALUES, EXPORT_CHUNKS };

struct export {
	struct tsdb_query	*q;		/* borrowed, open */
	enum export_format	 format;
	struct tsdb_samples	 smp;		/* scratch */
	struct buf		 chunk;		/* scratch */
};

void	export_init(struct export *x, struct tsdb_query *q,
	    enum export_format f);
/* Append the next series' line to out: 1, or 0 at the end, -1 on error.
 * A series whose samples were all deleted is skipped. */
int	export_next(struct export *x, struct buf *out, char *err);
void	export_release(struct export *x);

#endif
