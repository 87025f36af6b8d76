#include <stdarg.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "event.h"

void
event_write(const char *kind, ...)
{
	struct buf b = BUF_INIT(BUF_NOMAX);
	const char *k, *v;
	char ts[32];
	va_list ap;

	clock_rfc3339(clock_real_ms(), ts);
	logfmt_add(&b, "ts", ts);
	logfmt_add(&b, "event", kind);
	va_start(ap, kind);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		logfmt_add(&b, k, v);
	}
	va_end(ap);
	if (b.data) {
		fprintf(stdout, "%s\n", b.data);
		fflush(stdout);
	}
	buf_release(&b);
}
