/*
 * backoff: exponential backoff with "equal jitter", for retry loops.
 *
 * Invariants: after backoff_init, 0 <= base_ms <= max_ms.  The n-th delay
 * (n counted from 0 since init or reset) is d = min(max_ms, base_ms * 2^n),
 * computed without overflow for any n, and backoff_next returns a value
 * drawn uniformly from the integers in [d/2, d] (d/2 rounded down), so
 * retries never come sooner than half the nominal delay and never later
 * than max_ms.  Each struct carries its own xorshift64* generator: no
 * global state, no rand(), so any number of threads may each own one.
 * The generator is not for cryptography.
 */
#ifndef BASE_BACKOFF_H
#define BASE_BACKOFF_H

#include <stdint.h>

struct backoff {
	long		 base_ms;	/* first delay, before jitter */
	long		 max_ms;	/* cap on the delay, before jitter */
	unsigned	 attempt;	/* delays handed out since reset */
	uint64_t	 rng;		/* xorshift64* state, never 0 */
};

/*
 * Start a backoff at attempt 0.  A negative base_ms is taken as 0 and a
 * max_ms below base_ms as base_ms.  The generator is seeded from
 * getrandom(2), or from the time, the pid and b's address when that fails.
 * Cannot fail; b is the caller's storage and holds no resources, so there
 * is nothing to release.
 */
void	backoff_init(struct backoff *b, long base_ms, long max_ms);

/*
 * The next delay in milliseconds, uniformly in [d/2, d] where
 * d = min(max_ms, base_ms * 2^attempt); then attempt is incremented
 * (saturating, so it never wraps back to short delays).  Never negative,
 * never more than max_ms.
 */
long	backoff_next(struct backoff *b);

/* Back to attempt 0, e.g. after a success; the generator keeps going. */
void	backoff_reset(struct backoff *b);

#endif
