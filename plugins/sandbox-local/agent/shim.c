/*
 * plugins/sandbox-local/agent/shim.c - one per command in the
 * environment: the command's parent and the subreaper of everything it
 * starts, so a descendant that left the command's process group or
 * session (setsid, a double fork) is still found and ended with the
 * command, as a PID namespace of its own used to end it. The agent has
 * one shim per RUN; the shim tells it, on the report pipe:
 *
 *   'S' pid           the command runs
 *   'E' errno         it could not be started
 *   'X' status cpu    it ended (not reaped: its group id stays reserved)
 *
 * and ends the command's group and every adopted leftover (SIGKILL),
 * reaps them and leaves when the agent closes the finish pipe: when the
 * command's caller is done with it (or gone).
 */
#include "agent.h"
#include "env_proto.h"
#include "sigreset.h"

#include <dirent.h>
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
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void set_limit(int which, uint64_t soft, uint64_t hard)
{
	struct rlimit rl;

	if (soft == UINT64_MAX && hard == UINT64_MAX)
		return;
	rl.rlim_cur = soft == UINT64_MAX ? RLIM_INFINITY : (rlim_t)soft;
	rl.rlim_max = hard == UINT64_MAX ? RLIM_INFINITY : (rlim_t)hard;
	setrlimit(which, &rl);
}

static void command(const struct env_run *run, const int fds[3], int fail)
{
	static const int which[ENV_LIMITS] = { RLIMIT_AS, RLIMIT_NPROC,
					       RLIMIT_CPU, RLIMIT_FSIZE };
	int i, e;

	setsid(); /* its own session and process group: pgid == pid */
	for (i = 0; i < 3; i++)
		if (dup2(fds[i], i) < 0)
			goto out;
	local_signals_default();
	for (i = 0; i < ENV_LIMITS; i++)
		set_limit(which[i], run->soft[i], run->hard[i]);
	if (chdir(run->cwd) < 0)
		goto out;
	/* Nothing of ours reaches the command (fail closes at exec). */
	syscall(SYS_close_range, 3u, ~0u, 4u /* CLOSE_RANGE_CLOEXEC */);
	execve(run->argv[0], run->argv, run->envp);
out:
	e = errno;
	(void)!write(fail, &e, sizeof(e));
	_exit(127);
}

/*
 * vfork: the command's start costs no copy of our pages. In a function of
 * its own, so nothing of the caller's frame lives across it.
 */
static __attribute__((noinline)) pid_t
start_command(const struct env_run *run, const int fds[3], int fail)
{
	pid_t pid = vfork();

	if (pid == 0)
		command(run, fds, fail);
	return pid;
}

static void say(int fd, char what, const void *data, size_t len)
{
	char msg[1 + ENV_EXIT_SIZE];

	msg[0] = what;
	memcpy(msg + 1, data, len);
	(void)!write(fd, msg, 1 + len); /* < PIPE_BUF: one piece */
}

/* Our children other than skip; SIGKILLed when kill is set. How many. */
static int children(pid_t skip, int kill_them)
{
	char path[64], buf[4096], *p, *end;
	int fd, count = 0;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children",
		 (int)getpid());
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	for (p = buf; *p; p = end) {
		long pid = strtol(p, &end, 10);

		if (end == p)
			break;
		if (pid <= 0 || pid == skip)
			continue;
		count++;
		if (kill_them)
			kill((pid_t)pid, SIGKILL);
		else
			waitpid((pid_t)pid, NULL, WNOHANG);
	}
	return count;
}

/* CPU time of the ended command and of the children it waited for. */
static uint64_t cpu_ms(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long t[4] = { 0, 0, 0, 0 };
	long tck = sysconf(_SC_CLK_TCK);
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0 || tck <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* comm may hold anything */
	/* After ')': state(3) ... utime(14) stime cutime cstime. */
	for (i = 0; i < 11 && p; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %llu %llu %llu %llu", &t[0], &t[1], &t[2],
			 &t[3]) != 4)
		return 0;
	return (t[0] + t[1] + t[2] + t[3]) * 1000ull / (unsigned long long)tck;
}

/* The command ended? Then say how, once. */
static int check_ended(pid_t cmd, int report)
{
	unsigned char buf[ENV_EXIT_SIZE];
	struct env_exit x;
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)cmd, &si, WEXITED | WNOHANG | WNOWAIT) < 0 ||
	    si.si_pid != cmd)
		return 0;
	x.status = si.si_code == CLD_EXITED
			   ? (si.si_status & 0xff) << 8
			   : (si.si_status & 0x7f) |
				     (si.si_code == CLD_DUMPED ? 0x80 : 0);
	x.cpu_ms = cpu_ms(cmd);
	env_exit_encode(&x, buf);
	say(report, 'X', buf, sizeof(buf));
	return 1;
}

/* The command's group and every leftover we adopted: SIGKILL, reaped. */
static void finish(pid_t cmd)
{
	struct timespec tick = { 0, 1000000L };
	int round;

	kill(-cmd, SIGKILL);
	kill(cmd, SIGKILL);
	for (round = 0; round < 5000; round++) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (!children(0, 1)) {
			if (waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD)
				return;
		}
		nanosleep(&tick, NULL);
	}
}

static int by_value(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/*
 * Close every descriptor but these: the agent's socket, the other
 * connections and the other commands' pipes are not ours to hold (a
 * command's output pipe held here would never see its end).
 */
static void close_all_but(int *keep, int n)
{
	unsigned from = 3;
	int i;

	qsort(keep, (size_t)n, sizeof(int), by_value);
	for (i = 0; i < n; i++) {
		if (keep[i] < 3 || (unsigned)keep[i] < from)
			continue;
		if ((unsigned)keep[i] > from)
			syscall(SYS_close_range, from, (unsigned)keep[i] - 1,
				0u);
		from = (unsigned)keep[i] + 1;
	}
	syscall(SYS_close_range, from, ~0u, 0u);
}

/* Run the command and look after it; never returns. */
static void run_command(const struct env_run *run, const int fds[3],
			int report, int finish_fd, int sig_fd)
{
	int fail[2], e = 0, ended = 0;
	unsigned char pid_le[4];
	ssize_t n;
	pid_t cmd;

	if (pipe2(fail, O_CLOEXEC) < 0) {
		e = errno;
		say(report, 'E', &e, sizeof(e));
		_exit(1);
	}
	cmd = start_command(run, fds, fail[1]);
	if (cmd < 0)
		e = errno;
	close(fail[1]);
	/* The command holds its stdio now; only it may keep them open. */
	close(fds[0]);
	close(fds[1]);
	close(fds[2]);
	if (cmd > 0) {
		do
			n = read(fail[0], &e, sizeof(e));
		while (n < 0 && errno == EINTR);
		if (n != (ssize_t)sizeof(e))
			e = 0;
	}
	close(fail[0]);
	if (e) {
		if (cmd > 0)
			waitpid(cmd, NULL, 0);
		say(report, 'E', &e, sizeof(e));
		_exit(1);
	}
	env_put32(pid_le, (uint32_t)cmd);
	say(report, 'S', pid_le, sizeof(pid_le));
	for (;;) {
		struct pollfd p[2] = { { sig_fd, POLLIN, 0 },
				       { finish_fd, POLLIN, 0 } };
		struct signalfd_siginfo si;

		if (!ended)
			ended = check_ended(cmd, report);
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		while (read(sig_fd, &si, sizeof(si)) > 0)
			;
		/* Leftovers that ended on their own: no zombies pile up. */
		children(cmd, 0);
		if (p[1].revents)
			break;
	}
	finish(cmd);
	_exit(0);
}

void agent_shim(int job, int report, int finish_fd)
{
	int keep[3] = { job, report, finish_fd }, e, sig_fd;
	struct env_frame f;
	struct env_run run;
	sigset_t set;

	/* Everything but the command's work is done before it comes. */
	close_all_but(keep, 3);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	/* The agent gone, the environment is ending: so do we. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	/* The agent's RUN frame, as the caller sent it, with its stdio. */
	if (env_recv(job, &f) < 0)
		_exit(0); /* not needed after all: the environment ends */
	close(job);
	e = sig_fd < 0 ? errno : f.nfds != 3 ? EPROTO
				 : -env_run_decode(&run, f.data, f.len);
	if (e) {
		say(report, 'E', &e, sizeof(e));
		_exit(1);
	}
	run_command(&run, f.fds, report, finish_fd, sig_fd);
}
