/*
 * core/files/files_list.c - wsp_files_list(): a directory's entries from its
 * mount, merged with the mount points below it.
 *
 * Mount points (and the virtual directories above them) are reported as
 * directories; whatever the parent mount holds at those paths is hidden,
 * as a mount hides what lies under it on Unix. A recursive listing goes on
 * into the mounts below, with their entries' paths and depths made
 * relative to the listed directory.
 */
#include "files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VIRTUAL 256

struct vdir {
	char *path;	/* relative to the listed dir: "a", "a/b" */
	uint32_t depth; /* components */
	int is_mount;
};

struct list_ctx {
	wsp_workspace *ws;
	const wsp_call *call;
	const wsp_fs_list_opts *opts; /* normalised */
	uint32_t max_depth; /* 0 = unlimited */
	wsp_fs_entry_fn cb;
	void *payload;
	struct vdir v[MAX_VIRTUAL];
	size_t nv;
	/* While listing a mount below: its path relative to the list. */
	const char *prefix;
	uint32_t depth_add;
	char buf[2 * WSP_FILES_PATH_MAX + 2];
};

static uint32_t components(const char *rel)
{
	uint32_t n = 1;

	for (; *rel; rel++)
		n += *rel == '/';
	return n;
}

static int add_vdir(struct list_ctx *c, const char *path, size_t len,
		    int is_mount)
{
	size_t i;

	for (i = 0; i < c->nv; i++)
		if (strlen(c->v[i].path) == len &&
		    !strncmp(c->v[i].path, path, len)) {
			c->v[i].is_mount |= is_mount;
			return 0;
		}
	if (c->nv == MAX_VIRTUAL)
		return WSP_ETOOBIG;
	c->v[c->nv].path = strndup(path, len);
	if (!c->v[c->nv].path)
		return WSP_ENOMEM;
	c->v[c->nv].depth = components(c->v[c->nv].path);
	c->v[c->nv].is_mount = is_mount;
	c->nv++;
	return 0;
}

/* Each mount below: itself and every directory on the way to it. */
static int collect_mount(const char *rel, size_t index, void *payload)
{
	struct list_ctx *c = payload;
	const char *s;
	int rc;

	(void)index;
	for (s = strchr(rel, '/'); s; s = strchr(s + 1, '/')) {
		rc = add_vdir(c, rel, (size_t)(s - rel), 0);
		if (rc < 0)
			return rc;
	}
	return add_vdir(c, rel, strlen(rel), 1);
}

/* Is an entry of the listed dir's own mount hidden by a mount point? */
static int shadowed(const struct list_ctx *c, const char *path)
{
	size_t i;

	for (i = 0; i < c->nv; i++) {
		size_t n = strlen(c->v[i].path);

		if (strncmp(c->v[i].path, path, n))
			continue;
		if (path[n] == '\0')
			return 1; /* reported as a virtual dir instead */
		if (path[n] == '/' && c->v[i].is_mount)
			return 1; /* under a mount point */
	}
	return 0;
}

static int own_entry(const wsp_fs_entry *e, void *payload)
{
	struct list_ctx *c = payload;

	if (shadowed(c, e->path))
		return 0;
	return c->cb(e, c->payload);
}

static int sub_entry(const wsp_fs_entry *e, void *payload)
{
	struct list_ctx *c = payload;
	wsp_fs_entry copy = *e;
	int n;

	n = snprintf(c->buf, sizeof(c->buf), "%s/%s", c->prefix, e->path);
	if (n < 0 || (size_t)n >= sizeof(c->buf))
		return 0; /* cannot be named in a workspace path: skip */
	copy.path = c->buf;
	copy.depth = e->depth + c->depth_add;
	return c->cb(&copy, c->payload);
}

static int list_mounts_below(struct list_ctx *c, const char *dir,
			     const char *shown, wsp_error *err)
{
	wsp_fs_list_opts sub = *c->opts;
	size_t i;
	int rc;

	for (i = 0; i < c->nv; i++) {
		struct wsp__route r;
		char abs[WSP_FILES_PATH_MAX + 2];
		int n;

		if (!c->v[i].is_mount ||
		    (c->max_depth && c->v[i].depth >= c->max_depth))
			continue;
		n = snprintf(abs, sizeof(abs), "%s/%s",
			     strcmp(dir, "/") ? dir : "", c->v[i].path);
		if (n < 0 || (size_t)n >= sizeof(abs))
			continue;
		rc = wsp__route(&r, c->ws, abs, err);
		if (rc == 0)
			rc = wsp__route_enter(&r, c->ws, c->call, "list", shown,
					      0, err);
		if (rc < 0)
			return rc;
		sub.max_depth = c->max_depth ? c->max_depth - c->v[i].depth : 0;
		c->prefix = c->v[i].path;
		c->depth_add = c->v[i].depth;
		rc = r.inst->prov->fs.list(r.inst->self, c->call, ".", &sub,
					   sub_entry, c, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int wsp_files_list(wsp_workspace *ws, const wsp_call *call, const char *path,
		   const wsp_fs_list_opts *opts, wsp_fs_entry_fn cb,
		   void *payload, wsp_error *err)
{
	wsp_fs_list_opts o;
	struct list_ctx *c;
	struct wsp__route r;
	wsp_call cc;
	size_t i;
	int rc, recursive;

	if (!ws)
		return wsp_error_set(err, WSP_EINVAL, "no workspace given");
	if (!cb)
		return wsp_error_set(err, WSP_EINVAL, "list needs a callback");
	wsp__files_call_init(&cc, call);
	wsp__fs_list_opts_normalize(&o, opts);
	opts = &o;
	rc = wsp__route(&r, ws, path, err);
	if (rc < 0)
		return rc;
	if (!r.mounted && !r.holds_mounts)
		return wsp_error_set(err, WSP_ENOTFOUND,
				     "cannot list '%s': it is not inside any "
				     "mount",
				     path);
	c = calloc(1, sizeof(*c));
	if (!c)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	recursive = !!(opts->flags & WSP_FS_RECURSIVE);
	c->ws = ws;
	c->call = &cc;
	c->opts = opts;
	c->max_depth = recursive ? opts->max_depth : 1;
	c->cb = cb;
	c->payload = payload;
	rc = wsp__mounts_below(ws, r.path, collect_mount, c);
	if (rc < 0) {
		wsp_error_set(err, rc,
			      "cannot list '%s': too many mounts "
			      "below it",
			      path);
		goto out;
	}
	if (r.mounted) {
		rc = wsp__route_enter(&r, ws, &cc, "list", path, 0, err);
		if (rc < 0)
			goto out;
		rc = r.inst->prov->fs.list(r.inst->self, &cc, r.rel, opts,
					   own_entry, c, err);
		/* A virtual dir need not exist in the mount above it. */
		if (rc == WSP_ENOTFOUND && r.holds_mounts)
			rc = 0;
		if (rc < 0) {
			wsp__route_result(rc, &r, err);
			goto out;
		}
	}
	for (i = 0; i < c->nv; i++) {
		wsp_fs_entry e;
		const char *slash = strrchr(c->v[i].path, '/');

		if (c->max_depth && c->v[i].depth > c->max_depth)
			continue;
		memset(&e, 0, sizeof(e));
		e.struct_size = sizeof(e);
		e.type = WSP_FS_TYPE_DIR;
		e.path = c->v[i].path;
		e.name = slash ? slash + 1 : c->v[i].path;
		e.depth = c->v[i].depth;
		rc = wsp__files_call_check(&cc, "list", path, err);
		if (rc < 0)
			goto out;
		rc = cb(&e, payload);
		if (rc < 0) {
			wsp_error_set(err, rc,
				      "listing '%s' was stopped by "
				      "its consumer",
				      path);
			goto out;
		}
	}
	if (recursive)
		rc = list_mounts_below(c, r.path, path, err);
out:
	for (i = 0; i < c->nv; i++)
		free(c->v[i].path);
	free(c);
	return rc;
}
