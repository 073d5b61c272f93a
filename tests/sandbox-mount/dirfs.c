/*
 * tests/sandbox-mount/dirfs.c - mountrec's sandbox_fs: its working
 * directory as a filesystem, sharing the sandbox instance (struct rec),
 * so a `provider: sandbox` mount reads and writes what commands in the
 * sandbox see. Small on purpose (a test fixture): paths come normalised
 * from the core and symbolic links are not followed out of the root by
 * the final component only (O_NOFOLLOW); fs-local is the real thing.
 */
#include "mountrec.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void full(char *out, size_t cap, const struct rec *r, const char *p)
{
	if (!strcmp(p, "."))
		snprintf(out, cap, "%s", r->root);
	else
		snprintf(out, cap, "%s/%s", r->root, p);
}

static int os_err(wsp_error *err, const char *op, const char *path)
{
	int e = errno;
	int code = e == ENOENT	  ? WSP_ENOTFOUND
		   : e == EEXIST  ? WSP_EEXIST
		   : e == EISDIR  ? WSP_EISDIR
		   : e == ENOTDIR ? WSP_ENOTDIR
		   : e == ENOTEMPTY ? WSP_ENOTEMPTY
				   : WSP_EIO;

	return wsp_error_set_os(err, code, e, "cannot %s '%s': %s", op, path,
				strerror(e));
}

static void fill(wsp_fs_stat *out, const struct stat *st)
{
	out->type = S_ISDIR(st->st_mode) ? WSP_FS_TYPE_DIR
		    : S_ISREG(st->st_mode) ? WSP_FS_TYPE_FILE
					   : WSP_FS_TYPE_OTHER;
	out->size = (uint64_t)st->st_size;
	out->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 +
			st->st_mtim.tv_nsec;
	out->mode = st->st_mode & 07777;
}

static int d_stat(wsp_fs_stat *out, void *self, const wsp_call *call,
		  const char *path, uint32_t flags, wsp_error *err)
{
	char p[2048];
	struct stat st;

	(void)call;
	(void)flags;
	full(p, sizeof(p), self, path);
	if (lstat(p, &st))
		return os_err(err, "stat", path);
	fill(out, &st);
	return 0;
}

static int d_read(void *self, const wsp_call *call, const char *path,
		  const wsp_fs_read_opts *o, wsp_sink_fn sink, void *payload,
		  wsp_error *err)
{
	char p[2048], buf[65536];
	uint64_t left = o->length;
	ssize_t n;
	int fd, rc = 0;

	(void)call;
	full(p, sizeof(p), self, path);
	fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return os_err(err, "read", path);
	while (left && (n = pread(fd, buf,
				  left < sizeof(buf) ? left : sizeof(buf),
				  (off_t)(o->offset + o->length - left))) > 0) {
		left -= (uint64_t)n;
		rc = sink(buf, (size_t)n, payload);
		if (rc)
			break;
	}
	if (!rc && n < 0)
		rc = errno == EISDIR ? wsp_error_set(err, WSP_EISDIR,
						     "'%s' is a directory",
						     path)
				     : os_err(err, "read", path);
	close(fd);
	return rc;
}

static int d_write(wsp_fs_stat *out, void *self, const wsp_call *call,
		   const char *path, const wsp_fs_write_opts *o,
		   wsp_source_fn source, void *payload, wsp_error *err)
{
	char p[2048], buf[65536];
	size_t n;
	int fd, rc = 0;

	(void)call;
	full(p, sizeof(p), self, path);
	fd = open(p,
		  O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
			  (o->flags & WSP_FS_WRITE_APPEND ? O_APPEND
							   : O_TRUNC) |
			  (o->flags & WSP_FS_WRITE_NO_OVERWRITE ? O_EXCL : 0),
		  0644);
	if (fd < 0)
		return os_err(err, "write", path);
	while (!(rc = source(buf, sizeof(buf), &n, payload)) && n)
		if (write(fd, buf, n) != (ssize_t)n) {
			rc = os_err(err, "write", path);
			break;
		}
	close(fd);
	if (!rc && out)
		rc = d_stat(out, self, call, path, 0, err);
	return rc;
}

static int walk(const struct rec *r, const char *rel, uint32_t depth,
		const wsp_fs_list_opts *o, wsp_fs_entry_fn cb, void *payload,
		const char *base, wsp_error *err)
{
	char p[2048], child[2400], shown[2400];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int rc = 0;

	full(p, sizeof(p), r, rel);
	d = opendir(p);
	if (!d)
		return os_err(err, "list", rel);
	while (!rc && (de = readdir(d))) {
		wsp_fs_entry e = {sizeof(e), 0, NULL, NULL, 0, 0, 0, 0, NULL};

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(child, sizeof(child), "%s/%s", p, de->d_name);
		if (lstat(child, &st))
			continue;
		snprintf(shown, sizeof(shown), "%s%s%s", base,
			 *base ? "/" : "", de->d_name);
		e.type = S_ISDIR(st.st_mode) ? WSP_FS_TYPE_DIR
			 : S_ISREG(st.st_mode) ? WSP_FS_TYPE_FILE
					       : WSP_FS_TYPE_OTHER;
		e.path = shown;
		e.name = de->d_name;
		e.size = (uint64_t)st.st_size;
		e.mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000;
		e.depth = depth;
		rc = cb(&e, payload);
		if (!rc && e.type == WSP_FS_TYPE_DIR &&
		    (o->flags & WSP_FS_RECURSIVE) &&
		    (!o->max_depth || depth < o->max_depth)) {
			char sub[2800];

			snprintf(sub, sizeof(sub), "%s%s%s",
				 strcmp(rel, ".") ? rel : "",
				 strcmp(rel, ".") ? "/" : "", de->d_name);
			rc = walk(r, sub, depth + 1, o, cb, payload, shown,
				  err);
		}
	}
	closedir(d);
	return rc;
}

static int d_list(void *self, const wsp_call *call, const char *path,
		  const wsp_fs_list_opts *o, wsp_fs_entry_fn cb,
		  void *payload, wsp_error *err)
{
	(void)call;
	return walk(self, path, 1, o, cb, payload, "", err);
}

static int d_mkdir(void *self, const wsp_call *call, const char *path,
		   uint32_t flags, wsp_error *err)
{
	char p[2048];

	(void)call;
	full(p, sizeof(p), self, path);
	if (mkdir(p, 0755) && !(errno == EEXIST && (flags & WSP_FS_RECURSIVE)))
		return os_err(err, "mkdir", path);
	return 0;
}

static int d_remove(void *self, const wsp_call *call, const char *path,
		    uint32_t flags, wsp_error *err)
{
	char p[2048];

	(void)call;
	(void)flags;
	full(p, sizeof(p), self, path);
	if (unlink(p))
		return os_err(err, "remove", path);
	return 0;
}

static int d_rmdir(void *self, const wsp_call *call, const char *path,
		   uint32_t flags, wsp_error *err)
{
	char p[2048];

	(void)call;
	(void)flags;
	full(p, sizeof(p), self, path);
	if (rmdir(p))
		return os_err(err, "rmdir", path);
	return 0;
}

const wsp_fs_vtable mountrec_fs = {
	.struct_size = sizeof(wsp_fs_vtable),
	.stat = d_stat,
	.read = d_read,
	.write = d_write,
	.list = d_list,
	.mkdir = d_mkdir,
	.remove = d_remove,
	.rmdir = d_rmdir,
};
