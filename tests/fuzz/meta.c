/* Fuzz meta.json parsing: any bytes give a meta or an error. */
#include <stddef.h>
#include <stdint.h>

#include "base/errbuf.h"
#include "tsdb/meta.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tsdb_meta m;
	char err[ERR_MAX];

	if (tsdb_meta_parse(&m, (const char *)data, size, "fuzz", err) == 0)
		tsdb_meta_release(&m);
	return 0;
}
