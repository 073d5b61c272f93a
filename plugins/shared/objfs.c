/*
 * plugins/shared/objfs.c - see objfs.h.
 */
#include "objfs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int objfs_not_root(const char *op, const char *path, wsp_error *err)
{
	if (strcmp(path, "."))
		return 0;
	return wsp_error_set(err, WSP_EPERM,
			     "cannot %s '.': it is the mount root", op);
}

int objfs_stat_dir(wsp_fs_stat *out, int kind, const char *path,
		   wsp_error *err)
{
	if (kind != OBJDIR_DIR)
		return wsp_error_set(err, WSP_ENOTFOUND,
				     "cannot stat '%s': no such file or "
				     "directory",
				     path);
	out->type = WSP_FS_TYPE_DIR;
	return 0;
}

int objfs_read_missing(int kind, const char *path,
		       const wsp_error *missing, wsp_error *err)
{
	if (kind == OBJDIR_FILE)
		return 0;
	if (kind == OBJDIR_DIR)
		return wsp_error_set(err, WSP_EISDIR,
				     "cannot read '%s': is a directory", path);
	wsp_error_set(err, WSP_ENOTFOUND, "cannot read '%s': no such file",
		      path);
	if (err && missing->http_status) {
		err->http_status = missing->http_status;
		err->flags = missing->flags;
		err->retry_after_ms = missing->retry_after_ms;
		memcpy(err->service_code, missing->service_code,
		       sizeof(err->service_code));
	}
	return WSP_ENOTFOUND;
}

int objfs_remove_dir(int kind, const char *path, uint32_t flags,
		     wsp_error *err)
{
	if (kind == OBJDIR_DIR)
		return flags & WSP_FS_RECURSIVE
			       ? OBJFS_DELETE_DIR
			       : wsp_error_set(err, WSP_EISDIR,
					       "cannot remove '%s': is a "
					       "directory",
					       path);
	if (flags & WSP_FS_FORCE)
		return 0;
	return wsp_error_set(err, WSP_ENOTFOUND,
			     "cannot remove '%s': no such file", path);
}

int objfs_rmdir_kind(int kind, const char *path, uint32_t flags,
		     wsp_error *err)
{
	if (kind == OBJDIR_DIR)
		return OBJFS_DELETE_DIR;
	if (kind == OBJDIR_FILE)
		return wsp_error_set(err, WSP_ENOTDIR,
				     "cannot rmdir '%s': not a directory",
				     path);
	return flags & WSP_FS_FORCE
		       ? 0
		       : wsp_error_set(err, WSP_ENOTFOUND,
				       "cannot rmdir '%s': no such directory",
				       path);
}

int objfs_rmdir_full(const char *path, uint32_t flags, wsp_error *err)
{
	if (flags & WSP_FS_RECURSIVE)
		return 0;
	return wsp_error_set(err, WSP_ENOTEMPTY,
			     "cannot rmdir '%s': directory not empty", path);
}

int objfs_copy_target(bool *dst_is_dir, int stat_rc, const wsp_fs_stat *st,
		      uint32_t flags, const char *dst, wsp_error *err)
{
	*dst_is_dir = false;
	if (stat_rc == WSP_ENOTFOUND)
		return 0;
	if (stat_rc)
		return stat_rc;
	if (!(flags & WSP_FS_OVERWRITE))
		return wsp_error_set(err, WSP_EEXIST,
				     "cannot copy to '%s': it exists", dst);
	*dst_is_dir = st->type == WSP_FS_TYPE_DIR;
	return 0;
}

int objfs_copy_file(bool dst_is_dir, const char *dst, wsp_error *err)
{
	if (!dst_is_dir)
		return 0;
	return wsp_error_set(err, WSP_EISDIR,
			     "cannot copy to '%s': is a directory", dst);
}

int objfs_copy_tree(int kind, char *sname, char *dname, const char *src,
		    const char *dst, uint32_t flags, wsp_error *err)
{
	if (kind != OBJDIR_DIR)
		return wsp_error_set(err, WSP_ENOTFOUND,
				     "cannot copy '%s': no such file", src);
	if (!(flags & WSP_FS_RECURSIVE))
		return wsp_error_set(err, WSP_EISDIR,
				     "cannot copy '%s': is a directory", src);
	strcat(sname, "/");
	strcat(dname, "/");
	if (!strncmp(dname, sname, strlen(sname)))
		return wsp_error_set(err, WSP_EINVAL,
				     "cannot copy '%s' into itself ('%s')", src,
				     dst);
	return 0;
}

int objfs_write_not_dir(int is_dir, const char *path, wsp_error *err)
{
	if (is_dir <= 0)
		return is_dir;
	return wsp_error_set(err, WSP_EISDIR, "cannot write '%s': is a directory",
			     path);
}

const char *objfs_upload_type(const wsp_fs_write_opts *o)
{
	return o->mime_type && o->mime_type[0] ? o->mime_type
					       : "application/octet-stream";
}

bool objfs_parent(char *out, size_t cap, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return false;
	snprintf(out, cap, "%.*s", (int)(slash - path), path);
	return true;
}

int objfs_write_parent(int stat_rc, const wsp_fs_stat *st, const char *path,
		       const char *parent, wsp_error *err)
{
	if (stat_rc || st->type == WSP_FS_TYPE_DIR)
		return stat_rc;
	return wsp_error_set(err, WSP_ENOTDIR,
			     "cannot write '%s': '%s' is not a directory",
			     path, parent);
}

int objfs_prefix(char **out, const char *p, const char *shown,
		 wsp_error *err)
{
	size_t n = strlen(p);
	char *r;

	while (n && p[n - 1] == '/')
		n--;
	r = malloc(n + 2);
	if (!r)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	memcpy(r, p, n);
	r[n] = n ? '/' : '\0';
	r[n + 1] = '\0';
	for (const char *c = r; *c;) {
		size_t l = strcspn(c, "/");

		if (!l || (l == 1 && c[0] == '.') ||
		    (l == 2 && c[0] == '.' && c[1] == '.')) {
			free(r);
			return wsp_error_set(err, WSP_ECONFIG,
					     "invalid prefix '%s': empty, '.' "
					     "or '..' component",
					     shown);
		}
		c += l + 1;
	}
	*out = r;
	return 0;
}
