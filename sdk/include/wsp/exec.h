/*
 * wsp/exec.h - embedding API for the workspace's sandbox: run commands and
 * manage the sandbox's lifecycle.
 *
 * Every call reaches the sandbox configured for the workspace (loading its
 * provider on first use). Option and result structs are those of the
 * plugin ABI (<wsp/sandbox.h>): set struct_size (use the _INIT macros, or
 * `{ .struct_size = sizeof x }`: zero means default everywhere).
 *
 * Every call that reaches the provider takes a call context (wsp_call,
 * <wsp/common.h>) right after ws: a cancel token and a deadline for the
 * call; NULL means neither. A call already canceled or past its deadline
 * fails with WSP_ECANCELED or WSP_ETIMEDOUT before the provider sees it.
 *
 *   wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
 *   wsp_exec_result r = { sizeof(r) };
 *   o.shell = "make test";
 *   if (wsp_sandbox_exec(&r, ws, NULL, &o, &err) == 0) {
 *           printf("exit %d\n%s", r.exit_code, r.stdout_data);
 *           wsp_exec_result_release(ws, &r);
 *   }
 */
#ifndef WSP_EXEC_H
#define WSP_EXEC_H

#include <wsp/common.h>
#include <wsp/sandbox.h>
#include <wsp/workspace.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Foreground commands and lifecycle (core/exec/exec.c) ------------------- */

/*
 * Run one command to completion, timeout or cancel. Returns 0 once the
 * command ran, whatever its exit status; *out then holds its status and
 * captured output, which wsp_exec_result_release() frees. A command that
 * cannot start (unknown program, missing cwd, isolation unavailable)
 * fails with a negative code and no result.
 *
 * Unlike other long calls, an exec whose call is canceled while the
 * command runs still returns 0 with WSP_EXEC_CANCELED set (exit_code 130),
 * so the output so far is kept; the command's own timeout or the call's
 * deadline, whichever comes first, gives WSP_EXEC_TIMED_OUT and exit_code
 * 124. A call expired before the command starts fails with WSP_ECANCELED or
 * WSP_ETIMEDOUT and runs nothing. When opts->on_output returns a negative
 * code the command is stopped and exec returns that code.
 */
WSP_EXTERN int wsp_sandbox_exec(wsp_exec_result *out, wsp_workspace *ws,
				const wsp_call *call,
				const wsp_exec_opts *opts, wsp_error *err);

/* Free the capture buffers of a result (NULL-safe, idempotent). */
WSP_EXTERN void wsp_exec_result_release(wsp_workspace *ws,
					wsp_exec_result *res);

/*
 * The sandbox as configured, without loading or starting anything: its
 * `id:` (or the default one), NULL when the configuration has none (or ws
 * is NULL). Valid while ws is open. What a client building its own agent
 * tools asks first: whether there is a sandbox to offer commands in.
 * Since 0.5 (WSP_2.2).
 */
WSP_EXTERN const char *wsp_sandbox_id(const wsp_workspace *ws);
/*
 * 1 when a call through ws has already loaded and initialised the
 * sandbox's provider, so asking it something (wsp_sandbox_instructions,
 * wsp_sandbox_info) starts nothing new; 0 otherwise, and without a
 * sandbox. Since 0.5 (WSP_2.2).
 */
WSP_EXTERN int wsp_sandbox_loaded(wsp_workspace *ws);
/*
 * Create the sandbox, or reconnect to it by its configured id;
 * *out_outcome is WSP_START_CREATED or WSP_START_CONNECTED. A provider
 * without lifecycle is always there (WSP_START_CONNECTED).
 */
WSP_EXTERN int wsp_sandbox_start(uint32_t *out_outcome, wsp_workspace *ws,
				 const wsp_call *call, wsp_error *err);
/* Stop the sandbox and its background processes (it can start again). */
WSP_EXTERN int wsp_sandbox_stop(wsp_workspace *ws, const wsp_call *call,
				wsp_error *err);
/*
 * Stop it and remove its state; with WSP_DESTROY_FILES also its working
 * files.
 */
WSP_EXTERN int wsp_sandbox_destroy(wsp_workspace *ws, const wsp_call *call,
				   uint32_t flags, wsp_error *err);
/* *out_state = wsp_sandbox_state (WSP_SANDBOX_RUNNING when unknowable). */
WSP_EXTERN int wsp_sandbox_status(uint32_t *out_state, wsp_workspace *ws,
				  const wsp_call *call, wsp_error *err);
/*
 * Freeze the sandbox and its background processes / thaw them (status
 * then says "paused" / "running"). While paused, exec and spawn fail with
 * WSP_EBUSY. WSP_ENOTSUP when the provider cannot pause (no
 * WSP_CAP_SANDBOX_PAUSE: for the local sandbox, no writable cgroup
 * freezer). Since 0.3.
 */
WSP_EXTERN int wsp_sandbox_pause(wsp_workspace *ws, const wsp_call *call,
				 wsp_error *err);
WSP_EXTERN int wsp_sandbox_resume(wsp_workspace *ws, const wsp_call *call,
				  wsp_error *err);
/*
 * Stop the sandbox after idle_ms of inactivity (0: never); flags
 * WSP_SANDBOX_KEEPALIVE only marks it active now. WSP_ENOTSUP without
 * WSP_CAP_SANDBOX_TIMEOUT. Since 0.3.
 */
WSP_EXTERN int wsp_sandbox_set_timeout(wsp_workspace *ws,
				       const wsp_call *call, uint64_t idle_ms,
				       uint32_t flags, wsp_error *err);
/*
 * A URL reaching TCP port (1..65535) inside the sandbox, and the header
 * the request needs, if any (its value is a secret: do not log it).
 * out->struct_size must be set (the core copies back what fits).
 * WSP_ENOTSUP without WSP_CAP_SANDBOX_PREVIEW or when the sandbox has no
 * network the host reaches. Since 0.3.
 */
WSP_EXTERN int wsp_sandbox_preview(wsp_preview *out, wsp_workspace *ws,
				   const wsp_call *call, uint32_t port,
				   wsp_error *err);
/* "absent", "running", ... for a wsp_sandbox_state; "unknown" otherwise. */
WSP_EXTERN const char *wsp_sandbox_state_name(uint32_t state);
/*
 * Descriptive facts as key/value pairs in a stable order: "id",
 * "provider", "state", "cpus", "memory_bytes", "isolation", "working_dir",
 * then provider-specific keys. A provider without info gives id and
 * provider.
 */
WSP_EXTERN int wsp_sandbox_info(wsp_workspace *ws, const wsp_call *call,
				wsp_kv_fn cb, void *payload, wsp_error *err);
/* Text for an agent's system prompt describing the sandbox. */
WSP_EXTERN int wsp_sandbox_instructions(wsp_workspace *ws,
					const wsp_call *call,
					wsp_sink_fn sink, void *payload,
					wsp_error *err);

/*
 * Mount the store behind workspace path fs_path (its mount's provider
 * gives a mount source, <wsp/mount.h>) at sandbox_path inside the
 * sandbox: WSP_ENOTSUP when the filesystem offers no mount source or the
 * sandbox cannot mount (WSP_CAP_SANDBOX_MOUNT). flags:
 * WSP_MOUNT_READ_ONLY; a read_only mount is mounted read-only anyway. The
 * credentials reach only the sandbox provider and are wiped after.
 * Configured mounts with `sandbox_path:` are mounted by wsp_sandbox_start
 * (docs/configuration.md).
 */
WSP_EXTERN int wsp_sandbox_mount(wsp_workspace *ws, const wsp_call *call,
				 const char *fs_path,
				 const char *sandbox_path, uint32_t flags,
				 wsp_error *err);
/* Unmount what is mounted at sandbox_path (WSP_ENOTFOUND if nothing). */
WSP_EXTERN int wsp_sandbox_unmount(wsp_workspace *ws, const wsp_call *call,
				   const char *sandbox_path, uint32_t flags,
				   wsp_error *err);

/*
 * Override one option of the sandbox for this workspace handle, as if its
 * configuration said `name: value` (value read as YAML and checked against
 * the provider's schema like the file's): how a caller chooses a setting
 * for one run, as `wsp exec --isolation` does. The process environment
 * never changes a provider option. Call it before anything uses the
 * sandbox (core/workspace.c): afterwards it fails with WSP_EBUSY. An
 * option the provider does not have is WSP_ENOTFOUND, a bad value
 * WSP_ECONFIG. Since 0.2.
 */
WSP_EXTERN int wsp_sandbox_set_option(wsp_workspace *ws, const char *name,
				      const char *value, wsp_error *err);

/* ---- Background processes (core/exec/process.c) ----------------------------- */

#ifdef __cplusplus
}
#endif
#endif /* WSP_EXEC_H */
