/*
 * Fuzz the chunk segment reader and the XOR decoder together: arbitrary
 * bytes as chunks/000001.  Walk the records from offset 8 as a reader
 * following references would, decode each XOR chunk.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/errbuf.h"
#include "tsdb/chunks.h"
#include "tsdb/xorchunk.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tsdb_source *src = calloc(1, sizeof(*src));
	struct buf scratch = BUF_INIT(BUF_NOMAX);
	struct tsdb_chunks c;
	struct tsdb_chunk ch;
	struct xor_iter it;
	char err[ERR_MAX];
	uint64_t off = 8;

	if (src == NULL)
		return 0;
	src->name = strdup("fuzz");
	src->size = size;
	src->map = data;
	/* open_sources takes the array; keep close from unmapping our data. */
	if (tsdb_chunks_open_sources(&c, src, 1, err) == -1)
		return 0;
	for (int i = 0; i < 1000 && off < size; i++) {
		if (tsdb_chunks_get(&c, off, &ch, &scratch, err) == -1)
			break;
		xor_iter_init(&it, ch.data, ch.len);
		while (xor_iter_next(&it) == 1)
			;
		/* len varint + encoding + data + CRC */
		off = (uint64_t)(ch.data - data) + ch.len + 4;
	}
	src->map = NULL;
	tsdb_chunks_close(&c);
	buf_release(&scratch);
	return 0;
}
