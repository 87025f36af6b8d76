/*
 * SHA-256 as FIPS 180-4 sections 4.1.2, 4.2.2, 5.1.1, 5.3.3 and 6.2
 * describe it, one 64-byte block at a time; HMAC as RFC 2104 section 2.
 */
#include <string.h>

#include "base/sha256.h"

/* FIPS 180-4 4.2.2: the first 32 bits of the fractional parts of the cube
 * roots of the first 64 primes. */
static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5,
	0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
	0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
	0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

/* FIPS 180-4 5.3.3: the first 32 bits of the fractional parts of the
 * square roots of the first 8 primes. */
static const uint32_t H0[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
};

static uint32_t
rotr(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static uint32_t
load_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void
store_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* FIPS 180-4 6.2.2: one block into the chaining state. */
static void
compress(uint32_t h[8], const unsigned char blk[SHA256_BLOCK])
{
	uint32_t w[64], a, b, c, d, e, f, g, hh, s0, s1, t1, t2;
	int t;

	for (t = 0; t < 16; t++)
		w[t] = load_be32(blk + 4 * t);
	for (; t < 64; t++) {
		s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^
		    (w[t - 15] >> 3);
		s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^
		    (w[t - 2] >> 10);
		w[t] = s1 + w[t - 7] + s0 + w[t - 16];
	}
	a = h[0];
	b = h[1];
	c = h[2];
	d = h[3];
	e = h[4];
	f = h[5];
	g = h[6];
	hh = h[7];
	for (t = 0; t < 64; t++) {
		t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) +
		    ((e & f) ^ (~e & g)) + K[t] + w[t];
		t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) +
		    ((a & b) ^ (a & c) ^ (b & c));
		hh = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	h[5] += f;
	h[6] += g;
	h[7] += hh;
}

void
sha256_init(struct sha256 *c)
{
	memcpy(c->h, H0, sizeof(c->h));
	c->len = 0;
}

void
sha256_update(struct sha256 *c, const void *p, size_t n)
{
	const unsigned char *in = p;
	size_t have, take;

	if (n == 0)
		return;
	have = (size_t)(c->len % SHA256_BLOCK);
	c->len += n;
	if (have > 0) {
		take = SHA256_BLOCK - have;
		if (take > n)
			take = n;
		memcpy(c->blk + have, in, take);
		in += take;
		n -= take;
		if (have + take < SHA256_BLOCK)
			return;
		compress(c->h, c->blk);
	}
	/* Whole blocks straight from the caller's memory, no copy. */
	for (; n >= SHA256_BLOCK; in += SHA256_BLOCK, n -= SHA256_BLOCK)
		compress(c->h, in);
	if (n > 0)
		memcpy(c->blk, in, n);
}

void
sha256_final(struct sha256 *c, unsigned char out[SHA256_LEN])
{
	uint64_t bits = c->len * 8;
	size_t have = (size_t)(c->len % SHA256_BLOCK);
	int i;

	/* FIPS 180-4 5.1.1: a 1 bit, zeros, then the length in bits as a
	 * 64-bit big-endian number ending the last block. */
	c->blk[have++] = 0x80;
	if (have > SHA256_BLOCK - 8) {
		memset(c->blk + have, 0, SHA256_BLOCK - have);
		compress(c->h, c->blk);
		have = 0;
	}
	memset(c->blk + have, 0, SHA256_BLOCK - 8 - have);
	store_be32(c->blk + 56, (uint32_t)(bits >> 32));
	store_be32(c->blk + 60, (uint32_t)bits);
	compress(c->h, c->blk);
	for (i = 0; i < 8; i++)
		store_be32(out + 4 * i, c->h[i]);
	/* The state may be derived from an HMAC key. */
	explicit_bzero(c, sizeof(*c));
}

void
sha256_hex(const unsigned char d[SHA256_LEN], char out[SHA256_HEXLEN])
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < SHA256_LEN; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 0x0f];
	}
	out[2 * SHA256_LEN] = '\0';
}

void
sha256_digest(const void *p, size_t n, unsigned char out[SHA256_LEN])
{
	struct sha256 c;

	sha256_init(&c);
	sha256_update(&c, p, n);
	sha256_final(&c, out);
}

void
hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen,
    unsigned char out[SHA256_LEN])
{
	unsigned char k[SHA256_BLOCK], pad[SHA256_BLOCK], inner[SHA256_LEN];
	struct sha256 c;
	int i;

	memset(k, 0, sizeof(k));
	if (klen > SHA256_BLOCK)
		sha256_digest(key, klen, k);
	else if (klen > 0)
		memcpy(k, key, klen);

	for (i = 0; i < SHA256_BLOCK; i++)
		pad[i] = k[i] ^ 0x36;
	sha256_init(&c);
	sha256_update(&c, pad, sizeof(pad));
	sha256_update(&c, msg, mlen);
	sha256_final(&c, inner);

	for (i = 0; i < SHA256_BLOCK; i++)
		pad[i] = k[i] ^ 0x5c;
	sha256_init(&c);
	sha256_update(&c, pad, sizeof(pad));
	sha256_update(&c, inner, sizeof(inner));
	sha256_final(&c, out);

	explicit_bzero(k, sizeof(k));
	explicit_bzero(pad, sizeof(pad));
	explicit_bzero(inner, sizeof(inner));
}
