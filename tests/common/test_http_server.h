/*
 * tests/common/test_http_server.h - what the tests' own HTTP servers
 * (tests/http/fault_server.c, tests/http-stream/stream_server.c) share:
 * reading a number from the target's query and a header's value, and
 * sending a whole buffer. Test input only (the servers run on 127.0.0.1
 * for one test).
 */
#ifndef WSP_TEST_HTTP_SERVER_H
#define WSP_TEST_HTTP_SERVER_H

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>

/* The number of name=N in the target's query, or def when absent. */
static inline long test_http_query_long(const char *target, const char *name,
					long def)
{
	const char *q = strchr(target, '?');
	size_t n = strlen(name);

	while (q) {
		q++;
		if (!strncmp(q, name, n) && q[n] == '=')
			return strtol(q + n + 1, NULL, 10);
		q = strchr(q, '&');
	}
	return def;
}

/* The value of header name (any case) in head, the request line and
 * headers with CRLFs, copied to out (cut to cap - 1 bytes); NULL when
 * there is no such header. */
static inline const char *test_http_header(const char *head, const char *name,
					   char *out, size_t cap)
{
	size_t n = strlen(name);

	for (const char *l = strstr(head, "\r\n"); l; l = strstr(l, "\r\n")) {
		l += 2;
		if (!strncasecmp(l, name, n) && l[n] == ':') {
			const char *v = l + n + 1;
			size_t vl;

			while (*v == ' ')
				v++;
			vl = strcspn(v, "\r\n");
			if (vl >= cap)
				vl = cap - 1;
			memcpy(out, v, vl);
			out[vl] = '\0';
			return out;
		}
	}
	return NULL;
}

/* All len bytes of buf to the socket (no SIGPIPE): 0, or -1 when the
 * peer went away. */
static inline int test_http_send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

#endif
