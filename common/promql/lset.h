/*
 * lset: interned label sets for one query.
 *
 * Every label set the evaluator makes (a series' labels, a result's
 * labels, a grouping or matching signature) goes through one interner:
 * equal sets come back as the same pointer.  So equality is pointer
 * equality, hash maps key on the pointer (pmap.h), and a label set is
 * built once however many steps reuse it.  A set is sorted by name,
 * names are unique, and no value is empty (Prometheus drops a label set
 * to "": it is the same as no label).  Sets and their bytes live until
 * the query's pool is released; they are never changed.
 */
#ifndef PROMQL_LSET_H
#define PROMQL_LSET_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/labels.h"
#include "promql/pool.h"

struct promql_lset {
	uint64_t	 hash;
	size_t		 n;
	struct label	 l[];
};

struct lset_chunk;

struct lset_interner {
	struct pool		 *pool;
	struct lset_chunk	 *chunk;	/* bump arena for sets, bytes */
	const struct promql_lset **tab;
	size_t			  cap, n;
	const struct promql_lset *empty;
	struct label		 *tmp;		/* builder scratch */
	size_t			  ntmp, captmp;
};

#define LSET_NAME	"__name__"

int	lset_init(struct lset_interner *in, struct pool *pool);

/* The set of l (n pairs, sorted by name, names unique): pairs with an
 * empty value are left out, bytes are copied.  NULL on ENOMEM. */
const struct promql_lset *lset_intern(struct lset_interner *in,
	    const struct label *l, size_t n);
/* The same from an unsorted struct labels. */
const struct promql_lset *lset_from_labels(struct lset_interner *in,
	    const struct labels *l);

/* The value of name, or NULL. */
const struct str *lset_get(const struct promql_lset *ls, const char *name,
	    size_t len);
int	lset_has_name(const struct promql_lset *ls);

/* Derived sets (all NULL on ENOMEM): */
/* ls without __name__. */
const struct promql_lset *lset_drop_name(struct lset_interner *in,
	    const struct promql_lset *ls);
/* Only the labels named in names. */
const struct promql_lset *lset_keep(struct lset_interner *in,
	    const struct promql_lset *ls, char *const *names, size_t n);
/* Without the labels named in names, and without __name__ if drop_name. */
const struct promql_lset *lset_drop(struct lset_interner *in,
	    const struct promql_lset *ls, char *const *names, size_t n,
	    int drop_name);
/* With name set to value (vlen 0: without name). */
const struct promql_lset *lset_set(struct lset_interner *in,
	    const struct promql_lset *ls, const char *name, size_t nlen,
	    const char *value, size_t vlen);

/* Prometheus' labels.Compare. */
int	lset_cmp(const struct promql_lset *a, const struct promql_lset *b);
/* Prometheus' labels.String(): {a="1", b="2"}. */
int	lset_format(struct buf *b, const struct promql_lset *ls);
/* ls as a struct labels whose pairs point into ls (borrowed). */
void	lset_view(const struct promql_lset *ls, struct labels *out);

#endif
