/*
 * tcpfwd: forward TCP connections from 127.0.0.1:LISTEN to 127.0.0.1:TO,
 * so a test can make a real server unreachable (stop tcpfwd: connections
 * are refused) and reachable again (start it on the same port) without
 * restarting the server and losing its state.
 *
 *	tcpfwd LISTEN TO
 */
#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static struct sockaddr_in
loopback(int port)
{
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sa;
}

/* Copy both ways until either side closes. */
static void
relay(int a, int b)
{
	struct pollfd p[2] = { { a, POLLIN, 0 }, { b, POLLIN, 0 } };
	char buf[65536];
	ssize_t n;

	for (;;) {
		if (poll(p, 2, -1) == -1 && errno != EINTR)
			return;
		for (int i = 0; i < 2; i++) {
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if ((n = read(p[i].fd, buf, sizeof(buf))) <= 0)
				return;
			for (ssize_t o = 0, w; o < n; o += w)
				if ((w = write(p[1 - i].fd, buf + o,
				    (size_t)(n - o))) <= 0)
					return;
		}
	}
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in sa;
	int l, c, t, one = 1;

	if (argc != 3)
		errx(2, "usage: tcpfwd LISTEN TO");
	signal(SIGCHLD, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	if ((l = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		err(1, "socket");
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa = loopback(atoi(argv[1]));
	if (bind(l, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(l, 64) == -1)
		err(1, "listen 127.0.0.1:%s", argv[1]);
	for (;;) {
		if ((c = accept(l, NULL, NULL)) == -1)
			continue;
		if (fork() == 0) {
			/* A relay must not outlive a stopped tcpfwd. */
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			close(l);
			sa = loopback(atoi(argv[2]));
			if ((t = socket(AF_INET, SOCK_STREAM, 0)) != -1 &&
			    connect(t, (struct sockaddr *)&sa, sizeof(sa)) == 0)
				relay(c, t);
			_exit(0);
		}
		close(c);
	}
}
