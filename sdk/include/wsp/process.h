/*
 * wsp/process.h - embedding API for the sandbox's background processes.
 *
 * A background process keeps running after the call that started it,
 * and, with a provider that offers WSP_CAP_PROC_DETACHED (the local
 * sandbox), after the program that started it: any later program opening
 * the same workspace lists, reads, writes to and kills it by its id. Its
 * output is kept (bounded, newest kept) until it is released, even after
 * it exited. Option and status structs are those of the plugin ABI
 * (<wsp/sandbox.h>): set struct_size (use the _INIT macros); zero means
 * default everywhere.
 *
 * Every call takes a call context (wsp_call, <wsp/common.h>) right after
 * ws: a cancel token and a deadline for the call; NULL means neither. A
 * call already canceled or past its deadline fails with WSP_ECANCELED or
 * WSP_ETIMEDOUT before the provider sees it (spawn starts nothing).
 *
 *   wsp_spawn_opts o = WSP_SPAWN_OPTS_INIT;
 *   char id[WSP_PROC_ID_MAX];
 *   o.shell = "npm run dev";
 *   o.stdin_mode = WSP_STDIN_IGNORE;
 *   if (wsp_proc_spawn(id, ws, NULL, &o, &err) == 0)
 *           printf("started %s\n", id);
 *
 * Every call fails with WSP_ENOTSUP when the sandbox's provider has no
 * process manager (or not that optional slot), and with WSP_ENOTFOUND for
 * an unknown or released id.
 */
#ifndef WSP_PROCESS_H
#define WSP_PROCESS_H

#include <wsp/common.h>
#include <wsp/sandbox.h>
#include <wsp/workspace.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Start a background process (shell string or argv, cwd, env, stdin pipe
 * or ignore, optional timeout, per-stream log limit); its id, a short
 * printable string, is written to out_id. The call bounds the start only;
 * the process's own timeout is opts->timeout_ms.
 */
WSP_EXTERN int wsp_proc_spawn(char out_id[WSP_PROC_ID_MAX], wsp_workspace *ws,
			      const wsp_call *call,
			      const wsp_spawn_opts *opts, wsp_error *err);

/* Call cb for every process not yet released, oldest first. */
WSP_EXTERN int wsp_proc_list(wsp_workspace *ws, const wsp_call *call,
			     wsp_proc_fn cb, void *payload, wsp_error *err);

/* Where the process stands: running, exited (code), signaled, lost. */
WSP_EXTERN int wsp_proc_get_status(wsp_proc_status *out, wsp_workspace *ws,
				   const wsp_call *call, const char *id,
				   wsp_error *err);

/*
 * Send retained output to sink, each chunk tagged with its stream: all
 * of it, the last N lines or bytes of each stream, or what follows an
 * absolute offset (to follow a live process, pass the totals of the last
 * status as the next offset). opts->wait_ms first waits for the exit (a
 * wait that runs out still reads; the call's cancel or deadline ends it
 * with WSP_ECANCELED or WSP_ETIMEDOUT). out (may be NULL) receives the
 * status afterwards. opts NULL = everything of both streams. With
 * WSP_OUTPUT_FOLLOW in opts->flags it keeps sending output as it is
 * written until the process ends (sandbox.h); WSP_ENOTSUP when the
 * provider lacks WSP_CAP_PROC_FOLLOW.
 */
WSP_EXTERN int wsp_proc_read_output(wsp_proc_status *out, wsp_workspace *ws,
				    const wsp_call *call, const char *id,
				    const wsp_output_opts *opts,
				    wsp_output_fn sink, void *payload,
				    wsp_error *err);

/* Write to the process's stdin (spawned with WSP_STDIN_PIPE). */
WSP_EXTERN int wsp_proc_write_stdin(wsp_workspace *ws, const wsp_call *call,
				    const char *id, const void *data,
				    size_t len, wsp_error *err);

/* Close its stdin once what was written has been passed on. */
WSP_EXTERN int wsp_proc_close_stdin(wsp_workspace *ws, const wsp_call *call,
				    const char *id, wsp_error *err);

/* Send a signal (SIGTERM, SIGKILL, ...) to its whole process group. */
WSP_EXTERN int wsp_proc_signal(wsp_workspace *ws, const wsp_call *call,
			       const char *id, int signum, wsp_error *err);

/* Kill it if it still runs, then forget it and its output. */
WSP_EXTERN int wsp_proc_release(wsp_workspace *ws, const wsp_call *call,
				const char *id, wsp_error *err);

/*
 * Wait until it is no longer running: 0 with *out filled, WSP_ETIMEDOUT
 * after timeout_ms (-1 = no limit; the wait's own meaning), or earlier
 * WSP_ECANCELED / WSP_ETIMEDOUT through the call's cancel or deadline.
 */
WSP_EXTERN int wsp_proc_wait(wsp_proc_status *out, wsp_workspace *ws,
			     const wsp_call *call, const char *id,
			     int64_t timeout_ms, wsp_error *err);

/* "running", "exited", "signaled", "lost"; "unknown" otherwise. */
WSP_EXTERN const char *wsp_proc_state_name(uint32_t state);

#ifdef __cplusplus
}
#endif
#endif /* WSP_PROCESS_H */
