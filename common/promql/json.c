/*
 * json: query results and errors as Prometheus 2.42's HTTP API writes
 * them (jsoniter, compatible with encoding/json): times as seconds with
 * up to three decimals, values as strings in strconv's shortest form,
 * strings escaped as Go escapes them for HTML (<, >, & as \u003c...).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "base/floatfmt.h"
#include "promql/gofmt.h"
#include "promql/promql.h"

static int
json_str(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0;
	int r = buf_addch(b, '"');

	while (i < n && r == 0) {
		unsigned char c = (unsigned char)s[i];
		size_t len;
		int32_t rune;

		if (c < 0x80) {
			if (c == '"' || c == '\\')
				r = buf_addch(b, '\\') | buf_addch(b, (char)c);
			else if (c == '\n')
				r = buf_addstr(b, "\\n");
			else if (c == '\r')
				r = buf_addstr(b, "\\r");
			else if (c == '\t')
				r = buf_addstr(b, "\\t");
			else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
				char u[7] = { '\\', 'u', '0', '0',
				    hex[c >> 4], hex[c & 15], 0 };

				r = buf_addstr(b, u);
			} else
				r = buf_addch(b, (char)c);
			i++;
			continue;
		}
		rune = gofmt_decode_rune(s + i, n - i, &len);
		if (rune == 0xfffd && len == 1)
			r = buf_addstr(b, "\\ufffd");
		else if (rune == 0x2028 || rune == 0x2029)
			r = buf_addf(b, "\\u%04x", (unsigned)rune);
		else
			r = buf_add(b, s + i, len);
		i += len;
	}
	return r | buf_addch(b, '"');
}

/* Seconds with the milliseconds as a fraction (MarshalTimestamp), into
 * out; returns the length.  By hand: a range answer has millions. */
static size_t
fmt_time(char *out, int64_t t)
{
	uint64_t u = t < 0 ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;
	uint64_t sec = u / 1000, ms = u % 1000;
	char digits[24];
	size_t n = 0, k = 0;

	if (t < 0)
		out[n++] = '-';
	do {
		digits[k++] = (char)('0' + sec % 10);
		sec /= 10;
	} while (sec > 0);
	while (k > 0)
		out[n++] = digits[--k];
	if (ms != 0) {
		out[n++] = '.';
		out[n++] = (char)('0' + ms / 100);
		out[n++] = (char)('0' + ms / 10 % 10);
		out[n++] = (char)('0' + ms % 10);
	}
	return n;
}

static int
json_time(struct buf *b, int64_t t)
{
	char out[32];

	return buf_add(b, out, fmt_time(out, t));
}

static int
json_point(struct buf *b, int64_t t, double v)
{
	char out[32 + FLOATFMT_F_MAX + 8];
	size_t n = 0;
	double a = fabs(v);

	out[n++] = '[';
	n += fmt_time(out + n, t);
	out[n++] = ',';
	out[n++] = '"';
	if (isnan(v) || isinf(v) || a == 0 || (a >= 1e-6 && a < 1e21)) {
		floatfmt_f(v, out + n);
		n += strlen(out + n);
	} else {
		/* The rare 'e' form goes through gofmt. */
		struct buf e = BUF_INIT(BUF_NOMAX);
		int r = gofmt_api_float(&e, v);

		if (r == -1 || e.len > FLOATFMT_F_MAX) {
			buf_release(&e);
			return -1;
		}
		memcpy(out + n, e.data, e.len);
		n += e.len;
		buf_release(&e);
	}
	out[n++] = '"';
	out[n++] = ']';
	return buf_add(b, out, n);
}

static int
json_metric(struct buf *b, const struct labels *l)
{
	int r = buf_addstr(b, "{\"metric\":{");

	for (size_t i = 0; i < l->n; i++) {
		if (i > 0)
			r |= buf_addch(b, ',');
		r |= json_str(b, l->v[i].name.p, l->v[i].name.n) |
		    buf_addch(b, ':') |
		    json_str(b, l->v[i].value.p, l->v[i].value.n);
	}
	return r | buf_addstr(b, "},");
}

int
promql_result_json(const struct promql_result *res, struct buf *b)
{
	static const char *const types[] = {
		[PROMQL_NONE] = "none", [PROMQL_SCALAR] = "scalar",
		[PROMQL_VECTOR] = "vector", [PROMQL_MATRIX] = "matrix",
		[PROMQL_STRING] = "string",
	};
	int r = buf_addf(b, "{\"status\":\"success\",\"data\":{\"resultType\":"
	    "\"%s\",\"result\":", types[res->type]);

	switch (res->type) {
	case PROMQL_SCALAR:
		r |= json_point(b, res->t, res->scalar);
		break;
	case PROMQL_STRING:
		r |= buf_addch(b, '[') | json_time(b, res->t) |
		    buf_addch(b, ',') |
		    json_str(b, res->string, res->slen) | buf_addch(b, ']');
		break;
	case PROMQL_VECTOR:
	case PROMQL_MATRIX:
		r |= buf_addch(b, '[');
		for (size_t i = 0; i < res->nseries; i++) {
			const struct promql_series *s = &res->series[i];

			if (i > 0)
				r |= buf_addch(b, ',');
			r |= json_metric(b, &s->labels);
			if (res->type == PROMQL_VECTOR) {
				r |= buf_addstr(b, "\"value\":") |
				    json_point(b, s->t[0], s->v[0]);
			} else {
				r |= buf_addstr(b, "\"values\":[");
				for (size_t j = 0; j < s->n; j++)
					r |= buf_addstr(b, j ? "," : "") |
					    json_point(b, s->t[j], s->v[j]);
				r |= buf_addch(b, ']');
			}
			r |= buf_addch(b, '}');
		}
		r |= buf_addch(b, ']');
		break;
	default:
		r |= buf_addstr(b, "null");
		break;
	}
	return r | buf_addstr(b, "}}");
}

int
promql_error_json(int rc, const char *err, struct buf *b)
{
	return buf_addf(b, "{\"status\":\"error\",\"errorType\":\"%s\","
	    "\"error\":", promql_errtype(rc)) |
	    json_str(b, err, strlen(err)) | buf_addch(b, '}');
}
