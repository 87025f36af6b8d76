/*
 * metawrite_test: meta.json with the thanos section, byte for byte as
 * Thanos' Meta.Write gives it (the golden text follows Thanos'
 * pkg/block/metadata meta_test.go, with the v0.32 index_stats), from a
 * block meta as promtool 2.42 writes one and from a compacted one with
 * parents; Go's string escaping; the type errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/labels.h"
#include "tsdb/meta.h"
#include "tsdb/metawrite.h"
#include "unit.h"

static const char promtool_meta[] =
"{\n"
"\t\"ulid\": \"01M890XRGRK4YG47B0F8AFFTGA\",\n"
"\t\"minTime\": 1700006400000,\n"
"\t\"maxTime\": 1700007202827,\n"
"\t\"stats\": {\n"
"\t\t\"numSamples\": 132178,\n"
"\t\t\"numSeries\": 2500,\n"
"\t\t\"numChunks\": 2500\n"
"\t},\n"
"\t\"compaction\": {\n"
"\t\t\"level\": 1,\n"
"\t\t\"sources\": [\n"
"\t\t\t\"01M890XRGRK4YG47B0F8AFFTGA\"\n"
"\t\t]\n"
"\t},\n"
"\t\"version\": 1\n"
"}";

static const char promtool_want[] =
"{\n"
"\t\"ulid\": \"01M890XRGRK4YG47B0F8AFFTGA\",\n"
"\t\"minTime\": 1700006400000,\n"
"\t\"maxTime\": 1700007202827,\n"
"\t\"stats\": {\n"
"\t\t\"numSamples\": 132178,\n"
"\t\t\"numSeries\": 2500,\n"
"\t\t\"numChunks\": 2500\n"
"\t},\n"
"\t\"compaction\": {\n"
"\t\t\"level\": 1,\n"
"\t\t\"sources\": [\n"
"\t\t\t\"01M890XRGRK4YG47B0F8AFFTGA\"\n"
"\t\t]\n"
"\t},\n"
"\t\"version\": 1,\n"
"\t\"thanos\": {\n"
"\t\t\"labels\": {\n"
"\t\t\t\"cluster\": \"eu1\",\n"
"\t\t\t\"replica\": \"a\"\n"
"\t\t},\n"
"\t\t\"downsample\": {\n"
"\t\t\t\"resolution\": 0\n"
"\t\t},\n"
"\t\t\"source\": \"sidecar\",\n"
"\t\t\"segment_files\": [\n"
"\t\t\t\"000001\"\n"
"\t\t],\n"
"\t\t\"files\": [\n"
"\t\t\t{\n"
"\t\t\t\t\"rel_path\": \"chunks/000001\",\n"
"\t\t\t\t\"size_bytes\": 1067458\n"
"\t\t\t},\n"
"\t\t\t{\n"
"\t\t\t\t\"rel_path\": \"index\",\n"
"\t\t\t\t\"size_bytes\": 136432\n"
"\t\t\t},\n"
"\t\t\t{\n"
"\t\t\t\t\"rel_path\": \"meta.json\"\n"
"\t\t\t}\n"
"\t\t],\n"
"\t\t\"index_stats\": {}\n"
"\t}\n"
"}\n";

/* Thanos' "real write/read/write" test block, times put in order, an old
 * thanos section to replace, unknown fields to drop, lower case ULIDs. */
static const char compacted_meta[] =
"{\"ulid\":\"00000000050000000000000000\",\"minTime\":134,\"maxTime\":2424,"
"\"stats\":{\"numSamples\":245,\"numSeries\":4,\"numChunks\":14,"
"\"numFloatSamples\":245},"
"\"compaction\":{\"level\":123,\"sources\":[\"00000000010000000000000000\","
"\"00000000020000000000000000\"],\"parents\":[{\"ulid\":"
"\"00000000030000000000000000\",\"minTime\":442,\"maxTime\":24225}],"
"\"deletable\":false,\"failed\":true,\"hints\":[\"from-out-of-order\"]},"
"\"version\":1,\"extra\":[1,2],"
"\"thanos\":{\"labels\":{\"old\":\"x\"},\"downsample\":{\"resolution\":0},"
"\"source\":\"receive\"}}";

static const char compacted_want[] =
"{\n"
"\t\"ulid\": \"00000000050000000000000000\",\n"
"\t\"minTime\": 134,\n"
"\t\"maxTime\": 2424,\n"
"\t\"stats\": {\n"
"\t\t\"numSamples\": 245,\n"
"\t\t\"numSeries\": 4,\n"
"\t\t\"numChunks\": 14\n"
"\t},\n"
"\t\"compaction\": {\n"
"\t\t\"level\": 123,\n"
"\t\t\"sources\": [\n"
"\t\t\t\"00000000010000000000000000\",\n"
"\t\t\t\"00000000020000000000000000\"\n"
"\t\t],\n"
"\t\t\"parents\": [\n"
"\t\t\t{\n"
"\t\t\t\t\"ulid\": \"00000000030000000000000000\",\n"
"\t\t\t\t\"minTime\": 442,\n"
"\t\t\t\t\"maxTime\": 24225\n"
"\t\t\t}\n"
"\t\t],\n"
"\t\t\"failed\": true,\n"
"\t\t\"hints\": [\n"
"\t\t\t\"from-out-of-order\"\n"
"\t\t]\n"
"\t},\n"
"\t\"version\": 1,\n"
"\t\"thanos\": {\n"
"\t\t\"labels\": {\n"
"\t\t\t\"ext\": \"lset1\"\n"
"\t\t},\n"
"\t\t\"downsample\": {\n"
"\t\t\t\"resolution\": 0\n"
"\t\t},\n"
"\t\t\"source\": \"sidecar\",\n"
"\t\t\"files\": [\n"
"\t\t\t{\n"
"\t\t\t\t\"rel_path\": \"index\",\n"
"\t\t\t\t\"size_bytes\": 401\n"
"\t\t\t}\n"
"\t\t],\n"
"\t\t\"index_stats\": {}\n"
"\t}\n"
"}\n";

static int
parse(struct tsdb_meta *m, const char *text, char *err)
{
	return tsdb_meta_parse(m, text, strlen(text), "m", err);
}

static const char *
esc(const char *s, size_t n)
{
	static struct buf b = BUF_INIT(BUF_NOMAX);

	buf_reset(&b);
	if (tsdb_metawrite_string(&b, s, n) == -1)
		return NULL;
	return b.data;
}

int
main(void)
{
	struct tsdb_meta m;
	struct labels l = LABELS_INIT;
	struct buf out = BUF_INIT(BUF_NOMAX);
	char err[ERR_MAX];
	const char *segs[] = { "000001" };
	struct metawrite_file files[] = {
		{ "chunks/000001", 1067458 }, { "index", 136432 },
		{ "meta.json", -1 },
	};
	struct metawrite_thanos t = {
		.labels = &l, .source = METAWRITE_SOURCE_SIDECAR,
		.segments = segs, .nsegments = 1, .files = files, .nfiles = 3,
	};

	/* A level-1 block of promtool 2.42. */
	labels_add(&l, STR("replica"), STR("a"));
	labels_add(&l, STR("cluster"), STR("eu1"));
	labels_sort(&l);
	CHECK(tsdb_meta_parse(&m, promtool_meta, strlen(promtool_meta), "m",
	    err) == 0);
	CHECK(tsdb_metawrite_thanos(&m, &t, &out, err) == 0);
	CHECK_STR(out.data, promtool_want);
	tsdb_meta_release(&m);
	/* It reads back: Thanos' section as written. */
	CHECK(tsdb_meta_parse(&m, out.data, out.len, "out", err) == 0);
	CHECK(m.has_thanos && m.ext.n == 2 && m.resolution == 0);
	CHECK_STR(m.source, "sidecar");
	tsdb_meta_release(&m);

	/* Compacted, with parents and hints; unknown fields dropped, the
	 * old thanos section replaced. */
	labels_reset(&l);
	labels_add(&l, STR("ext"), STR("lset1"));
	t.segments = NULL;
	t.nsegments = 0;
	t.files = (struct metawrite_file[]){ { "index", 401 } };
	t.nfiles = 1;
	buf_reset(&out);
	CHECK(tsdb_meta_parse(&m, compacted_meta, strlen(compacted_meta), "m",
	    err) == 0);
	CHECK(tsdb_metawrite_thanos(&m, &t, &out, err) == 0);
	CHECK_STR(out.data, compacted_want);
	tsdb_meta_release(&m);

	/* Zero stats are an empty object, as Go writes a struct. */
	buf_reset(&out);
	CHECK(parse(&m, "{\"ulid\":\"00000000050000000000000000\","
	    "\"minTime\":1,\"maxTime\":2,\"version\":1}", err) == 0);
	CHECK(tsdb_metawrite_thanos(&m, &t, &out, err) == 0);
	CHECK(strstr(out.data, "\t\"stats\": {},\n\t\"compaction\": {\n"
	    "\t\t\"level\": 0\n\t},\n") != NULL);
	tsdb_meta_release(&m);

	/* Wrong types in compaction are errors, not guesses. */
	buf_reset(&out);
	CHECK(parse(&m, "{\"ulid\":\"00000000050000000000000000\","
	    "\"minTime\":1,\"maxTime\":2,\"version\":1,\"compaction\":{"
	    "\"level\":1,\"sources\":\"x\"}}", err) == 0);
	CHECK(tsdb_metawrite_thanos(&m, &t, &out, err) == -1);
	CHECK_STR(err, "meta.json: compaction: a field of the wrong type");
	tsdb_meta_release(&m);
	CHECK(parse(&m, "{\"ulid\":\"00000000050000000000000000\","
	    "\"minTime\":1,\"maxTime\":2,\"version\":1,\"compaction\":{"
	    "\"level\":1,\"sources\":[\"x\"]}}", err) == 0);
	CHECK(tsdb_metawrite_thanos(&m, &t, &out, err) == -1);
	CHECK_STR(err, "meta.json: compaction.sources[0]: not a ULID");
	tsdb_meta_release(&m);

	/* Go's encoding/json string escaping, HTML-safe. */
	CHECK_STR(esc("a<b>&\"\\", 7), "\"a\\u003cb\\u003e\\u0026\\\"\\\\\"");
	CHECK_STR(esc("\n\r\t\b\f\x01\x1f\x7f", 8),
	    "\"\\n\\r\\t\\u0008\\u000c\\u0001\\u001f\x7f\"");
	CHECK_STR(esc("\xc3\xbc\xe2\x9c\x93\xf0\x9f\x98\x80", 9),
	    "\"\xc3\xbc\xe2\x9c\x93\xf0\x9f\x98\x80\"");
	/* Bad UTF-8 byte by byte: a lone continuation, a cut sequence, an
	 * overlong, a surrogate, past U+10FFFF. */
	CHECK_STR(esc("\x80", 1), "\"\\ufffd\"");
	CHECK_STR(esc("\xe2\x9c", 2), "\"\\ufffd\\ufffd\"");
	CHECK_STR(esc("\xc0\xaf", 2), "\"\\ufffd\\ufffd\"");
	CHECK_STR(esc("\xed\xa0\x80", 3), "\"\\ufffd\\ufffd\\ufffd\"");
	CHECK_STR(esc("\xf4\x90\x80\x80", 4),
	    "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	CHECK_STR(esc("\xe2\x80\xa8\xe2\x80\xa9", 6), "\"\\u2028\\u2029\"");
	CHECK_STR(esc("a\0b", 3), "\"a\\u0000b\"");

	labels_release(&l);
	buf_release(&out);
	return unit_done();
}
