#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "promql/pool.h"

/* 32 bytes: blocks after it keep malloc's 16-byte alignment. */
struct pool_hdr {
	struct pool_hdr	*prev, *next;
	size_t		 size;
	size_t		 pad;
};

static void
link_block(struct pool *p, struct pool_hdr *h)
{
	h->prev = NULL;
	h->next = p->head;
	if (p->head)
		p->head->prev = h;
	p->head = h;
}

static void
unlink_block(struct pool *p, struct pool_hdr *h)
{
	if (h->prev)
		h->prev->next = h->next;
	else
		p->head = h->next;
	if (h->next)
		h->next->prev = h->prev;
}

void *
pool_alloc(struct pool *p, size_t n)
{
	struct pool_hdr *h;

	if (n > SIZE_MAX - sizeof(*h) || (h = malloc(sizeof(*h) + n)) == NULL)
		return NULL;
	h->size = n;
	link_block(p, h);
	p->bytes += n;
	return h + 1;
}

void *
pool_calloc(struct pool *p, size_t nmemb, size_t size)
{
	void *v;

	if (size != 0 && nmemb > SIZE_MAX / size)
		return NULL;
	if ((v = pool_alloc(p, nmemb * size)) != NULL)
		memset(v, 0, nmemb * size);
	return v;
}

void *
pool_realloc(struct pool *p, void *ptr, size_t n)
{
	struct pool_hdr *h, *nh;

	if (ptr == NULL)
		return pool_alloc(p, n);
	h = (struct pool_hdr *)ptr - 1;
	if (n > SIZE_MAX - sizeof(*h))
		return NULL;
	unlink_block(p, h);
	if ((nh = realloc(h, sizeof(*h) + n)) == NULL) {
		link_block(p, h);
		return NULL;
	}
	p->bytes = p->bytes - nh->size + n;
	nh->size = n;
	link_block(p, nh);
	return nh + 1;
}

int
pool_grow(struct pool *p, void *arrayp, size_t *cap, size_t need, size_t sz)
{
	void **a = arrayp, *na;
	size_t ncap;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 4;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return -1;
		ncap *= 2;
	}
	if (ncap > SIZE_MAX / sz || (na = pool_realloc(p, *a, ncap * sz)) == NULL)
		return -1;
	*a = na;
	*cap = ncap;
	return 0;
}

void
pool_free(struct pool *p, void *ptr)
{
	struct pool_hdr *h;

	if (ptr == NULL)
		return;
	h = (struct pool_hdr *)ptr - 1;
	unlink_block(p, h);
	p->bytes -= h->size;
	free(h);
}

void
pool_release(struct pool *p)
{
	struct pool_hdr *h = p->head, *next;

	for (; h != NULL; h = next) {
		next = h->next;
		free(h);
	}
	p->head = NULL;
	p->bytes = 0;
}
