/*
 * source: the bytes of one file of a block, read by range.
 *
 * The block readers (index, chunks) never assume a whole file is in
 * memory: they ask for [off, off+len) and get a pointer to exactly those
 * bytes.  A local file is memory-mapped, so a read is a pointer into the
 * map and costs nothing; a remote object (store-serve over S3) supplies a
 * read callback that fetches the range into the caller's scratch buffer.
 * Every read is bounds-checked against size first: a reference past the
 * end of the file is an error naming the file and offset, never a read.
 */
#ifndef TSDB_SOURCE_H
#define TSDB_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

struct tsdb_source {
	char		*name;		/* owned; for errors */
	uint64_t	 size;
	const unsigned char *map;	/* the whole file, or NULL */
	size_t		 maplen;
	/* For sources without a map: fill scratch with the range. */
	int		(*read)(void *ctx, uint64_t off, size_t len,
			    struct buf *scratch, char *err);
	void		*ctx;
};

/* Map the file at path read-only.  An empty file is fine (size 0). */
int	tsdb_source_open_file(struct tsdb_source *s, const char *path,
	    char *err);
/* A source over a callback; name is copied. */
int	tsdb_source_open_func(struct tsdb_source *s, const char *name,
	    uint64_t size, int (*read)(void *, uint64_t, size_t, struct buf *,
	    char *), void *ctx, char *err);

/* Pointer to len bytes at off: into the map, or into scratch (valid until
 * scratch is next used).  NULL with err set if the range is not inside
 * the file or the fetch fails. */
const unsigned char *tsdb_source_read(struct tsdb_source *s, uint64_t off,
	    size_t len, struct buf *scratch, char *err);

void	tsdb_source_close(struct tsdb_source *s);

#endif
