/*
 * jsonl: series lines (docs/FORMATS.md), written and read.
 *
 *	{"metric":{"__name__":"up"},"values":[1,1],"timestamps":[1000,2000]}
 *	{"metric":{...},"chunks":[{"mint":1000,"maxt":2000,"xor":"AAI..."}]}
 *
 * Every float keeps its exact bits: numbers are written in Go's shortest
 * 'g' form, and NaN payloads and infinities as the strings "NaN"
 * (Prometheus' NaN), "StaleNaN" (the staleness marker), "NaN:0x<bits>"
 * (any other NaN), "+Inf", "-Inf".  The reader (jsonl_read.c) takes what
 * the writer writes and whatever else a JSON parser would read the same
 * way there (other spellings, whitespace, key order), and rejects
 * anything else with a one-line reason.  Both are written by hand for
 * speed (tens of millions of samples a second) and allocate nothing per
 * line once their buffers have grown.
 */
#ifndef SERIES_JSONL_H
#define SERIES_JSONL_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/labels.h"

#define JSONL_NAN_BITS		0x7ff8000000000001ULL
#define JSONL_STALE_BITS	0x7ff0000000000002ULL

/* Append one value as series lines write it (a JSON number or string). */
int	jsonl_add_value(struct buf *b, double v);
/* Append {"metric":{...}, the start of every line. */
int	jsonl_begin(struct buf *b, const struct labels *l);
/* A whole values-form line, newline included. */
int	jsonl_add_values(struct buf *b, const struct labels *l,
	    const int64_t *t, const double *v, size_t n);
/* The chunks form: jsonl_begin, then jsonl_add_chunk for each (first=1
 * for the first), then jsonl_end_chunks. */
int	jsonl_add_chunk(struct buf *b, int first, int64_t mint, int64_t maxt,
	    const void *xor, size_t len);
int	jsonl_end_chunks(struct buf *b);

struct jsonl_chunk {
	int64_t			 mint, maxt;
	const unsigned char	*data;	/* decoded base64, in the series' bin */
	size_t			 len;
};

/*
 * One parsed line.  Zeroed ({ 0 }) before the first parse; each parse
 * reuses the buffers of the last one.  Label strings point into strs,
 * chunk data into bin: both stay valid until the next parse or release.
 */
struct jsonl_series {
	struct labels	 labels;
	int64_t		*t;
	double		*v;
	size_t		 n, cap;
	struct jsonl_chunk *chunks;
	size_t		 nchunks, chunkcap;
	int		 is_chunks;	/* the line was the chunks form */
	char		*strs;		/* decoded label strings */
	size_t		 strcap;
	unsigned char	*bin;		/* decoded chunk bytes */
	size_t		 binlen, bincap;
};

/* Parse line (len bytes, newline optional, need not be NUL-terminated)
 * into s, replacing what it held.  -1 with the reason in err (no line
 * number: the caller adds it); s then holds no series, but its buffers
 * stay for the next parse.  The line format is docs/FORMATS.md's; what
 * a JSON parser would also take there (whitespace between tokens, keys
 * in any order, escapes, any JSON number) is taken too. */
int	jsonl_parse(struct jsonl_series *s, const char *line, size_t len,
	    char *err);
void	jsonl_series_release(struct jsonl_series *s);

#endif
