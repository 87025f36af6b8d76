/*
 * Fuzz the index reader: arbitrary bytes as an index file.  Open it, run
 * an intersecting, a subtracting and a regex selection, and read every
 * selected series; look up every symbol, walk every label name's values
 * and look each one up again.  Any input must give either an answer or
 * an error; under ASan any read outside the input is a crash.
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

/* What the label APIs read: the sampled tables, end to end. */
static void
walk_tables(struct tsdb_index *ix, struct buf *scratch)
{
	struct postings p = POSTINGS_INIT;
	struct tsdb_pot_iter it;
	char err[ERR_MAX];
	struct str v;
	uint64_t off;

	for (uint32_t k = 0; k < ix->sym.n; k++)
		if (tsdb_symtab_get(&ix->sym, k, &v, err) == -1)
			break;
	for (size_t i = 0; i < tsdb_pot_nnames(&ix->pot); i++) {
		struct str name = tsdb_pot_name(&ix->pot, i);

		tsdb_pot_values(&ix->pot, name, &it);
		while (tsdb_pot_next(&it, &v, &off, err) == 1)
			if (tsdb_index_postings(ix, name, v, &p, scratch,
			    err) == -1)
				break;
	}
	postings_release(&p);
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
		walk_tables(&ix, &scratch);
		tsdb_index_close(&ix);
	}
	buf_release(&scratch);
	return 0;
}
