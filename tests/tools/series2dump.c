/*
 * series2dump: series lines on stdin (values or chunks form) printed as
 * "promtool tsdb dump" prints samples, so the tests can diff our output
 * with the real oracle byte for byte:
 *
 *	{__name__="up", job="a"} 1 1000
 *
 * Label values quoted as Go's strconv.Quote does for what a block can
 * hold; values in Go's shortest %g; every NaN as "NaN".
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "base/floatfmt.h"
#include "series/jsonl.h"
#include "tsdb/xorchunk.h"

static void
quote(struct buf *b, struct str s)
{
	static const char from[] = "\a\b\f\n\r\t\v", to[] = "abfnrtv";

	buf_addch(b, '"');
	for (size_t i = 0; i < s.n; i++) {
		unsigned char c = (unsigned char)s.p[i];
		const char *e;

		if (c == '"' || c == '\\') {
			buf_addch(b, '\\');
			buf_addch(b, (char)c);
		} else if (c != 0 && (e = strchr(from, c)) != NULL) {
			buf_addch(b, '\\');
			buf_addch(b, to[e - from]);
		} else if (c < 0x20 || c == 0x7f)
			buf_addf(b, "\\x%02x", c);
		else
			buf_addch(b, (char)c);
	}
	buf_addch(b, '"');
}

static void
sample(struct buf *pre, int64_t t, double v)
{
	char f[FLOATFMT_MAX];

	printf("%s %s %lld\n", pre->data, floatfmt_g(v, f), (long long)t);
}

int
main(void)
{
	struct jsonl_series s = { 0 };
	struct buf pre = BUF_INIT(BUF_NOMAX);
	char *line = NULL, e[ERR_MAX];
	size_t cap = 0, lineno = 0;
	ssize_t len;

	while ((len = getline(&line, &cap, stdin)) != -1) {
		lineno++;
		if (jsonl_parse(&s, line, (size_t)len, e) == -1)
			errx(1, "<stdin>:%zu: %s", lineno, e);
		buf_reset(&pre);
		buf_addch(&pre, '{');
		for (size_t i = 0; i < s.labels.n; i++) {
			if (i > 0)
				buf_addstr(&pre, ", ");
			buf_add(&pre, s.labels.v[i].name.p, s.labels.v[i].name.n);
			buf_addch(&pre, '=');
			quote(&pre, s.labels.v[i].value);
		}
		buf_addch(&pre, '}');
		for (size_t i = 0; i < s.n; i++)
			sample(&pre, s.t[i], s.v[i]);
		for (size_t c = 0; c < s.nchunks; c++) {
			struct xor_iter it;
			int r;

			xor_iter_init(&it, s.chunks[c].data, s.chunks[c].len);
			while ((r = xor_iter_next(&it)) == 1)
				sample(&pre, it.t, it.v);
			if (r == -1)
				errx(1, "<stdin>:%zu: chunk %zu: %s", lineno,
				    c + 1, it.err);
		}
	}
	free(line);
	buf_release(&pre);
	jsonl_series_release(&s);
	return fclose(stdout) == 0 ? 0 : 1;
}
