/*
 * plugins/fs-local/inspect.c - stat, read, exists and host_path.
 *
 * The boundary rule (<wsp/fs.h>): the core hands this provider full-size
 * structs, zeroed, with its defaults filled in (a read's opts is never
 * NULL, its length never 0; a stat's out holds every member), so members
 * are read and written here without WSP_HAS_MEMBER or NULL checks.
 */
#include "local.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LFS_READ_CHUNK (1u << 20)

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

void lfs_fill_stat(wsp_fs_stat *out, const struct stat *st, int is_symlink)
{
	wsp_fs_stat s;

	memset(&s, 0, sizeof(s));
	s.struct_size = sizeof(s);
	if (S_ISREG(st->st_mode))
		s.type = WSP_FS_TYPE_FILE;
	else if (S_ISDIR(st->st_mode))
		s.type = WSP_FS_TYPE_DIR;
	else if (S_ISLNK(st->st_mode))
		s.type = WSP_FS_TYPE_SYMLINK;
	else
		s.type = WSP_FS_TYPE_OTHER;
	s.size = (uint64_t)st->st_size;
	s.mtime_ns = ts_ns(&st->st_mtim);
	s.ctime_ns = ts_ns(&st->st_ctim);
	s.mode = st->st_mode & 07777;
	s.is_symlink = is_symlink ? 1 : 0;
	/* The version token is the mtime in ns, so writers can pass it back. */
	snprintf(s.version, sizeof(s.version), "%" PRId64, s.mtime_ns);
	*out = s;
}

int lfs_stat(wsp_fs_stat *out, void *self, const wsp_call *call,
	     const char *path, uint32_t flags, wsp_error *err)
{
	struct lfs *fs = self;
	struct lfs_path p;
	struct stat st, lst;
	struct statx stx;
	int fd, rc, link = 0;

	(void)call; /* one system call or two: nothing to interrupt */
	rc = lfs_route(&p, fs, path, err);
	if (rc < 0)
		return rc;
	fd = lfs_open(fs, p.root, p.rel, O_PATH | O_NOFOLLOW, 0);
	if (fd < 0)
		return lfs_fail(err, errno, "stat", path);
	if (fstat(fd, &lst) < 0) {
		rc = lfs_fail(err, errno, "stat", path);
		close(fd);
		return rc;
	}
	st = lst;
	if (S_ISLNK(lst.st_mode)) {
		link = 1;
		if (!(flags & WSP_FS_NO_FOLLOW)) {
			close(fd);
			fd = lfs_open(fs, p.root, p.rel, O_PATH, 0);
			if (fd < 0)
				return lfs_fail(err, errno, "stat", path);
			if (fstat(fd, &st) < 0) {
				rc = lfs_fail(err, errno, "stat", path);
				close(fd);
				return rc;
			}
		}
	}
	lfs_fill_stat(out, &st, link);
	/* Report the birth time as ctime where the filesystem keeps one. */
	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BTIME,
		  &stx) == 0 &&
	    (stx.stx_mask & STATX_BTIME))
		out->ctime_ns = (int64_t)stx.stx_btime.tv_sec * 1000000000 +
				stx.stx_btime.tv_nsec;
	close(fd);
	return 0;
}

int lfs_read(void *self, const wsp_call *call, const char *path,
	     const wsp_fs_read_opts *opts, wsp_sink_fn sink, void *payload,
	     wsp_error *err)
{
	struct lfs *fs = self;
	uint64_t off = opts->offset;
	uint64_t left = opts->length; /* UINT64_MAX: to the end */
	struct stat st;
	char *buf = NULL;
	int fd, rc;

	/* O_NONBLOCK: opening a FIFO must not hang; cleared below. */
	rc = lfs_route_open(&fd, fs, path, O_RDONLY | O_NOCTTY | O_NONBLOCK,
			    err);
	if (rc < 0)
		return rc;
	if (fd < 0)
		return lfs_fail(err, errno, "read", path);
	if (fstat(fd, &st) < 0) {
		rc = lfs_fail(err, errno, "read", path);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = wsp_error_set(err, WSP_EISDIR,
				   "cannot read '%s': it is a directory", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = wsp_error_set(err, WSP_EINVAL,
				   "cannot read '%s': not a regular file",
				   path);
		goto out;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	posix_fadvise(fd, (off_t)off, 0, POSIX_FADV_SEQUENTIAL);
	buf = malloc(LFS_READ_CHUNK);
	if (!buf) {
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
		goto out;
	}
	/*
	 * The call is checked before each chunk, so also after the sink took
	 * the last one: a sink that cancels is always obeyed.
	 */
	for (;;) {
		size_t want =
			left < LFS_READ_CHUNK ? (size_t)left : LFS_READ_CHUNK;
		ssize_t n;

		rc = lfs_expired(fs, call, err, "read", path);
		if (rc < 0)
			goto out;
		if (!left)
			break;
		n = pread(fd, buf, want, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = lfs_fail(err, errno, "read", path);
			goto out;
		}
		if (n == 0)
			break;
		rc = sink(buf, (size_t)n, payload);
		if (rc < 0) {
			wsp_error_set(err, rc,
				      "reading '%s' was stopped by "
				      "its consumer",
				      path);
			goto out;
		}
		off += (uint64_t)n;
		left -= (uint64_t)n;
	}
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}

int lfs_exists(int *out, void *self, const wsp_call *call, const char *path,
	       uint32_t flags, wsp_error *err)
{
	int fd, rc;

	(void)call;
	(void)flags;
	*out = 0;
	rc = lfs_route_open(&fd, self, path, O_PATH, err);
	if (rc < 0)
		return rc;
	if (fd >= 0) {
		*out = 1;
		close(fd);
		return 0;
	}
	if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
		return 0;
	return lfs_fail(err, errno, "look up", path);
}

int lfs_fd_path(char *out, size_t cap, int fd)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return lfs_readlinkat(AT_FDCWD, proc, out, cap);
}

int lfs_host_path(char *out, size_t cap, void *self, const wsp_call *call,
		  const char *path, uint32_t flags, wsp_error *err)
{
	char real[PATH_MAX];
	int fd, rc;

	(void)call;
	(void)flags;
	rc = lfs_route_open(&fd, self, path, O_PATH, err);
	if (rc < 0)
		return rc;
	if (fd < 0)
		return lfs_fail(err, errno, "locate", path);
	rc = lfs_fd_path(real, sizeof(real), fd);
	close(fd);
	if (rc < 0)
		return lfs_fail(err, errno, "locate", path);
	if (strlen(real) >= cap)
		return wsp_error_set(err, WSP_ETOOBIG,
				     "host path of '%s' does not fit in %zu "
				     "bytes",
				     path, cap);
	strcpy(out, real);
	return 0;
}
