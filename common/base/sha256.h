/*
 * sha256: SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104).
 *
 * For S3 request signing (x-amz-content-sha256, SigV4's HMAC chain) and for
 * hashing config files to see whether they changed.  Not for passwords.
 *
 * Invariants: a struct sha256 between sha256_init and sha256_final holds
 * the chaining state h, the total bytes fed so far in len, and the
 * len % 64 bytes of a block not yet compressed at the front of blk.
 * Nothing here allocates, fails, or keeps a pointer to the caller's bytes.
 */
#ifndef BASE_SHA256_H
#define BASE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN	32	/* digest bytes */
#define SHA256_HEXLEN	65	/* hex digest with its NUL */
#define SHA256_BLOCK	64	/* block bytes; HMAC pads keys to this */

struct sha256 {
	uint32_t	 h[8];
	uint64_t	 len;			/* bytes fed so far */
	unsigned char	 blk[SHA256_BLOCK];	/* len % 64 of them pending */
};

/* Start a new hash in the caller's struct. */
void	sha256_init(struct sha256 *c);

/* Feed n bytes at p; any split of the input gives the same digest.
 * p may be NULL when n is 0. */
void	sha256_update(struct sha256 *c, const void *p, size_t n);

/* Pad, write the 32-byte digest to out, and wipe the state: the struct
 * must be given to sha256_init again before further use. */
void	sha256_final(struct sha256 *c, unsigned char out[SHA256_LEN]);

/* Write d as 64 lowercase hex digits and a NUL into out (the form
 * x-amz-content-sha256 and SigV4 want). */
void	sha256_hex(const unsigned char d[SHA256_LEN],
	    char out[SHA256_HEXLEN]);

/* One shot: the digest of the n bytes at p. */
void	sha256_digest(const void *p, size_t n, unsigned char out[SHA256_LEN]);

/* HMAC-SHA256 of msg under key (RFC 2104): keys longer than 64 bytes are
 * hashed first, shorter ones zero-padded.  out may overlap key or msg
 * (SigV4 chains each result into the next key): both are read in full
 * before out is written.  The padded key copies are wiped on return. */
void	hmac_sha256(const void *key, size_t klen, const void *msg,
	    size_t mlen, unsigned char out[SHA256_LEN]);

#endif
