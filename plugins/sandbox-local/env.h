/*
 * plugins/sandbox-local/env.h - an isolated sandbox's one environment:
 * bubblewrap with wsp-local-agent inside, started once and kept until
 * stop, so every command and background process of the sandbox shares
 * its network, /tmp, IPC and process table (docs/local-environment.md).
 *
 * Its files, in <state_dir>/env/ (0700):
 *   agent.sock  the agent's listening socket (bound here, handed in)
 *   holder      "PID START_TICKS BOOT_ID FINGERPRINT": the outer bwrap
 *               process, and what the environment was built from
 *   lock        serialises starting it between processes
 *   agent.log   what bwrap and the agent said (startup failures)
 *   cgroup      root with max_processes: the pids cgroup it runs in
 */
#ifndef WSP_SANDBOX_LOCAL_ENV_H
#define WSP_SANDBOX_LOCAL_ENV_H

#include "instance.h"

/*
 * A connection to the sandbox's agent, starting the environment first if
 * none runs. Fails when bwrap cannot start it, or when the running one
 * was built from other settings (network, paths): WSP_EBUSY saying to
 * stop the sandbox. A close-on-exec descriptor in *sock.
 */
int local_env_connect(struct local_sandbox *sb, int *sock, wsp_error *err);

/* True when an environment of this sandbox answers (nothing started). */
int local_env_running(const struct local_sandbox *sb);

/*
 * End the environment and everything in it (stop, destroy): the agent is
 * asked, and the holder killed if it lingers. 0 also when none ran.
 */
int local_env_stop(struct local_sandbox *sb, wsp_error *err);

/* The holder's pid (for pause), or 0 when no environment runs. */
pid_t local_env_holder(const struct local_sandbox *sb);

/*
 * A port of 127.0.0.1 on the host forwarded by the holder to port inside
 * (the environment started first if need be): previews of a sandbox
 * without network. 0 with *outer, or why not.
 */
int local_env_forward(struct local_sandbox *sb, uint32_t port,
		      uint32_t *outer, wsp_error *err);

/* "<state_dir>/env", malloc'ed, or NULL. */
char *local_env_dir(const struct local_sandbox *sb);

#endif /* WSP_SANDBOX_LOCAL_ENV_H */
