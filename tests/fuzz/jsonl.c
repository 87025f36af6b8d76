/*
 * Fuzz the series-line reader against a second reader built on jansson
 * and libb64, written the plain way from docs/FORMATS.md (the reader
 * dedup-filter had before it was written by hand for speed): both must
 * take and refuse the same lines, and read the same labels, samples and
 * chunk bytes, bit for bit.  Whatever is taken must also be written back
 * and read again to the same series.
 */
#include <b64/cdecode.h>
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errbuf.h"
#include "series/jsonl.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define EXACT	9007199254740992.0	/* 2^53 */

struct ref_label {
	const char	*name, *value;
	size_t		 vlen;
};

struct ref {
	json_t		*doc;
	struct ref_label *l;
	size_t		 nl;
	int64_t		*t;
	double		*v;
	size_t		 n;
	int		 is_chunks;
	struct { int64_t mint, maxt; unsigned char *data; size_t len; } *c;
	size_t		 nc;
};

static int
ref_int(json_t *j, int64_t *out)
{
	double d;

	if (!json_is_real(j))
		return -1;
	d = json_real_value(j);
	if (d != floor(d) || fabs(d) >= EXACT)
		return -1;
	*out = (int64_t)d;
	return 0;
}

static int
ref_value(json_t *j, double *v)
{
	const char *s;
	uint64_t b = 0;

	if (json_is_real(j)) {
		*v = json_real_value(j);
		return 0;
	}
	if (!json_is_string(j))
		return -1;
	s = json_string_value(j);
	if (json_string_length(j) != strlen(s))
		return -1;
	if (strcmp(s, "NaN") == 0)
		b = 0x7ff8000000000001ULL;
	else if (strcmp(s, "StaleNaN") == 0)
		b = 0x7ff0000000000002ULL;
	else if (strcmp(s, "+Inf") == 0)
		b = 0x7ff0000000000000ULL;
	else if (strcmp(s, "-Inf") == 0)
		b = 0xfff0000000000000ULL;
	else if (strncmp(s, "NaN:0x", 6) == 0 && strlen(s) == 22) {
		for (int i = 6; i < 22; i++) {
			int c = s[i];

			b <<= 4;
			if (c >= '0' && c <= '9')
				b |= (uint64_t)(c - '0');
			else if (c >= 'a' && c <= 'f')
				b |= (uint64_t)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				b |= (uint64_t)(c - 'A' + 10);
			else
				return -1;
		}
		memcpy(v, &b, sizeof(*v));
		return isnan(*v) ? 0 : -1;
	} else
		return -1;
	memcpy(v, &b, sizeof(*v));
	return 0;
}

static int
ref_b64(const char *s, size_t n)
{
	size_t i = 0;

	if (n % 4 != 0)
		return 0;
	for (; i < n && s[i] != '='; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' &&
		    s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '+' || s[i] == '/'))
			return 0;
	return n - i <= 2 && (i == n || s[n - 1] == '=');
}

static int
ref_cmp(const void *a, const void *b)
{
	const struct ref_label *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* 0 if the line is a series line, -1 if not. */
static int
ref_parse(struct ref *r, const char *line, size_t len)
{
	json_t *doc, *m, *vals, *ts, *ch, *v;
	json_error_t je;
	const char *k;

	while (len > 0 && line[len - 1] == '\n')
		len--;
	/* JSON has no place for a raw NUL, but jansson 2.14 drops one that
	 * follows a number ("4\0,5" reads as "4,5"): that one is refused
	 * here, as by the reader under test. */
	if (memchr(line, '\0', len) != NULL)
		return -1;
	doc = json_loadb(line, len, JSON_REJECT_DUPLICATES |
	    JSON_DECODE_INT_AS_REAL, &je);
	if ((r->doc = doc) == NULL || !json_is_object(doc))
		return -1;
	json_object_foreach(doc, k, v)
		if (strcmp(k, "metric") != 0 && strcmp(k, "values") != 0 &&
		    strcmp(k, "timestamps") != 0 && strcmp(k, "chunks") != 0)
			return -1;
	if (!json_is_object(m = json_object_get(doc, "metric")))
		return -1;
	r->l = calloc(json_object_size(m) + 1, sizeof(*r->l));
	json_object_foreach(m, k, v) {
		if (!json_is_string(v) || json_string_length(v) == 0 ||
		    *k == '\0')
			return -1;
		r->l[r->nl++] = (struct ref_label){ k, json_string_value(v),
		    json_string_length(v) };
	}
	qsort(r->l, r->nl, sizeof(*r->l), ref_cmp);
	vals = json_object_get(doc, "values");
	ts = json_object_get(doc, "timestamps");
	if ((ch = json_object_get(doc, "chunks")) != NULL) {
		if (vals != NULL || ts != NULL || !json_is_array(ch))
			return -1;
		r->is_chunks = 1;
		r->c = calloc(json_array_size(ch) + 1, sizeof(*r->c));
		for (size_t i = 0; i < json_array_size(ch); i++) {
			json_t *c = json_array_get(ch, i), *x;
			base64_decodestate st;
			const char *b;
			size_t n;

			x = json_object_get(c, "xor");
			if (!json_is_object(c) || json_object_size(c) != 3 ||
			    ref_int(json_object_get(c, "mint"),
			    &r->c[i].mint) == -1 ||
			    ref_int(json_object_get(c, "maxt"),
			    &r->c[i].maxt) == -1 || !json_is_string(x))
				return -1;
			b = json_string_value(x);
			n = json_string_length(x);
			if (!ref_b64(b, n))
				return -1;
			r->c[i].data = malloc(n / 4 * 3 + 1);
			r->nc = i + 1;
			base64_init_decodestate(&st);
			r->c[i].len = (size_t)base64_decode_block(b, (int)n,
			    (char *)r->c[i].data, &st);
			if (r->c[i].mint > r->c[i].maxt || (i > 0 &&
			    r->c[i].mint <= r->c[i - 1].maxt))
				return -1;
		}
		return 0;
	}
	if (!json_is_array(vals) || !json_is_array(ts) ||
	    json_array_size(vals) != json_array_size(ts))
		return -1;
	r->n = json_array_size(vals);
	r->t = calloc(r->n + 1, sizeof(*r->t));
	r->v = calloc(r->n + 1, sizeof(*r->v));
	for (size_t i = 0; i < r->n; i++) {
		if (ref_int(json_array_get(ts, i), &r->t[i]) == -1 ||
		    (i > 0 && r->t[i] <= r->t[i - 1]) ||
		    ref_value(json_array_get(vals, i), &r->v[i]) == -1)
			return -1;
	}
	return 0;
}

static void
ref_release(struct ref *r)
{
	for (size_t i = 0; i < r->nc; i++)
		free(r->c[i].data);
	free(r->c);
	free(r->l);
	free(r->t);
	free(r->v);
	json_decref(r->doc);
}

static void
differ(const char *what, const char *err)
{
	fprintf(stderr, "jsonl and jansson differ: %s (%s)\n", what, err);
	abort();
}

/* s as read must be r. */
static void
same(const struct jsonl_series *s, const struct ref *r)
{
	if (s->labels.n != r->nl)
		differ("label count", "");
	for (size_t i = 0; i < r->nl; i++)
		if (!str_eq(s->labels.v[i].name, r->l[i].name) ||
		    s->labels.v[i].value.n != r->l[i].vlen ||
		    memcmp(s->labels.v[i].value.p, r->l[i].value,
		    r->l[i].vlen) != 0)
			differ("labels", "");
	if (s->is_chunks != r->is_chunks)
		differ("form", "");
	if (s->n != r->n || (r->n > 0 && (memcmp(s->t, r->t, r->n * 8) != 0 ||
	    memcmp(s->v, r->v, r->n * 8) != 0)))
		differ("samples", "");
	if (s->nchunks != r->nc)
		differ("chunk count", "");
	for (size_t i = 0; i < r->nc; i++)
		if (s->chunks[i].mint != r->c[i].mint ||
		    s->chunks[i].maxt != r->c[i].maxt ||
		    s->chunks[i].len != r->c[i].len ||
		    (r->c[i].len > 0 && memcmp(s->chunks[i].data,
		    r->c[i].data, r->c[i].len) != 0))
			differ("chunks", "");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jsonl_series s, s2;
	struct buf out = BUF_INIT(BUF_NOMAX);
	struct ref r = { 0 };
	char err[ERR_MAX];
	int ok, rok;

	ok = jsonl_parse(&s, (const char *)data, size, err) == 0;
	rok = ref_parse(&r, (const char *)data, size) == 0;
	if (ok != rok)
		differ(ok ? "jsonl takes, jansson refuses" :
		    "jansson takes, jsonl refuses", ok ? "" : err);
	if (ok) {
		same(&s, &r);
		/* Written back and read again: the same series. */
		if (!s.is_chunks)
			ok = jsonl_add_values(&out, &s.labels, s.t, s.v,
			    s.n) == 0;
		else {
			ok = jsonl_begin(&out, &s.labels) == 0;
			for (size_t i = 0; i < s.nchunks && ok; i++)
				ok = jsonl_add_chunk(&out, i == 0,
				    s.chunks[i].mint, s.chunks[i].maxt,
				    s.chunks[i].data, s.chunks[i].len) == 0;
			if (s.nchunks == 0)
				ok = ok && buf_addstr(&out, ",\"chunks\":[") == 0;
			ok = ok && jsonl_end_chunks(&out) == 0;
		}
		if (!ok || jsonl_parse(&s2, out.data, out.len, err) == -1)
			differ("written back, not read again", err);
		same(&s2, &r);
	}
	ref_release(&r);
	buf_release(&out);
	return 0;
}
