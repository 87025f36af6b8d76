/*
 * query: the one path every answer takes: pick the stores that can hold
 * the selectors' data, fetch from all of them at once, merge and
 * deduplicate, hand each resulting series to a callback.  Shared by the
 * HTTP API and --once, so both give the same series.
 */
#ifndef QM_QUERY_H
#define QM_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "merge.h"
#include "stores.h"

#define QM_MAX_REPLICA	16

struct qm {
	struct stores	 stores;
	const char	*replica[QM_MAX_REPLICA];	/* --query.replica-label */
	size_t		 nreplica;
	enum dedup_func	 func;
	int		 partial;	/* --query.partial-response */
	long		 store_timeout_ms;	/* 0: none beyond the query's */
	int64_t		 query_timeout_ms;
	int64_t		 lookback_ms;
	uint64_t	 max_samples;
};

/* What one request asks beyond the selectors. */
struct qopts {
	int		 dedup;
	int		 partial;
	const char	*replica[QM_MAX_REPLICA];
	size_t		 nreplica;
	int		 by_query;
};

void	qopts_default(const struct qm *qm, struct qopts *o);

/* Warnings collected on the way (one line each, owned). */
struct qwarn {
	char	**line;
	size_t	  n;
};

void	qwarn_release(struct qwarn *w);

/* Does function f read a counter's increases (rate, increase, irate,
 * resets)?  Its selectors get counters free of false resets. */
int	qm_counter_func(const char *f);

/*
 * Run sel over the stores and emit the merged series.  -1 with err: out
 * of memory (QM_ESYS), or a store failed with partial responses off
 * (QM_ESTORE; the failure in err).
 */
#define QM_ESYS		(-1)
#define QM_ESTORE	(-2)
int	qm_select(struct qm *qm, const struct qopts *o,
	    const struct fetch_sel *sel, size_t nsel, merge_emit_fn emit,
	    void *arg, struct qwarn *w, char *err);

#endif
