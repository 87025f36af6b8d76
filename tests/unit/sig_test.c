/*
 * sig_test: sig_open blocks SIGTERM, SIGINT and SIGHUP, so raising them
 * does not end us; they queue on the signalfd, where sig_next reads them
 * one at a time and then says 0 (none pending) without blocking.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "base/sig.h"
#include "unit.h"

static int
readable(int fd)
{
	struct pollfd pfd = { fd, POLLIN, 0 };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

static int
pending(int signo)
{
	sigset_t set;

	sigemptyset(&set);
	return sigpending(&set) == 0 && sigismember(&set, signo) == 1;
}

int
main(void)
{
	sigset_t cur;
	int fd, p[2], got, a, b;

	fd = sig_open();
	CHECK(fd >= 0);
	if (fd == -1)
		return unit_done();
	CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
	CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	CHECK_INT(pthread_sigmask(SIG_BLOCK, NULL, &cur), 0);
	CHECK_INT(sigismember(&cur, SIGTERM), 1);
	CHECK_INT(sigismember(&cur, SIGINT), 1);
	CHECK_INT(sigismember(&cur, SIGHUP), 1);
	CHECK_INT(sigismember(&cur, SIGUSR1), 0);

	/* Nothing pending: 0 at once, not a blocked read. */
	CHECK(!readable(fd));
	CHECK_INT(sig_next(fd), 0);

	/* Still running after each of these: the signals are blocked. */
	CHECK_INT(raise(SIGTERM), 0);
	CHECK(pending(SIGTERM));
	CHECK(readable(fd));
	CHECK_INT(sig_next(fd), SIGTERM);
	CHECK(!pending(SIGTERM));
	CHECK_INT(sig_next(fd), 0);

	CHECK_INT(kill(getpid(), SIGHUP), 0);
	CHECK_INT(sig_next(fd), SIGHUP);
	CHECK_INT(sig_next(fd), 0);

	CHECK_INT(raise(SIGINT), 0);
	CHECK_INT(sig_next(fd), SIGINT);
	CHECK_INT(sig_next(fd), 0);

	/* Two different signals: both come out, in some order. */
	CHECK_INT(kill(getpid(), SIGTERM), 0);
	CHECK_INT(kill(getpid(), SIGHUP), 0);
	a = sig_next(fd);
	b = sig_next(fd);
	CHECK((a == SIGTERM && b == SIGHUP) || (a == SIGHUP && b == SIGTERM));
	CHECK_INT(sig_next(fd), 0);

	/* A standard signal sent twice before reading is pending once. */
	CHECK_INT(raise(SIGHUP), 0);
	CHECK_INT(raise(SIGHUP), 0);
	CHECK_INT(sig_next(fd), SIGHUP);
	CHECK_INT(sig_next(fd), 0);

	/* Opening again is harmless and sees the same signals. */
	got = sig_open();
	CHECK(got >= 0 && got != fd);
	CHECK_INT(raise(SIGTERM), 0);
	CHECK_INT(sig_next(got), SIGTERM);
	CHECK_INT(sig_next(fd), 0);
	close(got);

	/* Errors: a bad fd, and a short read that is not a siginfo. */
	errno = 0;
	CHECK_INT(sig_next(-1), -1);
	CHECK_INT(errno, EBADF);
	CHECK_INT(pipe(p), 0);
	CHECK_INT(write(p[1], "abc", 3), 3);
	errno = 0;
	CHECK_INT(sig_next(p[0]), -1);
	CHECK_INT(errno, EIO);
	close(p[0]);
	close(p[1]);

	close(fd);
	return unit_done();
}
