/*
 * freeport: print a TCP port on 127.0.0.1 that nothing listens on now,
 * for tests that start servers.  The kernel picks it (bind to port 0).
 */
#include <arpa/inet.h>
#include <err.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int
main(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		err(1, "socket");
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1)
		err(1, "bind");
	if (getsockname(fd, (struct sockaddr *)&sa, &len) == -1)
		err(1, "getsockname");
	printf("%d\n", ntohs(sa.sin_port));
	close(fd);
	return 0;
}
