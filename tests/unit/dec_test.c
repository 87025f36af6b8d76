#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/dec.h"
#include "unit.h"

/* Decode one uvarint from the n bytes at p; *err gets the dec error and
 * *used the bytes consumed. */
static uint64_t
uv(const void *p, size_t n, int *err, size_t *used)
{
	struct dec d;
	uint64_t x;

	dec_init(&d, p, n);
	x = dec_uvarint(&d);
	*err = d.err;
	*used = n - (size_t)(d.end - d.p);
	return x;
}

static void
test_fixed(void)
{
	static const unsigned char in[] = {
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
		0x0b, 0x0c, 0x0d, 0x0e, 0x0f
	};
	struct dec d;

	dec_init(&d, in, sizeof(in));
	CHECK_INT(dec_byte(&d), 1);
	CHECK_INT(dec_be16(&d), 0x0203);
	CHECK_INT(dec_be32(&d), 0x04050607);
	CHECK(dec_be64(&d) == 0x08090a0b0c0d0e0fULL);
	CHECK_INT(d.err, 0);
	CHECK_INT(dec_remaining(&d), 0);
	CHECK(dec_bytes(&d, 0) == in + sizeof(in));
	CHECK_INT(dec_byte(&d), 0);
	CHECK_INT(d.err, DEC_ETRUNC);
	CHECK_STR(dec_strerror(&d), "truncated");
	CHECK(dec_bytes(&d, 0) == NULL);

	/* A short read fails without consuming, and the error sticks even
	 * for reads that would have fitted. */
	dec_init(&d, in, 3);
	CHECK_INT(dec_be32(&d), 0);
	CHECK_INT(d.err, DEC_ETRUNC);
	CHECK_INT(dec_remaining(&d), 0);
	CHECK_INT(dec_byte(&d), 0);
	CHECK_INT(dec_be16(&d), 0);

	dec_init(&d, in, 8);
	CHECK(dec_be64(&d) == 0x0102030405060708ULL);
	dec_init(&d, in, 7);
	CHECK(dec_be64(&d) == 0);
	CHECK_INT(d.err, DEC_ETRUNC);

	dec_init(&d, NULL, 0);
	CHECK_INT(dec_remaining(&d), 0);
	CHECK_INT(dec_uvarint(&d), 0);
	CHECK_INT(d.err, DEC_ETRUNC);

	/* A huge skip must not wrap the pointer around. */
	dec_init(&d, in, sizeof(in));
	dec_skip(&d, 2);
	CHECK_INT(dec_byte(&d), 3);
	dec_skip(&d, SIZE_MAX);
	CHECK_INT(d.err, DEC_ETRUNC);
	CHECK(d.p == d.end);
}

static void
test_uvarint(void)
{
	static const unsigned char max[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01
	};
	static const unsigned char over10[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02
	};
	static const unsigned char eleven[] = {
		0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
		0x00
	};
	static const unsigned char pad[] = { 0x80, 0x00 };
	static const unsigned char two63[] = {
		0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01
	};
	unsigned char b[16];
	size_t used, cut;
	int err, bad = 0;

	CHECK(uv("\x00", 1, &err, &used) == 0 && err == 0 && used == 1);
	CHECK(uv("\x7f", 1, &err, &used) == 127 && used == 1);
	CHECK(uv("\x80\x01", 2, &err, &used) == 128 && used == 2);
	CHECK(uv("\xac\x02", 2, &err, &used) == 300);
	CHECK(uv(max, sizeof(max), &err, &used) == UINT64_MAX);
	CHECK(err == 0 && used == 10);
	CHECK(uv(two63, sizeof(two63), &err, &used) == 1ULL << 63);
	CHECK_INT(err, 0);
	/* Non-canonical but accepted by Go. */
	CHECK(uv(pad, sizeof(pad), &err, &used) == 0 && err == 0 && used == 2);

	uv(over10, sizeof(over10), &err, &used);
	CHECK_INT(err, DEC_EOVERFLOW);
	uv(eleven, sizeof(eleven), &err, &used);
	CHECK_INT(err, DEC_EOVERFLOW);
	uv(eleven, 10, &err, &used);
	CHECK_INT(err, DEC_EOVERFLOW);
	{
		struct dec d;

		dec_init(&d, over10, sizeof(over10));
		dec_uvarint(&d);
		CHECK_STR(dec_strerror(&d), "varint overflows 64 bits");
		CHECK_INT(dec_remaining(&d), 0);
	}

	/* Every strict prefix of a valid varint is truncated, never a
	 * shorter number. */
	for (cut = 0; cut < sizeof(max); cut++) {
		memcpy(b, max, cut);
		uv(b, cut, &err, &used);
		if (err != DEC_ETRUNC)
			bad++;
	}
	CHECK_INT(bad, 0);
}

/* enc_* then dec_* gives the value back, using the byte count the
 * encoding should take. */
static void
test_round_trip(void)
{
	static const uint64_t u[] = {
		0, 1, 127, 128, 255, 16383, 16384, 1ULL << 32, (1ULL << 56) - 1,
		1ULL << 56, (1ULL << 63) - 1, 1ULL << 63, UINT64_MAX
	};
	static const int64_t s[] = {
		0, -1, 1, -2, 2, 63, -64, 64, -65, INT32_MIN, INT32_MAX,
		INT64_MAX, INT64_MIN, INT64_MIN + 1, -1000, 1000
	};
	struct buf b = BUF_INIT(BUF_NOMAX);
	struct dec d;
	size_t i, want;
	int bad = 0;

	for (i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
		buf_reset(&b);
		CHECK_INT(enc_uvarint(&b, u[i]), 0);
		want = 1;
		while (want < 10 && (u[i] >> (7 * want)) != 0)
			want++;
		CHECK_INT(b.len, want);
		dec_init(&d, b.data, b.len);
		if (dec_uvarint(&d) != u[i] || d.err || dec_remaining(&d))
			bad++;
	}
	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		buf_reset(&b);
		CHECK_INT(enc_varint(&b, s[i]), 0);
		dec_init(&d, b.data, b.len);
		if (dec_varint(&d) != s[i] || d.err || dec_remaining(&d))
			bad++;
		if (dec_unzigzag(enc_zigzag(s[i])) != s[i])
			bad++;
	}
	CHECK_INT(bad, 0);

	/* Zig-zag as Go defines it. */
	CHECK(enc_zigzag(0) == 0 && enc_zigzag(-1) == 1 && enc_zigzag(1) == 2);
	CHECK(enc_zigzag(-2) == 3 && enc_zigzag(INT64_MIN) == UINT64_MAX);
	CHECK(enc_zigzag(INT64_MAX) == UINT64_MAX - 1);
	buf_reset(&b);
	enc_varint(&b, -1000);
	CHECK_INT(b.len, 2);
	CHECK(memcmp(b.data, "\xcf\x0f", 2) == 0);

	buf_reset(&b);
	CHECK_INT(enc_byte(&b, 0x1ab), 0);
	CHECK_INT(enc_be16(&b, 0xbeef), 0);
	CHECK_INT(enc_be32(&b, 0x85BD40DD), 0);
	CHECK_INT(enc_be64(&b, 0x0102030405060708ULL), 0);
	CHECK_INT(b.len, 15);
	CHECK(memcmp(b.data, "\xab\xbe\xef\x85\xbd\x40\xdd"
	    "\x01\x02\x03\x04\x05\x06\x07\x08", 15) == 0);
	dec_init(&d, b.data, b.len);
	CHECK_INT(dec_byte(&d), 0xab);
	CHECK_INT(dec_be16(&d), 0xbeef);
	CHECK_INT(dec_be32(&d), 0x85BD40DD);
	CHECK(dec_be64(&d) == 0x0102030405060708ULL);
	buf_release(&b);

	/* Past the cap: -1, ENOBUFS, buffer unchanged. */
	buf_init(&b, 3);
	CHECK_INT(enc_be16(&b, 1), 0);
	CHECK_INT(enc_be32(&b, 1), -1);
	CHECK_INT(errno, ENOBUFS);
	CHECK_INT(b.len, 2);
	CHECK_INT(enc_uvarint(&b, 300), -1);
	CHECK_INT(enc_uvarint(&b, 3), 0);
	CHECK_INT(b.len, 3);
	buf_release(&b);
}

static void
test_ustr(void)
{
	static const unsigned char in[] = {
		0x03, 'a', 'b', 'c', 0x00, 0x05, 'x', 'y'
	};
	const unsigned char *s;
	struct dec d;
	size_t n, cut;
	int bad = 0;

	dec_init(&d, in, sizeof(in));
	s = dec_uvarint_str(&d, &n);
	CHECK(s == in + 1 && n == 3);
	s = dec_uvarint_str(&d, &n);
	CHECK(s != NULL && n == 0);
	s = dec_uvarint_str(&d, &n);
	CHECK(s == NULL && n == 0 && d.err == DEC_ETRUNC);

	/* A length near 2^64 must not wrap the bounds check. */
	{
		static const unsigned char huge[] = {
			0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			0x01, 'a'
		};
		dec_init(&d, huge, sizeof(huge));
		s = dec_uvarint_str(&d, &n);
		CHECK(s == NULL && d.err == DEC_ETRUNC);
	}

	/* Every truncation of the first string is an error. */
	for (cut = 0; cut < 4; cut++) {
		dec_init(&d, in, cut);
		if (dec_uvarint_str(&d, &n) != NULL || d.err != DEC_ETRUNC)
			bad++;
	}
	CHECK_INT(bad, 0);
}

int
main(void)
{
	test_fixed();
	test_uvarint();
	test_round_trip();
	test_ustr();
	return unit_done();
}
