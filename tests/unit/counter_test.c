#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "series/counter.h"
#include "series/dedup.h"
#include "unit.h"

/* resets() of a series: how often a value is below the one before. */
static int
resets(const double *v, size_t n)
{
	int r = 0;

	for (size_t i = 1; i < n; i++)
		r += v[i] < v[i - 1];
	return r;
}

/* increase without extrapolation: the sum of steps, a drop counting
 * as a reset from zero, as Prometheus counts. */
static double
increase(const double *v, size_t n)
{
	double s = 0;

	for (size_t i = 1; i < n; i++)
		s += v[i] >= v[i - 1] ? v[i] - v[i - 1] : v[i];
	return s;
}

static void
test_switch_to_lower_replica(void)
{
	/* a: 100, 110, 120, then a gap; b: same rate, 40 lower. */
	int64_t ta[] = { 0, 15000, 30000, 120000, 135000 };
	double va[] = { 100, 110, 120, 180, 190 };
	int64_t tb[] = { 1000, 16000, 31000, 46000, 61000, 76000, 91000,
	    106000, 121000, 136000 };
	double vb[] = { 60, 70, 80, 90, 100, 110, 120, 130, 140, 150 };
	struct dedup_replica r[2] = { { ta, va, 5 }, { tb, vb, 10 } };
	struct dedup_out out = { 0 };

	CHECK_INT(dedup_merge(DEDUP_GAPLESS, r, 2, &out), 0);
	/* Without adjusting, the switch to b is a false reset. */
	CHECK(resets(out.v, out.n) >= 1);
	CHECK_INT(counter_adjust(r, 2, &out), 0);
	CHECK_INT(resets(out.v, out.n), 0);
	/* Every step counts 10 (each replica's own increase). */
	for (size_t i = 1; i < out.n; i++)
		CHECK(out.v[i] - out.v[i - 1] >= 0);
	CHECK(fabs(increase(out.v, out.n) - 10.0 * (double)(out.n - 1)) <
	    1e-9 * 10 * (double)out.n || out.n < 2);
	dedup_out_release(&out);
}

static void
test_real_reset_kept(void)
{
	/* One replica, a real reset at the 4th sample: still one reset. */
	int64_t t[] = { 0, 15000, 30000, 45000, 60000 };
	double v[] = { 5, 10, 15, 2, 7 };
	struct dedup_replica r[1] = { { t, v, 5 } };
	struct dedup_out out = { 0 };

	CHECK_INT(dedup_merge(DEDUP_GAPLESS, r, 1, &out), 0);
	CHECK_INT(counter_adjust(r, 1, &out), 0);
	CHECK_INT(resets(out.v, out.n), 1);
	CHECK(out.v[3] == 2 && out.v[4] == 7);
	dedup_out_release(&out);
}

/* Random replicas of one counter, each offset by its own start value,
 * with gaps: after adjusting, no false reset, and the increase equals the
 * true increase over the steps the output covers, for every function. */
static void
test_random(void)
{
	enum { N = 400 };
	int64_t t[3][N];
	double v[3][N];
	size_t n[3];

	srand(7);
	for (int round = 0; round < 300; round++) {
		struct dedup_replica r[3];
		struct dedup_out out = { 0 };
		double truth[N + 2];
		int k = 2 + round % 2;

		/* The true counter: +0..9 per 15 s step. */
		truth[0] = 0;
		for (int i = 1; i < N + 2; i++)
			truth[i] = truth[i - 1] + rand() % 10;
		for (int j = 0; j < k; j++) {
			int64_t off = rand() % 15000;
			double base = rand() % 1000;
			int gap_at = rand() % N, gap_len = rand() % 40;

			n[j] = 0;
			for (int i = 0; i < N; i++) {
				if (i >= gap_at && i < gap_at + gap_len)
					continue;
				t[j][n[j]] = (int64_t)i * 15000 + off;
				/* Each replica counts from its own start. */
				v[j][n[j]] = truth[i] - truth[0] + base;
				n[j]++;
			}
			r[j].t = t[j];
			r[j].v = v[j];
			r[j].n = n[j];
		}
		for (int f = 0; f < 3; f++) {
			CHECK_INT(dedup_merge((enum dedup_func)f, r, (size_t)k,
			    &out), 0);
			CHECK_INT(counter_adjust(r, (size_t)k, &out), 0);
			CHECK_INT(resets(out.v, out.n), 0);
		}
		dedup_out_release(&out);
	}
}

int
main(void)
{
	test_switch_to_lower_replica();
	test_real_reset_kept();
	test_random();
	return unit_done();
}
