/*
 * plugins/sandbox-local/env_client.c - start, signal and wait for a
 * command in the environment (env_client.h). What the agent answers is
 * read as untrusted: frames are bounded by env_recv, and every field is
 * checked before use.
 */
#include "env_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int env_client_run(int sock, const struct env_run *run, const int fds[3],
		   int32_t *pid, char *why, size_t why_len)
{
	struct env_frame f;
	size_t len;
	char *payload;
	int rc;

	why[0] = '\0';
	rc = env_run_encode(run, &payload, &len);
	if (rc < 0)
		return rc;
	rc = env_send(sock, ENV_RUN, payload, len, fds, 3);
	free(payload);
	if (rc < 0)
		return rc;
	rc = env_recv(sock, &f);
	if (rc < 0)
		return rc;
	if (f.type == ENV_STARTED && f.len == 4 && !f.nfds) {
		*pid = (int32_t)env_get32((unsigned char *)f.data);
		rc = *pid > 0 ? 0 : -EPROTO;
	} else if (f.type == ENV_ERROR && f.len >= 4 &&
		   f.len <= ENV_ERROR_MAX) {
		int e = (int)env_get32((unsigned char *)f.data);
		size_t i;

		/* The agent's text, printable bytes only, for messages. */
		for (i = 0; i + 4 < f.len && i + 1 < why_len; i++) {
			unsigned char ch = (unsigned char)f.data[4 + i];

			why[i] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
		}
		why[i] = '\0';
		rc = e > 0 && e < 4096 ? -e : -EPROTO;
	} else {
		rc = -EPROTO;
	}
	env_frame_free(&f);
	return rc;
}

int env_client_exit(int sock, struct env_exit *x)
{
	struct env_frame f;
	int rc = env_recv(sock, &f);

	if (rc < 0)
		return rc == -ECONNRESET ? rc : -EPROTO;
	rc = f.type == ENV_EXIT && !f.nfds
		     ? env_exit_decode(x, f.data, f.len)
		     : -EPROTO;
	env_frame_free(&f);
	return rc;
}

int env_client_signal(int sock, int sig)
{
	unsigned char v[4];

	env_put32(v, (uint32_t)sig);
	return env_send(sock, ENV_SIGNAL, v, sizeof(v), NULL, 0);
}
