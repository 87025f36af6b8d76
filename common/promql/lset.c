#include <stdint.h>
#include <string.h>

#include "promql/gofmt.h"
#include "promql/lset.h"

#define CHUNK_SIZE	(64 * 1024)

struct lset_chunk {
	struct lset_chunk	*prev;
	size_t			 used, size;
	char			 data[];
};

static void *
arena_alloc(struct lset_interner *in, size_t n)
{
	struct lset_chunk *c = in->chunk;
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (c == NULL || c->size - c->used < n) {
		size_t size = n > CHUNK_SIZE ? n : CHUNK_SIZE;

		if ((c = pool_alloc(in->pool, sizeof(*c) + size)) == NULL)
			return NULL;
		c->prev = in->chunk;
		c->used = 0;
		c->size = size;
		in->chunk = c;
	}
	p = c->data + c->used;
	c->used += n;
	return p;
}

static uint64_t
hash_pairs(const struct label *l, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < l[i].name.n; j++)
			h = (h ^ (unsigned char)l[i].name.p[j]) *
			    0x100000001b3ULL;
		h = (h ^ 0xff) * 0x100000001b3ULL;
		for (size_t j = 0; j < l[i].value.n; j++)
			h = (h ^ (unsigned char)l[i].value.p[j]) *
			    0x100000001b3ULL;
		h = (h ^ 0xfe) * 0x100000001b3ULL;
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return h;
}

static int
pairs_equal(const struct promql_lset *s, const struct label *l, size_t n)
{
	if (s->n != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (str_cmp(s->l[i].name, l[i].name) != 0 ||
		    str_cmp(s->l[i].value, l[i].value) != 0)
			return 0;
	return 1;
}

static int
grow_table(struct lset_interner *in)
{
	size_t ncap = in->cap ? in->cap * 2 : 256;
	const struct promql_lset **nt = pool_calloc(in->pool, ncap,
	    sizeof(*nt));

	if (nt == NULL)
		return -1;
	for (size_t i = 0; i < in->cap; i++) {
		const struct promql_lset *s = in->tab[i];
		size_t j;

		if (s == NULL)
			continue;
		for (j = s->hash & (ncap - 1); nt[j] != NULL;
		    j = (j + 1) & (ncap - 1))
			;
		nt[j] = s;
	}
	pool_free(in->pool, in->tab);
	in->tab = nt;
	in->cap = ncap;
	return 0;
}

/* l must be sorted, unique, without empty values. */
static const struct promql_lset *
intern_clean(struct lset_interner *in, const struct label *l, size_t n)
{
	uint64_t h = hash_pairs(l, n);
	struct promql_lset *s;
	size_t i, bytes = 0;
	char *p;

	if ((in->n + 1) * 2 > in->cap && grow_table(in) == -1)
		return NULL;
	for (i = h & (in->cap - 1); in->tab[i] != NULL;
	    i = (i + 1) & (in->cap - 1))
		if (in->tab[i]->hash == h && pairs_equal(in->tab[i], l, n))
			return in->tab[i];
	for (size_t k = 0; k < n; k++)
		bytes += l[k].name.n + l[k].value.n;
	s = arena_alloc(in, sizeof(*s) + n * sizeof(s->l[0]) + bytes);
	if (s == NULL)
		return NULL;
	s->hash = h;
	s->n = n;
	p = (char *)&s->l[n];
	for (size_t k = 0; k < n; k++) {
		memcpy(p, l[k].name.p, l[k].name.n);
		s->l[k].name = (struct str){ p, l[k].name.n };
		p += l[k].name.n;
		memcpy(p, l[k].value.p, l[k].value.n);
		s->l[k].value = (struct str){ p, l[k].value.n };
		p += l[k].value.n;
	}
	in->tab[i] = s;
	in->n++;
	return s;
}

int
lset_init(struct lset_interner *in, struct pool *pool)
{
	memset(in, 0, sizeof(*in));
	in->pool = pool;
	return (in->empty = intern_clean(in, NULL, 0)) == NULL ? -1 : 0;
}

static int
tmp_reserve(struct lset_interner *in, size_t n)
{
	return pool_grow(in->pool, &in->tmp, &in->captmp, n,
	    sizeof(*in->tmp));
}

const struct promql_lset *
lset_intern(struct lset_interner *in, const struct label *l, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (l[i].value.n == 0)
			goto filter;
	return intern_clean(in, l, n);
filter:
	if (tmp_reserve(in, n) == -1)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (l[i].value.n > 0)
			in->tmp[k++] = l[i];
	return intern_clean(in, in->tmp, k);
}

const struct promql_lset *
lset_from_labels(struct lset_interner *in, const struct labels *l)
{
	size_t k = 0;

	if (tmp_reserve(in, l->n) == -1)
		return NULL;
	/* Insertion sort: sets are short and usually sorted already. */
	for (size_t i = 0; i < l->n; i++) {
		struct label x = l->v[i];
		size_t j;

		if (x.value.n == 0)
			continue;
		for (j = k; j > 0 && str_cmp(in->tmp[j - 1].name, x.name) > 0;
		    j--)
			in->tmp[j] = in->tmp[j - 1];
		in->tmp[j] = x;
		k++;
	}
	/* A name given twice: the later pair wins, as a labels.Builder. */
	for (size_t i = 1; i < k; i++)
		if (str_cmp(in->tmp[i - 1].name, in->tmp[i].name) == 0) {
			memmove(&in->tmp[i - 1], &in->tmp[i],
			    (k - i) * sizeof(in->tmp[0]));
			k--;
			i--;
		}
	return intern_clean(in, in->tmp, k);
}

const struct str *
lset_get(const struct promql_lset *ls, const char *name, size_t len)
{
	struct str n = { name, len };

	for (size_t i = 0; i < ls->n; i++)
		if (str_cmp(ls->l[i].name, n) == 0)
			return &ls->l[i].value;
	return NULL;
}

int
lset_has_name(const struct promql_lset *ls)
{
	return lset_get(ls, LSET_NAME, sizeof(LSET_NAME) - 1) != NULL;
}

static int
in_list(struct str name, char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (str_eq(name, names[i]))
			return 1;
	return 0;
}

const struct promql_lset *
lset_drop_name(struct lset_interner *in, const struct promql_lset *ls)
{
	size_t k = 0;

	if (!lset_has_name(ls))
		return ls;
	if (tmp_reserve(in, ls->n) == -1)
		return NULL;
	for (size_t i = 0; i < ls->n; i++)
		if (!str_eq(ls->l[i].name, LSET_NAME))
			in->tmp[k++] = ls->l[i];
	return intern_clean(in, in->tmp, k);
}

const struct promql_lset *
lset_keep(struct lset_interner *in, const struct promql_lset *ls,
    char *const *names, size_t n)
{
	size_t k = 0;

	if (tmp_reserve(in, ls->n) == -1)
		return NULL;
	for (size_t i = 0; i < ls->n; i++)
		if (in_list(ls->l[i].name, names, n))
			in->tmp[k++] = ls->l[i];
	return intern_clean(in, in->tmp, k);
}

const struct promql_lset *
lset_drop(struct lset_interner *in, const struct promql_lset *ls,
    char *const *names, size_t n, int drop_name)
{
	size_t k = 0;

	if (tmp_reserve(in, ls->n) == -1)
		return NULL;
	for (size_t i = 0; i < ls->n; i++)
		if (!in_list(ls->l[i].name, names, n) &&
		    !(drop_name && str_eq(ls->l[i].name, LSET_NAME)))
			in->tmp[k++] = ls->l[i];
	return intern_clean(in, in->tmp, k);
}

const struct promql_lset *
lset_set(struct lset_interner *in, const struct promql_lset *ls,
    const char *name, size_t nlen, const char *value, size_t vlen)
{
	struct str nm = { name, nlen };
	size_t k = 0, i = 0;

	if (tmp_reserve(in, ls->n + 1) == -1)
		return NULL;
	for (; i < ls->n && str_cmp(ls->l[i].name, nm) < 0; i++)
		in->tmp[k++] = ls->l[i];
	if (vlen > 0)
		in->tmp[k++] = (struct label){ nm, { value, vlen } };
	if (i < ls->n && str_cmp(ls->l[i].name, nm) == 0)
		i++;
	for (; i < ls->n; i++)
		in->tmp[k++] = ls->l[i];
	return intern_clean(in, in->tmp, k);
}

int
lset_cmp(const struct promql_lset *a, const struct promql_lset *b)
{
	size_t n = a->n < b->n ? a->n : b->n;
	int c;

	for (size_t i = 0; i < n; i++) {
		if ((c = str_cmp(a->l[i].name, b->l[i].name)) != 0)
			return c;
		if ((c = str_cmp(a->l[i].value, b->l[i].value)) != 0)
			return c;
	}
	return a->n < b->n ? -1 : a->n > b->n ? 1 : 0;
}

int
lset_format(struct buf *b, const struct promql_lset *ls)
{
	int r = buf_addch(b, '{');

	for (size_t i = 0; i < ls->n; i++) {
		if (i > 0)
			r |= buf_addstr(b, ", ");
		r |= buf_add(b, ls->l[i].name.p, ls->l[i].name.n);
		r |= buf_addch(b, '=');
		r |= gofmt_quote(b, ls->l[i].value.p, ls->l[i].value.n);
	}
	return r | buf_addch(b, '}');
}

void
lset_view(const struct promql_lset *ls, struct labels *out)
{
	out->v = (struct label *)ls->l;
	out->n = out->cap = ls->n;
}
