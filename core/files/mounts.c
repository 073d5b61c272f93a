/*
 * core/files/mounts.c - the mount table: which mount serves a workspace path.
 *
 * The configuration refuses nested mounts other than under "/", so a path
 * has at most two candidates, and the longest prefix wins ("/data/x" goes
 * to "/data", not to "/"). Directories above mount points that no mount
 * serves ("/" without a root mount, "/a" for "/a/b") are virtual.
 */
#include "files.h"
#include "abi_normalize.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

int wsp__route(struct wsp__route *r, wsp_workspace *ws, const char *path,
	       wsp_error *err)
{
	size_t i, n = wsp__workspace_mount_count(ws), best = 0;
	int rc;

	memset(r, 0, sizeof(*r));
	r->ws = ws;
	r->shown = path;
	rc = wsp_files_normalize(r->path, sizeof(r->path), path, err);
	if (rc < 0)
		return rc;
	for (i = 0; i < n; i++) {
		const char *m = wsp__workspace_mount_path(ws, i);
		size_t len = strlen(m);

		if (wsp__path_within(m, r->path)) {
			if (!r->mounted || len > best) {
				r->mounted = 1;
				r->index = i;
				r->mount = m;
				best = len;
			}
		}
		if (strcmp(m, r->path) && wsp__path_within(r->path, m))
			r->holds_mounts = 1;
	}
	if (r->mounted) {
		r->rel = wsp__path_rest(r->mount, r->path);
		r->read_only = wsp__workspace_mount_read_only(ws, r->index);
		r->is_mount_point = !strcmp(r->mount, r->path);
	}
	return 0;
}

int wsp__route_enter(struct wsp__route *r, wsp_workspace *ws,
		     const wsp_call *call, const char *op, const char *path,
		     int change, wsp_error *err)
{
	int rc = change ? wsp__route_writable(r, ws, err) : 0;

	if (rc >= 0)
		rc = wsp__route_load(r, ws, err);
	if (rc == 0)
		rc = wsp__files_call_check(call, op, path, err);
	return rc;
}

int wsp__route_load(struct wsp__route *r, wsp_workspace *ws, wsp_error *err)
{
	if (!r->mounted)
		return wsp_error_set(err, WSP_ENOTFOUND,
				     "'%s' is not inside any mount", r->shown);
	if (r->inst)
		return 0;
	return wsp__workspace_mount_instance(&r->inst, ws, r->index, err);
}

int wsp__route_writable(const struct wsp__route *r, wsp_workspace *ws,
			wsp_error *err)
{
	(void)ws;
	if (!r->mounted)
		return wsp_error_set(err, WSP_EROFS,
				     "cannot change '%s': it is not inside any "
				     "mount (only mount points live there)",
				     r->shown);
	if (r->read_only)
		return wsp_error_set(err, WSP_EROFS,
				     "cannot change '%s': mount '%s' is "
				     "read-only",
				     r->shown, r->mount);
	return 0;
}

/*
 * POSIX reports a path that does not exist before a read-only filesystem
 * (rm or cp of a missing file on a read-only mount: ENOENT, not EROFS),
 * and a caller acts on the difference ("nothing to delete" is done).
 * Loading a read-only mount's provider to ask is allowed: it only reads.
 */
int wsp__route_must_exist(struct wsp__route *r, wsp_workspace *ws,
			  const wsp_call *call, const char *verb,
			  wsp_error *err)
{
	wsp_fs_stat st;
	wsp_error ignored;

	if (!r->mounted || wsp__route_load(r, ws, &ignored) < 0)
		return 0;
	wsp__fs_stat_prepare(&st);
	if (r->inst->prov->fs.stat(&st, r->inst->self, call, r->rel,
				   WSP_FS_NO_FOLLOW, &ignored) != WSP_ENOTFOUND)
		return 0;
	return wsp_error_set(err, WSP_ENOTFOUND,
			     "cannot %s '%s': no such file or directory", verb,
			     r->shown);
}

int wsp__mounts_below(wsp_workspace *ws, const char *dir,
		      int (*cb)(const char *rel, size_t index, void *payload),
		      void *payload)
{
	size_t i, n = wsp__workspace_mount_count(ws);

	for (i = 0; i < n; i++) {
		const char *m = wsp__workspace_mount_path(ws, i);
		int rc;

		if (!strcmp(m, dir) || !wsp__path_within(dir, m))
			continue;
		rc = cb(wsp__path_rest(dir, m), i, payload);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void wsp__files_virtual_stat(wsp_fs_stat *out)
{
	uint32_t size = out->struct_size;

	/* The caller's struct may be older (smaller) than ours. */
	if (size > sizeof(*out) || size < offsetof(wsp_fs_stat, mode))
		size = sizeof(*out);
	memset(out, 0, size);
	out->struct_size = size;
	out->type = WSP_FS_TYPE_DIR;
	out->mode = 0555;
}

int wsp__route_result(int rc, const struct wsp__route *r, wsp_error *err)
{
	char quoted[WSP_FILES_PATH_MAX + 4], msg[WSP_ERROR_MSG_MAX];
	const char *hit;
	size_t qn;

	if (rc >= 0 || !err)
		return rc;
	/* A provider's message may quote an option that carries a secret. */
	wsp__workspace_mask_error(r->ws, err);
	if (!r->rel)
		return rc;
	/* Name the path as the caller wrote it, not as the mount sees it. */
	snprintf(quoted, sizeof(quoted), "'%s'", r->rel);
	hit = strstr(err->message, quoted);
	if (!hit)
		return rc;
	qn = strlen(quoted);
	snprintf(msg, sizeof(msg), "%.*s'%s'%s", (int)(hit - err->message),
		 err->message, r->shown, hit + qn);
	memcpy(err->message, msg, sizeof(msg));
	return rc;
}
