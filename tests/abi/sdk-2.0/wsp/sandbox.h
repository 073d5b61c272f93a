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
 * Slot conventions as in <wsp/fs.h>: outputs first, self, the call
 * context, inputs, a flags word (in the options struct where there is
 * one), (callback, payload), err last. Slots may block and must be
 * thread-safe.
 *
 * The call context (wsp_call, <wsp/common.h>) is never NULL for a provider
 * and always full size: it carries the caller's cancel token and deadline.
 * The core refuses a call that has already expired before it reaches a
 * slot (no process is started for it); a slot that blocks watches it
 * (host->call_fd, host->call_remaining_ms) and returns WSP_ECANCELED or
 * WSP_ETIMEDOUT when it fires, except exec, which ends the command (see
 * wsp_exec_opts). Flags words hold only the flags defined for the slot;
 * the core passes zero where none are.
 *
 * What a provider sees: the core copies every options and result struct
 * the caller hands in into a zeroed struct of the core's (full) size, with
 * the defaults below applied, so a provider reads every member without
 * WSP_HAS_MEMBER and writes results into a full-size struct. Zero means
 * "default" in every options struct: `{ .struct_size = sizeof x }` is a
 * complete initialiser.
 */
#ifndef WSP_SANDBOX_H
#define WSP_SANDBOX_H

#include <wsp/common.h>
#include <wsp/mount.h>

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

/*
 * Timeouts (milliseconds) in the option structs below: 0 is the provider's
 * configured timeout, a positive value is that many ms, and "none" is a
 * flag (WSP_EXEC_NO_TIMEOUT, WSP_SPAWN_NO_TIMEOUT). A negative value is
 * refused (WSP_EINVAL). (In ABI 1.0 the default was -1 and 0 was "none".)
 */
#define WSP_TIMEOUT_DEFAULT 0

/* wsp_exec_opts.flags */
#define WSP_EXEC_NO_CAPTURE (1u << 0) /* callbacks only, nothing retained */
#define WSP_EXEC_NO_TIMEOUT (1u << 1) /* no timeout of its own */

/*
 * Options of a foreground command. The command ends at its own timeout or
 * at the call's deadline, whichever comes first, the same way either way
 * (WSP_EXEC_TIMED_OUT, exit_code 124); with WSP_EXEC_NO_TIMEOUT only the
 * call's deadline (if any) bounds it. A call canceled while the command
 * runs ends it with WSP_EXEC_CANCELED.
 *
 * What the provider sees: a full-size struct; flags hold only the
 * WSP_EXEC_* flags above (others are refused by the core); shell, or
 * argv with argv[0], is set; stdin_data is set when stdin_len is not 0;
 * timeout_ms >= 0 (0 = its configured timeout, unless
 * WSP_EXEC_NO_TIMEOUT); max_capture 0 = its configured capture size.
 */
typedef struct wsp_exec_opts {
	uint32_t struct_size;
	uint32_t flags;          /* WSP_EXEC_* */
	const char *shell;       /* run with sh -c; or NULL and argv */
	const char *const *argv; /* NULL-terminated, used when shell is NULL */
	const char *cwd;         /* NULL = working directory; relative to it */
	const char *const *env;  /* "KEY=VALUE", NULL-terminated, added */
	const void *stdin_data;  /* NULL = stdin at EOF at once */
	size_t stdin_len;
	int64_t timeout_ms;      /* 0 = configured (default 30 s local), ms */
	uint64_t max_capture;    /* bytes kept per stream (newest); 0 = 1 MiB */
	wsp_output_fn on_output; /* may be NULL */
	void *payload;
} wsp_exec_opts;

#define WSP_EXEC_OPTS_INIT \
	{ sizeof(wsp_exec_opts), 0, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, \
	  NULL, NULL }

/* wsp_exec_result.flags */
#define WSP_EXEC_TIMED_OUT (1u << 0) /* deadline hit; exit_code is 124 */
#define WSP_EXEC_KILLED (1u << 1)    /* killed by us (timeout/cancel/limit) */
#define WSP_EXEC_CANCELED (1u << 2)  /* the call's token fired; exit 130 */
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
 * (wsp_exec_result_release in <wsp/exec.h>). The provider gets a zeroed
 * full-size struct; the core copies back what the caller's has room for
 * (a caller's must reach stderr_dropped, so no buffer is lost).
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

/* destroy() flags (start, stop, status, info and instructions: none yet) */
#define WSP_DESTROY_FILES (1u << 0) /* also remove the workspace files */

/* set_timeout() flags (pause, resume and preview: none yet) */
#define WSP_SANDBOX_KEEPALIVE (1u << 0) /* only refresh activity; idle_ms
					   is ignored */

/*
 * What preview() gives: a URL that reaches a port inside the sandbox and,
 * when the request needs one, a header to send with it. The header's
 * value is a secret (a token): never logged, never put in an error, and
 * masked by the CLI unless asked for. Strings are NUL-terminated; the
 * provider fills a zeroed full-size struct and an empty header_name means
 * "no header needed". Since 2.0.
 */
#define WSP_PREVIEW_URL_MAX 2048
#define WSP_PREVIEW_HEADER_MAX 128
#define WSP_PREVIEW_VALUE_MAX 1024

typedef struct wsp_preview {
	uint32_t struct_size; /* set by the caller */
	uint32_t reserved;
	char url[WSP_PREVIEW_URL_MAX];
	char header_name[WSP_PREVIEW_HEADER_MAX];   /* "" = none */
	char header_value[WSP_PREVIEW_VALUE_MAX];   /* secret */
} wsp_preview;

typedef struct wsp_sandbox_vtable {
	uint32_t struct_size; /* sizeof(wsp_sandbox_vtable) in the provider */

	/* ABI 2.0, required */

	/*
	 * Run one command to completion, its timeout, the call's deadline or
	 * the call's cancel (flags in opts). 0 once the command ran, *out
	 * filled; a command that cannot start is a negative code.
	 */
	int (*exec)(wsp_exec_result *out, void *self, const wsp_call *call,
		    const wsp_exec_opts *opts, wsp_error *err);

	/* ABI 2.0, optional (NULL: the sandbox is always there) */

	/* Create, or reconnect to, the sandbox named by the instance id. */
	int (*start)(uint32_t *out_outcome, void *self, const wsp_call *call,
		     uint32_t flags, wsp_error *err);
	/* Stop it (and its background processes); it can be started again. */
	int (*stop)(void *self, const wsp_call *call, uint32_t flags,
		    wsp_error *err);
	/* Stop and remove it and its state (flags: WSP_DESTROY_*). */
	int (*destroy)(void *self, const wsp_call *call, uint32_t flags,
		       wsp_error *err);
	/* *out_state = wsp_sandbox_state. */
	int (*status)(uint32_t *out_state, void *self, const wsp_call *call,
		      uint32_t flags, wsp_error *err);
	/*
	 * Descriptive facts as key/value pairs, in a stable order: "id",
	 * "provider", "state", "cpus", "memory_bytes", "isolation",
	 * "working_dir", ... plus provider-specific keys.
	 */
	int (*info)(void *self, const wsp_call *call, uint32_t flags,
		    wsp_kv_fn cb, void *payload, wsp_error *err);
	/* Text for an agent's system prompt describing this sandbox. */
	int (*instructions)(void *self, const wsp_call *call, uint32_t flags,
			    wsp_sink_fn sink, void *payload, wsp_error *err);

	/*
	 * ABI 2.0, optional, each with a capability: the core answers
	 * WSP_ENOTSUP for a NULL slot, a vtable too short to hold it, or a
	 * descriptor without the capability, so a provider that cannot do
	 * it (here, now) leaves the capability out.
	 */

	/*
	 * Freeze the sandbox and its background processes, keeping their
	 * memory and files (WSP_CAP_SANDBOX_PAUSE); status then answers
	 * WSP_SANDBOX_PAUSED. Pausing a paused sandbox is not an error. While
	 * paused, commands and new processes are refused (WSP_EBUSY) until
	 * resume; stop and destroy still work.
	 */
	int (*pause)(void *self, const wsp_call *call, uint32_t flags,
		     wsp_error *err);
	/* Thaw what pause froze; a running sandbox is left as it is. */
	int (*resume)(void *self, const wsp_call *call, uint32_t flags,
		      wsp_error *err);
	/*
	 * Stop the sandbox once it has been idle for idle_ms (0: never), the
	 * limit counting from now (WSP_CAP_SANDBOX_TIMEOUT); with
	 * WSP_SANDBOX_KEEPALIVE only mark it active now.
	 */
	int (*set_timeout)(void *self, const wsp_call *call, uint64_t idle_ms,
			   uint32_t flags, wsp_error *err);
	/*
	 * How to reach a TCP port inside the sandbox from the host
	 * (WSP_CAP_SANDBOX_PREVIEW); port is 1..65535.
	 */
	int (*preview)(wsp_preview *out, void *self, const wsp_call *call,
		       uint32_t port, uint32_t flags, wsp_error *err);

	/*
	 * Mount an object store (src, <wsp/mount.h>) at path inside the
	 * sandbox (absolute, normalised), with WSP_CAP_SANDBOX_MOUNT: remote
	 * sandboxes run s3fs, gcsfuse or rclone inside, handing the
	 * credentials over in a file only that tool can read (0600), never
	 * in argv, the environment, a log line or an error. flags:
	 * WSP_MOUNT_READ_ONLY (also set in src->flags when the store must be
	 * read-only). Mounting the same source at a path that already holds
	 * it succeeds without change (the core mounts configured stores after
	 * each start, reconnections included); another mount there is
	 * WSP_EBUSY. A src->type it cannot mount is WSP_ENOTSUP. The core
	 * wipes src when the slot returns: copy what you keep, and wipe it.
	 */
	int (*mount)(void *self, const wsp_call *call,
		     const wsp_mount_source *src, const char *path,
		     uint32_t flags, wsp_error *err);
	/*
	 * Unmount what mount put at path, removing its credentials file;
	 * WSP_ENOTFOUND when nothing is mounted there. flags: 0.
	 */
	int (*unmount)(void *self, const wsp_call *call, const char *path,
		       uint32_t flags, wsp_error *err);

	/* ABI 2.1+: append new slots here, never above */
} wsp_sandbox_vtable;

/* ---- Process manager: background processes ---------------------------- */

#define WSP_PROC_ID_MAX 64 /* process ids are short printable strings */

/* wsp_spawn_opts.stdin_mode */
enum wsp_stdin_mode {
	WSP_STDIN_PIPE = 0,  /* writable through write_stdin/close_stdin */
	WSP_STDIN_IGNORE = 1 /* at EOF at once: readers of stdin never hang */
};

/* wsp_spawn_opts.flags */
#define WSP_SPAWN_NO_TIMEOUT (1u << 0) /* no timeout, whatever is set */

/*
 * Options of a background process. Its timeout is its own (the call only
 * bounds starting it): 0 = the provider's configured one, which is "none"
 * unless configured (the local sandbox has none), or ms.
 *
 * What the provider sees: a full-size struct; flags hold only the
 * WSP_SPAWN_* flags above; stdin_mode is a wsp_stdin_mode; shell, or argv
 * with argv[0], is set; timeout_ms >= 0; log_limit 0 = its default.
 */
typedef struct wsp_spawn_opts {
	uint32_t struct_size;
	uint32_t stdin_mode;     /* wsp_stdin_mode */
	const char *shell;       /* as in wsp_exec_opts */
	const char *const *argv;
	const char *cwd;
	const char *const *env;
	int64_t timeout_ms;      /* 0 = configured (default none), or ms */
	uint64_t log_limit;      /* bytes kept per stream; 0 = provider default */
	uint32_t flags;          /* WSP_SPAWN_* */
	uint32_t reserved;
} wsp_spawn_opts;

#define WSP_SPAWN_OPTS_INIT                                              \
	{ sizeof(wsp_spawn_opts), WSP_STDIN_PIPE, NULL, NULL, NULL, NULL, \
	  0, 0, 0, 0 }

/* wsp_proc_status.state */
enum wsp_proc_state {
	WSP_PROC_RUNNING = 1,
	WSP_PROC_EXITED = 2,   /* exit_code valid */
	WSP_PROC_SIGNALED = 3, /* term_signal valid */
	WSP_PROC_LOST = 4      /* its monitor vanished; outcome unknown */
};

/*
 * A process's status. The provider fills a zeroed full-size struct; the
 * core copies back what the caller's has room for (at least up to
 * term_signal).
 */
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

/*
 * wsp_output_opts: which part of the retained output to read. wait_ms is
 * the operation's own wait (for the exit, before reading); the call's
 * cancel or deadline ends that wait early with WSP_ECANCELED or
 * WSP_ETIMEDOUT (a wait_ms that runs out still reads).
 *
 * flags (since 0.3.0; zero: one read, as above):
 * - WSP_OUTPUT_FOLLOW: after what is retained, keep delivering output as
 *   it is written, until the process has ended and all of it was
 *   delivered (0; out holds the final status, whose totals are the next
 *   offsets). The call's cancel or deadline ends it earlier with
 *   WSP_ECANCELED or WSP_ETIMEDOUT, and a sink that returns non-zero ends
 *   it with that code; out still holds the totals delivered up to then,
 *   so a follower resumes from them with nothing lost or repeated
 *   (output that no longer fits the retained history is skipped, as the
 *   dropped counters say). wait_ms must be 0 with it. Only a provider
 *   with WSP_CAP_PROC_FOLLOW gets it, and follows without polling; for
 *   one without, the core answers WSP_ENOTSUP and a caller reads from
 *   the last totals again (with wait_ms, which returns at the exit).
 * - WSP_OUTPUT_STREAM_OFFSETS: offset is where stdout starts and
 *   stderr_offset where stderr does, so one call resumes both streams
 *   from their own totals; without it, offset applies to each stream.
 *
 * What the provider sees: a full-size struct (the core passes one when
 * the caller gives none); streams is never 0 (0 becomes both) and holds
 * only WSP_STDOUT and WSP_STDERR; wait_ms >= -1; flags holds only the
 * flags above, and without WSP_OUTPUT_STREAM_OFFSETS the core has copied
 * offset into stderr_offset, so a provider always reads stderr from
 * stderr_offset.
 */
#define WSP_OUTPUT_FOLLOW (1u << 0)
#define WSP_OUTPUT_STREAM_OFFSETS (1u << 1)

typedef struct wsp_output_opts {
	uint32_t struct_size;
	uint32_t streams;     /* WSP_STDOUT | WSP_STDERR bits; 0 = both */
	uint64_t offset;      /* read from this absolute offset per stream */
	uint32_t tail_lines;  /* > 0: only the last N lines of each stream */
	uint32_t flags;       /* WSP_OUTPUT_*; 0 = one read (since 0.3.0) */
	uint64_t tail_bytes;  /* > 0: only the last N bytes of each stream */
	int64_t wait_ms;      /* wait for exit first: 0 no, -1 forever, or ms */
	/* ABI 2.0, since 0.3.0 */
	uint64_t stderr_offset; /* with WSP_OUTPUT_STREAM_OFFSETS */
} wsp_output_opts;

#define WSP_OUTPUT_OPTS_INIT { sizeof(wsp_output_opts), 0, 0, 0, 0, 0, 0, 0 }

typedef struct wsp_procmgr_vtable {
	uint32_t struct_size; /* sizeof(wsp_procmgr_vtable) in the provider */

	/* ABI 2.0, required (flags: none defined yet, zero) */

	/* Start a background process; its id is written to out_id. */
	int (*spawn)(char out_id[WSP_PROC_ID_MAX], void *self,
		     const wsp_call *call, const wsp_spawn_opts *opts,
		     wsp_error *err);
	/* Every process not yet released, running or not. */
	int (*list)(void *self, const wsp_call *call, uint32_t flags,
		    wsp_proc_fn cb, void *payload, wsp_error *err);
	/* WSP_ENOTFOUND for an unknown or released id. */
	int (*status)(wsp_proc_status *out, void *self, const wsp_call *call,
		      const char *id, uint32_t flags, wsp_error *err);
	/*
	 * Retained output (see wsp_output_opts), each chunk to sink tagged
	 * with its stream; out (may be NULL) receives the status afterwards.
	 */
	int (*read_output)(wsp_proc_status *out, void *self,
			   const wsp_call *call, const char *id,
			   const wsp_output_opts *opts, wsp_output_fn sink,
			   void *payload, wsp_error *err);
	/* Send a signal to the whole process group (SIGTERM, SIGKILL...). */
	int (*signal)(void *self, const wsp_call *call, const char *id,
		      int signum, uint32_t flags, wsp_error *err);
	/* Forget a process (killing it first if it still runs). */
	int (*release)(void *self, const wsp_call *call, const char *id,
		       uint32_t flags, wsp_error *err);

	/* ABI 2.0, optional */

	int (*write_stdin)(void *self, const wsp_call *call, const char *id,
			   const void *data, size_t len, uint32_t flags,
			   wsp_error *err);
	int (*close_stdin)(void *self, const wsp_call *call, const char *id,
			   uint32_t flags, wsp_error *err);
	/*
	 * Wait for exit: WSP_ETIMEDOUT when timeout_ms (-1 forever) passes,
	 * the operation's own limit; the call's cancel or deadline ends the
	 * wait earlier with WSP_ECANCELED or WSP_ETIMEDOUT. out is filled
	 * with the last status seen either way.
	 */
	int (*wait)(wsp_proc_status *out, void *self, const wsp_call *call,
		    const char *id, int64_t timeout_ms, uint32_t flags,
		    wsp_error *err);

	/* ABI 2.1+: append new slots here, never above */
} wsp_procmgr_vtable;

#ifdef __cplusplus
}
#endif
#endif /* WSP_SANDBOX_H */
