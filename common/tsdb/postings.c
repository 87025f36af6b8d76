#include <stdlib.h>
#include <string.h>

#include "tsdb/postings.h"

static int
reserve(struct postings *p, size_t n)
{
	uint32_t *v;
	size_t cap;

	if (n <= p->cap)
		return 0;
	cap = p->cap ? p->cap : 64;
	while (cap < n)
		cap *= 2;
	if ((v = reallocarray(p->v, cap, sizeof(*v))) == NULL)
		return -1;
	p->v = v;
	p->cap = cap;
	return 0;
}

int
postings_add(struct postings *p, uint32_t ref)
{
	if (reserve(p, p->n + 1) == -1)
		return -1;
	p->v[p->n++] = ref;
	return 0;
}

void
postings_intersect(struct postings *a, const struct postings *b)
{
	size_t i = 0, j = 0, k = 0;

	while (i < a->n && j < b->n) {
		if (a->v[i] < b->v[j])
			i++;
		else if (a->v[i] > b->v[j])
			j++;
		else {
			a->v[k++] = a->v[i++];
			j++;
		}
	}
	a->n = k;
}

void
postings_subtract(struct postings *a, const struct postings *b)
{
	size_t i = 0, j = 0, k = 0;

	while (i < a->n) {
		while (j < b->n && b->v[j] < a->v[i])
			j++;
		if (j < b->n && b->v[j] == a->v[i])
			i++;
		else
			a->v[k++] = a->v[i++];
	}
	a->n = k;
}

int
postings_union(struct postings *a, const struct postings *b)
{
	struct postings out = POSTINGS_INIT;
	size_t i = 0, j = 0;

	if (b->n == 0)
		return 0;
	if (reserve(&out, a->n + b->n) == -1)
		return -1;
	while (i < a->n || j < b->n) {
		if (j == b->n || (i < a->n && a->v[i] < b->v[j]))
			out.v[out.n++] = a->v[i++];
		else if (i == a->n || b->v[j] < a->v[i])
			out.v[out.n++] = b->v[j++];
		else {
			out.v[out.n++] = a->v[i++];
			j++;
		}
	}
	postings_swap(a, &out);
	postings_release(&out);
	return 0;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

void
postings_sort_unique(struct postings *p)
{
	size_t k = 0;

	if (p->n < 2)
		return;
	qsort(p->v, p->n, sizeof(*p->v), cmp_u32);
	for (size_t i = 1; i < p->n; i++)
		if (p->v[i] != p->v[k])
			p->v[++k] = p->v[i];
	p->n = k + 1;
}

void
postings_swap(struct postings *a, struct postings *b)
{
	struct postings t = *a;

	*a = *b;
	*b = t;
}

void
postings_reset(struct postings *p)
{
	p->n = 0;
}

void
postings_release(struct postings *p)
{
	free(p->v);
	p->v = NULL;
	p->n = p->cap = 0;
}
