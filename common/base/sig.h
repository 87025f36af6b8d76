/*
 * sig: signals as a file descriptor (signalfd), read in the same poll loop
 * as everything else.  No signal handlers anywhere: a daemon blocks its
 * signals in main() before any thread starts (curl, libmicrohttpd), so
 * every thread inherits the mask and the signals queue on the fd.
 */
#ifndef BASE_SIG_H
#define BASE_SIG_H

/* Block SIGTERM, SIGINT and SIGHUP in this thread (and the threads it
 * starts later) and return a non-blocking signalfd for them; -1 with
 * errno. */
int	sig_open(void);

/* The next pending signal number, 0 if none is pending, -1 with errno. */
int	sig_next(int fd);

#endif
