/*
 * samplesenc: a SAMPLES remote-read body, compressed as it is built.
 *
 * A SAMPLES body is one snappy block of one ReadResponse, and the block
 * starts with the message's length, which is known only at the end.  But
 * snappy's elements (literals, and copies reaching back at most 64 KiB)
 * only point backwards, so a block may be made of independently
 * compressed fragments glued behind one length: snappy itself compresses
 * in independent 64 KiB fragments.  Each QueryResult's bytes are
 * therefore compressed 64 KiB at a time as the series come, and only the
 * compressed form is kept; at the end the length goes first, then for
 * each result its key and length as a literal element and its fragments.
 * Memory is the compressed answer plus 64 KiB, not the whole message
 * twice over, and the compressed bytes leave in pieces, freed as they go.
 */
#include <errno.h>
#include <snappy-c.h>
#include <stdlib.h>
#include <string.h>

#include "base/dec.h"
#include "net/remote.h"

#define WT_VARINT	0
#define WT_I64		1
#define WT_LEN		2
#define KEY(f, wt)	((unsigned char)((f) << 3 | (wt)))

#define WINDOW		((size_t)65536)		/* snappy's own fragment */
#define SNAPPY_MAX	((size_t)UINT32_MAX)	/* its 32-bit length */
#define PIECE		((size_t)1 << 20)	/* bytes handed out at once */

static size_t
uvarint_len(uint64_t x)
{
	size_t n = 1;

	while (x >= 0x80) {
		x >>= 7;
		n++;
	}
	return n;
}

void
remote_samples_enc_init(struct remote_samples_enc *e, size_t max)
{
	memset(e, 0, sizeof(*e));
	e->max = max > SNAPPY_MAX ? SNAPPY_MAX : max;
	buf_init(&e->win, BUF_NOMAX);
	buf_init(&e->ser, BUF_NOMAX);
	buf_init(&e->zscratch, BUF_NOMAX);
}

/* Compress the window onto the open result's fragments. */
static int
flush_window(struct remote_samples_enc *e)
{
	struct remote_zpart *p = &e->parts[e->nparts - 1];
	size_t clen = snappy_max_compressed_length(e->win.len), skip = 0;
	const unsigned char *z;

	if (e->win.len == 0)
		return 0;
	if (buf_grow(&e->zscratch, clen) == -1)
		return -1;
	if (snappy_compress(e->win.data, e->win.len, e->zscratch.data,
	    &clen) != SNAPPY_OK) {
		errno = EINVAL;		/* only a short output fails */
		return -1;
	}
	/* Drop the fragment's own length: the block has one, in front. */
	z = (const unsigned char *)e->zscratch.data;
	while (z[skip] & 0x80)
		skip++;
	skip++;
	if (buf_add(&p->z, z + skip, clen - skip) == -1)
		return -1;
	p->len += e->win.len;
	buf_reset(&e->win);
	return 0;
}

static int
feed(struct remote_samples_enc *e, const char *p, size_t n)
{
	while (n > 0) {
		size_t k = WINDOW - e->win.len < n ? WINDOW - e->win.len : n;

		if (buf_add(&e->win, p, k) == -1)
			return -1;
		p += k;
		n -= k;
		if (e->win.len == WINDOW && flush_window(e) == -1)
			return -1;
	}
	return 0;
}

/* The whole message's length, once every result is closed. */
static size_t
message_len(const struct remote_samples_enc *e)
{
	size_t n = 0;

	for (size_t i = 0; i < e->nparts; i++)
		n += 1 + uvarint_len(e->parts[i].len) + e->parts[i].len;
	return n;
}

int
remote_samples_enc_query(struct remote_samples_enc *e)
{
	struct remote_zpart *np;

	if (e->open && flush_window(e) == -1)
		return -1;
	if (e->nparts == e->cap) {
		size_t cap = e->cap ? 2 * e->cap : 4;

		if ((np = realloc(e->parts, cap * sizeof(*np))) == NULL)
			return -1;
		e->parts = np;
		e->cap = cap;
	}
	memset(&e->parts[e->nparts], 0, sizeof(e->parts[0]));
	buf_init(&e->parts[e->nparts].z, BUF_NOMAX);
	e->nparts++;
	e->open = 1;
	/* Its key and length. */
	e->total += 2;
	if (e->total > e->max) {
		errno = ENOBUFS;
		return -1;
	}
	return 0;
}

/* A length-delimited bytes field, left out when empty as proto3 does. */
static unsigned char *
put_bytes(unsigned char *p, unsigned field, const struct str *s)
{
	if (s->n == 0)
		return p;
	*p++ = KEY(field, WT_LEN);
	p += enc_uvarint_put(p, s->n);
	memcpy(p, s->p, s->n);
	return p + s->n;
}

static size_t
bytes_size(const struct str *s)
{
	return s->n ? 1 + uvarint_len(s->n) + s->n : 0;
}

/*
 * Is the value written?  proto3 leaves out a zero, and 2.42 tests value
 * != 0, which drops -0.0 too: its SAMPLES answers turn -0 into 0.  We
 * test the bits, so -0.0 is written and every value keeps its bits,
 * while every other value's bytes stay exactly 2.42's.
 */
#define NONZERO(bits)	((bits) != 0)

/* A Sample's encoded size: the value (key, 8 bytes) unless it is zero,
 * the timestamp (key, varint) unless it is 0. */
static size_t
sample_size(int64_t t, uint64_t vbits)
{
	return (NONZERO(vbits) ? 9 : 0) +
	    (t != 0 ? 1 + uvarint_len((uint64_t)t) : 0);
}

/*
 * TimeSeries{labels (field 1, Label{name 1, value 2}), samples (field 2,
 * Sample{value 1 fixed64, timestamp 2 varint})}, zeros left out as proto3
 * and 2.42 leave them out (but not -0.0, see NONZERO).  The unit tests
 * and the bats --recode check hold the bytes to 2.42's.
 */
int
remote_samples_enc_series(struct remote_samples_enc *e,
    const struct labels *l, const int64_t *t, const double *v, size_t n)
{
	size_t total = 0, need;
	unsigned char *p;
	uint64_t vb;

	if (!e->open && remote_samples_enc_query(e) == -1)
		return -1;
	for (size_t i = 0; i < l->n; i++) {
		size_t ls = bytes_size(&l->v[i].name) +
		    bytes_size(&l->v[i].value);

		total += 1 + uvarint_len(ls) + ls;
	}
	for (size_t i = 0; i < n; i++) {
		memcpy(&vb, &v[i], sizeof(vb));
		need = sample_size(t[i], vb);
		total += 1 + uvarint_len(need) + need;
	}
	need = 1 + uvarint_len(total) + total;
	if (need > e->max - e->total) {
		errno = ENOBUFS;
		return -1;
	}
	buf_reset(&e->ser);
	if (buf_grow(&e->ser, need) == -1)
		return -1;
	p = (unsigned char *)e->ser.data;
	*p++ = KEY(1, WT_LEN);
	p += enc_uvarint_put(p, total);
	for (size_t i = 0; i < l->n; i++) {
		*p++ = KEY(1, WT_LEN);
		p += enc_uvarint_put(p, bytes_size(&l->v[i].name) +
		    bytes_size(&l->v[i].value));
		p = put_bytes(p, 1, &l->v[i].name);
		p = put_bytes(p, 2, &l->v[i].value);
	}
	for (size_t i = 0; i < n; i++) {
		memcpy(&vb, &v[i], sizeof(vb));
		*p++ = KEY(2, WT_LEN);
		p += enc_uvarint_put(p, sample_size(t[i], vb));
		if (NONZERO(vb)) {
			*p++ = KEY(1, WT_I64);
			for (int k = 0; k < 8; k++)
				*p++ = (unsigned char)(vb >> (8 * k));
		}
		if (t[i] != 0) {
			*p++ = KEY(2, WT_VARINT);
			p += enc_uvarint_put(p, (uint64_t)t[i]);
		}
	}
	e->total += need;
	/* The result's length may take more varint bytes now; the cap is
	 * a bound, so the slack of a few bytes does not matter. */
	return feed(e, e->ser.data, need);
}

int
remote_samples_enc_close(struct remote_samples_enc *e)
{
	if (e->open && flush_window(e) == -1)
		return -1;
	e->open = 0;
	buf_release(&e->win);
	buf_release(&e->ser);
	buf_release(&e->zscratch);
	return 0;
}

int
remote_samples_enc_next(struct remote_samples_enc *e, struct buf *out)
{
	unsigned char hdr[2 + 2 * ENC_UVARINT_MAX];
	size_t h, start = out->len;

	if (e->open && remote_samples_enc_close(e) == -1)
		return -1;
	if (!e->started) {
		h = enc_uvarint_put(hdr, message_len(e));
		if (buf_add(out, hdr, h) == -1)
			return -1;
		e->started = 1;
	}
	while (e->oi < e->nparts && out->len - start < PIECE) {
		struct remote_zpart *p = &e->parts[e->oi];
		size_t k;

		if (!e->ohead) {
			/* The key and length, as one literal element. */
			hdr[1] = KEY(1, WT_LEN);
			h = 1 + enc_uvarint_put(hdr + 2, p->len);
			hdr[0] = (unsigned char)((h - 1) << 2);
			if (buf_add(out, hdr, 1 + h) == -1)
				return -1;
			e->ohead = 1;
		}
		k = p->z.len - e->ooff;
		if (k > PIECE - (out->len - start))
			k = PIECE - (out->len - start);
		if (k > 0 && buf_add(out, p->z.data + e->ooff, k) == -1)
			return -1;
		e->ooff += k;
		if (e->ooff == p->z.len) {
			buf_release(&p->z);
			e->oi++;
			e->ooff = 0;
			e->ohead = 0;
		}
	}
	return e->oi < e->nparts;
}

int
remote_samples_enc_finish(struct remote_samples_enc *e, struct buf *out)
{
	int rc;

	while ((rc = remote_samples_enc_next(e, out)) == 1)
		;
	if (rc == -1)
		return -1;
	remote_samples_enc_release(e);
	remote_samples_enc_init(e, e->max);
	return 0;
}

void
remote_samples_enc_release(struct remote_samples_enc *e)
{
	size_t max = e->max;

	for (size_t i = 0; i < e->nparts; i++)
		buf_release(&e->parts[i].z);
	free(e->parts);
	buf_release(&e->win);
	buf_release(&e->ser);
	buf_release(&e->zscratch);
	memset(e, 0, sizeof(*e));
	e->max = max;
}
