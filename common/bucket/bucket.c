#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "bucket/bucket.h"

/* Bytes of a key shown in an error line before it is cut. */
#define BUCKET_SHOWN	240

static const char *const bucket_op_names[BUCKET_OP_N] = {
	"get", "get_range", "exists", "attributes", "upload", "delete", "iter"
};

/* What bucket_list hands the backend as its emit argument. */
struct bucket_iter {
	bucket_list_fn	 fn;
	void		*arg;
	size_t		 strip;		/* bytes of "prefix/" to drop */
	int		 stopped;	/* fn said stop; err is fn's */
};

const char *
bucket_op_name(enum bucket_op op)
{
	return op < BUCKET_OP_N ? bucket_op_names[op] : "unknown";
}

struct bucket *
bucket_new(const struct bucket_ops *ops, const char *url, void *impl)
{
	struct bucket *b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	if ((b->url = strdup(url)) == NULL || (b->prefix = strdup("")) ==
	    NULL) {
		free(b->url);
		free(b);
		return NULL;
	}
	b->ops = ops;
	b->impl = impl;
	b->abort_fd = -1;
	return b;
}

void
bucket_free(struct bucket *b)
{
	if (b == NULL)
		return;
	if (b->ops != NULL && b->ops->free != NULL)
		b->ops->free(b);
	free(b->url);
	free(b->prefix);
	free(b);
}

/*
 * Segments of s (len bytes) split at '/': none empty, ".", or "..".
 * A trailing '/' is allowed when trail is set (a list prefix).
 */
static int
bucket_segments_ok(const char *s, size_t len, int trail)
{
	const char *p = s, *end = s + len, *slash;
	size_t n;

	while (p < end) {
		if ((slash = memchr(p, '/', (size_t)(end - p))) == NULL)
			slash = end;
		n = (size_t)(slash - p);
		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		if (slash == end)
			break;
		p = slash + 1;
		if (p == end && !trail)
			return 0;
	}
	return 1;
}

int
bucket_key_check(const char *key, char err[ERR_MAX])
{
	size_t len = strlen(key);

	if (len == 0)
		return errbuf_set(err, "empty object name");
	if (len > BUCKET_KEY_MAX)
		return errbuf_set(err, "object name over %d bytes",
		    BUCKET_KEY_MAX);
	if (key[0] == '/' || key[len - 1] == '/')
		return errbuf_set(err, "object name starts or ends with '/'");
	if (!bucket_segments_ok(key, len, 0))
		return errbuf_set(err, "object name has an empty, '.' or "
		    "'..' part");
	return 0;
}

/* key made printable on one line and cut to BUCKET_SHOWN bytes. */
static void
bucket_show(char *out, size_t n, const char *key)
{
	size_t i, o = 0;
	unsigned char c;

	for (i = 0; key[i] != '\0' && o + 8 < n; i++) {
		if (i == BUCKET_SHOWN) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		c = (unsigned char)key[i];
		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(out + o, n - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

/* "OP URL/KEY: why" into err, why being what err held; always -1 (or
 * rc, so BUCKET_NOTFOUND passes through). */
static int
bucket_fail(struct bucket *b, enum bucket_op op, const char *what,
    const char *key, char *err, int rc)
{
	char why[ERR_MAX], shown[BUCKET_SHOWN * 4 + 16];

	if (rc != BUCKET_NOTFOUND)
		__atomic_fetch_add(&b->stats.failures[op], 1, __ATOMIC_RELAXED);
	memcpy(why, err, ERR_MAX);
	why[ERR_MAX - 1] = '\0';
	bucket_show(shown, sizeof(shown), key);
	errbuf_set(err, "%s %s%s%s%s%s: %s", what, b->url,
	    *b->prefix ? "/" : "", b->prefix, *key ? "/" : "", shown, why);
	return rc < 0 ? rc : -1;
}

static void
bucket_count(struct bucket *b, enum bucket_op op, uint64_t bytes)
{
	__atomic_fetch_add(&b->stats.ops[op], 1, __ATOMIC_RELAXED);
	if (bytes > 0)
		__atomic_fetch_add(&b->stats.bytes[op], bytes,
		    __ATOMIC_RELAXED);
}

void
bucket_stats_read(struct bucket *b, struct bucket_stats *out)
{
	int i;

	for (i = 0; i < BUCKET_OP_N; i++) {
		out->ops[i] = __atomic_load_n(&b->stats.ops[i],
		    __ATOMIC_RELAXED);
		out->failures[i] = __atomic_load_n(&b->stats.failures[i],
		    __ATOMIC_RELAXED);
		out->bytes[i] = __atomic_load_n(&b->stats.bytes[i],
		    __ATOMIC_RELAXED);
	}
}

/*
 * The backend's key for key: checked, with the prefix in front.  A new
 * string in *full (free it), or -1 with err set (whole line).
 */
static int
bucket_full(struct bucket *b, enum bucket_op op, const char *what,
    const char *key, char **full, char *err)
{
	size_t plen = strlen(b->prefix), klen;

	*full = NULL;
	if (bucket_key_check(key, err) == -1)
		return bucket_fail(b, op, what, key, err, -1);
	klen = strlen(key);
	if (plen + 1 + klen > BUCKET_KEY_MAX) {
		errbuf_set(err, "name with prefix over %d bytes",
		    BUCKET_KEY_MAX);
		return bucket_fail(b, op, what, key, err, -1);
	}
	if ((*full = malloc(plen + 1 + klen + 1)) == NULL) {
		errbuf_sys(err, "allocate");
		return bucket_fail(b, op, what, key, err, -1);
	}
	if (plen > 0)
		sprintf(*full, "%s/%s", b->prefix, key);
	else
		memcpy(*full, key, klen + 1);
	return 0;
}

char *
bucket_local_path(struct bucket *b, const char *key)
{
	char err[ERR_MAX], *full, *path;

	if (b->ops->local_path == NULL)
		return NULL;
	if (bucket_full(b, BUCKET_OP_ATTRIBUTES, "path", key, &full, err) == -1)
		return NULL;
	path = b->ops->local_path(b, full);
	free(full);
	return path;
}

int
bucket_set_prefix(struct bucket *b, const char *prefix, char err[ERR_MAX])
{
	size_t len;
	char *p;

	while (*prefix == '/')
		prefix++;
	len = strlen(prefix);
	while (len > 0 && prefix[len - 1] == '/')
		len--;
	if ((p = strndup(prefix, len)) == NULL)
		return errbuf_sys(err, "bucket %s: prefix", b->url);
	if (len > 0 && bucket_key_check(p, err) == -1) {
		free(p);
		return errbuf_set(err, "bucket %s: bad prefix '%.*s'", b->url,
		    (int)(len > 200 ? 200 : len), prefix);
	}
	free(b->prefix);
	b->prefix = p;
	return 0;
}

static int
bucket_put_src(struct bucket *b, const char *key,
    const struct bucket_src *src, char *err)
{
	char *full;
	int rc;

	bucket_count(b, BUCKET_OP_UPLOAD, 0);
	if (bucket_full(b, BUCKET_OP_UPLOAD, "put", key, &full, err) == -1)
		return -1;
	rc = b->ops->put(b, full, src, err);
	free(full);
	if (rc < 0)
		return bucket_fail(b, BUCKET_OP_UPLOAD, "put", key, err, rc);
	__atomic_fetch_add(&b->stats.bytes[BUCKET_OP_UPLOAD], src->len,
	    __ATOMIC_RELAXED);
	return 0;
}

int
bucket_put(struct bucket *b, const char *key, const void *data, size_t len,
    char err[ERR_MAX])
{
	struct bucket_src src;

	if (data == NULL && len > 0) {
		bucket_count(b, BUCKET_OP_UPLOAD, 0);
		errbuf_set(err, "no data");
		return bucket_fail(b, BUCKET_OP_UPLOAD, "put", key, err, -1);
	}
	src.data = data != NULL ? data : "";
	src.fd = -1;
	src.off = 0;
	src.len = len;
	return bucket_put_src(b, key, &src, err);
}

int
bucket_put_fd(struct bucket *b, const char *key, int fd, uint64_t off,
    uint64_t len, char err[ERR_MAX])
{
	struct bucket_src src;

	if (fd < 0 || off > (uint64_t)INT64_MAX ||
	    len > (uint64_t)INT64_MAX - off) {
		bucket_count(b, BUCKET_OP_UPLOAD, 0);
		errbuf_set(err, "bad file range");
		return bucket_fail(b, BUCKET_OP_UPLOAD, "put", key, err, -1);
	}
	src.data = NULL;
	src.fd = fd;
	src.off = off;
	src.len = len;
	return bucket_put_src(b, key, &src, err);
}

int
bucket_put_file(struct bucket *b, const char *key, const char *path,
    char err[ERR_MAX])
{
	struct stat st;
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		errbuf_sys(err, "%s", path);
		if (fd != -1)
			close(fd);
		bucket_count(b, BUCKET_OP_UPLOAD, 0);
		return bucket_fail(b, BUCKET_OP_UPLOAD, "put", key, err, -1);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		errbuf_set(err, "%s: not a regular file", path);
		bucket_count(b, BUCKET_OP_UPLOAD, 0);
		return bucket_fail(b, BUCKET_OP_UPLOAD, "put", key, err, -1);
	}
	rc = bucket_put_fd(b, key, fd, 0, (uint64_t)st.st_size, err);
	close(fd);
	return rc;
}

/* The common part of the gets: op counted, key made, sink filled. */
static int
bucket_get_sink(struct bucket *b, enum bucket_op op, const char *what,
    const char *key, uint64_t off, uint64_t len,
    const struct bucket_sink *sink, char *err)
{
	uint64_t got = 0;
	char *full;
	int rc;

	bucket_count(b, op, 0);
	if (bucket_full(b, op, what, key, &full, err) == -1)
		return -1;
	rc = b->ops->get(b, full, off, len, sink, &got, err);
	free(full);
	if (got > 0)
		__atomic_fetch_add(&b->stats.bytes[op], got, __ATOMIC_RELAXED);
	if (rc < 0)
		return bucket_fail(b, op, what, key, err, rc);
	return 0;
}

int
bucket_get(struct bucket *b, const char *key, struct buf *out,
    char err[ERR_MAX])
{
	struct bucket_sink sink = { out, -1 };
	int rc;

	buf_reset(out);
	rc = bucket_get_sink(b, BUCKET_OP_GET, "get", key, 0, BUCKET_TO_END,
	    &sink, err);
	if (rc < 0)
		buf_reset(out);
	return rc;
}

int
bucket_get_range(struct bucket *b, const char *key, uint64_t off,
    uint64_t len, struct buf *out, char err[ERR_MAX])
{
	struct bucket_sink sink = { out, -1 };
	char *full;
	int rc;

	buf_reset(out);
	if (len == 0) {
		bucket_count(b, BUCKET_OP_GET_RANGE, 0);
		if (bucket_full(b, BUCKET_OP_GET_RANGE, "get", key, &full,
		    err) == -1)
			return -1;
		free(full);
		return buf_add(out, "", 0) == -1 ? errbuf_sys(err, "get") : 0;
	}
	if (len != BUCKET_TO_END && len > UINT64_MAX - off)
		len = BUCKET_TO_END;
	rc = bucket_get_sink(b, BUCKET_OP_GET_RANGE, "get", key, off, len,
	    &sink, err);
	if (rc < 0)
		buf_reset(out);
	return rc;
}

/* fsync the directory part of path ("." when there is none). */
static int
bucket_sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd, r;

	if (slash == NULL)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd == -1)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

int
bucket_get_file(struct bucket *b, const char *key, const char *path,
    char err[ERR_MAX])
{
	struct bucket_sink sink = { NULL, -1 };
	struct buf tmp = BUF_INIT(BUF_NOMAX);
	const char *base = strrchr(path, '/');
	int fd, rc;

	/* Hidden, in the same directory: rename(2) cannot cross file
	 * systems, and a reader globbing the directory skips it. */
	if (base != NULL)
		buf_add(&tmp, path, (size_t)(base - path + 1));
	if (buf_addf(&tmp, ".%s.XXXXXX", base ? base + 1 : path) == -1 ||
	    (fd = mkostemp(tmp.data, O_CLOEXEC)) == -1) {
		errbuf_sys(err, "create temporary file for %s", path);
		buf_release(&tmp);
		bucket_count(b, BUCKET_OP_GET, 0);
		return bucket_fail(b, BUCKET_OP_GET, "get", key, err, -1);
	}
	sink.fd = fd;
	rc = bucket_get_sink(b, BUCKET_OP_GET, "get", key, 0, BUCKET_TO_END,
	    &sink, err);
	/* From here on the download worked and our own disk failed: the
	 * line still names the object, and the temporary file goes. */
	if (rc == 0 && (fchmod(fd, 0644) == -1 || fsync(fd) == -1))
		rc = bucket_fail(b, BUCKET_OP_GET, "get", key,
		    (errbuf_sys(err, "write %s", tmp.data), err), -1);
	if (close(fd) == -1 && rc == 0)
		rc = bucket_fail(b, BUCKET_OP_GET, "get", key,
		    (errbuf_sys(err, "close %s", tmp.data), err), -1);
	if (rc == 0 && rename(tmp.data, path) == -1)
		rc = bucket_fail(b, BUCKET_OP_GET, "get", key,
		    (errbuf_sys(err, "rename to %s", path), err), -1);
	if (rc < 0)
		unlink(tmp.data);
	else if (bucket_sync_dir(path) == -1)
		rc = bucket_fail(b, BUCKET_OP_GET, "get", key,
		    (errbuf_sys(err, "fsync directory of %s", path), err), -1);
	buf_release(&tmp);
	return rc;
}

int
bucket_head(struct bucket *b, const char *key, struct bucket_attr *attr,
    char err[ERR_MAX])
{
	char *full;
	int rc;

	bucket_count(b, BUCKET_OP_ATTRIBUTES, 0);
	if (bucket_full(b, BUCKET_OP_ATTRIBUTES, "head", key, &full, err) ==
	    -1)
		return -1;
	memset(attr, 0, sizeof(*attr));
	rc = b->ops->head(b, full, attr, err);
	free(full);
	if (rc < 0)
		return bucket_fail(b, BUCKET_OP_ATTRIBUTES, "head", key, err,
		    rc);
	return 0;
}

int
bucket_exists(struct bucket *b, const char *key, char err[ERR_MAX])
{
	struct bucket_attr attr;
	char *full;
	int rc;

	bucket_count(b, BUCKET_OP_EXISTS, 0);
	if (bucket_full(b, BUCKET_OP_EXISTS, "head", key, &full, err) == -1)
		return -1;
	rc = b->ops->head(b, full, &attr, err);
	free(full);
	if (rc == BUCKET_NOTFOUND)
		return 0;
	if (rc < 0)
		return bucket_fail(b, BUCKET_OP_EXISTS, "head", key, err, rc);
	return 1;
}

int
bucket_delete(struct bucket *b, const char *key, char err[ERR_MAX])
{
	char *full;
	int rc;

	bucket_count(b, BUCKET_OP_DELETE, 0);
	if (bucket_full(b, BUCKET_OP_DELETE, "delete", key, &full, err) == -1)
		return -1;
	rc = b->ops->del(b, full, err);
	free(full);
	if (rc < 0)
		return bucket_fail(b, BUCKET_OP_DELETE, "delete", key, err,
		    rc == BUCKET_NOTFOUND ? -1 : rc);
	return 0;
}

/* The backend's emit: drop the bucket's prefix, then the caller's fn. */
static int
bucket_emit(void *arg, const struct bucket_entry *e, char err[ERR_MAX])
{
	struct bucket_iter *it = arg;
	struct bucket_entry rel = *e;

	if (strlen(e->name) <= it->strip)
		return 0;
	rel.name = e->name + it->strip;
	if (it->fn(it->arg, &rel, err) == -1) {
		it->stopped = 1;
		return -1;
	}
	return 0;
}

int
bucket_list(struct bucket *b, const char *prefix, int delim,
    bucket_list_fn fn, void *arg, char err[ERR_MAX])
{
	struct bucket_iter it;
	struct buf full = BUF_INIT(BUF_NOMAX);
	size_t len = strlen(prefix);
	int rc;

	bucket_count(b, BUCKET_OP_ITER, 0);
	if (delim != 0 && delim != '/') {
		errbuf_set(err, "delimiter must be '/' or none");
		return bucket_fail(b, BUCKET_OP_ITER, "list", prefix, err, -1);
	}
	if (len > BUCKET_KEY_MAX || prefix[0] == '/' ||
	    !bucket_segments_ok(prefix, len, 1)) {
		errbuf_set(err, "bad prefix");
		return bucket_fail(b, BUCKET_OP_ITER, "list", prefix, err, -1);
	}
	if ((b->prefix[0] != '\0' && buf_addf(&full, "%s/", b->prefix) ==
	    -1) || buf_addstr(&full, prefix) == -1) {
		buf_release(&full);
		errbuf_sys(err, "allocate");
		return bucket_fail(b, BUCKET_OP_ITER, "list", prefix, err, -1);
	}
	it.fn = fn;
	it.arg = arg;
	it.strip = b->prefix[0] != '\0' ? strlen(b->prefix) + 1 : 0;
	it.stopped = 0;
	rc = b->ops->list(b, full.data, delim, bucket_emit, &it, err);
	buf_release(&full);
	if (rc < 0 && it.stopped)
		return -1;
	if (rc < 0)
		return bucket_fail(b, BUCKET_OP_ITER, "list", prefix, err, -1);
	return 0;
}
