#include <sys/random.h>

#include <limits.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "base/backoff.h"

/*
 * splitmix64's finaliser: spreads a weak seed (time ^ pid) over all 64 bits
 * so that seeds a few apart do not start out correlated.
 */
static uint64_t
backoff_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* xorshift64* (Vigna 2014): small, fast, good enough for jitter. */
static uint64_t
backoff_rand(struct backoff *b)
{
	uint64_t x = b->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	b->rng = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* Uniform in [0, n) without modulo bias; n > 0. */
static uint64_t
backoff_uniform(struct backoff *b, uint64_t n)
{
	uint64_t lim, x;

	/* Largest multiple of n that fits, so every residue is equally
	 * likely; rejects with probability below one half. */
	lim = UINT64_MAX - UINT64_MAX % n;
	do
		x = backoff_rand(b);
	while (x >= lim);
	return x % n;
}

void
backoff_init(struct backoff *b, long base_ms, long max_ms)
{
	struct timespec ts;
	uint64_t seed = 0;

	if (base_ms < 0)
		base_ms = 0;
	if (max_ms < base_ms)
		max_ms = base_ms;
	b->base_ms = base_ms;
	b->max_ms = max_ms;
	b->attempt = 0;

	/* A short read or no entropy yet: fall back rather than block. */
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(seed)) {
		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (uint64_t)ts.tv_sec * 1000000000ULL +
		    (uint64_t)ts.tv_nsec;
		seed ^= (uint64_t)getpid() << 32;
		/* Two backoffs set up in the same nanosecond still differ. */
		seed ^= (uint64_t)(uintptr_t)b;
	}
	seed = backoff_mix(seed);
	/* xorshift stays at 0 forever once there. */
	b->rng = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

long
backoff_next(struct backoff *b)
{
	unsigned n = b->attempt;
	long d;

	/* base * 2^n > max exactly when base > max >> n (for n < width),
	 * which checks the cap before any shift could overflow. */
	if (b->base_ms == 0)
		d = 0;
	else if (n >= sizeof(long) * CHAR_BIT - 1 ||
	    b->base_ms > (b->max_ms >> n))
		d = b->max_ms;
	else
		d = b->base_ms << n;
	if (b->attempt < UINT_MAX)
		b->attempt++;
	return d / 2 + (long)backoff_uniform(b, (uint64_t)(d - d / 2) + 1);
}

void
backoff_reset(struct backoff *b)
{
	b->attempt = 0;
}
