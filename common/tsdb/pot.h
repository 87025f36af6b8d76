/*
 * pot: an index's postings offset table, sampled as Thanos' index-header
 * does.
 *
 * The table maps (label name, value) to where that pair's postings list
 * is, one entry { uvarint 2, ustr name, ustr value, uvarint64 offset }
 * per pair, sorted by name then value.  The entries stay where they are,
 * in the mapped file or the index's copy of the section.  In memory are:
 * each label name with the byte range of its run of entries, and where
 * every TSDB_POT_STEP-th entry of each run starts (the run's first entry
 * always, so a run's bounds are exact).  Finding (name, value) is a
 * binary search over the names, one over the run's samples, then a scan
 * of at most STEP entries; the values of a name are its run, decoded in
 * order.  About (entries / STEP + names) * 4 + names * 32 bytes of heap.
 *
 * The all-postings key ("", "") is no label name: its offset is kept
 * aside.  Invariant after open: every entry is well formed, inside the
 * section, and in order.  Read-only, so threads may share it.  Strings
 * handed out point into the section and live as long as it does.
 */
#ifndef TSDB_POT_H
#define TSDB_POT_H

#include <stddef.h>
#include <stdint.h>

#include "base/labels.h"

#define TSDB_POT_STEP	32

struct tsdb_pot_name {
	struct str	name;		/* into the section */
	uint32_t	start, end;	/* its run: [p + start, p + end) */
	uint32_t	s0, s1;		/* its samples: samp[s0 .. s1) */
};

struct tsdb_pot {
	const unsigned char	*p;	/* first entry; borrowed */
	size_t			 len;	/* bytes of entries from p */
	size_t			 n;	/* entries */
	uint32_t		*samp;	/* where sampled entries start in p */
	size_t			 nsamp;
	struct tsdb_pot_name	*names;	/* sorted; without "" */
	size_t			 nnames;
	uint64_t		 all;	/* offset of ("", "") if hasall */
	int			 hasall;
	const char		*file;	/* borrowed; for errors */
	uint64_t		 fileoff; /* where p is in the file */
};

/* The values of one name, in order: see tsdb_pot_values. */
struct tsdb_pot_iter {
	const struct tsdb_pot	*t;
	const unsigned char	*at, *end;
};

/* Check the n entries in [p, p+len) (fileoff: where p is in file: well
 * formed, sorted) and sample them.  p and file are borrowed and must
 * outlive t.  -1 with err naming file and offset, or on ENOMEM. */
int	tsdb_pot_open(struct tsdb_pot *t, const unsigned char *p, size_t len,
	    uint32_t n, const char *file, uint64_t fileoff, char *err);

/* Where the postings list of (name, value) is, into *off: 1 found, 0 not
 * in the table, -1 with err if an entry read turns out corrupt.  ("", "")
 * is the all-postings list. */
int	tsdb_pot_find(const struct tsdb_pot *t, struct str name,
	    struct str value, uint64_t *off, char *err);

/* The label names (without ""), sorted: i < tsdb_pot_nnames(t). */
size_t	tsdb_pot_nnames(const struct tsdb_pot *t);
struct str tsdb_pot_name(const struct tsdb_pot *t, size_t i);

/* Start *it on the values of name (none if the table has no such name),
 * then tsdb_pot_next gives them in order with their postings offsets:
 * 1, 0 at the end, -1 with err on a corrupt entry. */
void	tsdb_pot_values(const struct tsdb_pot *t, struct str name,
	    struct tsdb_pot_iter *it);
int	tsdb_pot_next(struct tsdb_pot_iter *it, struct str *value,
	    uint64_t *off, char *err);

/* Bytes of heap t holds. */
size_t	tsdb_pot_heap(const struct tsdb_pot *t);
void	tsdb_pot_release(struct tsdb_pot *t);

#endif
