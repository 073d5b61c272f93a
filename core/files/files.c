/*
 * core/files/files.c - the public file API (<wsp/files.h>) over the mount table:
 * each call normalises its path, routes it to a mount (see mounts.c),
 * answers for virtual directories and mount points itself, enforces
 * read-only mounts, and calls the provider with the mount-relative path.
 * Copies and moves are in files_copy.c.
 *
 * The boundary rule (core/abi_normalize.h): the caller's call context and
 * option structs are copied into full-size ones with defaults filled in,
 * and only those copies reach a provider; a stat result comes back through
 * a full-size struct copied into the caller's. An expired call is refused
 * here, before its provider is called.
 */
#include "files.h"
#include "search.h"
#include "tbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The start of every call on one path: the caller's call made full size
 * (c), then the path routed to its mount. */
static int route(struct wsp__route *r, wsp_call *c, wsp_workspace *ws,
		 const wsp_call *call, const char *path, wsp_error *err)
{
	wsp__files_call_init(c, call);
	if (!ws)
		return wsp_error_set(err, WSP_EINVAL, "no workspace given");
	return wsp__route(r, ws, path, err);
}

/* Our own full-size stat: mime_type is always there. */
static void fill_mime(wsp_fs_stat *st, const char *path)
{
	if (st->type == WSP_FS_TYPE_FILE && !st->mime_type[0])
		snprintf(st->mime_type, sizeof(st->mime_type), "%s",
			 wsp_files_mime_type(path));
}

int wsp_files_read(wsp_workspace *ws, const wsp_call *call, const char *path,
		   const wsp_fs_read_opts *opts, wsp_sink_fn sink,
		   void *payload, wsp_error *err)
{
	struct wsp__route r;
	wsp_fs_read_opts o;
	wsp_call c;
	int rc;

	wsp__fs_read_opts_normalize(&o, opts);
	if (!sink)
		return wsp_error_set(err, WSP_EINVAL, "read needs a sink");
	rc = route(&r, &c, ws, call, path, err);
	if (rc < 0)
		return rc;
	if (r.holds_mounts)
		return wsp_error_set(err, WSP_EISDIR,
				     "cannot read '%s': it is a directory",
				     path);
	rc = wsp__route_enter(&r, ws, &c, "read", path, 0, err);
	if (rc < 0)
		return rc;
	rc = r.inst->prov->fs.read(r.inst->self, &c, r.rel, &o, sink, payload,
				   err);
	return wsp__route_result(rc, &r, err);
}

struct grow {
	struct wsp__tbuf b;
	size_t max;
};

static int grow_sink(const void *data, size_t len, void *payload)
{
	struct grow *g = payload;

	if (len > g->max - g->b.len)
		return WSP_ETOOBIG;
	wsp__tbuf_add(&g->b, data, len);
	return g->b.oom ? WSP_ENOMEM : 0;
}

int wsp_files_read_all(char **out, size_t *out_len, wsp_workspace *ws,
		       const wsp_call *call, const char *path, size_t max,
		       wsp_error *err)
{
	struct grow g = {{NULL, 0, 0, 0}, max};
	size_t len;
	int rc;

	*out = NULL;
	if (out_len)
		*out_len = 0;
	rc = wsp_files_read(ws, call, path, NULL, grow_sink, &g, err);
	if (rc == WSP_ETOOBIG)
		wsp_error_set(err, rc,
			      "cannot read '%s': it is larger than "
			      "%zu bytes",
			      path, max);
	if (rc < 0) {
		wsp__tbuf_free(&g.b);
		return rc;
	}
	len = g.b.len;
	*out = wsp__tbuf_take(&g.b); /* "" for an empty file */
	if (!*out)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	if (out_len)
		*out_len = len;
	return 0;
}

int wsp_files_write(wsp_fs_stat *out, wsp_workspace *ws, const wsp_call *call,
		    const char *path, const wsp_fs_write_opts *opts,
		    wsp_source_fn source, void *payload, wsp_error *err)
{
	struct wsp__route r;
	wsp_fs_write_opts o;
	wsp_fs_stat st;
	wsp_call c;
	int rc;

	wsp__fs_write_opts_normalize(&o, opts);
	if (!source)
		return wsp_error_set(err, WSP_EINVAL, "write needs a source");
	rc = route(&r, &c, ws, call, path, err);
	if (rc < 0)
		return rc;
	rc = wsp__route_writable(&r, ws, err);
	if (rc < 0)
		return rc;
	if (r.is_mount_point || r.holds_mounts)
		return wsp_error_set(err, WSP_EISDIR,
				     "cannot write '%s': it is a directory",
				     path);
	rc = wsp__route_enter(&r, ws, &c, "write", path, 0, err);
	if (rc < 0)
		return rc;
	wsp__fs_write_opts_type(&o, r.path);
	wsp__fs_stat_prepare(&st);
	rc = r.inst->prov->fs.write(out ? &st : NULL, r.inst->self, &c, r.rel,
				    &o, source, payload, err);
	if (rc == 0 && out) {
		fill_mime(&st, r.path);
		wsp__fs_stat_return(out, &st);
	}
	if (rc == 0)
		wsp__search_note(ws, WSP__SEARCH_WRITTEN, r.path);
	return wsp__route_result(rc, &r, err);
}

struct buf_src {
	const char *data;
	size_t len;
};

static int buf_source(void *buf, size_t cap, size_t *out_n, void *payload)
{
	struct buf_src *b = payload;
	size_t n = b->len < cap ? b->len : cap;

	memcpy(buf, b->data, n);
	b->data += n;
	b->len -= n;
	*out_n = n;
	return 0;
}

int wsp_files_write_buf(wsp_fs_stat *out, wsp_workspace *ws,
			const wsp_call *call, const char *path,
			const wsp_fs_write_opts *opts, const void *data,
			size_t len, wsp_error *err)
{
	struct buf_src b = {data, len};
	wsp_fs_write_opts o;

	if (!data && len)
		return wsp_error_set(err, WSP_EINVAL, "no data given");
	/* The size is known here: a provider may use it (one S3 PUT). */
	wsp__fs_write_opts_normalize(&o, opts);
	if (!(o.flags & WSP_FS_WRITE_SIZE_KNOWN)) {
		o.flags |= WSP_FS_WRITE_SIZE_KNOWN;
		o.size_hint = len;
	}
	return wsp_files_write(out, ws, call, path, &o, buf_source, &b, err);
}

int wsp_files_stat(wsp_fs_stat *out, wsp_workspace *ws, const wsp_call *call,
		   const char *path, uint32_t flags, wsp_error *err)
{
	struct wsp__route r;
	wsp_fs_stat st;
	wsp_call c;
	int rc;

	if (!out)
		return wsp_error_set(err, WSP_EINVAL, "stat needs a result");
	rc = route(&r, &c, ws, call, path, err);
	if (rc < 0)
		return rc;
	if (!r.mounted) {
		if (!r.holds_mounts)
			return wsp_error_set(err, WSP_ENOTFOUND,
					     "cannot stat '%s': it is not "
					     "inside any mount",
					     path);
		wsp__files_virtual_stat(out);
		return 0;
	}
	rc = wsp__route_enter(&r, ws, &c, "stat", path, 0, err);
	if (rc < 0)
		return rc;
	wsp__fs_stat_prepare(&st);
	rc = r.inst->prov->fs.stat(&st, r.inst->self, &c, r.rel, flags, err);
	if (rc == WSP_ENOTFOUND && r.holds_mounts) {
		wsp__files_virtual_stat(out);
		return 0;
	}
	if (rc == 0) {
		fill_mime(&st, r.path);
		wsp__fs_stat_return(out, &st);
	}
	return wsp__route_result(rc, &r, err);
}

int wsp_files_exists(int *out, wsp_workspace *ws, const wsp_call *call,
		     const char *path, wsp_error *err)
{
	struct wsp__route r;
	wsp_fs_stat st;
	wsp_call c;
	int rc;

	if (!out)
		return wsp_error_set(err, WSP_EINVAL, "exists needs a result");
	*out = 0;
	rc = route(&r, &c, ws, call, path, err);
	if (rc < 0)
		return rc;
	if (r.holds_mounts || r.is_mount_point) {
		*out = 1;
		return 0;
	}
	if (!r.mounted)
		return 0;
	rc = wsp__route_enter(&r, ws, &c, "look up", path, 0, err);
	if (rc < 0)
		return rc;
	if (r.inst->prov->fs.exists) {
		rc = r.inst->prov->fs.exists(out, r.inst->self, &c, r.rel, 0,
					     err);
		return wsp__route_result(rc, &r, err);
	}
	wsp__fs_stat_prepare(&st);
	rc = r.inst->prov->fs.stat(&st, r.inst->self, &c, r.rel, 0, err);
	if (rc == WSP_ENOTFOUND || rc == WSP_ENOTDIR)
		return 0;
	*out = rc == 0;
	return wsp__route_result(rc, &r, err);
}

int wsp_files_mkdir(wsp_workspace *ws, const wsp_call *call, const char *path,
		    uint32_t flags, wsp_error *err)
{
	struct wsp__route r;
	wsp_call c;
	int rc;

	rc = route(&r, &c, ws, call, path, err);
	if (rc < 0)
		return rc;
	if (r.is_mount_point || r.holds_mounts) {
		if (flags & WSP_FS_RECURSIVE)
			return 0;
		return wsp_error_set(err, WSP_EEXIST,
				     "cannot create directory '%s': it "
				     "already exists",
				     path);
	}
	rc = wsp__route_enter(&r, ws, &c, "create directory", path, 1, err);
	if (rc < 0)
		return rc;
	rc = r.inst->prov->fs.mkdir(r.inst->self, &c, r.rel, flags, err);
	return wsp__route_result(rc, &r, err);
}

static int remove_common(wsp_workspace *ws, const wsp_call *call,
			 const char *path, uint32_t flags, int dir,
			 wsp_error *err)
{
	struct wsp__route r;
	wsp_call c;
	int rc;

	rc = route(&r, &c, ws, call, path, err);
	if (rc < 0)
		return rc;
	if (r.is_mount_point || r.holds_mounts)
		return wsp_error_set(err, WSP_EBUSY,
				     "cannot remove '%s': it %s", path,
				     r.is_mount_point ? "is a mount point"
						      : "holds mount points");
	if (!r.mounted) {
		if (flags & WSP_FS_FORCE)
			return 0;
		return wsp_error_set(err, WSP_ENOTFOUND,
				     "cannot remove '%s': it is not inside "
				     "any mount",
				     path);
	}
	if (r.read_only) {
		rc = wsp__route_must_exist(&r, ws, &c, "remove", err);
		if (rc < 0)
			return flags & WSP_FS_FORCE ? 0 : rc;
	}
	rc = wsp__route_enter(&r, ws, &c, "remove", path, 1, err);
	if (rc < 0)
		return rc;
	if (dir)
		rc = r.inst->prov->fs.rmdir(r.inst->self, &c, r.rel, flags,
					    err);
	else
		rc = r.inst->prov->fs.remove(r.inst->self, &c, r.rel, flags,
					     err);
	if (rc == 0)
		wsp__search_note(ws, WSP__SEARCH_REMOVED, r.path);
	return wsp__route_result(rc, &r, err);
}

int wsp_files_remove(wsp_workspace *ws, const wsp_call *call, const char *path,
		     uint32_t flags, wsp_error *err)
{
	return remove_common(ws, call, path, flags, 0, err);
}

int wsp_files_rmdir(wsp_workspace *ws, const wsp_call *call, const char *path,
		    uint32_t flags, wsp_error *err)
{
	return remove_common(ws, call, path, flags, 1, err);
}

int wsp_files_host_path(char *out, size_t cap, wsp_workspace *ws,
			const wsp_call *call, const char *path, wsp_error *err)
{
	struct wsp__route r;
	wsp_call c;
	int rc;

	rc = route(&r, &c, ws, call, path, err);
	if (rc < 0)
		return rc;
	rc = wsp__route_enter(&r, ws, &c, "locate", path, 0, err);
	if (rc < 0)
		return rc;
	if (!r.inst->prov->fs.host_path)
		return wsp_error_set(err, WSP_ENOTSUP,
				     "mount '%s' is not on the local disk, so "
				     "'%s' has no host path",
				     r.mount, path);
	rc = r.inst->prov->fs.host_path(out, cap, r.inst->self, &c, r.rel, 0,
					err);
	return wsp__route_result(rc, &r, err);
}

int wsp_files_mount(const char **out_path, int *out_read_only,
		    wsp_workspace *ws, size_t index)
{
	if (!ws || index >= wsp__workspace_mount_count(ws))
		return WSP_ENOTFOUND;
	if (out_path)
		*out_path = wsp__workspace_mount_path(ws, index);
	if (out_read_only)
		*out_read_only = wsp__workspace_mount_read_only(ws, index);
	return 0;
}
