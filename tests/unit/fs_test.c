/*
 * fs_test: the directory bucket through the bucket API: layout on disk,
 * atomic writes with no temporary file left, byte ranges, listings in
 * S3's order with and without a delimiter, deletes that prune empty
 * directories, key checks, prefixes, caps, not-found, and the counters.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/io.h"
#include "bucket/bucket.h"
#include "bucket/fs.h"
#include "unit.h"

static char root[64];
static struct buf out = BUF_INIT(BUF_NOMAX);

/* Names a listing gave, joined by ' '. */
static int
collect(void *arg, const struct bucket_entry *e, char err[ERR_MAX])
{
	struct buf *b = arg;

	(void)err;
	if (b->len > 0)
		buf_addch(b, ' ');
	buf_addstr(b, e->name);
	if (!e->dir)
		buf_addf(b, ":%llu", (unsigned long long)e->size);
	return 0;
}

static int
stop_at_two(void *arg, const struct bucket_entry *e, char err[ERR_MAX])
{
	int *n = arg;

	(void)e;
	if (++*n == 2)
		return errbuf_set(err, "enough");
	return 0;
}

static const char *
ls(struct bucket *b, const char *prefix, int delim)
{
	char err[ERR_MAX];

	buf_reset(&out);
	buf_addstr(&out, "");
	if (bucket_list(b, prefix, delim, collect, &out, err) == -1) {
		fprintf(stderr, "list: %s\n", err);
		return "(error)";
	}
	return out.data;
}

static int
exists(const char *rel)
{
	char p[256];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	return stat(p, &st) == 0;
}

/* Count entries starting with BUCKET_FS_TMP anywhere under root. */
static int ntmp;

static int
count_tmp(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	if (strncmp(path + ftw->base, BUCKET_FS_TMP,
	    strlen(BUCKET_FS_TMP)) == 0)
		ntmp++;
	return 0;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int
main(void)
{
	struct bucket *b;
	struct bucket_attr attr;
	struct bucket_stats st;
	struct buf got = BUF_INIT(1 << 20), small = BUF_INIT(4);
	char err[ERR_MAX], path[256], big[100000];
	int fd, n;

	snprintf(root, sizeof(root), "/tmp/fs_test.XXXXXX");
	if (mkdtemp(root) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	/* A directory that does not exist yet is fine: the first put
	 * makes it. */
	strcat(root, "/bucket");
	CHECK((b = bucket_fs_open(root, err)) != NULL);
	if (b == NULL)
		return unit_done();
	snprintf(path, sizeof(path), "file://%s", root);
	CHECK_STR(b->url, path);
	CHECK_STR(ls(b, "", '/'), "");

	CHECK_INT(bucket_put(b, "01H/meta.json", "{}", 2, err), 0);
	CHECK_INT(bucket_put(b, "01H/chunks/000001", "0123456789", 10, err),
	    0);
	CHECK_INT(bucket_put(b, "01H-x", "dash", 4, err), 0);
	CHECK_INT(bucket_put(b, "empty", NULL, 0, err), 0);
	CHECK(exists("01H/chunks/000001"));
	CHECK(exists("empty"));

	/* Replacing an object is whole or nothing; no temporary file is
	 * ever left behind. */
	memset(big, 'x', sizeof(big));
	CHECK_INT(bucket_put(b, "01H/index", big, sizeof(big), err), 0);
	CHECK_INT(bucket_put(b, "01H/index", "idx", 3, err), 0);
	CHECK_INT(bucket_get(b, "01H/index", &got, err), 0);
	CHECK_STR(got.data, "idx");
	ntmp = 0;
	nftw(root, count_tmp, 16, FTW_PHYS);
	CHECK_INT(ntmp, 0);

	/* Whole, ranged, past the end, not found. */
	CHECK_INT(bucket_get(b, "01H/chunks/000001", &got, err), 0);
	CHECK_STR(got.data, "0123456789");
	CHECK_INT(bucket_get_range(b, "01H/chunks/000001", 3, 4, &got, err),
	    0);
	CHECK_STR(got.data, "3456");
	CHECK_INT(bucket_get_range(b, "01H/chunks/000001", 8, 100, &got,
	    err), 0);
	CHECK_STR(got.data, "89");
	CHECK_INT(bucket_get_range(b, "01H/chunks/000001", 7, BUCKET_TO_END,
	    &got, err), 0);
	CHECK_STR(got.data, "789");
	CHECK_INT(bucket_get_range(b, "01H/chunks/000001", 10, 1, &got, err),
	    -1);
	CHECK(strstr(err, "past the end") != NULL);
	CHECK_INT(bucket_get_range(b, "01H/chunks/000001", 4, 0, &got, err),
	    0);
	CHECK_INT(got.len, 0);
	CHECK_INT(bucket_get(b, "empty", &got, err), 0);
	CHECK_INT(got.len, 0);
	CHECK(got.data != NULL);
	CHECK_INT(bucket_get(b, "01H/nope", &got, err), BUCKET_NOTFOUND);
	snprintf(path, sizeof(path), "get file://%s/01H/nope: not found",
	    root);
	CHECK_STR(err, path);
	/* A directory is not an object. */
	CHECK_INT(bucket_get(b, "01H", &got, err), BUCKET_NOTFOUND);
	CHECK_INT(bucket_exists(b, "01H", err), 0);
	CHECK_INT(bucket_exists(b, "01H/meta.json", err), 1);
	CHECK_INT(bucket_head(b, "01H/chunks/000001", &attr, err), 0);
	CHECK_INT(attr.size, 10);
	CHECK(attr.mtime > 0);
	CHECK_INT(bucket_head(b, "01H/chunks/000002", &attr, err),
	    BUCKET_NOTFOUND);
	/* Over the caller's cap: an error naming it, nothing kept. */
	CHECK_INT(bucket_get(b, "01H/chunks/000001", &small, err), -1);
	CHECK(strstr(err, "over the cap of 4") != NULL);
	CHECK_INT(small.len, 0);
	CHECK_INT(bucket_get_range(b, "01H/chunks/000001", 2, 4, &small,
	    err), 0);
	CHECK_STR(small.data, "2345");

	/* Listings: S3's byte order ("01H-x" before "01H/"), folded at
	 * '/' or not, prefixes that end mid-name. */
	CHECK_STR(ls(b, "", '/'), "01H-x:4 01H/ empty:0");
	CHECK_STR(ls(b, "", 0), "01H-x:4 01H/chunks/000001:10 "
	    "01H/index:3 01H/meta.json:2 empty:0");
	CHECK_STR(ls(b, "01H/", '/'), "01H/chunks/ 01H/index:3 "
	    "01H/meta.json:2");
	CHECK_STR(ls(b, "01H", '/'), "01H-x:4 01H/");
	CHECK_STR(ls(b, "01H/m", '/'), "01H/meta.json:2");
	CHECK_STR(ls(b, "01H/chunks/", '/'), "01H/chunks/000001:10");
	CHECK_STR(ls(b, "nope/", '/'), "");
	/* Empty directories and stray temporary files are not objects. */
	snprintf(path, sizeof(path), "%s/emptydir", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/emptydir/sub", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/01H/%sindex.abc", root,
	    BUCKET_FS_TMP);
	CHECK((fd = open(path, O_CREAT | O_WRONLY, 0644)) != -1);
	close(fd);
	CHECK_STR(ls(b, "", '/'), "01H-x:4 01H/ empty:0");
	CHECK_STR(ls(b, "01H/", '/'), "01H/chunks/ 01H/index:3 "
	    "01H/meta.json:2");
	unlink(path);
	/* The callback may stop the listing with its own error. */
	n = 0;
	CHECK_INT(bucket_list(b, "", 0, stop_at_two, &n, err), -1);
	CHECK_STR(err, "enough");
	CHECK_INT(bucket_list(b, "", '|', collect, &got, err), -1);
	CHECK_INT(bucket_list(b, "../", '/', collect, &got, err), -1);

	/* Keys that could leave the directory, or are no key at all. */
	CHECK_INT(bucket_put(b, "../escape", "x", 1, err), -1);
	CHECK(strstr(err, "'..'") != NULL);
	CHECK_INT(bucket_put(b, "a/./b", "x", 1, err), -1);
	CHECK_INT(bucket_put(b, "/abs", "x", 1, err), -1);
	CHECK_INT(bucket_put(b, "dir/", "x", 1, err), -1);
	CHECK_INT(bucket_put(b, "a//b", "x", 1, err), -1);
	CHECK_INT(bucket_put(b, "", "x", 1, err), -1);
	CHECK_INT(bucket_get(b, "a\nb", &got, err), BUCKET_NOTFOUND);
	CHECK(strchr(err, '\n') == NULL);
	CHECK(strstr(err, "a\\x0ab") != NULL);
	snprintf(path, sizeof(path), "x/%sy", BUCKET_FS_TMP);
	CHECK_INT(bucket_put(b, path, "x", 1, err), -1);

	/* put_file and get_file stream through files, atomically. */
	snprintf(path, sizeof(path), "%s.src", root);
	CHECK_INT(io_write_atomic(path, big, sizeof(big), 0644, err), 0);
	CHECK_INT(bucket_put_file(b, "01H/chunks/000002", path, err), 0);
	CHECK_INT(bucket_head(b, "01H/chunks/000002", &attr, err), 0);
	CHECK_INT(attr.size, sizeof(big));
	CHECK((fd = open(path, O_RDONLY)) != -1);
	CHECK_INT(bucket_put_fd(b, "part", fd, 99990, 10, err), 0);
	CHECK_INT(bucket_put_fd(b, "short", fd, 99990, 20, err), -1);
	CHECK(strstr(err, "shorter") != NULL);
	CHECK_INT(bucket_exists(b, "short", err), 0);
	close(fd);
	CHECK_INT(bucket_get(b, "part", &got, err), 0);
	CHECK_STR(got.data, "xxxxxxxxxx");
	snprintf(path, sizeof(path), "%s.dst", root);
	CHECK_INT(bucket_get_file(b, "01H/chunks/000002", path, err), 0);
	CHECK_INT(io_read_file(path, &got, err), 0);
	CHECK_INT(got.len, sizeof(big));
	CHECK(memcmp(got.data, big, sizeof(big)) == 0);
	/* Not found: the target is untouched and no temporary remains. */
	CHECK_INT(bucket_get_file(b, "01H/none", path, err), BUCKET_NOTFOUND);
	CHECK_INT(io_read_file(path, &got, err), 0);
	CHECK_INT(got.len, sizeof(big));
	unlink(path);
	snprintf(path, sizeof(path), "%s.src", root);
	unlink(path);
	CHECK_INT(bucket_put_file(b, "x", path, err), -1);

	/* Delete: idempotent, and empty parents go, up to the root. */
	CHECK_INT(bucket_delete(b, "01H/chunks/000001", err), 0);
	CHECK_INT(bucket_delete(b, "01H/chunks/000002", err), 0);
	CHECK(!exists("01H/chunks"));
	CHECK(exists("01H"));
	CHECK_INT(bucket_delete(b, "01H/chunks/000002", err), 0);
	CHECK_INT(bucket_delete(b, "01H", err), 0);
	CHECK(exists("01H/meta.json"));
	CHECK_INT(bucket_delete(b, "01H/meta.json", err), 0);
	CHECK_INT(bucket_delete(b, "01H/index", err), 0);
	CHECK(!exists("01H"));
	CHECK(exists(""));

	/* A prefix puts everything under a directory, and names come back
	 * relative to it. */
	CHECK_INT(bucket_set_prefix(b, "tenant/", err), 0);
	CHECK_INT(bucket_put(b, "01J/meta.json", "{}", 2, err), 0);
	CHECK(exists("tenant/01J/meta.json"));
	CHECK_STR(ls(b, "", '/'), "01J/");
	CHECK_STR(ls(b, "", 0), "01J/meta.json:2");
	CHECK_INT(bucket_get(b, "01J/none", &got, err), BUCKET_NOTFOUND);
	snprintf(path, sizeof(path), "get file://%s/tenant/01J/none: "
	    "not found", root);
	CHECK_STR(err, path);
	CHECK_INT(bucket_delete(b, "01J/meta.json", err), 0);
	CHECK(!exists("tenant/01J"));

	/* Counters: calls, failures (not-found is none), bytes. */
	bucket_stats_read(b, &st);
	CHECK(st.ops[BUCKET_OP_UPLOAD] >= 10);
	CHECK(st.failures[BUCKET_OP_UPLOAD] >= 7);
	CHECK(st.bytes[BUCKET_OP_UPLOAD] >= 2 * sizeof(big));
	CHECK(st.ops[BUCKET_OP_GET] > 0);
	CHECK(st.ops[BUCKET_OP_GET_RANGE] >= 6);
	CHECK_INT(st.bytes[BUCKET_OP_GET_RANGE], 4 + 2 + 3 + 4);
	CHECK(st.ops[BUCKET_OP_ITER] >= 10);
	CHECK_INT(st.ops[BUCKET_OP_EXISTS], 3);
	CHECK_INT(st.failures[BUCKET_OP_EXISTS], 0);
	CHECK_STR(bucket_op_name(BUCKET_OP_GET_RANGE), "get_range");
	CHECK_STR(bucket_op_name(BUCKET_OP_UPLOAD), "upload");
	bucket_free(b);

	/* Opening: a file is no directory; a relative path is made
	 * absolute. */
	snprintf(path, sizeof(path), "%s.file", root);
	CHECK_INT(io_write_atomic(path, "x", 1, 0644, err), 0);
	CHECK(bucket_fs_open(path, err) == NULL);
	CHECK(strstr(err, "not a directory") != NULL);
	unlink(path);
	CHECK(bucket_fs_open("", err) == NULL);
	CHECK_STR(err, "missing directory for filesystem bucket");
	CHECK((b = bucket_fs_open("rel/dir/", err)) != NULL);
	if (b != NULL) {
		CHECK(strncmp(b->url, "file:///", 8) == 0);
		CHECK(strstr(b->url, "/rel/dir") != NULL);
		CHECK(b->url[strlen(b->url) - 1] != '/');
	}
	bucket_free(b);

	buf_release(&got);
	buf_release(&small);
	buf_release(&out);
	*strrchr(root, '/') = '\0';
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return unit_done();
}
