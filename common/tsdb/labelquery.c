#include <stdlib.h>

#include "base/errbuf.h"
#include "tsdb/labelquery.h"

static int
strs_add(struct strs *s, struct str x)
{
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 64;
		struct str *v = reallocarray(s->v, ncap, sizeof(*v));

		if (v == NULL)
			return -1;
		s->v = v;
		s->cap = ncap;
	}
	s->v[s->n++] = x;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return str_cmp(*(const struct str *)a, *(const struct str *)b);
}

static void
sort_unique(struct strs *s)
{
	size_t k = 0;

	if (s->n == 0)
		return;
	qsort(s->v, s->n, sizeof(*s->v), cmp_str);
	for (size_t i = 1; i < s->n; i++)
		if (str_cmp(s->v[i], s->v[k]) != 0)
			s->v[++k] = s->v[i];
	s->n = k + 1;
}

/* From the index alone: every name, or every value of name. */
static int
from_index(struct tsdb_block *b, const char *name, struct strs *out,
    char *err)
{
	const struct tsdb_pot *pot = &b->ix.pot;
	struct tsdb_pot_iter it;
	const struct str *ext;
	struct str v;
	uint64_t off;
	int r;

	if (name == NULL) {
		for (size_t k = 0; k < tsdb_pot_nnames(pot); k++)
			if (strs_add(out, tsdb_pot_name(pot, k)) == -1)
				return errbuf_sys(err, "labels");
		for (size_t k = 0; k < b->meta.ext.n; k++)
			if (strs_add(out, b->meta.ext.v[k].name) == -1)
				return errbuf_sys(err, "labels");
		return 0;
	}
	/* An external label replaces the series' own values; a block
	 * without series has none. */
	if ((ext = labels_get(&b->meta.ext, str_of(name))) != NULL) {
		if (tsdb_pot_nnames(pot) > 0 && strs_add(out, *ext) == -1)
			return errbuf_sys(err, "labels");
		return 0;
	}
	tsdb_pot_values(pot, str_of(name), &it);
	while ((r = tsdb_pot_next(&it, &v, &off, err)) == 1)
		if (strs_add(out, v) == -1)
			return errbuf_sys(err, "labels");
	return r;
}

int
tsdb_label_query(struct tsdb_block **blocks, size_t n,
    const struct tsdb_selector *sel, size_t nsel, int64_t mint, int64_t maxt,
    const char *name, struct strs *out, char *err)
{
	const struct tsdb_qseries *s;
	struct tsdb_query q;
	const struct str *v;
	int r = 0;

	out->n = 0;
	if (nsel == 0) {
		for (size_t i = 0; i < n; i++) {
			if (blocks[i]->meta.max_time <= mint ||
			    blocks[i]->meta.min_time > maxt)
				continue;
			if (from_index(blocks[i], name, out, err) == -1)
				return -1;
		}
		sort_unique(out);
		return 0;
	}
	if (tsdb_query_open(&q, blocks, n, sel, nsel, mint, maxt, err) == -1)
		return -1;
	while ((r = tsdb_query_next(&q, &s, err)) == 1) {
		if (name == NULL) {
			for (size_t k = 0; k < s->labels->n; k++)
				if (strs_add(out, s->labels->v[k].name) == -1)
					break;
		} else if ((v = labels_get(s->labels, str_of(name))) != NULL &&
		    strs_add(out, *v) == -1)
			break;
	}
	/* The strings point into the blocks, not into the query. */
	tsdb_query_close(&q);
	if (r == 1)
		return errbuf_sys(err, "labels");
	sort_unique(out);
	return r;
}

void
strs_release(struct strs *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}
