/*
 * Bounded decoding and the matching encoders.  Each read first asks
 * need() for its bytes, so the bounds check lives in one place.
 */
#include <string.h>

#include "base/dec.h"

void
dec_init(struct dec *d, const void *p, size_t n)
{
	d->err = 0;
	if (p == NULL) {
		/* Even p + 0 is undefined for a null p. */
		d->p = d->end = NULL;
		return;
	}
	d->p = p;
	d->end = d->p + n;
}

/* Set the sticky error; the first reason wins. */
static void
fail(struct dec *d, int err)
{
	if (d->err == 0)
		d->err = err;
	d->p = d->end;
}

/* 1 if n more bytes can be read, else fail with DEC_ETRUNC.  Compares
 * counts, not pointers, so a huge n cannot wrap p around. */
static int
need(struct dec *d, size_t n)
{
	if (d->err != 0)
		return 0;
	if ((size_t)(d->end - d->p) < n) {
		fail(d, DEC_ETRUNC);
		return 0;
	}
	return 1;
}

unsigned
dec_byte(struct dec *d)
{
	if (!need(d, 1))
		return 0;
	return *d->p++;
}

/* n big-endian bytes as one number; the caller checked need(). */
static uint64_t
be(struct dec *d, int n)
{
	uint64_t x = 0;

	while (n--)
		x = x << 8 | *d->p++;
	return x;
}

uint16_t
dec_be16(struct dec *d)
{
	return need(d, 2) ? (uint16_t)be(d, 2) : 0;
}

uint32_t
dec_be32(struct dec *d)
{
	return need(d, 4) ? (uint32_t)be(d, 4) : 0;
}

uint64_t
dec_be64(struct dec *d)
{
	return need(d, 8) ? be(d, 8) : 0;
}

/*
 * 7 bits per byte, low group first.  The 10th byte can only hold the top
 * bit of a uint64_t: Go calls anything above 1 there an overflow rather
 * than dropping bits, and so do we.
 */
uint64_t
dec_uvarint(struct dec *d)
{
	const unsigned char *p;
	uint64_t x = 0;
	unsigned i, s = 0;

	if (d->err != 0)
		return 0;
	for (p = d->p, i = 0; p < d->end; p++, i++, s += 7) {
		if (i == ENC_UVARINT_MAX - 1 && *p > 1) {
			fail(d, DEC_EOVERFLOW);
			return 0;
		}
		if (*p < 0x80) {
			d->p = p + 1;
			return x | (uint64_t)*p << s;
		}
		x |= (uint64_t)(*p & 0x7f) << s;
	}
	fail(d, DEC_ETRUNC);
	return 0;
}

int64_t
dec_unzigzag(uint64_t ux)
{
	/* In unsigned arithmetic: the signed shifts would be
	 * implementation-defined. */
	return (int64_t)((ux >> 1) ^ (0 - (ux & 1)));
}

int64_t
dec_varint(struct dec *d)
{
	return dec_unzigzag(dec_uvarint(d));
}

const unsigned char *
dec_bytes(struct dec *d, size_t n)
{
	const unsigned char *p;

	if (!need(d, n))
		return NULL;
	p = d->p;
	if (n > 0)
		d->p += n;
	return p;
}

const unsigned char *
dec_uvarint_str(struct dec *d, size_t *len)
{
	const unsigned char *p;
	uint64_t n;

	*len = 0;
	n = dec_uvarint(d);
	if (d->err != 0)
		return NULL;
	if (n > (uint64_t)(d->end - d->p)) {
		fail(d, DEC_ETRUNC);
		return NULL;
	}
	p = dec_bytes(d, (size_t)n);
	*len = (size_t)n;
	return p;
}

void
dec_skip(struct dec *d, size_t n)
{
	(void)dec_bytes(d, n);
}

size_t
dec_remaining(const struct dec *d)
{
	return d->err != 0 ? 0 : (size_t)(d->end - d->p);
}

const char *
dec_strerror(const struct dec *d)
{
	switch (d->err) {
	case 0:
		return "";
	case DEC_ETRUNC:
		return "truncated";
	case DEC_EOVERFLOW:
		return "varint overflows 64 bits";
	default:
		return "bad encoding";
	}
}

int
enc_byte(struct buf *b, unsigned x)
{
	unsigned char c = (unsigned char)x;

	return buf_add(b, &c, 1);
}

/* The low n bytes of x, most significant first. */
static int
enc_be(struct buf *b, uint64_t x, int n)
{
	unsigned char out[8];
	int i;

	for (i = n - 1; i >= 0; i--, x >>= 8)
		out[i] = (unsigned char)x;
	return buf_add(b, out, (size_t)n);
}

int
enc_be16(struct buf *b, uint16_t x)
{
	return enc_be(b, x, 2);
}

int
enc_be32(struct buf *b, uint32_t x)
{
	return enc_be(b, x, 4);
}

int
enc_be64(struct buf *b, uint64_t x)
{
	return enc_be(b, x, 8);
}

size_t
enc_uvarint_put(unsigned char *out, uint64_t x)
{
	size_t n = 0;

	for (; x >= 0x80; x >>= 7)
		out[n++] = (unsigned char)(x | 0x80);
	out[n++] = (unsigned char)x;
	return n;
}

int
enc_uvarint(struct buf *b, uint64_t x)
{
	unsigned char out[ENC_UVARINT_MAX];

	return buf_add(b, out, enc_uvarint_put(out, x));
}

uint64_t
enc_zigzag(int64_t x)
{
	uint64_t ux = (uint64_t)x;

	return (ux << 1) ^ (0 - (ux >> 63));
}

int
enc_varint(struct buf *b, int64_t x)
{
	return enc_uvarint(b, enc_zigzag(x));
}
