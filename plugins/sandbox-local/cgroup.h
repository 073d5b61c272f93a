/*
 * plugins/sandbox-local/cgroup.h - a pids cgroup per command, the process
 * limit for root. The kernel never enforces RLIMIT_NPROC for uid 0 (its
 * user_struct is exempt, also in a user namespace mapped to host uid 0),
 * so when root runs a command with `max_processes`, the command runs in a
 * cgroup of its own whose pids.max is that number: cgroup v1's pids
 * hierarchy, or a cgroup v2 where the pids controller can be enabled below
 * the caller's cgroup. Where neither is writable the command is refused,
 * never run without its limit. libc only: the monitor (monitor/) uses it
 * too.
 */
#ifndef WSP_SANDBOX_LOCAL_CGROUP_H
#define WSP_SANDBOX_LOCAL_CGROUP_H

#include <stddef.h>
#include <stdint.h>

/*
 * Why a command of root with max_processes is refused (printf format: the
 * reason local_cgroup_create() gave).
 */
#define LOCAL_CGROUP_REFUSED                                                \
	"option 'max_processes' needs a pids cgroup when root runs commands " \
	"(RLIMIT_NPROC does not bind root): %s; give wsp a writable one, "    \
	"run it as another user, or remove the option"

struct local_cgroup {
	int parent_fd; /* the directory it was made in, or -1 */
	int procs_fd;  /* its cgroup.procs, open for writing, or -1 */
	char name[48]; /* "wsp-<pid>-<n>" */
};

#define LOCAL_CGROUP_INIT { -1, -1, "" }

/* True when a process limit needs a cgroup: root with max_processes. */
int local_cgroup_needed(uint64_t max_processes);

/*
 * Make a cgroup below the caller's own pids cgroup with pids.max set to
 * max (tasks: processes and threads). 0, or -errno with a reason for
 * messages in why (why_len bytes).
 */
int local_cgroup_create(struct local_cgroup *cg, uint64_t max, char *why,
			size_t why_len);

/*
 * In a forked child, before exec: move the calling process in (it and
 * everything it starts count against pids.max). Async-signal-safe; 0, or
 * -1 with errno set.
 */
int local_cgroup_join(const struct local_cgroup *cg);

/*
 * SIGKILL every process still in the cgroup (descendants that left the
 * command's process group or session included) and remove it. Safe on a
 * cgroup never made.
 */
void local_cgroup_destroy(struct local_cgroup *cg);

/*
 * The directory of the caller's own cgroup: in the v1 hierarchy that has
 * controller ctrl ("freezer"), or in the v2 hierarchy when ctrl is NULL.
 * 0, or -1 when there is no such hierarchy or the path does not fit.
 */
int local_cgroup_own_dir(const char *ctrl, char *out, size_t cap);

/*
 * The cgroup's absolute path (its parent's real path, then its name), for
 * another process to find it again: 0, or -1 when it does not fit.
 */
int local_cgroup_path(const struct local_cgroup *cg, char *out, size_t cap);

/*
 * Find a cgroup made by local_cgroup_create() again from its path (read
 * from a file: checked to be a directory named wsp-* on a cgroup file
 * system), ready for local_cgroup_destroy() (it cannot be joined). 0 or
 * -errno.
 */
int local_cgroup_open_path(struct local_cgroup *cg, const char *path);

/* SIGKILL every process in it, leaving the cgroup in place. */
void local_cgroup_kill(const struct local_cgroup *cg);

#endif /* WSP_SANDBOX_LOCAL_CGROUP_H */
