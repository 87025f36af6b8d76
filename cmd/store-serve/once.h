/*
 * once: store-serve's one-shot mode.  Open every block of the bucket,
 * answer one query on stdout, exit.
 */
#ifndef ONCE_H
#define ONCE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bucket/bucket.h"
#include "series/export.h"
#include "tsdb/query.h"

enum once_what { ONCE_SERIES, ONCE_LABELS, ONCE_LABEL_VALUES };

struct once {
	struct bucket		*bkt;
	const char		*data_dir;	/* remote index copies */
	enum once_what		 what;
	enum export_format	 format;
	const char		*label;		/* for ONCE_LABEL_VALUES */
	struct tsdb_selector	*sel;
	size_t			 nsel;
	int64_t			 mint, maxt;
};

/* Run the query, writing to out.  -1 with the first error in err: a
 * block that does not open, or turns out corrupt while read, stops the
 * answer (a partial one must not look whole). */
int	once_run(const struct once *o, FILE *out, char *err);

#endif
