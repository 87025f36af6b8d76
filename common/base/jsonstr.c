#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/jsonstr.h"

/* Length of the valid UTF-8 sequence at p (1..4), 0 if invalid. */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	size_t k;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		k = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		k = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		k = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (k > n)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((k == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (k == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return k;
}

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
		if ((k = utf8_len(p, (size_t)(end - p))) == 0) {
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
