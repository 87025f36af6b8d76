/*
 * memstore: series held in memory, behind the storage interface the
 * engine reads through (promql.h).  For tests (the PromQL test runner)
 * and small tools: a select is a scan of every series.  Series are kept
 * sorted by labels; samples of a series in time order, a later sample
 * at a time already held replacing the earlier one.
 */
#ifndef PROMQL_MEMSTORE_H
#define PROMQL_MEMSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "promql/promql.h"

struct memstore {
	struct promql_series	*s;
	size_t			 n, cap;
};

#define MEMSTORE_INIT	{ NULL, 0, 0 }

/* Add n samples to the series with labels l (made if new).  -1 ENOMEM. */
int	memstore_add(struct memstore *m, const struct labels *l,
	    const int64_t *t, const double *v, size_t n);
/* Drop every series. */
void	memstore_clear(struct memstore *m);
/* The storage interface over m (m must outlive its use). */
struct promql_storage memstore_storage(struct memstore *m);

#endif
