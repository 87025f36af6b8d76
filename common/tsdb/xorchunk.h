/*
 * xorchunk: Prometheus' XOR ("Gorilla") float chunk, encoding byte 1 in a
 * chunk record, bit for bit as Prometheus 2.42 reads and writes it
 * (docs: prometheus-formats.md section 4).
 *
 * A chunk is a BE16 sample count, then a bit stream: the first timestamp
 * as a varint and the first value as 64 raw bits, the second timestamp as
 * a uvarint delta, then delta-of-delta timestamps in classes of 0, 14, 17,
 * 20 and 64 bits, and each value as the XOR with the previous one, coded
 * by its leading and trailing zero bits.
 *
 * Invariants: values are carried as their 64 raw bits end to end, so NaN
 * payloads (the stale marker 0x7FF0000000000002, Go's NaN
 * 0x7FF8000000000001) and -0.0 survive exactly.  Timestamps are int64
 * milliseconds with Go's wrap-around arithmetic; they need not increase.
 * The iterator never reads outside [data, data + len) whatever the bytes,
 * never allocates, and stops after exactly the header's count, ignoring
 * what follows (2.42 sometimes leaves one extra 0x00 byte).  The encoder
 * writes the bytes 2.42 writes for the same samples, that extra byte
 * included.
 */
#ifndef TSDB_XORCHUNK_H
#define TSDB_XORCHUNK_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

#define XOR_ENCODING	1	/* the chunk record's encoding byte */
#define XOR_MAX_SAMPLES	65535	/* the BE16 header's limit */

/*
 * Decoding.  After xor_iter_next returns 1, t, v and vbits hold the
 * sample (v and vbits are the same 64 bits; compare vbits to tell NaNs
 * apart).  After -1, err says what was wrong and n how many samples were
 * read before it; the iterator then stays at -1.  The rest is private.
 */
struct xor_iter {
	int64_t			 t;	/* current timestamp, ms */
	double			 v;	/* current value */
	uint64_t		 vbits;	/* current value's bits */
	unsigned		 n;	/* samples read so far */
	const char		*err;	/* static text, NULL unless failed */

	const unsigned char	*p;	/* next byte not yet in bits */
	const unsigned char	*end;
	uint64_t		 bits;	/* unread bits, top-aligned */
	unsigned		 nbits;	/* how many of them are valid */
	unsigned		 total;	/* the header's sample count */
	uint64_t		 tdelta;	/* last timestamp delta */
	unsigned		 leading;	/* the current XOR window */
	unsigned		 trailing;
};

/* Start reading the chunk data (after the encoding byte) of len bytes at
 * data, which must stay valid while the iterator is used.  Cannot fail:
 * a chunk too short for its header is reported by the first next. */
void	xor_iter_init(struct xor_iter *it, const void *data, size_t len);

/* Step to the next sample: 1 and the sample in t/v/vbits, 0 after the
 * last one, -1 if the chunk is corrupt or truncated (it->err).  Corrupt
 * means: shorter than the header, ending inside a sample, a varint over
 * 64 bits, or a value window wider than 64 bits.  Like Go, a chunk that
 * reuses a value window before setting one reads 64 bits (window 0/0). */
int	xor_iter_next(struct xor_iter *it);

/* Go's Seek: step forward until a sample at or after t (the current one
 * counts if it qualifies and one has been read): 1 there, 0 if no sample
 * is left, -1 if corrupt.  Never moves backwards. */
int	xor_iter_seek(struct xor_iter *it, int64_t t);

/* The header's sample count, or -1 if len < 2. */
int	xor_chunk_count(const void *data, size_t len);

/*
 * Encoding, into a caller's buf: the chunk starts at the buf's length at
 * xor_enc_init, and the encoder owns the buf's tail from there until it is
 * done: nothing else may be appended in between.  The rest is private.
 */
struct xor_enc {
	struct buf	*out;
	size_t		 start;	/* the chunk's first byte in out */
	size_t		 whole;	/* out->len after the last complete byte */
	unsigned	 n;	/* samples added */
	uint64_t	 acc;	/* bits not yet a whole byte, low-aligned */
	unsigned	 nacc;	/* how many: 0..7 */
	int		 pad;	/* 2.42's extra byte is due (see .c) */
	int64_t		 t;	/* the last sample */
	uint64_t	 vbits;
	uint64_t	 tdelta;
	unsigned	 leading;	/* 0xff until the first window */
	unsigned	 trailing;
};

/* Start an empty chunk at the end of out. */
void	xor_enc_init(struct xor_enc *e, struct buf *out);

/* Append a sample.  -1 and errno ERANGE if the chunk already holds
 * XOR_MAX_SAMPLES, or buf's errno (ENOBUFS past its cap, ENOMEM); the
 * samples are then those before the call and the encoder is still usable,
 * but bytes an earlier xor_enc_finish added may be gone: finish again. */
int	xor_enc_add(struct xor_enc *e, int64_t t, double v);

/* The same with the value given as its 64 bits, so that a signalling NaN
 * never passes through a floating-point register. */
int	xor_enc_add_bits(struct xor_enc *e, int64_t t, uint64_t vbits);

/* Complete the chunk: the last partial byte and 2.42's extra byte go into
 * out, and the chunk is returned with its length in *len; the pointer is
 * into out->data, valid until out changes.  An empty chunk is 2 bytes,
 * 00 00.  More samples may still be added (they replace those last bytes),
 * then xor_enc_finish called again.  NULL and buf's errno on failure. */
const unsigned char *xor_enc_finish(struct xor_enc *e, size_t *len);

#endif
