/*
 * plugins/fs-local/list.c - directory listings.
 *
 * The listed directory is opened beneath the root (following symlinks that
 * stay inside); below it the walk descends with openat(O_NOFOLLOW) only, so
 * a symlinked directory is reported (is_symlink, symlink_target) but never
 * entered, and a directory swapped for a symlink mid-listing is not
 * followed. Temporary files of writes in progress (LFS_TMP_PREFIX) are
 * skipped.
 */
#include "local.h"
#include "fs_ext.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

struct list_ctx {
	struct lfs *fs;
	const char *shown;
	uint32_t max_depth; /* 0 = unlimited */
	const char *const *exts;
	const wsp_call *call;
	wsp_fs_entry_fn cb;
	void *payload;
	wsp_error *err;
	char path[LFS_PATH_MAX + 1]; /* of the entry, relative to the list */
};

static int list_dir(struct list_ctx *c, int fd, size_t plen, uint32_t depth)
{
	char target[LFS_PATH_MAX + 1];
	struct dirent *de;
	DIR *d = fdopendir(fd);
	int rc = 0;

	if (!d) {
		rc = lfs_fail(c->err, errno, "list", c->shown);
		close(fd);
		return rc;
	}
	while ((errno = 0, de = readdir(d))) {
		const char *name = de->d_name;
		size_t nlen = strlen(name);
		wsp_fs_entry e;
		struct stat st;
		int isdir;

		if (!strcmp(name, ".") || !strcmp(name, "..") ||
		    !strncmp(name, LFS_TMP_PREFIX, strlen(LFS_TMP_PREFIX)))
			continue;
		/* Each entry: a callback may have fired the token. */
		rc = lfs_expired(c->fs, c->call, c->err, "list", c->shown);
		if (rc < 0)
			break;
		if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue; /* removed while we listed */
			rc = lfs_fail(c->err, errno, "list", c->shown);
			break;
		}
		if (plen + 1 + nlen > LFS_PATH_MAX) {
			rc = wsp_error_set(c->err, WSP_EINVAL,
					   "cannot list '%s': a path beneath "
					   "it is longer than %d bytes",
					   c->shown, LFS_PATH_MAX);
			break;
		}
		if (plen)
			c->path[plen] = '/';
		memcpy(c->path + plen + (plen ? 1 : 0), name, nlen + 1);
		isdir = S_ISDIR(st.st_mode);
		memset(&e, 0, sizeof(e));
		e.struct_size = sizeof(e);
		e.path = c->path;
		e.name = name;
		e.size = isdir ? 0 : (uint64_t)st.st_size;
		e.mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 +
			     st.st_mtim.tv_nsec;
		e.depth = depth;
		if (isdir)
			e.type = WSP_FS_TYPE_DIR;
		else if (S_ISREG(st.st_mode))
			e.type = WSP_FS_TYPE_FILE;
		else if (S_ISLNK(st.st_mode))
			e.type = WSP_FS_TYPE_SYMLINK;
		else
			e.type = WSP_FS_TYPE_OTHER;
		if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlinkat(dirfd(d), name, target,
					       sizeof(target) - 1);

			e.is_symlink = 1;
			target[n < 0 ? 0 : n] = '\0';
			e.symlink_target = target;
		}
		if (isdir || fs_ext_kept(name, c->exts)) {
			rc = c->cb(&e, c->payload);
			if (rc < 0) {
				wsp_error_set(c->err, rc,
					      "listing '%s' was "
					      "stopped by its consumer",
					      c->shown);
				break;
			}
		}
		if (isdir && (!c->max_depth || depth < c->max_depth)) {
			int sub = openat(dirfd(d), name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
						 O_CLOEXEC);
			size_t sublen = plen + (plen ? 1 : 0) + nlen;

			if (sub < 0) {
				if (errno == ENOENT)
					continue;
				rc = lfs_fail(c->err, errno, "list", c->path);
				break;
			}
			rc = list_dir(c, sub, sublen, depth + 1);
			if (rc < 0)
				break;
		}
	}
	if (!rc && errno)
		rc = lfs_fail(c->err, errno, "list", c->shown);
	/* The last entry's callback may have fired it too. */
	if (!rc)
		rc = lfs_expired(c->fs, c->call, c->err, "list", c->shown);
	closedir(d);
	return rc;
}

int lfs_list(void *self, const wsp_call *call, const char *path,
	     const wsp_fs_list_opts *opts, wsp_fs_entry_fn cb, void *payload,
	     wsp_error *err)
{
	struct lfs *fs = self;
	struct list_ctx c = {0};
	struct lfs_path p;
	int fd, rc;

	rc = lfs_route(&p, fs, path, err);
	if (rc < 0)
		return rc;
	c.fs = fs;
	c.shown = path;
	c.cb = cb;
	c.payload = payload;
	c.err = err;
	c.call = call;
	/* opts is the core's full-size copy (the boundary rule). */
	c.max_depth = (opts->flags & WSP_FS_RECURSIVE) ? opts->max_depth : 1;
	c.exts = opts->extensions;
	fd = lfs_open(fs, p.root, p.rel, O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		return lfs_fail(err, errno, "list", path);
	return list_dir(&c, fd, 0, 1);
}
