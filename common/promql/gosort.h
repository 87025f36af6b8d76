/*
 * gosort: Go's sort.Sort (pdqsort, Go 1.19 and later) over an array of
 * samples, move for move, so that equal values end up in the order
 * Prometheus leaves them in (sort(), sort_desc(), topk, bottomk).  The
 * caller gives Less; Swap exchanges two samples.
 */
#ifndef PROMQL_GOSORT_H
#define PROMQL_GOSORT_H

#include <stddef.h>

struct ev_sample;

typedef int (*gosort_less_fn)(const struct ev_sample *v, size_t i, size_t j,
	    int arg);

void	gosort(struct ev_sample *v, size_t n, gosort_less_fn less, int arg);

#endif
