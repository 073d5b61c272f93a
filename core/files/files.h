/*
 * core/files/files.h - what the files modules share (path.c, mounts.c, files.c,
 * files_copy.c): normalised paths and the mount table's routing.
 */
#ifndef WSP_CORE_FILES_H
#define WSP_CORE_FILES_H

#include "abi_normalize.h"
#include "internal.h"

#include <wsp/files.h>

/* Is path (normalised) dir itself or inside it? "/" holds everything. */
WSP_INTERNAL int wsp__path_within(const char *dir, const char *path);

/* path relative to dir (which holds it): "a/b", or "." for dir itself. */
WSP_INTERNAL const char *wsp__path_rest(const char *dir, const char *path);

/*
 * The type a write stores (mime.c): o, the core's own copy of the
 * caller's options, gets wsp_files_mime_type(path) when the caller gave
 * no mime_type (NULL or ""), so every provider stores the one table's
 * answer and none keeps a table of its own.
 */
WSP_INTERNAL void wsp__fs_write_opts_type(wsp_fs_write_opts *o,
					  const char *path);

/* A workspace path, normalised, with the mount that serves it. */
struct wsp__route {
	char path[WSP_FILES_PATH_MAX + 2]; /* normalised, "/a/b" */
	const char *shown; /* as the caller wrote it, for messages */
	int mounted;	   /* a mount serves it (else: virtual or none) */
	size_t index;	   /* that mount */
	const char *mount; /* its path */
	const char *rel;   /* path inside it: "a/b" or "." */
	int read_only;
	int is_mount_point;  /* path is the mount's own root */
	int holds_mounts;    /* other mounts lie strictly below path */
	wsp__instance *inst; /* set by wsp__route_load */
	wsp_workspace *ws;   /* whose secrets its errors never show */
};

/*
 * Normalise path and find its mount (longest prefix). Never loads a
 * provider. Fails only on a bad path.
 */
WSP_INTERNAL int wsp__route(struct wsp__route *r, wsp_workspace *ws,
			    const char *path, wsp_error *err);

/*
 * The instance of r's mount (loaded on first use). WSP_ENOTFOUND when no
 * mount serves the path (virtual directories included).
 */
WSP_INTERNAL int wsp__route_load(struct wsp__route *r, wsp_workspace *ws,
				 wsp_error *err);

/*
 * What comes right before a provider's slot: r's mount loaded (after
 * wsp__route_writable when the call changes something), then the call
 * checked not to have expired (wsp__files_call_check: op and path name it
 * in messages). 0 or the first error.
 */
WSP_INTERNAL int wsp__route_enter(struct wsp__route *r, wsp_workspace *ws,
				  const wsp_call *call, const char *op,
				  const char *path, int change,
				  wsp_error *err);

/* WSP_EROFS unless r lies in a writable mount (virtual dirs are not). */
WSP_INTERNAL int wsp__route_writable(const struct wsp__route *r,
				     wsp_workspace *ws, wsp_error *err);

/*
 * Before a refusal of the mount table (read-only): WSP_ENOTFOUND, "cannot
 * <verb> '<path>': no such file or directory", when r's path does not
 * exist (the link itself counts); 0 when it does or cannot be told.
 */
WSP_INTERNAL int wsp__route_must_exist(struct wsp__route *r,
				       wsp_workspace *ws, const wsp_call *call,
				       const char *verb, wsp_error *err);

/*
 * For each mount strictly below dir (normalised), call cb with the mount's
 * path relative to dir ("data", "a/b"). Stops at a negative return.
 */
WSP_INTERNAL int wsp__mounts_below(wsp_workspace *ws, const char *dir,
				   int (*cb)(const char *rel, size_t index,
					     void *payload),
				   void *payload);

/*
 * Pass a provider's result through, naming r->shown instead of the
 * mount-relative path in err's message.
 */
WSP_INTERNAL int wsp__route_result(int rc, const struct wsp__route *r,
				   wsp_error *err);

/* Fill a stat of a directory that exists only to hold mount points. */
WSP_INTERNAL void wsp__files_virtual_stat(wsp_fs_stat *out);

/*
 * files_call.c: the caller's call (NULL: no cancel, no deadline) made full
 * size, and the check before each slot the core dispatches: 0, or
 * WSP_ECANCELED / WSP_ETIMEDOUT with "cannot <op> '<path>': ..." in err.
 */
WSP_INTERNAL void wsp__files_call_init(wsp_call *out, const wsp_call *in);
WSP_INTERNAL int wsp__files_call_check(const wsp_call *call, const char *op,
				       const char *path, wsp_error *err);

#endif /* WSP_CORE_FILES_H */
