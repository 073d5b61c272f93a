/*
 * plugins/sandbox-local/local.h - what the local sandbox's files share.
 *
 * sandbox.c   options, init/fini, lifecycle (start/stop/destroy/info/
 *             instructions), the descriptor (WSP_PLUGIN_DEFINE)
 * prepare.c   turning a command + cwd + env into what is executed:
 *             argv (wrapped in bubblewrap when isolated), a clean envp,
 *             the host cwd, and the resource limits
 * exec.c      foreground exec (pipes, capture, timeouts, process groups)
 * procmgr.c   background processes, through one monitor process each
 * monitor/    the monitor executable (wsp-local-monitor)
 * checkpoint.c  extension operations: checkpoint, restore, checkpoints
 */
#ifndef WSP_SANDBOX_LOCAL_H
#define WSP_SANDBOX_LOCAL_H

#include <wsp/plugin.h>

#include <stdint.h>
#include <sys/types.h>

/* Resource limits applied in the child before exec (0 = no limit). */
struct local_limits {
	uint64_t memory_bytes;  /* RLIMIT_AS */
	uint64_t max_processes; /* RLIMIT_NPROC; for root cgroup pids.max */
	uint64_t cpu_seconds;   /* RLIMIT_CPU */
	uint64_t file_size;     /* RLIMIT_FSIZE */
};

/* One sandbox instance (the provider's `self`). */
struct local_sandbox;

/* What a command turns into; every member heap-allocated. */
struct local_prepared {
	char **argv;  /* NULL-terminated; argv[0] is a path to execute on the
		       * host: the command, bwrap around it, or (via_env)
		       * `wsp-local-agent run` relaying it to the environment */
	char **cmd;   /* via_env: the command itself (argv[0] a path) */
	char **envp;  /* NULL-terminated clean environment */
	char *cwd;    /* directory to chdir to (the same path inside) */
	struct local_limits limits;
	int isolated; /* runs under bubblewrap */
	int via_env;  /* in the sandbox's kept environment (env.h) */
};

/*
 * Prepare a command (shell string, or argv when shell is NULL) with its
 * cwd (NULL = working directory; relative = under it) and extra env
 * ("K=V"). Fails with a clear message for a cwd outside what the sandbox
 * may see, or when isolation is required and bwrap is missing.
 */
int local_prepare(struct local_prepared *out, struct local_sandbox *sb,
		  const char *shell, const char *const *argv, const char *cwd,
		  const char *const *env, wsp_error *err);
void local_prepared_release(struct local_prepared *p);

/*
 * In a forked child, after setsid() and before exec: apply the limits.
 * Async-signal-safe.
 */
void local_apply_limits(const struct local_limits *limits);

/* s for an error message: control bytes as \xNN, cut to fit cap. */
void local_printable(char *dst, size_t cap, const char *s);

/* The sandbox's state directory ($XDG_STATE_HOME/wsp/sandboxes/<id>). */
const char *local_state_dir(const struct local_sandbox *sb);
/* The host table the instance was created with. */
const wsp_host *local_host(const struct local_sandbox *sb);
/* Configured grace between SIGTERM and SIGKILL, in ms. */
int64_t local_kill_grace_ms(const struct local_sandbox *sb);
/*
 * 0 while the call may go on; else its WSP_ECANCELED or WSP_ETIMEDOUT with
 * err saying what it stopped. Slots ask before they change anything, so
 * an expired call changes nothing (the core asks before them too).
 */
int local_call_check(const struct local_sandbox *sb, const wsp_call *call,
		     const char *what, wsp_error *err);

/* Background processes (procmgr.c). */
extern const wsp_procmgr_vtable local_procmgr_vtable;
/* Called by stop/destroy: kill every background process of the sandbox. */
int local_procs_kill_all(struct local_sandbox *sb, const wsp_call *call,
			 wsp_error *err);

/*
 * The pids of the monitors of the sandbox's running background processes
 * (*out allocated, freed by the caller), for pause.
 */
int local_procs_monitors(struct local_sandbox *sb, pid_t **out,
			 size_t *out_n, wsp_error *err);
/*
 * 0 unless the sandbox is paused; then WSP_EBUSY saying `what` waits for
 * resume (exec and spawn call it).
 */
int local_paused_check(struct local_sandbox *sb, const char *what,
		       wsp_error *err);

/*
 * exec and spawn on a stopped sandbox start it (logged at info: `wsp -v`
 * shows it), so its status says what is true: it runs commands again.
 * 0, or start's failure.
 */
int local_start_if_stopped(struct local_sandbox *sb, const wsp_call *call,
			   const char *what, wsp_error *err);

/*
 * The sandbox's kept environment runs (started now if need be), for a
 * command prepared with via_env; env.h says more. 0, or why it cannot.
 */
int local_env_ensure(struct local_sandbox *sb, wsp_error *err);

/* Extension operations (checkpoint.c), ended by WSP_EXT_END. */
extern const wsp_ext_op local_ext_ops[];

#endif /* WSP_SANDBOX_LOCAL_H */
