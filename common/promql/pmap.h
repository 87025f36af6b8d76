/*
 * pmap: a hash map from pointers to size_t, open addressing with linear
 * probing, memory from a query's pool.
 *
 * The evaluator keys almost everything by pointer: label sets are
 * interned (lset.h), so two series have the same labels exactly when
 * their label-set pointers are equal, and a grouping or matching
 * signature is itself an interned label set.  NULL is not a valid key.
 */
#ifndef PROMQL_PMAP_H
#define PROMQL_PMAP_H

#include <stddef.h>

#include "promql/pool.h"

struct pmap {
	struct pool	*pool;
	const void	**keys;
	size_t		*vals;
	size_t		 cap, n;
};

void	pmap_init(struct pmap *m, struct pool *pool);
/* Set k to v (insert or replace); -1 on ENOMEM. */
int	pmap_put(struct pmap *m, const void *k, size_t v);
/* 1 and *v when k is there, else 0. */
int	pmap_get(const struct pmap *m, const void *k, size_t *v);
/* Empty the map, keeping its memory. */
void	pmap_clear(struct pmap *m);
void	pmap_release(struct pmap *m);

#endif
