#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"

static enum log_level level = LOG_INFO;
static const char *const names[] = { "debug", "info", "warn", "error" };

int
log_set_level(const char *name)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0) {
			level = (enum log_level)i;
			return 0;
		}
	return -1;
}

enum log_level
log_get_level(void)
{
	return level;
}

static int
needs_quotes(const char *v)
{
	if (*v == '\0')
		return 1;
	for (; *v; v++)
		if ((unsigned char)*v <= ' ' || *v == '=' || *v == '"' ||
		    *v == '\\' || *v == 0x7f)
			return 1;
	return 0;
}

int
logfmt_add(struct buf *b, const char *key, const char *value)
{
	static const char hex[] = "0123456789abcdef";
	const char *v = value ? value : "";
	int r = 0;

	/* All of " key=" or nothing: a pair cut before its value would
	 * read as a key-less one. */
	if (b->max - b->len < strlen(key) + 3) {
		errno = ENOBUFS;
		return -1;
	}
	if (b->len)
		r |= buf_addch(b, ' ');
	r |= buf_addstr(b, key);
	r |= buf_addch(b, '=');
	if (!needs_quotes(v)) {
		size_t n = strlen(v);

		/* Over the cap, keep what fits, as the quoted path below
		 * does: a value dropped whole would read as an empty one. */
		if (n > b->max - b->len) {
			buf_add(b, v, b->max - b->len);
			errno = ENOBUFS;
			return -1;
		}
		return r | buf_add(b, v, n);
	}
	r |= buf_addch(b, '"');
	for (; *v; v++) {
		unsigned char c = (unsigned char)*v;

		switch (c) {
		case '"':  r |= buf_addstr(b, "\\\""); break;
		case '\\': r |= buf_addstr(b, "\\\\"); break;
		case '\n': r |= buf_addstr(b, "\\n"); break;
		case '\r': r |= buf_addstr(b, "\\r"); break;
		case '\t': r |= buf_addstr(b, "\\t"); break;
		default:
			if (c < ' ' || c == 0x7f) {
				r |= buf_addstr(b, "\\u00");
				r |= buf_addch(b, hex[c >> 4]);
				r |= buf_addch(b, hex[c & 15]);
			} else
				r |= buf_addch(b, (char)c);
		}
	}
	return r | buf_addch(b, '"');
}

void
log_write(enum log_level lvl, const char *msg, ...)
{
	/* A log line is bounded: a runaway value is cut, not allocated. */
	struct buf b = BUF_INIT(16384);
	char ts[32];
	const char *k, *v;
	va_list ap;

	if (lvl < level)
		return;
	clock_rfc3339(clock_real_ms(), ts);
	logfmt_add(&b, "ts", ts);
	logfmt_add(&b, "level", names[lvl]);
	logfmt_add(&b, "msg", msg);
	va_start(ap, msg);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		logfmt_add(&b, k, v);
	}
	va_end(ap);
	buf_addch(&b, '\n');
	if (b.data && b.data[b.len - 1] != '\n')
		b.data[b.len - 1] = '\n';
	if (b.data) {
		/* stderr is best effort: nowhere left to report its failure. */
		const char *p = b.data;
		size_t n = b.len;
		ssize_t w;

		while (n > 0 && (w = write(STDERR_FILENO, p, n)) > 0) {
			p += w;
			n -= (size_t)w;
		}
	}
	buf_release(&b);
}
