/*
 * pagecache: fixed-size pages of remote files, shared by every source
 * that uses it, least recently used out first, bounded in bytes.
 *
 * A remote chunk segment is read through it: a series' chunks lie next to
 * each other, and series are read in order, so one page fetched by one
 * ranged GET serves many chunk reads (the coalescing Thanos does with its
 * byte ranges, for free).  The bound holds whatever the bucket holds:
 * memory never grows with the number of blocks or series.  Thread-safe;
 * a fetch runs without the lock held, so a slow GET does not stall hits.
 */
#ifndef TSDB_PAGECACHE_H
#define TSDB_PAGECACHE_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

struct pagecache;

/* Fetch [off, off+len) of the file identified by ctx into out. */
typedef int (*pagecache_fetch_fn)(void *ctx, uint64_t off, size_t len,
    struct buf *out, char *err);

struct pagecache *pagecache_new(size_t max_bytes, size_t page_size);
void	pagecache_free(struct pagecache *pc);

/* Copy [off, off+len) of the file (id, size) into out (reset first),
 * fetching the missing pages, each run of them with one call.  id names
 * the file in the cache: unique per file for the life of the cache. */
int	pagecache_read(struct pagecache *pc, uint64_t id, uint64_t size,
	    uint64_t off, size_t len, pagecache_fetch_fn fetch, void *ctx,
	    struct buf *out, char *err);
/* Drop every page of file id (its block went away). */
void	pagecache_forget(struct pagecache *pc, uint64_t id);
/* A new id, never handed out before by this cache. */
uint64_t pagecache_new_id(struct pagecache *pc);

struct pagecache_stats {
	uint64_t	hits, misses, bytes, pages, evictions;
};
void	pagecache_stats(struct pagecache *pc, struct pagecache_stats *out);

#endif
