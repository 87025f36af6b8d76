#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "base/io.h"
#include "bucket/bucket.h"
#include "bucket/fs.h"

#define FS_CHUNK	((size_t)1 << 20)

struct fsb {
	char	*root;		/* no trailing '/', except "/" itself */
};

/* Names gathered by a listing, sorted before they are handed out. */
struct fs_names {
	struct bucket_entry	*v;
	size_t			 n, cap;
};

static int	fs_get(struct bucket *, const char *, uint64_t, uint64_t,
		    const struct bucket_sink *, uint64_t *, char *);
static int	fs_head(struct bucket *, const char *, struct bucket_attr *,
		    char *);
static int	fs_put(struct bucket *, const char *,
		    const struct bucket_src *, char *);
static int	fs_list(struct bucket *, const char *, int, bucket_list_fn,
		    void *, char *);
static int	fs_del(struct bucket *, const char *, char *);
static void	fs_free(struct bucket *);
static char	*fs_local_path(struct bucket *, const char *);

static const struct bucket_ops fs_ops = {
	fs_get, fs_head, fs_put, fs_list, fs_del, fs_free, fs_local_path
};

/* root + "/" + key as a new string, or NULL (ENOMEM). */
static char *
fs_path(const struct fsb *f, const char *key)
{
	char *p;

	if (asprintf(&p, "%s/%s", strcmp(f->root, "/") == 0 ? "" : f->root,
	    key) == -1)
		return NULL;
	return p;
}

static char *
fs_local_path(struct bucket *b, const char *key)
{
	return fs_path(b->impl, key);
}

struct bucket *
bucket_fs_open(const char *dir, char err[ERR_MAX])
{
	struct bucket *b;
	struct stat st;
	struct fsb *f;
	char *url = NULL, cwd[PATH_MAX];
	size_t len = strlen(dir);

	if (len == 0) {
		errbuf_set(err, "missing directory for filesystem bucket");
		return NULL;
	}
	if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
		errbuf_set(err, "filesystem bucket %s: not a directory", dir);
		return NULL;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL)
		goto nomem;
	while (len > 1 && dir[len - 1] == '/')
		len--;
	/* Absolute, so that the url in error lines says where, and a
	 * later chdir(2) of the program cannot move the bucket. */
	if (dir[0] != '/') {
		if (getcwd(cwd, sizeof(cwd)) == NULL) {
			errbuf_sys(err, "filesystem bucket %s: getcwd", dir);
			free(f);
			return NULL;
		}
		if (asprintf(&f->root, "%s/%.*s", strcmp(cwd, "/") == 0 ? "" :
		    cwd, (int)len, dir) == -1)
			f->root = NULL;
	} else
		f->root = strndup(dir, len);
	if (f->root == NULL || asprintf(&url, "file://%s", f->root) == -1)
		goto nomem;
	if ((b = bucket_new(&fs_ops, url, f)) == NULL)
		goto nomem;
	free(url);
	return b;
nomem:
	errbuf_sys(err, "filesystem bucket %s", dir);
	if (f != NULL)
		free(f->root);
	free(f);
	return NULL;
}

static void
fs_free(struct bucket *b)
{
	struct fsb *f = b->impl;

	if (f != NULL)
		free(f->root);
	free(f);
	b->impl = NULL;
}

/* Open key for reading: the fd and its stat, BUCKET_NOTFOUND, or -1. */
static int
fs_open_obj(struct fsb *f, const char *key, struct stat *st, char *err)
{
	char *path;
	int fd;

	if ((path = fs_path(f, key)) == NULL)
		return errbuf_sys(err, "allocate");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd == -1) {
		if (errno == ENOENT || errno == ENOTDIR) {
			errbuf_set(err, "not found");
			return BUCKET_NOTFOUND;
		}
		return errbuf_sys(err, "open");
	}
	if (fstat(fd, st) == -1) {
		errbuf_sys(err, "stat");
		close(fd);
		return -1;
	}
	/* A directory is a run of key prefixes, not an object. */
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		errbuf_set(err, "not found");
		return BUCKET_NOTFOUND;
	}
	return fd;
}

/*
 * Copy n bytes of in from ioff to out at ooff, with copy_file_range
 * where it works (same file system: no trip through user space) and
 * pread/pwrite where it does not.  -1 with errno; EIO if in ends early.
 */
static int
fs_copy(int in, off_t ioff, int out, off_t ooff, uint64_t n)
{
	char *chunk = NULL;
	ssize_t r, w, k;
	size_t want;
	int plain = 0, rc = -1;

	while (n > 0) {
		want = n > FS_CHUNK ? FS_CHUNK : (size_t)n;
		if (!plain) {
			r = copy_file_range(in, &ioff, out, &ooff, want, 0);
			if (r == -1 && (errno == EXDEV || errno == ENOSYS ||
			    errno == EINVAL || errno == EOPNOTSUPP ||
			    errno == EBADF)) {
				plain = 1;
				continue;
			}
		} else {
			if (chunk == NULL &&
			    (chunk = malloc(FS_CHUNK)) == NULL)
				goto out;
			r = pread(in, chunk, want, ioff);
		}
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			goto out;
		if (r == 0) {
			/* The source ended before n bytes. */
			errno = EIO;
			goto out;
		}
		if (plain) {
			for (w = 0; w < r; w += k)
				while ((k = pwrite(out, chunk + w,
				    (size_t)(r - w), ooff + w)) <= 0)
					if (k == 0 || errno != EINTR) {
						if (k == 0)
							errno = EIO;
						goto out;
					}
			ioff += r;
			ooff += r;
		}
		n -= (uint64_t)r;
	}
	rc = 0;
out:
	free(chunk);
	return rc;
}

static int
fs_get(struct bucket *b, const char *key, uint64_t off, uint64_t len,
    const struct bucket_sink *sink, uint64_t *got, char *err)
{
	struct stat st;
	uint64_t size, want;
	ssize_t r;
	int fd;

	*got = 0;
	if ((fd = fs_open_obj(b->impl, key, &st, err)) < 0)
		return fd;
	size = (uint64_t)st.st_size;
	if (off > 0 && off >= size) {
		close(fd);
		return errbuf_set(err, "range starts at byte %llu, past the "
		    "end of the object (%llu bytes)", (unsigned long long)off,
		    (unsigned long long)size);
	}
	want = size - off;
	if (len != BUCKET_TO_END && len < want)
		want = len;
	if (sink->fd >= 0) {
		if (fs_copy(fd, (off_t)off, sink->fd, 0, want) == -1) {
			errbuf_sys(err, "copy");
			close(fd);
			return -1;
		}
		*got = want;
		close(fd);
		return 0;
	}
	if (want > sink->buf->max - sink->buf->len) {
		close(fd);
		return errbuf_set(err, "%llu bytes, over the cap of %zu",
		    (unsigned long long)want, sink->buf->max);
	}
	if (buf_grow(sink->buf, (size_t)want) == -1) {
		errbuf_sys(err, "allocate %llu bytes",
		    (unsigned long long)want);
		close(fd);
		return -1;
	}
	while (*got < want) {
		r = pread(fd, sink->buf->data + sink->buf->len,
		    (size_t)(want - *got), (off_t)(off + *got));
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errbuf_set(err, "object shrank while read");
			else
				errbuf_sys(err, "read");
			close(fd);
			return -1;
		}
		sink->buf->len += (size_t)r;
		*got += (uint64_t)r;
	}
	sink->buf->data[sink->buf->len] = '\0';
	close(fd);
	return 0;
}

static int
fs_head(struct bucket *b, const char *key, struct bucket_attr *attr,
    char *err)
{
	struct stat st;
	int fd;

	if ((fd = fs_open_obj(b->impl, key, &st, err)) < 0)
		return fd;
	close(fd);
	attr->size = (uint64_t)st.st_size;
	attr->mtime = st.st_mtim.tv_sec;
	return 0;
}

/* fsync the directory dir; -1 with errno. */
static int
fs_sync_dir(const char *dir)
{
	int fd, r;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

/*
 * mkdir -p path (which is changed in place and restored).  Each new
 * directory's parent is fsynced, so the new entry survives a crash as
 * the object's rename will.  -1 with err set.
 */
static int
fs_mkdirs(char *path, char *err)
{
	struct stat st;
	char *slash;

	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		errno = ENOTDIR;
		return errbuf_sys(err, "%s", path);
	}
	if ((slash = strrchr(path, '/')) != NULL && slash != path) {
		*slash = '\0';
		if (fs_mkdirs(path, err) == -1) {
			*slash = '/';
			return -1;
		}
		*slash = '/';
	}
	if (mkdir(path, 0755) == -1 && errno != EEXIST)
		return errbuf_sys(err, "mkdir %s", path);
	if (slash != NULL && slash != path) {
		*slash = '\0';
		if (fs_sync_dir(path) == -1) {
			errbuf_sys(err, "fsync %s", path);
			*slash = '/';
			return -1;
		}
		*slash = '/';
	}
	return 0;
}

static int
fs_put(struct bucket *b, const char *key, const struct bucket_src *src,
    char *err)
{
	struct fsb *f = b->impl;
	const char *base;
	char *path, *dir = NULL, *tmp = NULL;
	int fd = -1, rc = -1;

	base = strrchr(key, '/');
	base = base ? base + 1 : key;
	if (strncmp(base, BUCKET_FS_TMP, strlen(BUCKET_FS_TMP)) == 0)
		return errbuf_set(err, "names starting with %s are kept for "
		    "temporary files", BUCKET_FS_TMP);
	if ((path = fs_path(f, key)) == NULL)
		return errbuf_sys(err, "allocate");
	if ((dir = strndup(path, (size_t)(strrchr(path, '/') - path))) ==
	    NULL || asprintf(&tmp, "%s/%s%s.XXXXXX", dir, BUCKET_FS_TMP,
	    base) == -1) {
		tmp = NULL;
		errbuf_sys(err, "allocate");
		goto out;
	}
	if (*dir != '\0' && fs_mkdirs(dir, err) == -1)
		goto out;
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		errbuf_sys(err, "create %s", tmp);
		goto out;
	}
	if (src->fd < 0) {
		if (io_write_all(fd, src->data, (size_t)src->len) == -1) {
			errbuf_sys(err, "write %s", tmp);
			goto out;
		}
	} else if (fs_copy(src->fd, (off_t)src->off, fd, 0, src->len) == -1) {
		if (errno == EIO)
			errbuf_set(err, "source file shorter than %llu bytes",
			    (unsigned long long)src->len);
		else
			errbuf_sys(err, "copy to %s", tmp);
		goto out;
	}
	if (fchmod(fd, 0644) == -1 || fsync(fd) == -1) {
		errbuf_sys(err, "write %s", tmp);
		goto out;
	}
	if (close(fd) == -1) {
		fd = -1;
		errbuf_sys(err, "close %s", tmp);
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) == -1) {
		errbuf_sys(err, "rename %s", tmp);
		goto out;
	}
	free(tmp);
	tmp = NULL;
	if (fs_sync_dir(*dir ? dir : "/") == -1) {
		errbuf_sys(err, "fsync %s", dir);
		goto out;
	}
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	free(dir);
	free(path);
	return rc;
}

static int
fs_del(struct bucket *b, const char *key, char *err)
{
	struct fsb *f = b->impl;
	struct stat st;
	char *path, *slash;
	size_t rootlen = strlen(f->root);

	if ((path = fs_path(f, key)) == NULL)
		return errbuf_sys(err, "allocate");
	/* A directory is not an object: nothing to remove, as S3 says of
	 * a key that is not there. */
	if (lstat(path, &st) == -1 || S_ISDIR(st.st_mode)) {
		free(path);
		return 0;
	}
	if (unlink(path) == -1 && errno != ENOENT) {
		errbuf_sys(err, "unlink");
		free(path);
		return -1;
	}
	/* Prune parents left empty, never the root itself. */
	while ((slash = strrchr(path, '/')) != NULL &&
	    (size_t)(slash - path) > rootlen) {
		*slash = '\0';
		if (rmdir(path) == -1)
			break;
	}
	free(path);
	return 0;
}

static void
fs_names_free(struct fs_names *ns)
{
	size_t i;

	for (i = 0; i < ns->n; i++)
		free((char *)ns->v[i].name);
	free(ns->v);
}

static int
fs_names_add(struct fs_names *ns, const char *name, uint64_t size, int dir)
{
	struct bucket_entry *v;
	size_t cap;

	if (ns->n == ns->cap) {
		cap = ns->cap ? ns->cap * 2 : 64;
		if ((v = reallocarray(ns->v, cap, sizeof(*v))) == NULL)
			return -1;
		ns->v = v;
		ns->cap = cap;
	}
	if ((ns->v[ns->n].name = strdup(name)) == NULL)
		return -1;
	ns->v[ns->n].size = size;
	ns->v[ns->n].dir = dir;
	ns->n++;
	return 0;
}

static int
fs_names_cmp(const void *a, const void *b)
{
	const struct bucket_entry *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* 1 if the directory at dfd holds a regular file somewhere below;
 * consumes dfd. */
static int
fs_has_file(int dfd)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int sub, found = 0;

	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return 0;
	}
	while (!found && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    strncmp(de->d_name, BUCKET_FS_TMP,
		    strlen(BUCKET_FS_TMP)) == 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		if (S_ISLNK(st.st_mode) && (fstatat(dirfd(d), de->d_name,
		    &st, 0) == -1 || !S_ISREG(st.st_mode)))
			continue;
		if (S_ISREG(st.st_mode))
			found = 1;
		else if (S_ISDIR(st.st_mode) && (sub = openat(dirfd(d),
		    de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1)
			found = fs_has_file(sub);
	}
	closedir(d);
	return found;
}

/*
 * Gather into ns the keys below the directory dfd (whose key prefix is
 * rel, "" or "a/b/") that start with want; consumes dfd.  With delim,
 * a matching subdirectory holding any file is one "name/" entry.
 * Symbolic links count only when they lead to a regular file, so a link
 * loop cannot trap the walk.
 */
static int
fs_walk(int dfd, struct buf *rel, const char *want, int delim,
    struct fs_names *ns, char *err)
{
	struct dirent *de;
	struct stat st;
	size_t mark = rel->len, wlen = strlen(want), cmp;
	DIR *d;
	int sub, rc = 0;

	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return errbuf_sys(err, "open %s", rel->data);
	}
	while (rc == 0) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0)
				rc = errbuf_sys(err, "read directory %s",
				    rel->data);
			break;
		}
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    strncmp(de->d_name, BUCKET_FS_TMP,
		    strlen(BUCKET_FS_TMP)) == 0)
			continue;
		rel->len = mark;
		rel->data[mark] = '\0';
		if (buf_addstr(rel, de->d_name) == -1) {
			rc = errbuf_sys(err, "allocate");
			break;
		}
		/* Only names that can still lead to a match: the walk
		 * goes down only along the wanted prefix. */
		cmp = rel->len < wlen ? rel->len : wlen;
		if (strncmp(rel->data, want, cmp) != 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		if (S_ISLNK(st.st_mode) && (fstatat(dirfd(d), de->d_name,
		    &st, 0) == -1 || !S_ISREG(st.st_mode)))
			continue;
		if (S_ISREG(st.st_mode)) {
			if (rel->len >= wlen && fs_names_add(ns, rel->data,
			    (uint64_t)st.st_size, 0) == -1)
				rc = errbuf_sys(err, "allocate");
			continue;
		}
		if (!S_ISDIR(st.st_mode))
			continue;
		if ((sub = openat(dirfd(d), de->d_name, O_RDONLY |
		    O_DIRECTORY | O_CLOEXEC)) == -1)
			continue;
		if (buf_addch(rel, '/') == -1) {
			close(sub);
			rc = errbuf_sys(err, "allocate");
			break;
		}
		if (delim && rel->len > wlen) {
			/* Past the prefix: this directory folds into one
			 * entry, if it holds anything at all. */
			if (fs_has_file(sub) && fs_names_add(ns, rel->data, 0,
			    1) == -1)
				rc = errbuf_sys(err, "allocate");
			continue;
		}
		rc = fs_walk(sub, rel, want, delim, ns, err);
	}
	rel->len = mark;
	rel->data[mark] = '\0';
	closedir(d);
	return rc;
}

static int
fs_list(struct bucket *b, const char *prefix, int delim, bucket_list_fn emit,
    void *arg, char *err)
{
	struct fsb *f = b->impl;
	struct fs_names ns = { NULL, 0, 0 };
	struct buf rel = BUF_INIT(BUF_NOMAX);
	const char *slash = strrchr(prefix, '/');
	char *start = NULL;
	size_t i;
	int dfd, rc = -1;

	/* Start at the deepest directory the prefix names in full. */
	if (buf_add(&rel, prefix, slash ? (size_t)(slash - prefix + 1) : 0) ==
	    -1 || (start = fs_path(f, rel.data)) == NULL) {
		errbuf_sys(err, "allocate");
		goto out;
	}
	if ((dfd = open(start, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			rc = 0;
		else
			errbuf_sys(err, "open %s", start);
		goto out;
	}
	if (fs_walk(dfd, &rel, prefix, delim, &ns, err) == -1)
		goto out;
	qsort(ns.v, ns.n, sizeof(*ns.v), fs_names_cmp);
	for (i = 0; i < ns.n; i++)
		if (emit(arg, &ns.v[i], err) == -1)
			goto out;
	rc = 0;
out:
	fs_names_free(&ns);
	buf_release(&rel);
	free(start);
	return rc;
}
