/*
 * Fuzz the series-line reader; whatever parses must be written back and
 * parse again to the same samples.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/errbuf.h"
#include "series/jsonl.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jsonl_series s = { 0 }, s2 = { 0 };
	struct buf out = BUF_INIT(BUF_NOMAX);
	char err[ERR_MAX];

	if (jsonl_parse(&s, (const char *)data, size, err) == 0 &&
	    !s.is_chunks) {
		if (jsonl_add_values(&out, &s.labels, s.t, s.v, s.n) == 0 &&
		    jsonl_parse(&s2, out.data, out.len, err) == 0) {
			if (s2.n != s.n || memcmp(s2.t, s.t, s.n * 8) != 0 ||
			    memcmp(s2.v, s.v, s.n * 8) != 0)
				abort();
		} else
			abort();
	}
	jsonl_series_release(&s);
	jsonl_series_release(&s2);
	buf_release(&out);
	return 0;
}
