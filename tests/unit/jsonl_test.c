/*
 * jsonl: the series-line reader on every kind of line, good and bad, and
 * the writer read back.  Every line is parsed from a heap copy of exactly
 * its length, so that ASan sees any read past its end.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errbuf.h"
#include "series/jsonl.h"
#include "tsdb/xorchunk.h"
#include "unit.h"

static struct jsonl_series s;
static char err[ERR_MAX];

static int
parse_n(const char *line, size_t n)
{
	char *copy = malloc(n ? n : 1);
	int r;

	memcpy(copy, line, n);
	r = jsonl_parse(&s, copy, n, err);
	free(copy);
	return r;
}

static int
parse(const char *line)
{
	return parse_n(line, strlen(line));
}

static uint64_t
bits(double v)
{
	uint64_t b;

	memcpy(&b, &v, sizeof(b));
	return b;
}

/* line is rejected, with a message containing want. */
static void
bad(const char *line, const char *want)
{
	unit_checks++;
	if (parse(line) != -1 || strstr(err, want) == NULL) {
		unit_failed++;
		fprintf(stderr, "line %s: err \"%s\", want \"%s\"\n", line,
		    err, want);
	}
	CHECK(s.n == 0 && s.nchunks == 0 && s.labels.n == 0);
}

static int
label_is(size_t i, const char *name, const char *value, size_t vn)
{
	return i < s.labels.n && str_eq(s.labels.v[i].name, name) &&
	    s.labels.v[i].value.n == vn &&
	    memcmp(s.labels.v[i].value.p, value, vn) == 0;
}

static void
test_values(void)
{
	CHECK_INT(parse("{\"metric\":{\"__name__\":\"up\",\"job\":\"a\"},"
	    "\"values\":[1,0.5,-0,\"NaN\",\"StaleNaN\",\"+Inf\",\"-Inf\","
	    "\"NaN:0x7ff8000000000abc\",1e+06,2.5e-05],"
	    "\"timestamps\":[1,2,3,4,5,6,7,8,9,1700000000000]}\n"), 0);
	CHECK_INT(s.n, 10);
	CHECK(!s.is_chunks);
	CHECK(label_is(0, "__name__", "up", 2) && label_is(1, "job", "a", 1));
	CHECK(s.v[0] == 1 && s.v[1] == 0.5 && bits(s.v[2]) == 1ULL << 63);
	CHECK(bits(s.v[3]) == JSONL_NAN_BITS);
	CHECK(bits(s.v[4]) == JSONL_STALE_BITS);
	CHECK(s.v[5] == INFINITY && s.v[6] == -INFINITY);
	CHECK(bits(s.v[7]) == 0x7ff8000000000abcULL);
	CHECK(s.v[8] == 1e6 && s.v[9] == 2.5e-5);
	CHECK(s.t[0] == 1 && s.t[9] == 1700000000000);

	/* What a JSON parser takes is taken: space, key order, escapes,
	 * numbers in any spelling, labels in any order. */
	CHECK_INT(parse(" { \"timestamps\" : [ 1e3 , 2000.0 ] , \"values\" :"
	    " [ 1.0E0 , \"\\u004eaN\" ] ,\r\n\t\"\\u006detric\" : { \"job\" : "
	    "\"a\" , \"__name__\" : \"up\" } } \r\n"), 0);
	CHECK_INT(s.n, 2);
	CHECK(s.t[0] == 1000 && s.t[1] == 2000 && s.v[0] == 1);
	CHECK(bits(s.v[1]) == JSONL_NAN_BITS);
	CHECK(label_is(0, "__name__", "up", 2) && label_is(1, "job", "a", 1));
	CHECK_INT(parse("{\"metric\":{},\"values\":[],\"timestamps\":[]}"), 0);
	CHECK(s.n == 0 && s.labels.n == 0);
	/* Negative and large timestamps, up to 2^53 - 1. */
	CHECK_INT(parse("{\"metric\":{},\"values\":[1,2,3],"
	    "\"timestamps\":[-9007199254740991,-5,9007199254740991]}"), 0);
	CHECK(s.t[0] == -9007199254740991LL && s.t[2] == 9007199254740991LL);
}

static void
test_strings(void)
{
	CHECK_INT(parse("{\"metric\":{\"a\":\"q\\\"b\\\\s\\/\\b\\f\\n\\r\\t\","
	    "\"b\":\"\\u00e9\\u20AC\\ud83d\\ude00\",\"c\":\"\xc3\xa9\xe2\x82"
	    "\xac\xf0\x9f\x98\x80\"},\"values\":[],\"timestamps\":[]}"), 0);
	CHECK(label_is(0, "a", "q\"b\\s/\b\f\n\r\t", 11));
	CHECK(label_is(1, "b", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9));
	CHECK(label_is(2, "c", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9));
	bad("{\"metric\":{\"a\":\"\\ud83d\"},\"values\":[],\"timestamps\":[]}",
	    "surrogate");
	bad("{\"metric\":{\"a\":\"\\ude00\"},\"values\":[],\"timestamps\":[]}",
	    "surrogate");
	bad("{\"metric\":{\"a\":\"\\ud83d\\u0041\"},\"values\":[],"
	    "\"timestamps\":[]}", "surrogate");
	bad("{\"metric\":{\"a\":\"x\\u0000\"},\"values\":[],\"timestamps\":[]}",
	    "\\u0000");
	bad("{\"metric\":{\"a\":\"\\x\"},\"values\":[],\"timestamps\":[]}",
	    "escape");
	bad("{\"metric\":{\"a\":\"\\u12\"},\"values\":[],\"timestamps\":[]}",
	    "escape");
	bad("{\"metric\":{\"a\":\"\x01\"},\"values\":[],\"timestamps\":[]}",
	    "control character");
	bad("{\"metric\":{\"a\":\"\xc0\x80\"},\"values\":[],\"timestamps\":[]}",
	    "UTF-8");
	bad("{\"metric\":{\"a\":\"\xed\xa0\x80\"},\"values\":[],"
	    "\"timestamps\":[]}", "UTF-8");
	bad("{\"metric\":{\"a\":\"\xf4\x90\x80\x80\"},\"values\":[],"
	    "\"timestamps\":[]}", "UTF-8");
	bad("{\"metric\":{\"a\":\"\xe2\x82\"},\"values\":[],\"timestamps\":[]}",
	    "UTF-8");
	bad("{\"metric\":{\"a\":\"abc", "unterminated");
	bad("{\"metric\":{\"a\":\"\\", "escape");
}

static void
test_errors(void)
{
	bad("", "not a JSON object");
	bad("not json", "column 1: not a JSON object");
	bad("[1]", "not a JSON object");
	bad("{\"metric\":{}}x", "column 14");
	bad("{\"metric\":{},\"values\":[1],\"timestamps\":[1]", "end of the "
	    "line");
	bad("{\"metric\":{},\"values\":[1],\"timestamps\":[1]} {}", "text after");
	bad("{\"values\":[1],\"timestamps\":[1]}", "\"metric\" is not an object");
	bad("{\"metric\":[],\"values\":[1],\"timestamps\":[1]}",
	    "\"metric\" is not an object");
	bad("{\"metric\":{\"a\":1},\"values\":[1],\"timestamps\":[1]}",
	    "label a: value is not a string");
	bad("{\"metric\":{\"a\":\"\"},\"values\":[1],\"timestamps\":[1]}",
	    "label a: empty value");
	bad("{\"metric\":{\"\":\"x\"},\"values\":[1],\"timestamps\":[1]}",
	    "empty label name");
	bad("{\"metric\":{\"b\":\"x\",\"a\":\"y\",\"b\":\"z\"},\"values\":[1],"
	    "\"timestamps\":[1]}", "label b: twice");
	bad("{\"metric\":{},\"metric\":{},\"values\":[1],\"timestamps\":[1]}",
	    "\"metric\" twice");
	bad("{\"metric\":{},\"value\":[1],\"timestamps\":[1]}",
	    "unknown key \"value\"");
	bad("{\"metric\":{},\"values\":[1,2],\"timestamps\":[1]}",
	    "2 values but 1 timestamps");
	bad("{\"metric\":{},\"values\":[1]}", "must be arrays");
	bad("{\"metric\":{},\"values\":1,\"timestamps\":[1]}", "must be arrays");
	bad("{\"metric\":{},\"values\":[\"lots\"],\"timestamps\":[1]}",
	    "value 1 is not a number");
	bad("{\"metric\":{},\"values\":[1,true],\"timestamps\":[1,2]}",
	    "value 2 is not a number");
	bad("{\"metric\":{},\"values\":[1,\"NaN:0x7ff0000000000000\"],"
	    "\"timestamps\":[1,2]}", "value 2 is not a number");
	bad("{\"metric\":{},\"values\":[\"NaN:0x 7ff800000000001\"],"
	    "\"timestamps\":[1]}", "value 1 is not a number");
	bad("{\"metric\":{},\"values\":[1e999],\"timestamps\":[1]}",
	    "value 1 is out of range");
	bad("{\"metric\":{},\"values\":[01],\"timestamps\":[1]}",
	    "invalid number");
	bad("{\"metric\":{},\"values\":[1,],\"timestamps\":[1]}",
	    "value 2 is not a number");
	bad("{\"metric\":{},\"values\":[1 2],\"timestamps\":[1]}",
	    "expected ',' or ']'");
	bad("{\"metric\":{},\"values\":[1,2],\"timestamps\":[5,1]}",
	    "timestamp 2 (1) does not increase");
	bad("{\"metric\":{},\"values\":[1,2],\"timestamps\":[5,5]}",
	    "timestamp 2 (5) does not increase");
	bad("{\"metric\":{},\"values\":[1],\"timestamps\":[1.5]}",
	    "timestamp 1 is not an integer");
	bad("{\"metric\":{},\"values\":[1],\"timestamps\":[9007199254740992]}",
	    "timestamp 1 is not an integer");
	bad("{\"metric\":{},\"values\":[1],\"timestamps\":[\"1\"]}",
	    "timestamp 1 is not an integer");
	bad("{\"metric\":{},\"values\":[1],\"timestamps\":[-]}",
	    "invalid number");
	bad("{\"metric\":{},\"values\":[],\"timestamps\":[],\"chunks\":[]}",
	    "both \"chunks\" and \"values\"");
	{
		/* A NUL is no JSON anywhere (jansson drops one after a
		 * number); eight of them are no digits (found by the
		 * fuzzer: the timestamp reader took them for the last
		 * number's first eight). */
		static const char nul[] = "{\"metric\":{},\"values\":[1,2,3],"
		    "\"timestamps\":[0,\0\0\0\0\0\0\0\0001,2]}    "
		    "                                                  ";
		static const char nul2[] = "{\"metric\":{},\"values\":[1,2],"
		    "\"timestamps\":[4\0,5]}";

		CHECK_INT(parse_n(nul, sizeof(nul) - 1), -1);
		CHECK_INT(parse_n(nul2, sizeof(nul2) - 1), -1);
	}
}

static void
test_chunks(void)
{
	struct buf b = BUF_INIT(BUF_NOMAX), c = BUF_INIT(BUF_NOMAX);
	struct labels l = LABELS_INIT;
	struct xor_enc e;
	struct xor_iter it;
	const unsigned char *p;
	size_t len;

	labels_add(&l, STR("__name__"), STR("x"));
	jsonl_begin(&b, &l);
	for (int k = 0; k < 3; k++) {
		buf_reset(&c);
		xor_enc_init(&e, &c);
		for (int i = 0; i < 10 + k; i++)
			xor_enc_add(&e, 1000 * (100 * k + i), k * 0.5 + i);
		p = xor_enc_finish(&e, &len);
		jsonl_add_chunk(&b, k == 0, 100000 * k, 100000 * k + 1000 *
		    (9 + k), p, len);
	}
	jsonl_end_chunks(&b);
	CHECK_INT(parse(b.data), 0);
	CHECK(s.is_chunks && s.nchunks == 3 && s.n == 0);
	CHECK(s.chunks[2].mint == 200000 && s.chunks[2].maxt == 211000);
	xor_iter_init(&it, s.chunks[2].data, s.chunks[2].len);
	for (int i = 0; i < 12; i++)
		CHECK(xor_iter_next(&it) == 1 && it.t == 1000 * (200 + i) &&
		    it.v == 1 + i);
	CHECK(xor_iter_next(&it) == 0);

	/* Padding of every length; keys in any order. */
	CHECK_INT(parse("{\"metric\":{},\"chunks\":[{\"xor\":\"aGVsbG8=\","
	    "\"maxt\":2,\"mint\":1},{\"mint\":3,\"maxt\":3,\"xor\":\"aGk=\"},"
	    "{\"mint\":4,\"maxt\":4,\"xor\":\"YWJj\"},{\"mint\":5,\"maxt\":5,"
	    "\"xor\":\"\"}]}"), 0);
	CHECK(s.nchunks == 4 && s.chunks[0].len == 5 &&
	    memcmp(s.chunks[0].data, "hello", 5) == 0);
	CHECK(s.chunks[1].len == 2 && memcmp(s.chunks[1].data, "hi", 2) == 0);
	CHECK(s.chunks[2].len == 3 && memcmp(s.chunks[2].data, "abc", 3) == 0);
	CHECK(s.chunks[3].len == 0);
	bad("{\"metric\":{},\"chunks\":[{\"mint\":1,\"maxt\":2,\"xor\":\"aGk\"}]}",
	    "chunk 1: xor is not base64");
	bad("{\"metric\":{},\"chunks\":[{\"mint\":1,\"maxt\":2,\"xor\":\"a=Gk\"}]}",
	    "chunk 1: xor is not base64");
	bad("{\"metric\":{},\"chunks\":[{\"mint\":1,\"maxt\":2,\"xor\":\"====\"}]}",
	    "chunk 1: xor is not base64");
	bad("{\"metric\":{},\"chunks\":[{\"mint\":1,\"maxt\":2}]}",
	    "chunk 1: needs integer mint, maxt and a string xor");
	bad("{\"metric\":{},\"chunks\":[{\"mint\":1.5,\"maxt\":2,\"xor\":\"\"}]}",
	    "chunk 1: needs integer mint");
	bad("{\"metric\":{},\"chunks\":[{\"mint\":1,\"maxt\":2,\"xor\":5}]}",
	    "chunk 1: needs integer mint");
	bad("{\"metric\":{},\"chunks\":[1]}", "chunk 1: needs integer mint");
	bad("{\"metric\":{},\"chunks\":[{\"mint\":1,\"maxt\":2,\"xor\":\"\","
	    "\"extra\":0}]}", "chunk 1: unknown key \"extra\"");
	bad("{\"metric\":{},\"chunks\":[{\"mint\":1,\"maxt\":2,\"xor\":\"\","
	    "\"mint\":1}]}", "chunk 1: \"mint\" twice");
	bad("{\"metric\":{},\"chunks\":[{\"mint\":3,\"maxt\":2,\"xor\":\"\"}]}",
	    "chunk 1: time range out of order");
	bad("{\"metric\":{},\"chunks\":[{\"mint\":1,\"maxt\":5,\"xor\":\"\"},"
	    "{\"mint\":5,\"maxt\":6,\"xor\":\"\"}]}",
	    "chunk 2: time range out of order");
	bad("{\"metric\":{},\"chunks\":{}}", "\"chunks\" is not an array");
	buf_release(&b);
	buf_release(&c);
	labels_release(&l);
}

/* Long lines, short lines, failures between them: buffers are reused and
 * what a line gives never depends on the one before. */
static void
test_reuse(void)
{
	struct buf b = BUF_INIT(BUF_NOMAX);
	struct labels l = LABELS_INIT;
	enum { N = 5000 };
	static int64_t t[N];
	static double v[N];

	labels_add(&l, STR("a"), STR("b"));
	for (size_t i = 0; i < N; i++) {
		t[i] = 1700000000000LL + 15000 * (int64_t)i + (int64_t)(i % 7);
		v[i] = i % 3 == 0 ? (double)i : i % 3 == 1 ? 1.0 / (double)(i + 1)
		    : -(double)i * 1e10;
	}
	for (int round = 0; round < 3; round++) {
		size_t n = round == 1 ? 3 : N;

		buf_reset(&b);
		CHECK_INT(jsonl_add_values(&b, &l, t, v, n), 0);
		CHECK_INT(parse(b.data), 0);
		CHECK_INT(s.n, n);
		CHECK(memcmp(s.t, t, n * sizeof(*t)) == 0);
		CHECK(memcmp(s.v, v, n * sizeof(*v)) == 0);
		CHECK(label_is(0, "a", "b", 1));
		bad("{\"metric\":{\"x\":\"y\"},\"values\":[1,2],\"timestamps\":[2,1]}",
		    "does not increase");
	}
	buf_release(&b);
	labels_release(&l);
}

static void
test_writer(void)
{
	struct buf b = BUF_INIT(BUF_NOMAX);
	struct labels l = LABELS_INIT;
	static const int64_t t[] = { -5, 0, 99999999, 100000000,
	    1700000012345, 1700000012346, 1800000000000, 9007199254740991 };
	double v[8];
	uint64_t nan = 0x7ff8000000000abcULL, stale = JSONL_STALE_BITS;

	v[0] = -0.0;
	memcpy(&v[1], &nan, sizeof(v[1]));
	memcpy(&v[2], &stale, sizeof(v[2]));
	v[3] = INFINITY;
	v[4] = 1e6;
	v[5] = 0.1;
	v[6] = 123456;
	v[7] = -2.5e-5;
	labels_add(&l, STR("a"), STR("\"q\"\n"));
	CHECK_INT(jsonl_add_values(&b, &l, t, v, 8), 0);
	CHECK_STR(b.data, "{\"metric\":{\"a\":\"\\\"q\\\"\\n\"},\"values\":"
	    "[-0,\"NaN:0x7ff8000000000abc\",\"StaleNaN\",\"+Inf\",1e+06,0.1,"
	    "123456,-2.5e-05],\"timestamps\":[-5,0,99999999,100000000,"
	    "1700000012345,1700000012346,1800000000000,9007199254740991]}\n");
	/* A buf with a cap takes a line that fits exactly, refuses one
	 * byte more, and is left as it was. */
	{
		struct buf capped;
		size_t len = b.len;

		buf_init(&capped, len);
		CHECK_INT(jsonl_add_values(&capped, &l, t, v, 8), 0);
		CHECK_STR(capped.data, b.data);
		buf_release(&capped);
		buf_init(&capped, len - 1);
		buf_addstr(&capped, "x");
		CHECK_INT(jsonl_add_values(&capped, &l, t, v, 8), -1);
		CHECK(errno == ENOBUFS && capped.len == 1);
		buf_release(&capped);
		buf_init(&capped, strlen(",\"chunks\":[{\"mint\":1,\"maxt\":2,"
		    "\"xor\":\"aGk=\"}"));
		CHECK_INT(jsonl_add_chunk(&capped, 1, 1, 2, "hi", 2), 0);
		CHECK_STR(capped.data, ",\"chunks\":[{\"mint\":1,\"maxt\":2,"
		    "\"xor\":\"aGk=\"}");
		CHECK_INT(jsonl_add_chunk(&capped, 0, 1, 2, "", 0), -1);
		buf_release(&capped);
	}
	buf_reset(&b);
	CHECK_INT(jsonl_add_values(&b, &l, t, v, 0), 0);
	CHECK_STR(b.data, "{\"metric\":{\"a\":\"\\\"q\\\"\\n\"},\"values\":[],"
	    "\"timestamps\":[]}\n");
	buf_reset(&b);
	CHECK_INT(jsonl_add_chunk(&b, 1, -1, 2, "hello", 5), 0);
	CHECK_INT(jsonl_add_chunk(&b, 0, 3, 4, "hi", 2), 0);
	CHECK_STR(b.data, ",\"chunks\":[{\"mint\":-1,\"maxt\":2,\"xor\":"
	    "\"aGVsbG8=\"},{\"mint\":3,\"maxt\":4,\"xor\":\"aGk=\"}");
	buf_release(&b);
	labels_release(&l);
}

int
main(void)
{
	test_values();
	test_strings();
	test_errors();
	test_chunks();
	test_reuse();
	test_writer();
	jsonl_series_release(&s);
	return unit_done();
}
