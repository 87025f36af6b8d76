/*
 * pool: the memory of one query evaluation.
 *
 * Every block the evaluator allocates comes from the query's pool and is
 * linked into it, so that an evaluation that fails halfway, wherever it
 * fails, gives everything back with one pool_release.  Blocks can still
 * be freed or resized one by one, which the evaluator does as soon as it
 * is done with an intermediate result, so the pool holds what is live
 * and not everything ever made.  bytes counts what is held.  Not thread
 * safe: one pool, one evaluation.
 */
#ifndef PROMQL_POOL_H
#define PROMQL_POOL_H

#include <stddef.h>

struct pool_hdr;

struct pool {
	struct pool_hdr	*head;
	size_t		 bytes;
};

#define POOL_INIT	{ NULL, 0 }

/* NULL on ENOMEM (or n == 0 with nothing to give). */
void	*pool_alloc(struct pool *p, size_t n);
void	*pool_calloc(struct pool *p, size_t nmemb, size_t size);
/* Like realloc(3) for a block of this pool (or NULL); on failure the old
 * block is untouched and NULL returned. */
void	*pool_realloc(struct pool *p, void *ptr, size_t n);
/* Grow an array to hold at least need elements of size sz, doubling;
 * 0 or -1 on ENOMEM. */
int	 pool_grow(struct pool *p, void *arrayp, size_t *cap, size_t need,
	    size_t sz);
void	 pool_free(struct pool *p, void *ptr);
/* Free every block still held. */
void	 pool_release(struct pool *p);

#endif
