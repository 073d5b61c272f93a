/*
 * plugins/sandbox-local/agent/proxy.c - `wsp-local-agent run ENV_DIR CWD
 * -- PROGRAM [ARG...]`: run PROGRAM in an isolated sandbox's environment
 * as if it ran here, for whoever started this process (the background
 * process monitor): PROGRAM gets this process's stdin, stdout and stderr,
 * its environment and its resource limits; the signals this process
 * receives go to PROGRAM's process group; when PROGRAM ends, this process
 * ends the same way (its exit code, or killed by its signal). If this
 * process is killed (SIGKILL cannot be relayed), the agent sees the
 * connection close and kills PROGRAM's group.
 */
#include "agent.h"
#include "env_client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

extern char **environ;

static void own_limits(struct env_run *run)
{
	static const int which[ENV_LIMITS] = { RLIMIT_AS, RLIMIT_NPROC,
					       RLIMIT_CPU, RLIMIT_FSIZE };
	struct rlimit rl;
	int i;

	for (i = 0; i < ENV_LIMITS; i++) {
		run->soft[i] = run->hard[i] = UINT64_MAX;
		if (getrlimit(which[i], &rl) < 0)
			continue;
		if (rl.rlim_cur != RLIM_INFINITY)
			run->soft[i] = (uint64_t)rl.rlim_cur;
		if (rl.rlim_max != RLIM_INFINITY)
			run->hard[i] = (uint64_t)rl.rlim_max;
	}
}

/* End like the command did. */
static int end_like(const struct env_exit *x)
{
	int sig = x->status & 0x7f;
	struct rlimit none = { 0, 0 };
	sigset_t set;

	if (!sig)
		return (x->status >> 8) & 0xff;
	/* No core file of ours for the command's crash. */
	setrlimit(RLIMIT_CORE, &none);
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	return 128 + sig; /* a signal that does not terminate */
}

/* Relay the signals we get until the command ends. */
static int relay(int sock, int sig_fd)
{
	struct env_exit x;
	int rc;

	for (;;) {
		struct pollfd p[2] = { { sock, POLLIN, 0 },
				       { sig_fd, POLLIN, 0 } };
		struct signalfd_siginfo si;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 126;
		}
		while (read(sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			env_client_signal(sock, (int)si.ssi_signo);
		if (!p[0].revents)
			continue;
		rc = env_client_exit(sock, &x);
		if (rc == 0)
			return end_like(&x);
		fprintf(stderr, "wsp-local-agent: %s\n",
			rc == -ECONNRESET ? "the sandbox's environment ended "
					    "(stopped) before the command"
					  : "unexpected answer from the agent");
		return 128 + SIGKILL;
	}
}

int agent_run(const char *env_dir, const char *cwd, char **argv)
{
	static const int fds[3] = { 0, 1, 2 };
	static const int own[] = { SIGCHLD, SIGSEGV, SIGBUS, SIGFPE, SIGILL,
				   SIGPIPE };
	struct env_run run;
	char why[ENV_ERROR_MAX];
	sigset_t set;
	int32_t pid;
	int dirfd, sock, sig_fd, rc, s;

	/* Everything that can be relayed is, but our own faults. */
	sigfillset(&set);
	for (s = 0; s < (int)(sizeof(own) / sizeof(own[0])); s++)
		sigdelset(&set, own[s]);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	dirfd = open(env_dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0 || sig_fd < 0) {
		fprintf(stderr, "wsp-local-agent: cannot open '%s': %s\n",
			env_dir, strerror(errno));
		return 126;
	}
	sock = env_connect_at(dirfd);
	close(dirfd);
	if (sock < 0) {
		fprintf(stderr, "wsp-local-agent: the sandbox's environment "
				"does not answer: %s\n", strerror(-sock));
		return 126;
	}
	memset(&run, 0, sizeof(run));
	own_limits(&run);
	run.cwd = cwd;
	run.argv = argv;
	run.envp = environ;
	rc = env_client_run(sock, &run, fds, &pid, why, sizeof(why));
	if (rc < 0) {
		fprintf(stderr, "wsp-local-agent: %s\n",
			why[0] ? why : strerror(-rc));
		return rc == -ENOENT ? 127 : 126;
	}
	/*
	 * The command holds stdin and stdout now: keep neither open here, so
	 * they close when it closes them. stderr stays for our own words.
	 */
	for (s = 0; s < 2; s++) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (null >= 0 && null != s) {
			dup2(null, s);
			close(null);
		}
	}
	return relay(sock, sig_fd);
}
