/*
 * Fuzz the external labels of a Prometheus config answer (YAML from
 * the network): any bytes give a sorted set of valid labels or an error.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/errbuf.h"
#include "net/extlabels.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct extlabels e = EXTLABELS_INIT;
	char err[ERR_MAX];
	size_t i;

	if (extlabels_parse_config(&e, (const char *)data, size, "fuzz",
	    err) == 0)
		for (i = 1; i < e.n; i++)
			if (strcmp(e.name[i - 1], e.name[i]) >= 0 ||
			    *e.value[i] == '\0')
				abort();
	extlabels_release(&e);
	return 0;
}
