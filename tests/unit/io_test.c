/*
 * io_test: io_write_all through a pipe while a timer interrupts the
 * writer; io_read_file on empty, binary, large, capped, missing files and
 * a directory; io_write_atomic creating and replacing files, and failing
 * (missing directory, a directory in the way, a write cut short by
 * RLIMIT_FSIZE) without touching the old file or leaving a temporary one.
 * Files live in a mkdtemp directory under $TMPDIR or /tmp, removed at the
 * end.  io_close_stdout is tested from bats (>/dev/full).
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "base/io.h"
#include "unit.h"

#define PIPELEN	(1 << 20)	/* many times a pipe's buffer */
#define BIGLEN	200000		/* over io_read_file's 64 KiB chunk */

static char dir[256];	/* short: err lines quote paths in it */
static unsigned char data[PIPELEN];

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

static int
put(const char *path, const void *p, size_t n)
{
	int fd, r;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1)
		return -1;
	r = io_write_all(fd, p, n);
	return close(fd) == -1 ? -1 : r;
}

/* The file's content as a string in b (which must have room), or "?". */
static const char *
get(const char *path, char *b, size_t cap)
{
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return "?";
	r = read(fd, b, cap - 1);
	close(fd);
	if (r < 0)
		return "?";
	b[r] = '\0';
	return b;
}

/* The names in d, sorted and joined by spaces: temporary files show. */
static const char *
ls(const char *d)
{
	static char out[1024];
	struct dirent **ent;
	size_t len;
	int n;

	out[0] = '\0';
	if ((n = scandir(d, &ent, NULL, alphasort)) == -1)
		return "?";
	for (int i = 0; i < n; i++) {
		if (strcmp(ent[i]->d_name, ".") != 0 &&
		    strcmp(ent[i]->d_name, "..") != 0) {
			len = strlen(out);
			snprintf(out + len, sizeof(out) - len, "%s%s",
			    len ? " " : "", ent[i]->d_name);
		}
		free(ent[i]);
	}
	free(ent);
	return out;
}

struct reader {
	int		fd;
	size_t		got;
	size_t		bad;	/* bytes not as written */
};

static void
nop(int signo)
{
	(void)signo;
}

/* Read slowly to the end, so the writer blocks and the timer hits it:
 * while the pipe is still full from the start, with nothing written by
 * that call yet (EINTR), and later part way through a write (short). */
static void *
read_slowly(void *arg)
{
	struct timespec start = { 0, 10 * 1000 * 1000 };
	struct timespec pause = { 0, 20 * 1000 };
	struct reader *r = arg;
	unsigned char chunk[4096];
	sigset_t set;
	ssize_t k;

	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	nanosleep(&start, NULL);
	while ((k = read(r->fd, chunk, sizeof(chunk))) != 0) {
		if (k == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (ssize_t i = 0; i < k; i++)
			if (r->got + (size_t)i >= PIPELEN ||
			    chunk[i] != data[r->got + (size_t)i])
				r->bad++;
		r->got += (size_t)k;
		nanosleep(&pause, NULL);
	}
	return NULL;
}

static void
test_write_all(void)
{
	struct itimerval it = { { 0, 500 }, { 0, 500 } }, off = { 0 };
	struct sigaction sa, old;
	struct reader r = { -1, 0, 0 };
	pthread_t tid;
	int p[2];

	for (size_t i = 0; i < PIPELEN; i++)
		data[i] = (unsigned char)(i * 7 + i / 251);

	/* A megabyte through a pipe, with SIGALRM (no SA_RESTART) every
	 * half millisecond: short writes and EINTR must be retried. */
	CHECK_INT(pipe2(p, O_CLOEXEC), 0);
	r.fd = p[0];
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = nop;
	sigemptyset(&sa.sa_mask);
	CHECK_INT(sigaction(SIGALRM, &sa, &old), 0);
	CHECK_INT(pthread_create(&tid, NULL, read_slowly, &r), 0);
	CHECK_INT(setitimer(ITIMER_REAL, &it, NULL), 0);
	CHECK_INT(io_write_all(p[1], data, PIPELEN), 0);
	CHECK_INT(setitimer(ITIMER_REAL, &off, NULL), 0);
	close(p[1]);
	pthread_join(tid, NULL);
	sigaction(SIGALRM, &old, NULL);
	close(p[0]);
	CHECK_INT(r.got, PIPELEN);
	CHECK_INT(r.bad, 0);

	/* Nothing to write is done at once, whatever the fd. */
	CHECK_INT(io_write_all(-1, data, 0), 0);
	errno = 0;
	CHECK_INT(io_write_all(-1, data, 1), -1);
	CHECK_INT(errno, EBADF);

	/* The reader gone: -1 with EPIPE (SIGPIPE ignored, as servers do). */
	signal(SIGPIPE, SIG_IGN);
	CHECK_INT(pipe2(p, O_CLOEXEC), 0);
	close(p[0]);
	errno = 0;
	CHECK_INT(io_write_all(p[1], "x", 1), -1);
	CHECK_INT(errno, EPIPE);
	close(p[1]);
	signal(SIGPIPE, SIG_DFL);
}

static void
test_read_file(void)
{
	struct buf b = BUF_INIT(1 << 20), small = BUF_INIT(10);
	char err[ERR_MAX], want[ERR_MAX];

	/* Whatever b held is replaced. */
	CHECK_INT(buf_addstr(&b, "junk"), 0);
	CHECK_INT(put(P("empty"), "", 0), 0);
	CHECK_INT(io_read_file(P("empty"), &b, err), 0);
	CHECK_INT(b.len, 0);
	CHECK_STR(b.data, "");

	CHECK_INT(put(P("text"), "hello\nworld\n", 12), 0);
	CHECK_INT(io_read_file(P("text"), &b, err), 0);
	CHECK_INT(b.len, 12);
	CHECK_STR(b.data, "hello\nworld\n");

	CHECK_INT(put(P("nul"), "a\0b", 3), 0);
	CHECK_INT(io_read_file(P("nul"), &b, err), 0);
	CHECK_INT(b.len, 3);
	CHECK(b.data != NULL && memcmp(b.data, "a\0b", 4) == 0);

	CHECK_INT(put(P("big"), data, BIGLEN), 0);
	CHECK_INT(io_read_file(P("big"), &b, err), 0);
	CHECK_INT(b.len, BIGLEN);
	CHECK(b.data != NULL && memcmp(b.data, data, BIGLEN) == 0);
	CHECK(b.data != NULL && b.data[BIGLEN] == '\0');

	/* Up to the cap is fine; one byte more is an error naming path. */
	CHECK_INT(put(P("ten"), "0123456789", 10), 0);
	CHECK_INT(io_read_file(P("ten"), &small, err), 0);
	CHECK_STR(small.data, "0123456789");
	CHECK_INT(put(P("eleven"), "0123456789A", 11), 0);
	errno = 0;
	CHECK_INT(io_read_file(P("eleven"), &small, err), -1);
	CHECK_INT(errno, ENOBUFS);
	snprintf(want, sizeof(want), "%s: larger than 10 bytes", P("eleven"));
	CHECK_STR(err, want);
	errno = 0;
	CHECK_INT(io_read_file(P("big"), &small, err), -1);
	CHECK_INT(errno, ENOBUFS);
	snprintf(want, sizeof(want), "%s: larger than 10 bytes", P("big"));
	CHECK_STR(err, want);
	buf_release(&small);

	/* Missing: ENOENT stays in errno for the caller to tell apart. */
	errno = 0;
	CHECK_INT(io_read_file(P("missing"), &b, err), -1);
	CHECK_INT(errno, ENOENT);
	snprintf(want, sizeof(want), "%s: %s", P("missing"),
	    strerror(ENOENT));
	CHECK_STR(err, want);

	errno = 0;
	CHECK_INT(io_read_file(dir, &b, err), -1);
	CHECK_INT(errno, EISDIR);
	snprintf(want, sizeof(want), "read %s: %s", dir, strerror(EISDIR));
	CHECK_STR(err, want);
	buf_release(&b);

	CHECK_INT(unlink(P("empty")) | unlink(P("text")) | unlink(P("nul")) |
	    unlink(P("big")) | unlink(P("ten")) | unlink(P("eleven")), 0);
}

static void
test_atomic(void)
{
	struct rlimit rl, low;
	struct stat st, st2;
	char err[ERR_MAX], got[256];
	mode_t mask;
	int fd, cwd;

	CHECK_STR(ls(dir), "");

	/* Create, with the mode asked for whatever the umask. */
	mask = umask(077);
	CHECK_INT(io_write_atomic(P("a.yaml"), "v1\n", 3, 0644, err), 0);
	umask(mask);
	CHECK_STR(get(P("a.yaml"), got, sizeof(got)), "v1\n");
	CHECK_INT(stat(P("a.yaml"), &st), 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_INT(st.st_mode & 07777, 0644);
	CHECK_STR(ls(dir), "a.yaml");

	/* Replace: a new inode, so a reader holding the old file still
	 * reads the old content whole. */
	fd = open(P("a.yaml"), O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	CHECK_INT(io_write_atomic(P("a.yaml"), "version two\n", 12, 0600,
	    err), 0);
	CHECK_STR(get(P("a.yaml"), got, sizeof(got)), "version two\n");
	CHECK_INT(stat(P("a.yaml"), &st2), 0);
	CHECK(st2.st_ino != st.st_ino);
	CHECK_INT(st2.st_mode & 07777, 0600);
	CHECK_INT(read(fd, got, sizeof(got)), 3);
	CHECK(memcmp(got, "v1\n", 3) == 0);
	close(fd);
	CHECK_STR(ls(dir), "a.yaml");

	/* Empty content is a file too. */
	CHECK_INT(io_write_atomic(P("a.yaml"), "", 0, 0640, err), 0);
	CHECK_INT(stat(P("a.yaml"), &st), 0);
	CHECK_INT(st.st_size, 0);
	CHECK_INT(st.st_mode & 07777, 0640);

	/* A bare name: the temporary file goes in the current directory. */
	cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(cwd >= 0);
	CHECK_INT(chdir(dir), 0);
	CHECK_INT(io_write_atomic("bare", "b", 1, 0644, err), 0);
	CHECK_INT(fchdir(cwd), 0);
	close(cwd);
	CHECK_STR(get(P("bare"), got, sizeof(got)), "b");
	CHECK_STR(ls(dir), "a.yaml bare");

	/* The directory is missing: an error naming path, nothing made. */
	errno = 0;
	CHECK_INT(io_write_atomic(P("nodir/x"), "x", 1, 0644, err), -1);
	CHECK_INT(errno, ENOENT);
	CHECK(strstr(err, P("nodir/x")) != NULL);
	CHECK_STR(ls(dir), "a.yaml bare");

	/* A directory where the file should go: rename fails, the
	 * temporary file is removed, the directory stays. */
	CHECK_INT(mkdir(P("sub"), 0755), 0);
	CHECK_INT(put(P("sub/inner"), "i", 1), 0);
	errno = 0;
	CHECK_INT(io_write_atomic(P("sub"), "x", 1, 0644, err), -1);
	CHECK_INT(errno, EISDIR);
	CHECK(strstr(err, P("sub")) != NULL);
	CHECK_INT(stat(P("sub"), &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_STR(ls(P("sub")), "inner");
	CHECK_STR(ls(dir), "a.yaml bare sub");
	CHECK_INT(rmdir(P("sub")), -1);	/* still holds inner */

	/* The write cut short (file size limit, SIGXFSZ ignored so it is
	 * EFBIG): the old file is untouched and no temporary is left. */
	CHECK_INT(put(P("keep"), "old content", 11), 0);
	CHECK_INT(stat(P("keep"), &st), 0);
	CHECK_INT(getrlimit(RLIMIT_FSIZE, &rl), 0);
	low = rl;
	low.rlim_cur = 4096;
	signal(SIGXFSZ, SIG_IGN);
	CHECK_INT(setrlimit(RLIMIT_FSIZE, &low), 0);
	errno = 0;
	CHECK_INT(io_write_atomic(P("keep"), data, 8192, 0644, err), -1);
	CHECK_INT(errno, EFBIG);
	CHECK_INT(setrlimit(RLIMIT_FSIZE, &rl), 0);
	signal(SIGXFSZ, SIG_DFL);
	CHECK(strncmp(err, "write ", 6) == 0);
	CHECK(strstr(err, "/.keep.") != NULL);
	CHECK_STR(get(P("keep"), got, sizeof(got)), "old content");
	CHECK_INT(stat(P("keep"), &st2), 0);
	CHECK(st2.st_ino == st.st_ino);
	CHECK_STR(ls(dir), "a.yaml bare keep sub");

	/* And the same write goes through once the limit is gone. */
	CHECK_INT(io_write_atomic(P("keep"), data, 8192, 0644, err), 0);
	CHECK_INT(stat(P("keep"), &st), 0);
	CHECK_INT(st.st_size, 8192);
	CHECK_STR(ls(dir), "a.yaml bare keep sub");
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");

	if ((size_t)snprintf(dir, sizeof(dir), "%s/io_test.XXXXXX",
	    tmp && *tmp ? tmp : "/tmp") >= sizeof(dir) ||
	    mkdtemp(dir) == NULL) {
		perror("io_test: mkdtemp");
		return 1;
	}
	test_write_all();
	test_read_file();
	test_atomic();
	CHECK_INT(nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
	return unit_done();
}
