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
 * What stays on the heap per open index is small and does not grow with
 * the block's series: the two tables are sampled (symtab.h, pot.h), about
 * (symbols / 32 + postings offset entries / 32) 4-byte offsets plus 32
 * bytes per label name; their entries are read from the source when
 * needed.  A source without a map (a remote file) gets those two sections
 * copied once at open, as they must stay readable.
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
#include "tsdb/pot.h"
#include "tsdb/postings.h"
#include "tsdb/source.h"
#include "tsdb/symtab.h"

struct tsdb_index {
	struct tsdb_source *src;	/* borrowed */
	uint64_t	 toc_symbols, toc_series, toc_label_indices,
			 toc_label_indices_table, toc_postings,
			 toc_postings_table;
	struct tsdb_symtab sym;		/* symbol ordinal -> string */
	/* (name, value) -> postings offset; label names and values: read
	 * them with tsdb_pot_find, tsdb_pot_nnames/name, tsdb_pot_values. */
	struct tsdb_pot	 pot;
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

/* Bytes of heap the open index holds (its sampled tables and, for a
 * source without a map, its copies of the two sections). */
size_t	tsdb_index_heap(const struct tsdb_index *ix);

#endif
