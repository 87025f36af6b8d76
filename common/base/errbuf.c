#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/errbuf.h"

int
errbuf_set(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, ERR_MAX, fmt, ap);
	va_end(ap);
	return -1;
}

int
errbuf_sys(char *err, const char *fmt, ...)
{
	int saved = errno;
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, ERR_MAX, fmt, ap);
	va_end(ap);
	n = strlen(err);
	if (n < ERR_MAX)
		snprintf(err + n, ERR_MAX - n, ": %s", strerror(saved));
	errno = saved;
	return -1;
}
