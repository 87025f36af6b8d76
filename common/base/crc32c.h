/*
 * crc32c: CRC-32C (Castagnoli), the checksum of every Prometheus TSDB
 * file section, chunk record and remote-read frame.
 *
 * Reflected polynomial 0x82F63B78, register preset to 0xFFFFFFFF and
 * inverted at the end, so crc32c("123456789") = 0xE3069283 and the CRC of
 * no bytes is 0.  Prometheus stores it big-endian (BE32); this module only
 * computes the number.
 *
 * Invariants: every value passed in and out is a finished CRC, as with
 * zlib's crc32() and Go's crc32.Update: start from 0, feed the pieces in
 * order, and the last result is the CRC of their concatenation; there is
 * no separate finish step.  The SSE4.2 instruction is used when the CPU has
 * it, a slicing-by-8 table otherwise; both give the same answers.  Nothing
 * here allocates or fails, and it is safe to call from several threads.
 */
#ifndef BASE_CRC32C_H
#define BASE_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* The CRC-32C of the n bytes at p (p may be NULL when n is 0). */
uint32_t	crc32c(const void *p, size_t n);

/* Continue crc, the CRC of some earlier bytes (0 for none), over the n
 * bytes at p: crc32c_update(crc32c(a, na), b, nb) is the CRC of a then b. */
uint32_t	crc32c_update(uint32_t crc, const void *p, size_t n);

/* crc32c_update forced onto the portable table path, whatever the CPU:
 * for tests comparing the two paths, and for benchmarks. */
uint32_t	crc32c_sw(uint32_t crc, const void *p, size_t n);

/* 1 if crc32c_update uses the CPU's crc32 instruction, else 0. */
int		crc32c_hw_available(void);

#endif
