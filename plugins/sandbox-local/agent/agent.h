/*
 * plugins/sandbox-local/agent/agent.h - the two roles of wsp-local-agent.
 *
 *   wsp-local-agent serve
 *       inside an isolated sandbox's environment: start its commands
 *       (serve.c)
 *   wsp-local-agent hold ENV_DIR BWRAP [ARG...]
 *       on the host: start bwrap (which runs `serve` inside) and keep
 *       it, ending it when the environment can no longer be reached
 *       (hold.c)
 *   wsp-local-agent run ENV_DIR CWD -- PROGRAM [ARG...]
 *       on the host: run PROGRAM in the environment whose socket is in
 *       ENV_DIR, as if it ran here (proxy.c); the background process
 *       monitor starts commands this way
 */
#ifndef WSP_LOCAL_AGENT_H
#define WSP_LOCAL_AGENT_H

int agent_serve(void);
/*
 * In the agent's forked child: be the shim of one command (shim.c). It
 * readies itself, then waits on `job` for the RUN frame (with the
 * command's stdio) the agent passes on when a caller asks; it starts the
 * command, reports on `report`, and ends it and its leftovers when
 * `finish` closes. Never returns.
 */
void agent_shim(int job, int report, int finish);
int agent_run(const char *env_dir, const char *cwd, char **argv);
int agent_hold(const char *env_dir, char **bwrap_argv);

#endif /* WSP_LOCAL_AGENT_H */
