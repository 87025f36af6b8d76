#include <stdint.h>
#include <string.h>

#include "promql/pmap.h"

static size_t
slot(const void *k, size_t cap)
{
	uint64_t x = (uint64_t)(uintptr_t)k;

	/* Pointers are aligned and clustered: mix all bits in. */
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x & (cap - 1);
}

void
pmap_init(struct pmap *m, struct pool *pool)
{
	memset(m, 0, sizeof(*m));
	m->pool = pool;
}

static int
rehash(struct pmap *m, size_t ncap)
{
	const void **ok = m->keys;
	size_t *ov = m->vals, ocap = m->cap;

	m->keys = pool_calloc(m->pool, ncap, sizeof(*m->keys));
	m->vals = pool_alloc(m->pool, ncap * sizeof(*m->vals));
	if (m->keys == NULL || m->vals == NULL) {
		pool_free(m->pool, m->keys);
		pool_free(m->pool, m->vals);
		m->keys = ok;
		m->vals = ov;
		return -1;
	}
	m->cap = ncap;
	m->n = 0;
	for (size_t i = 0; i < ocap; i++)
		if (ok[i] != NULL)
			pmap_put(m, ok[i], ov[i]);
	pool_free(m->pool, ok);
	pool_free(m->pool, ov);
	return 0;
}

int
pmap_put(struct pmap *m, const void *k, size_t v)
{
	size_t i;

	if ((m->n + 1) * 4 > m->cap * 3 &&
	    rehash(m, m->cap ? m->cap * 2 : 16) == -1)
		return -1;
	for (i = slot(k, m->cap); m->keys[i] != NULL; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == k) {
			m->vals[i] = v;
			return 0;
		}
	m->keys[i] = k;
	m->vals[i] = v;
	m->n++;
	return 0;
}

int
pmap_get(const struct pmap *m, const void *k, size_t *v)
{
	if (m->cap == 0)
		return 0;
	for (size_t i = slot(k, m->cap); m->keys[i] != NULL;
	    i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == k) {
			*v = m->vals[i];
			return 1;
		}
	return 0;
}

void
pmap_clear(struct pmap *m)
{
	if (m->cap)
		memset(m->keys, 0, m->cap * sizeof(*m->keys));
	m->n = 0;
}

void
pmap_release(struct pmap *m)
{
	pool_free(m->pool, m->keys);
	pool_free(m->pool, m->vals);
	m->keys = NULL;
	m->vals = NULL;
	m->cap = m->n = 0;
}
