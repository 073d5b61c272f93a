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
 *   - SIGTERM/SIGINT/SIGHUP: the environment is killed;
 *   - FORWARD requests on ENV_DIR/holder.sock: previews of a sandbox
 *     without network, forwarded into it (forward.c).
 * bwrap gets SIGKILL when the holder dies (PR_SET_PDEATHSIG; bwrap is not
 * set-uid, so it keeps it across exec), and takes its namespaces with
 * it: killing the holder ends the environment. libc only.
 */
#include "agent.h"
#include "env_proto.h"
#include "forward.h"
#include "sigreset.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/time.h>
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

/* One FORWARD request on the holder's socket, answered. */
static void control(int ctl_fd, struct fwd *f)
{
	struct timeval tv = { 5, 0 };
	struct env_frame fr;
	unsigned char port[4];
	uint32_t inner, outer;
	int c, rc;

	c = accept4(ctl_fd, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		return;
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (env_recv(c, &fr) == 0) {
		inner = fr.len == 4 ? env_get32((unsigned char *)fr.data) : 0;
		rc = fr.type != ENV_FORWARD || !inner || inner > 65535
			     ? -EINVAL
			     : fwd_port(f, inner, &outer);
		if (rc == 0) {
			env_put32(port, outer);
			env_send(c, ENV_PORT, port, sizeof(port), NULL, 0);
		} else {
			unsigned char e[4];

			env_put32(e, (uint32_t)-rc);
			env_send(c, ENV_ERROR, e, sizeof(e), NULL, 0);
		}
		env_frame_free(&fr);
	}
	close(c);
}

int agent_hold(const char *env_dir, char **bwrap_argv)
{
	extern char **environ;
	struct pollfd *p = NULL;
	size_t cap = 0;
	struct fwd *fw;
	int sig_fd, in_fd, status = 0, fd, dirfd, ctl_fd;
	pid_t bwrap;

	sig_fd = local_signals_watch(SFD_CLOEXEC);
	in_fd = inotify_init1(IN_CLOEXEC);
	if (sig_fd < 0 || in_fd < 0 ||
	    inotify_add_watch(in_fd, env_dir,
			      IN_DELETE | IN_MOVED_FROM | IN_DELETE_SELF |
				      IN_MOVE_SELF | IN_ONLYDIR) < 0) {
		fprintf(stderr, "wsp-local-agent: cannot watch '%s': %s\n",
			env_dir, strerror(errno));
		return 1;
	}
	dirfd = open(env_dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	ctl_fd = dirfd < 0 ? -1 : env_listen_at(dirfd, ENV_HOLD_NAME);
	fw = dirfd < 0 ? NULL : fwd_new(dirfd);
	if (ctl_fd < 0 || !fw) {
		fprintf(stderr, "wsp-local-agent: cannot serve previews in "
			"'%s'\n", env_dir);
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
		struct signalfd_siginfo si;
		size_t n;

		if (!p || cap < 3 + 2 * 1024 + 64) {
			cap = 3 + 2 * 1024 + 64;
			p = calloc(cap, sizeof(*p));
			if (!p)
				break;
		}
		p[0] = (struct pollfd){ sig_fd, POLLIN, 0 };
		p[1] = (struct pollfd){ in_fd, POLLIN, 0 };
		p[2] = (struct pollfd){ ctl_fd, POLLIN, 0 };
		n = 3 + fwd_pollfds(fw, p + 3, cap - 3);
		if (poll(p, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents && lost(in_fd))
			break;
		if (p[2].revents)
			control(ctl_fd, fw);
		fwd_handle(fw, p + 3, n - 3);
		if (!p[0].revents ||
		    read(sig_fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
			continue;
		if (si.ssi_signo != SIGCHLD)
			break;
		if (waitpid(bwrap, &status, WNOHANG) == bwrap) {
			unlinkat(dirfd, ENV_HOLD_NAME, 0);
			return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
		}
	}
	unlinkat(dirfd, ENV_HOLD_NAME, 0);
	kill(bwrap, SIGKILL);
	while (waitpid(bwrap, &status, 0) < 0 && errno == EINTR)
		;
	return 0;
}
