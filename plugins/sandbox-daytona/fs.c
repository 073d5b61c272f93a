/*
 * plugins/sandbox-daytona/fs.c - the sandbox's own disk as a filesystem
 * (the descriptor's sandbox_fs, `mounts: { /: { provider: sandbox } }`):
 * paths relative to the toolbox's working directory, the one commands
 * start in, through the toolbox's /files routes (remote-providers.md
 * §2.2, specs/daytona/toolbox).
 *
 * The toolbox answers most failures with a bare status and makes fewer
 * checks than wsp's rules need (its folder call creates parents and
 * takes an existing directory, its delete refuses a directory without
 * recursive=true, its move refuses an existing destination), so each
 * operation checks with an info call first and then acts: another
 * writer between the two can win. It has no copy: cp runs in the
 * sandbox (process/execute). Reads and writes are in fs_io.c.
 */
#include "daytona.h"
#include "dtfs.h"
#include "remote_fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The working directory the toolbox reports: absolute, no "." or "..",
 * no control byte, no trailing '/' (but "/"). */
static int workdir_ok(const char *s)
{
	size_t n = strlen(s);

	if (s[0] != '/' || n >= DT_FS_PATH_MAX / 2)
		return 0;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
	for (const char *p = s; p; p = strchr(p + 1, '/')) {
		if (!strncmp(p, "/./", 3) || !strcmp(p, "/.") ||
		    !strncmp(p, "/../", 4) || !strcmp(p, "/..") ||
		    !strncmp(p, "//", 2))
			return 0;
	}
	return 1;
}

/* The working directory of the toolbox at base, asked once per base. */
static int workdir(char *out, struct dt *d, const char *base,
		   const wsp_call *call, wsp_error *err)
{
	struct dt_req r = { .base = base, .method = "GET", .path = "/work-dir",
			    .call = call };
	cJSON *ans = NULL;
	const cJSON *dir;
	int rc;

	pthread_mutex_lock(&d->lock);
	rc = !strcmp(d->workdir_of, base);
	if (rc)
		snprintf(out, DT_FS_PATH_MAX, "%s", d->workdir);
	pthread_mutex_unlock(&d->lock);
	if (rc)
		return 0;
	if ((rc = dt_request(d, &r, &ans, NULL, err)))
		return rc;
	dir = cJSON_GetObjectItemCaseSensitive(ans, "dir");
	if (!cJSON_IsString(dir) || !workdir_ok(dir->valuestring)) {
		cJSON_Delete(ans);
		return wsp_error_set(err, WSP_EPROTO,
				     "the toolbox's working directory is not "
				     "an absolute path wsp takes");
	}
	snprintf(out, DT_FS_PATH_MAX, "%s", dir->valuestring);
	if (out[1] && out[strlen(out) - 1] == '/')
		out[strlen(out) - 1] = '\0';
	cJSON_Delete(ans);
	pthread_mutex_lock(&d->lock);
	snprintf(d->workdir, sizeof d->workdir, "%s", out);
	snprintf(d->workdir_of, sizeof d->workdir_of, "%s", base);
	pthread_mutex_unlock(&d->lock);
	return 0;
}

int dt_fs_begin(struct dt_fsx *x, struct dt *d, const char *rel,
		const wsp_call *call, wsp_error *err)
{
	int rc = dt_ensure(x->base, d, call, err);

	x->d = d;
	x->call = call;
	if (!rc)
		rc = workdir(x->root, d, x->base, call, err);
	return rc ? rc : rfs_join(x->full, sizeof x->full, x->root, rel, err);
}

/* method {base}/files{route}?{key}={full}{more} */
int dt_fs_call(const struct dt_fsx *x, const char *method, const char *route,
	       const char *full, const char *more, cJSON **out,
	       wsp_error *err)
{
	char esc[3 * DT_FS_PATH_MAX], path[3 * DT_FS_PATH_MAX + 128];
	struct dt_req r = { .base = x->base, .method = method, .path = path,
			    .call = x->call };
	int rc = dt_url_escape(esc, sizeof esc, full, err);

	if (rc)
		return rc;
	if ((size_t)snprintf(path, sizeof path, "/files%s?path=%s%s", route,
			     esc, more ? more : "") >= sizeof path)
		return wsp_error_set(err, WSP_ETOOBIG, "path too long");
	return dt_request(x->d, &r, out, NULL, err);
}

/* The info call; its failures as the toolbox (or its proxy) gave them. */
static int stat_raw(wsp_fs_stat *out, const struct dt_fsx *x,
		    const char *full, wsp_error *err)
{
	struct dt_fs_info fi;
	cJSON *ans = NULL;
	int rc = dt_fs_call(x, "GET", "/info", full, NULL, &ans, err);

	if (!rc && dt_fs_info(&fi, ans))
		rc = wsp_error_set(err, WSP_EPROTO,
				   "the toolbox's file info is not one");
	if (!rc && out) {
		out->type = fi.is_dir ? WSP_FS_TYPE_DIR : WSP_FS_TYPE_FILE;
		out->size = fi.is_dir ? 0 : fi.size;
		out->mtime_ns = fi.mtime_ns;
		out->mode = fi.mode;
		out->is_symlink = fi.is_link;
	}
	cJSON_Delete(ans);
	return rc;
}

static int stat_mapped(int rc, const char *full, wsp_error *err)
{
	if (rc == WSP_ENOTFOUND)
		return wsp_error_set(err, WSP_ENOTFOUND,
				     "no '%s' in the sandbox", full);
	/* os.Stat failed otherwise than "missing": under a file, mostly */
	if (rc == WSP_EINVAL)
		return wsp_error_set(err, WSP_ENOTDIR,
				     "a parent of '%s' is not a directory",
				     full);
	return rc;
}

int dt_fs_stat_full(wsp_fs_stat *out, const struct dt_fsx *x,
		    const char *full, wsp_error *err)
{
	return stat_mapped(stat_raw(out, x, full, err), full, err);
}

int dt_fs_open(struct dt_fsx *x, wsp_fs_stat *st, struct dt *d,
	       const char *rel, const wsp_call *call, wsp_error *err)
{
	int rc = dt_fs_begin(x, d, rel, call, err);

	if (!rc)
		rc = stat_raw(st, x, x->full, err);
	/*
	 * Stopped since we last looked (auto-stop): the proxy answers 400
	 * "no IP address found" (or the connection fails). Start it and
	 * ask again; a real failure fails the same way twice.
	 */
	if (rc && rc != WSP_ENOTFOUND && rc != WSP_ECANCELED &&
	    rc != WSP_ETIMEDOUT && rc != WSP_EAUTH && rc != WSP_ETOOBIG) {
		dt_forget_toolbox(d);
		if (!(rc = dt_fs_begin(x, d, rel, call, err)))
			rc = stat_raw(st, x, x->full, err);
	}
	return stat_mapped(rc, x->full, err);
}

static int fs_stat(wsp_fs_stat *out, void *self, const wsp_call *call,
		   const char *path, uint32_t flags, wsp_error *err)
{
	struct dt_fsx x;

	(void)flags; /* the toolbox follows links: no NO_FOLLOW (no SYMLINKS) */
	return dt_fs_open(&x, out, self, path, call, err);
}

static int fs_exists(int *out, void *self, const wsp_call *call,
		     const char *path, uint32_t flags, wsp_error *err)
{
	return rfs_exists(out, fs_stat(NULL, self, call, path, flags, err));
}

/* The parent of full must exist and be a directory. */
int dt_fs_parent_there(const struct dt_fsx *x, const char *full,
		       wsp_error *err)
{
	char parent[DT_FS_PATH_MAX];
	wsp_fs_stat st = { .struct_size = sizeof st };
	int rc;

	rfs_parent(parent, sizeof parent, full);
	rc = dt_fs_stat_full(&st, x, parent, err);
	if (!rc && st.type != WSP_FS_TYPE_DIR)
		rc = wsp_error_set(err, WSP_ENOTDIR, "a parent is a file");
	return rc;
}

struct walk {
	const struct dt_fsx *x;
	const wsp_fs_list_opts *o;
	wsp_fs_entry_fn cb;
	void *payload;
	uint32_t max_depth;
	char rel[DT_FS_PATH_MAX]; /* of the directory being read */
};

/* The entries of full (walk->rel below the listed one), depth first. */
static int walk_dir(struct walk *w, const char *full, uint32_t depth,
		    wsp_error *err)
{
	const wsp_host *h = w->x->d->host;
	cJSON *ans = NULL, *it;
	size_t rel_len = strlen(w->rel);
	int rc = dt_fs_call(w->x, "GET", "", full, NULL, &ans, err);

	if (!rc && !cJSON_IsArray(ans))
		rc = wsp_error_set(err, WSP_EPROTO,
				   "the toolbox's listing is not a list");
	cJSON_ArrayForEach(it, ans)
	{
		struct dt_fs_info fi;
		wsp_fs_entry en = { .struct_size = sizeof en };
		char sub[DT_FS_PATH_MAX];

		if (rc)
			break;
		if (dt_fs_info(&fi, it) || !dt_fs_name_ok(fi.name))
			continue; /* never a path out of the directory */
		if ((size_t)snprintf(w->rel + rel_len,
				     sizeof w->rel - rel_len, "%s%s",
				     rel_len ? "/" : "",
				     fi.name) >= sizeof w->rel - rel_len ||
		    rfs_join(sub, sizeof sub, full, fi.name, err)) {
			rc = wsp_error_set(err, WSP_ETOOBIG,
					   "a listed path is too long");
			break;
		}
		en.type = fi.is_dir ? WSP_FS_TYPE_DIR : WSP_FS_TYPE_FILE;
		en.path = w->rel;
		en.name = fi.name;
		en.size = fi.is_dir ? 0 : fi.size;
		en.mtime_ns = fi.mtime_ns;
		en.depth = depth;
		if ((rc = rfs_give(h, w->x->call, w->o, &en, w->cb, w->payload,
				   err)))
			break;
		/* a link to a directory is listed, not entered (no loops) */
		if (fi.is_dir && !fi.is_link && depth < w->max_depth)
			rc = walk_dir(w, sub, depth + 1, err);
		w->rel[rel_len] = '\0';
	}
	cJSON_Delete(ans);
	return rc;
}

static int fs_list(void *self, const wsp_call *call, const char *path,
		   const wsp_fs_list_opts *opts, wsp_fs_entry_fn cb,
		   void *payload, wsp_error *err)
{
	struct walk *w = calloc(1, sizeof *w);
	struct dt_fsx x;
	wsp_fs_stat st = { .struct_size = sizeof st };
	int rc;

	if (!w)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	rc = dt_fs_open(&x, &st, self, path, call, err);
	if (!rc && st.type != WSP_FS_TYPE_DIR)
		rc = wsp_error_set(err, WSP_ENOTDIR, "'%s' is not a directory",
				   path);
	if (!rc) {
		*w = (struct walk){ .x = &x, .o = opts, .cb = cb,
				    .payload = payload };
		w->max_depth = !(opts->flags & WSP_FS_RECURSIVE) ? 1
			       : opts->max_depth && opts->max_depth < 64
				       ? opts->max_depth
				       : 64;
		rc = walk_dir(w, x.full, 1, err);
	}
	free(w);
	return rc;
}

static int fs_mkdir(void *self, const wsp_call *call, const char *path,
		    uint32_t flags, wsp_error *err)
{
	struct dt_fsx x;
	wsp_fs_stat st = { .struct_size = sizeof st };
	int rc = dt_fs_open(&x, &st, self, path, call, err);

	if ((rc = rfs_mkdir_ok(rc, &st, flags, path, err)))
		return rc == RFS_MKDIR_THERE ? 0 : rc;
	/* the toolbox makes parents: without RECURSIVE they must be there */
	if (!(flags & WSP_FS_RECURSIVE) &&
	    (rc = dt_fs_parent_there(&x, x.full, err)))
		return rc;
	rc = dt_fs_call(&x, "POST", "/folder", x.full, "&mode=755", NULL, err);
	if (rc == WSP_EINVAL) /* MkdirAll met a file on the way */
		rc = wsp_error_set(err, WSP_ENOTDIR, "a parent of '%s' is a file",
				   path);
	return rc;
}

int dt_fs_delete(const struct dt_fsx *x, const char *full, int recursive,
		 wsp_error *err)
{
	return dt_fs_call(x, "DELETE", "", full,
			  recursive ? "&recursive=true" : "&recursive=false",
			  NULL, err);
}

/* remove (dir 0) and rmdir (dir 1) */
static int remove_any(struct dt *d, const wsp_call *call, const char *path,
		      uint32_t flags, int dir, wsp_error *err)
{
	struct dt_fsx x;
	wsp_fs_stat st = { .struct_size = sizeof st };
	int rc;

	if (!strcmp(path, ".")) /* the core's name of the root */
		return wsp_error_set(err, WSP_EPERM,
				     "the root of the mount stays");
	rc = dt_fs_open(&x, &st, d, path, call, err);
	if ((rc == WSP_ENOTFOUND || rc == WSP_ENOTDIR) && (flags & WSP_FS_FORCE))
		return 0;
	if (rc)
		return rc;
	if ((rc = rfs_remove_ok(&st, flags, dir, path, err)))
		return rc;
	if (dir && !(flags & WSP_FS_RECURSIVE)) {
		cJSON *ans = NULL;

		rc = dt_fs_call(&x, "GET", "", x.full, NULL, &ans, err);
		if (!rc && cJSON_GetArraySize(ans) > 0)
			rc = wsp_error_set(err, WSP_ENOTEMPTY,
					   "'%s' is not empty", path);
		cJSON_Delete(ans);
		if (rc)
			return rc;
	}
	return dt_fs_delete(&x, x.full, st.type == WSP_FS_TYPE_DIR, err);
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

int dt_fs_move_full(const struct dt_fsx *x, const char *a, const char *b,
		    wsp_error *err)
{
	char esc_a[3 * DT_FS_PATH_MAX], esc_b[3 * DT_FS_PATH_MAX];
	char path[6 * DT_FS_PATH_MAX + 64];
	struct dt_req r = { .base = x->base, .method = "POST", .path = path,
			    .call = x->call };
	int rc = dt_url_escape(esc_a, sizeof esc_a, a, err);

	if (!rc)
		rc = dt_url_escape(esc_b, sizeof esc_b, b, err);
	if (rc)
		return rc;
	if ((size_t)snprintf(path, sizeof path,
			     "/files/move?source=%s&destination=%s", esc_a,
			     esc_b) >= sizeof path)
		return wsp_error_set(err, WSP_ETOOBIG, "path too long");
	/* 409: the destination exists (the toolbox checks, then renames) */
	rc = dt_request(x->d, &r, NULL, NULL, err);
	return rc == WSP_ESTALE ? wsp_error_set(err, WSP_EEXIST,
						"'%s' exists", b)
				: rc;
}

/* src and dst checked: dst's stat's code in *dst_rc (0: it is there). */
static int two_paths(struct dt_fsx *x, char *b, wsp_fs_stat *src_st,
		     int *dst_rc, struct dt *d, const wsp_call *call,
		     const char *src, const char *dst, uint32_t flags,
		     wsp_error *err)
{
	wsp_fs_stat dst_st = { .struct_size = sizeof dst_st };
	int rc;

	if (!strcmp(src, ".") || !strcmp(dst, "."))
		return wsp_error_set(err, WSP_EPERM,
				     "the root of the mount stays");
	rc = dt_fs_open(x, src_st, d, src, call, err);
	if (!rc)
		rc = rfs_join(b, DT_FS_PATH_MAX, x->root, dst, err);
	if (rc)
		return rc;
	*dst_rc = dt_fs_stat_full(&dst_st, x, b, err);
	if (!*dst_rc && !(flags & WSP_FS_OVERWRITE))
		return wsp_error_set(err, WSP_EEXIST, "'%s' exists", dst);
	if (*dst_rc && *dst_rc != WSP_ENOTFOUND)
		return *dst_rc;
	return *dst_rc ? 0 : rfs_replace_ok(src_st, &dst_st, dst, err);
}

/*
 * move (copy 0) and copy (copy 1). The toolbox's move takes no
 * overwrite and it has no copy: a file over a file is `mv -f` in the
 * sandbox (a rename, atomic); a directory over a directory goes first
 * (so nothing is moved or copied into it; the old tree is replaced,
 * not merged); a copy is `cp -R` in the sandbox (its own disk, no byte
 * through wsp).
 */
static int transfer(void *self, const wsp_call *call, const char *src,
		    const char *dst, uint32_t flags, int copy, wsp_error *err)
{
	static const char *const cp[] = { "cp", "-R", "--", NULL };
	struct dt_fsx x;
	wsp_fs_stat st = { .struct_size = sizeof st };
	char b[DT_FS_PATH_MAX], parent[DT_FS_PATH_MAX];
	int dst_rc = 0,
	    rc = two_paths(&x, b, &st, &dst_rc, self, call, src, dst, flags,
			   err);

	if (rc)
		return rc;
	if (copy && st.type == WSP_FS_TYPE_DIR && !(flags & WSP_FS_RECURSIVE))
		return wsp_error_set(err, WSP_EISDIR,
				     "'%s' is a directory: copy it with "
				     "RECURSIVE",
				     src);
	if (!copy && !dst_rc && st.type != WSP_FS_TYPE_DIR)
		return dt_fs_sh(&x, dt_mv, x.full, b, err);
	if (!dst_rc && (rc = dt_fs_delete(&x, b, 1, err)))
		return rc;
	if (!copy)
		return dt_fs_move_full(&x, x.full, b, err);
	/* a copy makes the destination's parents, as a write does */
	rfs_parent(parent, sizeof parent, b);
	if (dst_rc && (rc = dt_fs_call(&x, "POST", "/folder", parent,
				       "&mode=755", NULL, err)) == WSP_EINVAL)
		rc = wsp_error_set(err, WSP_ENOTDIR,
				   "a parent of '%s' is a file", dst);
	return rc ? rc : dt_fs_sh(&x, cp, x.full, b, err);
}

static int fs_move(void *self, const wsp_call *call, const char *src,
		   const char *dst, uint32_t flags, wsp_error *err)
{
	return transfer(self, call, src, dst, flags, 0, err);
}

static int fs_copy(void *self, const wsp_call *call, const char *src,
		   const char *dst, uint32_t flags, wsp_error *err)
{
	return transfer(self, call, src, dst, flags, 1, err);
}

const char *const dt_mv[] = { "mv", "-f", "--", NULL };

const wsp_fs_vtable dt_fs = {
	.struct_size = sizeof(wsp_fs_vtable),
	.stat = fs_stat,
	.read = dt_fs_read,
	.write = dt_fs_write,
	.list = fs_list,
	.mkdir = fs_mkdir,
	.remove = fs_remove,
	.rmdir = fs_rmdir,
	.copy = fs_copy,
	.move = fs_move,
	.exists = fs_exists,
};
