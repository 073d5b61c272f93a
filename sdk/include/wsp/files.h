/*
 * wsp/files.h - embedding API for the workspace's files: one namespace
 * made of the configured mounts, each served by a filesystem provider.
 *
 * Paths. Every function takes a workspace path: "/data/report.csv" and
 * "data/report.csv" name the same file (relative paths start at "/").
 * Paths are normalised once here ('.', '..' and repeated '/' folded) before
 * any provider sees them; a path whose '..' climbs above "/" fails with
 * WSP_EPERM. A path goes to the mount with the longest matching prefix
 * ("/data/x" to the "/data" mount, "/notes" to the "/" mount), which sees
 * it relative to its own root. Directories that only hold mount points
 * (the "/" of a table without a root mount, "/a" for a mount at "/a/b")
 * are virtual: they list their mount points as directories, stat as
 * directories and cannot be changed (WSP_EROFS). A mount point itself is
 * never removed or moved (WSP_EBUSY). Writes to a read_only mount fail
 * with WSP_EROFS before its provider is called.
 *
 * Conventions: libgit2's. Outputs first, the workspace, the call context,
 * inputs, then a callback and its payload, and a caller-owned wsp_error
 * last (may be NULL). Functions return 0 or a negative wsp_errcode:
 * WSP_ENOTFOUND, WSP_EEXIST, WSP_EISDIR, WSP_ENOTDIR, WSP_ENOTEMPTY,
 * WSP_EPERM (also: an escape attempt), WSP_EROFS, WSP_ESTALE (a write
 * precondition failed), WSP_EBUSY, WSP_ECANCELED, WSP_ETIMEDOUT,
 * WSP_EINVAL... Option structs and results are those of the provider ABI
 * (<wsp/fs.h>): zero means default in each, so `{ .struct_size =
 * sizeof(x) }` (or the _INIT macro) is complete, and a struct from an
 * older or newer header is accepted.
 *
 * The call (`const wsp_call *call`, see <wsp/common.h>) bounds the whole
 * operation: NULL means no cancel token and no deadline. A call whose
 * token has fired fails with WSP_ECANCELED, one past its deadline with
 * WSP_ETIMEDOUT, before any provider is called; an operation already under
 * way stops at its next chunk, page or entry. A copy or move between
 * mounts checks it between the chunks it streams; a move whose copy has
 * completed always removes its source, so a canceled move leaves either
 * nothing changed or the whole move done.
 *
 *   wsp_fs_stat st = { .struct_size = sizeof(st) };
 *   if (wsp_files_stat(&st, ws, NULL, "/data/report.csv", 0, &err) == 0)
 *           printf("%llu bytes, %s\n", (unsigned long long)st.size,
 *                  st.mime_type);
 *
 * All functions may block and are safe to call from several threads.
 */
#ifndef WSP_FILES_H
#define WSP_FILES_H

#include <wsp/common.h>
#include <wsp/fs.h>
#include <wsp/workspace.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest workspace path accepted, in bytes (NUL excluded). */
#define WSP_FILES_PATH_MAX 4095

/*
 * Stream a file, or opts->offset/opts->length of it, to sink in order.
 * opts may be NULL (the whole file); length 0 reads to the end. WSP_EISDIR for
 * a directory. When sink returns a negative code the read stops and returns it.
 */
WSP_EXTERN int wsp_files_read(wsp_workspace *ws, const wsp_call *call,
			      const char *path, const wsp_fs_read_opts *opts,
			      wsp_sink_fn sink, void *payload, wsp_error *err);

/*
 * Read a whole file into memory: *out (NUL-terminated, free() it) and
 * *out_len. A file larger than max bytes fails with WSP_ETOOBIG.
 */
WSP_EXTERN int wsp_files_read_all(char **out, size_t *out_len,
				  wsp_workspace *ws, const wsp_call *call,
				  const char *path, size_t max, wsp_error *err);

/*
 * Write a file from source, atomically where the provider can (a reader
 * or a crash sees the old file or the new one, never half). opts may be
 * NULL: replace the file, create missing parent directories. Flags:
 * WSP_FS_WRITE_NO_OVERWRITE (fail WSP_EEXIST, atomically),
 * WSP_FS_WRITE_NO_PARENTS (missing parent: WSP_ENOTFOUND),
 * WSP_FS_WRITE_APPEND. expected_mtime_ns / expected_version (the
 * `version` of a wsp_fs_stat) make the write fail with WSP_ESTALE when the
 * file changed since it was read. With WSP_FS_WRITE_SIZE_KNOWN, size_hint
 * tells the provider the total the source gives. out (may be NULL, else
 * set its struct_size) gets the new stat.
 */
WSP_EXTERN int wsp_files_write(wsp_fs_stat *out, wsp_workspace *ws,
			       const wsp_call *call, const char *path,
			       const wsp_fs_write_opts *opts,
			       wsp_source_fn source, void *payload,
			       wsp_error *err);

/* wsp_files_write() from one buffer (its size passed as the size hint). */
WSP_EXTERN int wsp_files_write_buf(wsp_fs_stat *out, wsp_workspace *ws,
				   const wsp_call *call, const char *path,
				   const wsp_fs_write_opts *opts,
				   const void *data, size_t len,
				   wsp_error *err);

/*
 * Describe a path: type, size, times, mode, version token and MIME type
 * (from the extension when the provider has none). flags:
 * WSP_FS_NO_FOLLOW describes a symlink itself. Set out->struct_size.
 */
WSP_EXTERN int wsp_files_stat(wsp_fs_stat *out, wsp_workspace *ws,
			      const wsp_call *call, const char *path,
			      uint32_t flags, wsp_error *err);

/* *out = 1 when the path exists (mount points and virtual dirs do). */
WSP_EXTERN int wsp_files_exists(int *out, wsp_workspace *ws,
				const wsp_call *call, const char *path,
				wsp_error *err);

/*
 * Call cb for each entry of a directory: with WSP_FS_RECURSIVE in
 * opts->flags the whole tree down to opts->max_depth (0 = unlimited), with
 * opts->extensions only files of those extensions, case-sensitive
 * (<wsp/fs.h> says how they match; directories always pass). Entry paths
 * are relative to the listed directory. Mount points below the directory
 * appear as directories (and recursive listings go on into them); what a
 * parent mount holds under a mount point is hidden by it. Order is
 * unspecified. WSP_ENOTDIR for a file.
 */
WSP_EXTERN int wsp_files_list(wsp_workspace *ws, const wsp_call *call,
			      const char *path, const wsp_fs_list_opts *opts,
			      wsp_fs_entry_fn cb, void *payload,
			      wsp_error *err);

/*
 * Create a directory. WSP_FS_RECURSIVE makes missing parents and accepts
 * an existing directory; otherwise an existing path is WSP_EEXIST.
 */
WSP_EXTERN int wsp_files_mkdir(wsp_workspace *ws, const wsp_call *call,
			       const char *path, uint32_t flags,
			       wsp_error *err);

/*
 * Remove a file (or a symlink). A directory needs WSP_FS_RECURSIVE (else
 * WSP_EISDIR); WSP_FS_FORCE makes a missing path a success.
 */
WSP_EXTERN int wsp_files_remove(wsp_workspace *ws, const wsp_call *call,
				const char *path, uint32_t flags,
				wsp_error *err);

/*
 * Remove a directory: WSP_ENOTEMPTY unless WSP_FS_RECURSIVE, WSP_ENOTDIR
 * for anything else; WSP_FS_FORCE makes a missing path a success.
 */
WSP_EXTERN int wsp_files_rmdir(wsp_workspace *ws, const wsp_call *call,
			       const char *path, uint32_t flags,
			       wsp_error *err);

/*
 * Copy src to dst. WSP_FS_OVERWRITE replaces an existing dst (else
 * WSP_EEXIST); a directory needs WSP_FS_RECURSIVE (else WSP_EISDIR).
 * Between mounts the data is streamed (read and write run together, never
 * the whole file in memory).
 */
WSP_EXTERN int wsp_files_copy(wsp_workspace *ws, const wsp_call *call,
			      const char *src, const char *dst, uint32_t flags,
			      wsp_error *err);

/*
 * Move (rename) src to dst; WSP_FS_OVERWRITE replaces an existing dst.
 * Within a mount the provider renames; between mounts it is a streamed
 * copy followed by removing src (both mounts must be writable).
 */
WSP_EXTERN int wsp_files_move(wsp_workspace *ws, const wsp_call *call,
			      const char *src, const char *dst, uint32_t flags,
			      wsp_error *err);

/*
 * The host path of a file or directory, for binding into a local sandbox:
 * WSP_ENOTSUP when its mount is not on the local disk. Writes at most cap
 * bytes (NUL included).
 */
WSP_EXTERN int wsp_files_host_path(char *out, size_t cap, wsp_workspace *ws,
				   const wsp_call *call, const char *path,
				   wsp_error *err);

/*
 * The store under path as a mount source (<wsp/mount.h>), for an embedder
 * that mounts it elsewhere itself: WSP_ENOTSUP when its mount's provider
 * offers none (fs-local: use wsp_files_host_path). A read_only mount
 * gives WSP_MOUNT_READ_ONLY whatever its provider says. out->struct_size
 * is the caller's; at most that much is written. out holds secrets: wipe
 * it (wsp_mount_source_wipe) when done, and never log it.
 */
WSP_EXTERN int wsp_files_mount_source(wsp_mount_source *out,
				      wsp_workspace *ws, const wsp_call *call,
				      const char *path, wsp_error *err);

/*
 * The index-th mount (configuration order): its path ("/", "/data") and
 * whether it is read-only. WSP_ENOTFOUND past the last one.
 */
WSP_EXTERN int wsp_files_mount(const char **out_path, int *out_read_only,
			       wsp_workspace *ws, size_t index);

/*
 * Normalise a workspace path into out ("/a/b"; "/" for the root):
 * WSP_EPERM when '..' climbs above "/", WSP_EINVAL when it is too long
 * for cap or WSP_FILES_PATH_MAX.
 */
WSP_EXTERN int wsp_files_normalize(char *out, size_t cap, const char *path,
				   wsp_error *err);

/*
 * The MIME type of a file name from its extension (case-insensitive):
 * "text/markdown" for "notes.md"; "application/octet-stream" when unknown.
 * A static string.
 */
WSP_EXTERN const char *wsp_files_mime_type(const char *name);

#ifdef __cplusplus
}
#endif
#endif /* WSP_FILES_H */
