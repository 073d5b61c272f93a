/*
 * tests/http-stream/stream_server.c - a local HTTP/1.1 server of long
 * chunked responses, run as its own process by the streaming engine's
 * tests and benchmark (so the engine's CPU and memory are measured apart
 * from the server's). One thread per connection, one request each.
 *
 * Prints its port on stdout, then serves 127.0.0.1 until killed.
 * Routes (query parameters):
 *   /chunks?n&size&gap   n chunks of size bytes, gap ms apart (0 = none)
 *   /trickle?n&gap       n chunks of one byte, gap ms before each
 *   /stall?bytes         one chunk of `bytes`, then silence until the
 *                        client goes
 *   /reset?bytes         one chunk of `bytes`, then a TCP reset
 *   /status?code         `code` with a JSON error body
 *   /echo                200: "<method> <X-Test header>\n" + request body
 *   /lines?n&cut&last    "line-<i>\n" n times, in chunks of cut bytes;
 *                        last=1 leaves the final "\n" out
 *   /envelopes?n&cut&end Connect envelopes "msg-<i>" n times, then the
 *                        end-of-stream one: end=0 none, 1 "{}" (default),
 *                        2 a not_found error; in chunks of cut bytes
 *   /stats               "peer_closed=<n>": responses the client left
 * Bodies are the pattern of stream_pattern.h, so a client checks order.
 * Chunked answers carry "X-Stream-Id: 7f3a-blue".
 */
#include "stream_pattern.h"
#include "test_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define HEAD_MAX 16384
#define BODY_MAX (1 << 20)

static atomic_int peer_closed;

static int send_str(int fd, const char *s)
{
	return test_http_send_all(fd, s, strlen(s));
}

/* One chunk of the pattern from offset `from`. */
static int send_chunk(int fd, size_t from, size_t len)
{
	char head[32];
	char *buf = malloc(len + 2);
	int rc;

	if (!buf)
		return -1;
	for (size_t i = 0; i < len; i++)
		buf[i] = stream_pattern_at(from + i);
	memcpy(buf + len, "\r\n", 2);
	snprintf(head, sizeof(head), "%zx\r\n", len);
	rc = send_str(fd, head);
	if (!rc)
		rc = test_http_send_all(fd, buf, len + 2);
	free(buf);
	return rc;
}

static void sleep_ms(long ms)
{
	if (ms > 0)
		usleep((useconds_t)ms * 1000);
}

static const char chunked_ok[] = "HTTP/1.1 200 OK\r\n"
				 "Content-Type: application/octet-stream\r\n"
				 "Transfer-Encoding: chunked\r\n"
				 "X-Stream-Id: 7f3a-blue\r\n"
				 "Connection: close\r\n\r\n";

static void serve_chunks(int fd, const char *target)
{
	long n = test_http_query_long(target, "n", 10),
	     size = test_http_query_long(target, "size", 100);
	long gap = test_http_query_long(target, "gap", 0);
	size_t off = 0;

	if (send_str(fd, chunked_ok))
		return;
	for (long i = 0; i < n; i++) {
		if (i)
			sleep_ms(gap);
		if (send_chunk(fd, off, (size_t)size)) {
			atomic_fetch_add(&peer_closed, 1);
			return;
		}
		off += (size_t)size;
	}
	send_str(fd, "0\r\n\r\n");
}

/* buf as chunks of cut bytes (frames cut anywhere), then the end. */
static void send_cut(int fd, const char *buf, size_t len, size_t cut)
{
	char head[32];

	if (!cut)
		cut = 1;
	if (send_str(fd, chunked_ok))
		return;
	for (size_t off = 0; off < len; off += cut) {
		size_t n = len - off < cut ? len - off : cut;

		snprintf(head, sizeof(head), "%zx\r\n", n);
		if (send_str(fd, head) ||
		    test_http_send_all(fd, buf + off, n) ||
		    send_str(fd, "\r\n"))
			return;
	}
	send_str(fd, "0\r\n\r\n");
}

static void serve_lines(int fd, const char *target)
{
	long n = test_http_query_long(target, "n", 10),
	     cut = test_http_query_long(target, "cut", 7);
	size_t len = 0, cap = (size_t)n * 24 + 1;
	char *buf = malloc(cap);

	if (!buf)
		return;
	for (long i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "line-%ld\n", i);
	if (len && test_http_query_long(target, "last", 0))
		len--;
	send_cut(fd, buf, len, (size_t)cut);
	free(buf);
}

static size_t put_envelope(char *out, int flags, const char *msg)
{
	size_t n = strlen(msg);

	out[0] = (char)flags;
	out[1] = (char)(n >> 24);
	out[2] = (char)(n >> 16);
	out[3] = (char)(n >> 8);
	out[4] = (char)n;
	memcpy(out + 5, msg, n);
	return n + 5;
}

static void serve_envelopes(int fd, const char *target)
{
	static const char *const ends[] = {
		NULL, "{}",
		"{\"error\":{\"code\":\"not_found\",\"message\":\"process "
		"4242 not found\"}}"
	};
	long n = test_http_query_long(target, "n", 10),
	     cut = test_http_query_long(target, "cut", 7);
	long end = test_http_query_long(target, "end", 1);
	size_t len = 0, cap = (size_t)n * 32 + 128;
	char *buf = malloc(cap), msg[32];

	if (!buf)
		return;
	for (long i = 0; i < n; i++) {
		snprintf(msg, sizeof(msg), "msg-%ld", i);
		len += put_envelope(buf + len, 0, msg);
	}
	if (end >= 1 && end <= 2)
		len += put_envelope(buf + len, 2, ends[end]);
	send_cut(fd, buf, len, (size_t)cut);
	free(buf);
}

static void serve_trickle(int fd, const char *target)
{
	long n = test_http_query_long(target, "n", 10),
	     gap = test_http_query_long(target, "gap", 100);

	if (send_str(fd, chunked_ok))
		return;
	for (long i = 0; i < n; i++) {
		sleep_ms(gap);
		if (send_chunk(fd, (size_t)i, 1)) {
			atomic_fetch_add(&peer_closed, 1);
			return;
		}
	}
	send_str(fd, "0\r\n\r\n");
}

static void serve_stall(int fd, const char *target)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char buf[256];

	if (send_str(fd, chunked_ok) ||
	    send_chunk(fd, 0,
		       (size_t)test_http_query_long(target, "bytes", 10)))
		return;
	/* Silence until the client closes (read returns 0 or fails). */
	while (poll(&p, 1, 120000) > 0 && recv(fd, buf, sizeof(buf), 0) > 0)
		;
	atomic_fetch_add(&peer_closed, 1);
}

static void serve_reset(int fd, const char *target)
{
	struct linger lg = {.l_onoff = 1, .l_linger = 0};

	if (send_str(fd, chunked_ok) ||
	    send_chunk(fd, 0,
		       (size_t)test_http_query_long(target, "bytes", 1000)))
		return;
	sleep_ms(50);
	/* close() with a zero linger sends RST instead of FIN */
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
}

static void serve_fixed(int fd, int code, const char *body, size_t len)
{
	char head[256];

	snprintf(head, sizeof(head),
		 "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
		 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
		 code, len);
	if (!send_str(fd, head))
		test_http_send_all(fd, body, len);
}

static void serve_echo(int fd, const char *method, const char *head,
		       const char *body, size_t body_len)
{
	char test[256] = "-", *out;
	int n;

	test_http_header(head, "X-Test", test, sizeof(test));
	n = asprintf(&out, "%s %s\n%.*s", method, test, (int)body_len, body);
	if (n >= 0) {
		serve_fixed(fd, 200, out, (size_t)n);
		free(out);
	}
}

static void *conn_main(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char *head = malloc(HEAD_MAX + 1), *body = NULL, *end = NULL;
	char method[16], target[1024], cl[32];
	size_t got = 0, body_len = 0, have;

	while (head && got < HEAD_MAX) {
		ssize_t n = recv(fd, head + got, HEAD_MAX - got, 0);

		if (n <= 0)
			goto out;
		got += (size_t)n;
		head[got] = '\0';
		end = strstr(head, "\r\n\r\n");
		if (end)
			break;
	}
	if (!end || sscanf(head, "%15s %1023s", method, target) != 2)
		goto out;
	if (test_http_header(head, "Content-Length", cl, sizeof(cl)))
		body_len = strtoul(cl, NULL, 10);
	if (body_len > BODY_MAX)
		goto out;
	body = malloc(body_len + 1);
	if (!body)
		goto out;
	have = got - (size_t)(end + 4 - head);
	if (have > body_len)
		have = body_len;
	memcpy(body, end + 4, have);
	while (have < body_len) {
		ssize_t n = recv(fd, body + have, body_len - have, 0);

		if (n <= 0)
			goto out;
		have += (size_t)n;
	}
	end[2] = '\0'; /* the head alone, for test_http_header() */
	if (!strncmp(target, "/chunks", 7))
		serve_chunks(fd, target);
	else if (!strncmp(target, "/lines", 6))
		serve_lines(fd, target);
	else if (!strncmp(target, "/envelopes", 10))
		serve_envelopes(fd, target);
	else if (!strncmp(target, "/trickle", 8))
		serve_trickle(fd, target);
	else if (!strncmp(target, "/stall", 6))
		serve_stall(fd, target);
	else if (!strncmp(target, "/reset", 6))
		serve_reset(fd, target);
	else if (!strncmp(target, "/status", 7)) {
		static const char err[] =
			"{\"message\":\"made-up failure for team-blue\","
			"\"code\":\"team-blue.failed\"}";
		int code = (int)test_http_query_long(target, "code", 500);
		char h[256];

		/* a 503 says when to come back, as busy services do */
		snprintf(h, sizeof(h),
			 "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
			 "%sContent-Length: %zu\r\nConnection: close\r\n\r\n",
			 code, code == 503 ? "Retry-After: 9\r\n" : "",
			 sizeof(err) - 1);
		if (!send_str(fd, h))
			test_http_send_all(fd, err, sizeof(err) - 1);
	} else if (!strncmp(target, "/echo", 5))
		serve_echo(fd, method, head, body, body_len);
	else if (!strncmp(target, "/stats", 6)) {
		char s[64];
		int n = snprintf(s, sizeof(s), "peer_closed=%d",
				 atomic_load(&peer_closed));

		serve_fixed(fd, 200, s, (size_t)n);
	} else
		serve_fixed(fd, 404, "{\"message\":\"no such route\"}", 27);
out:
	free(head);
	free(body);
	close(fd);
	return NULL;
}

int main(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t al = sizeof(a);
	pthread_attr_t attr;
	int lfd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	signal(SIGPIPE, SIG_IGN);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(lfd, 1024) || getsockname(lfd, (struct sockaddr *)&a, &al)) {
		perror("stream_server");
		return 1;
	}
	printf("%d\n", ntohs(a.sin_port));
	fflush(stdout);
	/* Hundreds of connections at once: small stacks. */
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 128 * 1024);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (;;) {
		int fd = accept(lfd, NULL, NULL);
		pthread_t t;

		if (fd < 0)
			continue;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (pthread_create(&t, &attr, conn_main, (void *)(intptr_t)fd))
			close(fd);
	}
}
