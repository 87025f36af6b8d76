#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "base/sig.h"

int
sig_open(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if ((errno = pthread_sigmask(SIG_BLOCK, &set, NULL)) != 0)
		return -1;
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

int
sig_next(int fd)
{
	struct signalfd_siginfo si;
	ssize_t r;

	while ((r = read(fd, &si, sizeof(si))) == -1 && errno == EINTR)
		;
	if (r == -1)
		return errno == EAGAIN ? 0 : -1;
	if (r != (ssize_t)sizeof(si)) {
		errno = EIO;
		return -1;
	}
	return (int)si.ssi_signo;
}
