/*
 * tests/sandbox-mount/dirfs.c - mountrec's sandbox_fs: its working
 * directory as a filesystem, sharing the sandbox instance (struct rec),
 * so a `provider: sandbox` mount reads and writes what commands in the
 * sandbox see. Small on purpose (a test fixture): paths come normalised
 * from the core and symbolic links are not followed out of the root by
 * the final component only (O_NOFOLLOW); fs-local is the real thing. It
 * still keeps the fs rules wsp-conformance checks (parents made, FORCE,
 * RECURSIVE, the call honoured in every loop, a write seen whole or not
 * at all), since the kit runs its fs checks through it.
 */
#include "fs_ext.h" /* the providers' extension rule */
#include "mountrec.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
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

/* The call's verdict: 0, or its code (canceled, deadline) set in err. */
static int expired(const struct rec *r, const wsp_call *call, wsp_error *err)
{
	int rc = r->host->call_expired(r->host, call);

	if (rc)
		return wsp_error_set(err, rc, "%s",
				     rc == WSP_ECANCELED ? "canceled"
							 : "deadline passed");
	return 0;
}

/* Make the directories above p (a full path under the root). */
static void make_parents(const struct rec *r, char *p)
{
	for (char *s = p + strlen(r->root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
}

static int rm_one(const char *p, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p) ? -1 : 0;
}

/* rm -rf p: 0 or -1 with errno. */
static int remove_tree(const char *p)
{
	return nftw(p, rm_one, 16, FTW_DEPTH | FTW_PHYS);
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
	int rc = expired(self, call, err);

	(void)flags;
	if (rc)
		return rc;
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
	int fd, rc = expired(self, call, err);

	if (rc)
		return rc;
	full(p, sizeof(p), self, path);
	fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return os_err(err, "read", path);
	while (left && (n = pread(fd, buf,
				  left < sizeof(buf) ? left : sizeof(buf),
				  (off_t)(o->offset + o->length - left))) > 0) {
		left -= (uint64_t)n;
		rc = sink(buf, (size_t)n, payload);
		if (!rc)
			rc = expired(self, call, err);
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
	int append = (o->flags & WSP_FS_WRITE_APPEND) != 0;
	char p[2048], tmp[2100], buf[65536];
	const char *to;
	size_t n;
	int fd, rc = expired(self, call, err);

	if (rc)
		return rc;
	full(p, sizeof(p), self, path);
	if ((o->flags & WSP_FS_WRITE_NO_OVERWRITE) && !access(p, F_OK))
		return wsp_error_set(err, WSP_EEXIST, "'%s' exists", path);
	/* a new content goes to a temporary first: seen whole or not at all */
	snprintf(tmp, sizeof(tmp), "%s.dirfs-%ld", p, (long)getpid());
	to = append ? p : tmp;
	if (!(o->flags & WSP_FS_WRITE_NO_PARENTS))
		make_parents(self, p);
	fd = open(to,
		  O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
			  (append ? O_APPEND : O_TRUNC),
		  0644);
	if (fd < 0)
		return os_err(err, "write", path);
	while (!(rc = source(buf, sizeof(buf), &n, payload)) && n &&
	       !(rc = expired(self, call, err)))
		if (write(fd, buf, n) != (ssize_t)n) {
			rc = os_err(err, "write", path);
			break;
		}
	if (!rc)
		rc = expired(self, call, err);
	close(fd);
	if (!append && rc)
		unlink(tmp);
	else if (!append && rename(tmp, p)) {
		rc = os_err(err, "write", path);
		unlink(tmp);
	}
	if (!rc && out)
		rc = d_stat(out, self, NULL, path, 0, err);
	return rc;
}

static int walk(const struct rec *r, const wsp_call *call, const char *rel,
		uint32_t depth, const wsp_fs_list_opts *o, wsp_fs_entry_fn cb, void *payload,
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
		if (e.type == WSP_FS_TYPE_DIR || fs_ext_kept(de->d_name, o->extensions))
			rc = cb(&e, payload);
		if (!rc)
			rc = expired(r, call, err);
		if (!rc && e.type == WSP_FS_TYPE_DIR &&
		    (o->flags & WSP_FS_RECURSIVE) &&
		    (!o->max_depth || depth < o->max_depth)) {
			char sub[2800];

			snprintf(sub, sizeof(sub), "%s%s%s",
				 strcmp(rel, ".") ? rel : "",
				 strcmp(rel, ".") ? "/" : "", de->d_name);
			rc = walk(r, call, sub, depth + 1, o, cb, payload,
				  shown, err);
		}
	}
	closedir(d);
	return rc;
}

static int d_list(void *self, const wsp_call *call, const char *path,
		  const wsp_fs_list_opts *o, wsp_fs_entry_fn cb,
		  void *payload, wsp_error *err)
{
	int rc = expired(self, call, err);

	return rc ? rc : walk(self, call, path, 1, o, cb, payload, "", err);
}

static int d_mkdir(void *self, const wsp_call *call, const char *path,
		   uint32_t flags, wsp_error *err)
{
	char p[2048];
	struct stat st;
	int rc = expired(self, call, err);

	if (rc)
		return rc;
	full(p, sizeof(p), self, path);
	if (flags & WSP_FS_RECURSIVE)
		make_parents(self, p);
	if (!mkdir(p, 0755))
		return 0;
	if (errno == EEXIST && (flags & WSP_FS_RECURSIVE) && !stat(p, &st) &&
	    S_ISDIR(st.st_mode))
		return 0;
	return os_err(err, "mkdir", path);
}

/*
 * What remove and rmdir (op) find at path: its full path into p (2048
 * bytes) and its lstat into st. 1 when it is there; 0 when it is not
 * and WSP_FS_FORCE makes that done; else the call's or the lstat's error.
 */
static int removal_target(void *self, const wsp_call *call, const char *path,
			  uint32_t flags, const char *op, char *p,
			  struct stat *st, wsp_error *err)
{
	int rc = expired(self, call, err);

	if (rc)
		return rc;
	full(p, 2048, self, path);
	if (lstat(p, st))
		return errno == ENOENT && (flags & WSP_FS_FORCE)
			       ? 0
			       : os_err(err, op, path);
	return 1;
}

static int d_remove(void *self, const wsp_call *call, const char *path,
		    uint32_t flags, wsp_error *err)
{
	char p[2048];
	struct stat st;
	int rc = removal_target(self, call, path, flags, "remove", p, &st, err);

	if (rc <= 0)
		return rc;
	if (S_ISDIR(st.st_mode) && !(flags & WSP_FS_RECURSIVE))
		return wsp_error_set(err, WSP_EISDIR, "'%s' is a directory",
				     path);
	if (S_ISDIR(st.st_mode) ? remove_tree(p) : unlink(p))
		return os_err(err, "remove", path);
	return 0;
}

static int d_rmdir(void *self, const wsp_call *call, const char *path,
		   uint32_t flags, wsp_error *err)
{
	char p[2048];
	struct stat st;
	int rc = removal_target(self, call, path, flags, "rmdir", p, &st, err);

	if (rc <= 0)
		return rc;
	if (!S_ISDIR(st.st_mode))
		return wsp_error_set(err, WSP_ENOTDIR,
				     "'%s' is not a directory", path);
	if ((flags & WSP_FS_RECURSIVE) ? remove_tree(p) : rmdir(p))
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
