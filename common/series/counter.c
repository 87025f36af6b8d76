#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "series/counter.h"

/* Index of the first sample of r at or after t. */
static size_t
lower_bound(const struct dedup_replica *r, int64_t t)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->t[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
same_bits(double a, double b)
{
	return memcmp(&a, &b, sizeof(a)) == 0;
}

/* Which replica an output sample came from: the first holding it. */
static size_t
source_of(const struct dedup_replica *r, size_t k, int64_t t, double v,
    size_t *idx)
{
	for (size_t j = 0; j < k; j++) {
		size_t i = lower_bound(&r[j], t);

		if (i < r[j].n && r[j].t[i] == t && same_bits(r[j].v[i], v)) {
			*idx = i;
			return j;
		}
	}
	*idx = 0;
	return k;
}

int
counter_adjust(const struct dedup_replica *r, size_t k,
    struct dedup_out *out)
{
	size_t prev_src = k, src, idx;
	double offset = 0, prev_out = 0;

	for (size_t i = 0; i < out->n; i++) {
		double v = out->v[i];

		/* Staleness markers and NaNs pass as they are. */
		if (isnan(v))
			continue;
		src = source_of(r, k, out->t[i], v, &idx);
		if (i > 0 && src != prev_src && src < k) {
			/* A switch: continue from the last value written by
			 * the new replica's own increase, if it has one. */
			double inc = 0;

			if (idx > 0 && !isnan(r[src].v[idx - 1]) &&
			    r[src].v[idx - 1] <= v)
				inc = v - r[src].v[idx - 1];
			offset = prev_out + inc - v;
		}
		out->v[i] = v + offset;
		prev_out = out->v[i];
		prev_src = src;
	}
	return 0;
}
