/*
 * plugins/shared/fs_ext.h - the one rule of wsp_fs_list_opts.extensions
 * for every filesystem of ours (fs-local; fs-s3 and fs-gcs through
 * objtree; the sandboxes' own disks), so that `wsp fs ls --ext` and the
 * file API list the same files whatever serves the mount.
 * wsp-conformance holds every provider, ours or not, to it
 * (fs.list-extensions*).
 *
 * A file is kept when its name ends in '.' and one of the extensions
 * (given as ".md" or "md"), with at least one byte before that dot. The
 * comparison is byte for byte, so case-sensitive: as Mastra's
 * filesystems and its list_files tool compare (endsWith, extname), and
 * as names are on POSIX and in object stores, where "a.MD" and "a.md"
 * are two files. So "MD" keeps "NOTES.MD" and not "notes.md"; "tar.gz"
 * keeps "pkg.tar.gz"; ".md" alone is a hidden file without an extension
 * (node's extname says so too); an empty extension keeps nothing.
 * Directories are not asked: a listing always gives them.
 */
#ifndef WSP_PLUGIN_SHARED_FS_EXT_H
#define WSP_PLUGIN_SHARED_FS_EXT_H

#include <stdbool.h>

/* Is the file name kept by exts (NULL-terminated; NULL keeps all)? */
bool fs_ext_kept(const char *name, const char *const *exts);

#endif
