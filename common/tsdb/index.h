/*
 * index: a block's index file (format v2), read through a tsdb_source.
 *
 * Open reads and checks only what Thanos keeps in its index-header: the
 * TOC, the symbol table and the postings offset table.  Postings lists and
 * series entries are read on demand, by byte range, so the file never has
 * to be in memory.  Every framed section is CRC-checked before use and
 * every length and reference is bounds-checked; a failure is an error
 * naming the file and the offset.
 *
 * After open the index is read-only, so several threads may query it at
 * once, each with its own scratch buffer.  Strings handed out (label names
 * and values) point into the index and live as long as it does.
 */
#ifndef TSDB_INDEX_H
#define TSDB_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/labels.h"
#include "tsdb/matcher.h"
#include "tsdb/postings.h"
#include "tsdb/source.h"

struct tsdb_pot_entry {
	struct str	name, value;
	uint64_t	off;		/* of the postings list's len field */
};

struct tsdb_index {
	struct tsdb_source *src;	/* borrowed */
	uint64_t	 toc_symbols, toc_series, toc_label_indices,
			 toc_label_indices_table, toc_postings,
			 toc_postings_table;
	struct str	*sym;		/* symbol ordinal -> string */
	uint32_t	 nsym;
	struct tsdb_pot_entry *pot;	/* sorted by (name, value) */
	size_t		 npot;
	/* Label names: entries [first, end) of pot have names[i]. */
	struct tsdb_label_name {
		struct str	name;
		size_t		first, end;
	}		*names;
	size_t		 nnames;
	struct buf	 symbuf, potbuf; /* section copies when not mapped */
};

struct tsdb_chunk_meta {
	int64_t		mint, maxt;	/* closed range of the chunk */
	uint64_t	ref;		/* segment << 32 | offset */
};

struct tsdb_series {
	struct labels	 labels;	/* sorted; strings in the index */
	struct tsdb_chunk_meta *chunks;
	size_t		 nchunks, cap;
};

#define TSDB_SERIES_INIT	{ LABELS_INIT, NULL, 0, 0 }

int	tsdb_index_open(struct tsdb_index *ix, struct tsdb_source *src,
	    char *err);
void	tsdb_index_close(struct tsdb_index *ix);

/* The postings list of name=value into out (empty if there is none). */
int	tsdb_index_postings(struct tsdb_index *ix, struct str name,
	    struct str value, struct postings *out, struct buf *scratch,
	    char *err);

/* Series refs selected by the matchers, Prometheus' PostingsForMatchers
 * rules (no matchers: no series).  out is sorted. */
int	tsdb_index_select(struct tsdb_index *ix, struct matcher *m, size_t n,
	    struct postings *out, struct buf *scratch, char *err);

/* Read series ref: labels and chunk metas into s (reset first). */
int	tsdb_index_series(struct tsdb_index *ix, uint32_t ref,
	    struct tsdb_series *s, struct buf *scratch, char *err);
void	tsdb_series_release(struct tsdb_series *s);

/* The label names in the block, and the values of one name: views of
 * the postings offset table (sorted, no copies). */
const struct tsdb_label_name *tsdb_index_label(const struct tsdb_index *ix,
	    struct str name);

#endif
