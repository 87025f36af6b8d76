/*
 * fswatch_test: every kind of config update wakes the watcher, and
 * nothing else does.  In a mkdtemp directory under $TMPDIR or /tmp:
 *
 *	plain/a.yaml		in-place write, rename over it, a file that
 *				appears later
 *	watched/		a watched directory gaining an entry
 *	cm/			a Kubernetes ConfigMap volume:
 *	    ..v1/f		    the content
 *	    ..data -> ..v1	    swapped by renaming ..data_tmp over it
 *	    f -> ..data/f	    the path the program is given
 *
 * Each step first drains what setting it up caused, then does one thing
 * and expects fswatch_drain > 0 within a short poll; a quiet watcher must
 * drain 0.  The directory is removed at the end.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/errbuf.h"
#include "base/fswatch.h"
#include "unit.h"

#define WAIT_MS	1000	/* events are queued by the syscall itself */
#define QUIET_MS 25

static char dir[256];
static unsigned long total;	/* what every drain returned, summed */

/* dir/name, in one of a few rotating buffers. */
static const char *
P(const char *name)
{
	static char p[4][PATH_MAX];
	static int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Write s to path: in place (O_TRUNC, same inode) when it exists. */
static int
put(const char *path, const char *s)
{
	size_t n = strlen(s);
	int fd, r;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1)
		return -1;
	r = write(fd, s, n) == (ssize_t)n ? 0 : -1;
	return close(fd) == -1 ? -1 : r;
}

static const char *
get(const char *path)
{
	static char b[256];
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return "?";
	r = read(fd, b, sizeof(b) - 1);
	close(fd);
	if (r < 0)
		return "?";
	b[r] = '\0';
	return b;
}

/* Wait up to ms for the watcher to wake, then drain it. */
static int
wake(struct fswatch *w, int ms)
{
	struct pollfd pfd = { w->fd, POLLIN, 0 };
	int n;

	if (poll(&pfd, 1, ms) == -1)
		return -1;
	if ((n = fswatch_drain(w)) > 0)
		total += (unsigned long)n;
	return n;
}

static void
test_plain(struct fswatch *w)
{
	char err[ERR_MAX];

	CHECK_INT(mkdir(P("plain"), 0755), 0);
	CHECK_INT(put(P("plain/a.yaml"), "one"), 0);
	CHECK_INT(fswatch_add_file(w, P("plain/a.yaml"), err), 0);
	/* Re-adding is harmless. */
	CHECK_INT(fswatch_add_file(w, P("plain/a.yaml"), err), 0);
	CHECK_INT(wake(w, QUIET_MS), 0);

	/* Reading is not a change. */
	CHECK_STR(get(P("plain/a.yaml")), "one");
	CHECK_INT(wake(w, QUIET_MS), 0);

	/* In place. */
	CHECK_INT(put(P("plain/a.yaml"), "two"), 0);
	CHECK(wake(w, WAIT_MS) > 0);
	CHECK_INT(wake(w, QUIET_MS), 0);

	/* Renamed over: a new inode at the same name. */
	CHECK_INT(put(P("plain/.a.yaml.tmp"), "three"), 0);
	CHECK(wake(w, WAIT_MS) > 0);
	CHECK_INT(rename(P("plain/.a.yaml.tmp"), P("plain/a.yaml")), 0);
	CHECK(wake(w, WAIT_MS) > 0);
	CHECK_INT(wake(w, QUIET_MS), 0);
	CHECK_STR(get(P("plain/a.yaml")), "three");

	/* Only mode changes (a chmod by an operator) wake too. */
	CHECK_INT(chmod(P("plain/a.yaml"), 0600), 0);
	CHECK(wake(w, WAIT_MS) > 0);

	/* Removed, then written again. */
	CHECK_INT(unlink(P("plain/a.yaml")), 0);
	CHECK(wake(w, WAIT_MS) > 0);
	CHECK_INT(put(P("plain/a.yaml"), "four"), 0);
	CHECK(wake(w, WAIT_MS) > 0);

	/* A file that does not exist yet, in a directory that does. */
	CHECK_INT(fswatch_add_file(w, P("plain/later.yaml"), err), 0);
	CHECK_INT(wake(w, QUIET_MS), 0);
	CHECK_INT(put(P("plain/later.yaml"), "x"), 0);
	CHECK(wake(w, WAIT_MS) > 0);
	CHECK_INT(wake(w, QUIET_MS), 0);
}

static void
test_dir(struct fswatch *w)
{
	char err[ERR_MAX], want[ERR_MAX];

	CHECK_INT(mkdir(P("watched"), 0755), 0);
	CHECK_INT(fswatch_add_dir(w, P("watched"), err), 0);
	CHECK_INT(wake(w, QUIET_MS), 0);
	CHECK_INT(put(P("watched/new.yaml"), "n"), 0);
	CHECK(wake(w, WAIT_MS) > 0);
	CHECK_INT(wake(w, QUIET_MS), 0);
	CHECK_INT(mkdir(P("watched/sub"), 0755), 0);
	CHECK(wake(w, WAIT_MS) > 0);
	/* Not recursive: inside a subdirectory is not seen. */
	CHECK_INT(put(P("watched/sub/deep"), "d"), 0);
	CHECK_INT(wake(w, QUIET_MS), 0);

	/* Errors name the path. */
	errno = 0;
	CHECK_INT(fswatch_add_dir(w, P("nosuch"), err), -1);
	CHECK_INT(errno, ENOENT);
	snprintf(want, sizeof(want), "watch %s: %s", P("nosuch"),
	    strerror(ENOENT));
	CHECK_STR(err, want);
	errno = 0;
	CHECK_INT(fswatch_add_dir(w, P("watched/new.yaml"), err), -1);
	CHECK_INT(errno, ENOTDIR);
	CHECK(strstr(err, P("watched/new.yaml")) != NULL);
	errno = 0;
	CHECK_INT(fswatch_add_file(w, P("nosuch/f"), err), -1);
	CHECK_INT(errno, ENOENT);
	snprintf(want, sizeof(want), "watch %s: %s", P("nosuch"),
	    strerror(ENOENT));
	CHECK_STR(err, want);
}

static void
test_configmap(struct fswatch *w)
{
	struct fswatch only_dir;
	char err[ERR_MAX];

	/* What kubelet leaves after the first sync. */
	CHECK_INT(mkdir(P("cm"), 0755), 0);
	CHECK_INT(mkdir(P("cm/..v1"), 0755), 0);
	CHECK_INT(put(P("cm/..v1/f"), "v1"), 0);
	CHECK_INT(symlink("..v1", P("cm/..data")), 0);
	CHECK_INT(symlink("..data/f", P("cm/f")), 0);
	CHECK_STR(get(P("cm/f")), "v1");
	CHECK_INT(fswatch_add_file(w, P("cm/f"), err), 0);
	CHECK_INT(wake(w, QUIET_MS), 0);

	/* A watcher on cm/ alone would miss the next step. */
	CHECK_INT(fswatch_init(&only_dir, err), 0);
	CHECK_INT(fswatch_add_dir(&only_dir, P("cm"), err), 0);

	/* Written in place behind the symlinks: seen through the watch
	 * on the resolved directory, cm/..v1. */
	CHECK_INT(put(P("cm/..v1/f"), "v1 edited"), 0);
	CHECK(wake(w, WAIT_MS) > 0);
	CHECK_INT(wake(w, QUIET_MS), 0);
	CHECK_INT(fswatch_drain(&only_dir), 0);
	CHECK_STR(get(P("cm/f")), "v1 edited");

	/* The swap: a new version directory and a new link, which is then
	 * renamed over ..data.  The rename alone must wake us. */
	CHECK_INT(mkdir(P("cm/..v2"), 0755), 0);
	CHECK_INT(put(P("cm/..v2/f"), "v2"), 0);
	CHECK_INT(symlink("..v2", P("cm/..data_tmp")), 0);
	CHECK(wake(w, WAIT_MS) > 0);
	CHECK_INT(wake(w, QUIET_MS), 0);
	CHECK_INT(rename(P("cm/..data_tmp"), P("cm/..data")), 0);
	CHECK(wake(w, WAIT_MS) > 0);
	CHECK_INT(wake(w, QUIET_MS), 0);
	CHECK_STR(get(P("cm/f")), "v2");

	/* kubelet then removes the old version: the owner re-adds its path
	 * on every wake, which moves the watch to ..v2, so an in-place
	 * write there is seen as well. */
	CHECK_INT(fswatch_add_file(w, P("cm/f"), err), 0);
	CHECK_INT(unlink(P("cm/..v1/f")), 0);
	CHECK_INT(rmdir(P("cm/..v1")), 0);
	CHECK(wake(w, WAIT_MS) > 0);
	CHECK_INT(wake(w, QUIET_MS), 0);
	CHECK_INT(put(P("cm/..v2/f"), "v2 edited"), 0);
	CHECK(wake(w, WAIT_MS) > 0);
	CHECK_INT(wake(w, QUIET_MS), 0);
	CHECK_STR(get(P("cm/f")), "v2 edited");

	fswatch_release(&only_dir);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");
	struct fswatch w;
	char err[ERR_MAX];

	if ((size_t)snprintf(dir, sizeof(dir), "%s/fswatch_test.XXXXXX",
	    tmp && *tmp ? tmp : "/tmp") >= sizeof(dir) ||
	    mkdtemp(dir) == NULL) {
		perror("fswatch_test: mkdtemp");
		return 1;
	}
	CHECK_INT(fswatch_init(&w, err), 0);
	CHECK(w.fd >= 0);
	CHECK(fcntl(w.fd, F_GETFL) & O_NONBLOCK);
	CHECK_INT(w.events, 0);
	CHECK_INT(fswatch_drain(&w), 0);	/* nothing watched yet */

	test_plain(&w);
	test_dir(&w);
	test_configmap(&w);
	CHECK_INT(w.events, total);

	fswatch_release(&w);
	CHECK_INT(w.fd, -1);
	fswatch_release(&w);	/* twice is harmless */
	CHECK_INT(nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
	return unit_done();
}
