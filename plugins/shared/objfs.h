/*
 * plugins/shared/objfs.h - the rules of wsp's filesystem slots over an
 * object store whose directories are name prefixes, as fs-s3 and fs-gcs
 * both keep them: "a/b" is a file when an object has that name, a
 * directory when some name begins "a/b/" (objdir.h's marker, or any
 * object below), else nothing.
 *
 * Each store asks its own questions in its own order (what stands at a
 * name: enum objdir_kind) and sends its own requests; what the answers
 * mean for stat, read, remove, rmdir and copy, and how a refusal reads,
 * is decided here once.
 */
#ifndef WSP_PLUGIN_OBJFS_H
#define WSP_PLUGIN_OBJFS_H

#include "objdir.h"

#include <wsp/plugin.h>

#include <stdbool.h>
#include <stdint.h>

/* The store goes on: remove or rmdir deletes the directory's prefix. */
#define OBJFS_DELETE_DIR 1

/*
 * WSP_EPERM for op ("remove", "rmdir") on ".", the mount's root, which
 * stays; else 0.
 */
int objfs_not_root(const char *op, const char *path, wsp_error *err);

/*
 * stat of path where no object stands (kind OBJDIR_DIR or
 * OBJDIR_NOTHING): a directory (out->type) or WSP_ENOTFOUND.
 */
int objfs_stat_dir(wsp_fs_stat *out, int kind, const char *path,
		   wsp_error *err);

/*
 * The end of a read of path that found no object to read (or read
 * nothing: length 0): kind is what stands at the name. A file: 0; a
 * directory: WSP_EISDIR; nothing: WSP_ENOTFOUND, keeping the HTTP
 * detail of missing (the store's 404) when it has any.
 */
int objfs_read_missing(int kind, const char *path,
		       const wsp_error *missing, wsp_error *err);

/*
 * remove of path where no object stands (kind OBJDIR_DIR or
 * OBJDIR_NOTHING): OBJFS_DELETE_DIR for a directory with RECURSIVE,
 * WSP_EISDIR without; nothing is 0 with FORCE, else WSP_ENOTFOUND.
 */
int objfs_remove_dir(int kind, const char *path, uint32_t flags,
		     wsp_error *err);

/*
 * rmdir of path by what stands there (any enum objdir_kind):
 * OBJFS_DELETE_DIR for a directory, WSP_ENOTDIR for a file; nothing is
 * 0 with FORCE, else WSP_ENOTFOUND.
 */
int objfs_rmdir_kind(int kind, const char *path, uint32_t flags,
		     wsp_error *err);

/* rmdir of a directory that holds more than its marker: WSP_ENOTEMPTY
 * without RECURSIVE, else 0. */
int objfs_rmdir_full(const char *path, uint32_t flags, wsp_error *err);

/*
 * copy's rule for its target dst, whose stat gave stat_rc (and st): a
 * target that exists needs OVERWRITE (WSP_EEXIST). 0 when the copy may
 * go on, *dst_is_dir telling whether a directory is there; else the
 * code.
 */
int objfs_copy_target(bool *dst_is_dir, int stat_rc, const wsp_fs_stat *st,
		      uint32_t flags, const char *dst, wsp_error *err);

/* copy of a file onto dst: never over a directory (WSP_EISDIR). */
int objfs_copy_file(bool dst_is_dir, const char *dst, wsp_error *err);

/*
 * copy of src where no object stands (kind OBJDIR_DIR or
 * OBJDIR_NOTHING), sname and dname the names of src and dst (room for
 * one more byte): nothing is WSP_ENOTFOUND, a directory needs
 * RECURSIVE (WSP_EISDIR) and a dst outside it (WSP_EINVAL). 0 when
 * the tree may be copied, sname and dname then ending in '/' (the
 * prefixes to list and to write under).
 */
int objfs_copy_tree(int kind, char *sname, char *dname, const char *src,
		    const char *dst, uint32_t flags, wsp_error *err);

/*
 * write's rule over what stands at path: is_dir, the store's answer
 * whether a directory is there (1 yes, 0 no, or a negative code), or 1
 * for ".", the root. A directory is WSP_EISDIR; 0 when the write may
 * go on; else is_dir.
 */
int objfs_write_not_dir(int is_dir, const char *path, wsp_error *err);

/*
 * The Content-Type a write stores: o->mime_type, which the core fills
 * from its one extension table (<wsp/fs.h>), else (a write that did not
 * come through the core and named no type) "application/octet-stream".
 * The stores keep no table of their own.
 */
const char *objfs_upload_type(const wsp_fs_write_opts *o);

/*
 * The parent of path ("a/b" for "a/b/c") in out (cap bytes) for a write
 * with WSP_FS_WRITE_NO_PARENTS: false for a top-level path, whose parent
 * is the root and always there.
 */
bool objfs_parent(char *out, size_t cap, const char *path);

/*
 * write's rule for that parent, whose stat gave stat_rc (and st): it
 * must be a directory (WSP_ENOTDIR). 0, or the code.
 */
int objfs_write_parent(int stat_rc, const wsp_fs_stat *st, const char *path,
		       const char *parent, wsp_error *err);

/*
 * A mount's prefix as object names begin with it: p (its leading '/'
 * dropped by the caller) without its trailing '/', then one '/'
 * ("team/data" -> "team/data/"; "" stays ""), in a malloc'ed *out. An
 * empty, '.' or '..' component is WSP_ECONFIG, the message quoting
 * shown (the caller's form of p for messages).
 */
int objfs_prefix(char **out, const char *p, const char *shown,
		 wsp_error *err);

#endif
