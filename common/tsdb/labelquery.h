/*
 * labelquery: the label names, or the values of one label, of a set of
 * blocks: what /api/v1/labels and /api/v1/label/NAME/values answer.
 *
 * Without selectors the answer comes from the indexes' postings offset
 * tables and the blocks' external labels, without reading a series; with
 * selectors, from the label sets of the selected series.  Only blocks
 * overlapping [mint, maxt] count.  The strings point into the blocks and
 * live as long as they stay open.
 */
#ifndef TSDB_LABELQUERY_H
#define TSDB_LABELQUERY_H

#include <stddef.h>
#include <stdint.h>

#include "base/labels.h"
#include "tsdb/query.h"

struct strs {
	struct str	*v;
	size_t		 n, cap;
};

/* name NULL: label names; else the values of label name.  out gets a
 * sorted list without duplicates. */
int	tsdb_label_query(struct tsdb_block **blocks, size_t n,
	    const struct tsdb_selector *sel, size_t nsel, int64_t mint,
	    int64_t maxt, const char *name, struct strs *out, char *err);
void	strs_release(struct strs *s);

#endif
