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
 * Open the directory of process id (O_DIRECTORY); WSP_ENOTFOUND for an
 * id that is malformed, unknown or released.
 */
int proc_open(int *out_dirfd, char **out_path, struct local_sandbox *sb,
	      const char *id, wsp_error *err);
/* Look at the process (lock first, then status, then the counters). */
void proc_observe(struct proc_view *v, int dirfd);
/* Copy a view into a caller's status struct (honouring struct_size). */
void proc_fill_status(wsp_proc_status *out, const struct proc_view *v);

/* Send a PROC_CTL_* line to the monitor; -ESRCH when it is gone. */
int proc_ctl(int dirfd, const char *line);
/*
 * Signal the group of a process whose monitor vanished, only when its
 * leader provably is the same process (boot id and start time); 1 if
 * signalled.
 */
int proc_kill_orphan(const struct proc_view *v, int sig);

/*
 * Wait until the process is no longer running (or its monitor gone when
 * until_gone), watching the directory with inotify. timeout_ms -1 waits
 * forever. 0, WSP_ETIMEDOUT or WSP_ECANCELED; v holds the last view.
 */
int proc_wait(struct proc_view *v, struct local_sandbox *sb, int dirfd,
	      const char *path, int until_gone, int64_t timeout_ms,
	      const wsp_cancel *cancel, wsp_error *err);

/* Remove a released process's directory (renamed first); 0 or -errno. */
int proc_remove(const char *root, const char *id);
/* Remove a directory and the files in it; 0 or -errno. */
int proc_remove_dir(const char *path);

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
