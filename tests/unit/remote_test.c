#include <errno.h>
#include <math.h>
#include <snappy-c.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/crc32c.h"
#include "base/dec.h"
#include "base/errbuf.h"
#include "base/labels.h"
#include "net/remote.h"
#include "net/remote.pb-c.h"
#include "tsdb/matcher.h"
#include "tsdb/xorchunk.h"
#include "unit.h"

#define STALE	0x7FF0000000000002ULL	/* Prometheus' stale marker */
#define GONAN	0x7FF8000000000001ULL	/* Go's math.NaN() */

/* --- helpers ------------------------------------------------------------- */

/* Hex text (spaces allowed) into b. */
static void
unhex(struct buf *b, const char *s)
{
	buf_reset(b);
	while (*s) {
		unsigned x;

		if (*s == ' ') {
			s++;
			continue;
		}
		sscanf(s, "%2x", &x);
		buf_addch(b, (char)x);
		s += 2;
	}
}

static int
hex_eq(const struct buf *b, const char *want)
{
	struct buf w = BUF_INIT(BUF_NOMAX);
	int eq;

	unhex(&w, want);
	eq = w.len == b->len && memcmp(w.data, b->data, b->len) == 0;
	if (!eq) {
		fprintf(stderr, "got  ");
		for (size_t i = 0; i < b->len; i++)
			fprintf(stderr, "%02x", (unsigned char)b->data[i]);
		fprintf(stderr, "\n");
	}
	buf_release(&w);
	return eq;
}

static uint64_t
bits(double v)
{
	uint64_t u;

	memcpy(&u, &v, sizeof(u));
	return u;
}

static double
from_bits(uint64_t u)
{
	double v;

	memcpy(&v, &u, sizeof(v));
	return v;
}

/* labels from "name", "value", ..., NULL (borrowed strings). */
static void
mklabels(struct labels *l, ...)
{
	va_list ap;
	const char *n, *v;

	labels_reset(l);
	va_start(ap, l);
	while ((n = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		labels_add(l, str_of(n), str_of(v));
	}
	va_end(ap);
}

/* The uvarint length of x: Go's sov(). */
static size_t
sov(uint64_t x)
{
	size_t n = 1;

	while (x >= 0x80) {
		x >>= 7;
		n++;
	}
	return n;
}

/* --- the spec's captured exchange (section 6.2) -------------------------- */

/* A ReadRequest for __name__="one" over [0, 10000000], types [1]: a
 * hand-built body 2.42 answered.  It writes start 0 explicitly (08 00). */
#define SPEC_REQ_CHUNKS	"1d700a1808001080ade2041a0f12085f5f6e616d655f5f" \
			"1a036f6e65120101"
#define SPEC_REQ_SAMPLES "1d700a1808001080ade2041a0f12085f5f6e616d655f5f" \
			"1a036f6e65120100"
#define SPEC_RESP_SAMPLES "2590 0a230a210a0f0a085f5f6e616d655f5f12036f6e65" \
			"120e 09 000000000070c740 10 80bab703"
#define SPEC_FRAME	"32 3b366d22 0a30 0a0f0a085f5f6e616d655f5f12036f6e65" \
			"121d 08 80bab703 10 80bab703 1801 220f " \
			"000180f4ee0640c770000000000000"

static void
test_spec_request(void)
{
	struct buf b = BUF_INIT(BUF_NOMAX);
	struct remote_request rq = REMOTE_REQUEST_INIT;
	enum remote_type t;
	char err[ERR_MAX];
	struct matcher *m;

	unhex(&b, SPEC_REQ_CHUNKS);
	CHECK_INT(remote_request_decode(&rq, b.data, b.len, err), 0);
	CHECK_INT(rq.nqueries, 1);
	CHECK_INT(rq.queries[0].start_ms, 0);
	CHECK_INT(rq.queries[0].end_ms, 10000000);
	CHECK_INT(rq.queries[0].nmatchers, 1);
	CHECK_INT(rq.queries[0].has_hints, 0);
	m = &rq.queries[0].matchers[0];
	CHECK_INT(m->type, MATCHER_EQ);
	CHECK_STR(m->name, "__name__");
	CHECK_STR(m->value, "one");
	CHECK_INT(rq.ntypes, 1);
	CHECK_INT(rq.types[0], REMOTE_STREAMED_XOR_CHUNKS);
	CHECK_INT(remote_request_pick_type(&rq, &t, err), 0);
	CHECK_INT(t, REMOTE_STREAMED_XOR_CHUNKS);
	remote_request_release(&rq);

	unhex(&b, SPEC_REQ_SAMPLES);
	CHECK_INT(remote_request_decode(&rq, b.data, b.len, err), 0);
	CHECK_INT(remote_request_pick_type(&rq, &t, err), 0);
	CHECK_INT(t, REMOTE_SAMPLES);
	remote_request_release(&rq);

	/*
	 * Ours for the same request: proto3 leaves start 0 out, so the
	 * message is 2 bytes shorter (27: snappy 1b, literal tag 0x68);
	 * types stay packed, as Go packs them.
	 */
	CHECK(matcher_parse_selector("one", &m, &(size_t){ 0 }, err) == 0);
	CHECK_INT(remote_request_add_query(&rq, 0, 10000000, m, 1), 0);
	CHECK_INT(remote_request_add_type(&rq, REMOTE_STREAMED_XOR_CHUNKS), 0);
	buf_reset(&b);
	CHECK_INT(remote_request_encode(&rq, &b, err), 0);
	CHECK(hex_eq(&b, "1b68 0a16 1080ade204 1a0f 12085f5f6e616d655f5f "
	    "1a036f6e65 120101"));
	remote_request_release(&rq);
	buf_release(&b);
}

/* The same message inside both snappy blocks (the compressed bytes may
 * differ: ours are built from independently compressed fragments). */
static int
snappy_eq(const struct buf *b, const char *want)
{
	struct buf w = BUF_INIT(BUF_NOMAX);
	char x[4096], y[4096];
	size_t xn = sizeof(x), yn = sizeof(y);
	int eq;

	unhex(&w, want);
	eq = snappy_uncompress(b->data, b->len, x, &xn) == SNAPPY_OK &&
	    snappy_uncompress(w.data, w.len, y, &yn) == SNAPPY_OK &&
	    xn == yn && memcmp(x, y, xn) == 0;
	if (!eq)
		hex_eq(b, want);
	buf_release(&w);
	return eq;
}

static void
test_spec_samples(void)
{
	struct remote_samples_enc e;
	struct remote_response r = REMOTE_RESPONSE_INIT;
	struct labels l = LABELS_INIT;
	struct buf b = BUF_INIT(BUF_NOMAX);
	int64_t t = 7200000;
	double v = 12000.0;
	char err[ERR_MAX];

	mklabels(&l, "__name__", "one", NULL);
	remote_samples_enc_init(&e, BUF_NOMAX);
	CHECK_INT(remote_samples_enc_query(&e), 0);
	CHECK_INT(remote_samples_enc_series(&e, &l, &t, &v, 1), 0);
	CHECK_INT(remote_samples_enc_finish(&e, &b), 0);
	CHECK(snappy_eq(&b, SPEC_RESP_SAMPLES));

	/* And back from 2.42's bytes. */
	unhex(&b, SPEC_RESP_SAMPLES);
	CHECK_INT(remote_samples_decode(&r, b.data, b.len, 0, err), 0);
	CHECK_INT(r.nresults, 1);
	CHECK_INT(r.results[0].nseries, 1);
	CHECK_INT(r.results[0].series[0].labels.n, 1);
	CHECK(str_eq(r.results[0].series[0].labels.v[0].name, "__name__"));
	CHECK(str_eq(r.results[0].series[0].labels.v[0].value, "one"));
	CHECK_INT(r.results[0].series[0].n, 1);
	CHECK_INT(r.results[0].series[0].t[0], 7200000);
	CHECK(r.results[0].series[0].v[0] == 12000.0);
	CHECK_INT(r.results[0].series[0].nchunks, 0);
	remote_response_release(&r);

	/* No query: 2.42's 1-byte body 00, the empty message. */
	buf_reset(&b);
	CHECK_INT(remote_samples_enc_finish(&e, &b), 0);
	CHECK(hex_eq(&b, "00"));
	CHECK_INT(remote_samples_decode(&r, b.data, b.len, 0, err), 0);
	CHECK_INT(r.nresults, 0);
	remote_response_release(&r);

	/* A query without series is still there: 0a 00. */
	buf_reset(&b);
	CHECK_INT(remote_samples_enc_query(&e), 0);
	CHECK_INT(remote_samples_enc_query(&e), 0);
	CHECK_INT(remote_samples_enc_finish(&e, &b), 0);
	CHECK(snappy_eq(&b, "04 0c 0a000a00"));
	CHECK_INT(remote_samples_decode(&r, b.data, b.len, 0, err), 0);
	CHECK_INT(r.nresults, 2);
	CHECK_INT(r.results[1].nseries, 0);
	remote_response_release(&r);

	remote_samples_enc_release(&e);
	labels_release(&l);
	buf_release(&b);
}

static void
test_spec_frame(void)
{
	struct buf chunk = BUF_INIT(BUF_NOMAX), out = BUF_INIT(BUF_NOMAX);
	struct remote_frame_enc e;
	struct remote_frame_dec d;
	struct remote_frame f;
	struct labels l = LABELS_INIT;
	struct xor_enc x;
	const unsigned char *p;
	char err[ERR_MAX];
	size_t len;

	xor_enc_init(&x, &chunk);
	xor_enc_add(&x, 7200000, 12000.0);
	p = xor_enc_finish(&x, &len);
	CHECK_INT(len, 15);
	mklabels(&l, "__name__", "one", NULL);
	remote_frame_enc_init(&e, &out, 0);
	CHECK_INT(remote_frame_enc_series(&e, 0, &l), 0);
	CHECK_INT(remote_frame_enc_chunk(&e, 7200000, 7200000, REMOTE_CHUNK_XOR,
	    p, len), 0);
	/* Nothing goes out before the series ends: more chunks may come. */
	CHECK_INT(out.len, 0);
	CHECK_INT(remote_frame_enc_end(&e), 0);
	CHECK(hex_eq(&out, SPEC_FRAME));
	remote_frame_enc_release(&e);

	/* 2.42's bytes, fed one at a time. */
	unhex(&out, SPEC_FRAME);
	remote_frame_dec_init(&d, 0);
	for (size_t i = 0; i < out.len; i++) {
		CHECK_INT(remote_frame_dec_next(&d, &f, err), 0);
		CHECK_INT(remote_frame_dec_finish(&d, err),
		    i == 0 ? 0 : REMOTE_EBAD);
		remote_frame_dec_feed(&d, out.data + i, 1);
	}
	CHECK_INT(remote_frame_dec_next(&d, &f, err), 1);
	CHECK_INT(f.query_index, 0);
	CHECK_INT(f.nseries, 1);
	CHECK_INT(f.series[0].labels.n, 1);
	CHECK(str_eq(f.series[0].labels.v[0].value, "one"));
	CHECK_INT(f.series[0].nchunks, 1);
	CHECK_INT(f.series[0].chunks[0].mint, 7200000);
	CHECK_INT(f.series[0].chunks[0].maxt, 7200000);
	CHECK_INT(f.series[0].chunks[0].encoding, REMOTE_CHUNK_XOR);
	CHECK_INT(f.series[0].chunks[0].len, 15);
	CHECK(memcmp(f.series[0].chunks[0].data, p, 15) == 0);
	CHECK_INT(remote_frame_dec_next(&d, &f, err), 0);
	CHECK_INT(remote_frame_dec_finish(&d, err), 0);
	remote_frame_dec_release(&d);
	labels_release(&l);
	buf_release(&chunk);
	buf_release(&out);
}

/* --- requests ------------------------------------------------------------ */

static void
test_request_round_trip(void)
{
	struct remote_request rq = REMOTE_REQUEST_INIT, back;
	struct buf b = BUF_INIT(BUF_NOMAX);
	struct remote_hints *h;
	struct matcher *m;
	char err[ERR_MAX];
	size_t n;

	CHECK(matcher_parse_selector("up{job=~\"a|b\",x!=\"\",y!~\"(?s:.*)\"}",
	    &m, &n, err) == 0);
	CHECK_INT(remote_request_add_query(&rq, -5, INT64_MAX, m, n), 0);
	CHECK(matcher_parse_selector("{a=\"with\\nnewline \\\"q\\\"\"}", &m,
	    &n, err) == 0);
	CHECK_INT(remote_request_add_query(&rq, INT64_MIN, 0, m, n), 0);
	/* Hints on the second query. */
	h = &rq.queries[1].hints;
	rq.queries[1].has_hints = 1;
	h->step_ms = 15000;
	h->func = strdup("rate");
	h->start_ms = -1;
	h->end_ms = 99;
	h->grouping = calloc(2, sizeof(char *));
	h->grouping[0] = strdup("job");
	h->grouping[1] = strdup("instance");
	h->ngrouping = 2;
	h->by = 1;
	h->range_ms = 300000;
	/* No matchers at all is a valid query. */
	CHECK_INT(remote_request_add_query(&rq, 1, 2, NULL, 0), 0);
	remote_request_add_type(&rq, 7);
	remote_request_add_type(&rq, REMOTE_SAMPLES);
	remote_request_add_type(&rq, REMOTE_STREAMED_XOR_CHUNKS);
	CHECK_INT(remote_request_encode(&rq, &b, err), 0);

	CHECK_INT(remote_request_decode(&back, b.data, b.len, err), 0);
	CHECK_INT(back.nqueries, 3);
	CHECK_INT(back.queries[0].start_ms, -5);
	CHECK_INT(back.queries[0].end_ms, INT64_MAX);
	CHECK_INT(back.queries[1].start_ms, INT64_MIN);
	CHECK_INT(back.queries[1].end_ms, 0);
	for (size_t i = 0; i < 3; i++) {
		CHECK_INT(back.queries[i].nmatchers, rq.queries[i].nmatchers);
		CHECK_INT(back.queries[i].has_hints, rq.queries[i].has_hints);
		for (size_t j = 0; j < back.queries[i].nmatchers &&
		    j < rq.queries[i].nmatchers; j++) {
			struct matcher *a = &back.queries[i].matchers[j];
			struct matcher *w = &rq.queries[i].matchers[j];

			CHECK_INT(a->type, w->type);
			CHECK_STR(a->name, w->name);
			CHECK(a->vlen == w->vlen &&
			    memcmp(a->value, w->value, a->vlen) == 0);
		}
	}
	/* The regexes were compiled with 2.42's rules. */
	CHECK(matcher_matches(&back.queries[0].matchers[1], "a", 1));
	CHECK(!matcher_matches(&back.queries[0].matchers[1], "ab", 2));
	CHECK_STR(back.queries[1].matchers[0].value, "with\nnewline \"q\"");
	h = &back.queries[1].hints;
	CHECK_INT(h->step_ms, 15000);
	CHECK_STR(h->func, "rate");
	CHECK_INT(h->start_ms, -1);
	CHECK_INT(h->end_ms, 99);
	CHECK_INT(h->ngrouping, 2);
	CHECK_STR(h->grouping[1], "instance");
	CHECK_INT(h->by, 1);
	CHECK_INT(h->range_ms, 300000);
	CHECK_INT(back.ntypes, 3);
	CHECK_INT(back.types[0], 7);
	CHECK_INT(back.types[2], 1);
	remote_request_release(&back);
	remote_request_release(&rq);

	/* Zero queries, zero types: the body of an empty message. */
	buf_reset(&b);
	CHECK_INT(remote_request_encode(&rq, &b, err), 0);
	CHECK(hex_eq(&b, "00"));
	CHECK_INT(remote_request_decode(&back, b.data, b.len, err), 0);
	CHECK_INT(back.nqueries, 0);
	remote_request_release(&back);
	buf_release(&b);
}

/* A request body from the hex of an uncompressed ReadRequest. */
static int
decode_msg(const char *hex, struct remote_request *rq, char *err)
{
	struct buf raw = BUF_INIT(BUF_NOMAX), body = BUF_INIT(BUF_NOMAX);
	unsigned char n[ENC_UVARINT_MAX + 1];
	int r;

	unhex(&raw, hex);
	/* A snappy block of one literal, by hand, as the spec shows. */
	CHECK(raw.len > 0 && raw.len <= 60);
	n[0] = (unsigned char)raw.len;
	n[1] = (unsigned char)((raw.len - 1) << 2);
	buf_add(&body, n, 2);
	buf_add(&body, raw.data, raw.len);
	r = remote_request_decode(rq, body.data, body.len, err);
	buf_release(&raw);
	buf_release(&body);
	return r;
}

static void
test_request_types(void)
{
	struct remote_request rq;
	enum remote_type t;
	char err[ERR_MAX];

	/* Unpacked types (10 01), as the 2.42 server also takes them. */
	CHECK_INT(decode_msg("1000 1001", &rq, err), 0);
	CHECK_INT(rq.ntypes, 2);
	CHECK_INT(remote_request_pick_type(&rq, &t, err), 0);
	CHECK_INT(t, REMOTE_SAMPLES);
	remote_request_release(&rq);
	/* [5, 1]: the first one known. */
	CHECK_INT(decode_msg("12020501", &rq, err), 0);
	CHECK_INT(remote_request_pick_type(&rq, &t, err), 0);
	CHECK_INT(t, REMOTE_STREAMED_XOR_CHUNKS);
	remote_request_release(&rq);
	/* Nothing known: 2.42's 400 text. */
	CHECK_INT(decode_msg("12020507", &rq, err), 0);
	CHECK_INT(remote_request_pick_type(&rq, &t, err), -1);
	CHECK_STR(err, "server does not support any of the requested "
	    "response types: [5 7]; supported: map[SAMPLES:{} "
	    "STREAMED_XOR_CHUNKS:{}]");
	remote_request_release(&rq);
	/* None given: SAMPLES. */
	CHECK_INT(decode_msg("0a00", &rq, err), 0);
	CHECK_INT(rq.nqueries, 1);
	CHECK_INT(remote_request_pick_type(&rq, &t, err), 0);
	CHECK_INT(t, REMOTE_SAMPLES);
	remote_request_release(&rq);
	/* Unknown fields are skipped. */
	CHECK_INT(decode_msg("1a03616263 0a03 f80101 2801", &rq, err), 0);
	remote_request_release(&rq);
}

static void
test_request_errors(void)
{
	struct remote_request rq;
	struct buf b = BUF_INIT(BUF_NOMAX), good = BUF_INIT(BUF_NOMAX);
	char err[ERR_MAX], *big;
	int r;

	CHECK_INT(remote_request_decode(&rq, "", 0, err), REMOTE_EBAD);
	CHECK_STR(err, "snappy: corrupt input");
	CHECK_INT(remote_request_decode(&rq, "\x05\x10hi", 4, err),
	    REMOTE_EBAD);
	CHECK_STR(err, "snappy: corrupt input");
	CHECK_INT(rq.nqueries, 0);
	CHECK(rq.queries == NULL);
	/* A snappy header claiming 40 MiB. */
	unhex(&b, "80808014 00");
	CHECK_INT(remote_request_decode(&rq, b.data, b.len, err), REMOTE_EBAD);
	CHECK_STR(err, "snappy: decoded size 41943040 exceeds the limit of "
	    "33554432 bytes");
	/* A body over 32 MiB is refused before it is looked at. */
	big = calloc(1, REMOTE_MAX_BODY + 1);
	CHECK_INT(remote_request_decode(&rq, big, REMOTE_MAX_BODY + 1, err),
	    REMOTE_EBAD);
	CHECK_STR(err, "request body of 33554433 bytes exceeds the limit of "
	    "33554432 bytes");
	free(big);
	CHECK_INT(remote_http_status(REMOTE_EBAD), 400);
	CHECK_INT(remote_http_status(REMOTE_EQUERY), 500);
	CHECK_INT(remote_http_status(REMOTE_ESYS), 500);
	CHECK_INT(remote_http_status(0), 200);

	/* Not a ReadRequest: a field whose length runs past the end. */
	CHECK_INT(decode_msg("0a05 0800", &rq, err), REMOTE_EBAD);
	CHECK_STR(err, "ReadRequest: malformed protobuf");
	CHECK_INT(decode_msg("ff", &rq, err), REMOTE_EBAD);
	/* A matcher type past NRE: 2.42's 500 and words. */
	CHECK_INT(decode_msg("0a06 1a04 0809 1200", &rq, err), REMOTE_EQUERY);
	CHECK_STR(err, "query 0: matcher 0: invalid matcher type");
	CHECK_INT(remote_http_status(REMOTE_EQUERY), 500);
	/* A regex that does not compile, in the second query. */
	CHECK_INT(decode_msg("0a00 0a0a 1a08 0802 1201 61 1a01 28", &rq, err),
	    REMOTE_EQUERY);
	CHECK(strncmp(err, "query 1: matcher 0: bad regex '(' for label a",
	    44) == 0);
	CHECK_INT(rq.nqueries, 0);
	/* A NUL in a label name. */
	CHECK_INT(decode_msg("0a07 1a05 1203 61 00 62", &rq, err), REMOTE_EBAD);
	CHECK_STR(err, "query 0: matcher 0: label name holds a NUL byte");
	/* ... but anywhere in a value it is just a byte. */
	CHECK_INT(decode_msg("0a07 1a05 1a03 61 00 62", &rq, err), 0);
	CHECK_INT(rq.queries[0].matchers[0].vlen, 3);
	remote_request_release(&rq);

	/*
	 * Every cut of a good body, compressed or not, is refused or read,
	 * never run past (ASan watches).
	 */
	unhex(&good, SPEC_REQ_CHUNKS);
	for (size_t i = 0; i < good.len; i++) {
		r = remote_request_decode(&rq, good.data, i, err);
		CHECK(r == REMOTE_EBAD);
	}
	for (size_t i = 2; i < good.len; i++) {
		buf_reset(&b);
		buf_add(&b, good.data, good.len);
		b.data[0] = (char)(i - 2);
		b.data[1] = (char)((i - 3) << 2);
		if (i == 2)
			b.len = 1, b.data[0] = 0;
		else
			b.len = i;
		r = remote_request_decode(&rq, b.data, b.len, err);
		CHECK(r == 0 || r == REMOTE_EBAD);
		remote_request_release(&rq);
	}
	buf_release(&b);
	buf_release(&good);
}

/* A million empty queries: two bytes each, but protobuf-c's structs for
 * them would take some eighty: over the unpack budget. */
static void
test_request_budget(void)
{
	struct remote_request rq = REMOTE_REQUEST_INIT;
	struct buf body = BUF_INIT(BUF_NOMAX);
	char err[ERR_MAX];

	for (int i = 0; i < (1 << 20); i++)
		remote_request_add_query(&rq, 0, 0, NULL, 0);
	CHECK_INT(remote_request_encode(&rq, &body, err), 0);
	remote_request_release(&rq);
	CHECK_INT(remote_request_decode(&rq, body.data, body.len, err),
	    REMOTE_EBAD);
	CHECK_STR(err, "ReadRequest: too many parts for its size");
	buf_release(&body);
}

/* --- SAMPLES ------------------------------------------------------------- */

static void
test_samples_round_trip(void)
{
	struct remote_samples_enc e;
	struct remote_response r = REMOTE_RESPONSE_INIT;
	struct labels l = LABELS_INIT;
	struct buf b = BUF_INIT(BUF_NOMAX);
	int64_t t[1000];
	double v[1000];
	char err[ERR_MAX], name[32];
	int ok = 1;

	remote_samples_enc_init(&e, BUF_NOMAX);
	for (int q = 0; q < 3; q++) {
		CHECK_INT(remote_samples_enc_query(&e), 0);
		for (int s = 0; s < 50 * q; s++) {
			snprintf(name, sizeof(name), "s%03d", s);
			mklabels(&l, "__name__", "m", "i", name,
			    "weird", "\"\\\n\t\xff", NULL);
			for (int i = 0; i < 1000; i++) {
				t[i] = INT64_MIN / 2 + (int64_t)i * 15000 + s;
				v[i] = i * 0.1 - s;
			}
			v[0] = from_bits(STALE);
			v[1] = from_bits(GONAN);
			v[2] = -0.0;
			v[3] = INFINITY;
			CHECK_INT(remote_samples_enc_series(&e, &l, t, v,
			    (size_t)(s % 50) * 20), 0);
		}
	}
	CHECK_INT(remote_samples_enc_finish(&e, &b), 0);
	CHECK_INT(remote_samples_decode(&r, b.data, b.len, 0, err), 0);
	CHECK_INT(r.nresults, 3);
	for (int q = 0; q < 3 && ok; q++) {
		CHECK_INT(r.results[q].nseries, 50 * q);
		for (int s = 0; s < 50 * q; s++) {
			struct remote_series *rs = &r.results[q].series[s];

			snprintf(name, sizeof(name), "s%03d", s);
			ok &= rs->labels.n == 3 &&
			    str_eq(rs->labels.v[1].value, name) &&
			    str_eq(rs->labels.v[2].value, "\"\\\n\t\xff");
			ok &= rs->n == (size_t)(s % 50) * 20;
			for (size_t i = 0; i < rs->n && ok; i++) {
				double want = i * 0.1 - s;

				ok &= rs->t[i] == INT64_MIN / 2 +
				    (int64_t)i * 15000 + s;
				if (i == 0)
					ok &= bits(rs->v[i]) == STALE;
				else if (i == 1)
					ok &= bits(rs->v[i]) == GONAN;
				else if (i == 2)
					/* -0 keeps its sign (2.42 sends 0). */
					ok &= bits(rs->v[i]) ==
					    0x8000000000000000ULL;
				else if (i == 3)
					ok &= rs->v[i] == INFINITY;
				else
					ok &= bits(rs->v[i]) == bits(want);
			}
		}
	}
	CHECK(ok);
	remote_response_release(&r);
	remote_samples_enc_release(&e);

	/* A cap on the response. */
	remote_samples_enc_init(&e, 100);
	CHECK_INT(remote_samples_enc_query(&e), 0);
	errno = 0;
	CHECK_INT(remote_samples_enc_series(&e, &l, t, v, 1000), -1);
	CHECK_INT(errno, ENOBUFS);
	remote_samples_enc_release(&e);
	labels_release(&l);
	buf_release(&b);
}

/*
 * The samples are written by hand (for speed): they must be the bytes
 * protobuf-c packs for the same ReadResponse, zeros, NaNs, negative and
 * zero timestamps, empty label values and empty series included.  (Not
 * -0: protobuf-c, like 2.42, drops it; we write it, see remote.c.)
 */
static void
test_samples_vs_protobuf_c(void)
{
	static const uint64_t vals[] = { 0, 0x8000000000000001ULL, STALE,
	    GONAN, 0x3ff0000000000000ULL, 0xfff0000000000000ULL, 1,
	    0x7ff0000000000000ULL };
	static const int64_t ts[] = { 0, -1, 1, INT64_MIN, INT64_MAX, 127, 128,
	    1700000000000LL };
	Prometheus__ReadResponse rr = PROMETHEUS__READ_RESPONSE__INIT;
	Prometheus__QueryResult qr[2], *qrp[2];
	Prometheus__TimeSeries ts0[3], *tsp[3];
	Prometheus__Label lab[2], *labp[2];
	Prometheus__Sample smp[64], *smpp[64];
	struct remote_samples_enc e;
	struct labels l = LABELS_INIT;
	struct buf ours = BUF_INIT(BUF_NOMAX);
	int64_t t[64];
	double v[64];
	unsigned char want[4096];
	char got[4096];
	size_t wn, gn = sizeof(got);

	for (size_t i = 0; i < 64; i++) {
		t[i] = ts[i % 8];
		v[i] = from_bits(vals[(i / 8 + i) % 8]);
		prometheus__sample__init(&smp[i]);
		smp[i].timestamp = t[i];
		smp[i].value = v[i];
		smpp[i] = &smp[i];
	}
	mklabels(&l, "__name__", "x", "empty", "", NULL);
	for (size_t i = 0; i < 2; i++) {
		prometheus__label__init(&lab[i]);
		lab[i].name.data = (uint8_t *)(uintptr_t)l.v[i].name.p;
		lab[i].name.len = l.v[i].name.n;
		lab[i].value.data = (uint8_t *)(uintptr_t)l.v[i].value.p;
		lab[i].value.len = l.v[i].value.n;
		labp[i] = &lab[i];
	}
	for (size_t i = 0; i < 3; i++) {
		prometheus__time_series__init(&ts0[i]);
		ts0[i].n_labels = i == 2 ? 0 : 2;
		ts0[i].labels = labp;
		ts0[i].n_samples = i == 1 ? 0 : 64;
		ts0[i].samples = smpp;
		tsp[i] = &ts0[i];
	}
	prometheus__query_result__init(&qr[0]);
	prometheus__query_result__init(&qr[1]);
	qr[1].n_timeseries = 3;
	qr[1].timeseries = tsp;
	qrp[0] = &qr[0];
	qrp[1] = &qr[1];
	rr.n_results = 2;
	rr.results = qrp;
	CHECK(prometheus__read_response__get_packed_size(&rr) <= sizeof(want));
	wn = prometheus__read_response__pack(&rr, want);

	remote_samples_enc_init(&e, BUF_NOMAX);
	CHECK_INT(remote_samples_enc_query(&e), 0);
	CHECK_INT(remote_samples_enc_query(&e), 0);
	CHECK_INT(remote_samples_enc_series(&e, &l, t, v, 64), 0);
	CHECK_INT(remote_samples_enc_series(&e, &l, t, v, 0), 0);
	labels_reset(&l);
	CHECK_INT(remote_samples_enc_series(&e, &l, t, v, 64), 0);
	CHECK_INT(remote_samples_enc_finish(&e, &ours), 0);
	CHECK(snappy_uncompress(ours.data, ours.len, got, &gn) == SNAPPY_OK);
	CHECK_INT(gn, wn);
	CHECK(memcmp(got, want, wn) == 0);
	remote_samples_enc_release(&e);
	labels_release(&l);
	buf_release(&ours);
}

static void
test_samples_errors(void)
{
	struct remote_response r;
	struct remote_samples_enc e;
	struct labels l = LABELS_INIT;
	struct buf b = BUF_INIT(BUF_NOMAX), c = BUF_INIT(BUF_NOMAX);
	char err[ERR_MAX];
	int64_t t[3] = { 1, 2, 3 };
	double v[3] = { 1, 2, 3 };
	int rc;

	CHECK_INT(remote_samples_decode(&r, "", 0, 0, err), REMOTE_EBAD);
	CHECK_INT(remote_samples_decode(&r, "\x02\x04\x0a\x05", 4, 0, err),
	    REMOTE_EBAD);
	CHECK_STR(err, "ReadResponse: malformed protobuf");
	unhex(&b, SPEC_RESP_SAMPLES);
	CHECK_INT(remote_samples_decode(&r, b.data, b.len, 10, err),
	    REMOTE_EBAD);
	CHECK_STR(err, "snappy: decoded size 37 exceeds the limit of 10 bytes");
	/* Every cut of a real body, and every byte flipped. */
	mklabels(&l, "__name__", "x", "a", "b", NULL);
	remote_samples_enc_init(&e, BUF_NOMAX);
	remote_samples_enc_query(&e);
	remote_samples_enc_series(&e, &l, t, v, 3);
	remote_samples_enc_series(&e, &l, t, v, 2);
	remote_samples_enc_finish(&e, &c);
	remote_samples_enc_release(&e);
	for (size_t i = 0; i < c.len; i++) {
		rc = remote_samples_decode(&r, c.data, i, 0, err);
		CHECK(rc == REMOTE_EBAD);
		for (int bit = 0; bit < 8; bit++) {
			buf_reset(&b);
			buf_add(&b, c.data, c.len);
			b.data[i] ^= (char)(1 << bit);
			rc = remote_samples_decode(&r, b.data, b.len, 0, err);
			CHECK(rc == 0 || rc == REMOTE_EBAD);
			remote_response_release(&r);
		}
	}
	labels_release(&l);
	buf_release(&b);
	buf_release(&c);
}

/* --- frames -------------------------------------------------------------- */

struct fake_chunk {
	int64_t		 mint, maxt;
	size_t		 len;
	unsigned char	 data[600];
};

/* Go's Chunk.Size() for a chunk, worked out here independently. */
static size_t
chunk_size(const struct fake_chunk *c)
{
	size_t n = 0;

	if (c->mint != 0)
		n += 1 + sov((uint64_t)c->mint);
	if (c->maxt != 0)
		n += 1 + sov((uint64_t)c->maxt);
	n += 2;				/* type XOR */
	if (c->len)
		n += 1 + sov(c->len) + c->len;
	return n;
}

static size_t
label_size(const struct labels *l)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].name.n)
			n += 1 + sov(l->v[i].name.n) + l->v[i].name.n;
		if (l->v[i].value.n)
			n += 1 + sov(l->v[i].value.n) + l->v[i].value.n;
	}
	return n;
}

/*
 * 2.42's cut, written out from its description: a frame per series
 * part; after each chunk the budget (max - labels) shrinks by the
 * chunk's size, and the frame goes when it is at or below 0 or the
 * series ends.  Returns the chunk count of each frame in counts.
 */
static size_t
expected_frames(const struct labels *l, const struct fake_chunk *c,
    size_t n, size_t max, size_t *counts)
{
	int64_t left = (int64_t)max - (int64_t)label_size(l);
	size_t nf = 0, in = 0;

	for (size_t i = 0; i < n; i++) {
		left -= (int64_t)chunk_size(&c[i]);
		in++;
		if (left > 0 && i + 1 < n)
			continue;
		counts[nf++] = in;
		in = 0;
		left = (int64_t)max - (int64_t)label_size(l);
	}
	return nf;
}

static void
test_frame_split(void)
{
	static struct fake_chunk c[40];
	struct buf out = BUF_INIT(BUF_NOMAX);
	struct remote_frame_enc e;
	struct remote_frame_dec d;
	struct remote_frame f;
	struct labels l = LABELS_INIT, big = LABELS_INIT;
	size_t counts[64], nf, got, k;
	char err[ERR_MAX], longval[400];
	static const size_t budgets[] = { 1, 100, 300, 1000, 5000, 1 << 20 };

	for (size_t i = 0; i < 40; i++) {
		c[i].mint = (int64_t)i * 1000 - 3000;
		c[i].maxt = c[i].mint + 999;
		c[i].len = 10 + (i * 37) % 300;
		for (size_t j = 0; j < c[i].len; j++)
			c[i].data[j] = (unsigned char)(i + j);
	}
	mklabels(&l, "__name__", "split", "job", "x", NULL);
	memset(longval, 'v', sizeof(longval) - 1);
	longval[sizeof(longval) - 1] = '\0';
	mklabels(&big, "__name__", "big", "v", longval, NULL);

	for (size_t bi = 0; bi < sizeof(budgets) / sizeof(budgets[0]); bi++)
	for (int which = 0; which < 2; which++) {
		const struct labels *ls = which ? &big : &l;

		buf_reset(&out);
		remote_frame_enc_init(&e, &out, budgets[bi]);
		CHECK_INT(remote_frame_enc_series(&e, 3, ls), 0);
		for (size_t i = 0; i < 40; i++)
			CHECK_INT(remote_frame_enc_chunk(&e, c[i].mint,
			    c[i].maxt, REMOTE_CHUNK_XOR, c[i].data, c[i].len),
			    0);
		/* A series without chunks sends nothing. */
		CHECK_INT(remote_frame_enc_series(&e, 3, &l), 0);
		CHECK_INT(remote_frame_enc_end(&e), 0);
		remote_frame_enc_release(&e);

		nf = expected_frames(ls, c, 40, budgets[bi], counts);
		remote_frame_dec_init(&d, 0);
		remote_frame_dec_feed(&d, out.data, out.len);
		got = 0;
		k = 0;
		while (remote_frame_dec_next(&d, &f, err) == 1) {
			CHECK_INT(f.query_index, 3);
			CHECK_INT(f.nseries, 1);
			CHECK_INT(labels_compare(&f.series[0].labels, ls), 0);
			if (got < nf)
				CHECK_INT(f.series[0].nchunks, counts[got]);
			for (size_t j = 0; j < f.series[0].nchunks; j++, k++) {
				const struct remote_chunk *rc =
				    &f.series[0].chunks[j];

				CHECK(k < 40 && rc->mint == c[k].mint &&
				    rc->maxt == c[k].maxt &&
				    rc->len == c[k].len &&
				    memcmp(rc->data, c[k].data, rc->len) == 0);
			}
			got++;
		}
		CHECK_INT(got, nf);
		CHECK_INT(k, 40);
		CHECK_INT(remote_frame_dec_finish(&d, err), 0);
		remote_frame_dec_release(&d);
	}
	/* The default budget: all 40 in one frame; 1 byte: one each. */
	CHECK_INT(expected_frames(&l, c, 40, 1 << 20, counts), 1);
	CHECK_INT(expected_frames(&l, c, 40, 1, counts), 40);
	/* Labels alone over the budget: one chunk per frame too. */
	CHECK_INT(expected_frames(&big, c, 40, 300, counts), 40);
	labels_release(&l);
	labels_release(&big);
	buf_release(&out);
}

static void
test_frame_errors(void)
{
	struct buf out = BUF_INIT(BUF_NOMAX), b = BUF_INIT(BUF_NOMAX);
	struct remote_frame_dec d;
	struct remote_frame f;
	char err[ERR_MAX];
	uint32_t crc;
	int rc;

	/* Two good frames, then damage in the second. */
	unhex(&b, SPEC_FRAME);
	buf_add(&out, b.data, b.len);
	buf_add(&out, b.data, b.len);

	buf_reset(&b);
	buf_add(&b, out.data, out.len);
	b.data[55 + 30] ^= 1;
	remote_frame_dec_init(&d, 0);
	remote_frame_dec_feed(&d, b.data, b.len);
	CHECK_INT(remote_frame_dec_next(&d, &f, err), 1);
	CHECK_INT(remote_frame_dec_next(&d, &f, err), REMOTE_EBAD);
	CHECK(strncmp(err, "frame 1 at byte 55: CRC mismatch: stored "
	    "3b366d22, computed ", 60) == 0);
	/* It stays failed. */
	CHECK_INT(remote_frame_dec_next(&d, &f, err), REMOTE_EBAD);
	CHECK_INT(remote_frame_dec_finish(&d, err), REMOTE_EBAD);
	remote_frame_dec_release(&d);

	/* The stored CRC itself damaged. */
	buf_reset(&b);
	buf_add(&b, out.data, out.len);
	b.data[2] ^= 0x80;
	remote_frame_dec_init(&d, 0);
	remote_frame_dec_feed(&d, b.data, b.len);
	CHECK_INT(remote_frame_dec_next(&d, &f, err), REMOTE_EBAD);
	CHECK(strstr(err, "frame 0 at byte 0: CRC mismatch") == err);
	remote_frame_dec_release(&d);

	/* A frame over the cap, refused before its bytes arrive. */
	remote_frame_dec_init(&d, 49);
	remote_frame_dec_feed(&d, out.data, 1);
	CHECK_INT(remote_frame_dec_next(&d, &f, err), REMOTE_EBAD);
	CHECK_STR(err, "frame 0 at byte 0: size 50 exceeds the limit of 49 "
	    "bytes");
	remote_frame_dec_release(&d);
	remote_frame_dec_init(&d, 50);
	remote_frame_dec_feed(&d, out.data, out.len);
	CHECK_INT(remote_frame_dec_next(&d, &f, err), 1);
	remote_frame_dec_release(&d);

	/* A size varint that never ends. */
	remote_frame_dec_init(&d, 0);
	remote_frame_dec_feed(&d, "\xff\xff\xff\xff\xff\xff\xff\xff\xff", 9);
	CHECK_INT(remote_frame_dec_next(&d, &f, err), 0);
	remote_frame_dec_feed(&d, "\xff\xff", 2);
	CHECK_INT(remote_frame_dec_next(&d, &f, err), REMOTE_EBAD);
	CHECK(strstr(err, "frame 0 at byte 0: bad size") == err);
	remote_frame_dec_release(&d);

	/* Cut anywhere: the reader waits, and finish says truncated. */
	for (size_t i = 1; i < out.len; i++) {
		remote_frame_dec_init(&d, 0);
		remote_frame_dec_feed(&d, out.data, i);
		rc = remote_frame_dec_next(&d, &f, err);
		CHECK_INT(rc, i >= 55);
		if (i >= 55)
			rc = remote_frame_dec_next(&d, &f, err);
		CHECK_INT(rc, 0);
		CHECK_INT(remote_frame_dec_finish(&d, err),
		    i == 55 ? 0 : REMOTE_EBAD);
		if (i != 55)
			CHECK(strstr(err, "truncated frame") != NULL);
		remote_frame_dec_release(&d);
	}

	/* A good CRC over bytes that are not a ChunkedReadResponse. */
	buf_reset(&b);
	crc = crc32c("\x0a\x05\x0a", 3);
	buf_add(&b, "\x03", 1);
	enc_be32(&b, crc);
	buf_add(&b, "\x0a\x05\x0a", 3);
	remote_frame_dec_init(&d, 0);
	remote_frame_dec_feed(&d, b.data, b.len);
	CHECK_INT(remote_frame_dec_next(&d, &f, err), REMOTE_EBAD);
	CHECK_STR(err, "frame 0 at byte 0: malformed protobuf");
	remote_frame_dec_release(&d);

	/* An empty frame is a frame with nothing in it. */
	remote_frame_dec_init(&d, 0);
	remote_frame_dec_feed(&d, "\x00\x00\x00\x00\x00", 5);
	CHECK_INT(remote_frame_dec_next(&d, &f, err), 1);
	CHECK_INT(f.nseries, 0);
	CHECK_INT(remote_frame_dec_finish(&d, err), 0);
	remote_frame_dec_release(&d);

	/* An empty stream is fine. */
	remote_frame_dec_init(&d, 0);
	CHECK_INT(remote_frame_dec_next(&d, &f, err), 0);
	CHECK_INT(remote_frame_dec_finish(&d, err), 0);
	remote_frame_dec_release(&d);
	buf_release(&out);
	buf_release(&b);
}

/* Many series in many queries, through the writer and back, in pieces
 * of every size. */
static void
test_frame_stream(void)
{
	struct buf out = BUF_INIT(BUF_NOMAX), chunk = BUF_INIT(BUF_NOMAX);
	struct remote_frame_enc e;
	struct remote_frame_dec d;
	struct remote_frame f;
	struct labels l = LABELS_INIT;
	struct xor_enc x;
	const unsigned char *p;
	char err[ERR_MAX], name[16];
	size_t len, nframes, nseries;
	int rc;

	remote_frame_enc_init(&e, &out, 0);
	for (int q = 0; q < 4; q++)
		for (int s = 0; s < 100; s++) {
			snprintf(name, sizeof(name), "%d", s);
			mklabels(&l, "__name__", "up", "i", name, NULL);
			CHECK_INT(remote_frame_enc_series(&e, q, &l), 0);
			for (int k = 0; k < 3; k++) {
				buf_reset(&chunk);
				xor_enc_init(&x, &chunk);
				for (int i = 0; i < 120; i++)
					xor_enc_add(&x, k * 1800000 + i * 15000,
					    i * s);
				p = xor_enc_finish(&x, &len);
				CHECK_INT(remote_frame_enc_chunk(&e,
				    k * 1800000, k * 1800000 + 119 * 15000,
				    REMOTE_CHUNK_XOR, p, len), 0);
			}
		}
	CHECK_INT(remote_frame_enc_end(&e), 0);
	remote_frame_enc_release(&e);

	for (size_t piece = 1; piece < 5000; piece = piece * 3 + 1) {
		struct remote_points pts = REMOTE_POINTS_INIT;

		remote_frame_dec_init(&d, 0);
		nframes = nseries = 0;
		for (size_t off = 0; off < out.len; off += piece) {
			remote_frame_dec_feed(&d, out.data + off,
			    off + piece < out.len ? piece : out.len - off);
			while ((rc = remote_frame_dec_next(&d, &f, err)) == 1) {
				CHECK_INT(f.query_index, nframes / 100);
				CHECK_INT(f.series[0].nchunks, 3);
				remote_points_reset(&pts);
				CHECK_INT(remote_points_add_chunks(&pts,
				    f.series[0].chunks, f.series[0].nchunks,
				    INT64_MIN, INT64_MAX, err), 0);
				CHECK_INT(remote_points_finish(&pts), 0);
				CHECK_INT(pts.n, 360);
				CHECK(pts.v[359] == 119.0 * (nframes % 100));
				nframes++;
				nseries += f.nseries;
			}
			CHECK_INT(rc, 0);
		}
		CHECK_INT(nframes, 400);
		CHECK_INT(nseries, 400);
		CHECK_INT(remote_frame_dec_finish(&d, err), 0);
		/* What was read is dropped as feeding goes on. */
		CHECK(d.in.len < 2 * piece + 4096);
		remote_frame_dec_release(&d);
		remote_points_release(&pts);
	}
	labels_release(&l);
	buf_release(&out);
	buf_release(&chunk);
}

/* --- points -------------------------------------------------------------- */

static void
add_chunk(struct buf *b, struct remote_chunk *c, const int64_t *t,
    const uint64_t *v, size_t n)
{
	struct xor_enc x;
	size_t len;

	buf_init(b, BUF_NOMAX);
	xor_enc_init(&x, b);
	for (size_t i = 0; i < n; i++)
		xor_enc_add_bits(&x, t[i], v[i]);
	c->data = xor_enc_finish(&x, &len);
	c->len = len;
	c->mint = t[0];
	c->maxt = t[n - 1];
	c->encoding = REMOTE_CHUNK_XOR;
}

static void
test_points(void)
{
	static const int64_t t1[] = { 10, 20, 30, 40 }, t2[] = { 25, 30, 50 };
	static const uint64_t v1[] = { 1, STALE, 3, 0x8000000000000000ULL };
	static const uint64_t v2[] = { 7, 8, 9 };
	struct buf b1, b2;
	struct remote_chunk c[2];
	struct remote_points p = REMOTE_POINTS_INIT;
	char err[ERR_MAX];

	add_chunk(&b1, &c[0], t1, v1, 4);
	add_chunk(&b2, &c[1], t2, v2, 3);
	/* Overlapping chunks: time order, the first of a timestamp kept. */
	CHECK_INT(remote_points_add_chunks(&p, c, 2, INT64_MIN, INT64_MAX,
	    err), 0);
	CHECK_INT(remote_points_finish(&p), 0);
	CHECK_INT(p.n, 6);
	CHECK(p.t[0] == 10 && p.t[1] == 20 && p.t[2] == 25 && p.t[3] == 30 &&
	    p.t[4] == 40 && p.t[5] == 50);
	CHECK(bits(p.v[1]) == STALE && bits(p.v[2]) == 7 &&
	    bits(p.v[3]) == 3 && bits(p.v[4]) == 0x8000000000000000ULL);
	/* A range. */
	remote_points_reset(&p);
	CHECK_INT(remote_points_add_chunks(&p, c, 1, 20, 30, err), 0);
	CHECK_INT(remote_points_finish(&p), 0);
	CHECK_INT(p.n, 2);
	/* Not XOR, or corrupt. */
	c[1].encoding = 2;
	CHECK_INT(remote_points_add_chunks(&p, c, 2, INT64_MIN, INT64_MAX,
	    err), REMOTE_EBAD);
	CHECK_STR(err, "chunk 1: encoding 2 is not supported");
	c[1].encoding = REMOTE_CHUNK_XOR;
	c[1].len = 5;
	CHECK_INT(remote_points_add_chunks(&p, c, 2, INT64_MIN, INT64_MAX,
	    err), REMOTE_EBAD);
	CHECK(strncmp(err, "chunk 1: ", 9) == 0);
	remote_points_release(&p);
	buf_release(&b1);
	buf_release(&b2);
}

static void
test_headers(void)
{
	const char *const *h = remote_request_headers;

	CHECK_STR(h[0], "Content-Encoding: snappy");
	CHECK_STR(h[1], "Accept-Encoding: snappy");
	CHECK_STR(h[2], "Content-Type: application/x-protobuf");
	CHECK(strncmp(h[3], "User-Agent: strata/", 19) == 0);
	CHECK_STR(h[4], "X-Prometheus-Remote-Read-Version: 0.1.0");
	CHECK(h[5] == NULL);
	CHECK_STR(REMOTE_CT_STREAM, "application/x-streamed-protobuf; "
	    "proto=prometheus.ChunkedReadResponse");
}

/* Bodies of many windows, handed out piece by piece: the same message
 * as built whole, every sample back, memory freed as pieces go. */
static void
test_samples_large(void)
{
	struct remote_samples_enc e;
	struct remote_response r = REMOTE_RESPONSE_INIT;
	struct labels l = LABELS_INIT;
	struct buf whole = BUF_INIT(BUF_NOMAX), piece = BUF_INIT(BUF_NOMAX);
	struct buf all = BUF_INIT(BUF_NOMAX);
	enum { NS = 40, NQ = 3, N = 5000 };
	int64_t *t = calloc(N, sizeof(*t));
	double *v = calloc(N, sizeof(*v));
	char err[ERR_MAX], name[16];
	int rc, pieces = 0, ok = 1;

	for (size_t i = 0; i < N; i++) {
		t[i] = 1700000000000 + 15000 * (int64_t)i + (int64_t)(i % 7);
		v[i] = (double)i * 1.5 - (i % 3 ? 0.25 : 1e300);
	}
	for (int pass = 0; pass < 2; pass++) {
		remote_samples_enc_init(&e, BUF_NOMAX);
		for (int q = 0; q < NQ; q++) {
			CHECK_INT(remote_samples_enc_query(&e), 0);
			for (int k = 0; k < NS * q; k++) {
				snprintf(name, sizeof(name), "s%03d", k);
				labels_reset(&l);
				mklabels(&l, "__name__", name, "q", "x", NULL);
				CHECK_INT(remote_samples_enc_series(&e, &l, t, v,
				    N - (size_t)k), 0);
			}
		}
		if (pass == 0) {
			CHECK_INT(remote_samples_enc_finish(&e, &whole), 0);
		} else {
			do {
				buf_reset(&piece);
				rc = remote_samples_enc_next(&e, &piece);
				CHECK(rc >= 0);
				CHECK(piece.len <= ((size_t)1 << 20) + 16);
				buf_add(&all, piece.data, piece.len);
				pieces++;
			} while (rc == 1);
		}
		remote_samples_enc_release(&e);
	}
	CHECK(pieces > 1);
	CHECK_INT(all.len, whole.len);
	CHECK(memcmp(all.data, whole.data, all.len) == 0);
	CHECK_INT(remote_samples_decode(&r, whole.data, whole.len, 0, err), 0);
	CHECK_INT(r.nresults, NQ);
	for (int q = 0; q < NQ; q++) {
		CHECK_INT(r.results[q].nseries, (size_t)(NS * q));
		for (size_t k = 0; k < r.results[q].nseries; k++) {
			const struct remote_series *rs = &r.results[q].series[k];

			ok &= rs->n == N - k;
			for (size_t i = 0; i < rs->n && ok; i++)
				ok &= rs->t[i] == t[i] &&
				    memcmp(&rs->v[i], &v[i], 8) == 0;
		}
	}
	CHECK(ok);
	remote_response_release(&r);
	/* A cap on the uncompressed size still holds. */
	remote_samples_enc_init(&e, 100000);
	CHECK_INT(remote_samples_enc_query(&e), 0);
	labels_reset(&l);
	mklabels(&l, "__name__", "x", NULL);
	CHECK_INT(remote_samples_enc_series(&e, &l, t, v, 4000), 0);
	CHECK_INT(remote_samples_enc_series(&e, &l, t, v, 4000), -1);
	CHECK_INT(errno, ENOBUFS);
	remote_samples_enc_release(&e);
	labels_release(&l);
	buf_release(&whole);
	buf_release(&piece);
	buf_release(&all);
	free(t);
	free(v);
}

int
main(void)
{
	test_spec_request();
	test_spec_samples();
	test_spec_frame();
	test_request_round_trip();
	test_request_types();
	test_request_errors();
	test_request_budget();
	test_samples_round_trip();
	test_samples_vs_protobuf_c();
	test_samples_errors();
	test_samples_large();
	test_frame_split();
	test_frame_errors();
	test_frame_stream();
	test_points();
	test_headers();
	return unit_done();
}
