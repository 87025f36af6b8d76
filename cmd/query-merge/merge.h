/*
 * merge: fetched series into the answer.  Series are grouped by their
 * labels without the replica labels (with dedup) or by all their labels
 * (without); inside a group, series with the same replica labels (one
 * series from two stores: a Prometheus and the bucket it shipped to) are
 * merged by timestamp, each sample once, and then the replicas are
 * deduplicated by series/dedup's function.  Groups come out in label
 * order, the replica labels removed.
 */
#ifndef QM_MERGE_H
#define QM_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "base/labels.h"
#include "series/dedup.h"
#include "fetch.h"

typedef int (*merge_emit_fn)(void *arg, unsigned query,
    const struct labels *l, const int64_t *t, const double *v, size_t n);

struct merge_opts {
	int			 dedup;
	enum dedup_func		 func;
	const char *const	*replica;	/* replica label names */
	size_t			 nreplica;
	int			 by_query;	/* keep queries apart */
	/* Per query (by_query) or for all (counter[0]): deduplicated
	 * counters made free of false resets (series/counter.h). */
	const int		*counter;
	size_t			 ncounter;
};

/* Emit every group of f.  -1 on ENOMEM or when emit fails. */
int	merge_run(const struct merge_opts *o, struct fetch *f,
	    merge_emit_fn emit, void *arg);

#endif
