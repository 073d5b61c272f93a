/*
 * plugins/fs-local/write.c - atomic writes.
 *
 * A write goes to an unnamed O_TMPFILE file in the target's directory,
 * which is fsync'ed and then linked in: straight to the target name with
 * no_overwrite (linkat fails EEXIST atomically), else to a temporary name
 * renamed over the target. A writer killed before that leaves nothing on
 * disk. Where O_TMPFILE is missing (some filesystems, no /proc) a named
 * temporary ".wsp-tmp.<random>" is used instead, renamed with
 * RENAME_NOREPLACE for no_overwrite; a writer killed mid-write leaves that
 * file behind, hidden from listings (see list.c) and removed with its
 * directory. Appending writes in place and is not atomic.
 */
#include "local.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#define LFS_WRITE_CHUNK (1u << 20)

static void tmp_name(char *out, size_t cap)
{
	uint64_t r = 0;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r ^= (uint64_t)getpid() << 32 ^ (uint64_t)(uintptr_t)out;
	snprintf(out, cap, LFS_TMP_PREFIX "%016" PRIx64, r);
}

/*
 * The write precondition: expected_mtime_ns and expected_version must
 * match the file as it is now (following symlinks, beneath the root).
 */
static int check_expected(struct lfs *fs, const struct lfs_path *p,
			  const wsp_fs_write_opts *opts, wsp_error *err)
{
	char now[32];
	struct stat st;
	int64_t mt;
	int fd;

	if (!opts || (!opts->expected_mtime_ns && !opts->expected_version))
		return 0;
	fd = lfs_open(fs, p->root, p->rel, O_PATH, 0);
	if (fd < 0 && errno == ENOENT)
		return wsp_error_set(err, WSP_ESTALE,
				     "cannot write '%s': it was removed since "
				     "it was read",
				     p->shown);
	if (fd < 0)
		return lfs_fail(err, errno, "write", p->shown);
	if (fstat(fd, &st) < 0) {
		int e = errno;

		close(fd);
		return lfs_fail(err, e, "write", p->shown);
	}
	close(fd);
	mt = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	snprintf(now, sizeof(now), "%" PRId64, mt);
	if ((opts->expected_mtime_ns && opts->expected_mtime_ns != mt) ||
	    (opts->expected_version && strcmp(opts->expected_version, now)))
		return wsp_error_set(err, WSP_ESTALE,
				     "cannot write '%s': it changed since it "
				     "was read (version %s now); read it again",
				     p->shown, now);
	return 0;
}

/*
 * Writing through a symlink writes its target. If the last component is a
 * symlink, replace p->rel by the real path of its target (which must stay
 * beneath the root), so the rename below replaces the file, not the link.
 */
static int follow_final_link(struct lfs *fs, struct lfs_path *p, wsp_error *err)
{
	char real[PATH_MAX];
	struct stat st;
	size_t n = strlen(p->root->real);
	const char *rest;
	int fd, rc;

	if (!strcmp(p->rel, "."))
		return 0;
	fd = lfs_open(fs, p->root, p->rel, O_PATH | O_NOFOLLOW, 0);
	if (fd < 0)
		return 0; /* missing (or bad parents): reported later */
	rc = fstat(fd, &st);
	close(fd);
	if (rc < 0 || !S_ISLNK(st.st_mode))
		return 0;
	fd = lfs_open(fs, p->root, p->rel, O_PATH, 0);
	if (fd < 0 && errno == ENOENT)
		return wsp_error_set(err, WSP_ENOTFOUND,
				     "cannot write '%s': it is a symlink to a "
				     "missing file",
				     p->shown);
	if (fd < 0)
		return lfs_fail(err, errno, "write", p->shown);
	rc = lfs_fd_path(real, sizeof(real), fd);
	close(fd);
	if (rc < 0)
		return lfs_fail(err, errno, "write", p->shown);
	if (strncmp(real, p->root->real, n) ||
	    (real[n] != '/' && real[n] != '\0'))
		return lfs_fail(err, EXDEV, "write", p->shown);
	rest = real[n] ? real + n + 1 : ".";
	if (strlen(rest) > LFS_PATH_MAX)
		return lfs_fail(err, ENAMETOOLONG, "write", p->shown);
	memmove(p->rel, rest, strlen(rest) + 1);
	return 0;
}

int lfs_txn_begin(struct lfs_txn *t, struct lfs *fs, struct lfs_path *p,
		  const wsp_fs_write_opts *opts, mode_t mode, wsp_error *err)
{
	uint32_t flags = opts ? opts->flags : 0;
	struct stat st;
	int rc, exists, tries;

	memset(t, 0, sizeof(*t));
	t->fd = t->dirfd = -1;
	t->append = !!(flags & WSP_FS_WRITE_APPEND);
	if (!strcmp(p->rel, "."))
		return wsp_error_set(err, WSP_EISDIR,
				     "cannot write '%s': it is a directory",
				     p->shown);
	if (!(flags & WSP_FS_WRITE_NO_PARENTS)) {
		rc = lfs_make_parents(fs, p, err);
		if (rc < 0)
			return rc;
	}
	t->dirfd = lfs_open_parent(fs, p, &t->name);
	if (t->dirfd < 0) {
		if (errno == ENOENT)
			return wsp_error_set_os(err, WSP_ENOTFOUND, ENOENT,
						"cannot write '%s': its parent "
						"directory does not exist",
						p->shown);
		return lfs_fail(err, errno, "write", p->shown);
	}
	exists = fstatat(t->dirfd, t->name, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (exists && S_ISDIR(st.st_mode)) {
		rc = wsp_error_set(err, WSP_EISDIR,
				   "cannot write '%s': it is a directory",
				   p->shown);
		goto fail;
	}
	if (exists && (flags & WSP_FS_WRITE_NO_OVERWRITE) && !t->append) {
		rc = wsp_error_set(err, WSP_EEXIST,
				   "cannot write '%s': it already exists",
				   p->shown);
		goto fail;
	}
	if (t->append) {
		/* The name was resolved already: never follow it now. */
		t->fd = openat(t->dirfd, t->name,
			       O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
				       O_CLOEXEC,
			       mode);
		if (t->fd < 0) {
			rc = lfs_fail(err, errno == ELOOP ? EXDEV : errno,
				      "append to", p->shown);
			goto fail;
		}
		return 0;
	}
	if (exists && S_ISREG(st.st_mode))
		mode = st.st_mode & 07777;
	if (!fs->no_tmpfile) {
		t->fd = openat(t->dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC,
			       mode);
		if (t->fd >= 0)
			t->unnamed = 1;
		else if (errno != EOPNOTSUPP && errno != EISDIR &&
			 errno != EINVAL) {
			rc = lfs_fail(err, errno, "write", p->shown);
			goto fail;
		}
	}
	for (tries = 0; t->fd < 0 && tries < 16; tries++) {
		tmp_name(t->tmp, sizeof(t->tmp));
		t->fd = openat(t->dirfd, t->tmp,
			       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				       O_CLOEXEC,
			       mode);
		if (t->fd < 0 && errno != EEXIST) {
			t->tmp[0] = '\0';
			rc = lfs_fail(err, errno, "write", p->shown);
			goto fail;
		}
	}
	if (t->fd < 0) {
		t->tmp[0] = '\0';
		rc = lfs_fail(err, EEXIST, "write", p->shown);
		goto fail;
	}
	/* Keep the mode of the file we replace (the umask applied above). */
	if (exists && S_ISREG(st.st_mode))
		fchmod(t->fd, mode);
	return 0;
fail:
	lfs_txn_abort(t);
	return rc;
}

void lfs_txn_abort(struct lfs_txn *t)
{
	if (t->fd >= 0)
		close(t->fd);
	if (t->tmp[0] && t->dirfd >= 0)
		unlinkat(t->dirfd, t->tmp, 0);
	if (t->dirfd >= 0)
		close(t->dirfd);
	t->fd = t->dirfd = -1;
	t->tmp[0] = '\0';
}

/* Put a named temporary in place of the target, without replacing it. */
static int rename_noreplace(int dirfd, const char *from, const char *to)
{
	if (renameat2(dirfd, from, dirfd, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* No RENAME_NOREPLACE here: link(2) fails EEXIST atomically too. */
	if (linkat(dirfd, from, dirfd, to, 0) < 0)
		return -1;
	unlinkat(dirfd, from, 0);
	return 0;
}

/* Link or rename the finished temporary into place; -1 with errno. */
static int put_in_place(struct lfs_txn *t, int no_over)
{
	char proc[64];
	int tries;

	if (t->unnamed) {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", t->fd);
		if (no_over)
			return linkat(AT_FDCWD, proc, t->dirfd, t->name,
				      AT_SYMLINK_FOLLOW);
		for (tries = 0; tries < 16; tries++) {
			tmp_name(t->tmp, sizeof(t->tmp));
			if (linkat(AT_FDCWD, proc, t->dirfd, t->tmp,
				   AT_SYMLINK_FOLLOW) == 0)
				break;
			t->tmp[0] = '\0';
			if (errno != EEXIST)
				return -1;
		}
		if (!t->tmp[0]) {
			errno = EEXIST;
			return -1;
		}
	}
	if (no_over) {
		if (rename_noreplace(t->dirfd, t->tmp, t->name) < 0)
			return -1;
	} else if (renameat(t->dirfd, t->tmp, t->dirfd, t->name) < 0) {
		return -1;
	}
	t->tmp[0] = '\0';
	return 0;
}

/* The stripe lock that serialises conditional writes to one path. */
static pthread_mutex_t *stripe_of(struct lfs *fs, const struct lfs_path *p)
{
	uint64_t h = 1469598103934665603ULL ^ (uintptr_t)p->root;
	const char *s;

	for (s = p->rel; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return &fs->stripes[h % LFS_STRIPES];
}

int lfs_txn_commit(struct lfs_txn *t, struct lfs *fs, const struct lfs_path *p,
		   const wsp_fs_write_opts *opts, wsp_error *err)
{
	int no_over = opts && (opts->flags & WSP_FS_WRITE_NO_OVERWRITE);
	int conditional =
		opts && (opts->expected_mtime_ns || opts->expected_version);
	pthread_mutex_t *mu = NULL;
	int rc = 0;

	if (fsync(t->fd) < 0) {
		rc = lfs_fail(err, errno, "write", p->shown);
		goto fail;
	}
	if (!t->append) {
		/*
		 * Check and replace under one lock, so that of two writers
		 * holding the same version only one wins (in this process;
		 * the version is the mtime, so writers of one path within a
		 * single clock tick are not told apart).
		 */
		if (conditional) {
			mu = stripe_of(fs, p);
			pthread_mutex_lock(mu);
		}
		rc = check_expected(fs, p, opts, err);
		if (rc == 0 && put_in_place(t, no_over) < 0) {
			if (errno == EEXIST)
				rc = wsp_error_set_os(err, WSP_EEXIST, EEXIST,
						      "cannot write '%s': it "
						      "already exists",
						      p->shown);
			else
				rc = lfs_fail(err, errno, "write", p->shown);
		}
		if (mu)
			pthread_mutex_unlock(mu);
		if (rc < 0)
			goto fail;
	}
	fsync(t->dirfd);
	close(t->fd);
	close(t->dirfd);
	t->fd = t->dirfd = -1;
	return 0;
fail:
	lfs_txn_abort(t);
	return rc;
}

static int write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

int lfs_write(wsp_fs_stat *out, void *self, const wsp_call *call,
	      const char *path, const wsp_fs_write_opts *opts,
	      wsp_source_fn source, void *payload, wsp_error *err)
{
	struct lfs *fs = self;
	struct lfs_txn t;
	struct lfs_path p;
	struct stat st;
	char *buf;
	int rc;

	if (fs->read_only)
		return lfs_read_only(err, path);
	rc = lfs_route(&p, fs, path, err);
	if (rc < 0)
		return rc;
	rc = follow_final_link(fs, &p, err);
	if (rc < 0)
		return rc;
	rc = check_expected(fs, &p, opts, err);
	if (rc < 0)
		return rc;
	/* Before the transaction: an append would create the file. */
	rc = lfs_expired(fs, call, err, "write", path);
	if (rc < 0)
		return rc;
	buf = malloc(LFS_WRITE_CHUNK);
	if (!buf)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	rc = lfs_txn_begin(&t, fs, &p, opts, 0666, err);
	if (rc < 0)
		goto out;
	for (;;) {
		size_t n = 0;

		rc = lfs_expired(fs, call, err, "write", path);
		if (rc < 0)
			break;
		rc = source(buf, LFS_WRITE_CHUNK, &n, payload);
		if (rc < 0) {
			wsp_error_set(err, rc,
				      "writing '%s' was stopped by "
				      "its producer",
				      path);
			break;
		}
		if (!n) {
			/* The source's last call may have canceled it. */
			rc = lfs_expired(fs, call, err, "write", path);
			break;
		}
		if (n > LFS_WRITE_CHUNK) {
			rc = wsp_error_set(err, WSP_EINVAL,
					   "writing '%s': the "
					   "source overfilled its buffer",
					   path);
			break;
		}
		if (write_all(t.fd, buf, n) < 0) {
			rc = lfs_fail(err, errno, "write", path);
			break;
		}
	}
	if (rc < 0) {
		lfs_txn_abort(&t);
		goto out;
	}
	if (out && fstat(t.fd, &st) == 0)
		lfs_fill_stat(out, &st, 0);
	rc = lfs_txn_commit(&t, fs, &p, opts, err);
out:
	free(buf);
	return rc;
}
