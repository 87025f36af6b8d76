/*
 * xor-decode: how fast our XOR decoder reads real chunks.  Opens the
 * blocks given as arguments, walks every series of every block through
 * the index, and decodes all their chunks, timing only the decoding.
 * Prints "<samples> samples in <s> s: <rate> samples/s".
 */
#include <err.h>
#include <stdio.h>
#include <time.h>

#include "base/errbuf.h"
#include "tsdb/block.h"
#include "tsdb/xorchunk.h"

int
main(int argc, char *argv[])
{
	struct buf scratch = BUF_INIT(BUF_NOMAX);
	struct tsdb_series s = TSDB_SERIES_INIT;
	unsigned long long samples = 0;
	int64_t busy_ns = 0;
	char e[ERR_MAX];

	for (int a = 1; a < argc; a++) {
		struct postings all = POSTINGS_INIT;
		struct tsdb_block b;

		if (tsdb_block_open_dir(&b, argv[a], e) == -1)
			errx(1, "%s", e);
		if (tsdb_index_postings(&b.ix, STR(""), STR(""), &all,
		    &scratch, e) == -1)
			errx(1, "%s", e);
		for (size_t i = 0; i < all.n; i++) {
			if (tsdb_index_series(&b.ix, all.v[i], &s, &scratch,
			    e) == -1)
				errx(1, "%s", e);
			for (size_t c = 0; c < s.nchunks; c++) {
				struct tsdb_chunk ch;
				struct xor_iter it;
				struct timespec t0, t1;

				if (tsdb_chunks_get(&b.ch, s.chunks[c].ref, &ch,
				    &scratch, e) == -1)
					errx(1, "%s", e);
				clock_gettime(CLOCK_MONOTONIC, &t0);
				xor_iter_init(&it, ch.data, ch.len);
				while (xor_iter_next(&it) == 1)
					samples++;
				clock_gettime(CLOCK_MONOTONIC, &t1);
				busy_ns += (t1.tv_sec - t0.tv_sec) * 1000000000LL +
				    (t1.tv_nsec - t0.tv_nsec);
			}
		}
		postings_release(&all);
		tsdb_block_close(&b);
	}
	printf("%llu samples in %.3f s: %.0f samples/s\n", samples,
	    (double)busy_ns / 1e9, (double)samples / ((double)busy_ns / 1e9));
	tsdb_series_release(&s);
	buf_release(&scratch);
	return 0;
}
