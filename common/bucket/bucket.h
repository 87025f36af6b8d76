/*
 * bucket: one API over object stores (a local directory, S3), the way
 * Thanos' objstore.Bucket is one API over its providers.
 *
 * What always holds:
 * - Keys are relative to the bucket and its prefix: "01H.../meta.json".
 *   A key is 1..1024 bytes, has no NUL, no leading or trailing '/', no
 *   empty, "." or ".." segment; anything else is refused before any I/O,
 *   so a key can never climb out of a directory bucket.
 * - Every call returns 0 on success and a negative value on failure with
 *   one line in err: "OP BUCKET/KEY: why", e.g.
 *   "get s3://thanos/01H.../meta.json: not found".  The line names the
 *   operation, the bucket and the object, and never holds a secret key,
 *   a session token or a signature.
 * - BUCKET_NOTFOUND (-2) means the object does not exist (Thanos'
 *   IsObjNotFoundErr); -1 is every other failure.  A not-found is not
 *   counted as a failure in the stats.
 * - Writes are whole-object: readers see the old object or the new one,
 *   never a part (S3 by its nature, a directory bucket by rename).
 * - Listing yields names in ascending byte order, each once.
 * - Stats count operations, failures and bytes with atomic adds, so a
 *   server may read them while other threads use the bucket.  Otherwise a
 *   bucket holds no per-call state: several threads may call at once.
 *
 * The caller must have called http_init (net/http.h) before opening an S3
 * bucket, as for any libcurl use.
 */
#ifndef BUCKET_BUCKET_H
#define BUCKET_BUCKET_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/buf.h"
#include "base/errbuf.h"

#define BUCKET_NOTFOUND		(-2)
#define BUCKET_KEY_MAX		1024
#define BUCKET_TO_END		UINT64_MAX	/* range length: to the end */

/* Operations as Thanos labels them in thanos_objstore_bucket_*. */
enum bucket_op {
	BUCKET_OP_GET,		/* "get": a whole object */
	BUCKET_OP_GET_RANGE,	/* "get_range" */
	BUCKET_OP_EXISTS,	/* "exists" */
	BUCKET_OP_ATTRIBUTES,	/* "attributes": head */
	BUCKET_OP_UPLOAD,	/* "upload" */
	BUCKET_OP_DELETE,	/* "delete" */
	BUCKET_OP_ITER,		/* "iter": one whole listing */
	BUCKET_OP_N
};

struct bucket_stats {
	uint64_t	 ops[BUCKET_OP_N];	/* calls */
	uint64_t	 failures[BUCKET_OP_N];	/* -1 returns */
	uint64_t	 bytes[BUCKET_OP_N];	/* payload moved: fetched for
						   gets, sent for uploads */
};

struct bucket_attr {
	uint64_t	 size;
	time_t		 mtime;		/* last modified, 0 if unknown */
};

/* One name from a listing.  With a delimiter, a "directory" is a name
 * ending in the delimiter, with dir = 1 and size 0. */
struct bucket_entry {
	const char	*name;	/* relative to the bucket's prefix */
	uint64_t	 size;
	int		 dir;
};

/*
 * A listing calls fn once per name.  fn returns 0 to go on, or -1 with
 * its own line in err to stop: bucket_list then returns -1 with that
 * line untouched.
 */
typedef int (*bucket_list_fn)(void *arg, const struct bucket_entry *e,
    char err[ERR_MAX]);

/* What to upload: len bytes at data, or len bytes of fd from off. */
struct bucket_src {
	const void	*data;
	int		 fd;		/* -1 for data */
	uint64_t	 off;
	uint64_t	 len;
};

/* Where a download goes: appended to buf, or written to fd from 0. */
struct bucket_sink {
	struct buf	*buf;
	int		 fd;		/* -1 for buf; else a regular file */
};

struct bucket;

/*
 * A backend.  Keys arrive checked and with the prefix in front; err gets
 * only the "why" part (bucket.c adds "OP BUCKET/KEY: ").  get writes
 * bytes [off, off+len) (len may be BUCKET_TO_END) to the sink and says
 * how many in *got; list calls emit with full keys.
 */
struct bucket_ops {
	int	(*get)(struct bucket *b, const char *key, uint64_t off,
		    uint64_t len, const struct bucket_sink *sink,
		    uint64_t *got, char *err);
	int	(*head)(struct bucket *b, const char *key,
		    struct bucket_attr *attr, char *err);
	int	(*put)(struct bucket *b, const char *key,
		    const struct bucket_src *src, char *err);
	int	(*list)(struct bucket *b, const char *prefix, int delim,
		    bucket_list_fn emit, void *arg, char *err);
	int	(*del)(struct bucket *b, const char *key, char *err);
	void	(*free)(struct bucket *b);
	/* The local file holding key (a new string), for backends that
	 * have one; NULL if none. */
	char	*(*local_path)(struct bucket *b, const char *key);
};

struct bucket {
	const struct bucket_ops *ops;
	char		*url;		/* "s3://thanos/pfx", "file:///d"; for
					   errors, never with a secret */
	char		*prefix;	/* "" or "a/b": no '/' at either end */
	/* -1, or an fd that, once readable, cuts S3 transfers short (a
	 * signalfd on SIGTERM): the call fails with "aborted", and a
	 * multipart upload is still aborted on the server.  Local copies
	 * of a directory bucket run to their end. */
	int		 abort_fd;
	struct bucket_stats stats;
	void		*impl;		/* the backend's own */
};

/* Close the bucket and free it; NULL is fine. */
void	bucket_free(struct bucket *b);

/* Set the prefix every key is put under: surrounding slashes are dropped
 * (Thanos' prefix: "a/b/" = "a/b"); "" for none.  -1 with err for a
 * prefix that is not a valid key, or out of memory. */
int	bucket_set_prefix(struct bucket *b, const char *prefix,
	    char err[ERR_MAX]);

/* Upload len bytes at data as key, replacing any object there. */
int	bucket_put(struct bucket *b, const char *key, const void *data,
	    size_t len, char err[ERR_MAX]);

/* Upload the whole file at path as key, streaming it (never all in
 * memory): files of any size, multipart on S3 above its part size. */
int	bucket_put_file(struct bucket *b, const char *key, const char *path,
	    char err[ERR_MAX]);

/* Upload len bytes of the open fd from off (pread: fd's offset stays). */
int	bucket_put_fd(struct bucket *b, const char *key, int fd, uint64_t off,
	    uint64_t len, char err[ERR_MAX]);

/* Replace out's contents with the whole object.  An object over out->max
 * bytes fails with -1 and a line saying so (out then holds nothing). */
int	bucket_get(struct bucket *b, const char *key, struct buf *out,
	    char err[ERR_MAX]);

/* Replace out's contents with bytes [off, off+len) of the object; len
 * may be BUCKET_TO_END.  A range running past the end is cut at the end;
 * one starting past the end is an error; len 0 gives "" at once. */
int	bucket_get_range(struct bucket *b, const char *key, uint64_t off,
	    uint64_t len, struct buf *out, char err[ERR_MAX]);

/* Download the object to path atomically (temporary file in path's
 * directory, fsync, rename): path is the whole object or untouched. */
int	bucket_get_file(struct bucket *b, const char *key, const char *path,
	    char err[ERR_MAX]);

/* Size and mtime of the object; BUCKET_NOTFOUND if it is absent. */
int	bucket_head(struct bucket *b, const char *key,
	    struct bucket_attr *attr, char err[ERR_MAX]);

/* 1 if the object exists, 0 if not, -1 on failure. */
int	bucket_exists(struct bucket *b, const char *key, char err[ERR_MAX]);

/*
 * Call fn for every object whose key starts with prefix ("" for all),
 * across all pages.  delim '/' folds everything past the next '/' after
 * the prefix into one "dir/" entry (Thanos' Iter); 0 lists every object
 * (recursive).  Only '/' and 0 are taken.  Names are relative to the
 * bucket's prefix, so "01H.../chunks/000001", not "pfx/01H...".
 * A prefix naming a "directory" should end in '/': "01H" also matches
 * "01HX...".
 */
int	bucket_list(struct bucket *b, const char *prefix, int delim,
	    bucket_list_fn fn, void *arg, char err[ERR_MAX]);

/* Remove the object.  Removing one that is not there succeeds, as on
 * S3, so a retried delete is harmless. */
int	bucket_delete(struct bucket *b, const char *key, char err[ERR_MAX]);

/* Thanos' label for op: "get", "get_range", ... */
/* The local file that holds key, as a new string, when the bucket is a
 * directory bucket: readers may then map it in place instead of copying.
 * NULL for other buckets (or ENOMEM, or a bad key). */
char	*bucket_local_path(struct bucket *b, const char *key);

const char *bucket_op_name(enum bucket_op op);

/* A snapshot of the counters (each read atomically). */
void	bucket_stats_read(struct bucket *b, struct bucket_stats *out);

/*
 * For backends: a new bucket with ops, url (copied) and impl; NULL when
 * out of memory (impl is then not freed).  And the key check every call
 * goes through: 0, or -1 with why in err.
 */
struct bucket *bucket_new(const struct bucket_ops *ops, const char *url,
	    void *impl);
int	bucket_key_check(const char *key, char err[ERR_MAX]);

#endif
