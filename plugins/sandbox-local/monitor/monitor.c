/*
 * plugins/sandbox-local/monitor/monitor.c - wsp-local-monitor: keeps one
 * background process of the local sandbox, so it outlives whoever
 * started it (the pattern of Podman's conmon).
 *
 *   wsp-local-monitor PROC_DIR
 *     descriptor 3: the readiness pipe; descriptor 4: the spec pipe
 *
 * It forks once and lets the first process exit, so the starter reaps it
 * at once and the monitor is nobody's child; it then reads the spec,
 * creates the log in PROC_DIR and locks it, starts the command in its own
 * session and process group, and reports "ok PID" or "error ERRNO TEXT"
 * on descriptor 3. From then on it copies the command's output into the
 * bounded logs, relays the stdin FIFO, obeys the ctl FIFO, enforces the
 * timeout and records the exit status; it leaves once the command has
 * exited and its output pipes are closed (or on release).
 *
 * It is the subreaper of what the command starts, so a descendant that
 * leaves the command's process group or session (setsid, a double fork)
 * becomes its child when its parent dies; when the command is killed,
 * released, or has ended, such leftovers are killed too, as bubblewrap's
 * PID namespace kills them under isolation. When root runs it with a
 * process limit, the command runs in a pids cgroup of its own (cgroup.h),
 * which also finds every leftover.
 *
 * The file layout is in ../proc_files.h. Only libc is used, so starting
 * a thousand of these stays cheap.
 */
#include "cgroup.h"
#include "proc_files.h"
#include "seccomp.h"
#include "sigreset.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE 65536
/* After release, wait at most this long for the group to die. */
#define RELEASE_LINGER_MS 2000

struct monitor {
	int dirfd, ready_fd, spec_fd;
	struct proc_spec spec;
	struct proc_status_file st;
	struct proc_log log;
	int out_fd, err_fd;  /* read ends of the command's stdout/stderr */
	int in_fd;	     /* write end of the command's stdin, or -1 */
	int fifo_fd, ctl_fd; /* our FIFOs (opened O_RDWR), or -1 */
	int sig_fd;
	pid_t pid;  /* the command; its process group id too */
	int reaped; /* the command's exit was collected */
	int close_stdin_asked;
	int released;
	int64_t deadline;      /* monotonic ms of the timeout, or 0 */
	int64_t kill_at;       /* monotonic ms to send SIGKILL, or 0 */
	int64_t linger_until;  /* monotonic ms to give up after release */
	char in_buf[BUF_SIZE]; /* stdin bytes read from the FIFO, not yet */
	size_t in_len, in_off; /* written to the command */
	char ctl_buf[512];
	size_t ctl_len;
	struct local_cgroup cg; /* root's process limit, or none */
};

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void report(struct monitor *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void report(struct monitor *m, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	if (m->ready_fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		(void)!write(m->ready_fd, line,
			     (size_t)n < sizeof(line) ? (size_t)n
						      : sizeof(line) - 1);
	close(m->ready_fd);
	m->ready_fd = -1;
}

static void save_status(struct monitor *m)
{
	proc_log_publish(&m->log, &m->st);
}

/* ---- the child ---------------------------------------------------------- */

/* As the foreground exec does (limits.c): hard = soft + extra. */
static void set_limit(int resource, uint64_t value, uint64_t extra)
{
	struct rlimit rl;

	if (!value)
		return;
	rl.rlim_cur = (rlim_t)value;
	rl.rlim_max = (rlim_t)(value + extra);
	setrlimit(resource, &rl);
}

/* execve, searching the spec's PATH when argv[0] has no slash. */
static void exec_command(const struct proc_spec *spec)
{
	const char *path = "/usr/local/bin:/usr/bin:/bin", *p;
	char full[PATH_MAX];
	char *const *e;
	int saved = ENOENT;

	if (strchr(spec->argv[0], '/')) {
		execve(spec->argv[0], spec->argv, spec->envp);
		return;
	}
	for (e = spec->envp; *e; e++)
		if (!strncmp(*e, "PATH=", 5))
			path = *e + 5;
	for (p = path;; p++) {
		const char *end = strchrnul(p, ':');
		int n = (int)(end - p);

		if (snprintf(full, sizeof(full), "%.*s/%s", n ? n : 1,
			     n ? p : ".", spec->argv[0]) < (int)sizeof(full)) {
			execve(full, spec->argv, spec->envp);
			if (errno != ENOENT && errno != ENOTDIR)
				saved = errno;
		}
		if (!*end)
			break;
		p = end;
	}
	errno = saved;
}

static void child(struct monitor *m, int in_rd, int out_wr, int err_wr,
		  int fail_wr, int filter)
{
	int e;

	local_signals_default();
	setsid(); /* own session and process group: pgid == pid */
	if (dup2(in_rd, 0) < 0 || dup2(out_wr, 1) < 0 || dup2(err_wr, 2) < 0)
		goto fail;
	if (m->cg.procs_fd >= 0 && local_cgroup_join(&m->cg) < 0)
		goto fail;
	/* bwrap reads its seccomp filter there; keep the report pipe. */
	if (filter >= 0 && fail_wr == LOCAL_SECCOMP_FD)
		fail_wr = fcntl(fail_wr, F_DUPFD_CLOEXEC, LOCAL_SECCOMP_FD + 1);
	if (filter >= 0 && local_seccomp_pass(filter) < 0)
		goto fail;
	set_limit(RLIMIT_AS, m->spec.limit_as, 0);
	set_limit(RLIMIT_NPROC, m->spec.limit_nproc, 0);
	/* SIGXCPU first (catchable), SIGKILL a second later. */
	set_limit(RLIMIT_CPU, m->spec.limit_cpu, 1);
	set_limit(RLIMIT_FSIZE, m->spec.limit_fsize, 0);
	if (chdir(m->spec.cwd) < 0)
		goto fail;
	exec_command(&m->spec);
fail:
	e = errno;
	(void)!write(fail_wr, &e, sizeof(e));
	_exit(127);
}

/* ---- setup -------------------------------------------------------------- */

static int make_fifo(int dirfd, const char *name)
{
	int fd;

	if (mkfifoat(dirfd, name, 0600) < 0)
		return -1;
	/* O_RDWR: opening never blocks, and writers coming and going
	 * never make us see end of file. */
	fd = openat(dirfd, name, O_RDWR | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	return fd;
}

static void set_nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* Start the command; 0, or an errno after reporting it. */
static int start(struct monitor *m)
{
	int in[2] = {-1, -1}, out[2], err[2], fail[2], e = 0, filter = -1;
	ssize_t n;
	pid_t pid;

	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 ||
	    pipe2(fail, O_CLOEXEC) < 0)
		return errno;
	if (m->spec.stdin_pipe) {
		if (pipe2(in, O_CLOEXEC) < 0)
			return errno;
	} else {
		in[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (in[0] < 0)
			return errno;
	}
	if (m->spec.seccomp) {
		filter = local_seccomp_fd();
		if (filter < 0)
			return -filter;
	}
	pid = fork();
	if (pid < 0)
		return errno;
	if (pid == 0)
		child(m, in[0], out[1], err[1], fail[1], filter);
	if (filter >= 0)
		close(filter);
	close(in[0]);
	close(out[1]);
	close(err[1]);
	close(fail[1]);
	do
		n = read(fail[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(fail[0]);
	m->pid = pid;
	m->out_fd = out[0];
	m->err_fd = err[0];
	m->in_fd = in[1];
	set_nonblock(m->out_fd);
	set_nonblock(m->err_fd);
	if (m->in_fd >= 0)
		set_nonblock(m->in_fd);
	if (n == (ssize_t)sizeof(e)) {
		waitpid(pid, NULL, 0);
		m->reaped = 1;
		return e ? e : EIO;
	}
	return 0;
}

static int setup(struct monitor *m, const char *dir)
{
	int rc, e;

	rc = proc_spec_read_fd(&m->spec, m->spec_fd);
	close(m->spec_fd);
	m->spec_fd = -1;
	if (rc < 0) {
		report(m, "error %d cannot read the process spec: %s\n", -rc,
		       strerror(-rc));
		return -1;
	}
	/* The directory the starter just made, never a link put there. */
	m->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (m->dirfd < 0) {
		e = errno;
		report(m, "error %d cannot open '%s': %s\n", e, dir,
		       strerror(e));
		return -1;
	}
	rc = proc_log_create(&m->log, m->dirfd, m->spec.log_limit,
			     m->spec.command);
	if (rc < 0) {
		report(m, "error %d cannot create the log in '%s': %s\n", -rc,
		       dir, strerror(-rc));
		return -1;
	}
	m->ctl_fd = make_fifo(m->dirfd, PROC_FILE_CTL);
	if (m->ctl_fd >= 0 && m->spec.stdin_pipe)
		m->fifo_fd = make_fifo(m->dirfd, PROC_FILE_STDIN);
	if (m->ctl_fd < 0 || (m->spec.stdin_pipe && m->fifo_fd < 0)) {
		e = errno;
		report(m, "error %d cannot create the FIFOs: %s\n", e,
		       strerror(e));
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	m->sig_fd = local_signals_watch(SFD_NONBLOCK | SFD_CLOEXEC);
	if (m->sig_fd < 0) {
		e = errno;
		report(m, "error %d cannot watch signals: %s\n", e,
		       strerror(e));
		return -1;
	}
	m->st.monitor_pid = getpid();
	m->st.started_ms = proc_now_ms();
	proc_boot_id(m->st.boot_id, sizeof(m->st.boot_id));
	/* Orphans of the command's descendants become ours to end. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		e = errno;
		report(m, "error %d cannot become a subreaper: %s\n", e,
		       strerror(e));
		return -1;
	}
	if (local_cgroup_needed(m->spec.limit_nproc)) {
		char why[300];

		e = -local_cgroup_create(&m->cg, m->spec.limit_nproc, why,
					 sizeof(why));
		if (e) {
			report(m, "error %d " LOCAL_CGROUP_REFUSED "\n", e, why);
			return -1;
		}
	}
	e = start(m);
	if (e) {
		report(m, "error %d cannot run '%s': %s\n", e, m->spec.argv[0],
		       strerror(e));
		return -1;
	}
	m->st.state = PROC_RUNNING;
	m->st.pid = m->st.pgid = m->pid;
	m->st.start_ticks = proc_start_ticks(m->pid);
	m->st.stdin_open = m->in_fd >= 0;
	save_status(m);
	if (m->spec.timeout_ms > 0)
		m->deadline = mono_ms() + m->spec.timeout_ms;
	report(m, "ok %d\n", (int)m->pid);
	return 0;
}

/* ---- the loop ----------------------------------------------------------- */

/* Signal the command's group, while it may still exist. */
static void signal_group(struct monitor *m, int sig)
{
	if (m->pid > 0 && (!m->reaped || m->out_fd >= 0 || m->err_fd >= 0))
		kill(-m->pid, sig);
}

static void reap(struct monitor *m);

/*
 * SIGKILL our children other than the command (descendants it left that
 * were handed to us as subreaper) that are not dead yet; how many.
 */
static int kill_adopted(struct monitor *m)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char path[64], stat[512], *p, *end;
	pid_t me = getpid();
	int count = 0, fd;
	long pid, ppid;
	ssize_t n;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		pid = strtol(e->d_name, &end, 10);
		if (pid <= 0 || *end)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, stat, sizeof(stat) - 1);
		close(fd);
		if (n <= 0)
			continue;
		stat[n] = '\0';
		/* "pid (comm) S ppid ...": comm may hold anything. */
		p = strrchr(stat, ')');
		if (!p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
			continue;
		ppid = strtol(p + 4, NULL, 10);
		if (ppid == me && pid != m->pid) {
			kill((pid_t)pid, SIGKILL);
			count++;
		}
	}
	closedir(d);
	return count;
}

/* End every leftover of the command: its cgroup, and our adoptees. */
static void kill_descendants(struct monitor *m)
{
	struct timespec tick = {0, 1000000L};
	int round;

	local_cgroup_kill(&m->cg);
	for (round = 0; round < 2000; round++) {
		siginfo_t si;

		/* No child at all (the common case): nothing to look for. */
		memset(&si, 0, sizeof(si));
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 &&
		    errno == ECHILD)
			return;
		if (!kill_adopted(m))
			return;
		reap(m);
		nanosleep(&tick, NULL);
	}
}

static void terminate(struct monitor *m)
{
	signal_group(m, SIGTERM);
	if (!m->kill_at)
		m->kill_at = mono_ms() +
			     (m->spec.grace_ms > 0 ? m->spec.grace_ms : 0);
}

static void close_stdin_now(struct monitor *m)
{
	if (m->in_fd >= 0)
		close(m->in_fd);
	if (m->fifo_fd >= 0) {
		unlinkat(m->dirfd, PROC_FILE_STDIN, 0);
		close(m->fifo_fd);
	}
	m->in_fd = m->fifo_fd = -1;
	m->in_len = m->in_off = 0;
	if (m->st.stdin_open) {
		m->st.stdin_open = 0;
		save_status(m);
	}
}

static void drain(struct monitor *m, int *fd, int stream)
{
	static char buf[BUF_SIZE];
	ssize_t n;

	while (*fd >= 0) {
		n = read(*fd, buf, sizeof(buf));
		if (n > 0) {
			proc_log_append(&m->log, stream, buf, (size_t)n);
			if ((size_t)n < sizeof(buf))
				return; /* likely empty now; poll again */
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		close(*fd); /* end of file, or broken */
		*fd = -1;
	}
}

static void drain_all(struct monitor *m)
{
	/* Until EAGAIN: what the command wrote before exiting is in there. */
	char buf[BUF_SIZE];
	int *fds[2] = {&m->out_fd, &m->err_fd};
	int i;

	for (i = 0; i < 2; i++) {
		while (*fds[i] >= 0) {
			ssize_t n = read(*fds[i], buf, sizeof(buf));

			if (n > 0) {
				proc_log_append(&m->log, i, buf, (size_t)n);
				continue;
			}
			if (n < 0 && (errno == EINTR))
				continue;
			if (n < 0 && errno == EAGAIN)
				break;
			close(*fds[i]);
			*fds[i] = -1;
		}
	}
}

static void reap(struct monitor *m)
{
	int status;
	pid_t r;

	while ((r = waitpid(-1, &status, WNOHANG)) > 0) {
		if (r != m->pid)
			continue; /* cannot happen: we have one child */
		m->reaped = 1;
		drain_all(m);
		if (WIFSIGNALED(status)) {
			m->st.state = PROC_SIGNALED;
			m->st.term_signal = WTERMSIG(status);
			m->st.exit_code = 128 + WTERMSIG(status);
		} else {
			m->st.state = PROC_EXITED;
			m->st.exit_code = WEXITSTATUS(status);
		}
		if (m->st.timed_out)
			m->st.exit_code = 124;
		m->st.ended_ms = proc_now_ms();
		/* Its stdin has no reader any more. */
		close_stdin_now(m);
		save_status(m);
	}
}

static void on_signal(struct monitor *m)
{
	struct signalfd_siginfo si;

	while (read(m->sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			reap(m);
		else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
			terminate(m);
		/* SIGHUP: ignored, we have no terminal */
	}
}

static void do_release(struct monitor *m)
{
	m->released = 1;
	signal_group(m, SIGKILL);
	kill_descendants(m);
	close_stdin_now(m);
	m->linger_until = mono_ms() + RELEASE_LINGER_MS;
}

static void ctl_line(struct monitor *m, char *line)
{
	size_t n = strlen(PROC_CTL_SIGNAL);
	long sig;
	char *end;

	if (!strncmp(line, PROC_CTL_SIGNAL, n) && line[n] == ' ') {
		sig = strtol(line + n + 1, &end, 10);
		if (end != line + n + 1 && sig > 0 && sig < NSIG)
			signal_group(m, (int)sig);
	} else if (!strcmp(line, PROC_CTL_TERMINATE)) {
		terminate(m);
	} else if (!strcmp(line, PROC_CTL_CLOSE_STDIN)) {
		m->close_stdin_asked = 1;
	} else if (!strcmp(line, PROC_CTL_RELEASE)) {
		do_release(m);
	}
}

static void on_ctl(struct monitor *m)
{
	ssize_t n;
	char *nl;

	for (;;) {
		n = read(m->ctl_fd, m->ctl_buf + m->ctl_len,
			 sizeof(m->ctl_buf) - 1 - m->ctl_len);
		if (n <= 0)
			break;
		m->ctl_len += (size_t)n;
		m->ctl_buf[m->ctl_len] = '\0';
		while ((nl = strchr(m->ctl_buf, '\n'))) {
			*nl = '\0';
			ctl_line(m, m->ctl_buf);
			m->ctl_len -= (size_t)(nl + 1 - m->ctl_buf);
			memmove(m->ctl_buf, nl + 1, m->ctl_len + 1);
		}
		if (m->ctl_len == sizeof(m->ctl_buf) - 1)
			m->ctl_len = 0; /* an overlong line: drop it */
	}
}

/* Move stdin bytes FIFO -> buffer -> command, without ever blocking. */
static void pump_stdin(struct monitor *m)
{
	ssize_t n;

	while (m->in_fd >= 0) {
		if (m->in_off == m->in_len) {
			m->in_off = m->in_len = 0;
			n = m->fifo_fd >= 0 ? read(m->fifo_fd, m->in_buf,
						   sizeof(m->in_buf))
					    : -1;
			if (n <= 0) {
				/* All that was sent has been passed on. */
				if (m->close_stdin_asked)
					close_stdin_now(m);
				return;
			}
			m->in_len = (size_t)n;
		}
		n = write(m->in_fd, m->in_buf + m->in_off,
			  m->in_len - m->in_off);
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) { /* EPIPE: the command closed its stdin */
			close_stdin_now(m);
			return;
		}
		m->in_off += (size_t)n;
	}
}

static int done(struct monitor *m)
{
	if (m->released && (mono_ms() >= m->linger_until ||
			    (m->reaped && m->out_fd < 0 && m->err_fd < 0)))
		return 1;
	return m->reaped && m->out_fd < 0 && m->err_fd < 0;
}

static int poll_timeout(struct monitor *m)
{
	int64_t now = mono_ms(), next = -1;

	if (m->deadline && !m->st.timed_out)
		next = m->deadline;
	if (m->kill_at && (next < 0 || m->kill_at < next))
		next = m->kill_at;
	if (m->released && (next < 0 || m->linger_until < next))
		next = m->linger_until;
	if (next < 0)
		return -1;
	return next <= now ? 0 : (int)(next - now > 60000 ? 60000 : next - now);
}

static void on_timers(struct monitor *m)
{
	int64_t now = mono_ms();

	if (m->deadline && !m->st.timed_out && now >= m->deadline &&
	    !m->reaped) {
		m->st.timed_out = 1;
		terminate(m);
	}
	if (m->kill_at && now >= m->kill_at) {
		m->kill_at = 0;
		signal_group(m, SIGKILL);
		kill_descendants(m);
	}
}

static void run(struct monitor *m)
{
	struct pollfd p[6];
	int nfds, i_out, i_err, i_sig, i_ctl, i_fifo, i_in;

	while (!done(m)) {
		nfds = 0;
		i_out = i_err = i_fifo = i_in = -1;
		if (m->out_fd >= 0) {
			i_out = nfds;
			p[nfds++] = (struct pollfd){m->out_fd, POLLIN, 0};
		}
		if (m->err_fd >= 0) {
			i_err = nfds;
			p[nfds++] = (struct pollfd){m->err_fd, POLLIN, 0};
		}
		i_sig = nfds;
		p[nfds++] = (struct pollfd){m->sig_fd, POLLIN, 0};
		i_ctl = nfds;
		p[nfds++] = (struct pollfd){m->ctl_fd, POLLIN, 0};
		if (m->in_fd >= 0 && m->in_off < m->in_len) {
			i_in = nfds;
			p[nfds++] = (struct pollfd){m->in_fd, POLLOUT, 0};
		} else if (m->fifo_fd >= 0) {
			i_fifo = nfds;
			p[nfds++] = (struct pollfd){m->fifo_fd, POLLIN, 0};
		}
		if (poll(p, (nfds_t)nfds, poll_timeout(m)) < 0 &&
		    errno != EINTR)
			break;
		if (i_out >= 0 && p[i_out].revents)
			drain(m, &m->out_fd, 0);
		if (i_err >= 0 && p[i_err].revents)
			drain(m, &m->err_fd, 1);
		if (p[i_sig].revents)
			on_signal(m);
		if (p[i_ctl].revents)
			on_ctl(m);
		if ((i_in >= 0 && p[i_in].revents) ||
		    (i_fifo >= 0 && p[i_fifo].revents) || m->close_stdin_asked)
			pump_stdin(m);
		on_timers(m);
	}
}

static void finish(struct monitor *m)
{
	close_stdin_now(m);
	/* Nothing the command started outlives it. */
	kill_descendants(m);
	local_cgroup_destroy(&m->cg);
	if (!m->reaped) {
		/* Released while the command resisted: say what we know. */
		signal_group(m, SIGKILL);
		m->st.state = PROC_SIGNALED;
		m->st.term_signal = SIGKILL;
		m->st.exit_code = 128 + SIGKILL;
		m->st.ended_ms = proc_now_ms();
		save_status(m);
	}
	unlinkat(m->dirfd, PROC_FILE_CTL, 0);
	/* Tidy, so leak checkers see a clean exit. The lock goes last,
	 * with the log: a reader seeing it free finds the final status. */
	if (m->ctl_fd >= 0)
		close(m->ctl_fd);
	if (m->sig_fd >= 0)
		close(m->sig_fd);
	if (m->out_fd >= 0)
		close(m->out_fd);
	if (m->err_fd >= 0)
		close(m->err_fd);
	proc_spec_release(&m->spec);
	proc_log_close(&m->log);
	close(m->dirfd);
}

int main(int argc, char **argv)
{
	static struct monitor m;
	int e;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PROC_DIR (started by wsp)\n",
			argv[0]);
		return 2;
	}
	/* Keep nothing of our starter but the two pipes. */
	close_range(PROC_SPEC_FD + 1, ~0u, 0);
	m.ready_fd = fcntl(PROC_READY_FD, F_GETFD) < 0 ? -1 : PROC_READY_FD;
	if (m.ready_fd >= 0)
		fcntl(m.ready_fd, F_SETFD, FD_CLOEXEC);
	m.spec_fd = PROC_SPEC_FD;
	if (fcntl(m.spec_fd, F_SETFD, FD_CLOEXEC) < 0) {
		report(&m, "error %d no spec on descriptor %d\n", EBADF,
		       PROC_SPEC_FD);
		return 2;
	}
	m.dirfd = m.out_fd = m.err_fd = m.in_fd = -1;
	m.cg = (struct local_cgroup)LOCAL_CGROUP_INIT;
	m.fifo_fd = m.ctl_fd = m.sig_fd = -1;
	m.log.fd = -1;

	/* Not our starter's child: it reaps the first process right away. */
	if ((e = proc_writer_detach())) {
		report(&m, "error %d cannot fork: %s\n", -e, strerror(-e));
		return 1;
	}
	if (setup(&m, argv[1]) < 0) {
		proc_spec_release(&m.spec);
		return 1;
	}
	run(&m);
	finish(&m);
	return 0;
}
