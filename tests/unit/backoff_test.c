#include <limits.h>

#include "base/backoff.h"
#include "unit.h"

/* Nominal delay of attempt n, computed the slow and obvious way. */
static long
nominal(long base, long max, unsigned n)
{
	long d = base;

	while (n-- > 0 && d < max)
		d = d > max / 2 ? max : d * 2;
	return d < max ? d : max;
}

int
main(void)
{
	struct backoff b, c;
	long v, lo, hi, sum;
	unsigned i, k;
	int below, above, differ;

	/* Every draw lies in [d/2, d], for many draws at each attempt. */
	for (k = 0; k < 12; k++) {
		below = above = 0;
		for (i = 0; i < 2000; i++) {
			backoff_init(&b, 100, 30000);
			b.attempt = k;
			v = backoff_next(&b);
			hi = nominal(100, 30000, k);
			if (v < hi / 2)
				below++;
			if (v > hi)
				above++;
		}
		CHECK_INT(below, 0);
		CHECK_INT(above, 0);
	}

	/* Growth: doubling per attempt until the cap, which then holds. */
	backoff_init(&b, 100, 30000);
	for (k = 0; k < 20; k++) {
		hi = nominal(100, 30000, k);
		v = backoff_next(&b);
		CHECK(v >= hi / 2 && v <= hi);
		CHECK_INT(b.attempt, k + 1);
	}
	CHECK_INT(nominal(100, 30000, 8), 25600);
	CHECK_INT(nominal(100, 30000, 9), 30000);

	/* The draws use the whole range and are not stuck at one end:
	 * 4000 draws in [500, 1000] average near 750. */
	sum = 0;
	lo = LONG_MAX;
	hi = 0;
	backoff_init(&b, 1000, 1000);
	for (i = 0; i < 4000; i++) {
		v = backoff_next(&b);
		sum += v;
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	CHECK(lo >= 500 && lo < 510);
	CHECK(hi <= 1000 && hi > 990);
	CHECK(sum / 4000 > 730 && sum / 4000 < 770);

	/* Cap: at a high attempt the delay is max, jittered. */
	backoff_init(&b, 100, 5000);
	for (i = 0; i < 30; i++)
		(void)backoff_next(&b);
	for (i = 0; i < 100; i++) {
		v = backoff_next(&b);
		CHECK(v >= 2500 && v <= 5000);
	}

	/* Reset: back to the first, short delay. */
	backoff_reset(&b);
	CHECK_INT(b.attempt, 0);
	v = backoff_next(&b);
	CHECK(v >= 50 && v <= 100);
	CHECK_INT(b.attempt, 1);

	/* No overflow at attempt 200, nor with huge bounds; UBSan is the
	 * real check here, as shifts past the width would trap. */
	backoff_init(&b, 100, 60000);
	for (i = 0; i < 200; i++)
		(void)backoff_next(&b);
	CHECK_INT(b.attempt, 200);
	v = backoff_next(&b);
	CHECK(v >= 30000 && v <= 60000);
	backoff_init(&b, LONG_MAX / 3, LONG_MAX);
	b.attempt = 200;
	v = backoff_next(&b);
	CHECK(v >= LONG_MAX / 2 && v <= LONG_MAX);
	backoff_init(&b, 1, LONG_MAX);
	b.attempt = 62;
	v = backoff_next(&b);
	CHECK(v >= (1L << 61) && v <= (1L << 62));
	b.attempt = UINT_MAX;
	v = backoff_next(&b);
	CHECK(v >= LONG_MAX / 2);
	CHECK_INT(b.attempt, UINT_MAX);

	/* base == max: every delay is in [max/2, max] from the start. */
	backoff_init(&b, 200, 200);
	for (i = 0; i < 50; i++) {
		v = backoff_next(&b);
		CHECK(v >= 100 && v <= 200);
	}

	/* Degenerate bounds are normalised rather than trusted. */
	backoff_init(&b, -5, -10);
	CHECK_INT(b.base_ms, 0);
	CHECK_INT(b.max_ms, 0);
	CHECK_INT(backoff_next(&b), 0);
	backoff_init(&b, 300, 100);
	CHECK_INT(b.max_ms, 300);
	v = backoff_next(&b);
	CHECK(v >= 150 && v <= 300);
	backoff_init(&b, 1, 1);
	for (i = 0; i < 50; i++) {
		v = backoff_next(&b);
		CHECK(v == 0 || v == 1);
	}

	/* Two generators seeded apart do not walk in step. */
	backoff_init(&b, 1000000, 1000000);
	backoff_init(&c, 1000000, 1000000);
	CHECK(b.rng != 0 && c.rng != 0);
	differ = 0;
	for (i = 0; i < 10; i++)
		if (backoff_next(&b) != backoff_next(&c))
			differ++;
	CHECK(differ > 0);

	return unit_done();
}
