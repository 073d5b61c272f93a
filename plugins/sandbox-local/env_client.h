/*
 * plugins/sandbox-local/env_client.h - the host's side of a RUN
 * connection to the environment's agent (env_proto.h): start a command,
 * signal its group, learn how it ended. Used by foreground exec (exec.c)
 * and by `wsp-local-agent run`, through which background processes' monitors
 * start theirs. libc only.
 */
#ifndef WSP_SANDBOX_LOCAL_ENV_CLIENT_H
#define WSP_SANDBOX_LOCAL_ENV_CLIENT_H

#include "env_proto.h"

/*
 * Ask the agent on sock to run `run` with fds as its stdin, stdout and
 * stderr. 0 with *pid (in the sandbox's PID namespace); or -errno with the
 * agent's reason in why (its errno when it answered ERROR: ENOENT for a
 * missing program or cwd, ...).
 */
int env_client_run(int sock, const struct env_run *run, const int fds[3],
		   int32_t *pid, char *why, size_t why_len);

/*
 * Read how the command ended (blocking). 0 with *x; -ECONNRESET when the
 * environment ended first (stopped), or -EPROTO for anything else.
 */
int env_client_exit(int sock, struct env_exit *x);

/* Send sig to the command's process group; 0 or -errno. */
int env_client_signal(int sock, int sig);

#endif /* WSP_SANDBOX_LOCAL_ENV_CLIENT_H */
