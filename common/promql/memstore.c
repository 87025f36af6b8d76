#include <stdlib.h>
#include <string.h>

#include "promql/memstore.h"

static int
cmp_labels(const struct labels *a, const struct labels *b)
{
	return labels_compare(a, b);
}

int
memstore_add(struct memstore *m, const struct labels *l, const int64_t *t,
    const double *v, size_t n)
{
	struct promql_series key, *s;
	size_t lo = 0, hi = m->n, k, total;
	int64_t *nt;
	double *nv;

	memset(&key, 0, sizeof(key));
	if (promql_series_set_labels(&key, l) == -1)
		return -1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_labels(&m->s[mid].labels, &key.labels);

		if (c == 0) {
			lo = mid;
			hi = mid;
			break;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < m->n && cmp_labels(&m->s[lo].labels, &key.labels) == 0) {
		labels_release(&key.labels);
		free(key.strings);
	} else {
		if (m->n == m->cap) {
			size_t ncap = m->cap ? m->cap * 2 : 16;
			struct promql_series *ns = reallocarray(m->s, ncap,
			    sizeof(*ns));

			if (ns == NULL) {
				labels_release(&key.labels);
				free(key.strings);
				return -1;
			}
			m->s = ns;
			m->cap = ncap;
		}
		memmove(&m->s[lo + 1], &m->s[lo], (m->n - lo) * sizeof(*m->s));
		m->s[lo] = key;
		m->n++;
	}
	s = &m->s[lo];
	total = s->n + n;
	if ((nt = reallocarray(s->t, total ? total : 1, sizeof(*nt))) == NULL)
		return -1;
	s->t = nt;
	if ((nv = reallocarray(s->v, total ? total : 1, sizeof(*nv))) == NULL)
		return -1;
	s->v = nv;
	/* Insertion into time order; an equal time replaces. */
	for (size_t i = 0; i < n; i++) {
		for (k = s->n; k > 0 && s->t[k - 1] > t[i]; k--)
			;
		if (k > 0 && s->t[k - 1] == t[i]) {
			s->v[k - 1] = v[i];
			continue;
		}
		memmove(&s->t[k + 1], &s->t[k], (s->n - k) * sizeof(*s->t));
		memmove(&s->v[k + 1], &s->v[k], (s->n - k) * sizeof(*s->v));
		s->t[k] = t[i];
		s->v[k] = v[i];
		s->n++;
	}
	return 0;
}

void
memstore_clear(struct memstore *m)
{
	promql_series_free(m->s, m->n);
	memset(m, 0, sizeof(*m));
}

static int
matches(struct matcher *mt, size_t nm, const struct labels *l)
{
	for (size_t i = 0; i < nm; i++)
		if (!matcher_matches_labels(&mt[i], l))
			return 0;
	return 1;
}

static int
select_fn(void *arg, struct matcher *mt, size_t nm, int64_t mint,
    int64_t maxt, const char *func, struct promql_series **out,
    size_t *nout, char *err)
{
	struct memstore *m = arg;
	struct promql_series *r = NULL;
	size_t n = 0;

	(void)func;

	*out = NULL;
	*nout = 0;
	for (size_t i = 0; i < m->n; i++) {
		const struct promql_series *s = &m->s[i];
		struct promql_series *o;
		size_t a = 0, b;

		if (!matches(mt, nm, &s->labels))
			continue;
		while (a < s->n && s->t[a] < mint)
			a++;
		for (b = a; b < s->n && s->t[b] <= maxt; b++)
			;
		if (b == a)
			continue;
		if ((o = reallocarray(r, n + 1, sizeof(*r))) == NULL)
			goto nomem;
		r = o;
		o = &r[n++];
		memset(o, 0, sizeof(*o));
		if (promql_series_set_labels(o, &s->labels) == -1 ||
		    (o->t = malloc((b - a) * sizeof(*o->t))) == NULL ||
		    (o->v = malloc((b - a) * sizeof(*o->v))) == NULL)
			goto nomem;
		memcpy(o->t, s->t + a, (b - a) * sizeof(*o->t));
		memcpy(o->v, s->v + a, (b - a) * sizeof(*o->v));
		o->n = b - a;
	}
	*out = r;
	*nout = n;
	return 0;
nomem:
	promql_series_free(r, n);
	return errbuf_set(err, "out of memory");
}

struct promql_storage
memstore_storage(struct memstore *m)
{
	return (struct promql_storage){ select_fn, m };
}
