#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "base/io.h"
#include "base/sha256.h"
#include "rules.h"

/* A rule file larger than this is a mistake, not a rule file. */
#define RULE_FILE_MAX	(64u << 20)

struct walk {
	struct sha256	 h;
	struct fswatch	*w;
	struct buf	 content;
	size_t		 files;
	char		*err;
};

static int
byname(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int
walk_dir(struct walk *wk, const char *dir, const char *rel)
{
	static const unsigned char sep = 0xff;
	struct dirent **ents;
	struct buf path = BUF_INIT(BUF_NOMAX), sub = BUF_INIT(BUF_NOMAX);
	struct stat lst, st;
	int n, r = 0;

	if (wk->w && fswatch_add_dir(wk->w, dir, wk->err) == -1)
		return -1;
	if ((n = scandir(dir, &ents, NULL, byname)) == -1)
		return errbuf_sys(wk->err, "rule dir %s", dir);
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;

		if (r == -1 || strcmp(name, ".") == 0 ||
		    strcmp(name, "..") == 0)
			continue;
		buf_reset(&path);
		buf_reset(&sub);
		if (buf_addf(&path, "%s/%s", dir, name) == -1 ||
		    buf_addf(&sub, "%s%s%s", rel, *rel ? "/" : "", name) == -1) {
			r = errbuf_sys(wk->err, "%s", dir);
			continue;
		}
		if (lstat(path.data, &lst) == -1 || stat(path.data, &st) == -1) {
			/* Gone between readdir and stat: a swap in progress;
			 * the next wake sees the new state. */
			if (errno == ENOENT)
				continue;
			r = errbuf_sys(wk->err, "%s", path.data);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (!S_ISLNK(lst.st_mode) && strncmp(name, "..", 2) != 0)
				r = walk_dir(wk, path.data, sub.data);
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		if (io_read_file(path.data, &wk->content, wk->err) == -1) {
			if (errno == ENOENT)
				continue;
			r = -1;
			continue;
		}
		if (S_ISLNK(lst.st_mode) && wk->w &&
		    fswatch_add_file(wk->w, path.data, wk->err) == -1) {
			r = -1;
			continue;
		}
		sha256_update(&wk->h, &sep, 1);
		sha256_update(&wk->h, sub.data, sub.len);
		sha256_update(&wk->h, &sep, 1);
		sha256_update(&wk->h, wk->content.data, wk->content.len);
		wk->files++;
	}
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	buf_release(&path);
	buf_release(&sub);
	return r;
}

int
rules_hash(char *const *dirs, size_t n, struct fswatch *w,
    unsigned char out[32], size_t *files, char *err)
{
	struct walk wk = { .w = w, .content = BUF_INIT(RULE_FILE_MAX),
	    .err = err };
	int r = 0;

	sha256_init(&wk.h);
	for (size_t i = 0; i < n && r == 0; i++) {
		/* The dir index keeps "a/x" in dir 1 apart from dir 2. */
		unsigned char idx = (unsigned char)i;

		sha256_update(&wk.h, &idx, 1);
		r = walk_dir(&wk, dirs[i], "");
	}
	sha256_final(&wk.h, out);
	buf_release(&wk.content);
	*files = wk.files;
	return r;
}
