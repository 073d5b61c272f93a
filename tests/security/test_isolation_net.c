/*
 * tests/security/test_isolation_net.c - the network of a command under
 * `isolation: bwrap` with the default `allow_network: false`: servers of
 * the host on 127.0.0.1 (TCP, UDP), on a unix socket path and on an
 * abstract unix socket are out of reach, and netlink, packet and raw
 * sockets are refused (the seccomp filter; finding 1 of the security
 * review). Each check has a control run under `isolation: none` that
 * reaches the same servers, so a probe that fails for another reason
 * cannot pass for isolation. As root and as an unprivileged user.
 */
#include "cu_main.h"
#include "isolation_util.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static struct iso t, host;

/* The host's servers. */
static int tcp_fd = -1, udp_fd = -1, unix_fd = -1, abstract_fd = -1;
static char tcp_port[16], udp_port[16], unix_path[400], abstract_name[64];

static int inet_server(int type, char *port, size_t cap)
{
	struct sockaddr_in sa = { 0 };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 8) < 0) ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		return -1;
	snprintf(port, cap, "%d", ntohs(sa.sin_port));
	return fd;
}

static int unix_server(const char *name, int abstract)
{
	struct sockaddr_un sa = { 0 };
	size_t n = strlen(name);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			0);

	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path + (abstract ? 1 : 0), name, n);
	if (fd < 0 ||
	    bind(fd, (struct sockaddr *)&sa,
		 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
			     (abstract ? 1 : 0))) < 0 ||
	    listen(fd, 8) < 0)
		return -1;
	return fd;
}

static int suite_init(void)
{
	if (iso_setup(&t, "bwrap", NULL) || iso_setup(&host, "none", NULL))
		return 1;
	snprintf(unix_path, sizeof(unix_path), "%s/host.sock", t.dir);
	snprintf(abstract_name, sizeof(abstract_name), "wsp-iso-%d",
		 (int)getpid());
	tcp_fd = inet_server(SOCK_STREAM, tcp_port, sizeof(tcp_port));
	udp_fd = inet_server(SOCK_DGRAM, udp_port, sizeof(udp_port));
	unix_fd = unix_server(unix_path, 0);
	abstract_fd = unix_server(abstract_name, 1);
	return tcp_fd < 0 || udp_fd < 0 || unix_fd < 0 || abstract_fd < 0;
}

static int suite_clean(void)
{
	iso_teardown(&t);
	iso_teardown(&host);
	close(tcp_fd);
	close(udp_fd);
	close(unix_fd);
	close(abstract_fd);
	return 0;
}

/*
 * Whether a client reached the server since the last call: a connection
 * waiting (accepted and closed here) or a datagram (read here).
 */
static int reached(int fd, int datagram)
{
	struct pollfd p = { fd, POLLIN, 0 };
	char buf[16];
	int c;

	if (poll(&p, 1, 0) <= 0)
		return 0;
	if (datagram)
		return recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0;
	c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (c >= 0)
		close(c);
	return c >= 0;
}

static void test_tcp(void)
{
	CU_ASSERT_EQUAL_FATAL(iso_probe(&host, "tcp", tcp_port, NULL), 0);
	CU_ASSERT_STRING_EQUAL(iso_get(&host, "tcp"), "ok");
	CU_ASSERT(reached(tcp_fd, 0));

	CU_ASSERT_EQUAL_FATAL(iso_probe(&t, "tcp", tcp_port, NULL), 0);
	CU_ASSERT_STRING_EQUAL(iso_get(&t, "tcp"), "ECONNREFUSED");
	CU_ASSERT(!reached(tcp_fd, 0));
}

/* A datagram sent from the sandbox never arrives. */
static void test_udp(void)
{
	CU_ASSERT_EQUAL_FATAL(iso_probe(&host, "udp", udp_port, NULL), 0);
	CU_ASSERT_STRING_EQUAL(iso_get(&host, "udp"), "ok");
	CU_ASSERT(reached(udp_fd, 1));

	/* The send itself may work: the sandbox has a loopback of its own. */
	CU_ASSERT_EQUAL_FATAL(iso_probe(&t, "udp", udp_port, NULL), 0);
	CU_ASSERT_NOT_EQUAL(iso_get(&t, "udp")[0], '\0');
	CU_ASSERT(!reached(udp_fd, 1));
}

static void test_unix_path(void)
{
	CU_ASSERT_EQUAL_FATAL(iso_probe(&host, "unix", unix_path, NULL), 0);
	CU_ASSERT_STRING_EQUAL(iso_get(&host, "unix"), "ok");
	CU_ASSERT(reached(unix_fd, 0));

	CU_ASSERT_EQUAL_FATAL(iso_probe(&t, "unix", unix_path, NULL), 0);
	CU_ASSERT_STRING_EQUAL(iso_get(&t, "unix"), "ENOENT");
	CU_ASSERT(!reached(unix_fd, 0));
}

static void test_abstract(void)
{
	CU_ASSERT_EQUAL_FATAL(
		iso_probe(&host, "abstract", abstract_name, NULL), 0);
	CU_ASSERT_STRING_EQUAL(iso_get(&host, "abstract"), "ok");
	CU_ASSERT(reached(abstract_fd, 0));

	CU_ASSERT_EQUAL_FATAL(iso_probe(&t, "abstract", abstract_name, NULL),
			      0);
	CU_ASSERT_STRING_EQUAL(iso_get(&t, "abstract"), "ECONNREFUSED");
	CU_ASSERT(!reached(abstract_fd, 0));
}

static void test_socket_kinds(void)
{
	static const char *const refused[] = {
		"netlink_route", "netlink_dgram", "netlink_audit",
		"netlink_high_bits", "packet", "packet_dgram", "raw_icmp",
		"raw_nonblock", "raw_ipv6", NULL
	};
	int i;

	/* Unisolated, netlink is open to anyone: the filter refuses it. */
	CU_ASSERT_EQUAL_FATAL(iso_probe(&host, "sockets", NULL, NULL), 0);
	CU_ASSERT_STRING_EQUAL(iso_get(&host, "netlink_route"), "ok");
	CU_ASSERT_STRING_EQUAL(iso_get(&host, "netlink_high_bits"), "ok");

	CU_ASSERT_EQUAL_FATAL(iso_probe(&t, "sockets", NULL, NULL), 0);
	for (i = 0; refused[i]; i++) {
		const char *v = iso_get(&t, refused[i]);

		if (strcmp(v, "EPERM"))
			fprintf(stderr, "\n%s=%s (want EPERM)\n", refused[i],
				v);
		CU_ASSERT_STRING_EQUAL(v, "EPERM");
	}
	CU_ASSERT_STRING_EQUAL(iso_get(&t, "tcp"), "ok");
	CU_ASSERT_STRING_EQUAL(iso_get(&t, "unix"), "ok");
	CU_ASSERT_STRING_EQUAL(iso_get(&t, "socketpair_unix"), "ok");
}

static CU_TestInfo tests[] = {
	{ "a host TCP server on 127.0.0.1 is unreachable", test_tcp },
	{ "a host UDP server on 127.0.0.1 gets nothing", test_udp },
	{ "a host unix socket path is unreachable", test_unix_path },
	{ "a host abstract unix socket is unreachable", test_abstract },
	{ "netlink, packet and raw sockets are refused", test_socket_kinds },
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("security: network under bwrap", suite_init, suite_clean,
	      tests)
