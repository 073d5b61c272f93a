/*
 * plugins/sandbox-local/bwrap.c - the bubblewrap command line around a
 * command, finding bwrap, and checking once that it works here.
 *
 * Inside: a user namespace of its own without capabilities (and no
 * nested ones), the seccomp filter of seccomp.c, the system directories
 * read-only, a chosen few files of /etc (not /etc/shadow, not private
 * keys), a private /tmp, a minimal /dev, a fresh /proc whose kernel
 * settings are read-only, new PID/IPC/UTS namespaces, no network unless
 * allowed, the
 * working directory at its host path (read-write, or read-only by option)
 * and the configured extra paths. Everything else of the host (/root,
 * /home, the real /tmp, ...) is absent. The command's environment is
 * passed to bwrap's execve, not with --setenv, so values never appear in
 * a command line other users can read in /proc.
 *
 * No --new-session: the command already runs in a session of its own
 * without a controlling terminal (and the filter refuses TIOCSTI), and
 * staying in our process group lets a timeout's SIGTERM reach it before
 * the SIGKILL.
 *
 * Whoever starts the command line must give bwrap the filter on
 * descriptor LOCAL_SECCOMP_FD (local_seccomp_fd()).
 */
#include "instance.h"
#include "mounts.h"
#include "seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* System directories mounted read-only (or recreated as symlinks). */
static const char *const system_dirs[] = {
	"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", NULL
};

/* The parts of /etc programs need; no secrets (shadow, ssl/private). */
static const char *const etc_entries[] = {
	"/etc/alternatives", "/etc/ssl/certs", "/etc/ssl/openssl.cnf",
	"/etc/ca-certificates", "/etc/ca-certificates.conf", "/etc/resolv.conf",
	"/etc/hosts", "/etc/hostname", "/etc/passwd", "/etc/group",
	"/etc/nsswitch.conf", "/etc/ld.so.cache", "/etc/ld.so.conf",
	"/etc/ld.so.conf.d", "/etc/localtime", "/etc/timezone",
	"/etc/os-release", "/etc/debian_version", "/etc/mime.types",
	"/etc/protocols", "/etc/services", "/etc/gai.conf", "/etc/host.conf",
	"/etc/inputrc", "/etc/terminfo", "/etc/magic", "/etc/profile",
	"/etc/bash.bashrc", "/etc/environment", "/etc/locale.alias",
	"/etc/gitconfig", "/etc/python3", NULL
};

/*
 * Parts of the fresh /proc bound read-only over themselves. Run by root,
 * the command's uid 0 is the host's uid 0 (so its files belong to the
 * caller), and the kernel lets that uid write /proc/sys (core_pattern,
 * drop_caches...) and /proc/sysrq-trigger by their file modes alone,
 * capabilities or not.
 * bwrap covers these itself only where access(W_OK) says so, and the
 * kernel answers EACCES for the /proc/sys directory while the files in it
 * stay writable: cover them always.
 */
static const char *const proc_covered[] = {
	"/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus",
	"/proc/fs", "/proc/acpi", NULL
};

char *local_bwrap_find(const char *path)
{
	/* a relative entry would name a different bwrap from every cwd */
	return local_path_search(path, "bwrap", true);
}

/* A growing argument vector; on failure it remembers and frees nothing. */
struct argv_builder {
	char **v;
	size_t n, cap;
	int failed;
};

static void add(struct argv_builder *b, const char *s)
{
	if (b->failed)
		return;
	if (b->n + 2 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		char **v = realloc(b->v, cap * sizeof(*v));

		if (!v) {
			b->failed = 1;
			return;
		}
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n] = strdup(s);
	if (!b->v[b->n]) {
		b->failed = 1;
		return;
	}
	b->v[++b->n] = NULL;
}

static void add3(struct argv_builder *b, const char *a, const char *x,
		 const char *y)
{
	add(b, a);
	add(b, x);
	add(b, y);
}

/* A system directory: its symlink recreated, or itself bound read-only. */
static void add_system_dir(struct argv_builder *b, const char *dir)
{
	char target[4096];
	struct stat st;
	ssize_t n;

	if (lstat(dir, &st) < 0)
		return;
	if (S_ISLNK(st.st_mode)) {
		n = readlink(dir, target, sizeof(target) - 1);
		if (n <= 0)
			return;
		target[n] = '\0';
		add3(b, "--symlink", target, dir);
	} else if (S_ISDIR(st.st_mode)) {
		add3(b, "--ro-bind", dir, dir);
	}
}

struct bind {
	const char *path;
	int writable;
};

/* Shorter paths first: a nested path is bound after its parent. */
static int by_length(const void *a, const void *b)
{
	size_t la = strlen(((const struct bind *)a)->path);
	size_t lb = strlen(((const struct bind *)b)->path);

	return la < lb ? -1 : la > lb;
}

/*
 * The working directory and the configured paths, parents before what
 * they contain, so each keeps its own mode (a read-only path inside the
 * working directory stays read-only, and a read-only parent does not hide
 * a writable working directory).
 */
static void add_user_binds(struct argv_builder *b,
			   const struct local_sandbox *sb)
{
	size_t n_ro = local_strv_len(sb->ro_paths);
	size_t n_rw = local_strv_len(sb->rw_paths);
	size_t n = 0, i;
	struct bind *v = calloc(1 + n_ro + n_rw, sizeof(*v));

	if (!v) {
		b->failed = 1;
		return;
	}
	v[n++] = (struct bind){ sb->working_dir, !sb->read_only_workdir };
	for (i = 0; i < n_ro; i++)
		v[n++] = (struct bind){ sb->ro_paths[i], 0 };
	for (i = 0; i < n_rw; i++)
		v[n++] = (struct bind){ sb->rw_paths[i], 1 };
	qsort(v, n, sizeof(*v), by_length);
	for (i = 0; i < n; i++)
		add3(b, v[i].writable ? "--bind" : "--ro-bind", v[i].path,
		     v[i].path);
	free(v);
}

/*
 * The stores s3fs mounted on the host for this sandbox (mounts.c), each at
 * its sandbox path, after the user's binds so a store inside the working
 * directory covers that directory's entry. A missing record list binds
 * nothing; a failure to read it fails the command line.
 */
static void add_store_binds(struct argv_builder *b,
			    const struct local_sandbox *sb)
{
	struct local_bind_mount *v;
	size_t n, i;

	if (local_bind_mounts(sb, &v, &n) < 0) {
		b->failed = 1;
		return;
	}
	for (i = 0; i < n; i++)
		add3(b, v[i].read_only ? "--ro-bind" : "--bind", v[i].mnt,
		     v[i].path);
	local_bind_mounts_free(v, n);
}

char **local_bwrap_argv(const struct local_sandbox *sb, const char *bwrap,
			const char *cwd, char *const *cmd)
{
	struct argv_builder b = { 0 };
	size_t i;

	add(&b, bwrap);
	/*
	 * A user namespace of its own, no capability in it, and none to be
	 * made inside: root keeps no privilege over the host (an
	 * unprivileged caller gets a namespace anyway). The command keeps
	 * the caller's uid, so files it writes are the caller's on the host.
	 */
	add(&b, "--unshare-user");
	add(&b, "--disable-userns");
	add(&b, "--cap-drop");
	add(&b, "ALL");
	add(&b, "--seccomp");
	add(&b, LOCAL_SECCOMP_FD_ARG);
	add(&b, "--die-with-parent");
	add(&b, "--unshare-pid");
	add(&b, "--unshare-ipc");
	add(&b, "--unshare-uts");
	if (!sb->allow_network)
		add(&b, "--unshare-net");
	for (i = 0; system_dirs[i]; i++)
		add_system_dir(&b, system_dirs[i]);
	for (i = 0; etc_entries[i]; i++)
		add3(&b, "--ro-bind-try", etc_entries[i], etc_entries[i]);
	add(&b, "--proc");
	add(&b, "/proc");
	for (i = 0; proc_covered[i]; i++)
		add3(&b, "--ro-bind-try", proc_covered[i], proc_covered[i]);
	add(&b, "--dev");
	add(&b, "/dev");
	add(&b, "--tmpfs");
	add(&b, "/tmp");
	add_user_binds(&b, sb);
	add_store_binds(&b, sb);
	/* The root bwrap built (holding /etc, mount points) is read-only. */
	add(&b, "--remount-ro");
	add(&b, "/");
	add(&b, "--chdir");
	add(&b, cwd);
	add(&b, "--");
	for (i = 0; cmd[i]; i++)
		add(&b, cmd[i]);
	if (b.failed) {
		local_strv_free(b.v);
		return NULL;
	}
	return b.v;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int local_bwrap_probe(struct local_sandbox *sb, const char *bwrap,
		      wsp_error *err)
{
	char *const cmd[] = { "/bin/sh", "-c", "exit 0", NULL };
	char path_env[64] = "PATH=" LOCAL_DEFAULT_PATH;
	char *envp[] = { path_env, NULL };
	posix_spawn_file_actions_t fa;
	char msg[200] = "";
	size_t len = 0;
	int64_t deadline = now_ms() + 5000;
	char **argv;
	int pfd[2], filter, status = 0, rc;
	pid_t pid;

	filter = local_seccomp_fd();
	if (filter < 0)
		return wsp_error_set_os(err, WSP_EUNAVAIL, -filter,
			"cannot build the seccomp filter: %s",
			filter == -ENOSYS ? "no filter for this architecture"
					  : strerror(-filter));
	argv = local_bwrap_argv(sb, bwrap, sb->working_dir, cmd);
	if (!argv) {
		close(filter);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		rc = errno;
		close(filter);
		local_strv_free(argv);
		return wsp_error_set_os(err, WSP_EIO, rc, "pipe: %s",
					strerror(rc));
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
	posix_spawn_file_actions_adddup2(&fa, filter, LOCAL_SECCOMP_FD);
	/* None of the host's descriptors reach the sandbox. */
	posix_spawn_file_actions_addclosefrom_np(&fa, LOCAL_SECCOMP_FD + 1);
	rc = posix_spawn(&pid, bwrap, &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	local_strv_free(argv);
	close(filter);
	close(pfd[1]);
	if (rc) {
		close(pfd[0]);
		return wsp_error_set_os(err, WSP_EUNAVAIL, rc,
					"cannot run '%s': %s", bwrap,
					strerror(rc));
	}
	for (;;) {
		struct pollfd p = { pfd[0], POLLIN, 0 };
		int64_t left = deadline - now_ms();
		ssize_t n;

		if (left <= 0) {
			kill(pid, SIGKILL);
			break;
		}
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			break;
		if (!(p.revents & (POLLIN | POLLHUP)))
			continue;
		n = read(pfd[0], msg + len, sizeof(msg) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == sizeof(msg) - 1)
			break;
	}
	close(pfd[0]);
	msg[len] = '\0';
	while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		msg[--len] = '\0';
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	return wsp_error_set(err, WSP_EUNAVAIL, "%s",
			     len ? msg : "bwrap failed to start a command");
}
