/*
 * tests/common/test_port.h - a loopback TCP port nobody listens on, for a
 * server a test starts itself. The kernel picks it from its ephemeral
 * range, so it is not a port another test (or an outgoing connection)
 * holds at that moment, which a random guess cannot promise.
 */
#ifndef WSP_TEST_PORT_H
#define WSP_TEST_PORT_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

/* A free port on 127.0.0.1, or -1 when no socket could be bound. */
static inline int test_free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(fd, (struct sockaddr *)&a, &al))
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

#endif
