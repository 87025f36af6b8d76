/*
 * tcp-proxy: forward 127.0.0.1:LISTEN to 127.0.0.1:TARGET, so a test can
 * kill the S3 endpoint a client talks to, mid-request, and start it
 * again on the same port while the store behind it (moto, which keeps
 * its objects in memory) lives on: what a client sees of an S3 server
 * killed and restarted.
 *
 *	tcp-proxy [--stall-after=BYTES --stall-file=PATH] LISTEN TARGET
 *
 * With --stall-after, once BYTES bytes have gone from clients to the
 * target, the connections open then forward nothing more that way and
 * PATH is created: the test knows the upload is in the middle, and may
 * kill us (SIGKILL cuts every connection), or kill or stop the client.
 * Connections made after the stall are forwarded as usual (an abort of
 * the upload, a client started again).  One thread, one poll loop, 64
 * connections.
 */
#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/errbuf.h"
#include "base/parse.h"

#define MAXPAIRS	64
#define BUFSZ		65536

struct half {
	char	 buf[BUFSZ];
	size_t	 len;
	int	 eof;		/* the reading side closed */
};

struct pair {
	int		 c, s;		/* client, server; -1: free */
	int		 frozen;	/* open at the stall */
	struct half	 up, down;	/* c -> s, s -> c */
};

static struct pair pairs[MAXPAIRS];
static uint64_t forwarded, stall_after = UINT64_MAX;
static const char *stall_file;
static int stalled;

static void
pair_close(struct pair *p)
{
	close(p->c);
	close(p->s);
	p->c = p->s = -1;
}

static int
listen_on(unsigned port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd, one = 1;

	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		err(1, "socket");
	/* Restarted on the same port while old connections linger. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == -1)
		err(1, "bind 127.0.0.1:%u", port);
	if (listen(fd, 64) == -1)
		err(1, "listen");
	return fd;
}

static int
connect_to(unsigned port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd;

	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Read into h from fd; -1 when the pair must close. */
static int
fill(struct half *h, int fd, int count)
{
	size_t room = BUFSZ - h->len;
	ssize_t r;

	if (count && !stalled && stall_after - forwarded < room)
		room = (size_t)(stall_after - forwarded);
	if (room == 0)
		return 0;
	if ((r = read(fd, h->buf + h->len, room)) == -1)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	if (r == 0) {
		h->eof = 1;
		return 0;
	}
	h->len += (size_t)r;
	if (count) {
		forwarded += (uint64_t)r;
		if (forwarded >= stall_after && !stalled) {
			stalled = 1;
			for (size_t i = 0; i < MAXPAIRS; i++)
				pairs[i].frozen = pairs[i].c >= 0;
			if (stall_file != NULL)
				close(open(stall_file, O_WRONLY | O_CREAT |
				    O_CLOEXEC, 0644));
		}
	}
	return 0;
}

static int
flush(struct half *h, int fd)
{
	ssize_t w;

	if ((w = write(fd, h->buf, h->len)) == -1)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	memmove(h->buf, h->buf + w, h->len - (size_t)w);
	h->len -= (size_t)w;
	return 0;
}

int
main(int argc, char *argv[])
{
	struct pollfd pfd[1 + 2 * MAXPAIRS];
	struct pair *p;
	char e[ERR_MAX];
	uint64_t lport, tport;
	int lfd, fd, i, n;

	for (; argc > 1 && strncmp(argv[1], "--", 2) == 0; argc--, argv++) {
		if (strncmp(argv[1], "--stall-after=", 14) == 0) {
			if (parse_uint64(argv[1] + 14, 1, UINT64_MAX - 1,
			    &stall_after, e) == -1)
				errx(2, "%s", e);
		} else if (strncmp(argv[1], "--stall-file=", 13) == 0)
			stall_file = argv[1] + 13;
		else
			errx(2, "usage: tcp-proxy [--stall-after=BYTES "
			    "--stall-file=PATH] LISTEN TARGET");
	}
	if (argc != 3 || parse_uint64(argv[1], 1, 65535, &lport, e) == -1 ||
	    parse_uint64(argv[2], 1, 65535, &tport, e) == -1)
		errx(2, "usage: tcp-proxy [--stall-after=BYTES "
		    "--stall-file=PATH] LISTEN TARGET");
	for (i = 0; i < MAXPAIRS; i++)
		pairs[i].c = pairs[i].s = -1;
	lfd = listen_on((unsigned)lport);
	for (;;) {
		pfd[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		for (i = 0; i < MAXPAIRS; i++) {
			p = &pairs[i];
			pfd[1 + 2 * i] = (struct pollfd){ .fd = p->c };
			pfd[2 + 2 * i] = (struct pollfd){ .fd = p->s };
			if (p->c < 0)
				continue;
			if (!p->up.eof && p->up.len < BUFSZ && !p->frozen)
				pfd[1 + 2 * i].events |= POLLIN;
			if (p->down.len > 0)
				pfd[1 + 2 * i].events |= POLLOUT;
			if (!p->down.eof && p->down.len < BUFSZ)
				pfd[2 + 2 * i].events |= POLLIN;
			if (p->up.len > 0)
				pfd[2 + 2 * i].events |= POLLOUT;
		}
		if (poll(pfd, 1 + 2 * MAXPAIRS, -1) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "poll");
		}
		if (pfd[0].revents & POLLIN &&
		    (fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) != -1) {
			for (i = 0; i < MAXPAIRS && pairs[i].c >= 0; i++)
				;
			if (i == MAXPAIRS || (n = connect_to(
			    (unsigned)tport)) == -1)
				close(fd);
			else {
				memset(&pairs[i], 0, sizeof(pairs[i]));
				pairs[i].c = fd;
				pairs[i].s = n;
			}
		}
		for (i = 0; i < MAXPAIRS; i++) {
			p = &pairs[i];
			if (p->c < 0 || pfd[1 + 2 * i].fd != p->c)
				continue;
			if ((pfd[1 + 2 * i].revents & POLLIN &&
			    fill(&p->up, p->c, 1) == -1) ||
			    (pfd[2 + 2 * i].revents & POLLIN &&
			    fill(&p->down, p->s, 0) == -1) ||
			    (pfd[1 + 2 * i].revents & POLLOUT &&
			    flush(&p->down, p->c) == -1) ||
			    (pfd[2 + 2 * i].revents & POLLOUT &&
			    flush(&p->up, p->s) == -1) ||
			    (pfd[1 + 2 * i].revents | pfd[2 + 2 * i].revents) &
			    (POLLERR | POLLNVAL)) {
				pair_close(p);
				continue;
			}
			/* A side that closed and has nothing left to give
			 * closes the pair, as the peer sees it. */
			if ((p->up.eof && p->up.len == 0) ||
			    (p->down.eof && p->down.len == 0))
				pair_close(p);
		}
	}
}
