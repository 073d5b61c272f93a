/*
 * wsp/sandbox.h - the sandbox and process-manager interfaces.
 *
 * A sandbox instance (the provider's `self` from init) is one logical
 * sandbox, named by the `id:` of the configuration so a later process can
 * reconnect to it. Foreground commands run through sandbox->exec; background
 * processes go through the process manager (wsp_procmgr_vtable), which a
 * provider offers when it can keep processes running between calls.
 *
 * Commands are either a shell string (run with `sh -c`, as agents send
 * them) or an argv vector. The environment is a clean base (PATH, plus the
 * provider's configured variables, plus the call's own): the host's
 * environment is never inherited.
 *
 * Slot conventions as in <wsp/fs.h>: outputs first, self, inputs,
 * (callback, payload), err last. Slots may block and must be thread-safe.
 */
#ifndef WSP_SANDBOX_H
#define WSP_SANDBOX_H

#include <wsp/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Output stream numbers (callbacks and wsp_output_opts.streams bits). */
#define WSP_STDOUT 1u
#define WSP_STDERR 2u

/*
 * Streamed output: every byte of a stream reaches this callback in order,
 * even the bytes a bounded capture later drops. Return 0 to go on, or a
 * negative code to cancel the command.
 */
typedef int (*wsp_output_fn)(uint32_t stream, const void *data, size_t len,
			     void *payload);

/* Timeout values (milliseconds) in the option structs below. */
#define WSP_TIMEOUT_DEFAULT (-1) /* the provider's configured timeout */
#define WSP_TIMEOUT_NONE 0       /* run without a deadline */

/* wsp_exec_opts.flags */
#define WSP_EXEC_NO_CAPTURE (1u << 0) /* callbacks only, nothing retained */

typedef struct wsp_exec_opts {
	uint32_t struct_size;
	uint32_t flags;          /* WSP_EXEC_* */
	const char *shell;       /* run with sh -c; or NULL and argv */
	const char *const *argv; /* NULL-terminated, used when shell is NULL */
	const char *cwd;         /* NULL = working directory; relative to it */
	const char *const *env;  /* "KEY=VALUE", NULL-terminated, added */
	const void *stdin_data;  /* NULL = stdin at EOF at once */
	size_t stdin_len;
	int64_t timeout_ms;      /* WSP_TIMEOUT_DEFAULT, _NONE, or ms */
	uint64_t max_capture;    /* bytes kept per stream (newest); 0 = 1 MiB */
	wsp_output_fn on_output; /* may be NULL */
	void *payload;
	const wsp_cancel *cancel; /* NULL = none */
} wsp_exec_opts;

#define WSP_EXEC_OPTS_INIT                                               \
	{ sizeof(wsp_exec_opts), 0, NULL, NULL, NULL, NULL, NULL, 0,     \
	  WSP_TIMEOUT_DEFAULT, 0, NULL, NULL, NULL }

/* wsp_exec_result.flags */
#define WSP_EXEC_TIMED_OUT (1u << 0) /* deadline hit; exit_code is 124 */
#define WSP_EXEC_KILLED (1u << 1)    /* killed by us (timeout/cancel/limit) */
#define WSP_EXEC_CANCELED (1u << 2)  /* canceled through the token */
#define WSP_EXEC_LIMIT (1u << 3)     /* a resource limit stopped it */

/* wsp_exec_result.limit: which limit stopped the command */
enum wsp_limit {
	WSP_LIMIT_NONE = 0,
	WSP_LIMIT_MEMORY = 1,
	WSP_LIMIT_PROCESSES = 2,
	WSP_LIMIT_CPU = 3,
	WSP_LIMIT_FILE_SIZE = 4
};

/*
 * Result of a foreground command. The capture buffers are allocated with
 * host->alloc by the provider and released by the core
 * (wsp_exec_result_release in <wsp/exec.h>).
 */
typedef struct wsp_exec_result {
	uint32_t struct_size; /* set by the caller */
	uint32_t flags;       /* WSP_EXEC_TIMED_OUT, ... */
	int32_t exit_code;    /* 124 on timeout, 128+N if killed by signal N */
	int32_t term_signal;  /* signal that ended it, 0 if it exited */
	uint32_t limit;       /* wsp_limit */
	uint32_t reserved;
	uint64_t duration_ms;
	char *stdout_data; /* NUL-terminated, newest bytes kept */
	size_t stdout_len;
	uint64_t stdout_dropped; /* older bytes not kept */
	char *stderr_data;
	size_t stderr_len;
	uint64_t stderr_dropped;
} wsp_exec_result;

/* Sandbox lifecycle states (wsp_sandbox_vtable.status). */
enum wsp_sandbox_state {
	WSP_SANDBOX_UNKNOWN = 0,
	WSP_SANDBOX_ABSENT = 1, /* never created, or destroyed */
	WSP_SANDBOX_STARTING = 2,
	WSP_SANDBOX_RUNNING = 3,
	WSP_SANDBOX_STOPPED = 4,
	WSP_SANDBOX_PAUSED = 5,
	WSP_SANDBOX_ERROR = 6
};

/* start() outcomes */
#define WSP_START_CREATED 1u   /* a new sandbox was made */
#define WSP_START_CONNECTED 2u /* an existing one was reached (or resumed) */

/* destroy() flags */
#define WSP_DESTROY_FILES (1u << 0) /* also remove the workspace files */

typedef struct wsp_sandbox_vtable {
	uint32_t struct_size; /* sizeof(wsp_sandbox_vtable) in the provider */

	/* ABI 1.0, required */

	/* Run one command to completion (or timeout/cancel). */
	int (*exec)(wsp_exec_result *out, void *self, const wsp_exec_opts *opts,
		    wsp_error *err);

	/* ABI 1.0, optional (NULL: the sandbox is always there) */

	/* Create, or reconnect to, the sandbox named by the instance id. */
	int (*start)(uint32_t *out_outcome, void *self,
		     const wsp_cancel *cancel, wsp_error *err);
	/* Stop it (and its background processes); it can be started again. */
	int (*stop)(void *self, wsp_error *err);
	/* Stop and remove it and its state. */
	int (*destroy)(void *self, uint32_t flags, wsp_error *err);
	/* *out_state = wsp_sandbox_state. */
	int (*status)(uint32_t *out_state, void *self, wsp_error *err);
	/*
	 * Descriptive facts as key/value pairs, in a stable order: "id",
	 * "provider", "state", "cpus", "memory_bytes", "isolation",
	 * "working_dir", ... plus provider-specific keys.
	 */
	int (*info)(void *self, wsp_kv_fn cb, void *payload, wsp_error *err);
	/* Text for an agent's system prompt describing this sandbox. */
	int (*instructions)(void *self, wsp_sink_fn sink, void *payload,
			    wsp_error *err);

	/* ABI 1.1+: append new slots here, never above */
} wsp_sandbox_vtable;

/* ---- Process manager: background processes ---------------------------- */

#define WSP_PROC_ID_MAX 64 /* process ids are short printable strings */

/* wsp_spawn_opts.stdin_mode */
enum wsp_stdin_mode {
	WSP_STDIN_PIPE = 0,  /* writable through write_stdin/close_stdin */
	WSP_STDIN_IGNORE = 1 /* at EOF at once: readers of stdin never hang */
};

typedef struct wsp_spawn_opts {
	uint32_t struct_size;
	uint32_t stdin_mode;     /* wsp_stdin_mode */
	const char *shell;       /* as in wsp_exec_opts */
	const char *const *argv;
	const char *cwd;
	const char *const *env;
	int64_t timeout_ms;      /* WSP_TIMEOUT_NONE (default) or ms */
	uint64_t log_limit;      /* bytes kept per stream; 0 = provider default */
	uint32_t flags;          /* reserved, zero */
	uint32_t reserved;
} wsp_spawn_opts;

#define WSP_SPAWN_OPTS_INIT                                              \
	{ sizeof(wsp_spawn_opts), WSP_STDIN_PIPE, NULL, NULL, NULL, NULL, \
	  WSP_TIMEOUT_NONE, 0, 0, 0 }

/* wsp_proc_status.state */
enum wsp_proc_state {
	WSP_PROC_RUNNING = 1,
	WSP_PROC_EXITED = 2,   /* exit_code valid */
	WSP_PROC_SIGNALED = 3, /* term_signal valid */
	WSP_PROC_LOST = 4      /* its monitor vanished; outcome unknown */
};

typedef struct wsp_proc_status {
	uint32_t struct_size; /* set by the caller */
	uint32_t state;       /* wsp_proc_state */
	int32_t exit_code;
	int32_t term_signal;
	int64_t os_pid;     /* pid where it runs, -1 unknown */
	int64_t started_ms; /* ms since the epoch */
	int64_t ended_ms;   /* 0 while running */
	/* Bytes each stream has produced in all (= next read offset)... */
	uint64_t stdout_total;
	uint64_t stderr_total;
	/* ...and how many of the oldest are no longer kept. */
	uint64_t stdout_dropped;
	uint64_t stderr_dropped;
	uint32_t timed_out; /* its own timeout killed it */
	uint32_t stdin_open;
} wsp_proc_status;

/* One listed process; strings are valid only during the callback. */
typedef int (*wsp_proc_fn)(const char *id, const char *command,
			   const wsp_proc_status *status, void *payload);

/* wsp_output_opts: which part of the retained output to read. */
typedef struct wsp_output_opts {
	uint32_t struct_size;
	uint32_t streams;     /* WSP_STDOUT | WSP_STDERR bits; 0 = both */
	uint64_t offset;      /* read from this absolute offset per stream */
	uint32_t tail_lines;  /* > 0: only the last N lines of each stream */
	uint32_t reserved;
	uint64_t tail_bytes;  /* > 0: only the last N bytes of each stream */
	int64_t wait_ms;      /* wait for exit first: 0 no, -1 forever, or ms */
	const wsp_cancel *cancel;
} wsp_output_opts;

#define WSP_OUTPUT_OPTS_INIT \
	{ sizeof(wsp_output_opts), 0, 0, 0, 0, 0, 0, NULL }

typedef struct wsp_procmgr_vtable {
	uint32_t struct_size; /* sizeof(wsp_procmgr_vtable) in the provider */

	/* ABI 1.0, required */

	/* Start a background process; its id is written to out_id. */
	int (*spawn)(char out_id[WSP_PROC_ID_MAX], void *self,
		     const wsp_spawn_opts *opts, wsp_error *err);
	/* Every process not yet released, running or not. */
	int (*list)(void *self, wsp_proc_fn cb, void *payload, wsp_error *err);
	/* WSP_ENOTFOUND for an unknown or released id. */
	int (*status)(wsp_proc_status *out, void *self, const char *id,
		      wsp_error *err);
	/*
	 * Retained output (see wsp_output_opts), each chunk to sink tagged
	 * with its stream; out (may be NULL) receives the status afterwards.
	 */
	int (*read_output)(wsp_proc_status *out, void *self, const char *id,
			   const wsp_output_opts *opts, wsp_output_fn sink,
			   void *payload, wsp_error *err);
	/* Send a signal to the whole process group (SIGTERM, SIGKILL...). */
	int (*signal)(void *self, const char *id, int signum, wsp_error *err);
	/* Forget a process (killing it first if it still runs). */
	int (*release)(void *self, const char *id, wsp_error *err);

	/* ABI 1.0, optional */

	int (*write_stdin)(void *self, const char *id, const void *data,
			   size_t len, wsp_error *err);
	int (*close_stdin)(void *self, const char *id, wsp_error *err);
	/* Wait for exit: WSP_ETIMEDOUT when timeout_ms (-1 forever) passes. */
	int (*wait)(wsp_proc_status *out, void *self, const char *id,
		    int64_t timeout_ms, const wsp_cancel *cancel,
		    wsp_error *err);

	/* ABI 1.1+: append new slots here, never above */
} wsp_procmgr_vtable;

#ifdef __cplusplus
}
#endif
#endif /* WSP_SANDBOX_H */
