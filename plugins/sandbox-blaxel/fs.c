/*
 * plugins/sandbox-blaxel/fs.c - the sandbox's own disk as a filesystem
 * (the descriptor's sandbox_fs, `mounts: { /: { provider: sandbox } }`):
 * paths relative to working_dir, the directory commands start in,
 * through the sandbox-api's /filesystem routes (remote-providers.md §3.2
 * and §3.4, specs/blaxel/sandbox-api).
 *
 * The sandbox-api has no stat that leaves a file's bytes out: GET of a
 * file answers them all (as JSON, or raw). So a path is described by its
 * parent's listing (Directory JSON: size, mode and mtime of each file),
 * whatever the file's size. Its calls make fewer checks than wsp's rules
 * need (a PUT makes every parent, a write replaces what is there), so
 * each operation checks with a stat first and then acts: another writer
 * between the two can win. It has no move and no copy: `mv` and `cp -R`
 * run in the sandbox, as the SDK's own cp does. Reads and writes are in
 * fs_io.c, paths in URLs in fs_path.c, the listing's reader in fs_json.c.
 */
#include "blfs.h"
#include "remote_fs.h"
#include "remote_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bl_fs_full(char *out, const struct bl *b, const char *rel,
	       wsp_error *err)
{
	char root[BL_FS_PATH_MAX];
	size_t n = strlen(b->working_dir);

	while (n > 1 && b->working_dir[n - 1] == '/') /* "/blaxel/" */
		n--;
	if (n >= sizeof(root))
		return wsp_error_set(err, WSP_ETOOBIG, "path too long");
	snprintf(root, sizeof(root), "%.*s", (int)n, b->working_dir);
	return rfs_join(out, BL_FS_PATH_MAX, root, rel, err);
}

int bl_fs_begin(struct bl_fsx *x, struct bl *b, const char *rel,
		const wsp_call *call, wsp_error *err)
{
	int rc = bl_fs_full(x->full, b, rel, err);

	x->b = b;
	x->call = call;
	return rc ? rc : bl_ready(x->url, sizeof(x->url), b, call, err);
}

/* An error answer of the sandbox-api: its own words for what it says. */
static int fs_fail(const struct bl_fsx *x, int status, const cJSON *ans,
		   const char *what, wsp_error *err)
{
	const char *e = bl_str(ans, "error");

	if (status == 404)
		return wsp_error_set(err, WSP_ENOTFOUND, "%s: not found", what);
	/* Go's error text is all a 422 says of why */
	if (e && strstr(e, "not a directory"))
		return wsp_error_set(err, WSP_ENOTDIR, "%s: a parent is a file",
				     what);
	if (e && strstr(e, "directory not empty"))
		return wsp_error_set(err, WSP_ENOTEMPTY, "%s: not empty", what);
	return bl_fail(x->b, status, ans, what, err);
}

/* method on /filesystem/{full} (escaped), its JSON answer into *out. */
static int fs_call(cJSON **out, const struct bl_fsx *x, const char *method,
		   const char *full, const char *query, const char *body,
		   const char *what, wsp_error *err)
{
	char url[BL_FS_URL_MAX];
	struct bl_req r = {.method = method, .url = url, .body = body,
			   .body_len = body ? strlen(body) : 0,
			   .call = x->call};
	cJSON *ans = NULL;
	int status = 0,
	    rc = bl_fs_url(url, x->url, "/filesystem", full, BL_PATH_ESCAPED,
			   query, err);

	if (!rc)
		rc = bl_request(&status, &ans, x->b, &r, err);
	if (!rc && status >= 300)
		rc = fs_fail(x, status, ans, what, err);
	if (!rc && out)
		*out = ans;
	else
		cJSON_Delete(ans);
	return rc;
}

struct find {
	const char *name;
	wsp_fs_stat *out;
	int found;
};

static int find_one(const struct bl_fs_entry *e, void *payload)
{
	struct find *f = payload;

	if (strcmp(e->name, f->name))
		return 0;
	f->found = 1;
	if (f->out) {
		f->out->type = e->is_dir ? WSP_FS_TYPE_DIR : WSP_FS_TYPE_FILE;
		f->out->size = e->is_dir ? 0 : e->size;
		f->out->mtime_ns = e->mtime_ns;
		f->out->mode = e->mode;
		f->out->is_symlink = (uint32_t)e->is_link;
	}
	return 1;
}

int bl_fs_stat_full(wsp_fs_stat *out, const struct bl_fsx *x,
		    const char *full, wsp_error *err)
{
	char parent[BL_FS_PATH_MAX];
	const char *slash = strrchr(full, '/');
	struct find f = {.name = slash ? slash + 1 : full, .out = out};
	cJSON *dir = NULL;
	int rc;

	if (!strcmp(full, "/")) { /* no parent to ask */
		if (out)
			out->type = WSP_FS_TYPE_DIR;
		return 0;
	}
	rfs_parent(parent, sizeof(parent), full);
	if ((rc = fs_call(&dir, x, "GET", parent, NULL, NULL, "stat", err)))
		return rc;
	rc = bl_fs_dir_each(dir, find_one, &f, err);
	cJSON_Delete(dir);
	if (rc == 1)
		return 0;
	if (rc == WSP_ENOTDIR)
		return wsp_error_set(err, WSP_ENOTDIR, "a parent is a file");
	return rc ? rc : wsp_error_set(err, WSP_ENOTFOUND, "no such file");
}

int bl_fs_parent_there(const struct bl_fsx *x, const char *full,
		       wsp_error *err)
{
	char parent[BL_FS_PATH_MAX];
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	int rc;

	rfs_parent(parent, sizeof(parent), full);
	rc = bl_fs_stat_full(&st, x, parent, err);
	if (!rc && st.type != WSP_FS_TYPE_DIR)
		rc = wsp_error_set(err, WSP_ENOTDIR, "a parent is a file");
	return rc;
}

int bl_fs_delete(const struct bl_fsx *x, const char *full, int recursive,
		 wsp_error *err)
{
	return fs_call(NULL, x, "DELETE", full,
		       recursive ? "recursive=true" : NULL, NULL, "delete", err);
}

/* PUT {"isDirectory":true}: the sandbox-api makes every parent too. */
static int make_dir(const struct bl_fsx *x, const char *full, wsp_error *err)
{
	return fs_call(NULL, x, "PUT", full, NULL,
		       "{\"isDirectory\":true,\"permissions\":\"0755\"}",
		       "mkdir", err);
}

int bl_fs_sh(const struct bl_fsx *x, const char *const *prefix,
	     const char *a, const char *b, wsp_error *err)
{
	return rio_fs_run(bl_exec, x->b, x->b->host, x->call, prefix, a, b,
			  err);
}

static int fs_stat(wsp_fs_stat *out, void *self, const wsp_call *call,
		   const char *path, uint32_t flags, wsp_error *err)
{
	struct bl_fsx x;
	int rc = bl_fs_begin(&x, self, path, call, err);

	if (!rc)
		rc = bl_fs_stat_full(out, &x, x.full, err);
	if (rc || !out || !out->is_symlink)
		return rc;
	if (flags & WSP_FS_NO_FOLLOW) { /* the link itself */
		out->type = WSP_FS_TYPE_SYMLINK;
		return 0;
	}
	return bl_fs_follow(out, &x, x.full, err);
}

static int fs_exists(int *out, void *self, const wsp_call *call,
		     const char *path, uint32_t flags, wsp_error *err)
{
	return rfs_exists(out, fs_stat(NULL, self, call, path, flags, err));
}

/* One directory of a listing; its subdirectories walked from its entries. */
struct walk {
	const struct bl_fsx *x;
	const wsp_fs_list_opts *o;
	wsp_fs_entry_fn cb;
	void *payload;
	uint32_t max_depth;
	wsp_error *err;
};

struct level {
	struct walk *w;
	uint32_t depth;
	const char *full; /* of this directory */
	const char *rel;  /* of this directory under the listed one, "" */
};

static int walk_dir(struct walk *w, const char *full, const char *rel,
		    uint32_t depth);

static int walk_one(const struct bl_fs_entry *e, void *payload)
{
	struct level *l = payload;
	struct walk *w = l->w;
	wsp_fs_entry en = {.struct_size = sizeof(en)};
	size_t fl = strlen(l->full), rl = strlen(l->rel), nl = strlen(e->name);
	char *path = malloc(rl + nl + 2), *full = malloc(fl + nl + 2);
	int rc;

	if (!path || !full) {
		free(path);
		free(full);
		return wsp_error_set(w->err, WSP_ENOMEM, "out of memory");
	}
	snprintf(path, rl + nl + 2, "%s%s%s", l->rel, rl ? "/" : "", e->name);
	snprintf(full, fl + nl + 2, "%s%s%s", l->full,
		 strcmp(l->full, "/") ? "/" : "", e->name);
	en.type = e->is_dir    ? WSP_FS_TYPE_DIR
		  : e->is_link ? WSP_FS_TYPE_SYMLINK
			       : WSP_FS_TYPE_FILE;
	en.path = path;
	en.name = e->name;
	en.size = e->size;
	en.mtime_ns = e->mtime_ns;
	en.is_symlink = (uint32_t)e->is_link;
	en.depth = l->depth;
	rc = rfs_give(w->x->b->host, w->x->call, w->o, &en, w->cb,
		      w->payload, w->err);
	/* a link is listed, never entered: it may lead anywhere */
	if (!rc && e->is_dir && l->depth < w->max_depth)
		rc = walk_dir(w, full, path, l->depth + 1);
	free(path);
	free(full);
	return rc;
}

static int walk_dir(struct walk *w, const char *full, const char *rel,
		    uint32_t depth)
{
	struct level l = {w, depth, full, rel};
	cJSON *dir = NULL;
	int rc = fs_call(&dir, w->x, "GET", full, NULL, NULL, "list", w->err);

	if (!rc)
		rc = bl_fs_dir_each(dir, walk_one, &l, w->err);
	cJSON_Delete(dir);
	return rc;
}

static int fs_list(void *self, const wsp_call *call, const char *path,
		   const wsp_fs_list_opts *opts, wsp_fs_entry_fn cb,
		   void *payload, wsp_error *err)
{
	struct bl_fsx x;
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	struct walk w = {&x, opts, cb, payload, 1, err};
	int rc = bl_fs_begin(&x, self, path, call, err);

	if (opts->flags & WSP_FS_RECURSIVE)
		w.max_depth = opts->max_depth ? opts->max_depth : 64;
	if (!rc)
		rc = bl_fs_stat_full(&st, &x, x.full, err);
	if (!rc && st.is_symlink) /* a link to a directory is listed */
		rc = bl_fs_follow(&st, &x, x.full, err);
	if (!rc && st.type != WSP_FS_TYPE_DIR)
		rc = wsp_error_set(err, WSP_ENOTDIR, "'%s' is not a directory",
				   path);
	return rc ? rc : walk_dir(&w, x.full, "", 1);
}

static int fs_mkdir(void *self, const wsp_call *call, const char *path,
		    uint32_t flags, wsp_error *err)
{
	struct bl_fsx x;
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	int rc = bl_fs_begin(&x, self, path, call, err);

	if (!rc)
		rc = bl_fs_stat_full(&st, &x, x.full, err);
	if ((rc = rfs_mkdir_ok(rc, &st, flags, path, err)))
		return rc == RFS_MKDIR_THERE ? 0 : rc;
	/* the sandbox-api makes parents: without RECURSIVE they must be */
	if (!(flags & WSP_FS_RECURSIVE) &&
	    (rc = bl_fs_parent_there(&x, x.full, err)))
		return rc;
	return make_dir(&x, x.full, err);
}

/* remove (dir: 0) and rmdir (dir: 1) */
static int remove_any(struct bl *b, const wsp_call *call, const char *path,
		      uint32_t flags, int dir, wsp_error *err)
{
	struct bl_fsx x;
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	char root[BL_FS_PATH_MAX];
	int rc = bl_fs_begin(&x, b, path, call, err);

	if (!rc && !bl_fs_full(root, b, ".", err) && !strcmp(x.full, root))
		return wsp_error_set(err, WSP_EPERM,
				     "the root of the mount stays");
	if (!rc)
		rc = bl_fs_stat_full(&st, &x, x.full, err);
	if ((rc == WSP_ENOTFOUND || rc == WSP_ENOTDIR) &&
	    (flags & WSP_FS_FORCE))
		return 0;
	if (rc || (rc = rfs_remove_ok(&st, flags, dir, path, err)))
		return rc;
	/* a directory without RECURSIVE: the server's rmdir refuses one
	 * that is not empty (422, "directory not empty") */
	return bl_fs_delete(&x, x.full, (flags & WSP_FS_RECURSIVE) != 0, err);
}

static int fs_remove(void *self, const wsp_call *call, const char *path,
		     uint32_t flags, wsp_error *err)
{
	return remove_any(self, call, path, flags, 0, err);
}

static int fs_rmdir(void *self, const wsp_call *call, const char *path,
		    uint32_t flags, wsp_error *err)
{
	return remove_any(self, call, path, flags, 1, err);
}

/*
 * Before a move or copy onto b: with OVERWRITE a directory over a
 * directory goes first, so nothing lands inside it (the old tree is
 * replaced, not merged); a file never replaces a directory, nor a
 * directory a file (fs.h), and nothing is removed then; nothing there:
 * its parent is made, as the other providers do.
 */
static int clear_target(const struct bl_fsx *x, const char *b,
			const char *dst, const wsp_fs_stat *from,
			uint32_t flags, wsp_error *err)
{
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	char parent[BL_FS_PATH_MAX];
	int rc = bl_fs_stat_full(&st, x, b, err);

	if (!rc && !(flags & WSP_FS_OVERWRITE))
		return wsp_error_set(err, WSP_EEXIST, "'%s' exists", dst);
	if (!rc && (rc = rfs_replace_ok(from, &st, dst, err)))
		return rc;
	if (!rc && st.type == WSP_FS_TYPE_DIR)
		return bl_fs_delete(x, b, 1, err);
	if (rc != WSP_ENOTFOUND)
		return rc;
	rfs_parent(parent, sizeof(parent), b);
	return make_dir(x, parent, err);
}

static const char *const mv_f[] = {"mv", "-f", "--", NULL};
static const char *const cp_r[] = {"cp", "-R", "--", NULL};

/* move (cmd mv_f) and copy (cp_r) in the sandbox */
static int transfer(struct bl *bl, const wsp_call *call, const char *src,
		    const char *dst, uint32_t flags, const char *const *cmd,
		    wsp_error *err)
{
	struct bl_fsx x;
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	char b[BL_FS_PATH_MAX];
	int rc = bl_fs_begin(&x, bl, src, call, err);

	if (!rc)
		rc = bl_fs_full(b, bl, dst, err);
	if (!rc)
		rc = bl_fs_stat_full(&st, &x, x.full, err);
	if (!rc && cmd == cp_r && st.type == WSP_FS_TYPE_DIR &&
	    !(flags & WSP_FS_RECURSIVE))
		rc = wsp_error_set(err, WSP_EISDIR,
				   "'%s' is a directory: copy it with "
				   "RECURSIVE",
				   src);
	if (!rc)
		rc = clear_target(&x, b, dst, &st, flags, err);
	return rc ? rc : bl_fs_sh(&x, cmd, x.full, b, err);
}

static int fs_move(void *self, const wsp_call *call, const char *src,
		   const char *dst, uint32_t flags, wsp_error *err)
{
	return transfer(self, call, src, dst, flags, mv_f, err);
}

static int fs_copy(void *self, const wsp_call *call, const char *src,
		   const char *dst, uint32_t flags, wsp_error *err)
{
	return transfer(self, call, src, dst, flags, cp_r, err);
}

const wsp_fs_vtable bl_fs = {
	.struct_size = sizeof(wsp_fs_vtable),
	.stat = fs_stat,
	.read = bl_fs_read,
	.write = bl_fs_write,
	.list = fs_list,
	.mkdir = fs_mkdir,
	.remove = fs_remove,
	.rmdir = fs_rmdir,
	.copy = fs_copy,
	.move = fs_move,
	.exists = fs_exists,
};
