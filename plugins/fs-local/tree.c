/*
 * plugins/fs-local/tree.c - mkdir, remove, rmdir, copy and move.
 *
 * Removal descends with openat(O_NOFOLLOW) and unlinkat(), so it deletes
 * symlinks, never what they point to. Copies recreate symlinks as symlinks
 * (their targets stay subject to containment whenever they are used).
 */
#include "local.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LFS_TREE_DEPTH 512

int lfs_make_parents(struct lfs *fs, const struct lfs_path *p, wsp_error *err)
{
	char dir[LFS_PATH_MAX + 1];
	char *slash = strrchr(p->rel, '/'), *s;
	int fd;

	if (!slash)
		return 0;
	memcpy(dir, p->rel, (size_t)(slash - p->rel));
	dir[slash - p->rel] = '\0';
	fd = lfs_open(fs, p->root, dir, O_PATH | O_DIRECTORY, 0);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	/* Make each missing component, resolving its parent beneath root. */
	for (s = dir;; s++) {
		if (*s == '/' || *s == '\0') {
			char save = *s, *name;
			int pfd;

			*s = '\0';
			name = strrchr(dir, '/');
			if (name) {
				*name = '\0';
				pfd = lfs_open(fs, p->root, dir,
					       O_PATH | O_DIRECTORY, 0);
				*name++ = '/';
			} else {
				name = dir;
				pfd = lfs_open(fs, p->root, ".",
					       O_PATH | O_DIRECTORY, 0);
			}
			if (pfd < 0 ||
			    (mkdirat(pfd, name, 0777) < 0 && errno != EEXIST)) {
				int e = errno;

				if (pfd >= 0)
					close(pfd);
				*s = save;
				return lfs_fail(err, e, "create the parents of",
						p->shown);
			}
			close(pfd);
			*s = save;
			if (!save)
				break;
		}
	}
	return 0;
}

int lfs_mkdir(void *self, const wsp_call *call, const char *path,
	      uint32_t flags, wsp_error *err)
{
	struct lfs *fs = self;
	struct lfs_path p;
	const char *name;
	int dfd, rc, e;

	(void)call; /* a few system calls: nothing to interrupt */
	if (fs->read_only)
		return lfs_read_only(err, path);
	rc = lfs_route(&p, fs, path, err);
	if (rc < 0)
		return rc;
	if (flags & WSP_FS_RECURSIVE) {
		rc = lfs_make_parents(fs, &p, err);
		if (rc < 0)
			return rc;
	}
	if (!strcmp(p.rel, "."))
		return (flags & WSP_FS_RECURSIVE)
			       ? 0
			       : lfs_fail(err, EEXIST, "create directory",
					  path);
	dfd = lfs_open_parent(fs, &p, &name);
	if (dfd < 0)
		return lfs_fail(err, errno, "create directory", path);
	rc = mkdirat(dfd, name, 0777);
	e = errno;
	close(dfd);
	if (rc == 0)
		return 0;
	if (e == EEXIST && (flags & WSP_FS_RECURSIVE)) {
		int fd = lfs_open(fs, p.root, p.rel, O_PATH | O_DIRECTORY, 0);

		if (fd >= 0) {
			close(fd);
			return 0;
		}
	}
	return lfs_fail(err, e, "create directory", path);
}

/*
 * rm -rf of parent/name, never following symlinks. -1 with errno; errno
 * ECANCELED or ETIMEDOUT when the call expired (checked every entry).
 */
static int remove_tree(const struct lfs *fs, const wsp_call *call, int parent,
		       const char *name, int depth)
{
	struct dirent *de;
	DIR *d;
	int fd, e = 0;

	if (depth > LFS_TREE_DEPTH) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = openat(parent, name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOTDIR || errno == ELOOP)
			return unlinkat(parent, name, 0);
		return -1;
	}
	d = fdopendir(fd);
	if (!d) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	while ((de = readdir(d))) {
		int x;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		x = lfs_expired(fs, call, NULL, "remove", "");
		if (x < 0) {
			e = x == WSP_ETIMEDOUT ? ETIMEDOUT : ECANCELED;
			break;
		}
		if (de->d_type != DT_DIR &&
		    unlinkat(dirfd(d), de->d_name, 0) == 0)
			continue;
		if (de->d_type == DT_DIR || errno == EISDIR) {
			if (remove_tree(fs, call, dirfd(d), de->d_name,
					depth + 1) < 0 &&
			    errno != ENOENT) {
				e = errno;
				break;
			}
		} else if (errno != ENOENT) {
			e = errno;
			break;
		}
	}
	closedir(d);
	if (e) {
		errno = e;
		return -1;
	}
	return unlinkat(parent, name, AT_REMOVEDIR);
}

/* Shared by remove and rmdir: want_dir selects rmdir's rules. */
static int remove_path(struct lfs *fs, const wsp_call *call, const char *path,
		       uint32_t flags, int want_dir, wsp_error *err)
{
	const char *op = want_dir ? "remove directory" : "remove";
	struct lfs_path p;
	struct stat st;
	const char *name;
	int dfd, rc = 0, e;

	if (fs->read_only)
		return lfs_read_only(err, path);
	rc = lfs_route(&p, fs, path, err);
	if (rc < 0)
		return rc;
	if (!strcmp(p.rel, "."))
		return wsp_error_set(err, WSP_EPERM,
				     "cannot %s '%s': it is the root of the "
				     "filesystem",
				     op, path);
	dfd = lfs_open_parent(fs, &p, &name);
	if (dfd < 0) {
		e = errno;
		if ((flags & WSP_FS_FORCE) && e == ENOENT)
			return 0;
		return lfs_fail(err, e, op, path);
	}
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		e = errno;
		close(dfd);
		if ((flags & WSP_FS_FORCE) && e == ENOENT)
			return 0;
		return lfs_fail(err, e, op, path);
	}
	if (want_dir && !S_ISDIR(st.st_mode)) {
		close(dfd);
		return lfs_fail(err, ENOTDIR, op, path);
	}
	if (S_ISDIR(st.st_mode)) {
		if (flags & WSP_FS_RECURSIVE)
			rc = remove_tree(fs, call, dfd, name, 0);
		else if (!want_dir)
			rc = -1, errno = EISDIR;
		else
			rc = unlinkat(dfd, name, AT_REMOVEDIR);
	} else {
		rc = unlinkat(dfd, name, 0);
	}
	e = errno;
	close(dfd);
	if (rc < 0) {
		if (e == EEXIST)
			e = ENOTEMPTY;
		if ((flags & WSP_FS_FORCE) && e == ENOENT)
			return 0;
		return lfs_fail(err, e, op, path);
	}
	return 0;
}

int lfs_remove(void *self, const wsp_call *call, const char *path,
	       uint32_t flags, wsp_error *err)
{
	return remove_path(self, call, path, flags, 0, err);
}

int lfs_rmdir(void *self, const wsp_call *call, const char *path,
	      uint32_t flags, wsp_error *err)
{
	return remove_path(self, call, path, flags, 1, err);
}

/* Is b inside a (or a itself)? Both are validated relative paths. */
static int path_within(const struct lfs_path *a, const struct lfs_path *b)
{
	size_t n = strlen(a->rel);

	if (a->root != b->root)
		return 0;
	if (!strcmp(a->rel, "."))
		return 1;
	return !strncmp(a->rel, b->rel, n) &&
	       (b->rel[n] == '\0' || b->rel[n] == '/');
}

/* In-kernel copies go this many bytes at a time, the call checked between. */
#define LFS_COPY_CHUNK (64 << 20)

/* Copy the regular file open at sfd to p, atomically. */
static int copy_file(struct lfs *fs, const wsp_call *call, int sfd,
		     struct lfs_path *p, uint32_t flags, wsp_error *err)
{
	wsp_fs_write_opts wo = WSP_FS_WRITE_OPTS_INIT;
	struct lfs_txn t;
	struct stat st;
	char buf[65536];
	int rc;

	if (fstat(sfd, &st) < 0)
		return lfs_fail(err, errno, "copy", p->shown);
	if (!(flags & WSP_FS_OVERWRITE))
		wo.flags |= WSP_FS_WRITE_NO_OVERWRITE;
	rc = lfs_txn_begin(&t, fs, p, &wo, st.st_mode & 07777, err);
	if (rc < 0)
		return rc;
	for (;;) {
		ssize_t n;

		rc = lfs_expired(fs, call, err, "copy to", p->shown);
		if (rc < 0)
			goto abort;
		n = copy_file_range(sfd, NULL, t.fd, NULL, LFS_COPY_CHUNK, 0);
		if (n > 0)
			continue;
		if (n == 0)
			break;
		if (errno != EXDEV && errno != ENOSYS && errno != EINVAL &&
		    errno != EOPNOTSUPP)
			goto os_fail;
		/* No in-kernel copy between these two: do it by hand. */
		while ((n = read(sfd, buf, sizeof(buf))) > 0) {
			ssize_t off = 0;

			rc = lfs_expired(fs, call, err, "copy to", p->shown);
			if (rc < 0)
				goto abort;
			while (off < n) {
				ssize_t w = write(t.fd, buf + off,
						  (size_t)(n - off));

				if (w < 0)
					goto os_fail;
				off += w;
			}
		}
		if (n < 0)
			goto os_fail;
		break;
	}
	fchmod(t.fd, st.st_mode & 07777);
	return lfs_txn_commit(&t, fs, p, &wo, err);
os_fail:
	rc = lfs_fail(err, errno, "copy to", p->shown);
abort:
	lfs_txn_abort(&t);
	return rc;
}

static int join(struct lfs_path *out, const struct lfs_path *dir,
		const char *name, wsp_error *err)
{
	int n;

	*out = *dir;
	if (!strcmp(dir->rel, "."))
		n = snprintf(out->rel, sizeof(out->rel), "%s", name);
	else
		n = snprintf(out->rel, sizeof(out->rel), "%s/%s", dir->rel,
			     name);
	if (n < 0 || (size_t)n >= sizeof(out->rel))
		return lfs_fail(err, ENAMETOOLONG, "copy", dir->shown);
	return 0;
}

static int copy_tree(struct lfs *fs, const wsp_call *call,
		     const struct lfs_path *src, const struct lfs_path *dst,
		     uint32_t flags, int depth, wsp_error *err);

/* Copy one entry named name of the directory open at dfd. */
static int copy_entry(struct lfs *fs, const wsp_call *call, int dfd,
		      const char *name, const struct lfs_path *src,
		      const struct lfs_path *dst, uint32_t flags, int depth,
		      wsp_error *err)
{
	struct lfs_path s, d;
	char target[LFS_PATH_MAX + 1];
	struct stat st;
	int rc, fd;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT
			       ? 0
			       : lfs_fail(err, errno, "copy", src->shown);
	if ((rc = join(&s, src, name, err)) < 0 ||
	    (rc = join(&d, dst, name, err)) < 0)
		return rc;
	if (S_ISDIR(st.st_mode))
		return copy_tree(fs, call, &s, &d, flags, depth + 1, err);
	if (S_ISREG(st.st_mode)) {
		fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return lfs_fail(err, errno, "copy", src->shown);
		rc = copy_file(fs, call, fd, &d, flags, err);
		close(fd);
		return rc;
	}
	if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlinkat(dfd, name, target, sizeof(target) - 1);
		const char *leaf;
		int pfd;

		if (n < 0)
			return lfs_fail(err, errno, "copy", src->shown);
		target[n] = '\0';
		pfd = lfs_open_parent(fs, &d, &leaf);
		if (pfd < 0)
			return lfs_fail(err, errno, "copy to", dst->shown);
		if ((flags & WSP_FS_OVERWRITE))
			unlinkat(pfd, leaf, 0);
		rc = symlinkat(target, pfd, leaf);
		rc = rc < 0 ? lfs_fail(err, errno, "copy to", dst->shown) : 0;
		close(pfd);
		return rc;
	}
	return 0; /* sockets, FIFOs, devices: not copied */
}

static int copy_tree(struct lfs *fs, const wsp_call *call,
		     const struct lfs_path *src, const struct lfs_path *dst,
		     uint32_t flags, int depth, wsp_error *err)
{
	struct dirent *de;
	const char *leaf;
	DIR *d;
	int fd, pfd, rc = 0;

	if (depth > LFS_TREE_DEPTH)
		return lfs_fail(err, ENAMETOOLONG, "copy", src->shown);
	fd = lfs_open(fs, src->root, src->rel,
		      O_RDONLY | O_DIRECTORY | (depth ? O_NOFOLLOW : 0), 0);
	if (fd < 0)
		return lfs_fail(err, errno, "copy", src->shown);
	if (strcmp(dst->rel, ".")) {
		pfd = lfs_open_parent(fs, dst, &leaf);
		if (pfd < 0 ||
		    (mkdirat(pfd, leaf, 0777) < 0 &&
		     (errno != EEXIST || !(flags & WSP_FS_OVERWRITE)))) {
			rc = lfs_fail(err, errno, "copy to", dst->shown);
			if (pfd >= 0)
				close(pfd);
			close(fd);
			return rc;
		}
		close(pfd);
	}
	d = fdopendir(fd);
	if (!d) {
		rc = lfs_fail(err, errno, "copy", src->shown);
		close(fd);
		return rc;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    !strncmp(de->d_name, LFS_TMP_PREFIX,
			     strlen(LFS_TMP_PREFIX)))
			continue;
		rc = lfs_expired(fs, call, err, "copy", src->shown);
		if (rc < 0)
			break;
		rc = copy_entry(fs, call, dirfd(d), de->d_name, src, dst, flags,
				depth, err);
		if (rc < 0)
			break;
	}
	closedir(d);
	return rc;
}

int lfs_copy(void *self, const wsp_call *call, const char *src, const char *dst,
	     uint32_t flags, wsp_error *err)
{
	struct lfs *fs = self;
	struct lfs_path s, d;
	struct stat st;
	int fd, rc;

	if (fs->read_only)
		return lfs_read_only(err, dst);
	if ((rc = lfs_route(&s, fs, src, err)) < 0 ||
	    (rc = lfs_route(&d, fs, dst, err)) < 0)
		return rc;
	fd = lfs_open(fs, s.root, s.rel, O_RDONLY | O_NOCTTY | O_NONBLOCK, 0);
	if (fd < 0)
		return lfs_fail(err, errno, "copy", src);
	if (fstat(fd, &st) < 0) {
		rc = lfs_fail(err, errno, "copy", src);
		close(fd);
		return rc;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		if (!(flags & WSP_FS_RECURSIVE))
			return wsp_error_set(err, WSP_EISDIR,
					     "cannot copy '%s': it is a "
					     "directory (copy it recursively)",
					     src);
		if (path_within(&s, &d))
			return wsp_error_set(err, WSP_EINVAL,
					     "cannot copy '%s' into itself "
					     "('%s')",
					     src, dst);
		if (!(flags & WSP_FS_OVERWRITE)) {
			int e = lfs_open(fs, d.root, d.rel, O_PATH, 0);

			if (e >= 0) {
				close(e);
				return lfs_fail(err, EEXIST, "copy to", dst);
			}
		}
		rc = lfs_make_parents(fs, &d, err);
		return rc < 0 ? rc : copy_tree(fs, call, &s, &d, flags, 0, err);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return wsp_error_set(err, WSP_EINVAL,
				     "cannot copy '%s': not a regular file",
				     src);
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	rc = copy_file(fs, call, fd, &d, flags, err);
	close(fd);
	return rc;
}

int lfs_move(void *self, const wsp_call *call, const char *src, const char *dst,
	     uint32_t flags, wsp_error *err)
{
	static const wsp_call whole = {sizeof(wsp_call), 0, NULL, 0};
	struct lfs *fs = self;
	struct lfs_path s, d;
	const char *sname, *dname;
	struct stat st;
	int sfd = -1, dfd = -1, rc, e;

	if (fs->read_only)
		return lfs_read_only(err, src);
	if ((rc = lfs_route(&s, fs, src, err)) < 0 ||
	    (rc = lfs_route(&d, fs, dst, err)) < 0)
		return rc;
	if (!strcmp(s.rel, "."))
		return wsp_error_set(err, WSP_EPERM,
				     "cannot move '%s': it is the root of the "
				     "filesystem",
				     src);
	if (path_within(&s, &d)) {
		if (!strcmp(s.rel, d.rel) && s.root == d.root)
			return 0;
		return wsp_error_set(err, WSP_EINVAL,
				     "cannot move '%s' into itself ('%s')", src,
				     dst);
	}
	if (!strcmp(d.rel, "."))
		return lfs_fail(err, EEXIST, "move to", dst);
	sfd = lfs_open_parent(fs, &s, &sname);
	if (sfd < 0)
		return lfs_fail(err, errno, "move", src);
	if (fstatat(sfd, sname, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		rc = lfs_fail(err, errno, "move", src);
		goto out;
	}
	rc = lfs_make_parents(fs, &d, err);
	if (rc < 0)
		goto out;
	dfd = lfs_open_parent(fs, &d, &dname);
	if (dfd < 0) {
		rc = lfs_fail(err, errno, "move to", dst);
		goto out;
	}
	rc = renameat2(sfd, sname, dfd, dname,
		       (flags & WSP_FS_OVERWRITE) ? 0 : RENAME_NOREPLACE);
	if (rc < 0 && errno == EINVAL && !(flags & WSP_FS_OVERWRITE)) {
		/* No RENAME_NOREPLACE on this filesystem: check, then move. */
		if (fstatat(dfd, dname, &st, AT_SYMLINK_NOFOLLOW) == 0)
			errno = EEXIST;
		else
			rc = renameat(sfd, sname, dfd, dname);
	}
	if (rc == 0)
		goto out;
	e = errno;
	if (e != EXDEV) {
		rc = lfs_fail(err, e, "move", src);
		goto out;
	}
	/*
	 * Another filesystem beneath the root: copy (the call checked per
	 * entry and chunk), then remove. Once the copy is whole the source
	 * goes whatever the call says, or a canceled move would leave both.
	 */
	rc = lfs_copy(fs, call, src, dst, flags | WSP_FS_RECURSIVE, err);
	if (rc == 0)
		rc = remove_path(fs, &whole, src, WSP_FS_RECURSIVE, 0, err);
out:
	if (sfd >= 0)
		close(sfd);
	if (dfd >= 0)
		close(dfd);
	return rc;
}
