#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "stage.h"

/* nftw has no argument for its callback: the first failure, if any. */
static int rm_errno;
static char rm_path[4096];

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	if (remove(path) == -1 && errno != ENOENT) {
		rm_errno = errno;
		snprintf(rm_path, sizeof(rm_path), "%s", path);
		return flag == FTW_DP ? 1 : 0;
	}
	return 0;
}

int
stage_rmtree(const char *dir, char err[ERR_MAX])
{
	struct stat st;

	if (lstat(dir, &st) == -1)
		return errno == ENOENT ? 0 : errbuf_sys(err, "%s", dir);
	rm_errno = 0;
	if (nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS) == -1 &&
	    errno != ENOENT)
		return errbuf_sys(err, "remove %s", dir);
	if (rm_errno != 0) {
		errno = rm_errno;
		return errbuf_sys(err, "remove %s", rm_path);
	}
	return 0;
}

static char *
join(const char *a, const char *b)
{
	struct buf p = BUF_INIT(BUF_NOMAX);

	if (buf_addf(&p, "%s/%s", a, b) == -1) {
		buf_release(&p);
		return NULL;
	}
	return buf_detach(&p, NULL);
}

static int
mkdir_p(const char *dir, mode_t mode, char *err)
{
	char *copy, *p;
	int end;

	if ((copy = strdup(dir)) == NULL)
		return errbuf_sys(err, "%s", dir);
	for (p = copy + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		end = *p == '\0';
		*p = '\0';
		if (mkdir(copy, mode) == -1 && errno != EEXIST) {
			errbuf_sys(err, "mkdir %s", copy);
			free(copy);
			return -1;
		}
		if (end)
			break;
		*p = '/';
	}
	free(copy);
	return 0;
}

/* A link's failure: ENOENT means the source went away. */
static int
link_failed(const char *from, char *err)
{
	int gone = errno == ENOENT;

	errbuf_sys(err, "link %s", from);
	return gone ? STAGE_GONE : -1;
}

/* Link from into the staging dir as rel, recording its size. */
static int
add(struct stage *s, const char *from, const char *rel, char *err)
{
	struct stage_file *f, *v;
	struct stat st;
	char *to;

	if ((v = reallocarray(s->files, s->nfiles + 1, sizeof(*v))) == NULL)
		return errbuf_sys(err, "%s", from);
	s->files = v;
	f = &s->files[s->nfiles];
	memset(f, 0, sizeof(*f));
	if ((to = join(s->dir, rel)) == NULL || (f->rel_path = strdup(rel)) ==
	    NULL) {
		free(to);
		return errbuf_sys(err, "%s", from);
	}
	f->path = to;
	s->nfiles++;
	if (link(from, to) == -1)
		return link_failed(from, err);
	if (stat(to, &st) == -1)
		return errbuf_sys(err, "%s", to);
	f->size = (uint64_t)st.st_size;
	s->bytes += f->size;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The regular files in dir/chunks, sorted (Thanos: segment files). */
static int
list_chunks(struct stage *s, const char *chunks, char *err)
{
	struct dirent *de;
	struct stat st;
	char **v, *p;
	DIR *d;
	int rc = -1;

	if ((d = opendir(chunks)) == NULL)
		return errno == ENOENT ? (errbuf_sys(err, "%s", chunks),
		    STAGE_GONE) : errbuf_sys(err, "%s", chunks);
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL)
			break;
		if (de->d_name[0] == '.')
			continue;
		if ((p = join(chunks, de->d_name)) == NULL) {
			errbuf_sys(err, "%s", chunks);
			goto out;
		}
		if (stat(p, &st) == -1 || !S_ISREG(st.st_mode)) {
			free(p);
			continue;
		}
		free(p);
		if ((v = reallocarray(s->segments, s->nsegments + 1,
		    sizeof(*v))) == NULL) {
			errbuf_sys(err, "%s", chunks);
			goto out;
		}
		s->segments = v;
		if ((v[s->nsegments] = strdup(de->d_name)) == NULL) {
			errbuf_sys(err, "%s", chunks);
			goto out;
		}
		s->nsegments++;
	}
	if (errno != 0) {
		errbuf_sys(err, "%s", chunks);
		goto out;
	}
	if (s->nsegments > 1)
		qsort(s->segments, s->nsegments, sizeof(*s->segments),
		    cmp_str);
	rc = 0;
out:
	closedir(d);
	return rc;
}

int
stage_block(struct stage *s, const char *tsdb, const char *block,
    const char *ulid, char err[ERR_MAX])
{
	struct buf b = BUF_INIT(BUF_NOMAX);
	struct stat st;
	char *from = NULL, *rel = NULL, *upload = NULL;
	size_t i;
	int rc = -1;

	if (stat(block, &st) == -1)
		return errno == ENOENT ? (errbuf_sys(err, "%s", block),
		    STAGE_GONE) : errbuf_sys(err, "%s", block);
	if (!S_ISDIR(st.st_mode))
		return errbuf_set(err, "%s: not a directory", block);
	if ((upload = join(tsdb, "thanos/upload")) == NULL ||
	    (s->dir = join(upload, ulid)) == NULL) {
		errbuf_sys(err, "%s", block);
		goto out;
	}
	/* A crash may have left one behind: start clean. */
	if (stage_rmtree(s->dir, err) == -1 ||
	    mkdir_p(upload, 0750, err) == -1)
		goto out;
	if (mkdir(s->dir, 0750) == -1) {
		errbuf_sys(err, "mkdir %s", s->dir);
		goto out;
	}
	if (buf_addf(&b, "%s/chunks", s->dir) == -1 ||
	    mkdir(b.data, 0750) == -1) {
		errbuf_sys(err, "mkdir %s", b.data ? b.data : s->dir);
		goto out;
	}
	buf_reset(&b);
	if (buf_addf(&b, "%s/chunks", block) == -1) {
		errbuf_sys(err, "%s", block);
		goto out;
	}
	if ((rc = list_chunks(s, b.data, err)) != 0)
		goto out;
	rc = -1;
	for (i = 0; i < s->nsegments; i++) {
		free(from);
		free(rel);
		rel = from = NULL;
		if ((rel = join("chunks", s->segments[i])) == NULL ||
		    (from = join(block, rel)) == NULL) {
			errbuf_sys(err, "%s", block);
			goto out;
		}
		if ((rc = add(s, from, rel, err)) != 0)
			goto out;
	}
	free(from);
	if ((from = join(block, "index")) == NULL) {
		errbuf_sys(err, "%s", block);
		goto out;
	}
	if ((rc = add(s, from, "index", err)) != 0)
		goto out;
	free(from);
	free(rel);
	rel = NULL;
	if ((from = join(block, "meta.json")) == NULL ||
	    (rel = join(s->dir, "meta.json")) == NULL) {
		errbuf_sys(err, "%s", block);
		goto out;
	}
	/* meta.json is linked, not listed: it is rewritten, not sent. */
	if (link(from, rel) == -1) {
		rc = link_failed(from, err);
		goto out;
	}
	rc = 0;
out:
	free(from);
	free(rel);
	free(upload);
	buf_release(&b);
	return rc;
}

void
stage_release(struct stage *s)
{
	char err[ERR_MAX];
	size_t i;

	if (s->dir != NULL)
		(void)stage_rmtree(s->dir, err);
	for (i = 0; i < s->nfiles; i++) {
		free(s->files[i].rel_path);
		free(s->files[i].path);
	}
	for (i = 0; i < s->nsegments; i++)
		free(s->segments[i]);
	free(s->files);
	free(s->segments);
	free(s->dir);
	memset(s, 0, sizeof(*s));
}
