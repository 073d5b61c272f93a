/*
 * tests/security/mcp_client.c - a strict MCP client on pipes (see
 * mcp_client.h).
 */
#include "mcp_client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "test_wait.h"

#ifndef WSP_CLI
#error "WSP_CLI must name the wsp binary"
#endif

int mcp_utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0, n, k;
	unsigned cp;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf)
			n = 2, cp = s[i] & 0x1f;
		else if (s[i] >= 0xe0 && s[i] <= 0xef)
			n = 3, cp = s[i] & 0x0f;
		else if (s[i] >= 0xf0 && s[i] <= 0xf4)
			n = 4, cp = s[i] & 0x07;
		else
			return 0;
		if (n > len - i)
			return 0;
		for (k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		i += n;
	}
	return 1;
}

int mcp_start(struct mcp *m, const char *cwd, const char *const *env)
{
	int in[2], out[2];
	size_t i;

	memset(m, 0, sizeof(*m));
	m->pid = -1;
	if (pipe2(in, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	m->pid = fork();
	if (m->pid == 0) {
		for (i = 0; env && env[i]; i++) {
			const char *eq = strchr(env[i], '=');

			if (eq) {
				char *k = strndup(env[i], (size_t)(eq - env[i]));

				setenv(k, eq + 1, 1);
			} else {
				unsetenv(env[i]);
			}
		}
		if ((cwd && chdir(cwd) < 0) || dup2(in[0], 0) < 0 ||
		    dup2(out[1], 1) < 0)
			_exit(126);
		execl(WSP_CLI, WSP_CLI, "mcp", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	m->to = in[1];
	m->from = out[0];
	if (m->pid < 0) {
		close(m->to);
		close(m->from);
		return -1;
	}
	/* A server that died must fail a write, not kill the test. */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* Read what is there (one read); 0 at the end of output or on error. */
static int fill(struct mcp *m)
{
	ssize_t n;

	if (m->eof)
		return 0;
	if (m->cap - m->len < 65536) {
		size_t cap = m->cap ? m->cap * 2 : 1 << 17;
		char *b = realloc(m->buf, cap);

		if (!b)
			return 0;
		m->buf = b;
		m->cap = cap;
	}
	do
		n = read(m->from, m->buf + m->len, m->cap - m->len - 1);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		m->eof = 1;
		return 0;
	}
	m->len += (size_t)n;
	return 1;
}

int mcp_send(struct mcp *m, const char *data, size_t len)
{
	char *line = malloc(len + 1);
	size_t off = 0;
	int rc = 0;

	if (!line)
		return -1;
	memcpy(line, data, len);
	line[len++] = '\n';
	while (off < len) {
		struct pollfd p[2] = { { m->to, POLLOUT, 0 },
				       { m->eof ? -1 : m->from, POLLIN, 0 } };
		ssize_t n;

		if (poll(p, 2, 30000) <= 0) {
			rc = -1;
			break;
		}
		if (p[1].revents)
			fill(m);
		if (!p[0].revents)
			continue;
		if (p[0].revents & (POLLERR | POLLHUP)) {
			rc = -1;
			break;
		}
		n = write(m->to, line + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = -1;
			break;
		}
		off += (size_t)n;
	}
	free(line);
	return rc;
}

/* Check one line the server wrote; the parsed object, or NULL (bad). */
static cJSON *check_line(struct mcp *m, const char *line, size_t n)
{
	const cJSON *v;
	cJSON *o = NULL;
	size_t i;
	int ok = mcp_utf8_valid((const unsigned char *)line, n);

	for (i = 0; ok && i < n; i++)
		if ((unsigned char)line[i] < 0x20)
			ok = 0; /* JSON escapes every control character */
	if (ok) {
		const char *end = NULL;

		/* cJSON stops at the value's end: the rest must be blank */
		o = cJSON_ParseWithLengthOpts(line, n, &end, 0);
		while (o && end < line + n && (*end == ' ' || *end == '\r'))
			end++;
		v = cJSON_GetObjectItemCaseSensitive(o, "jsonrpc");
		ok = cJSON_IsObject(o) && end == line + n &&
		     cJSON_IsString(v) && !strcmp(v->valuestring, "2.0");
	}
	m->lines++;
	if (!ok) {
		m->bad++;
		fprintf(stderr, "mcp: invalid line from the server (%zu bytes): "
				"%.300s\n", n, line);
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

cJSON *mcp_answer(struct mcp *m, const char *id, int ms)
{
	long end = test_now_ms() + ms;

	for (;;) {
		char *nl = m->len ? memchr(m->buf, '\n', m->len) : NULL;

		if (nl) {
			size_t n = (size_t)(nl - m->buf);
			cJSON *o = check_line(m, m->buf, n);
			const cJSON *oid =
				cJSON_GetObjectItemCaseSensitive(o, "id");
			char *got = oid && !cJSON_GetObjectItemCaseSensitive(
						   o, "method")
					    ? cJSON_PrintUnformatted(oid)
					    : NULL;
			int match = got && !strcmp(got, id);

			free(got);
			memmove(m->buf, nl + 1, m->len - n - 1);
			m->len -= n + 1;
			if (match)
				return o;
			cJSON_Delete(o);
			continue;
		}
		{
			struct pollfd p = { m->from, POLLIN, 0 };
			long left = end - test_now_ms();

			if (m->eof || left <= 0 || poll(&p, 1, (int)left) <= 0)
				return NULL;
			fill(m);
		}
	}
}

int mcp_code(const cJSON *answer)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(answer, "error");
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "code");

	if (!e)
		return 0;
	return cJSON_IsNumber(c) ? c->valueint : 1;
}

int mcp_initialize(struct mcp *m)
{
	static const char init[] =
		"{\"jsonrpc\":\"2.0\",\"id\":\"init\",\"method\":\"initialize\","
		"\"params\":{\"protocolVersion\":\"2025-06-18\","
		"\"capabilities\":{},\"clientInfo\":{\"name\":\"sec-test\","
		"\"version\":\"1\"}}}";
	static const char done[] =
		"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";
	cJSON *a;
	int rc;

	if (mcp_send(m, init, strlen(init)))
		return -1;
	a = mcp_answer(m, "\"init\"", 30000);
	rc = a && !mcp_code(a) ? 0 : -1;
	cJSON_Delete(a);
	return rc || mcp_send(m, done, strlen(done)) ? -1 : 0;
}

int mcp_stop(struct mcp *m)
{
	int st = 0;

	if (m->pid < 0)
		return -1;
	close(m->to);
	while (fill(m))
		;
	/* Whatever is left must be whole, valid lines too. */
	while (m->len) {
		char *nl = memchr(m->buf, '\n', m->len);
		size_t n = nl ? (size_t)(nl - m->buf) : m->len;

		cJSON_Delete(check_line(m, m->buf, n));
		if (!nl) {
			m->bad++; /* a last line with no newline */
			break;
		}
		memmove(m->buf, nl + 1, m->len - n - 1);
		m->len -= n + 1;
	}
	close(m->from);
	while (waitpid(m->pid, &st, 0) < 0 && errno == EINTR)
		;
	free(m->buf);
	m->buf = NULL;
	m->pid = -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
