/*
 * Fuzz the dedup stream: the input's lines fed to dedup_feed under each
 * function.  Whatever it writes must read back as series lines, one per
 * group, each with timestamps that increase, and the same lines given to
 * dedup_put instead (as structs, into a sink) must give the same groups.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errbuf.h"
#include "series/dedup.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
sink(void *arg, const struct labels *l, const int64_t *t, const double *v,
    size_t n, char *err)
{
	(void)err;
	return jsonl_add_values(arg, l, t, v, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jsonl_series s;
	const char *p = (const char *)data, *end = p + size;
	char err[ERR_MAX], *text = NULL;
	size_t textlen = 0;

	for (int f = 0; f < 3; f++) {
		struct dedup d = DEDUP_INIT, dp = DEDUP_INIT;
		struct buf got = BUF_INIT(BUF_NOMAX);
		const char *line = p;
		FILE *out = open_memstream(&text, &textlen);
		int failed = 0, any_chunks = 0;

		if (out == NULL)
			return 0;
		d.func = dp.func = (enum dedup_func)f;
		dedup_add_label(&d, "replica");
		dedup_add_label(&d, "r");
		dedup_add_label(&dp, "replica");
		dedup_add_label(&dp, "r");
		dedup_set_sink(&dp, sink, &got);
		while (line < end && !failed) {
			const char *nl = memchr(line, '\n', (size_t)(end - line));
			size_t len = nl ? (size_t)(nl - line) + 1 :
			    (size_t)(end - line);

			if (dedup_feed(&d, line, len, out, err) == -1)
				failed = 1;
			/* The same series as a struct, when it parses and
			 * is in the values form. */
			else if (jsonl_parse(&s, line, len, err) == 0) {
				if (s.is_chunks)
					any_chunks = 1;
				else if (dedup_put(&dp, &s.labels, s.t, s.v,
				    s.n, err) == -1)
					abort();
			}
			line += len;
		}
		if (!failed && dedup_flush(&d, out, err) == -1)
			failed = 1;
		if (!failed && dedup_end(&dp, err) == -1)
			abort();
		fclose(out);
		/* Every line written reads back, its timestamps ascending. */
		for (const char *q = text; q < text + textlen; ) {
			const char *nl = memchr(q, '\n', textlen -
			    (size_t)(q - text));

			if (nl == NULL || jsonl_parse(&s, q, (size_t)(nl - q) + 1,
			    err) == -1)
				abort();
			for (size_t i = 1; i < s.n; i++)
				if (s.t[i] <= s.t[i - 1])
					abort();
			q = nl + 1;
		}
		if (!failed && !any_chunks && (got.len != textlen ||
		    (textlen > 0 && memcmp(got.data, text, textlen) != 0)))
			abort();
		free(text);
		text = NULL;
		buf_release(&got);
		dedup_release(&d);
		dedup_release(&dp);
	}
	return 0;
}
