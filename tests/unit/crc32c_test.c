#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/crc32c.h"
#include "unit.h"

/* The definition itself, one bit at a time: the oracle for both paths. */
static uint32_t
bitwise(const unsigned char *p, size_t n)
{
	uint32_t c = 0xFFFFFFFF;
	int k;

	while (n--) {
		c ^= *p++;
		for (k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82F63B78 : c >> 1;
	}
	return ~c;
}

static void
test_vectors(void)
{
	unsigned char b[32];
	int i;

	CHECK_INT(crc32c("123456789", 9), 0xE3069283);
	CHECK_INT(crc32c_sw(0, "123456789", 9), 0xE3069283);
	CHECK_INT(crc32c("", 0), 0);
	CHECK_INT(crc32c(NULL, 0), 0);
	CHECK_INT(crc32c_sw(0, NULL, 0), 0);
	CHECK_INT(crc32c_update(0x12345678, NULL, 0), 0x12345678);

	/* RFC 3720 (iSCSI) B.4. */
	memset(b, 0, sizeof(b));
	CHECK_INT(crc32c(b, 32), 0x8A9136AA);
	CHECK_INT(crc32c_sw(0, b, 32), 0x8A9136AA);
	memset(b, 0xFF, sizeof(b));
	CHECK_INT(crc32c(b, 32), 0x62A8AB43);
	CHECK_INT(crc32c_sw(0, b, 32), 0x62A8AB43);
	for (i = 0; i < 32; i++)
		b[i] = (unsigned char)i;
	CHECK_INT(crc32c(b, 32), 0x46DD794E);
	CHECK_INT(crc32c_sw(0, b, 32), 0x46DD794E);
	for (i = 0; i < 32; i++)
		b[i] = (unsigned char)(31 - i);
	CHECK_INT(crc32c(b, 32), 0x113FDB5C);

	/* The chunk record of the spec's worked example (section 4.2):
	 * encoding byte 1 and the 21 data bytes. */
	{
		static const unsigned char rec[] = {
			0x01, 0x00, 0x04, 0xd0, 0x0f, 0x3f, 0xf0, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00, 0xe8, 0x07, 0xc2, 0x5f, 0xff,
			0x20, 0x7d, 0x36, 0x03
		};
		CHECK_INT(crc32c(rec, sizeof(rec)), 0x2FA6AD90);
	}
}

/*
 * Every length 0..300 at every alignment 0..7: the wide loops, their
 * alignment prologue and the byte tails all meet the bitwise oracle, and
 * so does every two-piece split fed incrementally.
 */
static void
test_random(void)
{
	unsigned char *mem = malloc(320);
	size_t n, off, cut;
	uint32_t want, hw, sw;
	int bad = 0, badinc = 0;

	srandom(1);
	for (n = 0; n < 320; n++)
		mem[n] = (unsigned char)random();
	for (off = 0; off < 8; off++) {
		for (n = 0; n <= 300; n++) {
			want = bitwise(mem + off, n);
			hw = crc32c(mem + off, n);
			sw = crc32c_sw(0, mem + off, n);
			if (hw != want || sw != want)
				bad++;
			for (cut = 0; cut <= n; cut += 7) {
				hw = crc32c_update(crc32c(mem + off, cut),
				    mem + off + cut, n - cut);
				sw = crc32c_sw(crc32c_sw(0, mem + off, cut),
				    mem + off + cut, n - cut);
				if (hw != want || sw != want)
					badinc++;
			}
		}
	}
	CHECK_INT(bad, 0);
	CHECK_INT(badinc, 0);
	free(mem);
}

/* A big buffer byte by byte equals one shot. */
static void
test_incremental(void)
{
	size_t n = 100000, i;
	unsigned char *p = malloc(n);
	uint32_t c = 0, s = 0;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 2654435761u >> 13);
	for (i = 0; i < n; i++) {
		c = crc32c_update(c, p + i, 1);
		s = crc32c_sw(s, p + i, 1);
	}
	CHECK_INT(c, crc32c(p, n));
	CHECK_INT(s, crc32c(p, n));
	CHECK_INT(crc32c_sw(0, p, n), crc32c(p, n));
	free(p);
}

int
main(void)
{
	fprintf(stderr, "crc32c: hardware path %s\n",
	    crc32c_hw_available() ? "in use" : "not available");
	test_vectors();
	test_random();
	test_incremental();
	return unit_done();
}
