/*
 * tests/http/net_servers.h - real servers for the HTTP service's TLS,
 * HTTP/2, proxy and timeout tests: a throwaway CA and server certificate
 * made with the openssl CLI (make_certs.sh) in a temporary directory, and
 * net_servers.js (Node built-ins only) serving TLS with HTTP/2, plain
 * HTTP/1.1 and a forward proxy on 127.0.0.1.
 */
#ifndef WSP_TEST_NET_SERVERS_H
#define WSP_TEST_NET_SERVERS_H

#include <sys/types.h>

struct net_servers {
	pid_t pid;
	int stdin_fd; /* closing it stops the servers too */
	int tls_port, http_port, proxy_port;
	char *dir; /* ca.pem, other-ca.pem, server.pem, server.key */
};

/* Make the certificates and start the servers; 0 or -1 (said why). */
int net_servers_start(struct net_servers *s);

/* Stop the servers and remove the directory. */
void net_servers_stop(struct net_servers *s);

/*
 * A counter of the servers' /stats (see net_servers.js), fetched
 * directly, never through a proxy; -1 when it cannot be read.
 */
long net_servers_stat(const struct net_servers *s, const char *name);

/*
 * A socket listening on 127.0.0.1 whose accept queue is full, so a new
 * connection to *port hangs in its handshake; fds[0..n) are what fill it
 * (close them and it). Returns 0 or -1.
 */
int net_full_listener(int *port, int *fds, int cap, int *n);

#endif
