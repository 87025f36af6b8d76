/*
 * Fuzz the XOR chunk decoder with arbitrary bytes.  Whatever decodes must
 * re-encode to a chunk that decodes to the same samples, bit for bit, and
 * seeking must land where a linear scan says.  Under ASan, any read
 * outside the input is a crash.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "tsdb/xorchunk.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int64_t	 ts[XOR_MAX_SAMPLES];
static uint64_t	 vs[XOR_MAX_SAMPLES];

/* Decode and re-encode; returns how many samples decoded. */
static size_t
decode_all(const uint8_t *data, size_t size)
{
	struct xor_iter it;
	size_t n = 0;
	int r;

	xor_iter_init(&it, data, size);
	while ((r = xor_iter_next(&it)) == 1) {
		if (n >= XOR_MAX_SAMPLES || n >= (size_t)xor_chunk_count(data,
		    size))
			abort();
		ts[n] = it.t;
		vs[n] = it.vbits;
		n++;
	}
	if ((r == -1) != (it.err != NULL) || it.n != n)
		abort();
	if (r == 0 && (int)n != xor_chunk_count(data, size))
		abort();
	return n;
}

static void
check_round_trip(size_t n)
{
	struct buf b = BUF_INIT(BUF_NOMAX);
	const unsigned char *p;
	struct xor_enc e;
	struct xor_iter it;
	size_t i, len;

	xor_enc_init(&e, &b);
	for (i = 0; i < n; i++)
		if (xor_enc_add_bits(&e, ts[i], vs[i]) == -1)
			abort();
	if ((p = xor_enc_finish(&e, &len)) == NULL)
		abort();
	xor_iter_init(&it, p, len);
	for (i = 0; i < n; i++)
		if (xor_iter_next(&it) != 1 || it.t != ts[i] ||
		    it.vbits != vs[i])
			abort();
	if (xor_iter_next(&it) != 0)
		abort();
	buf_release(&b);
}

/* Seek to one decoded sample's time: the iterator must stop at the first
 * sample with t >= target, as a scan over what was decoded says. */
static void
check_seek(const uint8_t *data, size_t size, size_t n)
{
	struct xor_iter it;
	int64_t target;
	size_t want;

	if (n == 0)
		return;
	target = ts[data[size - 1] % n];
	for (want = 0; ts[want] < target; want++)
		;
	xor_iter_init(&it, data, size);
	if (xor_iter_seek(&it, target) != 1 || it.n != want + 1 ||
	    it.t != ts[want] || it.vbits != vs[want])
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n;

	n = decode_all(data, size);
	check_round_trip(n);
	check_seek(data, size, n);
	return 0;
}
