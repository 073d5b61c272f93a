/*
 * plugins/sandbox-local/proc_client.h - the manager's side of the process
 * directories (proc_client.c: looking at one, talking to its monitor,
 * waiting; proc_launch.c: starting a monitor), used by procmgr.c.
 */
#ifndef WSP_SANDBOX_LOCAL_PROC_CLIENT_H
#define WSP_SANDBOX_LOCAL_PROC_CLIENT_H

#include "local.h"
#include "proc_files.h"
#include "proc_view.h"

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
