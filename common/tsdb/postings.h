/*
 * postings: sorted lists of series references and the set operations the
 * index needs to answer matchers.
 *
 * Invariant: v[0..n) is strictly ascending.  Every operation keeps it, so
 * results come out in series (label-set) order.  A struct postings owns v.
 */
#ifndef TSDB_POSTINGS_H
#define TSDB_POSTINGS_H

#include <stddef.h>
#include <stdint.h>

struct postings {
	uint32_t	*v;
	size_t		 n, cap;
};

#define POSTINGS_INIT	{ NULL, 0, 0 }

/* Append one ref; the caller keeps the order.  -1 on ENOMEM. */
int	postings_add(struct postings *p, uint32_t ref);
/* a = a AND b. */
void	postings_intersect(struct postings *a, const struct postings *b);
/* a = a AND NOT b. */
void	postings_subtract(struct postings *a, const struct postings *b);
/* a = a OR b.  -1 on ENOMEM (a unchanged). */
int	postings_union(struct postings *a, const struct postings *b);
/* Sort and drop duplicates: the cheap union of many lists appended one
 * after the other (a regex over thousands of values). */
void	postings_sort_unique(struct postings *p);
/* Swap contents. */
void	postings_swap(struct postings *a, struct postings *b);
void	postings_reset(struct postings *p);
void	postings_release(struct postings *p);

#endif
