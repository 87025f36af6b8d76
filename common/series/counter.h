/*
 * counter: a deduplicated counter without false resets.
 *
 * Two replicas of a counter seldom hold the same values: one restarted,
 * or they scrape at different moments of a fast counter.  When
 * deduplication switches from one replica to another whose value is
 * lower, rate(), increase(), irate() and resets() see a counter reset that
 * never happened (Thanos issues #1326, #2401) and count the whole value
 * again.  counter_adjust rewrites a deduplicated series for such
 * functions so that every step counts what the replica the sample came
 * from counted: within one replica values move as they did (a real reset
 * stays a reset); at a switch, the step is the new replica's own increase
 * since its previous sample, or no increase when it has none before or
 * reset in between.  Values are shifted by an offset, never reordered or
 * dropped, so only the functions that look at increases should see them.
 */
#ifndef SERIES_COUNTER_H
#define SERIES_COUNTER_H

#include <stddef.h>
#include <stdint.h>

#include "series/dedup.h"

/*
 * out (t[i], v[i], n) is the deduplicated series of the k replicas r
 * (every output sample is one of theirs, as every dedup function makes
 * it); its values are rewritten in place.  -1 on ENOMEM, out unchanged.
 */
int	counter_adjust(const struct dedup_replica *r, size_t k,
	    struct dedup_out *out);

#endif
