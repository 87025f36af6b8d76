/*
 * Fuzz struct dec: run the input as a little program of reads over
 * itself and check the invariants dec.h promises: p never leaves
 * [start, end], an error sticks and zeroes every later read, and a
 * canonical varint re-encodes to the bytes it was read from.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/dec.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The uvarint just read from [from, to) re-encodes to those bytes when
 * the encoding had no redundant zero groups. */
static void
check_uvarint(const unsigned char *from, const unsigned char *to,
    uint64_t x)
{
	unsigned char out[ENC_UVARINT_MAX];
	size_t n = enc_uvarint_put(out, x), got = (size_t)(to - from);

	if (n > got || (to[-1] != 0 || got == 1) != (n == got))
		abort();
	if (n == got && memcmp(out, from, n) != 0)
		abort();
}

static void
step(struct dec *d, unsigned op)
{
	const unsigned char *before = d->p, *s;
	int err = d->err;
	uint64_t x = 0;
	size_t len;

	switch (op % 9) {
	case 0:
		x = dec_byte(d);
		break;
	case 1:
		x = dec_be16(d);
		break;
	case 2:
		x = dec_be32(d);
		break;
	case 3:
		x = dec_be64(d);
		break;
	case 4:
		x = dec_uvarint(d);
		if (!d->err)
			check_uvarint(before, d->p, x);
		break;
	case 5:
		x = (uint64_t)dec_varint(d);
		break;
	case 6:
		s = dec_uvarint_str(d, &len);
		if (!d->err && (s == NULL || s + len != d->p))
			abort();
		if (d->err && (s != NULL || len != 0))
			abort();
		break;
	case 7:
		s = dec_bytes(d, op >> 4);
		if (!d->err && s != before)
			abort();
		break;
	default:
		dec_skip(d, op >> 4);
		break;
	}
	if (err && (d->err != err || x != 0))
		abort();
	if (d->err && (d->p != d->end || dec_remaining(d) != 0))
		abort();
	if (d->p < before)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dec d, ops;
	const unsigned char *start;

	/* The first half drives, the second is read: ops never move the
	 * bytes being decoded. */
	dec_init(&ops, data, size / 2);
	dec_init(&d, data + size / 2, size - size / 2);
	start = d.p;
	while (dec_remaining(&ops) > 0) {
		step(&d, dec_byte(&ops));
		if (d.p < start || d.p > d.end)
			abort();
	}
	return 0;
}
