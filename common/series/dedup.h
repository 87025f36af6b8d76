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
 * The stream takes series sorted so that a group's members are adjacent:
 * by label set with the replica labels moved to the end (Thanos' order;
 * the plain label order whenever the replica labels sort after a set's
 * other names, as "replica" does after __name__, instance, job), as
 * series lines (dedup_feed, groups written as lines) or as structs
 * (dedup_put, groups given to a sink), one code path for both.  Memory
 * holds one group, never the input.  dedup_group does what the stream
 * does with a group, for callers that collected one themselves.
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

/* One replica's samples (borrowed arrays, strictly time-ordered). */
struct dedup_replica {
	const int64_t	*t;
	const double	*v;
	size_t		 n;
};

/* Samples owned by the struct: start zeroed, end with dedup_out_release. */
struct dedup_out {
	int64_t		*t;
	double		*v;
	size_t		 n, cap;
};

/* Merge k replicas (in replica-label order) into out (reset first).
 * -1 on ENOMEM. */
int	dedup_merge(enum dedup_func f, const struct dedup_replica *r, size_t k,
	    struct dedup_out *out);
/*
 * What the stream does with one group, for a caller that collected the
 * group itself (query-merge): k members, each with the values of its
 * replica labels (a label set of only those, sorted by name; empty for a
 * member without them).  Members are put in order of those values (a
 * stable sort: equal ones keep the order given), members with equal
 * values are merged by timestamp, the earlier one's sample winning a tie,
 * and then f merges the rest into out (reset first).  Nothing given is
 * changed or kept.  -1 on ENOMEM.
 */
int	dedup_group(enum dedup_func f, const struct dedup_replica *members,
	    const struct labels *replica_values, size_t k,
	    struct dedup_out *out);
void	dedup_out_release(struct dedup_out *o);
/* "gapless", "penalty", "chain"; -1 for anything else. */
int	dedup_func_parse(const char *s, enum dedup_func *f);

#define DEDUP_MAX_LABELS	16

/*
 * Where finished groups go: the group's labels (replica labels removed,
 * sorted) and its merged samples, all borrowed for the call.  Groups
 * whose members have no samples at all are not passed on.  Return 0, or
 * -1 with a one-line reason in err to stop the stream (dedup_put or
 * dedup_end then return -1 with that err).
 */
typedef int (*dedup_emit_fn)(void *arg, const struct labels *l,
    const int64_t *t, const double *v, size_t n, char *err);

/* The stream of series (dedup-filter, query-merge).  Private. */
struct dedup_member {
	struct dedup_out s;		/* its samples */
	int		 chunks;	/* came in the chunks form */
};

/* Scratch the merge functions reuse from group to group.  Private. */
struct dedup_work {
	size_t		*pos;
	int64_t		*iv;
	struct dedup_replica *r;
	size_t		 kcap;
	int64_t		*steps;
	size_t		 stepcap;
	uint32_t	*hist;
};

struct dedup {
	enum dedup_func		 func;
	char			*names[DEDUP_MAX_LABELS];	/* replica labels */
	size_t			 nnames;
	dedup_emit_fn		 sink;
	void			*sinkarg;
	FILE			*fp;		/* no sink: lines go here */
	/* The open group: its labels without replica labels, and its
	 * members in input order (equal ones merged).  Members from nm to
	 * cap keep their arrays for the next group. */
	struct buf		 key;		/* the group's encoded labels */
	struct buf		 prevkey;	/* the last member's full key */
	struct buf		 kgroup, kfull;	/* the new line's keys */
	struct labels		 glabels;
	struct buf		 gstore;	/* bytes glabels points into */
	struct dedup_member	*m;
	size_t			 nm, cap;
	struct jsonl_series	 line;
	struct dedup_out	 merged, tmp;
	struct dedup_work	 work;
	struct buf		 out, chunk;
	int			 any;
};

#define DEDUP_INIT	{ .key = BUF_INIT(BUF_NOMAX),			\
			  .prevkey = BUF_INIT(BUF_NOMAX),		\
			  .kgroup = BUF_INIT(BUF_NOMAX),		\
			  .kfull = BUF_INIT(BUF_NOMAX),			\
			  .gstore = BUF_INIT(BUF_NOMAX),		\
			  .out = BUF_INIT(BUF_NOMAX),			\
			  .chunk = BUF_INIT(BUF_NOMAX) }

/* Add a replica label name.  -1 if too many or not a label name. */
int	dedup_add_label(struct dedup *d, const char *name);
/* Send finished groups to fn instead of writing series lines.  Set it
 * before the first series. */
void	dedup_set_sink(struct dedup *d, dedup_emit_fn fn, void *arg);

/* One input line: parsed, checked for order, added to its group; a
 * finished group is written to out (or given to the sink).  -1 with the
 * reason in err. */
int	dedup_feed(struct dedup *d, const char *line, size_t len, FILE *out,
	    char *err);
/* Write the last group. */
int	dedup_flush(struct dedup *d, FILE *out, char *err);

/* One series, as dedup_feed takes a line: its labels sorted by name,
 * replica labels included, in the same order as lines; n samples,
 * timestamps strictly increasing.  What is kept is copied.  A finished
 * group goes to the sink (series lines to the last dedup_feed's FILE if
 * there is none; an error if there was none either).  -1 with the reason
 * in err: out of order, unsorted labels, or the sink's own error. */
int	dedup_put(struct dedup *d, const struct labels *l, const int64_t *t,
	    const double *v, size_t n, char *err);
/* Pass on the last group. */
int	dedup_end(struct dedup *d, char *err);

void	dedup_release(struct dedup *d);

#endif
