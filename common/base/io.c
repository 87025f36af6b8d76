#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/errbuf.h"
#include "base/io.h"

int
io_close_stdout(void)
{
	int r = 0;

	if (fflush(stdout) == EOF || ferror(stdout)) {
		warn("write <stdout>");
		r = -1;
	}
	if (fclose(stdout) == EOF && r == 0) {
		warn("close <stdout>");
		r = -1;
	}
	return r;
}

int
io_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, c, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int
io_read_file(const char *path, struct buf *b, char *err)
{
	char chunk[65536];
	ssize_t r;
	int fd;

	buf_reset(b);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return errbuf_sys(err, "%s", path);
	for (;;) {
		if ((r = read(fd, chunk, sizeof(chunk))) == -1) {
			if (errno == EINTR)
				continue;
			errbuf_sys(err, "read %s", path);
			break;
		}
		if (r == 0) {
			close(fd);
			/* An empty file still yields a string. */
			return buf_add(b, "", 0) == -1 ?
			    errbuf_sys(err, "%s", path) : 0;
		}
		if (buf_add(b, chunk, (size_t)r) == -1) {
			if (errno == ENOBUFS)
				errbuf_set(err, "%s: larger than %zu bytes",
				    path, b->max);
			else
				errbuf_sys(err, "%s", path);
			break;
		}
	}
	r = errno;
	close(fd);
	errno = (int)r;
	return -1;
}

/* fsync the directory holding path, so a rename into it is durable. */
static int
sync_dir(const char *path)
{
	char *copy, *dir;
	int fd, r;

	if ((copy = strdup(path)) == NULL)
		return -1;
	dir = dirname(copy);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd == -1)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

int
io_write_atomic(const char *path, const void *p, size_t n, mode_t mode,
    char *err)
{
	struct buf tmp = BUF_INIT(BUF_NOMAX);
	const char *base = strrchr(path, '/');
	int fd;

	/* Hidden name in the same directory: rename(2) must not cross file
	 * systems, and watchers globbing *.yaml must not pick it up. */
	if (base)
		buf_add(&tmp, path, (size_t)(base - path + 1));
	if (buf_addf(&tmp, ".%s.XXXXXX", base ? base + 1 : path) == -1) {
		buf_release(&tmp);
		return errbuf_sys(err, "%s", path);
	}
	if ((fd = mkostemp(tmp.data, O_CLOEXEC)) == -1) {
		errbuf_sys(err, "create temporary file for %s", path);
		buf_release(&tmp);
		return -1;
	}
	if (io_write_all(fd, p, n) == -1) {
		errbuf_sys(err, "write %s", tmp.data);
		goto fail;
	}
	if (fchmod(fd, mode) == -1) {
		errbuf_sys(err, "chmod %s", tmp.data);
		goto fail;
	}
	if (fsync(fd) == -1) {
		errbuf_sys(err, "fsync %s", tmp.data);
		goto fail;
	}
	if (close(fd) == -1) {
		fd = -1;
		errbuf_sys(err, "close %s", tmp.data);
		goto fail;
	}
	fd = -1;
	if (rename(tmp.data, path) == -1) {
		errbuf_sys(err, "rename %s to %s", tmp.data, path);
		goto fail;
	}
	buf_release(&tmp);
	if (sync_dir(path) == -1)
		return errbuf_sys(err, "fsync directory of %s", path);
	return 0;
fail:
	if (fd != -1)
		close(fd);
	unlink(tmp.data);
	buf_release(&tmp);
	return -1;
}

int
io_path_join(char *out, size_t n, const char *dir, const char *name)
{
	int r = snprintf(out, n, "%s/%s", dir, name);

	if (r < 0 || (size_t)r >= n) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}
