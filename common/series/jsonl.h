/*
 * jsonl: series lines (docs/FORMATS.md), written and read.
 *
 *	{"metric":{"__name__":"up"},"values":[1,1],"timestamps":[1000,2000]}
 *	{"metric":{...},"chunks":[{"mint":1000,"maxt":2000,"xor":"AAI..."}]}
 *
 * Every float keeps its exact bits: numbers are written in Go's shortest
 * 'g' form, and NaN payloads and infinities as the strings "NaN"
 * (Prometheus' NaN), "StaleNaN" (the staleness marker), "NaN:0x<bits>"
 * (any other NaN), "+Inf", "-Inf".  The reader accepts exactly what the
 * writer writes and rejects anything else with a one-line reason.
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
	int64_t		 mint, maxt;
	unsigned char	*data;		/* decoded base64, owned */
	size_t		 len;
};

/* One parsed line.  Label strings point into doc. */
struct jsonl_series {
	struct labels	 labels;
	int64_t		*t;
	double		*v;
	size_t		 n, cap;
	struct jsonl_chunk *chunks;
	size_t		 nchunks;
	int		 is_chunks;	/* the line was the chunks form */
	void		*doc;
};

/* Parse line (len bytes, newline optional) into s, replacing what it
 * held.  -1 with the reason in err (no line number: the caller adds it). */
int	jsonl_parse(struct jsonl_series *s, const char *line, size_t len,
	    char *err);
void	jsonl_series_release(struct jsonl_series *s);

#endif
