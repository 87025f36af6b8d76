/*
 * Fuzz the STREAMED_XOR_CHUNKS frame reader with arbitrary bytes, fed in
 * pieces of varying size.  Every frame read must go through the frame
 * writer and back unchanged (labels, chunks, query index), its chunks
 * are run through the XOR decoder, and the reader must end in exactly
 * one of: all read, truncated, or failed.  Under ASan any read outside
 * the input is a crash.
 *
 * An input starting with 'M' is a list of messages, each a length byte
 * and that many bytes: they are framed here with correct sizes and CRCs,
 * so the fuzzer reaches the protobuf decoder without forging CRC32Cs.
 * Anything else is a response body as a client gets it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/crc32c.h"
#include "base/dec.h"
#include "base/errbuf.h"
#include "net/remote.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Small, so the size cap is reached too. */
#define MAX_FRAME	4096

static void
same_series(const struct remote_series *a, const struct remote_series *b)
{
	if (labels_compare(&a->labels, &b->labels) != 0 ||
	    a->nchunks != b->nchunks)
		abort();
	for (size_t i = 0; i < a->nchunks; i++) {
		const struct remote_chunk *x = &a->chunks[i];
		const struct remote_chunk *y = &b->chunks[i];

		if (x->mint != y->mint || x->maxt != y->maxt ||
		    x->encoding != y->encoding || x->len != y->len ||
		    memcmp(x->data, y->data, x->len) != 0)
			abort();
	}
}

/* Write the frame's series again (one frame each: the budget is big) and
 * read them back. */
static void
round_trip(const struct remote_frame *f)
{
	struct buf out = BUF_INIT(BUF_NOMAX);
	struct remote_frame_enc e;
	struct remote_frame_dec d;
	struct remote_frame g;
	char err[ERR_MAX];
	size_t k = 0;
	int r;

	remote_frame_enc_init(&e, &out, (size_t)1 << 30);
	for (size_t i = 0; i < f->nseries; i++) {
		const struct remote_series *s = &f->series[i];

		if (remote_frame_enc_series(&e, f->query_index, &s->labels) ==
		    -1)
			abort();
		for (size_t j = 0; j < s->nchunks; j++)
			if (remote_frame_enc_chunk(&e, s->chunks[j].mint,
			    s->chunks[j].maxt, s->chunks[j].encoding,
			    s->chunks[j].data, s->chunks[j].len) == -1)
				abort();
	}
	if (remote_frame_enc_end(&e) == -1)
		abort();
	remote_frame_enc_release(&e);

	remote_frame_dec_init(&d, 0);
	if (remote_frame_dec_feed(&d, out.data, out.len) == -1)
		abort();
	while ((r = remote_frame_dec_next(&d, &g, err)) == 1) {
		if (g.nseries != 1 || g.query_index != f->query_index)
			abort();
		/* Series without chunks are not sent. */
		while (k < f->nseries && f->series[k].nchunks == 0)
			k++;
		if (k >= f->nseries)
			abort();
		same_series(&f->series[k++], &g.series[0]);
	}
	while (k < f->nseries && f->series[k].nchunks == 0)
		k++;
	if (r != 0 || k != f->nseries || remote_frame_dec_finish(&d, err) != 0)
		abort();
	remote_frame_dec_release(&d);
	buf_release(&out);
}

static void
check_frame(const struct remote_frame *f)
{
	struct remote_points p = REMOTE_POINTS_INIT;
	char err[ERR_MAX];

	for (size_t i = 0; i < f->nseries; i++) {
		remote_points_reset(&p);
		if (remote_points_add_chunks(&p, f->series[i].chunks,
		    f->series[i].nchunks, INT64_MIN, INT64_MAX, err) == 0 &&
		    remote_points_finish(&p) == 0)
			for (size_t j = 1; j < p.n; j++)
				if (p.t[j] <= p.t[j - 1])
					abort();
	}
	remote_points_release(&p);
	round_trip(f);
}

static void
read_stream(const unsigned char *p, size_t n)
{
	struct remote_frame_dec d;
	struct remote_frame f;
	char err[ERR_MAX];
	size_t off = 0, piece = 1;
	int r = 0;

	remote_frame_dec_init(&d, MAX_FRAME);
	while (off < n && r >= 0) {
		size_t k = piece < n - off ? piece : n - off;

		if (remote_frame_dec_feed(&d, p + off, k) == -1)
			abort();
		off += k;
		piece = piece % 13 + 1;
		while ((r = remote_frame_dec_next(&d, &f, err)) == 1)
			check_frame(&f);
		if (r < 0 && (err[0] == '\0' || strchr(err, '\n')))
			abort();
	}
	r = r < 0 ? r : remote_frame_dec_finish(&d, err);
	if (r != 0 && r != REMOTE_EBAD)
		abort();
	remote_frame_dec_release(&d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf s = BUF_INIT(BUF_NOMAX);
	struct dec in;

	if (size == 0 || data[0] != 'M') {
		read_stream(data, size);
		return 0;
	}
	dec_init(&in, data + 1, size - 1);
	while (dec_remaining(&in) > 0) {
		size_t len = dec_byte(&in);
		const unsigned char *msg;

		if (len > dec_remaining(&in))
			len = dec_remaining(&in);
		msg = dec_bytes(&in, len);
		enc_uvarint(&s, len);
		enc_be32(&s, crc32c(msg, len));
		buf_add(&s, msg, len);
	}
	read_stream((const unsigned char *)s.data, s.len);
	buf_release(&s);
	return 0;
}
