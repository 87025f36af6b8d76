/*
 * chunks: a block's chunk segment files (chunks/000001, ...), read through
 * tsdb_sources.
 *
 * A chunk reference is the 0-based segment index in the high 32 bits and
 * the byte offset of the record in the low 32.  Each record is checked
 * before its bytes are handed out: inside its file, a known encoding, and
 * the CRC over encoding byte and data.  Read-only after open; concurrent
 * reads need their own scratch buffers.
 */
#ifndef TSDB_CHUNKS_H
#define TSDB_CHUNKS_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "tsdb/source.h"

#define TSDB_CHUNK_XOR	1

/* Chunk bytes read from a mapped block between two releases of its
 * pages from the resident set (see tsdb_chunks_get). */
#define TSDB_CHUNKS_RESIDENT	((uint64_t)1 << 20)

struct tsdb_chunks {
	struct tsdb_source *seg;	/* owned array */
	size_t		 nseg;
	uint64_t	 served;	/* bytes read, atomically */
};

struct tsdb_chunk {
	unsigned		 encoding;
	const unsigned char	*data;	/* valid until scratch is reused */
	size_t			 len;
};

/* Open every segment file in dir (names of 6 digits, in order, starting
 * at 000001, no gaps) and check their headers. */
int	tsdb_chunks_open_dir(struct tsdb_chunks *c, const char *dir,
	    char *err);
/* Take over n already opened sources (remote segments) and check them. */
int	tsdb_chunks_open_sources(struct tsdb_chunks *c,
	    struct tsdb_source *seg, size_t n, char *err);
void	tsdb_chunks_close(struct tsdb_chunks *c);

int	tsdb_chunks_get(struct tsdb_chunks *c, uint64_t ref,
	    struct tsdb_chunk *out, struct buf *scratch, char *err);

#endif
