/*
 * fswatch: "something under these paths may have changed", from inotify.
 *
 * It only wakes its owner; it never says what changed.  The owner re-reads
 * what it cares about and compares, which is the only way to be right
 * about every kind of update: in-place writes, rename over a file, and the
 * Kubernetes ConfigMap swap (kubelet writes a new timestamped directory and
 * renames a "..data" symlink over the old one, so the watched file's inode
 * never changes).  To see all three, a file is watched through its
 * directory, and through the directory its symlinks resolve to; a
 * directory is watched for its entries.  Adding a path that is already
 * watched is cheap and harmless, so owners re-add their paths after every
 * wake: watches on replaced directories are then renewed.
 */
#ifndef BASE_FSWATCH_H
#define BASE_FSWATCH_H

struct fswatch {
	int	fd;		/* inotify fd, non-blocking: poll it */
	unsigned long events;	/* events read so far, for metrics */
};

/* -1 with a message in err. */
int	fswatch_init(struct fswatch *w, char *err);
/* Watch the entries of directory dir (not recursive). */
int	fswatch_add_dir(struct fswatch *w, const char *dir, char *err);
/* Watch file through its directory and its resolved target's directory.
 * A file that does not exist yet is fine as long as its directory does. */
int	fswatch_add_file(struct fswatch *w, const char *file, char *err);
/* Drain pending events: the number read (0 if none), -1 with errno. */
int	fswatch_drain(struct fswatch *w);
void	fswatch_release(struct fswatch *w);

#endif
