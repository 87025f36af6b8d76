/*
 * once: store-serve's one-shot mode.  Open every block of a directory
 * bucket, answer one query on stdout, exit.
 */
#ifndef ONCE_H
#define ONCE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tsdb/query.h"

enum once_what { ONCE_SERIES, ONCE_LABELS, ONCE_LABEL_VALUES };
enum once_format { ONCE_VALUES, ONCE_CHUNKS };

struct once {
	const char		*dir;		/* the bucket directory */
	enum once_what		 what;
	enum once_format	 format;
	const char		*label;		/* for ONCE_LABEL_VALUES */
	struct tsdb_selector	*sel;		/* NULL: every series */
	size_t			 nsel;
	int64_t			 mint, maxt;
};

/* Run the query, writing to out.  -1 with the first error in err (a
 * corrupt block stops the answer: a partial one must not look whole). */
int	once_run(const struct once *o, FILE *out, char *err);

#endif
