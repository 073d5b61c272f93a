/*
 * plugins/sandbox-e2b/keeper_msg.c - one JSON line each way on the
 * keeper's socket (keeper.h), for the provider and the keeper alike.
 * Lines are bounded: neither side trusts the other's length.
 */
#include "keeper.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int e2b_msg_send(int fd, const cJSON *j)
{
	char *text = cJSON_PrintUnformatted(j);
	size_t len, off = 0;
	int rc = 0;

	if (!text)
		return -ENOMEM;
	len = strlen(text);
	text[len++] = '\n'; /* over the string's NUL: the line's end */
	while (off < len && !rc) {
		ssize_t n = send(fd, text + off, len - off, MSG_NOSIGNAL);

		if (n > 0)
			off += (size_t)n;
		else if (n < 0 && errno == EINTR)
			continue;
		else if (n < 0 && errno == EAGAIN)
			poll(&(struct pollfd){fd, POLLOUT, 0}, 1, 1000);
		else
			rc = n < 0 ? -errno : -EIO;
	}
	cJSON_free(text);
	return rc;
}

int e2b_msg_recv(cJSON **out, int fd, int timeout_ms)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap), *nl = NULL;
	int rc = 0;

	*out = NULL;
	if (!buf)
		return -ENOMEM;
	while (!nl && !rc) {
		struct pollfd p = {fd, POLLIN, 0};
		ssize_t n;

		if (len + 1 >= cap) {
			char *more = cap * 2 > KEEPER_MSG_MAX + 1
					     ? NULL
					     : realloc(buf, cap * 2);

			if (!more) {
				rc = -EPROTO; /* longer than any answer */
				break;
			}
			buf = more;
			cap *= 2;
		}
		if ((n = poll(&p, 1, timeout_ms)) == 0) {
			rc = -ETIMEDOUT;
			break;
		}
		n = n < 0 ? -1 : recv(fd, buf + len, cap - 1 - len, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			rc = n ? -errno : -ECONNRESET;
			break;
		}
		buf[len + (size_t)n] = '\0';
		nl = memchr(buf + len, '\n', (size_t)n);
		len += (size_t)n;
	}
	if (!rc) {
		*nl = '\0';
		*out = cJSON_ParseWithLength(buf, (size_t)(nl - buf));
		if (!cJSON_IsObject(*out)) {
			cJSON_Delete(*out);
			*out = NULL;
			rc = -EPROTO;
		}
	}
	free(buf);
	return rc;
}
