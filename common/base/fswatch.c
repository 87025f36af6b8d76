#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "base/errbuf.h"
#include "base/fswatch.h"

#define FSWATCH_MASK	(IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | \
			 IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | \
			 IN_DELETE_SELF | IN_MOVE_SELF)

int
fswatch_init(struct fswatch *w, char *err)
{
	w->events = 0;
	if ((w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1)
		return errbuf_sys(err, "inotify");
	return 0;
}

int
fswatch_add_dir(struct fswatch *w, const char *dir, char *err)
{
	if (inotify_add_watch(w->fd, dir, FSWATCH_MASK | IN_ONLYDIR) == -1)
		return errbuf_sys(err, "watch %s", dir);
	return 0;
}

static int
add_parent(struct fswatch *w, const char *path, char *err)
{
	char *copy;
	int r;

	if ((copy = strdup(path)) == NULL)
		return errbuf_sys(err, "watch %s", path);
	r = fswatch_add_dir(w, dirname(copy), err);
	free(copy);
	return r;
}

int
fswatch_add_file(struct fswatch *w, const char *file, char *err)
{
	char real[PATH_MAX];

	if (add_parent(w, file, err) == -1)
		return -1;
	/* Through symlinks (ConfigMap: file -> ..data/file), an in-place
	 * write happens in the target's directory, not the link's. */
	if (realpath(file, real) != NULL && strcmp(real, file) != 0)
		return add_parent(w, real, err);
	return 0;
}

int
fswatch_drain(struct fswatch *w)
{
	char ev[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *e;
	ssize_t r;
	int n = 0;

	for (;;) {
		if ((r = read(w->fd, ev, sizeof(ev))) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			return -1;
		}
		for (char *p = ev; p < ev + r; p += sizeof(*e) + e->len) {
			e = (const struct inotify_event *)p;
			n++;
		}
	}
	w->events += (unsigned long)n;
	return n;
}

void
fswatch_release(struct fswatch *w)
{
	if (w->fd != -1)
		close(w->fd);
	w->fd = -1;
}
