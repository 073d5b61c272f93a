/*
 * tests/http/net_servers.c - see net_servers.h.
 */
#include "net_servers.h"
#include "testutil.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define START_WAIT_MS 20000

static int make_certs(const char *dir)
{
	const char *argv[] = { "/bin/sh", WSP_TEST_HTTP_DIR "/make_certs.sh",
			       dir, NULL };
	char *out = NULL, *err = NULL;
	int rc = tu_run(argv, NULL, NULL, &out, &err);

	if (rc)
		fprintf(stderr, "make_certs.sh failed (%d): %s%s\n", rc,
			out ? out : "", err ? err : "");
	free(out);
	free(err);
	return rc ? -1 : 0;
}

/* The first line the servers print: their ports. */
static int read_ports(struct net_servers *s, int fd)
{
	char line[256];
	size_t len = 0;

	while (len + 1 < sizeof(line)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, START_WAIT_MS) <= 0)
			return -1;
		n = read(fd, line + len, sizeof(line) - 1 - len);
		if (n <= 0)
			return -1;
		len += (size_t)n;
		line[len] = '\0';
		if (strchr(line, '\n'))
			break;
	}
	if (sscanf(line, "{\"tls\":%d,\"http\":%d,\"proxy\":%d}", &s->tls_port,
		   &s->http_port, &s->proxy_port) != 3)
		return -1;
	return 0;
}

int net_servers_start(struct net_servers *s)
{
	char cert[4200], key[4200];
	int in[2], out[2];

	memset(s, 0, sizeof(*s));
	s->pid = -1;
	s->stdin_fd = -1;
	s->dir = tu_tmpdir();
	if (!s->dir || make_certs(s->dir))
		return -1;
	snprintf(cert, sizeof(cert), "%s/server.pem", s->dir);
	snprintf(key, sizeof(key), "%s/server.key", s->dir);
	if (pipe(in) || pipe(out))
		return -1;
	s->pid = fork();
	if (s->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execl(WSP_TEST_NODE, WSP_TEST_NODE,
		      WSP_TEST_HTTP_DIR "/net_servers.js", cert, key,
		      (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	s->stdin_fd = in[1];
	if (s->pid < 0 || read_ports(s, out[0])) {
		fprintf(stderr, "net_servers.js (%s) did not start\n",
			WSP_TEST_NODE);
		close(out[0]);
		return -1;
	}
	close(out[0]);
	return 0;
}

void net_servers_stop(struct net_servers *s)
{
	int status;

	if (s->stdin_fd >= 0)
		close(s->stdin_fd);
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		for (int i = 0; i < 100; i++) {
			if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
				s->pid = -1;
				break;
			}
			usleep(50000);
		}
		if (s->pid > 0) {
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &status, 0);
		}
	}
	tu_rmrf(s->dir);
	free(s->dir);
	memset(s, 0, sizeof(*s));
	s->pid = -1;
	s->stdin_fd = -1;
}

struct buf {
	char data[4096];
	size_t len;
};

static size_t to_buf(char *p, size_t size, size_t n, void *u)
{
	struct buf *b = u;
	size_t len = size * n;

	if (b->len + len >= sizeof(b->data))
		return 0;
	memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = '\0';
	return len;
}

long net_servers_stat(const struct net_servers *s, const char *name)
{
	struct buf b = { .len = 0 };
	char url[128], key[64];
	CURL *h = curl_easy_init();
	CURLcode rc;
	const char *at;

	if (!h)
		return -1;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/stats", s->http_port);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, to_buf);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	rc = curl_easy_perform(h);
	curl_easy_cleanup(h);
	if (rc != CURLE_OK)
		return -1;
	snprintf(key, sizeof(key), "\"%s\":", name);
	at = strstr(b.data, key);
	return at ? strtol(at + strlen(key), NULL, 10) : -1;
}

int net_full_listener(int *port, int *fds, int cap, int *n)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	*n = 0;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (l < 0 || bind(l, (struct sockaddr *)&a, len) || listen(l, 0) ||
	    getsockname(l, (struct sockaddr *)&a, &len))
		goto fail;
	fds[(*n)++] = l;
	*port = ntohs(a.sin_port);
	/* Connect until one stays in its handshake: the queue is full. */
	while (*n < cap) {
		int c = socket(AF_INET,
			       SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		struct pollfd p = { .fd = c, .events = POLLOUT };

		if (c < 0)
			goto fail;
		fds[(*n)++] = c;
		if (connect(c, (struct sockaddr *)&a, len) &&
		    errno != EINPROGRESS)
			goto fail;
		if (poll(&p, 1, 300) == 0)
			return 0;
	}
fail:
	while (*n > 0)
		close(fds[--(*n)]);
	return -1;
}
