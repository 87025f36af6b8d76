#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "series/dedup.h"
#include "unit.h"

/* Timestamps in seconds (x1000), values = replica number. */
static struct dedup_out out;

static void
run(enum dedup_func f, const double *a, size_t na, const double *b,
    size_t nb)
{
	int64_t ta[64], tb[64];
	double va[64], vb[64];
	struct dedup_replica r[2];

	for (size_t i = 0; i < na; i++)
		ta[i] = (int64_t)llround(a[i] * 1000), va[i] = 1;
	for (size_t i = 0; i < nb; i++)
		tb[i] = (int64_t)llround(b[i] * 1000), vb[i] = 2;
	r[0] = (struct dedup_replica){ ta, va, na };
	r[1] = (struct dedup_replica){ tb, vb, nb };
	CHECK_INT(dedup_merge(f, r, 2, &out), 0);
}

static int
same(const double *want, size_t n)
{
	if (out.n != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (out.t[i] != (int64_t)llround(want[i] * 1000))
			return 0;
	return 1;
}

#define N(a)	(sizeof(a) / sizeof((a)[0]))

/* Thanos' own vectors (iter_test.go TestDedupSeriesIterator) and the
 * worked example of thanos-notes.md 5.3, for the penalty function. */
static void
test_penalty(void)
{
	static const double a1[] = { 10, 20, 30, 40 };
	static const double b2[] = { 10.1, 20.1, 30.1, 40.1 };
	static const double a3[] = { 10, 20, 40 };
	static const double b4[] = { 15, 25, 35, 45 };
	static const double a5[] = { 10, 20, 30, 60, 70 };
	static const double b5[] = { 10.1, 20.1, 30.1, 40.1, 50.1, 60.1 };
	static const double w5[] = { 10, 20, 30, 50.1, 60.1 };
	static const double ea[] = { 0, 15, 30, 45, 105, 120, 135, 150, 165,
	    180 };
	static const double eb[] = { 5, 20, 35, 50, 65, 80, 95, 110, 125, 170,
	    185 };
	static const double ew[] = { 0, 15, 30, 45, 80, 95, 110, 125, 165,
	    180 };

	run(DEDUP_PENALTY, a1, N(a1), a1, N(a1));
	CHECK(same(a1, N(a1)) && out.v[0] == 1);
	run(DEDUP_PENALTY, b2, N(b2), a1, N(a1));
	CHECK(same(a1, N(a1)) && out.v[0] == 2);
	run(DEDUP_PENALTY, a3, N(a3), a1, N(a1));
	CHECK(same(a3, N(a3)) && out.v[2] == 1);
	run(DEDUP_PENALTY, a3, N(a3), b4, N(b4));
	CHECK(same(a3, N(a3)));
	run(DEDUP_PENALTY, a5, N(a5), b5, N(b5));
	CHECK(same(w5, N(w5)));
	run(DEDUP_PENALTY, ea, N(ea), eb, N(eb));
	CHECK(same(ew, N(ew)));
}

static void
test_chain(void)
{
	static const double a[] = { 0, 15, 30 };
	static const double b[] = { 5, 15, 35 };
	static const double w[] = { 0, 5, 15, 30, 35 };

	run(DEDUP_CHAIN, a, N(a), b, N(b));
	CHECK(same(w, N(w)));
	CHECK(out.v[2] == 1);	/* the tie goes to the first replica */
}

static void
test_gapless(void)
{
	static const double ea[] = { 0, 15, 30, 45, 105, 120, 135, 150, 165,
	    180 };
	static const double eb[] = { 5, 20, 35, 50, 65, 80, 95, 110, 125, 170,
	    185 };
	/* Stay on a, take b at 65 (the first >= 45 + 7.5), stay on b until
	 * its gap after 125, take a at 135. */
	static const double w[] = { 0, 15, 30, 45, 65, 80, 95, 110, 125, 135,
	    150, 165, 180 };
	static const double same_a[] = { 10, 20, 30, 40 };
	static const double near[] = { 10.001, 20.001, 30.001, 40.001 };

	run(DEDUP_GAPLESS, ea, N(ea), eb, N(eb));
	CHECK(same(w, N(w)));
	/* Two replicas on the same cadence: one, never switching. */
	run(DEDUP_GAPLESS, same_a, N(same_a), near, N(near));
	CHECK(same(same_a, N(same_a)));
	for (size_t i = 0; i < out.n; i++)
		CHECK(out.v[i] == 1);
}

/* Properties on random replicas with gaps, jitter and offsets. */
static void
test_gapless_random(void)
{
	enum { K = 3, MAXN = 2000 };
	static int64_t t[K][MAXN];
	static double v[K][MAXN];
	struct dedup_replica r[K];

	srand(7);
	for (int round = 0; round < 200; round++) {
		int64_t step = 5000 + 5000 * (rand() % 3);

		for (int k = 0; k < K; k++) {
			int64_t base = rand() % step;
			size_t n = 0;

			for (int64_t i = 0; i < 500; i++) {
				/* Replica k is down for a stretch now and then. */
				if ((i / 60) % K == k && rand() % 4 == 0)
					continue;
				t[k][n] = base + i * step + rand() % (step / 10);
				v[k][n] = k;
				n++;
			}
			r[k] = (struct dedup_replica){ t[k], v[k], n };
		}
		CHECK_INT(dedup_merge(DEDUP_GAPLESS, r, K, &out), 0);
		for (size_t i = 0; i < out.n; i++) {
			int found = 0;

			/* Every output sample is an input sample. */
			for (int k = 0; k < K && !found; k++)
				for (size_t j = 0; j < r[k].n; j++)
					if (r[k].t[j] == out.t[i] &&
					    r[k].v[j] == out.v[i])
						found = 1;
			CHECK(found);
			if (i == 0)
				continue;
			CHECK(out.t[i] > out.t[i - 1]);
			/* A hole over 1.5 steps only where nobody could fill
			 * it: no sample anywhere in [last + step/2, next). */
			if (out.t[i] - out.t[i - 1] > step * 3 / 2 + step / 10) {
				for (int k = 0; k < K; k++)
					for (size_t j = 0; j < r[k].n; j++)
						CHECK(!(r[k].t[j] >= out.t[i - 1] +
						    step / 2 && r[k].t[j] <
						    out.t[i]));
			}
		}
	}
}

int
main(void)
{
	test_penalty();
	test_chain();
	test_gapless();
	test_gapless_random();
	dedup_out_release(&out);
	return unit_done();
}
