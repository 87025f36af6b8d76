/*
 * Fuzz the shipper file: any bytes give a list or an error, and a list
 * written back in Thanos' format reads back as the same list.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "bucket/shipper.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct shipper s = SHIPPER_INIT, back = SHIPPER_INIT;
	struct buf out = BUF_INIT(BUF_NOMAX);
	char err[ERR_MAX];

	if (shipper_parse(&s, (const char *)data, size, "fuzz", err) == 0) {
		if (shipper_format(&s, &out) == -1 ||
		    shipper_parse(&back, out.data, out.len, "out", err) == -1 ||
		    back.n != s.n || (s.n > 0 &&
		    memcmp(back.v, s.v, s.n * sizeof(*s.v)) != 0))
			abort();
	}
	shipper_release(&s);
	shipper_release(&back);
	buf_release(&out);
	return 0;
}
