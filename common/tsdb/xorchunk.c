/*
 * The XOR chunk codec.  Layout and rules: prometheus-formats.md 4.1-4.2;
 * Prometheus' own is tsdb/chunkenc/xor.go and bstream.go.
 *
 * Reading keeps up to 64 bits of the stream in a register, MSB first, and
 * tops it up 8 bytes at a time; the first two samples, which are whole
 * bytes, go through struct dec instead.  Writing builds each sample's bits
 * in a small array off to the side and appends them to the buf only once
 * the sample is complete, so a failed append leaves the chunk as it was.
 */
#include <errno.h>
#include <string.h>

#include "base/dec.h"
#include "tsdb/xorchunk.h"

#define HEADER		2	/* BE16 sample count */
#define NO_WINDOW	0xff	/* encoder: no leading/trailing yet */

/*
 * Most bytes one sample can add: a 10-byte uvarint and a 77-bit value
 * field, or 68 dod bits and the value field plus 7 pending bits; and the
 * 2-byte header with the first sample.  32 leaves room.
 */
#define SAMPLE_MAX	32

/* ------------------------------------------------------------------ */
/* Reading */

static int
corrupt(struct xor_iter *it, const char *why)
{
	it->err = why;
	return -1;
}

void
xor_iter_init(struct xor_iter *it, const void *data, size_t len)
{
	memset(it, 0, sizeof(*it));
	if (len < HEADER) {
		corrupt(it, "chunk shorter than its 2-byte header");
		return;
	}
	it->p = data;
	it->end = it->p + len;
	it->total = (unsigned)it->p[0] << 8 | it->p[1];
	it->p += HEADER;
}

int
xor_chunk_count(const void *data, size_t len)
{
	const unsigned char *p = data;

	if (len < HEADER)
		return -1;
	return p[0] << 8 | p[1];
}

static uint64_t
load_be64(const unsigned char *p)
{
	uint64_t x;

	memcpy(&x, p, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	x = __builtin_bswap64(x);
#endif
	return x;
}

/*
 * Top the register up with whole bytes, to at least 57 valid bits unless
 * the chunk ends first.  Only called with nbits < 56.  The fast path ORs
 * in 8 bytes but counts only those that fit entirely; the part of the
 * next byte that also lands below the valid bits is that byte's real
 * bits, so ORing the same byte in again later changes nothing.  Either way
 * no byte at or past end is read.
 */
static void
refill(struct xor_iter *it)
{
	unsigned k;

	if (it->end - it->p >= 8) {
		it->bits |= load_be64(it->p) >> it->nbits;
		k = (63 - it->nbits) >> 3;
		it->p += k;
		it->nbits += k << 3;
		return;
	}
	while (it->nbits <= 56 && it->p < it->end) {
		it->bits |= (uint64_t)*it->p++ << (56 - it->nbits);
		it->nbits += 8;
	}
}

/* The next n bits (1..56) into *v; -1 if the stream ends first. */
static inline int
getbits(struct xor_iter *it, unsigned n, uint64_t *v)
{
	if (it->nbits < n) {
		refill(it);
		if (it->nbits < n)
			return -1;
	}
	*v = it->bits >> (64 - n);
	it->bits <<= n;
	it->nbits -= n;
	return 0;
}

/* Make at least n (1..56) bits valid if the chunk has them; 1 if it did. */
static inline int
want(struct xor_iter *it, unsigned n)
{
	if (it->nbits < n)
		refill(it);
	return it->nbits >= n;
}

/* Drop n bits the caller has peeked at; they must be valid. */
static inline void
skip(struct xor_iter *it, unsigned n)
{
	it->bits <<= n;
	it->nbits -= n;
}

/* getbits for 1..64 bits: a 64-bit shift of the register would be
 * undefined, so wide fields come in two halves. */
static int
getbits64(struct xor_iter *it, unsigned n, uint64_t *v)
{
	uint64_t hi, lo;

	if (n <= 56)
		return getbits(it, n, v);
	if (getbits(it, n - 32, &hi) == -1 || getbits(it, 32, &lo) == -1)
		return -1;
	*v = hi << 32 | lo;
	return 0;
}

/*
 * The value field: '0' repeats the value, '10' XORs in bits inside the
 * current window, '11' sets a new window (5 bits leading zeros, 6 bits
 * width, where 0 means 64) and XORs in bits inside it.
 */
static int
read_value(struct xor_iter *it)
{
	uint64_t b, x;
	unsigned lead, width;

	/* Peek at the control bits rather than reading them one by one:
	 * a repeated value, the commonest case, costs one test. */
	if (!want(it, 2) && it->nbits == 0)
		return corrupt(it, "chunk ends inside a value");
	if (it->bits >> 63 == 0) {
		skip(it, 1);
		return 0;
	}
	if (it->nbits < 2)
		return corrupt(it, "chunk ends inside a value");
	b = it->bits >> 62 & 1;
	skip(it, 2);
	if (b == 1) {
		if (getbits(it, 11, &b) == -1)
			return corrupt(it, "chunk ends inside a value");
		lead = (unsigned)(b >> 6);
		width = (unsigned)(b & 63);
		if (width == 0)
			width = 64;
		/* Go would wrap its uint8 arithmetic here and carry on with
		 * a shift that drops every bit; no encoder writes this. */
		if (lead + width > 64)
			return corrupt(it, "value window wider than 64 bits");
		it->leading = lead;
		it->trailing = 64 - lead - width;
	}
	width = 64 - it->leading - it->trailing;
	if (getbits64(it, width, &x) == -1)
		return corrupt(it, "chunk ends inside a value");
	it->vbits ^= x << it->trailing;
	return 0;
}

/*
 * The delta-of-delta field: up to four prefix bits ending at the first 0
 * pick the payload width.  Payloads are two's complement, but biased so
 * that +2^(n-1) is positive (Prometheus' bitRange allows -(2^(n-1)-1) ..
 * 2^(n-1)).
 */
static int
read_dod(struct xor_iter *it, uint64_t *dod)
{
	static const unsigned width[] = { 0, 14, 17, 20 };
	unsigned ones, used, n;
	uint64_t u;

	/* Count the prefix's leading ones in one go; the bit forced on at
	 * position 59 stops the count at 4.  Bits past nbits are zeros or
	 * the stream's real next bits, so if the prefix seems to need more
	 * bits than are valid, the chunk really ends inside it. */
	want(it, 4);
	ones = (unsigned)__builtin_clzll(~it->bits | 1ULL << 59);
	used = ones < 4 ? ones + 1 : 4;
	if (used > it->nbits)
		return corrupt(it, "chunk ends inside a timestamp");
	skip(it, used);
	if (ones == 0) {
		*dod = 0;
		return 0;
	}
	if (ones == 4) {
		if (getbits64(it, 64, dod) == -1)
			return corrupt(it, "chunk ends inside a timestamp");
		return 0;
	}
	n = width[ones];
	if (getbits(it, n, &u) == -1)
		return corrupt(it, "chunk ends inside a timestamp");
	if (u > 1ULL << (n - 1))
		u -= 1ULL << n;		/* wraps to the negative value */
	*dod = u;
	return 0;
}

/* Sample 0: varint timestamp and 64 value bits, both whole bytes. */
static int
read_first(struct xor_iter *it)
{
	struct dec d;

	dec_init(&d, it->p, (size_t)(it->end - it->p));
	it->t = dec_varint(&d);
	it->vbits = dec_be64(&d);
	if (d.err == DEC_EOVERFLOW)
		return corrupt(it, "first timestamp overflows 64 bits");
	if (d.err != 0)
		return corrupt(it, "chunk ends inside the first sample");
	it->p = d.p;
	return 0;
}

/* Sample 1: a uvarint delta, still whole bytes; the bit stream proper
 * starts with its value field. */
static int
read_second(struct xor_iter *it)
{
	struct dec d;

	dec_init(&d, it->p, (size_t)(it->end - it->p));
	it->tdelta = dec_uvarint(&d);
	if (d.err == DEC_EOVERFLOW)
		return corrupt(it, "second timestamp overflows 64 bits");
	if (d.err != 0)
		return corrupt(it, "chunk ends inside the second timestamp");
	it->p = d.p;
	it->t = (int64_t)((uint64_t)it->t + it->tdelta);
	return read_value(it);
}

static int
read_later(struct xor_iter *it)
{
	uint64_t dod;

	if (read_dod(it, &dod) == -1)
		return -1;
	/* Unsigned, so that wrap-around is Go's, not undefined. */
	it->tdelta += dod;
	it->t = (int64_t)((uint64_t)it->t + it->tdelta);
	return read_value(it);
}

int
xor_iter_next(struct xor_iter *it)
{
	int r;

	if (it->err != NULL)
		return -1;
	if (it->n >= it->total)
		return 0;
	if (it->n == 0)
		r = read_first(it);
	else if (it->n == 1)
		r = read_second(it);
	else
		r = read_later(it);
	if (r == -1)
		return -1;
	it->n++;
	memcpy(&it->v, &it->vbits, sizeof(it->v));
	return 1;
}

int
xor_iter_seek(struct xor_iter *it, int64_t t)
{
	int r;

	if (it->err != NULL)
		return -1;
	while (it->n == 0 || it->t < t)
		if ((r = xor_iter_next(it)) != 1)
			return r;
	return 1;
}

/* ------------------------------------------------------------------ */
/* Writing */

/*
 * One sample's output, built before it touches the buf.  acc holds the
 * nacc (0..7) bits that do not make a whole byte yet, in its low bits.
 *
 * pad models 2.42's bit writer, which kept "free bits in the last byte"
 * and, on every whole-byte write, appended the following byte at once:
 * a byte written when the stream is byte-aligned leaves an empty byte
 * behind it, which stays in the chunk if nothing else is written.  A
 * field of whole bytes ends with such a byte write; a single-bit write,
 * or a field whose width is not a multiple of 8, ends with bit writes,
 * which never do this.  So pad is 1 exactly when the last field written
 * was a multiple of 8 bits wide and started on a byte boundary.
 */
struct bw {
	unsigned char	 out[SAMPLE_MAX];
	size_t		 len;
	uint64_t	 acc;
	unsigned	 nacc;
	int		 pad;
};

/* Append the n (1..32) bits of v (v < 2^n). */
static void
bw_put(struct bw *w, uint64_t v, unsigned n)
{
	w->acc = w->acc << n | v;
	w->nacc += n;
	while (w->nacc >= 8) {
		w->nacc -= 8;
		w->out[w->len++] = (unsigned char)(w->acc >> w->nacc);
	}
}

/* Go's writeBits: the low n (1..64) bits of v, most significant first. */
static void
bw_bits(struct bw *w, uint64_t v, unsigned n)
{
	w->pad = n % 8 == 0 && w->nacc == 0;
	if (n > 32) {
		bw_put(w, (v >> 32) & ((1ULL << (n - 32)) - 1), n - 32);
		n = 32;
	}
	bw_put(w, v & ((1ULL << n) - 1), n);
}

/* Go's writeBit. */
static void
bw_bit(struct bw *w, unsigned b)
{
	w->pad = 0;
	bw_put(w, b, 1);
}

/* Go writes varints byte by byte with writeByte: 8-bit fields. */
static void
bw_uvarint(struct bw *w, uint64_t x)
{
	unsigned char b[ENC_UVARINT_MAX];
	size_t i, n;

	n = enc_uvarint_put(b, x);
	for (i = 0; i < n; i++)
		bw_bits(w, b[i], 8);
}

/* Prometheus' bitRange: x fits an n-bit dod payload. */
static int
fits(int64_t x, unsigned n)
{
	return -((1LL << (n - 1)) - 1) <= x && x <= 1LL << (n - 1);
}

static void
bw_dod(struct bw *w, int64_t dod)
{
	if (dod == 0) {
		bw_bit(w, 0);
	} else if (fits(dod, 14)) {
		bw_bits(w, 0x2, 2);
		bw_bits(w, (uint64_t)dod, 14);
	} else if (fits(dod, 17)) {
		bw_bits(w, 0x6, 3);
		bw_bits(w, (uint64_t)dod, 17);
	} else if (fits(dod, 20)) {
		bw_bits(w, 0xe, 4);
		bw_bits(w, (uint64_t)dod, 20);
	} else {
		bw_bits(w, 0xf, 4);
		bw_bits(w, (uint64_t)dod, 64);
	}
}

/*
 * The value field for x = new bits XOR previous bits.  The window is
 * reused when x's set bits fall inside it, even if a narrower one would
 * be shorter: that is Prometheus' choice, and bytes must match.  Leading
 * zeros are capped at 31 to fit 5 bits; a width of 64 is written as 0.
 */
static void
bw_value(struct bw *w, uint64_t x, unsigned *leading, unsigned *trailing)
{
	unsigned lead, trail;

	if (x == 0) {
		bw_bit(w, 0);
		return;
	}
	bw_bit(w, 1);
	lead = (unsigned)__builtin_clzll(x);
	trail = (unsigned)__builtin_ctzll(x);
	if (lead > 31)
		lead = 31;
	if (*leading != NO_WINDOW && lead >= *leading && trail >= *trailing) {
		bw_bit(w, 0);
		bw_bits(w, x >> *trailing, 64 - *leading - *trailing);
		return;
	}
	*leading = lead;
	*trailing = trail;
	bw_bit(w, 1);
	bw_bits(w, lead, 5);
	bw_bits(w, 64 - lead - trail, 6);
	bw_bits(w, x >> trail, 64 - lead - trail);
}

void
xor_enc_init(struct xor_enc *e, struct buf *out)
{
	memset(e, 0, sizeof(*e));
	e->out = out;
	e->start = e->whole = out->len;
	e->leading = NO_WINDOW;
}

/* Forget what xor_enc_finish appended after the last whole byte. */
static void
drop_tail(struct xor_enc *e)
{
	if (e->out->len > e->whole) {
		e->out->len = e->whole;
		e->out->data[e->whole] = '\0';	/* buf's invariant */
	}
}

int
xor_enc_add_bits(struct xor_enc *e, int64_t t, uint64_t vbits)
{
	unsigned leading = e->leading, trailing = e->trailing;
	uint64_t tdelta = (uint64_t)t - (uint64_t)e->t;
	unsigned char *h;
	struct bw w;

	if (e->n >= XOR_MAX_SAMPLES) {
		errno = ERANGE;
		return -1;
	}
	w.len = 0;
	w.acc = e->acc;
	w.nacc = e->nacc;
	w.pad = e->pad;
	if (e->n == 0) {
		w.out[w.len++] = 0;	/* the count, set below */
		w.out[w.len++] = 0;
		bw_uvarint(&w, enc_zigzag(t));
		bw_bits(&w, vbits, 64);
	} else if (e->n == 1) {
		bw_uvarint(&w, tdelta);
		bw_value(&w, vbits ^ e->vbits, &leading, &trailing);
	} else {
		bw_dod(&w, (int64_t)(tdelta - e->tdelta));
		bw_value(&w, vbits ^ e->vbits, &leading, &trailing);
	}

	drop_tail(e);
	if (buf_add(e->out, w.out, w.len) == -1)
		return -1;
	e->whole = e->out->len;
	e->acc = w.acc;
	e->nacc = w.nacc;
	e->pad = w.pad;
	e->leading = leading;
	e->trailing = trailing;
	if (e->n > 0)
		e->tdelta = tdelta;
	e->t = t;
	e->vbits = vbits;
	e->n++;
	h = (unsigned char *)e->out->data + e->start;
	h[0] = (unsigned char)(e->n >> 8);
	h[1] = (unsigned char)e->n;
	return 0;
}

int
xor_enc_add(struct xor_enc *e, int64_t t, double v)
{
	uint64_t vbits;

	memcpy(&vbits, &v, sizeof(vbits));
	return xor_enc_add_bits(e, t, vbits);
}

const unsigned char *
xor_enc_finish(struct xor_enc *e, size_t *len)
{
	unsigned char tail[HEADER];
	size_t n = 0;

	if (e->n == 0) {
		tail[n++] = 0;
		tail[n++] = 0;
	} else {
		if (e->nacc > 0)
			tail[n++] = (unsigned char)(e->acc << (8 - e->nacc));
		if (e->pad)
			tail[n++] = 0;
	}
	drop_tail(e);
	if (buf_add(e->out, tail, n) == -1)
		return NULL;
	*len = e->out->len - e->start;
	return (const unsigned char *)e->out->data + e->start;
}
