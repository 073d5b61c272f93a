/*
 * plugins/sandbox-local/mounts.c - object stores inside a local sandbox
 * (mounts.h, docs/local-environment.md "Mounts").
 *
 * The store's FUSE client always runs on the host, as the caller (s3fs,
 * Debian's s3fs-fuse, for S3; rclone for GCS):
 *   - isolated: on <state_dir>/mounts/<hash>/mnt, which bwrap.c binds at
 *     the sandbox path (read-only when asked) when the environment
 *     starts. A running environment cannot gain a mount: this machine's
 *     mounts are private (no propagation into bwrap's namespace), and
 *     entering the environment's mount namespace with privilege is what
 *     the environment's design refuses (docs/local-environment.md). So a
 *     mount while it runs is WSP_EBUSY, unless it is already there (the
 *     core mounts configured stores after every start);
 *   - unisolated: at the sandbox path itself, the host being the sandbox.
 * Each client's command line and the credentials' way to it (never its
 * command line, a record or a log line) are s3fs.c's and rclone.c's;
 * running it, the mount table and fusermount3 are fusemount.c's.
 */
#include "env.h"
#include "fusemount.h"
#include "mounts.h"
#include "rclone.h"
#include "s3fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* ---- the slots --------------------------------------------------------- */

/* A store type and its FUSE client. */
struct client {
	const char *type;
	int (*usable)(wsp_error *err);
	int (*mount)(const char *dir, const char *mnt,
		     const wsp_mount_source *src, int ro, wsp_error *err);
};

static const struct client clients[] = {
	{"s3", local_s3fs_usable, local_s3fs_mount},
	{"gcs", local_rclone_usable, local_rclone_mount},
};

#define N_CLIENTS (sizeof(clients) / sizeof(clients[0]))

static const struct client *client_of(const char *type)
{
	size_t i;

	for (i = 0; i < N_CLIENTS; i++)
		if (!strcmp(clients[i].type, type))
			return &clients[i];
	return NULL;
}

/*
 * The capability: FUSE usable and at least one client installed; else
 * WSP_ENOTSUP saying why (FUSE first, or every client missing). A store
 * whose own client is missing is refused by mount, naming that client.
 */
static int mounts_check(wsp_error *err)
{
	wsp_error scratch = {0};
	int rc = local_fuse_usable(err);
	size_t i;

	if (rc)
		return rc;
	for (i = 0; i < N_CLIENTS; i++)
		if (!clients[i].usable(&scratch))
			return 0;
	return wsp_error_set(err, WSP_ENOTSUP,
			     "cannot mount stores: neither s3fs nor rclone is "
			     "installed (apt-get install s3fs rclone)");
}

int local_mounts_usable(void)
{
	wsp_error err = { 0 };

	return mounts_check(&err) == 0;
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
	/* a directory without a valid record never got as far as a client */
	if (rec_read(dir, &r) == 0)
		rc = local_fuse_unmount(r.mnt);
	/* never remove through a live mount: that deletes the objects */
	if (!rc && local_fuse_mounted_at(own))
		rc = local_fuse_unmount(own);
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
		if (local_fuse_mounted_at(old.mnt))
			return 0; /* mounted after every start: no change */
		if (isolated && local_env_running(sb))
			return wsp_error_set(err, WSP_EBUSY,
				"the mount at '%s' ended while sandbox "
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
	rc = client_of(src->type)->mount(dir, mnt, src, ro, err);
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
	const struct client *cl = client_of(src->type);
	char *dir;
	int lock, rc;

	rc = local_call_check(sb, call, "mount", err);
	if (rc)
		return rc;
	if (!cl)
		return wsp_error_set(err, WSP_ENOTSUP,
				     "the local sandbox mounts S3 and GCS "
				     "stores only, not '%s'",
				     src->type);
	if ((rc = cl->usable(err)) || (rc = local_resolve_isolation(sb, err)))
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
	if (rc || (rc = mounts_check(err)) ||
	    (rc = local_resolve_isolation(sb, err)))
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
