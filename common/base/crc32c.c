/*
 * CRC-32C two ways: the x86 SSE4.2 crc32 instruction, which computes
 * exactly this polynomial, and slicing-by-8 tables (8 table look-ups per
 * 8 input bytes) for every other CPU.  The choice is made once, at the
 * first call, under pthread_once so that threads may race to it.
 */
#include <pthread.h>
#include <string.h>

#include "base/crc32c.h"

#if defined(__x86_64__) || defined(__i386__)
#include <nmmintrin.h>
#define HAVE_SSE42_PATH	1
#endif

#define POLY	0x82F63B78u	/* 0x1EDC6F41 bit-reversed */

typedef uint32_t crc_fn(uint32_t, const unsigned char *, size_t);

static uint32_t		 table[8][256];
static crc_fn		*impl;
static pthread_once_t	 once = PTHREAD_ONCE_INIT;

/*
 * table[0] is the classic byte-at-a-time table; table[k][b] is the effect
 * of byte b followed by k zero bytes, so 8 bytes can be folded in with 8
 * independent look-ups instead of a chain of 8 dependent ones.
 */
static void
table_init(void)
{
	uint32_t c;
	int i, j, k;

	for (i = 0; i < 256; i++) {
		c = (uint32_t)i;
		for (j = 0; j < 8; j++)
			c = c & 1 ? (c >> 1) ^ POLY : c >> 1;
		table[0][i] = c;
	}
	for (i = 0; i < 256; i++)
		for (k = 1; k < 8; k++)
			table[k][i] = (table[k - 1][i] >> 8) ^
			    table[0][table[k - 1][i] & 0xff];
}

/* Little-endian loads byte by byte: right on any CPU and alignment, and
 * compilers turn them into one load where that is allowed. */
static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* The raw register (no pre- or post-inversion) over n bytes. */
static uint32_t
sw_raw(uint32_t c, const unsigned char *p, size_t n)
{
	uint32_t hi;

	for (; n >= 8; p += 8, n -= 8) {
		c ^= le32(p);
		hi = le32(p + 4);
		c = table[7][c & 0xff] ^ table[6][(c >> 8) & 0xff] ^
		    table[5][(c >> 16) & 0xff] ^ table[4][c >> 24] ^
		    table[3][hi & 0xff] ^ table[2][(hi >> 8) & 0xff] ^
		    table[1][(hi >> 16) & 0xff] ^ table[0][hi >> 24];
	}
	while (n--)
		c = (c >> 8) ^ table[0][(c ^ *p++) & 0xff];
	return c;
}

#ifdef HAVE_SSE42_PATH
/*
 * One crc32 instruction per 8 bytes.  Bytes are fed singly until p is
 * 8-aligned so the wide loads never straddle a cache line.
 */
__attribute__((target("sse4.2"))) static uint32_t
hw_raw(uint32_t c, const unsigned char *p, size_t n)
{
#ifdef __x86_64__
	uint64_t c64, w;

	for (; n > 0 && ((uintptr_t)p & 7) != 0; n--)
		c = _mm_crc32_u8(c, *p++);
	c64 = c;
	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		c64 = _mm_crc32_u64(c64, w);
	}
	c = (uint32_t)c64;
#else
	uint32_t w;

	for (; n >= 4; p += 4, n -= 4) {
		memcpy(&w, p, 4);
		c = _mm_crc32_u32(c, w);
	}
#endif
	while (n--)
		c = _mm_crc32_u8(c, *p++);
	return c;
}
#endif

static void
setup(void)
{
	table_init();
	impl = sw_raw;
#ifdef HAVE_SSE42_PATH
	__builtin_cpu_init();
	if (__builtin_cpu_supports("sse4.2"))
		impl = hw_raw;
#endif
}

uint32_t
crc32c_update(uint32_t crc, const void *p, size_t n)
{
	pthread_once(&once, setup);
	return ~impl(~crc, p, n);
}

uint32_t
crc32c(const void *p, size_t n)
{
	return crc32c_update(0, p, n);
}

uint32_t
crc32c_sw(uint32_t crc, const void *p, size_t n)
{
	pthread_once(&once, setup);
	return ~sw_raw(~crc, p, n);
}

int
crc32c_hw_available(void)
{
	pthread_once(&once, setup);
	return impl != sw_raw;
}
