/*
 * plugins/sandbox-local/mounts.c - object stores inside a local sandbox
 * (mounts.h, docs/local-environment.md "Mounts").
 *
 * s3fs (Debian's s3fs-fuse) always runs on the host, as the caller:
 *   - isolated: on <state_dir>/mounts/<hash>/mnt, which bwrap.c binds at
 *     the sandbox path (read-only when asked) when the environment
 *     starts. A running environment cannot gain a mount: this machine's
 *     mounts are private (no propagation into bwrap's namespace), and
 *     entering the environment's mount namespace with privilege is what
 *     the environment's design refuses (docs/local-environment.md). So a
 *     mount while it runs is WSP_EBUSY, unless it is already there (the
 *     core mounts configured stores after every start);
 *   - unisolated: at the sandbox path itself, the host being the sandbox.
 * The credentials reach s3fs in a 0600 file that is removed once s3fs has
 * read it and mounted (a session token, which that file cannot hold,
 * through s3fs's environment instead), never on its command line, in a
 * record or a log line.
 */
#include "env.h"
#include "mounts.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define S3FS "/usr/bin/s3fs"
#define FUSERMOUNT "/usr/bin/fusermount3"
#define TOOL_WAIT_MS 30000 /* s3fs mounts, or fusermount unmounts */

struct rec {
	char path[4096];
	char source[2048];
	char mnt[4096];
	int ro;
};

/* ---- paths and records -------------------------------------------------- */

/*
 * Canonical (the kernel's mount table names mount points so, and a mount
 * point is only ever compared with it: "./state" would never match).
 */
static char *mounts_dir(const struct local_sandbox *sb)
{
	char *dir = local_path_join(sb->state_dir, "mounts");
	char *real = dir ? local_path_real(dir) : NULL;

	free(dir);
	return real;
}

/* <state_dir>/mounts/<FNV-1a of path> */
static char *slot_dir(const struct local_sandbox *sb, const char *path)
{
	uint64_t h = UINT64_C(1469598103934665603);
	char name[24], *dir, *out;

	for (; *path; path++) {
		h ^= (unsigned char)*path;
		h *= UINT64_C(1099511628211);
	}
	snprintf(name, sizeof(name), "%016llx", (unsigned long long)h);
	dir = mounts_dir(sb);
	out = dir ? local_path_join(dir, name) : NULL;
	free(dir);
	return out;
}

static void line_value(char *dst, size_t cap, const char *text,
		       const char *key)
{
	size_t klen = strlen(key), n;
	const char *p = text;

	dst[0] = '\0';
	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			p += klen + 1;
			n = strcspn(p, "\n");
			if (n < cap) {
				memcpy(dst, p, n);
				dst[n] = '\0';
			}
			return;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
}

/* 0 and r filled, -ENOENT when none, or -errno. */
static int rec_read(const char *dir, struct rec *r)
{
	char *file = local_path_join(dir, "record"), text[12288], ro[4];
	ssize_t n;
	int fd;

	if (!file)
		return -ENOMEM;
	fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	free(file);
	if (fd < 0)
		return -errno;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	text[n] = '\0';
	line_value(r->path, sizeof(r->path), text, "path");
	line_value(r->source, sizeof(r->source), text, "source");
	line_value(r->mnt, sizeof(r->mnt), text, "mnt");
	line_value(ro, sizeof(ro), text, "ro");
	r->ro = !strcmp(ro, "1");
	return r->path[0] && r->mnt[0] ? 0 : -EPROTO;
}

/* Written beside and renamed: a reader never sees half a record. */
static int rec_write(const char *dir, const struct rec *r)
{
	char *tmp = local_path_join(dir, "record.tmp");
	char *file = local_path_join(dir, "record");
	int fd, rc = -ENOMEM;
	FILE *f;

	if (!tmp || !file)
		goto out;
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	rc = -errno;
	if (fd < 0)
		goto out;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		goto out;
	}
	fprintf(f, "path=%s\nsource=%s\nmnt=%s\nro=%d\n", r->path, r->source,
		r->mnt, r->ro);
	rc = fclose(f) ? -EIO : 0;
	if (!rc && rename(tmp, file) < 0)
		rc = -errno;
out:
	free(tmp);
	free(file);
	return rc;
}

/* An flock on mounts/lock: one process mounts or unmounts at a time. */
static int mounts_lock(const struct local_sandbox *sb)
{
	char *dir = mounts_dir(sb), *file;
	int fd;

	if (!dir || local_mkdir_p(dir, 0700) < 0) {
		free(dir);
		return -1;
	}
	file = local_path_join(dir, "lock");
	free(dir);
	if (!file)
		return -1;
	fd = open(file, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	free(file);
	if (fd >= 0 && flock(fd, LOCK_EX) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

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
static int fuse_mounted_at(const char *mnt)
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
static int fuse_unmount(const char *mnt)
{
	char *u[] = { FUSERMOUNT, "-u", (char *)mnt, NULL };
	char *uz[] = { FUSERMOUNT, "-uz", (char *)mnt, NULL };
	char *envp[] = { tool_path_env, NULL };

	if (!fuse_mounted_at(mnt))
		return 0;
	if (run_tool(u, envp, -1) == 0 || run_tool(uz, envp, -1) == 0)
		return 0;
	if (geteuid() == 0 && umount2(mnt, MNT_DETACH) == 0)
		return 0;
	return fuse_mounted_at(mnt) ? -EBUSY : 0;
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

/*
 * s3fs mounts src on mnt (an existing directory): 0, or an error in err
 * naming s3fs's complaint. dir holds its log and, briefly, its passwd.
 */
static int s3fs_mount(const char *dir, const char *mnt,
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
	if (status == 0 && fuse_mounted_at(mnt) && stat(mnt, &st) == 0) {
		rc = 0;
		goto out;
	}
	fuse_unmount(mnt);
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

/* ---- the slots ------------------------------------------------------------ */

/*
 * Why this host cannot run s3fs for this user, or 0: WSP_ENOTSUP, as the
 * descriptor then claims no WSP_CAP_SANDBOX_MOUNT (sandbox.c).
 */
static int usable(wsp_error *err)
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

int local_mounts_usable(void)
{
	wsp_error err = { 0 };

	return usable(&err) == 0;
}

static int source_id(char *out, size_t cap, const wsp_mount_source *src)
{
	int n = snprintf(out, cap, "%s %s/%s at %s (%s)%s", src->type,
			 src->bucket, src->prefix,
			 src->endpoint[0] ? src->endpoint : "aws", src->region,
			 src->flags & WSP_MOUNT_ANONYMOUS ? " anonymous" : "");

	return n < 0 || (size_t)n >= cap || strchr(out, '\n') ? -1 : 0;
}

/* Unmount one recorded mount and forget it: 0 or -errno. */
static int unmount_dir(const char *dir)
{
	char *own = local_path_join(dir, "mnt");
	struct rec r;
	int rc = 0;

	if (!own)
		return -ENOMEM;
	/* a directory without a valid record never got as far as s3fs */
	if (rec_read(dir, &r) == 0)
		rc = fuse_unmount(r.mnt);
	/* never remove through a live mount: that deletes the objects */
	if (!rc && fuse_mounted_at(own))
		rc = fuse_unmount(own);
	free(own);
	return rc < 0 ? rc : local_remove_tree(dir);
}

/* With the lock held: the same mount again, or a new one at a free path. */
static int mount_locked(struct local_sandbox *sb, const char *dir,
			const wsp_mount_source *src, const char *path, int ro,
			wsp_error *err)
{
	struct rec old, r;
	char *mnt;
	int rc, isolated = sb->use_bwrap;

	memset(&r, 0, sizeof(r));
	if (source_id(r.source, sizeof(r.source), src) < 0 ||
	    strlen(path) >= sizeof(r.path) || strchr(path, '\n'))
		return wsp_error_set(err, WSP_EINVAL,
				     "cannot mount at '%s': the store's name "
				     "or the path cannot be recorded", path);
	snprintf(r.path, sizeof(r.path), "%s", path);
	r.ro = ro;
	if (rec_read(dir, &old) == 0) {
		if (strcmp(old.source, r.source) || old.ro != ro)
			return wsp_error_set(err, WSP_EBUSY,
				"another store is mounted at '%s' in sandbox "
				"'%s'; unmount it first", path, sb->id);
		if (fuse_mounted_at(old.mnt))
			return 0; /* mounted after every start: no change */
		if (isolated && local_env_running(sb))
			return wsp_error_set(err, WSP_EBUSY,
				"the s3fs mount at '%s' ended while sandbox "
				"'%s' runs; stop the sandbox and start it "
				"again", path, sb->id);
	} else if (isolated && local_env_running(sb)) {
		return wsp_error_set(err, WSP_EBUSY,
			"cannot mount at '%s': sandbox '%s' is running and its "
			"environment cannot gain a mount; stop it, then mount "
			"before its first command (`wsp sandbox start` mounts "
			"the configured ones)", path, sb->id);
	}
	mnt = isolated ? local_path_join(dir, "mnt") : local_path_real(path);
	if (!mnt || strlen(mnt) >= sizeof(r.mnt)) {
		free(mnt);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	snprintf(r.mnt, sizeof(r.mnt), "%s", mnt);
	rc = local_mkdir_p(mnt, isolated ? 0700 : 0755);
	if (rc < 0) {
		rc = wsp_error_set_os(err, WSP_EIO, -rc,
			"cannot make the mount point '%s': %s%s", mnt,
			strerror(-rc),
			isolated ? "" : " (with isolation 'none' the sandbox "
					"is this host: choose a sandbox_path "
					"this user can create)");
		free(mnt);
		return rc;
	}
	/* recorded first: stop and destroy find it even after a crash */
	rc = rec_write(dir, &r);
	if (rc < 0) {
		free(mnt);
		return wsp_error_set_os(err, WSP_EIO, -rc,
					"cannot record the mount: %s",
					strerror(-rc));
	}
	rc = s3fs_mount(dir, mnt, src, ro, err);
	free(mnt);
	if (rc)
		unmount_dir(dir); /* no record of what is not mounted */
	else
		sb->env_fp_known = 0; /* the environment's binds changed */
	return rc;
}

int local_mount(void *self, const wsp_call *call, const wsp_mount_source *src,
		const char *path, uint32_t flags, wsp_error *err)
{
	struct local_sandbox *sb = self;
	int ro = (flags & WSP_MOUNT_READ_ONLY) ||
		 (src->flags & WSP_MOUNT_READ_ONLY);
	char *dir;
	int lock, rc;

	rc = local_call_check(sb, call, "mount", err);
	if (rc)
		return rc;
	if (strcmp(src->type, "s3"))
		return wsp_error_set(err, WSP_ENOTSUP,
				     "the local sandbox mounts S3 stores "
				     "only, not '%s'", src->type);
	if ((rc = usable(err)) || (rc = local_resolve_isolation(sb, err)))
		return rc;
	if (local_mkdir_p(sb->state_dir, 0700) < 0 ||
	    (lock = mounts_lock(sb)) < 0)
		return wsp_error_set(err, WSP_EIO,
				     "cannot use the state directory '%s'",
				     sb->state_dir);
	dir = slot_dir(sb, path);
	if (!dir)
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
	else if ((rc = local_mkdir_p(dir, 0700)) < 0)
		rc = wsp_error_set_os(err, WSP_EIO, -rc, "cannot create '%s'",
				      dir);
	else
		rc = mount_locked(sb, dir, src, path, ro, err);
	free(dir);
	close(lock);
	return rc;
}

int local_unmount(void *self, const wsp_call *call, const char *path,
		  uint32_t flags, wsp_error *err)
{
	struct local_sandbox *sb = self;
	struct rec r;
	char *dir;
	int lock, rc;

	(void)flags;
	rc = local_call_check(sb, call, "unmount", err);
	if (rc || (rc = usable(err)) || (rc = local_resolve_isolation(sb, err)))
		return rc;
	dir = slot_dir(sb, path);
	/* nothing recorded: no lock (which would make the state directory) */
	lock = dir && rec_read(dir, &r) == 0 ? mounts_lock(sb) : -1;
	if (lock < 0 || !dir)
		rc = wsp_error_set(err, WSP_ENOTFOUND,
				   "nothing is mounted at '%s'", path);
	else if (rec_read(dir, &r) != 0)
		rc = wsp_error_set(err, WSP_ENOTFOUND,
				   "nothing is mounted at '%s'", path);
	else if (sb->use_bwrap && local_env_running(sb))
		rc = wsp_error_set(err, WSP_EBUSY,
			"the running environment of sandbox '%s' holds the "
			"mount at '%s' until it stops (wsp sandbox stop "
			"unmounts it)", sb->id, path);
	else if ((rc = unmount_dir(dir)) < 0)
		rc = wsp_error_set_os(err, WSP_EBUSY, -rc,
				      "cannot unmount '%s': %s", path,
				      strerror(-rc));
	else
		sb->env_fp_known = 0;
	free(dir);
	if (lock >= 0)
		close(lock);
	return rc;
}

int local_mounts_unmount_all(struct local_sandbox *sb, wsp_error *err)
{
	char *top = mounts_dir(sb), *dir;
	struct dirent *e;
	int lock, rc = 0, one;
	DIR *d;

	if (!top)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	d = opendir(top);
	if (!d) {
		free(top);
		return 0; /* nothing was ever mounted */
	}
	lock = mounts_lock(sb);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "lock"))
			continue;
		dir = local_path_join(top, e->d_name);
		one = dir ? unmount_dir(dir) : -ENOMEM;
		if (one < 0 && !rc)
			rc = wsp_error_set_os(err, WSP_EBUSY, -one,
				"cannot unmount the store in '%s': %s", dir,
				strerror(-one));
		free(dir);
	}
	closedir(d);
	if (lock >= 0)
		close(lock);
	free(top);
	if (!rc)
		sb->env_fp_known = 0;
	return rc;
}

int local_bind_mounts(const struct local_sandbox *sb,
		      struct local_bind_mount **out, size_t *n)
{
	char *top = mounts_dir(sb), *dir;
	struct local_bind_mount *v = NULL, *nv;
	struct dirent *e;
	struct rec r;
	size_t cnt = 0;
	DIR *d;

	*out = NULL;
	*n = 0;
	if (!top)
		return -ENOMEM;
	d = opendir(top);
	free(top);
	if (!d)
		return 0;
	top = mounts_dir(sb);
	while (top && (e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "lock"))
			continue;
		dir = local_path_join(top, e->d_name);
		if (!dir || rec_read(dir, &r) != 0) {
			free(dir);
			continue;
		}
		free(dir);
		if (!strcmp(r.mnt, r.path))
			continue; /* mounted unisolated, at the path itself */
		nv = realloc(v, (cnt + 1) * sizeof(*v));
		if (!nv)
			goto oom;
		v = nv;
		v[cnt].mnt = strdup(r.mnt);
		v[cnt].path = strdup(r.path);
		v[cnt].read_only = r.ro;
		cnt++;
		if (!v[cnt - 1].mnt || !v[cnt - 1].path)
			goto oom;
	}
	closedir(d);
	if (!top) {
		local_bind_mounts_free(v, cnt);
		return -ENOMEM;
	}
	free(top);
	*out = v;
	*n = cnt;
	return 0;
oom:
	closedir(d);
	free(top);
	local_bind_mounts_free(v, cnt);
	return -ENOMEM;
}

void local_bind_mounts_free(struct local_bind_mount *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].mnt);
		free(v[i].path);
	}
	free(v);
}
