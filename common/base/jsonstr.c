#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/jsonstr.h"
#include "base/utf8.h"


int
jsonstr_add(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	int r = buf_addch(b, '"');

	while (p < end && r == 0) {
		size_t k;

		switch (*p) {
		case '"': r = buf_addstr(b, "\\\""); p++; continue;
		case '\\': r = buf_addstr(b, "\\\\"); p++; continue;
		case '\n': r = buf_addstr(b, "\\n"); p++; continue;
		case '\r': r = buf_addstr(b, "\\r"); p++; continue;
		case '\t': r = buf_addstr(b, "\\t"); p++; continue;
		}
		if (*p < 0x20) {
			r = buf_addf(b, "\\u%04x", *p++);
			continue;
		}
		/* JSON is UTF-8: an invalid byte becomes U+FFFD, as Go's
		 * encoder does. */
		if (utf8_decode((const char *)p, (size_t)(end - p), &k) < 0) {
			r = buf_addstr(b, "\\ufffd");
			p++;
			continue;
		}
		r = buf_add(b, p, k);
		p += k;
	}
	return r | buf_addch(b, '"');
}

int
jsonstr_add_labels(struct buf *b, const struct labels *l)
{
	int r = buf_addch(b, '{');

	for (size_t i = 0; i < l->n && r == 0; i++) {
		if (i > 0)
			r |= buf_addch(b, ',');
		r |= jsonstr_add(b, l->v[i].name.p, l->v[i].name.n);
		r |= buf_addch(b, ':');
		r |= jsonstr_add(b, l->v[i].value.p, l->v[i].value.n);
	}
	return r | buf_addch(b, '}');
}
