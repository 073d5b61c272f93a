/*
 * plugins/sandbox-local/exec.c - foreground exec: start the prepared
 * command in a session (and process group) of its own, feed its stdin,
 * stream and capture its stdout and stderr, and enforce the deadline.
 *
 * One poll() loop watches the output pipes, the stdin pipe, a pidfd of the
 * child, the call's cancel descriptor and the timers; the deadline is the
 * command's own timeout or the call's deadline, whichever comes first,
 * and both end the command the same way. On timeout or cancel the
 * whole process group gets SIGTERM, then SIGKILL after kill_grace. Once
 * the command itself has ended, output still arriving from processes it
 * left behind is read for at most LOCAL_DRAIN_MS; then anything left in
 * its process group is killed (as bubblewrap's PID namespace would), so a
 * grandchild holding the pipes, even one that left the group with
 * setsid(), never keeps exec waiting. When root runs a command with a
 * process limit, the command runs in a pids cgroup of its own (cgroup.c),
 * emptied and removed at the end.
 */
#include "cgroup.h"
#include "env.h"
#include "env_client.h"
#include "instance.h"
#include "seccomp.h"
#include "sigreset.h"
#include "watchdog.h"
#include <wsp/sigpipe.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LOCAL_DRAIN_MS	 200
#define LOCAL_READ_CHUNK (256 * 1024)
/* A stream that fills a whole default pipe gets a larger one. */
#define LOCAL_BIG_PIPE	     (1024 * 1024)
#define LOCAL_READS_PER_WAKE 8
#define LOCAL_CANCEL_EXIT    130 /* 128 + SIGINT, as a shell reports ^C */
#define LOCAL_TIMEOUT_EXIT   124

enum stop_reason { STOP_NONE, STOP_TIMEOUT, STOP_CANCEL, STOP_CALLBACK };

struct run {
	struct local_sandbox *sb;
	const wsp_exec_opts *opts;
	pid_t pid;
	int pidfd;
	int out_fd, err_fd, in_fd;
	const char *in_data;
	size_t in_left;
	int cancel_fd;
	struct capture cap[2];
	struct local_cgroup cg; /* root's process limit, or none */
	int grown[2];		/* the pipe was enlarged */
	int exited;		/* the main child has ended (not reaped yet) */
	enum stop_reason stop;
	int cb_rc;
	int64_t deadline, kill_at, drain_until; /* -1 = not armed */
	struct local_watchdog wd; /* unisolated: ends it if we die */
	/* In the sandbox's kept environment (env.h): the agent's connection
	 * stands for the child (pid is then in the sandbox's namespace). */
	int agent_fd;
	int env_status; /* wait status from EXIT */
	uint64_t env_cpu_ms;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* ---- starting the child ------------------------------------------------- */

/* Move fd above the standard descriptors, so dup2 onto 0..2 is safe. */
static int above_stdio(int fd)
{
	int moved;

	if (fd > 2)
		return fd;
	moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return moved;
}

struct child_fds {
	int in, out, err;	       /* child ends */
	int filter;		       /* seccomp filter for bwrap, or -1 */
	const struct local_cgroup *cg; /* to join before exec, or NULL */
};

/* The first descriptor the command does not inherit. */
static int first_closed(const struct child_fds *fds)
{
	return fds->filter >= 0 ? LOCAL_SECCOMP_FD + 1 : 3;
}

static int spawn_fast(pid_t *pid, const struct local_prepared *p,
		      const struct child_fds *fds)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t all, none;
	int rc;

	sigfillset(&all);
	sigemptyset(&none);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID |
						POSIX_SPAWN_SETSIGMASK |
						POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds->in, 0);
	posix_spawn_file_actions_adddup2(&fa, fds->out, 1);
	posix_spawn_file_actions_adddup2(&fa, fds->err, 2);
	if (fds->filter >= 0)
		posix_spawn_file_actions_adddup2(&fa, fds->filter,
						 LOCAL_SECCOMP_FD);
	posix_spawn_file_actions_addchdir_np(&fa, p->cwd);
	posix_spawn_file_actions_addclosefrom_np(&fa, first_closed(fds));
	rc = posix_spawn(pid, p->argv[0], &fa, &attr, p->argv, p->envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return rc;
}

/* In the forked child: only async-signal-safe calls from here on. */
static void child_exec(const struct local_prepared *p,
		       const struct child_fds *fds, int report_fd)
{
	int e;

	setsid();
	if (dup2(fds->in, 0) < 0 || dup2(fds->out, 1) < 0 ||
	    dup2(fds->err, 2) < 0 || chdir(p->cwd) < 0)
		goto fail;
	/* bwrap reads its filter at LOCAL_SECCOMP_FD: keep the report pipe. */
	if (fds->filter >= 0 && report_fd == LOCAL_SECCOMP_FD)
		report_fd =
			fcntl(report_fd, F_DUPFD_CLOEXEC, LOCAL_SECCOMP_FD + 1);
	if (fds->filter >= 0 && local_seccomp_pass(fds->filter) < 0)
		goto fail;
	local_signals_default();
	if (fds->cg && local_cgroup_join(fds->cg) < 0)
		goto fail;
	local_apply_limits(&p->limits);
	/* Every other descriptor closes at exec (report_fd included). */
	syscall(SYS_close_range, (unsigned)first_closed(fds), ~0u,
		4u /* CLOSE_RANGE_CLOEXEC */);
	execve(p->argv[0], p->argv, p->envp);
fail:
	e = errno;
	if (write(report_fd, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

/* fork() path, used when limits must be applied in the child. */
static int spawn_with_limits(pid_t *pid, const struct local_prepared *p,
			     const struct child_fds *fds)
{
	int report[2], e = 0;
	ssize_t n;

	if (pipe2(report, O_CLOEXEC) < 0)
		return errno;
	*pid = fork();
	if (*pid < 0) {
		e = errno;
		close(report[0]);
		close(report[1]);
		return e;
	}
	if (*pid == 0)
		child_exec(p, fds, report[1]);
	close(report[1]);
	do
		n = read(report[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(report[0]);
	if (n == (ssize_t)sizeof(e)) {
		while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
			;
		return e ? e : ECHILD;
	}
	return 0;
}

static int has_limits(const struct local_limits *l)
{
	return l->memory_bytes || l->max_processes || l->cpu_seconds ||
	       l->file_size;
}

static void close_pipes(int out[2], int errp[2], int in[2])
{
	int i;

	for (i = 0; i < 2; i++) {
		close_fd(&out[i]);
		close_fd(&errp[i]);
		close_fd(&in[i]);
	}
}

/*
 * Start the command in the sandbox's kept environment: the agent runs it
 * with our pipe ends (env_client.h). 0; a negative wsp_errcode with err
 * filled when the environment is not to be had; or a positive errno with
 * the agent's reason in why.
 */
static int start_in_env(struct run *r, const struct local_prepared *p,
			const struct child_fds *fds, char *why, size_t cap,
			wsp_error *err)
{
	const int pass[3] = {fds->in, fds->out, fds->err};
	struct env_run run;
	int32_t pid;
	int rc;

	memset(&run, 0, sizeof(run));
	local_limits_rlimits(&p->limits, run.soft, run.hard);
	run.cwd = p->cwd;
	run.argv = p->cmd;
	run.envp = p->envp;
	if ((rc = local_env_connect(r->sb, &r->agent_fd, err)) != 0)
		return rc; /* err is filled */
	rc = env_client_run(r->agent_fd, &run, pass, &pid, why, cap);
	if (rc < 0) {
		close_fd(&r->agent_fd);
		return -rc;
	}
	r->pid = pid;
	return 0;
}

/* Create the pipes and start the child; fills r's descriptors. */
static int start_child(struct run *r, const struct local_prepared *p,
		       wsp_error *err)
{
	int out[2] = {-1, -1}, errp[2] = {-1, -1}, in[2] = {-1, -1};
	struct child_fds fds;
	char why[300];
	int rc;

	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0)
		goto os_fail;
	if (r->in_data) {
		if (pipe2(in, O_CLOEXEC) < 0)
			goto os_fail;
	}
	if ((out[1] = above_stdio(out[1])) < 0 ||
	    (errp[1] = above_stdio(errp[1])) < 0 ||
	    (in[0] >= 0 && (in[0] = above_stdio(in[0])) < 0))
		goto os_fail;
	/* No stdin data: the instance's /dev/null (EOF at once). */
	fds.in = in[0] >= 0 ? in[0] : r->sb->devnull;
	fds.out = out[1];
	fds.err = errp[1];
	fds.cg = NULL;
	/* In the environment, its own cgroup holds the limit (env.c). */
	if (!p->via_env && local_cgroup_needed(p->limits.max_processes)) {
		rc = local_cgroup_create(&r->cg, p->limits.max_processes, why,
					 sizeof(why));
		if (rc < 0) {
			rc = -rc;
			goto no_cgroup;
		}
		fds.cg = &r->cg;
	}
	if (p->via_env) {
		why[0] = '\0';
		rc = start_in_env(r, p, &fds, why, sizeof(why), err);
		close(out[1]);
		close(errp[1]);
		close_fd(&in[0]);
		if (rc) {
			close(out[0]);
			close(errp[0]);
			if (in[1] >= 0)
				close(in[1]);
			if (rc < 0)
				return rc; /* the environment's own */
			return wsp_error_set_os(
				err, rc == ENOENT ? WSP_ENOTFOUND : WSP_ERROR,
				rc, "cannot start '%s' in '%s': %s", p->cmd[0],
				p->cwd, strerror(rc));
		}
		goto started;
	}
	fds.filter = p->isolated ? local_seccomp_fd() : -1;
	if (p->isolated && fds.filter < 0) {
		errno = -fds.filter;
		goto os_fail;
	}
	/* Unisolated, nothing else would end it if we died (watchdog.c). */
	if (!p->isolated && (rc = local_watchdog_start(&r->wd)) != 0) {
		close_fd(&fds.filter);
		goto no_watchdog;
	}
	if (has_limits(&p->limits))
		rc = spawn_with_limits(&r->pid, p, &fds);
	else
		rc = spawn_fast(&r->pid, p, &fds);
	if (rc)
		local_watchdog_stop(&r->wd);
	else
		local_watchdog_arm(&r->wd, r->pid);
	close(out[1]);
	close(errp[1]);
	close_fd(&in[0]);
	close_fd(&fds.filter);
	if (rc) {
		close(out[0]);
		close(errp[0]);
		if (in[1] >= 0)
			close(in[1]);
		if (rc == ENOENT && access(p->cwd, F_OK) < 0)
			return wsp_error_set_os(
				err, WSP_ENOTFOUND, rc,
				"directory '%s' is gone; run 'wsp sandbox "
				"start' to create the working directory again",
				p->cwd);
		return wsp_error_set_os(
			err, rc == ENOENT ? WSP_ENOTFOUND : WSP_ERROR, rc,
			"cannot start '%s' in '%s': %s", p->argv[0], p->cwd,
			strerror(rc));
	}
started:
	r->out_fd = out[0];
	r->err_fd = errp[0];
	fcntl(r->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(r->err_fd, F_SETFL, O_NONBLOCK);
	r->in_fd = in[1];
	if (r->in_fd >= 0)
		fcntl(r->in_fd, F_SETFL, O_NONBLOCK);
	if (!r->in_left)
		close_fd(&r->in_fd); /* empty stdin data: EOF at once */
	if (r->agent_fd < 0)
		r->pidfd = (int)syscall(SYS_pidfd_open, r->pid, 0);
	return 0;
no_cgroup:
	close_pipes(out, errp, in);
	return wsp_error_set_os(err, WSP_EUNAVAIL, rc, LOCAL_CGROUP_REFUSED,
				why);
no_watchdog:
	close_pipes(out, errp, in);
	return wsp_error_set_os(err, WSP_ERROR, rc,
				"cannot start the watchdog of '%s': %s",
				p->argv[0], strerror(rc));
os_fail:
	rc = errno;
	close_pipes(out, errp, in);
	return wsp_error_set_os(err, WSP_EIO, rc, "cannot set up pipes: %s",
				strerror(rc));
}

/* ---- the loop ----------------------------------------------------------- */

/* sig to the command's process group, here or in the environment. */
static void signal_group(struct run *r, int sig)
{
	if (r->agent_fd >= 0)
		env_client_signal(r->agent_fd, sig);
	else
		kill(-r->pid, sig);
}

static void begin_stop(struct run *r, enum stop_reason why)
{
	int64_t grace = local_kill_grace_ms(r->sb);

	if (r->stop != STOP_NONE)
		return;
	r->stop = why;
	if (grace <= 0) {
		signal_group(r, SIGKILL);
		return;
	}
	signal_group(r, SIGTERM);
	r->kill_at = now_ms() + grace;
}

/* Write what the pipe takes of the stdin data, never raising SIGPIPE. */
static void feed_stdin(struct run *r)
{
	struct wsp_sigpipe_hold hold;
	int epipe = 0;
	ssize_t n;

	wsp_sigpipe_hold_begin(&hold);
	while (r->in_left) {
		n = write(r->in_fd, r->in_data, r->in_left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (errno == EPIPE) {
				epipe = 1;
				/* the command stopped reading */
				r->in_left = 0;
			}
			break;
		}
		r->in_data += n;
		r->in_left -= (size_t)n;
	}
	wsp_sigpipe_hold_end(&hold, epipe);
	if (!r->in_left)
		close_fd(&r->in_fd);
}

/*
 * Read what a stream has (a few chunks at most, so the other stream and
 * the timers are not starved); closes it at EOF. A stream that fills the
 * default 64 KiB pipe gets a 1 MiB one: fewer wake-ups for bulk output.
 */
static void drain_stream(struct run *r, int *fd, uint32_t stream, char *buf,
			 int *grown)
{
	int i, rc;

	for (i = 0; i < LOCAL_READS_PER_WAKE; i++) {
		ssize_t n = read(*fd, buf, LOCAL_READ_CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			close_fd(fd);
			return;
		}
		if (!*grown && n >= 65536) {
			fcntl(*fd, F_SETPIPE_SZ, LOCAL_BIG_PIPE);
			*grown = 1;
		}
		if (r->opts->on_output && r->stop != STOP_CALLBACK) {
			rc = r->opts->on_output(stream, buf, (size_t)n,
						r->opts->payload);
			if (rc < 0) {
				r->cb_rc = rc;
				begin_stop(r, STOP_CALLBACK);
			}
		}
		capture_append(&r->cap[stream - 1], buf, (size_t)n);
		if ((size_t)n < LOCAL_READ_CHUNK)
			return; /* the pipe is most likely empty now */
	}
}

/*
 * The agent reports how the command ended. An environment that ended
 * first (stopped meanwhile) took the command with it: killed.
 */
static int env_exited(struct run *r)
{
	struct env_exit x;

	if (env_client_exit(r->agent_fd, &x) < 0) {
		r->env_status = SIGKILL;
		r->env_cpu_ms = 0;
	} else {
		r->env_status = x.status;
		r->env_cpu_ms = x.cpu_ms;
	}
	return 1;
}

/* Note (without reaping) that the main child has ended. */
static int check_exited(struct run *r)
{
	siginfo_t si;

	if (r->agent_fd >= 0)
		return env_exited(r);

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)r->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		return errno == ECHILD; /* reaped elsewhere: treat as ended */
	return si.si_pid == r->pid;
}

static int64_t earliest(int64_t a, int64_t b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

static void run_loop(struct run *r, char *buf)
{
	for (;;) {
		struct pollfd p[5];
		int np = 0, i_out = -1, i_err = -1, i_in = -1, i_pid = -1,
		    i_cancel = -1;
		int64_t now = now_ms(), wake, timeout;

		if (r->exited && r->out_fd < 0 && r->err_fd < 0)
			return;
		/* Once the command has ended, only the drain bound counts. */
		if (r->deadline >= 0 && now >= r->deadline &&
		    r->stop == STOP_NONE && !r->exited)
			begin_stop(r, STOP_TIMEOUT);
		if (r->kill_at >= 0 && now >= r->kill_at) {
			signal_group(r, SIGKILL);
			r->kill_at = -1;
		}
		if (r->drain_until >= 0 && now >= r->drain_until)
			return;

		if (r->out_fd >= 0) {
			p[np] = (struct pollfd){r->out_fd, POLLIN, 0};
			i_out = np++;
		}
		if (r->err_fd >= 0) {
			p[np] = (struct pollfd){r->err_fd, POLLIN, 0};
			i_err = np++;
		}
		if (r->in_fd >= 0) {
			p[np] = (struct pollfd){r->in_fd, POLLOUT, 0};
			i_in = np++;
		}
		if (!r->exited && (r->pidfd >= 0 || r->agent_fd >= 0)) {
			p[np] = (struct pollfd){r->agent_fd >= 0 ? r->agent_fd
								 : r->pidfd,
						POLLIN, 0};
			i_pid = np++;
		}
		if (r->cancel_fd >= 0 && r->stop == STOP_NONE) {
			p[np] = (struct pollfd){r->cancel_fd, POLLIN, 0};
			i_cancel = np++;
		}
		wake = earliest(r->stop == STOP_NONE && !r->exited ? r->deadline
								   : -1,
				earliest(r->kill_at, r->drain_until));
		if (r->pidfd < 0 && r->agent_fd < 0 && !r->exited)
			wake = earliest(wake, now + 10); /* no pidfd: poll */
		timeout = wake < 0 ? -1 : (wake > now ? wake - now : 0);
		if (timeout > INT_MAX)
			timeout = INT_MAX;
		if (poll(p, (nfds_t)np, (int)timeout) < 0) {
			if (errno == EINTR)
				continue;
			return; /* the caller kills the group and reaps */
		}

		if (i_out >= 0 && p[i_out].revents)
			drain_stream(r, &r->out_fd, WSP_STDOUT, buf,
				     &r->grown[0]);
		if (i_err >= 0 && p[i_err].revents)
			drain_stream(r, &r->err_fd, WSP_STDERR, buf,
				     &r->grown[1]);
		if (i_in >= 0 && p[i_in].revents) {
			if (p[i_in].revents & (POLLERR | POLLHUP)) {
				r->in_left = 0;
				close_fd(&r->in_fd);
			} else {
				feed_stdin(r);
			}
		}
		if (i_cancel >= 0 && p[i_cancel].revents) {
			if (r->exited)
				return; /* ended anyway: stop draining */
			begin_stop(r, STOP_CANCEL);
		}
		if (!r->exited &&
		    (i_pid >= 0 ? p[i_pid].revents != 0
				: r->pidfd < 0 && r->agent_fd < 0) &&
		    check_exited(r)) {
			r->exited = 1;
			close_fd(&r->in_fd);
			r->drain_until = now_ms() + LOCAL_DRAIN_MS;
		}
	}
}

/* ---- results ------------------------------------------------------------ */

static uint64_t rusage_ms(const struct rusage *ru)
{
	return (uint64_t)ru->ru_utime.tv_sec * 1000 +
	       (uint64_t)ru->ru_utime.tv_usec / 1000 +
	       (uint64_t)ru->ru_stime.tv_sec * 1000 +
	       (uint64_t)ru->ru_stime.tv_usec / 1000;
}

static void fill_status(wsp_exec_result *out, struct run *r, int status,
			uint64_t cpu_ms)
{
	char tail[1024];
	size_t n;

	if (WIFSIGNALED(status)) {
		out->term_signal = WTERMSIG(status);
		out->exit_code = 128 + WTERMSIG(status);
	} else {
		out->exit_code = WEXITSTATUS(status);
	}
	switch (r->stop) {
	case STOP_TIMEOUT:
		out->flags |= WSP_EXEC_TIMED_OUT | WSP_EXEC_KILLED;
		out->exit_code = LOCAL_TIMEOUT_EXIT;
		return;
	case STOP_CANCEL:
	case STOP_CALLBACK:
		out->flags |= WSP_EXEC_CANCELED | WSP_EXEC_KILLED;
		out->exit_code = LOCAL_CANCEL_EXIT;
		return;
	case STOP_NONE:
		break;
	}
	n = capture_tail(&r->cap[1], tail, sizeof(tail));
	out->limit = local_limit_classify(
		&r->sb->limits, !WIFSIGNALED(status),
		WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
		cpu_ms, tail, n);
	if (out->limit != WSP_LIMIT_NONE)
		out->flags |= WSP_EXEC_LIMIT;
}

static int take_captures(wsp_exec_result *out, struct run *r, int keep)
{
	const wsp_host *h = local_host(r->sb);
	struct capture empty;
	int i;

	capture_init(&empty, 0);
	for (i = 0; i < 2; i++) {
		const struct capture *c = keep ? &r->cap[i] : &empty;
		uint64_t dropped =
			r->cap[i].dropped + (keep ? 0 : r->cap[i].len);
		char *data = capture_take(c, h);

		if (!data)
			return -1;
		if (i == 0) {
			out->stdout_data = data;
			out->stdout_len = c->len;
			out->stdout_dropped = dropped;
		} else {
			out->stderr_data = data;
			out->stderr_len = c->len;
			out->stderr_dropped = dropped;
		}
	}
	return 0;
}

static void release_result(const wsp_host *h, wsp_exec_result *out)
{
	h->free(h, out->stdout_data);
	h->free(h, out->stderr_data);
	out->stdout_data = out->stderr_data = NULL;
}

/* The command's own timeout in ms (0 = none): opts, else configured. */
static int64_t own_timeout(const struct local_sandbox *sb,
			   const wsp_exec_opts *opts)
{
	if (opts->flags & WSP_EXEC_NO_TIMEOUT)
		return 0;
	return opts->timeout_ms ? opts->timeout_ms : sb->timeout_ms;
}

/*
 * Run with the full-size option and result structs the core hands in
 * (<wsp/sandbox.h> says what is already checked there).
 */
static int run_exec(wsp_exec_result *out, struct local_sandbox *sb,
		    const wsp_call *call, const wsp_exec_opts *opts,
		    wsp_error *err)
{
	const wsp_host *h = local_host(sb);
	struct local_prepared p;
	struct rusage ru;
	struct run r;
	int64_t started, timeout, left;
	uint64_t cap;
	int status = 0, keep, rc, p_via_env;
	char *buf;

	/* An expired call starts nothing (the core checks too). */
	rc = local_call_check(sb, call, "exec", err);
	if (!rc)
		rc = local_paused_check(sb, "exec", err);
	if (!rc)
		rc = local_start_if_stopped(sb, call, "exec", err);
	if (rc)
		return rc;

	rc = local_prepare(&p, sb, opts->shell, opts->argv, opts->cwd,
			   opts->env, err);
	if (rc < 0)
		return rc;
	buf = malloc(LOCAL_READ_CHUNK);
	if (!buf) {
		local_prepared_release(&p);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	memset(&r, 0, sizeof(r));
	r.sb = sb;
	r.opts = opts;
	r.in_data = opts->stdin_data;
	r.in_left = opts->stdin_data ? opts->stdin_len : 0;
	r.pidfd = r.out_fd = r.err_fd = r.in_fd = r.agent_fd = -1;
	r.cancel_fd = h->call_fd(h, call);
	r.deadline = r.kill_at = r.drain_until = -1;
	r.cg = (struct local_cgroup)LOCAL_CGROUP_INIT;
	r.wd = (struct local_watchdog)LOCAL_WATCHDOG_INIT;
	keep = !(opts->flags & WSP_EXEC_NO_CAPTURE);
	cap = opts->max_capture ? opts->max_capture : sb->max_capture;
	if (cap > SIZE_MAX / 2)
		cap = SIZE_MAX / 2;
	/* Without capture, stderr's end is still kept to classify limits. */
	capture_init(&r.cap[0], keep ? (size_t)cap : 0);
	capture_init(&r.cap[1], keep ? (size_t)cap : 1024);

	started = now_ms();
	rc = start_child(&r, &p, err);
	p_via_env = p.via_env;
	local_prepared_release(&p);
	if (rc < 0)
		goto done;
	timeout = own_timeout(sb, opts);
	/* a timeout past the end of time is none (no overflow) */
	if (timeout > 0 && timeout <= INT64_MAX - started)
		r.deadline = started + timeout;
	/* Remaining from now, not from before the start took its time. */
	left = h->call_remaining_ms(h, call);
	if (left >= 0)
		r.deadline = earliest(r.deadline, now_ms() + left);
	if (r.in_fd >= 0)
		feed_stdin(&r);
	if (h->call_expired(h, call) == WSP_ECANCELED)
		begin_stop(&r, STOP_CANCEL);

	run_loop(&r, buf);

	/* Leftovers of the command's process group go with it. */
	memset(&ru, 0, sizeof(ru));
	if (r.agent_fd >= 0) {
		if (!r.exited) {
			signal_group(&r, SIGKILL);
			env_exited(&r);
		}
		/* Closing it makes the agent kill the group and reap. */
		close_fd(&r.agent_fd);
		status = r.env_status;
	} else {
		kill(-r.pid, SIGKILL);
	}
	close_fd(&r.out_fd);
	close_fd(&r.err_fd);
	close_fd(&r.in_fd);
	close_fd(&r.pidfd);
	if (!p_via_env)
		while (wait4(r.pid, &status, 0, &ru) < 0 && errno == EINTR)
			;
	local_watchdog_stop(&r.wd);
	out->duration_ms = (uint64_t)(now_ms() - started);
	if (r.stop == STOP_CALLBACK) {
		rc = wsp_error_set(err, r.cb_rc,
				   "the output callback stopped the command");
		goto done;
	}
	fill_status(out, &r, status, p_via_env ? r.env_cpu_ms : rusage_ms(&ru));
	if (take_captures(out, &r, keep) < 0) {
		release_result(h, out);
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
done:
	/* What is left of the command: gone, whatever group it is in. */
	local_cgroup_destroy(&r.cg);
	capture_free(&r.cap[0]);
	capture_free(&r.cap[1]);
	free(buf);
	return rc;
}

/*
 * The core hands in full-size structs (a zeroed result): no size checks
 * here. A failed exec leaves no result behind.
 */
int local_exec(wsp_exec_result *out, void *self, const wsp_call *call,
	       const wsp_exec_opts *opts, wsp_error *err)
{
	int rc = run_exec(out, self, call, opts, err);

	if (rc) {
		memset(out, 0, sizeof(*out));
		out->struct_size = sizeof(*out);
	}
	return rc;
}
