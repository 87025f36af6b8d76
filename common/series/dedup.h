/*
 * dedup: one series out of the replicas of a series.
 *
 * Series that differ only in their replica labels form a group; the
 * replica labels are dropped and the group's samples merged by one of
 * three functions:
 *
 * gapless (the default): stay on one replica, and leave it only at a gap
 *   in it (its next sample more than 1.5 scrape intervals away, or a
 *   staleness marker), taking then the earliest sample of another replica
 *   that is at least half an interval after the last one emitted, if that
 *   comes before the current replica's own next sample.  The interval is
 *   estimated per replica from its own spacing (the median step).  Every
 *   output sample is an input sample, unchanged; timestamps strictly
 *   increase; no two are closer than half an interval; a hole longer than
 *   1.5 intervals is left only where no replica could fill it.
 * penalty: Thanos' algorithm, exactly (thanos-notes.md 5.2): replicas in
 *   replica-label order folded left, seeks that never rewind, a penalty of
 *   2 x (t - lastT) (5000 ms at first) on the side not taken.
 * chain: the union of all samples, one per timestamp, the first replica's
 *   on a tie.
 *
 * Series with the very same labels, replica labels included (one series
 * from two stores), are merged by timestamp first, each sample once,
 * whatever the function.
 *
 * The stream API reads series lines sorted so that a group's members are
 * adjacent: by label set with the replica labels moved to the end
 * (Thanos' order; the plain label order whenever the replica labels sort
 * after a set's other names, as "replica" does after __name__, instance,
 * job).  Memory holds one group, never the input.
 */
#ifndef SERIES_DEDUP_H
#define SERIES_DEDUP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/labels.h"
#include "series/jsonl.h"

enum dedup_func { DEDUP_GAPLESS, DEDUP_PENALTY, DEDUP_CHAIN };

/* One replica's samples (borrowed arrays, time-ordered). */
struct dedup_replica {
	const int64_t	*t;
	const double	*v;
	size_t		 n;
};

struct dedup_out {
	int64_t		*t;
	double		*v;
	size_t		 n, cap;
};

/* Merge k replicas (in replica-label order) into out (reset first).
 * -1 on ENOMEM. */
int	dedup_merge(enum dedup_func f, const struct dedup_replica *r, size_t k,
	    struct dedup_out *out);
void	dedup_out_release(struct dedup_out *o);
/* "gapless", "penalty", "chain"; -1 for anything else. */
int	dedup_func_parse(const char *s, enum dedup_func *f);

#define DEDUP_MAX_LABELS	16

/* The stream of series lines (dedup-filter, query-merge). */
struct dedup_member {
	struct labels	 replica;	/* values of the replica labels */
	struct dedup_out s;		/* its samples */
	int		 chunks;	/* came in the chunks form */
};

struct dedup {
	enum dedup_func		 func;
	char			*names[DEDUP_MAX_LABELS];	/* replica labels */
	size_t			 nnames;
	/* The open group: its labels without replica labels, and its
	 * members in input order (equal ones merged). */
	struct buf		 key;		/* the group's encoded labels */
	struct buf		 prevkey;	/* the last member's full key */
	struct labels		 glabels;
	struct buf		 gstore;	/* bytes glabels points into */
	struct dedup_member	*m;
	size_t			 nm, cap;
	struct jsonl_series	 line;
	struct dedup_out	 merged;
	struct buf		 out;
	int			 any;
};

#define DEDUP_INIT	{ .key = BUF_INIT(BUF_NOMAX),			\
			  .prevkey = BUF_INIT(BUF_NOMAX),		\
			  .gstore = BUF_INIT(BUF_NOMAX),		\
			  .out = BUF_INIT(BUF_NOMAX) }

/* Add a replica label name.  -1 if too many or not a label name. */
int	dedup_add_label(struct dedup *d, const char *name);
/* One input line: parsed, checked for order, added to its group; a
 * finished group is written to out.  -1 with the reason in err. */
int	dedup_feed(struct dedup *d, const char *line, size_t len, FILE *out,
	    char *err);
/* Write the last group. */
int	dedup_flush(struct dedup *d, FILE *out, char *err);
void	dedup_release(struct dedup *d);

#endif
