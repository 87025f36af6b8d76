/*
 * The series-line writer.  A line is laid out straight into the caller's
 * buf, room for the whole of it made first, so that a sample costs its
 * digits and nothing else (no printf, no per-byte bounds checks); the
 * reader is jsonl_read.c.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/digits.h"
#include "base/floatfmt.h"
#include "base/jsonstr.h"
#include "series/jsonl.h"

static uint64_t
bits_of(double v)
{
	uint64_t b;

	memcpy(&b, &v, sizeof(b));
	return b;
}

/* Room for one value and its comma: a number, or "NaN:0x<16 hex>". */
#define VALUE_MAX	(FLOATFMT_MAX + 2)
/* Room for one timestamp and its comma: "-9223372036854775808,". */
#define TS_MAX		21

static const char hexdig[] = "0123456789abcdef";

/* v as series lines write it, at o; returns the end. */
static char *
put_value(char *o, double v)
{
	uint64_t bits = bits_of(v);

	if (isnan(v)) {
		if (bits == JSONL_NAN_BITS) {
			memcpy(o, "\"NaN\"", 5);
			return o + 5;
		}
		if (bits == JSONL_STALE_BITS) {
			memcpy(o, "\"StaleNaN\"", 10);
			return o + 10;
		}
		memcpy(o, "\"NaN:0x", 7);
		for (int i = 0; i < 16; i++)
			o[7 + i] = hexdig[bits >> (60 - 4 * i) & 0xf];
		o[23] = '"';
		return o + 24;
	}
	if (isinf(v)) {
		memcpy(o, v > 0 ? "\"+Inf\"" : "\"-Inf\"", 6);
		return o + 6;
	}
	return o + floatfmt_g_len(v, o);
}

/* t in decimal at o; returns the end. */
static char *
put_int(char *o, int64_t t)
{
	if (t < 0) {
		*o++ = '-';
		return o + floatfmt_u64(-(uint64_t)t, o);
	}
	return o + floatfmt_u64((uint64_t)t, o);
}

int
jsonl_add_value(struct buf *b, double v)
{
	char tmp[VALUE_MAX];

	return buf_add(b, tmp, (size_t)(put_value(tmp, v) - tmp));
}

int
jsonl_begin(struct buf *b, const struct labels *l)
{
	return buf_addstr(b, "{\"metric\":") | jsonstr_add_labels(b, l);
}

/* A whole values-form line into b, room for its worst case made first.
 * (The functions below write without looking after that.) */
static int
values_line(struct buf *b, const struct labels *l, const int64_t *t,
    const double *v, size_t n)
{
	struct digits_run run;
	char *o;

	if (jsonl_begin(b, l) == -1)
		return -1;
	if (n > (SIZE_MAX - 64) / (VALUE_MAX + TS_MAX)) {
		errno = ENOMEM;
		return -1;
	}
	if (buf_grow(b, n * (VALUE_MAX + TS_MAX) + 64) == -1)
		return -1;
	o = b->data + b->len;
	memcpy(o, ",\"values\":[", 11);
	o += 11;
	for (size_t i = 0; i < n; i++) {
		o = put_value(o, v[i]);
		*o++ = ',';
	}
	if (n > 0)
		o--;
	memcpy(o, "],\"timestamps\":[", 16);
	o += 16;
	digits_run_init(&run);
	for (size_t i = 0; i < n; i++) {
		o = t[i] < 0 ? put_int(o, t[i]) : digits_run_put(&run, o,
		    (uint64_t)t[i]);
		*o++ = ',';
	}
	if (n > 0)
		o--;
	memcpy(o, "]}\n", 3);
	o += 3;
	b->len = (size_t)(o - b->data);
	b->data[b->len] = '\0';
	return 0;
}

/* Room for the worst case can pass a buf's cap when the text itself does
 * not: a capped buf gets the text through one without a cap. */
static int
through_uncapped(struct buf *b, struct buf *tmp, int r)
{
	if (r == 0)
		r = buf_add(b, tmp->data, tmp->len);
	buf_release(tmp);
	return r;
}

int
jsonl_add_values(struct buf *b, const struct labels *l, const int64_t *t,
    const double *v, size_t n)
{
	struct buf tmp = BUF_INIT(BUF_NOMAX);

	if (b->max == BUF_NOMAX)
		return values_line(b, l, t, v, n);
	return through_uncapped(b, &tmp, values_line(&tmp, l, t, v, n));
}

static const char b64abc[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Standard base64 with padding of n bytes at p, at o; returns the end. */
static char *
put_b64(char *o, const unsigned char *p, size_t n)
{
	size_t i = 0;

	for (; i + 3 <= n; i += 3) {
		uint32_t x = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 |
		    p[i + 2];

		o[0] = b64abc[x >> 18];
		o[1] = b64abc[x >> 12 & 63];
		o[2] = b64abc[x >> 6 & 63];
		o[3] = b64abc[x & 63];
		o += 4;
	}
	if (n - i == 1) {
		o[0] = b64abc[p[i] >> 2];
		o[1] = b64abc[(p[i] & 3) << 4];
		o[2] = o[3] = '=';
		o += 4;
	} else if (n - i == 2) {
		o[0] = b64abc[p[i] >> 2];
		o[1] = b64abc[(p[i] & 3) << 4 | p[i + 1] >> 4];
		o[2] = b64abc[(p[i + 1] & 15) << 2];
		o[3] = '=';
		o += 4;
	}
	return o;
}

static int
chunk_text(struct buf *b, int first, int64_t mint, int64_t maxt,
    const void *xor, size_t len)
{
	char *o;

	if (len > SIZE_MAX / 2 || buf_grow(b, len / 3 * 4 + 4 + 2 * TS_MAX +
	    128) == -1)
		return -1;
	o = b->data + b->len;
	if (first) {
		memcpy(o, ",\"chunks\":[", 11);
		o += 11;
	} else
		*o++ = ',';
	memcpy(o, "{\"mint\":", 8);
	o = put_int(o + 8, mint);
	memcpy(o, ",\"maxt\":", 8);
	o = put_int(o + 8, maxt);
	memcpy(o, ",\"xor\":\"", 8);
	o = put_b64(o + 8, xor, len);
	memcpy(o, "\"}", 2);
	o += 2;
	b->len = (size_t)(o - b->data);
	b->data[b->len] = '\0';
	return 0;
}

int
jsonl_add_chunk(struct buf *b, int first, int64_t mint, int64_t maxt,
    const void *xor, size_t len)
{
	struct buf tmp = BUF_INIT(BUF_NOMAX);

	if (b->max == BUF_NOMAX)
		return chunk_text(b, first, mint, maxt, xor, len);
	return through_uncapped(b, &tmp, chunk_text(&tmp, first, mint, maxt,
	    xor, len));
}

int
jsonl_end_chunks(struct buf *b)
{
	return buf_addstr(b, "]}\n");
}
