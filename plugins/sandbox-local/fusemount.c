/*
 * plugins/sandbox-local/fusemount.c - running a FUSE client (s3fs,
 * rclone) on the host until its mount is there, reading the mount table,
 * unmounting with fusermount3, and handing the client its secrets
 * (fusemount.h). A client gets no environment of ours: PATH and the
 * secrets it is given, nothing the caller's environment holds.
 */
#include "fusemount.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FUSERMOUNT   "/usr/bin/fusermount3"
#define TOOL_WAIT_MS 30000 /* a client mounts, or fusermount unmounts */

char local_fuse_path_env[] = "PATH=/usr/bin:/bin";

/* ---- the mount table ---------------------------------------------------- */

/* mnt written as /proc/self/mountinfo writes a mount point (octal escapes) */
static void mountinfo_escape(char *dst, size_t cap, const char *mnt)
{
	size_t n = 0;

	for (; *mnt && n + 5 < cap; mnt++) {
		unsigned char c = (unsigned char)*mnt;

		if (c == ' ' || c == '\t' || c == '\n' || c == '\\')
			n += (size_t)snprintf(dst + n, cap - n, "\\%03o", c);
		else
			dst[n++] = (char)c;
	}
	dst[n] = '\0';
}

int local_fuse_mounted_at(const char *mnt)
{
	char want[8192], line[12288], point[8192], *fs;
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int found = 0;

	if (!f)
		return 0;
	mountinfo_escape(want, sizeof(want), mnt);
	while (!found && fgets(line, sizeof(line), f)) {
		/* ID PARENT MAJ:MIN ROOT POINT OPTS ... - FSTYPE SOURCE ... */
		if (sscanf(line, "%*s %*s %*s %*s %8191s", point) != 1 ||
		    strcmp(point, want))
			continue;
		fs = strstr(line, " - ");
		found = fs && !strncmp(fs + 3, "fuse", 4);
	}
	fclose(f);
	return found;
}

/* ---- running a client and fusermount3 ---------------------------------- */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Run argv (an absolute path) with envp, stdin and stdout on /dev/null,
 * stderr on errfd (or /dev/null), nothing else inherited; its exit status,
 * or -1 when it could not run or outlived TOOL_WAIT_MS (then killed).
 */
static int run_tool(char *const argv[], char *const envp[], int errfd)
{
	posix_spawn_file_actions_t fa;
	int64_t end = now_ms() + TOOL_WAIT_MS;
	int status, rc;
	pid_t pid, w;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (errfd >= 0)
		posix_spawn_file_actions_adddup2(&fa, errfd, 2);
	else
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY,
						 0);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	if (rc)
		return -1;
	for (;;) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		if (w < 0 && errno != EINTR)
			return -1;
		if (now_ms() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		usleep(5000);
	}
}

/* Unmount mnt: fusermount3 -u, lazily if busy; root may umount2 too. */
int local_fuse_unmount(const char *mnt)
{
	char *u[] = {FUSERMOUNT, "-u", (char *)mnt, NULL};
	char *uz[] = {FUSERMOUNT, "-uz", (char *)mnt, NULL};
	char *envp[] = {local_fuse_path_env, NULL};

	if (!local_fuse_mounted_at(mnt))
		return 0;
	if (run_tool(u, envp, -1) == 0 || run_tool(uz, envp, -1) == 0)
		return 0;
	if (geteuid() == 0 && umount2(mnt, MNT_DETACH) == 0)
		return 0;
	return local_fuse_mounted_at(mnt) ? -EBUSY : 0;
}

/* The last line the client wrote to its log (its complaint), in msg. */
static void last_line(const char *log, char *msg, size_t cap)
{
	char buf[2048], *p;
	ssize_t n;
	int fd = open(log, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	msg[0] = '\0';
	if (fd < 0)
		return;
	if (lseek(fd, 0, SEEK_END) > (off_t)sizeof(buf) - 1)
		lseek(fd, -(off_t)(sizeof(buf) - 1), SEEK_END);
	else
		lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	p = strrchr(buf, '\n');
	p = p ? p + 1 : buf;
	n = (ssize_t)strlen(p);
	if ((size_t)n >= cap)
		n = (ssize_t)cap - 1;
	memcpy(msg, p, (size_t)n);
	msg[n] = '\0';
}

/* 1 once mnt is a FUSE mount that answers stat, polling until end_ms. */
static int wait_mounted(const char *mnt, int64_t end_ms)
{
	struct stat st;

	for (;;) {
		if (local_fuse_mounted_at(mnt) && stat(mnt, &st) == 0)
			return 1;
		if (now_ms() > end_ms)
			return 0;
		usleep(10000);
	}
}

int local_fuse_mount(const struct local_fuse_run *r, wsp_error *err)
{
	char msg[300];
	int logfd, status;

	logfd = open(r->log,
		     O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_NOFOLLOW |
			     O_CLOEXEC,
		     0600);
	status = run_tool(r->argv, r->envp, logfd);
	if (logfd >= 0)
		close(logfd);
	if (r->secret_file)
		unlink(r->secret_file); /* read before the client mounted */
	/* a client back in the foreground has mounted, or is about to */
	if (status == 0 && wait_mounted(r->mnt, now_ms() + 2000))
		return 0;
	local_fuse_unmount(r->mnt);
	last_line(r->log, msg, sizeof(msg));
	return wsp_error_set(err, WSP_EUNAVAIL,
			     "%s could not mount bucket '%s' at '%s'%s%s%s",
			     r->client, r->bucket, r->mnt, msg[0] ? ": " : "",
			     msg, msg[0] ? "" : r->silent_hint);
}

/* ---- secrets ------------------------------------------------------------ */

int local_fuse_secret_file(const char *file, const char *text, size_t len)
{
	int fd, rc = 0;

	unlink(file);
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		rc = -EIO;
	if (close(fd) < 0 && !rc)
		rc = -EIO;
	if (rc)
		unlink(file);
	return rc;
}

char *local_fuse_secret_env(const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 2;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s=%s", name, value);
	return s;
}

void local_fuse_wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n--)
		*v++ = 0;
}

void local_fuse_wipe_free(char *s)
{
	if (s)
		local_fuse_wipe(s, strlen(s));
	free(s);
}

/* ---- who may mount ------------------------------------------------------ */

int local_fuse_usable(wsp_error *err)
{
	if (access("/dev/fuse", R_OK | W_OK) < 0)
		return wsp_error_set_os(
			err, WSP_ENOTSUP, errno,
			"cannot mount stores: FUSE (/dev/fuse) is not usable "
			"by this user: %s",
			strerror(errno));
	if (geteuid() != 0 && access(FUSERMOUNT, X_OK) < 0)
		return wsp_error_set(
			err, WSP_ENOTSUP,
			"cannot mount stores: %s is missing (fuse3)",
			FUSERMOUNT);
	return 0;
}

int local_fuse_client_usable(const char *client, const char *type,
			     wsp_error *err)
{
	const char *name = strrchr(client, '/') + 1;
	int rc = local_fuse_usable(err);

	if (rc)
		return rc;
	if (access(client, X_OK) < 0)
		return wsp_error_set(err, WSP_ENOTSUP,
				     "cannot mount stores of type '%s': %s is "
				     "not installed (%s; apt-get install %s)",
				     type, name, client, name);
	return 0;
}
