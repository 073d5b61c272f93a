/*
 * plugins/sandbox-e2b/keeper.h - the contract between the provider and
 * wsp-e2b-keeper, the host-side process that holds one sandbox's
 * background processes (issue 14).
 *
 * E2B's envd replays no output: whoever holds a process's Connect stream
 * is the only one that ever sees its output. So one keeper per sandbox,
 * a detached process installed beside the plugin, holds the streams on
 * the core's streaming engine and writes each process's output and exit
 * into the same log files the local sandbox's monitor writes
 * (plugins/shared/proclog), and any later wsp reads them:
 *
 *   <state dir>/e2b/<sandbox id>/          0700
 *       keeper.lock    the keeper's flock while it lives
 *       keeper.sock    its requests (a Unix socket, 0600)
 *       procs/<id>/log one process: rings, status, the keeper's flock
 *
 * Starting: the provider runs KEEPER_NAME DIR with descriptor
 * KEEPER_READY_FD (it reports "ok\n" or "error CODE TEXT\n") and
 * KEEPER_SPEC_FD (a JSON object: the sandbox's envd URL, id, access
 * token, user, envd version, request timeout). The token is a secret: it
 * travels only through that pipe, never argv, a file or a log. The api
 * key never reaches the keeper (envd does not want it).
 *
 * Requests: one JSON object per connection, answered by one (both a
 * line, at most KEEPER_MSG_MAX bytes); an answer with "code" is an error
 * (a wsp_errcode) with "message". Only the keeper's own user may talk to
 * it (SO_PEERCRED). Operations:
 *   {"op":"spawn","start":{Start request},"deadline_ms":N,
 *    "log_limit":N,"command":"..."}          -> {"id":"...","pid":N}
 *   {"op":"reattach"}    after a resume: streams envd dropped, again
 *   {"op":"stdin-closed","id":"..."}        the status says so
 *   {"op":"forget","id":"..."}              before a release removes it
 *   {"op":"end","why":"..."}  the sandbox stops or goes: its running
 *                         processes end as gone, the keeper exits
 * The keeper exits by itself once it holds no running process.
 */
#ifndef WSP_SANDBOX_E2B_KEEPER_H
#define WSP_SANDBOX_E2B_KEEPER_H

#include "e2b.h"

#define KEEPER_NAME "wsp-e2b-keeper"
/* where the provider finds it when it is not beside the module (tests
 * link the provider into their own executable) */
#define KEEPER_ENV "WSP_E2B_KEEPER"
#define KEEPER_READY_FD 3
#define KEEPER_SPEC_FD 4
#define KEEPER_LOCK "keeper.lock"
#define KEEPER_SOCK "keeper.sock"
#define KEEPER_PROCS "procs"
#define KEEPER_MSG_MAX (4u << 20)
/* a process id: "e2b-" SANDBOX "-" PID, and ".N" when PID came back */
#define KEEPER_ID_PREFIX "e2b-"

/* keeper_msg.c: one message each way, both sides */

/* Send j as one line on the socket fd: 0 or -errno. */
int e2b_msg_send(int fd, const cJSON *j);
/* Read one line (at most KEEPER_MSG_MAX) within timeout_ms (-1: none)
 * and parse it: 0, -ETIMEDOUT, -EPROTO, -ECONNRESET (closed first). */
int e2b_msg_recv(cJSON **out, int fd, int timeout_ms);

/* keeper_client.c: the provider's side */

/* "<state dir>/e2b/<sandbox>" into out; WSP_ETOOBIG, WSP_EINVAL. */
int e2b_keeper_dir(char *out, size_t cap, const struct e2b *e,
		   const char *sandbox);
/* The sandbox id a process id names into out (E2B_ID_MAX); 0 or -1. */
int e2b_proc_sandbox(char *out, const char *proc_id);
/*
 * Send req to the keeper of c's sandbox and take its answer (*ans, the
 * caller frees it; an error answer is already in err). With launch, a
 * keeper is started when none listens; without, WSP_ENOTFOUND then.
 */
int e2b_keeper_call(cJSON **ans, struct e2b *e, const struct e2b_conn *c,
		    const cJSON *req, int launch, const wsp_call *call,
		    wsp_error *err);
/* The same for sandbox id without a connection (never launches). */
int e2b_keeper_tell(cJSON **ans, struct e2b *e, const char *sandbox,
		    const cJSON *req, const wsp_call *call, wsp_error *err);

#endif
