/*
 * plugins/sandbox-local/watchdog.c - an unisolated command never outlives
 * the program that runs it (issue 13, item 4).
 *
 * Under bubblewrap, --die-with-parent and the PID namespace end the whole
 * command when the caller dies. Unisolated, nothing would: the command
 * runs in a session and process group of its own (so exec can signal all
 * of it), and a SIGKILL of `wsp exec`, which no handler sees, would leave
 * it running. A parent-death signal alone is not enough: it reaches the
 * direct child only, not what a shell started. So a small watchdog is
 * forked first, a child of ours in a session of its own (a kill of our
 * process group, a closed terminal, ^C do not reach it). It waits on a
 * socket only we hold: the command's process group, then a "done" byte
 * once exec has dealt with the command. End of file without it means we
 * died: it kills the group with SIGKILL and exits; its own parent (init
 * or a subreaper) reaps it.
 *
 * The group's number cannot name another group meanwhile: until exec
 * reaps the leader, or while the group has members after we died, Linux
 * keeps the number in use.
 */
#include "watchdog.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define WATCHDOG_DONE 'd'

/* Read exactly len bytes; 0, or -1 at end of file or on an error. */
static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* In the forked child: only async-signal-safe calls. */
static void watch(int fd)
{
	int64_t pgid;
	char done;

	setsid();
	if (dup2(fd, 0) < 0)
		_exit(1);
	/* Nothing of the caller's stays open here: not the output pipes
	 * exec drains, nor anything else it holds. */
	syscall(SYS_close_range, 1u, ~0u, 0u);
	if (read_all(0, &pgid, sizeof(pgid)) < 0 || pgid <= 1)
		_exit(0); /* never armed: no command to end */
	if (read_all(0, &done, 1) == 0 && done == WATCHDOG_DONE)
		_exit(0);
	kill(-(pid_t)pgid, SIGKILL);
	_exit(0);
}

int local_watchdog_start(struct local_watchdog *w)
{
	int sv[2], e;

	w->pid = -1;
	w->fd = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return errno;
	w->pid = fork();
	if (w->pid == 0)
		watch(sv[1]);
	e = errno;
	close(sv[1]);
	if (w->pid < 0) {
		close(sv[0]);
		return e;
	}
	w->fd = sv[0];
	return 0;
}

void local_watchdog_arm(struct local_watchdog *w, pid_t pgid)
{
	int64_t v = pgid;

	if (w->fd >= 0 &&
	    send(w->fd, &v, sizeof(v), MSG_NOSIGNAL) != (ssize_t)sizeof(v)) {
		/* It is gone: it can no longer act on a stale number. */
		close(w->fd);
		w->fd = -1;
	}
}

void local_watchdog_stop(struct local_watchdog *w)
{
	char done = WATCHDOG_DONE;

	if (w->fd >= 0) {
		if (send(w->fd, &done, 1, MSG_NOSIGNAL) < 0) {
			/* gone already: nothing to tell */
		}
		close(w->fd);
		w->fd = -1;
	}
	if (w->pid > 0)
		while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
			;
	w->pid = -1;
}
