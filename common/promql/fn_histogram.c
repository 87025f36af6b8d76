/*
 * fn_histogram: histogram_quantile over classic (le-labelled bucket)
 * histograms, and the quantile arithmetic it shares with the quantile
 * aggregation and quantile_over_time, as in Prometheus 2.42: buckets of
 * one histogram are the series equal but for "le" and the metric name,
 * buckets with equal bounds are added, counts are forced monotonic, and
 * the quantile is interpolated linearly inside its bucket.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "promql/eval.h"
#include "promql/func.h"

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	/* Go's sort.Float64s order: NaN first. */
	if (isnan(x) || isnan(y))
		return isnan(x) && isnan(y) ? 0 : isnan(x) ? -1 : 1;
	return x < y ? -1 : x > y;
}

double
fn_quantile(double q, double *v, size_t n)
{
	double rank, lower, upper, weight;

	if (n == 0 || isnan(q))
		return NAN;
	if (q < 0)
		return -INFINITY;
	if (q > 1)
		return INFINITY;
	qsort(v, n, sizeof(*v), cmp_double);
	rank = q * (double)(n - 1);
	lower = fmax(0, floor(rank));
	upper = fmin((double)(n - 1), lower + 1);
	weight = rank - floor(rank);
	return v[(size_t)lower] * (1 - weight) + v[(size_t)upper] * weight;
}

struct bucket {
	double	 upper, count;
};

static int
cmp_bucket(const void *a, const void *b)
{
	double x = ((const struct bucket *)a)->upper;
	double y = ((const struct bucket *)b)->upper;

	return x < y ? -1 : x > y;
}

static double
bucket_quantile(double q, struct bucket *b, size_t n)
{
	double max = -INFINITY, obs, rank, start = 0, end, count;
	size_t k = 0, lo, hi;

	if (isnan(q))
		return NAN;
	if (q < 0)
		return -INFINITY;
	if (q > 1)
		return INFINITY;
	qsort(b, n, sizeof(*b), cmp_bucket);
	if (!isinf(b[n - 1].upper) || b[n - 1].upper < 0)
		return NAN;
	/* Equal bounds ("0.2", "2e-1") are one bucket. */
	for (size_t i = 1; i < n; i++) {
		if (b[i].upper == b[k].upper)
			b[k].count += b[i].count;
		else
			b[++k] = b[i];
	}
	n = k + 1;
	for (size_t i = 0; i < n; i++) {
		if (b[i].count > max)
			max = b[i].count;
		else if (b[i].count < max)
			b[i].count = max;
	}
	if (n < 2)
		return NAN;
	obs = b[n - 1].count;
	if (obs == 0)
		return NAN;
	rank = q * obs;
	/* sort.Search over the first n-1 buckets for count >= rank. */
	lo = 0;
	hi = n - 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (!(b[mid].count >= rank))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == n - 1)
		return b[n - 2].upper;
	if (lo == 0 && b[0].upper <= 0)
		return b[0].upper;
	end = b[lo].upper;
	count = b[lo].count;
	if (lo > 0) {
		start = b[lo - 1].upper;
		count -= b[lo - 1].count;
		rank -= b[lo - 1].count;
	}
	return start + (end - start) * (rank / count);
}

struct hist {
	const struct promql_lset *labels;	/* without le and name */
	struct bucket		*b;
	size_t			 n, cap;
};

int
fn_histogram_quantile(struct ev *ev, struct ev_call *c, struct ev_vector *in,
    int64_t ts, struct ev_vector *out)
{
	static char *const le[] = { "le" };
	double q = in[0].n ? in[0].s[0].v : NAN;
	struct ev_vector *vec = &in[1];
	struct hist *h = NULL;
	size_t nh = 0, caph = 0, x;
	struct pmap index;
	int rc = -1;

	(void)c;
	pmap_init(&index, &ev->q->pool);
	for (size_t i = 0; i < vec->n; i++) {
		const struct promql_lset *ls = vec->s[i].ls, *key;
		const struct str *lv = lset_get(ls, "le", 2);
		char tmp[64], *end;
		double upper;

		/* strconv.ParseFloat of the le value; bad ones are
		 * skipped. */
		if (lv == NULL || lv->n == 0 || lv->n >= sizeof(tmp))
			continue;
		memcpy(tmp, lv->p, lv->n);
		tmp[lv->n] = '\0';
		upper = strtod(tmp, &end);
		if (*end != '\0' || tmp[0] == ' ' || tmp[0] == '\t' ||
		    tmp[0] == '\n')
			continue;
		/* One histogram per name too, so that two histograms with
		 * the same labels clash in the result (issue 9910). */
		if ((key = lset_drop(&ev->q->in, ls, (char **)le, 1, 0)) ==
		    NULL) {
			ev_nomem(ev);
			goto out;
		}
		if (!pmap_get(&index, key, &x)) {
			if (pool_grow(&ev->q->pool, &h, &caph, nh + 1,
			    sizeof(*h)) == -1 ||
			    pmap_put(&index, key, nh) == -1) {
				ev_nomem(ev);
				goto out;
			}
			x = nh++;
			memset(&h[x], 0, sizeof(h[x]));
			if ((h[x].labels = lset_drop(&ev->q->in, ls,
			    (char **)le, 1, 1)) == NULL) {
				ev_nomem(ev);
				goto out;
			}
		}
		if (pool_grow(&ev->q->pool, &h[x].b, &h[x].cap, h[x].n + 1,
		    sizeof(*h[x].b)) == -1) {
			ev_nomem(ev);
			goto out;
		}
		h[x].b[h[x].n].upper = upper;
		h[x].b[h[x].n].count = vec->s[i].v;
		h[x].n++;
	}
	for (size_t i = 0; i < nh; i++)
		if (ev_vector_add(ev, out, h[i].labels, ts,
		    bucket_quantile(q, h[i].b, h[i].n)) == -1)
			goto out;
	rc = 0;
out:
	for (size_t i = 0; i < nh; i++)
		pool_free(&ev->q->pool, h[i].b);
	pool_free(&ev->q->pool, h);
	pmap_release(&index);
	return rc;
}
