/*
 * plugins/shared/remote_fs.h - what the remote sandboxes' own disks as
 * filesystems (the sandbox_fs of sandbox-daytona and sandbox-e2b) do
 * alike. Both reach the files through a service that takes absolute
 * paths and checks less than wsp's rules ask, so both join the mount's
 * root with the core's relative path, check the rules against a stat
 * first, write under a temporary name beside the file and rename it
 * over, and hand on the entries of a listing the service gives whole.
 */
#ifndef WSP_PLUGIN_SHARED_REMOTE_FS_H
#define WSP_PLUGIN_SHARED_REMOTE_FS_H

#include <wsp/plugin.h>

#include <stddef.h>
#include <stdint.h>

/* root + "/" + rel into out (cap bytes): "." and "" are root itself;
 * WSP_ETOOBIG when it does not fit. */
int rfs_join(char *out, size_t cap, const char *root, const char *rel,
	     wsp_error *err);

/* The directory holding the absolute path full: "/a" for "/a/b", "/"
 * for "/a". */
void rfs_parent(char *out, size_t cap, const char *full);

/* A name for a write in progress beside full: its directory +
 * "/.wsp-upload-" + 16 random hex digits (WSP_ETOOBIG, WSP_EIO). */
int rfs_temp_name(char *out, size_t cap, const char *full, wsp_error *err);

/*
 * wsp's rules for a write over path, whose stat gave stat_rc (and st):
 * never over a directory (WSP_EISDIR), nor over a file with
 * WSP_FS_WRITE_NO_OVERWRITE (WSP_EEXIST: checked, not atomic). 0 when
 * it may be written, a missing path included; else stat_rc.
 */
int rfs_write_ok(int stat_rc, const wsp_fs_stat *st, uint32_t flags,
		 const char *path, wsp_error *err);

/* rfs_mkdir_ok: a directory is there already, and that is fine. */
#define RFS_MKDIR_THERE 1

/*
 * wsp's rules for mkdir of path, whose stat gave stat_rc (and st): 0
 * when nothing is there and it may be made; RFS_MKDIR_THERE when a
 * directory is there and RECURSIVE accepts it; WSP_EEXIST for anything
 * else there; else stat_rc. Whether the parent must be there (no
 * RECURSIVE) is the caller's to ask its service.
 */
int rfs_mkdir_ok(int stat_rc, const wsp_fs_stat *st, uint32_t flags,
		 const char *path, wsp_error *err);

/*
 * The exists slot from a stat of the path (its code stat_rc): *out is 1
 * when it was found; not there, or under a file (WSP_ENOTFOUND,
 * WSP_ENOTDIR), is 0 and no error; any other failure stays one.
 */
int rfs_exists(int *out, int stat_rc);

/*
 * wsp's rules for remove (dir 0) and rmdir (dir 1) of a path whose stat
 * is st: a directory is removed only with RECURSIVE (WSP_EISDIR), rmdir
 * takes directories only (WSP_ENOTDIR). 0 when it may go; whether a
 * directory is empty is the caller's to ask its service.
 */
int rfs_remove_ok(const wsp_fs_stat *st, uint32_t flags, int dir,
		  const char *path, wsp_error *err);

/*
 * wsp's rule for a copy or move with OVERWRITE of from onto to, which
 * exists (fs.h): a file never replaces a directory (WSP_EISDIR), nor a
 * directory a file (WSP_ENOTDIR); dst names to. 0 when it may go over
 * (a file over a file, a directory over a directory: what happens to
 * the old tree is the caller's).
 */
int rfs_replace_ok(const wsp_fs_stat *from, const wsp_fs_stat *to,
		   const char *dst, wsp_error *err);

/*
 * One entry of a listing to cb, unless it is a file the listing's
 * extensions drop (fs_ext.h): 0, or the code that ends the listing,
 * with err set, when the call expired or cb stopped it.
 */
int rfs_give(const wsp_host *h, const wsp_call *call,
	     const wsp_fs_list_opts *o, const wsp_fs_entry *en,
	     wsp_fs_entry_fn cb, void *payload, wsp_error *err);

#endif
