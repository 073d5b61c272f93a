/*
 * plugins/sandbox-local/proc_launch.c - starting a monitor
 * (wsp-local-monitor, installed next to this plugin) for one process
 * directory and collecting its one-line report.
 *
 * posix_spawn (vfork-like in glibc) keeps the start cheap even from a big
 * caller; the monitor's first process exits right after forking the real
 * monitor, and is reaped here, so no monitor is ever our child.
 */
#include "proc_client.h"
#include "sibling.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How long a monitor may take to start the command and say so. */
#define LAUNCH_TIMEOUT_MS 30000

/* Where the monitor is, found once (sibling.h). */
static pthread_once_t monitor_once = PTHREAD_ONCE_INIT;
static char *monitor_path;
static wsp_error monitor_err;

static void find_monitor(void)
{
	monitor_path = local_sibling(PROC_MONITOR_NAME, &monitor_err);
}

static const char *monitor(wsp_error *err)
{
	pthread_once(&monitor_once, find_monitor);
	if (!monitor_path && err)
		*err = monitor_err;
	return monitor_path;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read the report until the monitor closes its end (bounded). */
static ssize_t read_report(int fd, char *buf, size_t cap)
{
	int64_t deadline = mono_ms() + LAUNCH_TIMEOUT_MS;
	size_t len = 0;

	while (len < cap - 1) {
		struct pollfd p = {fd, POLLIN, 0};
		int64_t left = deadline - mono_ms();
		ssize_t n;

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			return -errno;
		n = read(fd, buf + len, cap - 1 - len);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		len += (size_t)n;
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

static int spawn_monitor(pid_t *pid, const char *exe, const char *dir,
			 int ready_wr, int spec_rd)
{
	char *const argv[] = {(char *)PROC_MONITOR_NAME, (char *)dir, NULL};
	char *const envp[] = {NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int rc, fd;

	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
						POSIX_SPAWN_SETSIGDEF);
	for (fd = 0; fd < 3; fd++)
		posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", O_RDWR,
						 0);
	posix_spawn_file_actions_adddup2(&fa, ready_wr, PROC_READY_FD);
	posix_spawn_file_actions_adddup2(&fa, spec_rd, PROC_SPEC_FD);
	rc = posix_spawn(pid, exe, &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return rc;
}

/*
 * Keep a descriptor out of the range the child's dup2s write to, so no
 * action clobbers the source of another (and dup2 onto itself, which
 * would keep close-on-exec, cannot happen).
 */
static int above_child_fds(int fd)
{
	int moved;

	if (fd < 0 || fd > PROC_SPEC_FD)
		return fd;
	moved = fcntl(fd, F_DUPFD_CLOEXEC, PROC_SPEC_FD + 1);
	close(fd);
	return moved;
}

struct launch_clock {
	int64_t deadline;
};

static int launch_idle(void *arg)
{
	struct launch_clock *c = arg;

	return mono_ms() >= c->deadline ? -ETIMEDOUT : 0;
}

int proc_launch(int64_t *out_pid, const char *dir, const struct proc_spec *spec,
		wsp_error *err)
{
	const char *exe = monitor(err);
	struct launch_clock clock;
	char report[512], *text = NULL;
	int ready[2] = {-1, -1}, specp[2] = {-1, -1}, e, code = 0;
	size_t text_len = 0;
	ssize_t n;
	pid_t pid;
	long long cmd_pid;

	if (!exe)
		return monitor_err.code;
	e = -proc_spec_encode(spec, &text, &text_len);
	if (e)
		return wsp_error_set_os(
			err, e == ENOMEM ? WSP_ENOMEM : WSP_ETOOBIG, e,
			"cannot start a background process: "
			"its command and environment: %s",
			strerror(e));
	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(specp, O_CLOEXEC) < 0) {
		e = errno;
		goto fail;
	}
	ready[1] = above_child_fds(ready[1]);
	specp[0] = above_child_fds(specp[0]);
	if (ready[1] < 0 || specp[0] < 0) {
		e = errno;
		goto fail;
	}
	fcntl(specp[1], F_SETFL, O_NONBLOCK);
	e = spawn_monitor(&pid, exe, dir, ready[1], specp[0]);
	close(ready[1]);
	close(specp[0]);
	ready[1] = specp[0] = -1;
	if (e)
		goto fail;
	/* The spec goes down a pipe: secrets in it never touch the disk. */
	clock.deadline = mono_ms() + LAUNCH_TIMEOUT_MS;
	e = -proc_write_all(specp[1], text, text_len, launch_idle, &clock);
	close(specp[1]);
	specp[1] = -1;
	explicit_bzero(text, text_len);
	free(text);
	text = NULL;
	n = e ? -e : read_report(ready[0], report, sizeof(report));
	close(ready[0]);
	/* The first process exits at once, whatever the monitor does. */
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (n < 0)
		return wsp_error_set_os(err, WSP_EIO, (int)-n,
					"no word from '" PROC_MONITOR_NAME
					"' about starting the process: %s",
					strerror((int)-n));
	report[strcspn(report, "\n")] = '\0';
	if (sscanf(report, "ok %lld", &cmd_pid) == 1) {
		*out_pid = cmd_pid;
		return 0;
	}
	if (sscanf(report, "error %d", &code) == 1) {
		const char *why = strchr(report + 6, ' ');

		return wsp_error_set_os(err,
					code == ENOENT	 ? WSP_ENOTFOUND
					: code == EACCES ? WSP_EPERM
							 : WSP_ERROR,
					code, "%s", why ? why + 1 : report);
	}
	return wsp_error_set(err, WSP_ERROR,
			     "'" PROC_MONITOR_NAME "' quit without starting "
			     "the process%s%s",
			     n ? ": " : "", report);
fail:
	if (text) {
		explicit_bzero(text, text_len);
		free(text);
	}
	for (n = 0; n < 2; n++) {
		if (ready[n] >= 0)
			close(ready[n]);
		if (specp[n] >= 0)
			close(specp[n]);
	}
	return wsp_error_set_os(err, WSP_EIO, e, "cannot start '%s': %s", exe,
				strerror(e));
}
