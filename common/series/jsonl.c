#include <b64/cdecode.h>
#include <b64/cencode.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errbuf.h"
#include "base/floatfmt.h"
#include "base/jsonstr.h"
#include "series/jsonl.h"

static uint64_t
bits_of(double v)
{
	uint64_t b;

	memcpy(&b, &v, sizeof(b));
	return b;
}

static double
float_of(uint64_t b)
{
	double v;

	memcpy(&v, &b, sizeof(v));
	return v;
}

int
jsonl_add_value(struct buf *b, double v)
{
	char out[FLOATFMT_MAX];
	uint64_t bits = bits_of(v);

	if (isnan(v)) {
		if (bits == JSONL_NAN_BITS)
			return buf_addstr(b, "\"NaN\"");
		if (bits == JSONL_STALE_BITS)
			return buf_addstr(b, "\"StaleNaN\"");
		return buf_addf(b, "\"NaN:0x%016llx\"", (unsigned long long)bits);
	}
	if (isinf(v))
		return buf_addstr(b, v > 0 ? "\"+Inf\"" : "\"-Inf\"");
	return buf_addstr(b, floatfmt_g(v, out));
}

int
jsonl_begin(struct buf *b, const struct labels *l)
{
	return buf_addstr(b, "{\"metric\":") | jsonstr_add_labels(b, l);
}

int
jsonl_add_values(struct buf *b, const struct labels *l, const int64_t *t,
    const double *v, size_t n)
{
	int r = jsonl_begin(b, l);

	r |= buf_addstr(b, ",\"values\":[");
	for (size_t i = 0; i < n && r == 0; i++) {
		if (i > 0)
			r |= buf_addch(b, ',');
		r |= jsonl_add_value(b, v[i]);
	}
	r |= buf_addstr(b, "],\"timestamps\":[");
	for (size_t i = 0; i < n && r == 0; i++)
		r |= buf_addf(b, i ? ",%lld" : "%lld", (long long)t[i]);
	return r | buf_addstr(b, "]}\n");
}

int
jsonl_add_chunk(struct buf *b, int first, int64_t mint, int64_t maxt,
    const void *xor, size_t len)
{
	base64_encodestate st;
	size_t start;
	int n, r;

	r = buf_addf(b, "%s{\"mint\":%lld,\"maxt\":%lld,\"xor\":\"",
	    first ? ",\"chunks\":[" : ",", (long long)mint, (long long)maxt);
	/* libb64 writes a newline every 72 characters: room for them, then
	 * squeeze them out. */
	if (r || buf_grow(b, len / 3 * 4 + len / 54 + 16) == -1)
		return -1;
	start = b->len;
	base64_init_encodestate(&st);
	n = base64_encode_block(xor, (int)len, b->data + b->len, &st);
	n += base64_encode_blockend(b->data + b->len + n, &st);
	for (int i = 0; i < n; i++)
		if (b->data[start + (size_t)i] != '\n')
			b->data[b->len++] = b->data[start + (size_t)i];
	b->data[b->len] = '\0';
	return buf_addstr(b, "\"}");
}

int
jsonl_end_chunks(struct buf *b)
{
	return buf_addstr(b, "]}\n");
}

/* --- reading ------------------------------------------------------------ */

static int
parse_value(json_t *j, double *v)
{
	const char *s;
	unsigned long long bits;
	char *end;

	if (json_is_real(j)) {
		*v = json_real_value(j);
		return 0;
	}
	if (!json_is_string(j))
		return -1;
	s = json_string_value(j);
	if (strcmp(s, "NaN") == 0)
		*v = float_of(JSONL_NAN_BITS);
	else if (strcmp(s, "StaleNaN") == 0)
		*v = float_of(JSONL_STALE_BITS);
	else if (strcmp(s, "+Inf") == 0)
		*v = INFINITY;
	else if (strcmp(s, "-Inf") == 0)
		*v = -INFINITY;
	else if (strncmp(s, "NaN:0x", 6) == 0 && strlen(s) == 22) {
		errno = 0;
		bits = strtoull(s + 6, &end, 16);
		if (errno || *end != '\0' || !isnan(float_of(bits)))
			return -1;
		*v = float_of(bits);
	} else
		return -1;
	return 0;
}

static int
grow(struct jsonl_series *s, size_t n)
{
	int64_t *t;
	double *v;

	if (n <= s->cap)
		return 0;
	if ((t = reallocarray(s->t, n, sizeof(*t))) == NULL)
		return -1;
	s->t = t;
	if ((v = reallocarray(s->v, n, sizeof(*v))) == NULL)
		return -1;
	s->v = v;
	s->cap = n;
	return 0;
}

/* An integer-valued JSON number (read as a real) in int64 range. */
static int
parse_int(json_t *j, int64_t *out)
{
	double d;

	if (!json_is_real(j))
		return -1;
	d = json_real_value(j);
	if (d != floor(d) || d < -9.2e18 || d > 9.2e18)
		return -1;
	*out = (int64_t)d;
	return 0;
}

static int
parse_metric(struct jsonl_series *s, json_t *metric, char *err)
{
	const char *k;
	json_t *v;

	if (!json_is_object(metric))
		return errbuf_set(err, "\"metric\" is not an object");
	json_object_foreach(metric, k, v) {
		if (!json_is_string(v))
			return errbuf_set(err, "label %s: value is not a string",
			    k);
		if (json_string_length(v) == 0)
			return errbuf_set(err, "label %s: empty value", k);
		if (*k == '\0')
			return errbuf_set(err, "empty label name");
		if (labels_add(&s->labels, str_of(k), (struct str){
		    json_string_value(v), json_string_length(v) }) == -1)
			return errbuf_sys(err, "labels");
	}
	labels_sort(&s->labels);
	return 0;
}

static int
parse_values(struct jsonl_series *s, json_t *vals, json_t *ts, char *err)
{
	size_t n;

	if (!json_is_array(vals) || !json_is_array(ts))
		return errbuf_set(err, "\"values\" and \"timestamps\" must be "
		    "arrays");
	if ((n = json_array_size(vals)) != json_array_size(ts))
		return errbuf_set(err, "%zu values but %zu timestamps", n,
		    json_array_size(ts));
	if (grow(s, n) == -1)
		return errbuf_sys(err, "samples");
	for (size_t i = 0; i < n; i++) {
		if (parse_int(json_array_get(ts, i), &s->t[i]) == -1)
			return errbuf_set(err, "timestamp %zu is not an "
			    "integer", i + 1);
		if (i > 0 && s->t[i] <= s->t[i - 1])
			return errbuf_set(err, "timestamp %zu (%lld) does not "
			    "increase", i + 1, (long long)s->t[i]);
		if (parse_value(json_array_get(vals, i), &s->v[i]) == -1)
			return errbuf_set(err, "value %zu is not a number, "
			    "\"NaN\", \"StaleNaN\", \"+Inf\" or \"-Inf\"",
			    i + 1);
	}
	s->n = n;
	return 0;
}

static int
is_b64(const char *s, size_t n)
{
	size_t i = 0;

	if (n % 4 != 0)
		return 0;
	for (; i < n && s[i] != '='; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' &&
		    s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '+' || s[i] == '/'))
			return 0;
	/* Padding: at most two, only at the end. */
	return n - i <= 2 && (i == n || s[n - 1] == '=');
}

static int
parse_chunks(struct jsonl_series *s, json_t *chunks, char *err)
{
	size_t n;

	if (!json_is_array(chunks))
		return errbuf_set(err, "\"chunks\" is not an array");
	n = json_array_size(chunks);
	if ((s->chunks = calloc(n ? n : 1, sizeof(*s->chunks))) == NULL)
		return errbuf_sys(err, "chunks");
	for (size_t i = 0; i < n; i++) {
		json_t *c = json_array_get(chunks, i), *x;
		struct jsonl_chunk *ch = &s->chunks[i];
		base64_decodestate st;
		const char *b64;
		size_t blen;

		x = json_object_get(c, "xor");
		if (!json_is_object(c) ||
		    parse_int(json_object_get(c, "mint"), &ch->mint) == -1 ||
		    parse_int(json_object_get(c, "maxt"), &ch->maxt) == -1 ||
		    !json_is_string(x))
			return errbuf_set(err, "chunk %zu: needs integer mint, "
			    "maxt and a string xor", i + 1);
		b64 = json_string_value(x);
		blen = json_string_length(x);
		if (!is_b64(b64, blen))
			return errbuf_set(err, "chunk %zu: xor is not base64",
			    i + 1);
		if ((ch->data = malloc(blen / 4 * 3 + 1)) == NULL)
			return errbuf_sys(err, "chunks");
		s->nchunks = i + 1;
		base64_init_decodestate(&st);
		ch->len = (size_t)base64_decode_block(b64, (int)blen,
		    (char *)ch->data, &st);
		if (ch->mint > ch->maxt || (i > 0 &&
		    ch->mint <= s->chunks[i - 1].maxt))
			return errbuf_set(err, "chunk %zu: time range out of "
			    "order", i + 1);
	}
	s->is_chunks = 1;
	return 0;
}

static void
clear(struct jsonl_series *s)
{
	for (size_t i = 0; i < s->nchunks; i++)
		free(s->chunks[i].data);
	free(s->chunks);
	s->chunks = NULL;
	s->nchunks = 0;
	s->n = 0;
	s->is_chunks = 0;
	labels_reset(&s->labels);
	json_decref(s->doc);
	s->doc = NULL;
}

int
jsonl_parse(struct jsonl_series *s, const char *line, size_t len, char *err)
{
	json_error_t je;
	json_t *doc, *chunks;
	const char *k;
	json_t *v;

	clear(s);
	while (len > 0 && line[len - 1] == '\n')
		len--;
	doc = json_loadb(line, len, JSON_REJECT_DUPLICATES |
	    JSON_DECODE_INT_AS_REAL, &je);
	if ((s->doc = doc) == NULL)
		return errbuf_set(err, "column %d: %s", je.column, je.text);
	if (!json_is_object(doc))
		return errbuf_set(err, "not a JSON object");
	json_object_foreach(doc, k, v) {
		if (strcmp(k, "metric") != 0 && strcmp(k, "values") != 0 &&
		    strcmp(k, "timestamps") != 0 && strcmp(k, "chunks") != 0)
			return errbuf_set(err, "unknown key \"%s\"", k);
	}
	if (parse_metric(s, json_object_get(doc, "metric"), err) == -1)
		return -1;
	if ((chunks = json_object_get(doc, "chunks")) != NULL) {
		if (json_object_get(doc, "values") ||
		    json_object_get(doc, "timestamps"))
			return errbuf_set(err, "both \"chunks\" and \"values\"");
		return parse_chunks(s, chunks, err);
	}
	return parse_values(s, json_object_get(doc, "values"),
	    json_object_get(doc, "timestamps"), err);
}

void
jsonl_series_release(struct jsonl_series *s)
{
	clear(s);
	labels_release(&s->labels);
	free(s->t);
	free(s->v);
	memset(s, 0, sizeof(*s));
}
