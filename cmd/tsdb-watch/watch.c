#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/errbuf.h"
#include "base/fswatch.h"
#include "base/io.h"
#include "base/log.h"
#include "base/parse.h"
#include "base/sig.h"
#include "bucket/shipper.h"
#include "tsdb/block.h"
#include "tsdb/meta.h"
#include "tsdb/ulid.h"
#include "watch.h"

/* Prometheus writes a block as a burst of events (the .tmp dir, its
 * files, the rename): look once they have settled. */
#define SETTLE_MS	100

struct block {
	struct ulid	 id;
	char		 name[ULID_LEN + 1];
	int64_t		 mint, maxt;
	int		 level;
	uint64_t	 samples;
};

/* The ULID sets below are shipper lists: a list with add, has and
 * filter is all a set of block IDs needs. */
struct watch {
	const struct watch_config *c;
	const char	*prefix;	/* tsdb, or "" when it is "/" */
	struct shipper	 shipped;	/* the shipper file, per scan */
	struct shipper	 printed;	/* printed by this process */
	struct shipper	 warned_bad;	/* meta.json warned about */
	struct shipper	 warned_old;	/* retention warned about */
	char		 shipper_err[ERR_MAX];
	struct block	*v;		/* this scan's blocks */
	size_t		 n, cap;
	int		 forever;
};

static int
block_cmp(const void *a, const void *b)
{
	const struct block *x = a, *y = b;

	/* Oldest first, as Thanos ships; the ULID breaks ties so the
	 * order never depends on readdir. */
	if (x->mint != y->mint)
		return x->mint < y->mint ? -1 : 1;
	return ulid_compare(&x->id, &y->id);
}

/* Is u among this scan's blocks?  Sets forget blocks gone from disk. */
static int
on_disk(void *arg, const struct ulid *u)
{
	struct watch *w = arg;
	size_t i;

	for (i = 0; i < w->n; i++)
		if (ulid_compare(&w->v[i].id, u) == 0)
			return 1;
	return 0;
}

static int
add_block(struct watch *w, const char *name, const struct tsdb_meta *m)
{
	struct block *v, *b;
	size_t cap;

	if (w->n == w->cap) {
		cap = w->cap ? w->cap * 2 : 64;
		if ((v = reallocarray(w->v, cap, sizeof(*v))) == NULL)
			return -1;
		w->v = v;
		w->cap = cap;
	}
	b = &w->v[w->n++];
	ulid_parse(name, &b->id);
	/* Upper case, as Prometheus names them; a lower case directory
	 * keeps its own spelling in the path we print. */
	memcpy(b->name, name, ULID_LEN);
	b->name[ULID_LEN] = '\0';
	b->mint = m->min_time;
	b->maxt = m->max_time;
	b->level = m->level;
	b->samples = m->num_samples;
	return 0;
}

/* Read the directory: every block whose meta.json is there and good. */
static int
read_blocks(struct watch *w, char *err)
{
	struct tsdb_meta m;
	struct dirent *de;
	struct stat st;
	struct ulid id;
	char path[4096], e[ERR_MAX];
	DIR *d;

	w->n = 0;
	if ((d = opendir(w->c->tsdb)) == NULL)
		return errbuf_sys(err, "%s", w->c->tsdb);
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL)
			break;
		/* A ULID, so X.tmp-for-creation, wal and thanos drop out. */
		if (!tsdb_block_name(de->d_name))
			continue;
		if (io_path_join(path, sizeof(path), w->c->tsdb,
		    de->d_name) == -1 || stat(path, &st) == -1 ||
		    !S_ISDIR(st.st_mode))
			continue;
		if (tsdb_meta_read_dir(&m, path, e) == -1) {
			/* Prometheus renames a block into place whole, so
			 * this one is broken or half deleted: say so once. */
			ulid_parse(de->d_name, &id);
			if (!shipper_has(&w->warned_bad, &id)) {
				log_warn("skipping a block without a good "
				    "meta.json", "block", path, "err", e);
				if (shipper_add(&w->warned_bad, &id) == -1)
					goto nomem;
			}
			continue;
		}
		if (add_block(w, de->d_name, &m) == -1) {
			tsdb_meta_release(&m);
			goto nomem;
		}
		tsdb_meta_release(&m);
	}
	if (errno != 0) {
		errbuf_sys(err, "%s", w->c->tsdb);
		closedir(d);
		return -1;
	}
	closedir(d);
	if (w->n > 1)
		qsort(w->v, w->n, sizeof(*w->v), block_cmp);
	return 0;
nomem:
	closedir(d);
	return errbuf_sys(err, "%s", w->c->tsdb);
}

/*
 * Prometheus deletes a block once the newest block's maxTime is more
 * than the retention past the block's maxTime (BeyondTimeRetention):
 * warn, once, when an unshipped block gets near that.
 */
static void
check_retention(struct watch *w, const struct block *b, int64_t newest,
    char *path)
{
	char age[PARSE_DURATION_MAX], ret[PARSE_DURATION_MAX];
	int64_t a = newest - b->maxt;

	if (w->c->retention_ms <= 0 ||
	    a < w->c->retention_ms / 100 * WATCH_RETENTION_WARN_PCT ||
	    shipper_has(&w->warned_old, &b->id))
		return;
	parse_duration_format(a, age, sizeof(age));
	parse_duration_format(w->c->retention_ms, ret, sizeof(ret));
	log_warn("block not shipped yet and near the end of Prometheus' "
	    "retention: its data is lost when Prometheus deletes it",
	    "block", path, "age", age, "retention", ret);
	(void)shipper_add(&w->warned_old, &b->id);
}

static int
scan(struct watch *w, char *err)
{
	const struct watch_config *c = w->c;
	const struct block *b;
	char e[ERR_MAX], path[4096];
	int64_t newest = INT64_MIN;
	size_t i, printed = 0;

	if (shipper_read(&w->shipped, c->shipper_file, e) == -1) {
		if (strcmp(e, w->shipper_err) != 0)
			log_warn("shipper file unreadable: taking it as empty, "
			    "as Thanos does", "err", e);
		memcpy(w->shipper_err, e, ERR_MAX);
	} else
		w->shipper_err[0] = '\0';
	if (read_blocks(w, err) == -1)
		return -1;
	for (i = 0; i < w->n; i++)
		if (w->v[i].maxt > newest)
			newest = w->v[i].maxt;
	for (i = 0; i < w->n; i++) {
		b = &w->v[i];
		snprintf(path, sizeof(path), "%s/%s", w->prefix, b->name);
		/* Thanos' rules: empty blocks and compacted ones (unless
		 * asked) are never shipped. */
		if (b->samples == 0 || (b->level > 1 && !c->upload_compacted) ||
		    shipper_has(&w->shipped, &b->id))
			continue;
		check_retention(w, b, newest, path);
		if (w->forever && shipper_has(&w->printed, &b->id))
			continue;
		/* The next program in the pipe sees each line at once. */
		if (printf("%s\n", path) < 0 || fflush(stdout) == EOF)
			return errbuf_sys(err, "write <stdout>");
		printed++;
		if (w->forever && shipper_add(&w->printed, &b->id) == -1)
			return errbuf_sys(err, "%s", c->tsdb);
	}
	shipper_filter(&w->printed, on_disk, w);
	shipper_filter(&w->warned_bad, on_disk, w);
	shipper_filter(&w->warned_old, on_disk, w);
	snprintf(e, sizeof(e), "%zu", w->n);
	snprintf(path, sizeof(path), "%zu", printed);
	log_debug("scanned", "tsdb", c->tsdb, "blocks", e, "printed", path);
	return 0;
}

static void
watch_init(struct watch *w, const struct watch_config *c, int forever)
{
	memset(w, 0, sizeof(*w));
	w->c = c;
	w->prefix = strcmp(c->tsdb, "/") == 0 ? "" : c->tsdb;
	w->forever = forever;
}

static void
watch_release(struct watch *w)
{
	shipper_release(&w->shipped);
	shipper_release(&w->printed);
	shipper_release(&w->warned_bad);
	shipper_release(&w->warned_old);
	free(w->v);
}

int
watch_once(const struct watch_config *c, char *err)
{
	struct watch w;
	int rc;

	watch_init(&w, c, 0);
	rc = scan(&w, err);
	watch_release(&w);
	return rc;
}

static int64_t
min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static int
loop(struct watch *w, int sigfd, struct fswatch *fw, char *err)
{
	const struct watch_config *c = w->c;
	int64_t now, next, settle_at = -1, wait;
	int sig;

	if (scan(w, err) == -1)
		return -1;
	next = clock_mono_ms() + c->interval_ms;
	for (;;) {
		/* stdout with no events asked: a pipe whose reader is gone
		 * reports POLLERR, so we stop instead of waiting for the
		 * next block to die of SIGPIPE hours later. */
		struct pollfd pfd[3] = {
			{ .fd = sigfd, .events = POLLIN },
			{ .fd = fw->fd, .events = POLLIN },
			{ .fd = STDOUT_FILENO, .events = 0 },
		};

		now = clock_mono_ms();
		wait = settle_at >= 0 ? min64(next, settle_at) : next;
		wait = wait > now ? wait - now : 0;
		if (poll(pfd, 3, (int)min64(wait, 3600000)) == -1 &&
		    errno != EINTR)
			return errbuf_sys(err, "poll");
		while ((sig = sig_next(sigfd)) > 0) {
			if (sig == SIGHUP) {
				log_info("SIGHUP: rescanning");
				settle_at = clock_mono_ms();
				continue;
			}
			log_info("exiting", "signal", strsignal(sig));
			return 0;
		}
		if (pfd[2].revents & (POLLERR | POLLHUP | POLLNVAL))
			return errbuf_set(err, "write <stdout>: the reader "
			    "has gone");
		if (pfd[1].revents & POLLIN && fswatch_drain(fw) > 0 &&
		    settle_at < 0)
			settle_at = clock_mono_ms() + SETTLE_MS;
		now = clock_mono_ms();
		if ((settle_at >= 0 && now >= settle_at) || now >= next) {
			settle_at = -1;
			next = now + c->interval_ms;
			/* Renew the watches: a directory may have been
			 * replaced since. */
			if (fswatch_add_dir(fw, c->tsdb, err) == -1 ||
			    fswatch_add_file(fw, c->shipper_file, err) == -1 ||
			    scan(w, err) == -1)
				return -1;
		}
	}
}

int
watch_forever(const struct watch_config *c, char *err)
{
	struct fswatch fw = { .fd = -1 };
	struct watch w;
	int sigfd, rc = -1;

	watch_init(&w, c, 1);
	if ((sigfd = sig_open()) == -1) {
		errbuf_sys(err, "signalfd");
		goto out;
	}
	if (fswatch_init(&fw, err) == -1 ||
	    fswatch_add_dir(&fw, c->tsdb, err) == -1 ||
	    fswatch_add_file(&fw, c->shipper_file, err) == -1)
		goto out;
	log_info("watching", "tsdb", c->tsdb, "shipper_file", c->shipper_file);
	rc = loop(&w, sigfd, &fw, err);
out:
	if (sigfd != -1)
		close(sigfd);
	fswatch_release(&fw);
	watch_release(&w);
	return rc;
}
