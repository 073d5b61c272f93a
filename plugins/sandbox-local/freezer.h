/*
 * plugins/sandbox-local/freezer.h - pause and resume of a local sandbox
 * with the cgroup freezer: cgroup v1's freezer hierarchy (freezer.state),
 * or cgroup v2's cgroup.freeze where there is no v1 freezer.
 *
 * What is frozen: every process below the monitors of the sandbox's
 * running background processes (the monitor is the subreaper of its
 * command, so whatever the command started, even after setsid or a double
 * fork, is its descendant). The monitors themselves stay awake: they keep
 * answering status and output reads and hold their logs. The cgroup,
 * "wsp-sb-<hash of the state directory>" below the caller's own cgroup,
 * exists only while the sandbox is paused: resume thaws it, moves its
 * processes back to the parent and removes it, and a failed pause does
 * the same, so no empty cgroup is left behind. libc only.
 */
#ifndef WSP_SANDBOX_LOCAL_FREEZER_H
#define WSP_SANDBOX_LOCAL_FREEZER_H

#include <stddef.h>
#include <sys/types.h>

/*
 * 0 when this process can make, fill and freeze a cgroup (a v1 freezer or
 * v2 hierarchy whose own cgroup directory it may write); else -1 with the
 * reason in why. What an unprivileged user gets: -1.
 */
int local_freezer_usable(char *why, size_t why_len);

/*
 * Freeze every descendant of the given monitor pids in the cgroup named
 * after key; its path goes to path (for resume). Processes forked while
 * it works are moved in too, until a scan finds none left out. 0, or
 * -errno with why (and nothing left frozen or made).
 */
int local_freezer_freeze(const char *key, const pid_t *monitors, size_t n,
			 char *path, size_t path_cap, char *why,
			 size_t why_len);

/*
 * Thaw the cgroup at path (as freeze returned it), move its processes back
 * to its parent and remove it. A path that no longer exists is done.
 * 0, or -errno with why.
 */
int local_freezer_thaw(const char *path, char *why, size_t why_len);

#endif /* WSP_SANDBOX_LOCAL_FREEZER_H */
