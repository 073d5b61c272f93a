/*
 * plugins/sandbox-local/s3fs.c - running Debian's s3fs and fusermount3
 * for mounts.c, and reading the mount table (s3fs.h). s3fs gets the
 * credentials in a 0600 file removed once it has mounted (a session token
 * through its environment), never on its command line; it returns once
 * it has mounted and gone to the background.
 */
#include "s3fs.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define S3FS "/usr/bin/s3fs"
#define FUSERMOUNT "/usr/bin/fusermount3"
#define TOOL_WAIT_MS 30000 /* s3fs mounts, or fusermount unmounts */

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

/* 1 when a FUSE filesystem is mounted exactly at mnt, else 0. */
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

/* ---- running s3fs and fusermount3 -------------------------------------- */

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
 * s3fs returns once it has mounted and gone to the background.
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
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null",
						 O_WRONLY, 0);
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

static char tool_path_env[] = "PATH=/usr/bin:/bin";

/* Unmount mnt: fusermount3 -u, lazily if busy; root may umount2 too. */
int local_fuse_unmount(const char *mnt)
{
	char *u[] = { FUSERMOUNT, "-u", (char *)mnt, NULL };
	char *uz[] = { FUSERMOUNT, "-uz", (char *)mnt, NULL };
	char *envp[] = { tool_path_env, NULL };

	if (!local_fuse_mounted_at(mnt))
		return 0;
	if (run_tool(u, envp, -1) == 0 || run_tool(uz, envp, -1) == 0)
		return 0;
	if (geteuid() == 0 && umount2(mnt, MNT_DETACH) == 0)
		return 0;
	return local_fuse_mounted_at(mnt) ? -EBUSY : 0;
}

/* The last line s3fs wrote to its log (its complaint), in msg. */
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

/* The secrets' file for s3fs, 0600, made here: 0 or -errno. */
static int write_passwd(const char *file, const wsp_mount_source *src)
{
	const char *id = wsp_mount_source_credential(src, "access_key_id");
	const char *key = wsp_mount_source_credential(src, "secret_access_key");
	int fd, rc = 0;
	size_t a, b;

	if (!id || !key)
		return -EINVAL;
	unlink(file);
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return -errno;
	a = strlen(id);
	b = strlen(key);
	if (write(fd, id, a) != (ssize_t)a || write(fd, ":", 1) != 1 ||
	    write(fd, key, b) != (ssize_t)b || write(fd, "\n", 1) != 1)
		rc = -EIO;
	if (close(fd) < 0 && !rc)
		rc = -EIO;
	if (rc)
		unlink(file);
	return rc;
}

/* What mount needs, built from src with nothing secret in it. */
struct s3fs_cmd {
	char bucket[WSP_MOUNT_BUCKET_MAX + WSP_MOUNT_PREFIX_MAX + 4];
	char opts[WSP_MOUNT_ENDPOINT_MAX + WSP_MOUNT_REGION_MAX + 4096 + 256];
};

static int s3fs_cmd_build(struct s3fs_cmd *c, const wsp_mount_source *src,
			  const char *passwd, int ro)
{
	size_t plen = strlen(src->prefix), n;

	if (strchr(src->endpoint, ',') || strchr(src->region, ','))
		return -EINVAL; /* s3fs splits its options at commas */
	/* bucket:/prefix, without the prefix's final '/' */
	if (plen)
		snprintf(c->bucket, sizeof(c->bucket), "%s:/%.*s", src->bucket,
			 (int)(src->prefix[plen - 1] == '/' ? plen - 1 : plen),
			 src->prefix);
	else
		snprintf(c->bucket, sizeof(c->bucket), "%s", src->bucket);
	/* files the caller's (the sandbox's uid) and no one else's */
	n = (size_t)snprintf(c->opts, sizeof(c->opts),
			     "uid=%u,gid=%u,umask=0077,mp_umask=0077",
			     (unsigned)getuid(), (unsigned)getgid());
	if (src->endpoint[0])
		n += (size_t)snprintf(c->opts + n, sizeof(c->opts) - n,
				      ",url=%s", src->endpoint);
	if (src->region[0])
		n += (size_t)snprintf(c->opts + n, sizeof(c->opts) - n,
				      ",endpoint=%s", src->region);
	if (src->flags & WSP_MOUNT_PATH_STYLE)
		n += (size_t)snprintf(c->opts + n, sizeof(c->opts) - n,
				      ",use_path_request_style");
	if (ro)
		n += (size_t)snprintf(c->opts + n, sizeof(c->opts) - n, ",ro");
	if (src->flags & WSP_MOUNT_ANONYMOUS)
		n += (size_t)snprintf(c->opts + n, sizeof(c->opts) - n,
				      ",public_bucket=1");
	else if (passwd)
		n += (size_t)snprintf(c->opts + n, sizeof(c->opts) - n,
				      ",passwd_file=%s", passwd);
	return n < sizeof(c->opts) ? 0 : -ENAMETOOLONG;
}

/* An environment variable holding a secret, wiped by the caller. */
static char *secret_env(const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 2;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s=%s", name, value);
	return s;
}

static void wipe_free(char *s)
{
	volatile char *p = s;

	while (p && *p)
		*p++ = 0;
	free(s);
}

int local_s3fs_mount(const char *dir, const char *mnt,
		      const wsp_mount_source *src, int ro, wsp_error *err)
{
	const char *token = wsp_mount_source_credential(src, "session_token");
	int anon = (src->flags & WSP_MOUNT_ANONYMOUS) != 0;
	char *passwd = local_path_join(dir, "passwd");
	char *log = local_path_join(dir, "s3fs.log");
	char *envp[5] = { tool_path_env, NULL }, msg[300];
	struct s3fs_cmd *c = calloc(1, sizeof(*c));
	struct stat st;
	int logfd = -1, rc, status, i;

	if (!passwd || !log || !c) {
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
		goto out;
	}
	if (!anon && token) {
		/* s3fs's passwd file has no place for a token */
		const char *id =
			wsp_mount_source_credential(src, "access_key_id");
		const char *key =
			wsp_mount_source_credential(src, "secret_access_key");

		envp[1] = secret_env("AWSACCESSKEYID", id ? id : "");
		envp[2] = secret_env("AWSSECRETACCESSKEY", key ? key : "");
		envp[3] = secret_env("AWSSESSIONTOKEN", token);
		rc = envp[1] && envp[2] && envp[3] ? 0 : -ENOMEM;
	} else {
		rc = anon ? 0 : write_passwd(passwd, src);
	}
	if (rc) {
		rc = wsp_error_set_os(err, rc == -EINVAL ? WSP_EINVAL : WSP_EIO,
			-rc, "cannot hand the credentials to s3fs: %s",
			rc == -EINVAL ? "the source has no access key pair"
				      : strerror(-rc));
		goto out;
	}
	rc = s3fs_cmd_build(c, src, anon || token ? NULL : passwd, ro);
	if (rc) {
		rc = wsp_error_set(err, WSP_EINVAL,
			"cannot pass the store's endpoint or region to s3fs: "
			"%s", rc == -EINVAL ? "it holds a comma"
					    : "too long");
		goto out;
	}
	logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
			  O_CLOEXEC, 0600);
	{
		char *argv[] = { S3FS, c->bucket, (char *)mnt, "-o", c->opts,
				 NULL };

		status = run_tool(argv, envp, logfd);
	}
	unlink(passwd); /* s3fs read it before it mounted */
	if (status == 0 && local_fuse_mounted_at(mnt) && stat(mnt, &st) == 0) {
		rc = 0;
		goto out;
	}
	local_fuse_unmount(mnt);
	last_line(log, msg, sizeof(msg));
	rc = wsp_error_set(err, WSP_EUNAVAIL,
		"s3fs could not mount bucket '%s' at '%s'%s%s%s", src->bucket,
		mnt, msg[0] ? ": " : "", msg,
		msg[0] ? "" : " (s3fs ended, or the bucket did not answer; "
			      "its messages go to syslog once mounted)");
out:
	if (logfd >= 0)
		close(logfd);
	for (i = 1; i < 4; i++)
		wipe_free(envp[i]);
	if (passwd)
		unlink(passwd);
	free(passwd);
	free(log);
	free(c);
	return rc;
}

/*
 * Why this host cannot run s3fs for this user, or 0: WSP_ENOTSUP, as the
 * descriptor then claims no WSP_CAP_SANDBOX_MOUNT (sandbox.c).
 */
int local_s3fs_usable(wsp_error *err)
{
	if (access(S3FS, X_OK) < 0)
		return wsp_error_set(err, WSP_ENOTSUP,
			"cannot mount stores: s3fs is not installed (%s; "
			"apt-get install s3fs)", S3FS);
	if (access("/dev/fuse", R_OK | W_OK) < 0)
		return wsp_error_set_os(err, WSP_ENOTSUP, errno,
			"cannot mount stores: FUSE (/dev/fuse) is not usable "
			"by this user: %s", strerror(errno));
	if (geteuid() != 0 && access(FUSERMOUNT, X_OK) < 0)
		return wsp_error_set(err, WSP_ENOTSUP,
			"cannot mount stores: %s is missing (fuse3)",
			FUSERMOUNT);
	return 0;
}
