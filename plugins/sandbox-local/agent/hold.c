/*
 * plugins/sandbox-local/agent/hold.c - `wsp-local-agent hold ENV_DIR
 * BWRAP [ARG...]`: the host side of an isolated sandbox's environment.
 *
 * Started detached by the provider (env.c) with the environment's
 * descriptors in place (the seccomp filter, the listening socket, the
 * agent's executable), it starts bubblewrap as its child with them and
 * closes its own copies, so only the environment holds the socket. Then
 * it watches:
 *   - bwrap ending (the agent left, or was told to): it leaves too;
 *   - ENV_DIR losing the socket (stop, destroy, the state directory
 *     removed): nobody can reach the environment again, so it is
 *     killed rather than left running for ever;
 *   - SIGTERM/SIGINT/SIGHUP: the environment is killed.
 * bwrap gets SIGKILL when the holder dies (PR_SET_PDEATHSIG; bwrap is not
 * set-uid, so it keeps it across exec), and takes its namespaces with
 * it: killing the holder ends the environment. libc only.
 */
#include "agent.h"
#include "env_proto.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

/* The socket (or its directory) is gone: no caller can come back. */
static int lost(int in_fd)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n = read(in_fd, buf, sizeof(buf));
	const char *p;

	for (p = buf; n > 0 && p < buf + n;) {
		const struct inotify_event *e = (const void *)p;

		if (e->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED))
			return 1;
		if (e->len && !strcmp(e->name, ENV_SOCK_NAME))
			return 1;
		p += sizeof(*e) + e->len;
	}
	return 0;
}

int agent_hold(const char *env_dir, char **bwrap_argv)
{
	extern char **environ;
	sigset_t set;
	int sig_fd, in_fd, status = 0, fd;
	pid_t bwrap;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sig_fd = signalfd(-1, &set, SFD_CLOEXEC);
	in_fd = inotify_init1(IN_CLOEXEC);
	if (sig_fd < 0 || in_fd < 0 ||
	    inotify_add_watch(in_fd, env_dir,
			      IN_DELETE | IN_MOVED_FROM | IN_DELETE_SELF |
				      IN_MOVE_SELF | IN_ONLYDIR) < 0) {
		fprintf(stderr, "wsp-local-agent: cannot watch '%s': %s\n",
			env_dir, strerror(errno));
		return 1;
	}
	bwrap = fork();
	if (bwrap < 0) {
		perror("wsp-local-agent: fork");
		return 1;
	}
	if (bwrap == 0) {
		sigset_t none;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execve(bwrap_argv[0], bwrap_argv, environ);
		fprintf(stderr, "wsp-local-agent: cannot run '%s': %s\n",
			bwrap_argv[0], strerror(errno));
		_exit(127);
	}
	/* Only the environment holds the socket and the agent now. */
	for (fd = 3; fd <= ENV_EXE_FD; fd++)
		close(fd);
	for (;;) {
		struct pollfd p[2] = { { sig_fd, POLLIN, 0 },
				       { in_fd, POLLIN, 0 } };
		struct signalfd_siginfo si;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents && lost(in_fd))
			break;
		if (!p[0].revents ||
		    read(sig_fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
			continue;
		if (si.ssi_signo != SIGCHLD)
			break;
		if (waitpid(bwrap, &status, WNOHANG) == bwrap)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
	}
	kill(bwrap, SIGKILL);
	while (waitpid(bwrap, &status, 0) < 0 && errno == EINTR)
		;
	return 0;
}
