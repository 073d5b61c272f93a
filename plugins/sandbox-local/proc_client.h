/*
 * plugins/sandbox-local/proc_client.h - the manager's side of the process
 * directories (proc_client.c: looking at one, talking to its monitor,
 * waiting; proc_launch.c: starting a monitor), used by procmgr.c.
 */
#ifndef WSP_SANDBOX_LOCAL_PROC_CLIENT_H
#define WSP_SANDBOX_LOCAL_PROC_CLIENT_H

#include "local.h"
#include "proc_files.h"

/* What a manager sees of one background process. */
struct proc_view {
	struct proc_status_file file;
	int published;	/* its monitor made the log and started it */
	int alive;	/* its monitor holds the lock */
	int refused;	/* -errno when its log is refused (proc_refusal) */
	uint32_t state; /* enum wsp_proc_state */
	uint64_t total[2], dropped[2]; /* stdout, stderr */
	char command[PROC_COMMAND_MAX];
};

/* "<state dir>/procs", allocated; NULL on ENOMEM. */
char *proc_root(struct local_sandbox *sb);
/* "<root>/<name>", allocated; NULL on ENOMEM. */
char *proc_join(const char *a, const char *b);
/* mkdir -p with mode for the directories it makes; 0 or -errno. */
int proc_mkdirs(const char *path, mode_t mode);

/*
 * Open <state dir>/procs (made first when create), refusing it unless it
 * is a directory of the caller's (proc_openat); the descriptor or -errno.
 */
int proc_root_open(struct local_sandbox *sb, int create);
/* Set err for a failed proc_root_open() (rc its result). */
int proc_root_error(wsp_error *err, struct local_sandbox *sb, int rc);
/*
 * Open the directory of process id (a directory of the caller's, never
 * through a link); WSP_ENOTFOUND for an id that is malformed, unknown or
 * released, WSP_EPERM when refused.
 */
int proc_open(int *out_dirfd, char **out_path, struct local_sandbox *sb,
	      const char *id, wsp_error *err);
/* Set err for a part of process id refused with rc (proc_refusal). */
int proc_refuse(wsp_error *err, const char *id, const char *what, int rc);
/* Look at the process (lock first, then status, then the counters). */
void proc_observe(struct proc_view *v, int dirfd);
/* The same, through a log the caller holds open (proc_log_open). */
void proc_observe_log(struct proc_view *v, const struct proc_log *l);
/* Copy a view into a caller's status struct (honouring struct_size). */
void proc_fill_status(wsp_proc_status *out, const struct proc_view *v);

/*
 * Open a FIFO of the monitor for writing (non-blocking), only a FIFO of
 * the caller's; -ESRCH when no monitor reads it, a refusal, or -errno.
 */
int proc_open_fifo(int dirfd, const char *name);
/*
 * Send a PROC_CTL_* line to the monitor; -ESRCH when it is gone, a
 * refusal (proc_refusal) when ctl is not its FIFO.
 */
int proc_ctl(int dirfd, const char *line);
/*
 * Signal the group of a process whose monitor vanished, only when its
 * leader provably is the process the monitor started (the same boot,
 * start time, group and session it leads, our uid); 1 if signalled.
 */
int proc_kill_orphan(const struct proc_view *v, int sig);

/*
 * Wait until the process is no longer running (or its monitor gone when
 * until_gone), watching the directory with inotify. timeout_ms -1 waits
 * forever; the call (NULL: none) ends the wait earlier at its cancel or
 * deadline. 0, WSP_ETIMEDOUT or WSP_ECANCELED; v holds the last view.
 */
int proc_wait(struct proc_view *v, struct local_sandbox *sb, int dirfd,
	      const char *path, int until_gone, int64_t timeout_ms,
	      const wsp_call *call, wsp_error *err);

/* Bytes a reader of a process's output copies at a time. */
#define PROC_OUTPUT_CHUNK 65536

/*
 * proc_output.c: send one stream's part from offset (raised to the
 * oldest kept byte, cut to o's tail) to sink through buf
 * (PROC_OUTPUT_CHUNK bytes); *out_end is where it stopped, the next
 * offset, and *out_busy is set while an append is being published. 0,
 * or the sink's non-zero result.
 */
int proc_send_stream(uint64_t *out_end, int *out_busy, int dirfd,
		     uint32_t stream, uint64_t offset,
		     const wsp_output_opts *o, wsp_output_fn sink,
		     void *payload, char *buf);
/* The same from a log the caller holds open. */
int proc_send_log(uint64_t *out_end, int *out_busy, const struct proc_log *l,
		  uint32_t stream, uint64_t offset, const wsp_output_opts *o,
		  wsp_output_fn sink, void *payload, char *buf);
/* Set err for a read that sink stopped with rc; returns rc. */
int proc_sink_stopped(wsp_error *err, int rc, const char *id);
/*
 * WSP_OUTPUT_FOLLOW: send o's streams from o->offset / o->stderr_offset
 * as they are written until the process has ended (0), the call ends
 * (WSP_ECANCELED, WSP_ETIMEDOUT) or sink stops it; next[] receives the
 * offsets delivered up to, v the last view. Sleeps on inotify only.
 */
int proc_follow(struct proc_view *v, struct local_sandbox *sb, int dirfd,
		const char *path, const char *id, const wsp_output_opts *o,
		wsp_output_fn sink, void *payload, const wsp_call *call,
		char *buf, uint64_t next[2], wsp_error *err);

/*
 * Remove a released process's directory, open as dirfd, from the process
 * directory rootfd (renamed out of listings first); only when id still
 * names that directory. 0 or -errno.
 */
int proc_remove(int rootfd, int dirfd, const char *id);
/* Remove the directory name of rootfd and its files; 0 or -errno. */
int proc_remove_entry(int rootfd, const char *name);

/*
 * Write all of data to fd (made non-blocking by the caller), waiting as
 * the reader reads; after each second without progress idle(arg) may end
 * the write with its negative errno. SIGPIPE is held off in this thread
 * only, and one we caused is consumed: the caller's handlers never see
 * it. 0 or -errno (-EPIPE when the reader is gone).
 */
int proc_write_all(int fd, const void *data, size_t len, int (*idle)(void *arg),
		   void *arg);

/*
 * Start a monitor for the empty directory dir, hand it the spec and wait
 * for its report; on success *out_pid is the command's pid.
 */
int proc_launch(int64_t *out_pid, const char *dir, const struct proc_spec *spec,
		wsp_error *err);

#endif /* WSP_SANDBOX_LOCAL_PROC_CLIENT_H */
