#include <stdint.h>

#include "promql/eval.h"
#include "promql/gosort.h"

struct sorter {
	struct ev_sample	*v;
	gosort_less_fn		 less;
	int			 arg;
};

enum hint { UNKNOWN, INCREASING, DECREASING };

static int
less(const struct sorter *s, size_t i, size_t j)
{
	return s->less(s->v, i, j, s->arg);
}

static void
swap(struct sorter *s, size_t i, size_t j)
{
	struct ev_sample t = s->v[i];

	s->v[i] = s->v[j];
	s->v[j] = t;
}

static void
insertion_sort(struct sorter *s, size_t a, size_t b)
{
	for (size_t i = a + 1; i < b; i++)
		for (size_t j = i; j > a && less(s, j, j - 1); j--)
			swap(s, j, j - 1);
}

static void
sift_down(struct sorter *s, size_t lo, size_t hi, size_t first)
{
	size_t root = lo;

	for (;;) {
		size_t child = 2 * root + 1;

		if (child >= hi)
			return;
		if (child + 1 < hi && less(s, first + child, first + child + 1))
			child++;
		if (!less(s, first + root, first + child))
			return;
		swap(s, first + root, first + child);
		root = child;
	}
}

static void
heap_sort(struct sorter *s, size_t a, size_t b)
{
	size_t first = a, hi = b - a;

	for (size_t i = (hi - 1) / 2 + 1; i-- > 0;)
		sift_down(s, i, hi, first);
	for (size_t i = hi; i-- > 0;) {
		swap(s, first, first + i);
		sift_down(s, 0, i, first);
	}
}

/* bits.Len: the number of bits needed to write x. */
static unsigned
bits_len(uint64_t x)
{
	unsigned n = 0;

	while (x) {
		n++;
		x >>= 1;
	}
	return n;
}

static void
break_patterns(struct sorter *s, size_t a, size_t b)
{
	size_t length = b - a, idx;
	uint64_t random, modulus;

	if (length < 8)
		return;
	random = length;
	modulus = (uint64_t)1 << bits_len(length);
	idx = a + (length / 4) * 2 - 1;
	for (int i = 0; i < 3; i++) {
		size_t other;

		random ^= random << 13;
		random ^= random >> 17;
		random ^= random << 5;
		other = (size_t)(random & (modulus - 1));
		if (other >= length)
			other -= length;
		swap(s, idx + (size_t)i, a + other);
	}
}

static void
order2(const struct sorter *s, size_t *a, size_t *b, int *swaps)
{
	if (less(s, *b, *a)) {
		size_t t = *a;

		(*swaps)++;
		*a = *b;
		*b = t;
	}
}

static size_t
median(const struct sorter *s, size_t a, size_t b, size_t c, int *swaps)
{
	order2(s, &a, &b, swaps);
	order2(s, &b, &c, swaps);
	order2(s, &a, &b, swaps);
	return b;
}

static size_t
choose_pivot(const struct sorter *s, size_t a, size_t b, enum hint *hint)
{
	size_t l = b - a, i = a + l / 4 * 1, j = a + l / 4 * 2;
	size_t k = a + l / 4 * 3;
	int swaps = 0;

	if (l >= 8) {
		if (l >= 50) {
			/* Tukey's ninther. */
			i = median(s, i - 1, i, i + 1, &swaps);
			j = median(s, j - 1, j, j + 1, &swaps);
			k = median(s, k - 1, k, k + 1, &swaps);
		}
		j = median(s, i, j, k, &swaps);
	}
	*hint = swaps == 0 ? INCREASING : swaps == 12 ? DECREASING : UNKNOWN;
	return j;
}

static void
reverse_range(struct sorter *s, size_t a, size_t b)
{
	for (size_t i = a, j = b - 1; i < j; i++, j--)
		swap(s, i, j);
}

static int
partial_insertion_sort(struct sorter *s, size_t a, size_t b)
{
	size_t i = a + 1;

	for (int step = 0; step < 5; step++) {
		while (i < b && !less(s, i, i - 1))
			i++;
		if (i == b)
			return 1;
		if (b - a < 50)
			return 0;
		swap(s, i, i - 1);
		if (i - a >= 2)
			for (size_t j = i - 1; j >= 1; j--) {
				if (!less(s, j, j - 1))
					break;
				swap(s, j, j - 1);
			}
		if (b - i >= 2)
			for (size_t j = i + 1; j < b; j++) {
				if (!less(s, j, j - 1))
					break;
				swap(s, j, j - 1);
			}
	}
	return 0;
}

static size_t
partition_equal(struct sorter *s, size_t a, size_t b, size_t pivot)
{
	size_t i = a + 1, j = b - 1;

	swap(s, a, pivot);
	for (;;) {
		while (i <= j && !less(s, a, i))
			i++;
		while (i <= j && j > 0 && less(s, a, j))
			j--;
		if (i > j)
			break;
		swap(s, i, j);
		i++;
		j--;
	}
	return i;
}

static size_t
partition(struct sorter *s, size_t a, size_t b, size_t pivot, int *already)
{
	size_t i = a + 1, j = b - 1;

	swap(s, a, pivot);
	while (i <= j && less(s, i, a))
		i++;
	while (i <= j && !less(s, j, a))
		j--;
	if (i > j) {
		swap(s, j, a);
		*already = 1;
		return j;
	}
	swap(s, i, j);
	i++;
	j--;
	for (;;) {
		while (i <= j && less(s, i, a))
			i++;
		while (i <= j && !less(s, j, a))
			j--;
		if (i > j)
			break;
		swap(s, i, j);
		i++;
		j--;
	}
	swap(s, j, a);
	*already = 0;
	return j;
}

static void
pdqsort(struct sorter *s, size_t a, size_t b, unsigned limit)
{
	int balanced = 1, partitioned = 1;

	for (;;) {
		size_t length = b - a, pivot, mid, left, right;
		enum hint hint;

		if (length <= 12) {
			insertion_sort(s, a, b);
			return;
		}
		if (limit == 0) {
			heap_sort(s, a, b);
			return;
		}
		if (!balanced) {
			break_patterns(s, a, b);
			limit--;
		}
		pivot = choose_pivot(s, a, b, &hint);
		if (hint == DECREASING) {
			reverse_range(s, a, b);
			pivot = (b - 1) - (pivot - a);
			hint = INCREASING;
		}
		if (balanced && partitioned && hint == INCREASING &&
		    partial_insertion_sort(s, a, b))
			return;
		/* Many equal elements: those equal to the pivot go first. */
		if (a > 0 && !less(s, a - 1, pivot)) {
			a = partition_equal(s, a, b, pivot);
			continue;
		}
		mid = partition(s, a, b, pivot, &partitioned);
		left = mid - a;
		right = b - mid;
		if (left < right) {
			balanced = left >= length / 8;
			pdqsort(s, a, mid, limit);
			a = mid + 1;
		} else {
			balanced = right >= length / 8;
			pdqsort(s, mid + 1, b, limit);
			b = mid;
		}
	}
}

void
gosort(struct ev_sample *v, size_t n, gosort_less_fn lessfn, int arg)
{
	struct sorter s = { v, lessfn, arg };

	if (n <= 1)
		return;
	pdqsort(&s, 0, n, bits_len(n));
}
