/*
 * shipper_test: thanos.shipper.json as Thanos writes it (empty list as
 * null, tab indent, trailing newline), read back, lenient where Thanos
 * is (unknown keys, null, no list) and strict where it is (version 1,
 * ULIDs); add without duplicates, filter, and the atomic write to a
 * mkdtemp directory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/io.h"
#include "bucket/shipper.h"
#include "tsdb/ulid.h"
#include "unit.h"

#define A	"01HQ3J5Z8P2V6W9X0Y1Z2A3B4C"
#define B	"01HQ3J5Z8P2V6W9X0Y1Z2A3B4D"
#define C	"01HQ3J5Z8P2V6W9X0Y1Z2A3B4E"

static int
parse(struct shipper *s, const char *text, char *err)
{
	return shipper_parse(s, text, strlen(text), "F", err);
}

static int
not_b(void *arg, const struct ulid *u)
{
	struct ulid b;

	(void)arg;
	ulid_parse(B, &b);
	return ulid_compare(u, &b) != 0;
}

int
main(void)
{
	struct shipper s = SHIPPER_INIT;
	struct buf out = BUF_INIT(BUF_NOMAX);
	struct ulid a, b, c;
	char err[ERR_MAX], dir[] = "/tmp/shipper_test.XXXXXX", path[256];

	ulid_parse(A, &a);
	ulid_parse(B, &b);
	ulid_parse(C, &c);

	/* Empty: Go's nil slice. */
	CHECK(shipper_format(&s, &out) == 0);
	CHECK_STR(out.data, "{\n\t\"version\": 1,\n\t\"uploaded\": null\n}\n");

	CHECK(shipper_add(&s, &a) == 0);
	CHECK(shipper_add(&s, &b) == 0);
	CHECK(shipper_add(&s, &a) == 0);
	CHECK_INT(s.n, 2);
	CHECK(shipper_has(&s, &a) && shipper_has(&s, &b) &&
	    !shipper_has(&s, &c));
	buf_reset(&out);
	CHECK(shipper_format(&s, &out) == 0);
	CHECK_STR(out.data, "{\n\t\"version\": 1,\n\t\"uploaded\": [\n"
	    "\t\t\"" A "\",\n\t\t\"" B "\"\n\t]\n}\n");

	/* What we write reads back the same. */
	CHECK(shipper_parse(&s, out.data, out.len, "F", err) == 0);
	CHECK_INT(s.n, 2);
	CHECK(ulid_compare(&s.v[0], &a) == 0 && ulid_compare(&s.v[1], &b) == 0);

	/* Thanos' own compact form, unknown keys, lower case ULIDs. */
	CHECK(parse(&s, "{\"uploaded\":[\"" C "\","
	    "\"01hq3j5z8p2v6w9x0y1z2a3b4c\"],\"version\":1,\"extra\":{}}",
	    err) == 0);
	CHECK_INT(s.n, 2);
	CHECK(ulid_compare(&s.v[0], &c) == 0 && ulid_compare(&s.v[1], &a) == 0);
	CHECK(parse(&s, "{\"version\":1,\"uploaded\":null}", err) == 0);
	CHECK_INT(s.n, 0);
	CHECK(parse(&s, "{\"version\":1}", err) == 0);
	CHECK_INT(s.n, 0);

	/* Strict where Thanos is; the list is empty after a failure. */
	CHECK(parse(&s, "{\"version\":1,\"uploaded\":[\"" A "\"]}", err) == 0);
	CHECK(parse(&s, "{\"version\":2,\"uploaded\":[]}", err) == -1);
	CHECK_STR(err, "F: version is not 1");
	CHECK_INT(s.n, 0);
	CHECK(parse(&s, "{\"uploaded\":[]}", err) == -1);
	CHECK(parse(&s, "{\"version\":1,\"uploaded\":[\"nope\"]}", err) == -1);
	CHECK_STR(err, "F: uploaded[0]: not a ULID");
	CHECK(parse(&s, "{\"version\":1,\"uploaded\":[1]}", err) == -1);
	CHECK(parse(&s, "{\"version\":1,\"uploaded\":{}}", err) == -1);
	CHECK_STR(err, "F: uploaded: not a list");
	CHECK(parse(&s, "[]", err) == -1);
	CHECK(parse(&s, "{\"version\":1,", err) == -1);
	CHECK(strncmp(err, "F:1:", 4) == 0);

	/* Filter keeps the order. */
	shipper_add(&s, &a);
	shipper_add(&s, &b);
	shipper_add(&s, &c);
	shipper_filter(&s, not_b, NULL);
	CHECK_INT(s.n, 2);
	CHECK(ulid_compare(&s.v[0], &a) == 0 && ulid_compare(&s.v[1], &c) == 0);

	/* Files: missing is empty, written atomically, read back. */
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/%s", dir, SHIPPER_FILE);
	CHECK(shipper_read(&s, path, err) == 0);
	CHECK_INT(s.n, 0);
	shipper_add(&s, &b);
	CHECK(shipper_write(&s, path, err) == 0);
	shipper_release(&s);
	CHECK(shipper_read(&s, path, err) == 0);
	CHECK_INT(s.n, 1);
	CHECK(shipper_has(&s, &b));
	CHECK(io_write_atomic(path, "{\"version\":", 11, 0644, err) == 0);
	CHECK(shipper_read(&s, path, err) == -1);
	CHECK(strstr(err, SHIPPER_FILE) != NULL);
	CHECK_INT(s.n, 0);
	/* A directory in the way is an error, not an empty list. */
	CHECK(shipper_read(&s, dir, err) == -1);
	unlink(path);
	rmdir(dir);

	shipper_release(&s);
	buf_release(&out);
	return unit_done();
}
