/*
 * plugins/sandbox-blaxel/blfs.h - what the modules of the sandbox's disk
 * as a filesystem share (the descriptor's sandbox_fs, `provider:
 * sandbox`): fs.c (metadata and tree calls), fs_io.c (reads, writes,
 * commands on files), fs_path.c (paths in URLs), fs_json.c (the
 * sandbox-api's Directory answer). Issue 16.
 */
#ifndef WSP_SANDBOX_BLAXEL_FS_H
#define WSP_SANDBOX_BLAXEL_FS_H

#include "blaxel.h"

#define BL_FS_PATH_MAX 4096
/* a URL: the data plane, a route, a path escaped, a query */
#define BL_FS_URL_MAX (BL_URL_MAX + 3 * BL_FS_PATH_MAX + 128)

/*
 * The two forms the sandbox-api's `/filesystem/{path}` routes take an
 * absolute path in (remote-providers.md §3.4): a single slash after the
 * route means a path relative to the sandbox-api's own directory, so an
 * absolute one is either percent-encoded with its slashes (`%2F...`,
 * what the SDK's generated client sends: the server then uses the
 * decoded path as it is) or written raw after a second slash (`//abs`,
 * what the SDK's writeBinary sends). Both are made here only.
 */
enum bl_path_form {
	BL_PATH_ESCAPED, /* /filesystem/%2Fblaxel%2Fa.txt */
	BL_PATH_RAW      /* /filesystem//blaxel/a.txt */
};

/*
 * base + route + "/" + abs in form, then query (NULL: none) into out
 * (BL_FS_URL_MAX). abs must be absolute. WSP_ETOOBIG, WSP_EINVAL.
 */
int bl_fs_url(char *out, const char *base, const char *route,
	      const char *abs, enum bl_path_form form, const char *query,
	      wsp_error *err);

/* One entry of a Directory answer (name owned by the JSON). */
struct bl_fs_entry {
	const char *name;
	int is_dir, is_link;
	uint64_t size;     /* a file's (a link's own length) */
	uint32_t mode;     /* permission bits, 0 unknown */
	int64_t mtime_ns;  /* 0 unknown (subdirectories carry none) */
};
typedef int (*bl_fs_entry_fn)(const struct bl_fs_entry *e, void *payload);

/*
 * Each entry of a Directory answer (`files`, then `subdirectories`) to
 * cb, validated: a name is one path component (not "", "." or "..", no
 * '/'), sizes not negative, modes Go's octal FileMode. An entry that is
 * not so is skipped; an answer that is no Directory (a file's
 * FileWithContent) is WSP_ENOTDIR, anything else WSP_EPROTO. cb's
 * non-zero stops it and is returned.
 */
int bl_fs_dir_each(const cJSON *dir, bl_fs_entry_fn cb, void *payload,
		   wsp_error *err);

/* One operation: the data plane and the full path asked for. */
struct bl_fsx {
	struct bl *b;
	const wsp_call *call;
	char url[BL_URL_MAX];
	char full[BL_FS_PATH_MAX];
};

/* The sandbox ready (started or found), rel joined under working_dir
 * (no trailing '/'); root, when set, gets the mount's root (full). */
int bl_fs_begin(struct bl_fsx *x, struct bl *b, const char *rel,
		const wsp_call *call, wsp_error *err);
/* working_dir + "/" + rel into out (BL_FS_PATH_MAX). */
int bl_fs_full(char *out, const struct bl *b, const char *rel,
	       wsp_error *err);
/* out (may be NULL) of full: WSP_ENOTFOUND, WSP_ENOTDIR (under a file). */
int bl_fs_stat_full(wsp_fs_stat *out, const struct bl_fsx *x,
		    const char *full, wsp_error *err);
/*
 * The type and size of what the link full leads to, into st (fs_io.c):
 * the listing describes a link as itself, and the API has no stat, so a
 * download is asked for one byte and stopped at its headers (a file's
 * carry Content-Disposition and its size; a directory answers its
 * listing). WSP_ENOTFOUND for a link that leads nowhere.
 */
int bl_fs_follow(wsp_fs_stat *st, const struct bl_fsx *x, const char *full,
		 wsp_error *err);
/* The parent of full must exist and be a directory. */
int bl_fs_parent_there(const struct bl_fsx *x, const char *full,
		       wsp_error *err);
/* DELETE /filesystem/{full}[?recursive=true]. */
int bl_fs_delete(const struct bl_fsx *x, const char *full, int recursive,
		 wsp_error *err);
/* argv[0] ... then a, b (b may be NULL) run in the sandbox; exit 0 or
 * WSP_EIO with what it said. */
int bl_fs_sh(const struct bl_fsx *x, const char *const *prefix,
	     const char *a, const char *b, wsp_error *err);

/* fs_io.c */
int bl_fs_read(void *self, const wsp_call *call, const char *path,
	       const wsp_fs_read_opts *opts, wsp_sink_fn sink, void *payload,
	       wsp_error *err);
int bl_fs_write(wsp_fs_stat *out, void *self, const wsp_call *call,
		const char *path, const wsp_fs_write_opts *opts,
		wsp_source_fn source, void *payload, wsp_error *err);

/* fs.c */
extern const wsp_fs_vtable bl_fs;

#endif
