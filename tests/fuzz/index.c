/*
 * Fuzz the index reader: arbitrary bytes as an index file.  Open it, run
 * an intersecting, a subtracting and a regex selection, and read every
 * selected series.  Any input must give either an answer or an error;
 * under ASan any read outside the input is a crash.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/errbuf.h"
#include "tsdb/index.h"
#include "tsdb/matcher.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
select_and_read(struct tsdb_index *ix, const char *sel, struct buf *scratch)
{
	struct tsdb_series s = TSDB_SERIES_INIT;
	struct postings p = POSTINGS_INIT;
	struct matcher *m;
	char err[ERR_MAX];
	size_t n;

	if (matcher_parse_selector(sel, &m, &n, err) == -1)
		return;
	if (tsdb_index_select(ix, m, n, &p, scratch, err) == 0)
		for (size_t i = 0; i < p.n; i++)
			if (tsdb_index_series(ix, p.v[i], &s, scratch, err) == -1)
				break;
	tsdb_series_release(&s);
	postings_release(&p);
	matchers_free(m, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tsdb_source src;
	struct tsdb_index ix;
	struct buf scratch = BUF_INIT(BUF_NOMAX);
	char err[ERR_MAX];

	memset(&src, 0, sizeof(src));
	src.name = (char *)"fuzz";
	src.size = size;
	src.map = data;
	if (tsdb_index_open(&ix, &src, err) == 0) {
		select_and_read(&ix, "{__name__!=\"\"}", &scratch);
		select_and_read(&ix, "{a!=\"b\"}", &scratch);
		select_and_read(&ix, "{__name__=~\"e.*|x\",a=\"\"}", &scratch);
		tsdb_index_close(&ix);
	}
	buf_release(&scratch);
	return 0;
}
