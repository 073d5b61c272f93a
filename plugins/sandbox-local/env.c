/*
 * plugins/sandbox-local/env.c - starting, finding and ending an isolated
 * sandbox's environment (env.h).
 *
 * Starting: the listening socket is bound here, in the state directory,
 * and handed with the agent's executable (run inside as /proc/self/fd/N,
 * so nothing of the host's plugin directory needs to be visible) and the
 * seccomp filter to `wsp-local-agent hold` (agent/hold.c), which starts
 * bubblewrap and keeps it. The holder is started by a double fork in a
 * session of its own: it is nobody's child and outlives the wsp call that
 * started it, as the background process monitors do. A PING answered
 * means the environment is up; if bwrap fails instead, the socket's last
 * holder is gone, the waiting connection is reset and agent.log says why.
 *
 * Ending: SHUTDOWN makes the agent kill every process of the namespace
 * and leave, which ends bwrap; a holder that lingers (frozen, hung) is
 * killed, identified by its start time so a reused pid is never hit.
 */
#include "cgroup.h"
#include "env.h"
#include "env_proto.h"
#include "proc_files.h"
#include "seccomp.h"
#include "sibling.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ENV_HOLDER   "holder"
#define ENV_CGROUP   "cgroup" /* root's process limit: the cgroup's path */
/* The environment's own processes in that cgroup: holder, bwrap's two,
 * the agent and the shim it keeps ready. */
#define ENV_OWN_PROCS 5
#define ENV_LOCK     "lock"
#define ENV_LOG	     "agent.log"
#define READY_MS     15000 /* bwrap's start on a slow, loaded machine */
#define SHUTDOWN_MS  5000

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *local_env_dir(const struct local_sandbox *sb)
{
	return local_path_join(sb->state_dir, ENV_DIR_NAME);
}

/*
 * The env directory, opened without following links, ours and closed to
 * others (anyone who could write there could plant a socket). With
 * create, made (and the state directory) when missing. fd or -errno.
 */
static int open_dir(const struct local_sandbox *sb, int create)
{
	char *dir = local_env_dir(sb);
	struct stat st;
	int fd, rc;

	if (!dir)
		return -ENOMEM;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		rc = local_mkdir_p(dir, 0700);
		if (rc < 0) {
			free(dir);
			return rc;
		}
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	free(dir);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() ||
	    (st.st_mode & 077)) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

/* ---- what the environment is built from -------------------------------- */

static char *const agent_cmd[] = { ENV_EXE_ARG, "serve", NULL };

/* FNV-1a over the bwrap command line: settings that need a new one. */
static uint64_t fingerprint(char **argv)
{
	uint64_t h = UINT64_C(1469598103934665603);
	size_t i;
	const char *s;

	for (i = 0; argv[i]; i++) {
		for (s = argv[i]; ; s++) {
			h ^= (unsigned char)*s;
			h *= UINT64_C(1099511628211);
			if (!*s)
				break;
		}
	}
	return h;
}

struct holder {
	pid_t pid;
	uint64_t ticks;
	char boot[40];
	uint64_t fp;
};

/* The holder file, checked as untrusted input; 0 or -errno. */
static int read_holder(int dirfd, struct holder *h)
{
	char text[200];
	long long pid;
	ssize_t n;
	int fd;

	fd = proc_openat(dirfd, ENV_HOLDER, O_RDONLY, S_IFREG);
	if (fd < 0)
		return fd;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -EPROTO;
	text[n] = '\0';
	if (sscanf(text, "%lld %" SCNu64 " %39s %" SCNx64, &pid, &h->ticks,
		   h->boot, &h->fp) != 4 || pid <= 0 || pid > PROC_PID_MAX)
		return -EPROTO;
	h->pid = (pid_t)pid;
	return 0;
}

static int write_holder(int dirfd, const struct holder *h)
{
	char text[200];
	int fd, n, rc = 0;

	n = snprintf(text, sizeof(text), "%d %" PRIu64 " %s %" PRIx64 "\n",
		     (int)h->pid, h->ticks, h->boot, h->fp);
	unlinkat(dirfd, ENV_HOLDER ".new", 0);
	fd = openat(dirfd, ENV_HOLDER ".new",
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, text, (size_t)n) != n)
		rc = -EIO;
	close(fd);
	if (!rc && renameat(dirfd, ENV_HOLDER ".new", dirfd, ENV_HOLDER) < 0)
		rc = -errno;
	return rc;
}

/* The holder still runs: same pid, same start, same boot. */
static int holder_alive(const struct holder *h)
{
	char boot[40];

	return proc_boot_id(boot, sizeof(boot)) == 0 &&
	       !strcmp(boot, h->boot) && proc_start_ticks(h->pid) == h->ticks;
}

/* ---- starting ------------------------------------------------------- */

/* fd moved to 10 or above (close-on-exec), so the dup2s below are safe. */
static int high(int fd)
{
	int moved;

	if (fd < 0 || fd >= 10)
		return fd;
	moved = fcntl(fd, F_DUPFD_CLOEXEC, 10);
	close(fd);
	return moved;
}

struct launch {
	int null_fd, log_fd, filter_fd, listen_fd, exe_fd;
	int cg_procs_fd; /* root's process limit: the cgroup to join, or -1 */
	char **argv; /* wsp-local-agent hold ENV_DIR bwrap ... */
	char *envp[2];
};

/* The grandchild: only async-signal-safe calls. */
static void exec_holder(const struct launch *l)
{
	/* "0" is the writer: the holder, and all it starts, count. */
	if (l->cg_procs_fd >= 0 && write(l->cg_procs_fd, "0", 1) != 1)
		_exit(127);
	if (dup2(l->null_fd, 0) < 0 || dup2(l->null_fd, 1) < 0 ||
	    dup2(l->log_fd, 2) < 0 || dup2(l->filter_fd, LOCAL_SECCOMP_FD) < 0 ||
	    dup2(l->listen_fd, ENV_LISTEN_FD) < 0 ||
	    dup2(l->exe_fd, ENV_EXE_FD) < 0)
		_exit(127);
	syscall(SYS_close_range, (unsigned)ENV_EXE_FD + 1, ~0u, 0u);
	execve(l->argv[0], l->argv, l->envp);
	_exit(127);
}

/* Start the holder, detached; its pid. */
static int spawn_detached(const struct launch *l, pid_t *pid)
{
	int pp[2], status = 0;
	pid_t child, got = 0;
	ssize_t n;

	if (pipe2(pp, O_CLOEXEC) < 0)
		return -errno;
	child = fork();
	if (child < 0) {
		close(pp[0]);
		close(pp[1]);
		return -errno;
	}
	if (child == 0) {
		pid_t g;

		setsid();
		g = fork();
		if (g == 0)
			exec_holder(l);
		(void)!write(pp[1], &g, sizeof(g));
		_exit(g < 0);
	}
	close(pp[1]);
	do
		n = read(pp[0], &got, sizeof(got));
	while (n < 0 && errno == EINTR);
	close(pp[0]);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(got) || got <= 0)
		return -ECHILD;
	*pid = got;
	return 0;
}

/* A connection that got PONG within ms, or -errno. */
static int ping(int dirfd, int64_t ms)
{
	int64_t deadline = mono_ms() + ms;
	struct env_frame f;
	int sock, rc;

	sock = env_connect_at(dirfd);
	if (sock < 0)
		return sock;
	rc = env_send(sock, ENV_PING, NULL, 0, NULL, 0);
	while (!rc) {
		struct pollfd p = { sock, POLLIN, 0 };
		int64_t left = deadline - mono_ms();

		if (left <= 0) {
			rc = -ETIMEDOUT;
			break;
		}
		if (poll(&p, 1, (int)left) < 0) {
			if (errno != EINTR)
				rc = -errno;
			continue;
		}
		if (!p.revents)
			continue;
		rc = env_recv(sock, &f);
		if (!rc) {
			rc = f.type == ENV_PONG ? 1 : -EPROTO;
			env_frame_free(&f);
		}
	}
	if (rc < 0) {
		close(sock);
		return rc;
	}
	return sock;
}

/* Why bwrap or the agent did not come up: the start of agent.log. */
static void log_reason(int dirfd, char *out, size_t cap)
{
	char text[300];
	ssize_t n = -1;
	int fd = proc_openat(dirfd, ENV_LOG, O_RDONLY, S_IFREG);

	if (fd >= 0) {
		n = read(fd, text, sizeof(text) - 1);
		close(fd);
	}
	if (n <= 0) {
		snprintf(out, cap, "bwrap ended without a word");
		return;
	}
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
		n--;
	text[n] = '\0';
	local_printable(out, cap, text);
}

/* wsp-local-agent hold ENV_DIR bwrap ... -- ENV_EXE_ARG serve */
static char **holder_argv(const struct local_sandbox *sb, const char *agent)
{
	char **bw = local_bwrap_argv(sb, sb->bwrap_path, sb->working_dir,
				     agent_cmd);
	size_t n = bw ? local_strv_len(bw) : 0, i;
	char **v = bw ? calloc(n + 4, sizeof(*v)) : NULL;

	if (!v) {
		local_strv_free(bw);
		return NULL;
	}
	v[0] = strdup(agent);
	v[1] = strdup("hold");
	v[2] = local_env_dir(sb);
	for (i = 0; i < n; i++)
		v[3 + i] = bw[i];
	free(bw); /* its strings are v's now */
	if (!v[0] || !v[1] || !v[2]) {
		local_strv_free(v);
		return NULL;
	}
	return v;
}

static void close_launch(struct launch *l)
{
	int *fds[] = { &l->null_fd, &l->log_fd, &l->filter_fd, &l->listen_fd,
		       &l->exe_fd, &l->cg_procs_fd };
	size_t i;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
	local_strv_free(l->argv);
	free(l->envp[0]);
}

/*
 * Root's process limit (RLIMIT_NPROC does not bind uid 0): the whole
 * environment runs in a pids cgroup whose pids.max is max_processes and
 * the environment's own few processes; its path is kept in env/cgroup for
 * stop. Nothing to do for other users, or without the option. 0, or the
 * refusal: never a start without the limit.
 */
static int limit_cgroup(struct local_sandbox *sb, int dirfd,
			struct local_cgroup *cg, int *procs_fd, wsp_error *err)
{
	char why[300], path[PATH_MAX + 2];
	int fd, rc;
	size_t len;

	if (!local_cgroup_needed(sb->limits.max_processes))
		return 0;
	rc = local_cgroup_create(cg, sb->limits.max_processes + ENV_OWN_PROCS,
				 why, sizeof(why));
	if (rc < 0)
		return wsp_error_set_os(err, WSP_EUNAVAIL, -rc,
					LOCAL_CGROUP_REFUSED, why);
	path[0] = '\0';
	rc = local_cgroup_path(cg, path, sizeof(path) - 1);
	len = strlen(path);
	path[len++] = '\n';
	fd = rc < 0 ? -1
		    : openat(dirfd, ENV_CGROUP, O_WRONLY | O_CREAT | O_TRUNC |
						      O_NOFOLLOW | O_CLOEXEC,
			     0600);
	if (fd < 0 || write(fd, path, len) != (ssize_t)len) {
		if (fd >= 0)
			close(fd);
		local_cgroup_destroy(cg);
		return wsp_error_set(err, WSP_EIO,
			"cannot record the process limit's cgroup in '%s/"
			ENV_DIR_NAME "'", sb->state_dir);
	}
	close(fd);
	*procs_fd = high(cg->procs_fd);
	cg->procs_fd = -1;
	return 0;
}

/* The environment's cgroup, emptied and removed (stop, failed start). */
static void drop_cgroup(int dirfd, struct local_cgroup *cg)
{
	char path[PATH_MAX + 2];
	ssize_t n = -1;
	int fd;

	if (cg->parent_fd < 0) {
		fd = proc_openat(dirfd, ENV_CGROUP, O_RDONLY, S_IFREG);
		if (fd >= 0) {
			n = read(fd, path, sizeof(path) - 1);
			close(fd);
		}
		if (n <= 0)
			return;
		path[n] = '\0';
		path[strcspn(path, "\n")] = '\0';
		if (local_cgroup_open_path(cg, path) < 0)
			return;
	}
	local_cgroup_destroy(cg);
	unlinkat(dirfd, ENV_CGROUP, 0);
}

static int launch(struct local_sandbox *sb, int dirfd, uint64_t fp,
		  int *sock, wsp_error *err)
{
	struct launch l = { -1, -1, -1, -1, -1, -1, NULL, { NULL, NULL } };
	struct local_cgroup cg = LOCAL_CGROUP_INIT;
	struct holder h;
	char *agent, why[400];
	int rc;

	agent = local_sibling(ENV_AGENT_NAME, err);
	if (!agent)
		return err ? err->code : WSP_ENOTFOUND;
	l.exe_fd = high(open(agent, O_RDONLY | O_CLOEXEC));
	rc = l.exe_fd < 0 ? -errno : 0;
	if (!rc)
		l.argv = holder_argv(sb, agent);
	free(agent);
	if (rc < 0)
		return wsp_error_set_os(err, WSP_ENOTFOUND, -rc,
			"cannot open '" ENV_AGENT_NAME "': %s; reinstall wsp "
			"so it sits next to the plugin", strerror(-rc));
	l.null_fd = high(open("/dev/null", O_RDWR | O_CLOEXEC));
	l.log_fd = high(openat(dirfd, ENV_LOG, O_WRONLY | O_CREAT | O_TRUNC |
					   O_NOFOLLOW | O_CLOEXEC, 0600));
	l.filter_fd = high(local_seccomp_fd());
	l.listen_fd = high(env_listen_at(dirfd, ENV_SOCK_NAME));
	l.envp[0] = malloc(strlen(sb->path) + 6);
	if (l.null_fd < 0 || l.log_fd < 0 || l.filter_fd < 0 ||
	    l.listen_fd < 0 || !l.argv || !l.envp[0]) {
		rc = l.listen_fd < 0 && l.listen_fd != -1 ? -l.listen_fd : EIO;
		close_launch(&l);
		return wsp_error_set_os(err, WSP_EIO, rc,
			"cannot prepare the sandbox's environment in '%s/"
			ENV_DIR_NAME "': %s", sb->state_dir, strerror(rc));
	}
	sprintf(l.envp[0], "PATH=%s", sb->path);
	rc = limit_cgroup(sb, dirfd, &cg, &l.cg_procs_fd, err);
	if (rc) {
		close_launch(&l);
		return rc;
	}
	memset(&h, 0, sizeof(h));
	rc = spawn_detached(&l, &h.pid);
	close_launch(&l);
	if (rc < 0) {
		drop_cgroup(dirfd, &cg);
		return wsp_error_set_os(err, WSP_EIO, -rc,
			"cannot start bwrap for the sandbox's environment: %s",
			strerror(-rc));
	}
	h.ticks = proc_start_ticks(h.pid);
	h.fp = fp;
	proc_boot_id(h.boot, sizeof(h.boot));
	*sock = ping(dirfd, READY_MS);
	if (*sock < 0) {
		log_reason(dirfd, why, sizeof(why));
		if (holder_alive(&h))
			kill(h.pid, SIGKILL);
		drop_cgroup(dirfd, &cg);
		return wsp_error_set(err, WSP_EUNAVAIL,
			"cannot start the sandbox's environment with bwrap: %s",
			why);
	}
	/* Kept: the environment lives in it until stop (local_env_stop). */
	if (cg.parent_fd >= 0)
		close(cg.parent_fd);
	rc = write_holder(dirfd, &h);
	if (rc < 0) {
		close(*sock);
		kill(h.pid, SIGKILL);
		return wsp_error_set_os(err, WSP_EIO, -rc,
			"cannot record the sandbox's environment in '%s/"
			ENV_DIR_NAME "': %s", sb->state_dir, strerror(-rc));
	}
	sb->host->log(sb->host, WSP_LOG_INFO,
		      "sandbox '%s': started its environment (bwrap pid %d)",
		      sb->id, (int)h.pid);
	return 0;
}

/* The running environment was built like this instance would build it. */
static int same_settings(struct local_sandbox *sb, int dirfd, uint64_t fp,
			 wsp_error *err)
{
	struct holder h;

	if (read_holder(dirfd, &h) == 0 && h.fp == fp)
		return 0;
	return wsp_error_set(err, WSP_EBUSY,
		"sandbox '%s' runs with other isolation settings (network, "
		"paths or working directory changed since it started); run "
		"'wsp sandbox stop' to apply the new ones", sb->id);
}

/* The instance's fingerprint, computed once (its options are fixed). */
static int instance_fingerprint(struct local_sandbox *sb, uint64_t *fp)
{
	char **argv;

	pthread_mutex_lock(&sb->lock);
	if (!sb->env_fp_known) {
		argv = local_bwrap_argv(sb, sb->bwrap_path, sb->working_dir,
					agent_cmd);
		if (argv) {
			/* Root's process limit is the environment's cgroup. */
			sb->env_fp = fingerprint(argv) ^
				     (local_cgroup_needed(sb->limits.max_processes)
					      ? sb->limits.max_processes *
							UINT64_C(0x9e3779b97f4a7c15)
					      : 0);
			sb->env_fp_known = 1;
			local_strv_free(argv);
		}
	}
	*fp = sb->env_fp;
	pthread_mutex_unlock(&sb->lock);
	return sb->env_fp_known ? 0 : -ENOMEM;
}

int local_env_connect(struct local_sandbox *sb, int *sock, wsp_error *err)
{
	uint64_t fp;
	int dirfd, lock, rc;

	if (instance_fingerprint(sb, &fp) < 0)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	dirfd = open_dir(sb, 1);
	if (dirfd < 0)
		return wsp_error_set_os(err, dirfd == -EPERM ? WSP_EPERM
							     : WSP_EIO,
			-dirfd, "cannot use '%s/" ENV_DIR_NAME "': %s",
			sb->state_dir, dirfd == -EPERM
				? "it must be a directory of this user that "
				  "only this user can open"
				: strerror(-dirfd));
	*sock = env_connect_at(dirfd);
	if (*sock >= 0) {
		rc = same_settings(sb, dirfd, fp, err);
		goto out;
	}
	/* One starter at a time; the others find what it started. */
	lock = openat(dirfd, ENV_LOCK,
		      O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX) < 0) {
		rc = wsp_error_set_os(err, WSP_EIO, errno,
				      "cannot lock '%s/" ENV_DIR_NAME "/"
				      ENV_LOCK "': %s", sb->state_dir,
				      strerror(errno));
		if (lock >= 0)
			close(lock);
		close(dirfd);
		return rc;
	}
	*sock = env_connect_at(dirfd);
	if (*sock >= 0)
		rc = same_settings(sb, dirfd, fp, err);
	else
		rc = launch(sb, dirfd, fp, sock, err);
	close(lock); /* drops the flock */
out:
	if (rc && *sock >= 0) {
		close(*sock);
		*sock = -1;
	}
	close(dirfd);
	return rc;
}

int local_env_ensure(struct local_sandbox *sb, wsp_error *err)
{
	int sock, rc = local_env_connect(sb, &sock, err);

	if (!rc)
		close(sock);
	return rc;
}

int local_env_running(const struct local_sandbox *sb)
{
	int dirfd = open_dir(sb, 0), sock;

	if (dirfd < 0)
		return 0;
	sock = env_connect_at(dirfd);
	close(dirfd);
	if (sock < 0)
		return 0;
	close(sock);
	return 1;
}

pid_t local_env_holder(const struct local_sandbox *sb)
{
	struct holder h;
	int dirfd = open_dir(sb, 0), rc;

	if (dirfd < 0)
		return 0;
	rc = read_holder(dirfd, &h);
	close(dirfd);
	return rc == 0 && holder_alive(&h) ? h.pid : 0;
}

/* Wait until the agent closes the connection (it has ended). */
static void wait_closed(int sock, int64_t ms)
{
	int64_t deadline = mono_ms() + ms;
	char byte;

	for (;;) {
		struct pollfd p = { sock, POLLIN, 0 };
		int64_t left = deadline - mono_ms();

		if (left <= 0)
			return;
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			return;
		if (p.revents) {
			ssize_t n = recv(sock, &byte, 1, MSG_DONTWAIT);

			if (n == 0 || (n < 0 && errno != EAGAIN &&
				       errno != EINTR))
				return;
		}
	}
}

int local_env_stop(struct local_sandbox *sb, wsp_error *err)
{
	struct holder h;
	int dirfd = open_dir(sb, 0), sock, have;

	(void)err;
	if (dirfd < 0)
		return 0; /* never started, or not ours to touch */
	have = read_holder(dirfd, &h) == 0;
	sock = env_connect_at(dirfd);
	if (sock >= 0) {
		if (env_send(sock, ENV_SHUTDOWN, NULL, 0, NULL, 0) == 0)
			wait_closed(sock, SHUTDOWN_MS);
		close(sock);
	}
	if (have && holder_alive(&h))
		kill(h.pid, SIGKILL);
	{
		struct local_cgroup cg = LOCAL_CGROUP_INIT;

		drop_cgroup(dirfd, &cg);
	}
	unlinkat(dirfd, ENV_SOCK_NAME, 0);
	unlinkat(dirfd, ENV_HOLDER, 0);
	close(dirfd);
	return 0;
}

int local_env_forward(struct local_sandbox *sb, uint32_t port,
		      uint32_t *outer, wsp_error *err)
{
	struct env_frame f;
	unsigned char v[4];
	int dirfd, sock, rc;

	rc = local_env_ensure(sb, err);
	if (rc)
		return rc;
	dirfd = open_dir(sb, 0);
	sock = dirfd < 0 ? dirfd : env_connect_name(dirfd, ENV_HOLD_NAME);
	if (dirfd >= 0)
		close(dirfd);
	if (sock < 0)
		return wsp_error_set_os(err, WSP_EUNAVAIL, -sock,
			"preview: the holder of sandbox '%s' does not answer: "
			"%s", sb->id, strerror(-sock));
	env_put32(v, port);
	rc = env_send(sock, ENV_FORWARD, v, sizeof(v), NULL, 0);
	if (!rc)
		rc = env_recv(sock, &f);
	close(sock);
	if (rc < 0)
		return wsp_error_set_os(err, WSP_EIO, -rc,
			"preview: no answer from the holder of sandbox '%s': "
			"%s", sb->id, strerror(-rc));
	rc = 0;
	if (f.type == ENV_PORT && f.len == 4 &&
	    (*outer = env_get32((unsigned char *)f.data)) > 0 &&
	    *outer <= 65535)
		rc = 0;
	else if (f.type == ENV_ERROR && f.len == 4)
		rc = wsp_error_set(err, WSP_EIO,
			"preview: cannot forward port %u of sandbox '%s': %s",
			port, sb->id,
			strerror((int)(env_get32((unsigned char *)f.data) &
				       0xfff)));
	else
		rc = wsp_error_set(err, WSP_EIO,
			"preview: the holder of sandbox '%s' answered "
			"something else", sb->id);
	env_frame_free(&f);
	return rc;
}
