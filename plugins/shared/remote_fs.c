/*
 * plugins/shared/remote_fs.c - see remote_fs.h.
 */
#include "remote_fs.h"
#include "fs_ext.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>

int rfs_join(char *out, size_t cap, const char *root, const char *rel,
	     wsp_error *err)
{
	int n = !*rel || !strcmp(rel, ".")
			? snprintf(out, cap, "%s", root)
			: snprintf(out, cap, "%s%s%s", root,
				   root[1] ? "/" : "", rel);

	if (n < 0 || (size_t)n >= cap)
		return wsp_error_set(err, WSP_ETOOBIG, "path too long");
	return 0;
}

void rfs_parent(char *out, size_t cap, const char *full)
{
	const char *slash = strrchr(full, '/');

	snprintf(out, cap, "%.*s",
		 (int)(slash && slash != full ? slash - full : 1), full);
}

int rfs_temp_name(char *out, size_t cap, const char *full, wsp_error *err)
{
	const char *slash = strrchr(full, '/');
	unsigned char r[8];
	int n;

	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
		return wsp_error_set(err, WSP_EIO, "no random bytes");
	n = snprintf(out, cap,
		     "%.*s/.wsp-upload-%02x%02x%02x%02x%02x%02x%02x%02x",
		     (int)(slash ? slash - full : 0), full, r[0], r[1], r[2],
		     r[3], r[4], r[5], r[6], r[7]);
	if (n < 0 || (size_t)n >= cap)
		return wsp_error_set(err, WSP_ETOOBIG, "path too long");
	return 0;
}

int rfs_write_ok(int stat_rc, const wsp_fs_stat *st, uint32_t flags,
		 const char *path, wsp_error *err)
{
	if (!stat_rc && st->type == WSP_FS_TYPE_DIR)
		return wsp_error_set(err, WSP_EISDIR, "'%s' is a directory",
				     path);
	if (!stat_rc && (flags & WSP_FS_WRITE_NO_OVERWRITE))
		return wsp_error_set(err, WSP_EEXIST, "'%s' exists", path);
	return stat_rc == WSP_ENOTFOUND ? 0 : stat_rc;
}

int rfs_mkdir_ok(int stat_rc, const wsp_fs_stat *st, uint32_t flags,
		 const char *path, wsp_error *err)
{
	if (!stat_rc)
		return st->type == WSP_FS_TYPE_DIR && (flags & WSP_FS_RECURSIVE)
			       ? RFS_MKDIR_THERE
			       : wsp_error_set(err, WSP_EEXIST, "'%s' exists",
					       path);
	return stat_rc == WSP_ENOTFOUND ? 0 : stat_rc;
}

int rfs_exists(int *out, int stat_rc)
{
	*out = stat_rc == 0;
	return stat_rc == WSP_ENOTFOUND || stat_rc == WSP_ENOTDIR ? 0 : stat_rc;
}

int rfs_remove_ok(const wsp_fs_stat *st, uint32_t flags, int dir,
		  const char *path, wsp_error *err)
{
	if (!dir && st->type == WSP_FS_TYPE_DIR && !(flags & WSP_FS_RECURSIVE))
		return wsp_error_set(err, WSP_EISDIR, "'%s' is a directory",
				     path);
	if (dir && st->type != WSP_FS_TYPE_DIR)
		return wsp_error_set(err, WSP_ENOTDIR,
				     "'%s' is not a directory", path);
	return 0;
}

int rfs_replace_ok(const wsp_fs_stat *from, const wsp_fs_stat *to,
		   const char *dst, wsp_error *err)
{
	if (to->type == WSP_FS_TYPE_DIR && from->type != WSP_FS_TYPE_DIR)
		return wsp_error_set(err, WSP_EISDIR, "'%s' is a directory",
				     dst);
	if (to->type != WSP_FS_TYPE_DIR && from->type == WSP_FS_TYPE_DIR)
		return wsp_error_set(err, WSP_ENOTDIR,
				     "'%s' is not a directory", dst);
	return 0;
}

int rfs_give(const wsp_host *h, const wsp_call *call,
	     const wsp_fs_list_opts *o, const wsp_fs_entry *en,
	     wsp_fs_entry_fn cb, void *payload, wsp_error *err)
{
	int rc;

	if (en->type != WSP_FS_TYPE_DIR && !fs_ext_kept(en->name, o->extensions))
		return 0;
	if ((rc = h->call_expired(h, call)))
		return wsp_error_set(err, rc, "listing stopped: %s",
				     rc == WSP_ECANCELED ? "canceled"
							 : "deadline passed");
	if ((rc = cb(en, payload)))
		wsp_error_set(err, rc, "listing stopped by its callback");
	return rc;
}
