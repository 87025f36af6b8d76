/*
 * Fuzz the meta.json writer: whatever meta.json parses, the one written
 * with a thanos section parses too and says the same (ULID, times,
 * counts, level, labels, source), whatever bytes its strings hold.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "base/labels.h"
#include "tsdb/meta.h"
#include "tsdb/metawrite.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tsdb_meta m, back;
	struct buf out = BUF_INIT(BUF_NOMAX);
	struct metawrite_file files[] = { { "index", 7 }, { "meta.json", -1 } };
	struct metawrite_thanos t = {
		.source = "sidecar", .files = files, .nfiles = 2,
	};
	char err[ERR_MAX];

	if (tsdb_meta_parse(&m, (const char *)data, size, "fuzz", err) == -1)
		return 0;
	/* Its own labels, if it has any: strings from the input. */
	t.labels = &m.ext;
	if (tsdb_metawrite_thanos(&m, &t, &out, err) == 0) {
		if (tsdb_meta_parse(&back, out.data, out.len, "out", err) == -1)
			abort();
		if (strcmp(back.ulid, m.ulid) != 0 ||
		    back.min_time != m.min_time ||
		    back.max_time != m.max_time ||
		    back.num_samples != m.num_samples ||
		    back.num_series != m.num_series ||
		    back.num_chunks != m.num_chunks || back.level != m.level ||
		    !back.has_thanos || strcmp(back.source, "sidecar") != 0)
			abort();
		/* Labels whose strings are valid UTF-8 come back as they
		 * were; Go's writer replaces bad bytes, so compare counts. */
		if (back.ext.n != m.ext.n)
			abort();
		tsdb_meta_release(&back);
	}
	tsdb_meta_release(&m);
	buf_release(&out);
	return 0;
}
