/*
 * store: the blocks of a bucket, kept in sync and ready to query, as
 * Thanos' store gateway keeps them.
 *
 * A sync lists the bucket, opens blocks that appeared (meta.json present:
 * it is uploaded last) and drops blocks that vanished or got a
 * deletion-mark.json.  A block that fails to open is reported and skipped;
 * the rest are served.  Blocks of a directory bucket are read in place
 * (memory-mapped, no copies).  For an S3 bucket the index is downloaded
 * into the data dir and memory-mapped, and chunk segments are read by
 * ranged GETs through one page cache whose size bounds the memory they
 * take, however many blocks or series the bucket holds.
 *
 * Queries take a snapshot (store_acquire): an immutable, reference-counted
 * set of blocks, sorted by minTime, that a sync never changes under them.
 */
#ifndef BUCKET_STORE_H
#define BUCKET_STORE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "bucket/bucket.h"
#include "tsdb/block.h"
#include "tsdb/pagecache.h"

struct store_block {
	struct tsdb_block	 b;
	char			 ulid[27];
	atomic_int		 refs;
	struct store		*store;
	struct store_seg	*segs;		/* remote segments, or NULL */
	size_t			 nsegs;
	char			*index_copy;	/* downloaded index, or NULL */
};

struct store_set {
	struct store_block	**v;		/* sorted by minTime */
	size_t			 n;
	atomic_int		 refs;
};

/* Called for each block that fails to open during a sync. */
typedef void (*store_error_fn)(void *arg, const char *ulid, const char *err);

struct store {
	struct bucket		*bkt;		/* borrowed */
	char			*data_dir;
	struct pagecache	*pc;
	pthread_mutex_t		 mu;
	struct store_set	*cur;
	store_error_fn		 on_error;
	void			*arg;
	uint64_t		 syncs, sync_failures, load_failures;
};

/* cache_bytes bounds the chunk page cache (remote buckets only). */
int	store_init(struct store *s, struct bucket *bkt, const char *data_dir,
	    size_t cache_bytes, store_error_fn on_error, void *arg, char *err);
/* One sync.  -1 when the bucket could not be listed (the current set is
 * kept); blocks that fail to open go to on_error and are skipped. */
int	store_sync(struct store *s, char *err);
/* The current set, referenced; give it back with store_set_release.
 * Never NULL after store_init. */
struct store_set *store_acquire(struct store *s);
void	store_set_release(struct store_set *set);
void	store_release(struct store *s);

#endif
