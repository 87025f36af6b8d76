/*
 * dec: read fixed-width big-endian integers, Go varints and length-prefixed
 * strings from a byte range that may be hostile, and write them (enc_*).
 *
 * Every Prometheus file (index, chunks, tombstones) and wire format is
 * built from these few encodings; one bounded reader keeps all their
 * parsers from reading out of bounds.
 *
 * Invariants: p <= end always, and no read looks at a byte at or past end.
 * err is sticky: the first read that runs out of bytes or meets an
 * over-long varint sets it (DEC_ETRUNC, DEC_EOVERFLOW), moves p to end,
 * and returns 0 (NULL for pointers); every later read also returns 0 and
 * leaves err as it was.  So a parser may read a whole structure and check
 * err once at the end.  Nothing here allocates; returned pointers point
 * into the caller's bytes.
 */
#ifndef BASE_DEC_H
#define BASE_DEC_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

#define DEC_ETRUNC	1	/* the input ends inside a value */
#define DEC_EOVERFLOW	2	/* a varint longer than 10 bytes or > 2^64-1 */

#define ENC_UVARINT_MAX	10	/* longest uvarint of a uint64_t */

struct dec {
	const unsigned char	*p;	/* next unread byte */
	const unsigned char	*end;	/* one past the last readable byte */
	int			 err;	/* 0, DEC_ETRUNC or DEC_EOVERFLOW */
};

/* Read the n bytes at p (p may be NULL when n is 0).  The bytes are
 * borrowed and must outlive every pointer read from them. */
void		 dec_init(struct dec *d, const void *p, size_t n);

/* One byte, 0 on error. */
unsigned	 dec_byte(struct dec *d);

/* Big-endian unsigned integers of 2, 4 and 8 bytes; 0 on error. */
uint16_t	 dec_be16(struct dec *d);
uint32_t	 dec_be32(struct dec *d);
uint64_t	 dec_be64(struct dec *d);

/* Go's binary.Uvarint (LEB128, low group first): at most 10 bytes, the
 * 10th at most 1; anything longer or larger is DEC_EOVERFLOW.  Encodings
 * with redundant zero groups (0x80 0x00) are accepted, as Go does. */
uint64_t	 dec_uvarint(struct dec *d);

/* Go's binary.Varint: a zig-zag uvarint (0, -1, 1, -2, ... as 0, 1, 2,
 * 3, ...). */
int64_t		 dec_varint(struct dec *d);

/* The next n bytes, borrowed from the input; NULL on error.  n == 0
 * gives the current position, which is not NULL unless err is set or the
 * input was NULL. */
const unsigned char *dec_bytes(struct dec *d, size_t n);

/* A uvarint length then that many bytes (Prometheus' "ustr"): returns
 * the bytes and stores their count in *len; NULL and *len = 0 on error.
 * The bytes are not NUL-terminated. */
const unsigned char *dec_uvarint_str(struct dec *d, size_t *len);

/* Step over n bytes; past the end is DEC_ETRUNC. */
void		 dec_skip(struct dec *d, size_t n);

/* Bytes left to read (0 once err is set). */
size_t		 dec_remaining(const struct dec *d);

/* A lowercase phrase for d->err ("truncated", ...), "" when it is 0: for
 * the caller's error line. */
const char	*dec_strerror(const struct dec *d);

/*
 * Encoders: append to b in the same formats.  0, or -1 with errno ENOBUFS
 * (past the buffer's cap) or ENOMEM, the buffer then unchanged.
 */
int		 enc_byte(struct buf *b, unsigned x);
int		 enc_be16(struct buf *b, uint16_t x);
int		 enc_be32(struct buf *b, uint32_t x);
int		 enc_be64(struct buf *b, uint64_t x);
int		 enc_uvarint(struct buf *b, uint64_t x);
int		 enc_varint(struct buf *b, int64_t x);

/* Write the uvarint of x into out, which has room for ENC_UVARINT_MAX
 * bytes; return how many bytes it took (1..10).  For encoders that fill
 * their own byte arrays. */
size_t		 enc_uvarint_put(unsigned char *out, uint64_t x);

/* Zig-zag: the uint64_t whose uvarint is the varint of x, and back. */
uint64_t	 enc_zigzag(int64_t x);
int64_t		 dec_unzigzag(uint64_t ux);

#endif
