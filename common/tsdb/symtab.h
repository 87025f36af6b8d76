/*
 * symtab: an index's symbol table, sampled as Thanos' index-header does.
 *
 * The table's entries (uvarint length, bytes; sorted, ordinal = symbol
 * reference) stay where they are, in the mapped file or the index's copy
 * of the section.  In memory is only where every TSDB_SYMTAB_STEP-th
 * entry starts: symbol k is found by starting at sample k / STEP and
 * stepping over k % STEP entries.  So a block of a million symbols costs
 * 128 KiB here, not a 16-byte string per symbol.  Each thread also
 * remembers its last few hundred lookups (8 KiB, whatever the number of
 * tables), as a series' label names and common values repeat.
 *
 * Invariant after open: every entry lies inside the section, so a lookup
 * of a reference below n always succeeds.  Read-only, so threads may
 * share it.  Strings handed out point into the section and live as long
 * as it does.
 */
#ifndef TSDB_SYMTAB_H
#define TSDB_SYMTAB_H

#include <stddef.h>
#include <stdint.h>

#include "base/labels.h"

#define TSDB_SYMTAB_STEP	32

struct tsdb_symtab {
	const unsigned char	*p;	/* first entry; borrowed */
	size_t			 len;	/* bytes of entries from p */
	uint32_t		 n;	/* symbols */
	uint32_t		*off;	/* off[i]: symbol i * STEP at p + off[i] */
	const char		*file;	/* borrowed; for errors */
	uint64_t		 fileoff; /* where p is in the file */
	uint64_t		 gen;	/* this table in the lookup cache */
};

/* Check the n entries in [p, p+len) (fileoff: where p is in file) and
 * sample them.  p and file are borrowed and must outlive t.  -1 with err
 * naming file and offset if an entry runs past len, or on ENOMEM. */
int	tsdb_symtab_open(struct tsdb_symtab *t, const unsigned char *p,
	    size_t len, uint32_t n, const char *file, uint64_t fileoff,
	    char *err);
/* Symbol k into *out.  -1 with err if k >= n. */
int	tsdb_symtab_get(const struct tsdb_symtab *t, uint64_t k,
	    struct str *out, char *err);
/* Bytes of heap t holds: (n / STEP + 1) * 4. */
size_t	tsdb_symtab_heap(const struct tsdb_symtab *t);
void	tsdb_symtab_release(struct tsdb_symtab *t);

#endif
