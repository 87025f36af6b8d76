/*
 * result: the one line block-upload prints on stdout per block outcome
 * (docs/FORMATS.md, "block-upload result lines"): logfmt starting with
 * ts and event, the keys in a fixed order, flushed at once so the next
 * program in a pipe sees it immediately.
 */
#ifndef RESULT_H
#define RESULT_H

#include <stdint.h>

#include "ship.h"

/*
 * Print the line for r about the block at path.  attempt counts from 1;
 * retry_ms is when a failed block is tried again, -1 for never.  -1 with
 * errno when stdout fails.
 */
int	result_print(const struct ship_result *r, const char *path,
	    unsigned attempt, int64_t retry_ms);

#endif
