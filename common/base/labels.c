#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/labels.h"

struct str
str_of(const char *s)
{
	return (struct str){ s, strlen(s) };
}

int
str_cmp(struct str a, struct str b)
{
	int c = memcmp(a.p, b.p, a.n < b.n ? a.n : b.n);

	if (c != 0 || a.n == b.n)
		return c;
	return a.n < b.n ? -1 : 1;
}

int
str_eq(struct str a, const char *s)
{
	size_t n = strlen(s);

	return a.n == n && memcmp(a.p, s, n) == 0;
}

int
labels_valid_name(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
	    *s == '_'))
		return 0;
	for (s++; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

int
labels_add(struct labels *l, struct str name, struct str value)
{
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 8;
		struct label *v = reallocarray(l->v, ncap, sizeof(*v));

		if (v == NULL)
			return -1;
		l->v = v;
		l->cap = ncap;
	}
	l->v[l->n].name = name;
	l->v[l->n].value = value;
	l->n++;
	return 0;
}

void
labels_sort(struct labels *l)
{
	/* Insertion sort: label sets are short and usually sorted already,
	 * and it is stable, unlike qsort. */
	for (size_t i = 1; i < l->n; i++) {
		struct label x = l->v[i];
		size_t j = i;

		while (j > 0 && str_cmp(l->v[j - 1].name, x.name) > 0) {
			l->v[j] = l->v[j - 1];
			j--;
		}
		l->v[j] = x;
	}
}

const struct str *
labels_get(const struct labels *l, struct str name)
{
	for (size_t i = 0; i < l->n; i++)
		if (str_cmp(l->v[i].name, name) == 0)
			return &l->v[i].value;
	return NULL;
}

int
labels_compare(const struct labels *a, const struct labels *b)
{
	size_t n = a->n < b->n ? a->n : b->n;
	int c;

	for (size_t i = 0; i < n; i++) {
		if ((c = str_cmp(a->v[i].name, b->v[i].name)) != 0)
			return c;
		if ((c = str_cmp(a->v[i].value, b->v[i].value)) != 0)
			return c;
	}
	return a->n < b->n ? -1 : a->n > b->n;
}

int
labels_copy(struct labels *out, const struct labels *a)
{
	out->n = 0;
	for (size_t i = 0; i < a->n; i++)
		if (labels_add(out, a->v[i].name, a->v[i].value) == -1)
			return -1;
	return 0;
}

int
labels_extend(struct labels *l, const struct labels *ext)
{
	struct labels out = LABELS_INIT;
	size_t i = 0, j = 0;
	int c, r = 0;

	while (r == 0 && (i < l->n || j < ext->n)) {
		if (i == l->n)
			c = 1;
		else if (j == ext->n)
			c = -1;
		else
			c = str_cmp(l->v[i].name, ext->v[j].name);
		if (c < 0) {
			r = labels_add(&out, l->v[i].name, l->v[i].value);
			i++;
		} else {
			r = labels_add(&out, ext->v[j].name, ext->v[j].value);
			j++;
			if (c == 0)
				i++;
		}
	}
	if (r == -1) {
		labels_release(&out);
		return -1;
	}
	labels_release(l);
	*l = out;
	return 0;
}

void
labels_reset(struct labels *l)
{
	l->n = 0;
}

void
labels_release(struct labels *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}
