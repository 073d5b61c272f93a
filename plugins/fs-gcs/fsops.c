/*
 * plugins/fs-gcs/fsops.c - the vtable's stat, read, exists, mkdir,
 * remove, rmdir, copy and move on GCS.
 *
 * Directories are as fs-s3 makes them: "a/b" is a directory when an
 * object's name starts with "a/b/" (the marker "a/b/" mkdir writes, or
 * any file below). Each slot enters its call so every request below it
 * carries the cancel token and deadline, and the loops check them.
 */
#include "gcs.h"
#include "objfs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIR_MIME "application/x-directory"

int gcs_dir_name(char *out, size_t cap, const struct gcs *g,
		 const char *path, wsp_error *err)
{
	int rc = gcs_name(out, cap, g, path, err);
	size_t n = rc ? 0 : strlen(out);

	if (n && out[n - 1] == '/')
		out[n - 1] = '\0'; /* the prefix itself */
	return rc;
}

int gcs_refuse_read_only(const struct gcs *g, const char *op,
			 const char *path, wsp_error *err)
{
	if (!g->read_only)
		return 0;
	return wsp_error_set(err, WSP_EROFS,
			     "cannot %s '%s': the GCS mount is read-only", op,
			     path);
}

/*
 * What stands at a name (enum objdir_kind: OBJDIR_FILE with o filled),
 * or a negative code.
 */
static int what_is(struct gcs_object *o, struct gcs *g, const char *name,
		   wsp_error *err)
{
	int rc;

	if (!name[0])
		return OBJDIR_DIR; /* the bucket's root */
	rc = gcs_stat_object(o, g, name, err);
	if (rc <= 0)
		return rc < 0 ? rc : OBJDIR_FILE;
	return gcs_is_dir(g, name, err);
}

static int stat_in(wsp_fs_stat *out, struct gcs *g, const char *path,
		   wsp_error *err)
{
	char name[GCS_NAME_MAX + 2];
	struct gcs_object o;
	int rc;

	memset(out, 0, sizeof(*out));
	out->struct_size = sizeof(*out);
	if (!strcmp(path, ".")) {
		out->type = WSP_FS_TYPE_DIR;
		return 0;
	}
	rc = gcs_dir_name(name, sizeof(name), g, path, err);
	if (!rc)
		rc = what_is(&o, g, name, err);
	if (rc < 0)
		return rc;
	if (rc == OBJDIR_FILE) {
		gcs_object_stat(out, &o);
		return 0;
	}
	return objfs_stat_dir(out, rc, path, err);
}

int gcs_fs_stat(wsp_fs_stat *out, void *self, const wsp_call *call,
		const char *path, uint32_t flags, wsp_error *err)
{
	const wsp_call *prev = gcs_call_enter(call);
	int rc = stat_in(out, self, path, err);

	(void)flags; /* no symlinks: NO_FOLLOW changes nothing */
	gcs_call_enter(prev);
	return rc;
}

int gcs_fs_exists(int *out, void *self, const wsp_call *call,
		  const char *path, uint32_t flags, wsp_error *err)
{
	wsp_fs_stat st;
	int rc = gcs_fs_stat(&st, self, call, path, flags, err);

	*out = rc == 0;
	return rc == WSP_ENOTFOUND ? 0 : rc;
}

static int read_in(struct gcs *g, const char *path,
		   const wsp_fs_read_opts *opts, wsp_sink_fn sink,
		   void *payload, wsp_error *err)
{
	char name[GCS_NAME_MAX + 2];
	struct gcs_object o;
	wsp_error missing = {0};
	int rc;

	if (!strcmp(path, "."))
		return wsp_error_set(err, WSP_EISDIR,
				     "cannot read '.': is a directory");
	rc = gcs_dir_name(name, sizeof(name), g, path, err);
	if (rc)
		return rc;
	/* opts is the core's full-size copy: length UINT64_MAX = the rest */
	rc = gcs_download(g, name, opts->offset, opts->length, sink, payload,
			  err);
	if (rc != WSP_ENOTFOUND && (rc || opts->length))
		return rc;
	if (rc && err)
		missing = *err; /* GCS's answer: 404 notFound */
	/* no such object (or nothing asked): a file, a directory, nothing */
	rc = what_is(&o, g, name, err);
	return rc < 0 ? rc : objfs_read_missing(rc, path, &missing, err);
}

int gcs_fs_read(void *self, const wsp_call *call, const char *path,
		const wsp_fs_read_opts *opts, wsp_sink_fn sink, void *payload,
		wsp_error *err)
{
	const wsp_call *prev = gcs_call_enter(call);
	int rc = read_in(self, path, opts, sink, payload, err);

	gcs_call_enter(prev);
	return rc;
}

/* mkdir's questions to the bucket (objdir.h), self a struct gcs. */
static int mkdir_dir_name(char *out, size_t cap, void *self, const char *path,
			  wsp_error *err)
{
	return gcs_dir_name(out, cap, self, path, err);
}

static int mkdir_what_is(void *self, const char *name, const char *path,
			 wsp_error *err)
{
	struct gcs_object o;

	(void)path;
	return what_is(&o, self, name, err);
}

static int mkdir_put_marker(void *self, const char *marker, const char *path,
			    wsp_error *err)
{
	struct gcs_object o;
	int rc = gcs_expired(self, "mkdir", path, err);

	return rc ? rc
		  : gcs_upload_multipart(&o, self, marker, "", 0, DIR_MIME, -1,
					 err);
}

static int mkdir_in(struct gcs *g, const char *path, uint32_t flags,
		    wsp_error *err)
{
	const struct objdir_store st = {g, mkdir_dir_name, mkdir_what_is,
					mkdir_put_marker};
	int rc = gcs_refuse_read_only(g, "mkdir", path, err);

	return rc ? rc : objdir_mkdir(&st, path, flags, err);
}

int gcs_fs_mkdir(void *self, const wsp_call *call, const char *path,
		 uint32_t flags, wsp_error *err)
{
	const wsp_call *prev = gcs_call_enter(call);
	int rc = mkdir_in(self, path, flags, err);

	gcs_call_enter(prev);
	return rc;
}

static int remove_in(struct gcs *g, const char *path, uint32_t flags,
		     wsp_error *err)
{
	char name[GCS_NAME_MAX + 2];
	struct gcs_object o;
	int rc = gcs_refuse_read_only(g, "remove", path, err);

	if (!rc)
		rc = objfs_not_root("remove", path, err);
	if (!rc)
		rc = gcs_dir_name(name, sizeof(name) - 1, g, path, err);
	if (!rc)
		rc = what_is(&o, g, name, err);
	if (rc < 0)
		return rc;
	if (rc == OBJDIR_FILE) {
		rc = gcs_delete_object(g, name, 0, err);
		return rc == WSP_ENOTFOUND && (flags & WSP_FS_FORCE) ? 0 : rc;
	}
	rc = objfs_remove_dir(rc, path, flags, err);
	if (rc != OBJFS_DELETE_DIR)
		return rc;
	strcat(name, "/");
	return gcs_delete_prefix(g, name, NULL, err);
}

int gcs_fs_remove(void *self, const wsp_call *call, const char *path,
		  uint32_t flags, wsp_error *err)
{
	const wsp_call *prev = gcs_call_enter(call);
	int rc = remove_in(self, path, flags, err);

	gcs_call_enter(prev);
	return rc;
}

struct count {
	const char *marker;
	int n;
};

/* Stops at the first object that is not the directory's own marker. */
static int count_other(const struct gcs_object *o, const char *prefix,
		       void *payload)
{
	struct count *c = payload;

	if (o && !strcmp(o->name, c->marker))
		return 0;
	c->n++;
	return 1;
}

static int rmdir_in(struct gcs *g, const char *path, uint32_t flags,
		    wsp_error *err)
{
	char name[GCS_NAME_MAX + 2];
	struct gcs_object o;
	struct count c = {.marker = name};
	int rc = gcs_refuse_read_only(g, "rmdir", path, err);

	if (!rc)
		rc = objfs_not_root("rmdir", path, err);
	if (!rc)
		rc = gcs_dir_name(name, sizeof(name) - 1, g, path, err);
	if (!rc)
		rc = what_is(&o, g, name, err);
	if (rc >= 0)
		rc = objfs_rmdir_kind(rc, path, flags, err);
	if (rc != OBJFS_DELETE_DIR)
		return rc;
	strcat(name, "/");
	/* two per page: the marker and one more say enough */
	rc = gcs_list_walk(g, name, true, 2, count_other, &c, err);
	if (rc < 0)
		return rc;
	if (c.n && (rc = objfs_rmdir_full(path, flags, err)))
		return rc;
	return gcs_delete_prefix(g, name, NULL, err);
}

int gcs_fs_rmdir(void *self, const wsp_call *call, const char *path,
		 uint32_t flags, wsp_error *err)
{
	const wsp_call *prev = gcs_call_enter(call);
	int rc = rmdir_in(self, path, flags, err);

	gcs_call_enter(prev);
	return rc;
}

struct tree_copy {
	struct gcs *g;
	size_t src_len;
	const char *dst_prefix;
	const char *path;
	wsp_error *err;
};

static int copy_item(const struct gcs_object *o, const char *prefix,
		     void *payload)
{
	struct tree_copy *t = payload;
	char dst[GCS_NAME_MAX + 2];
	struct gcs_object made;
	int rc;

	if (!o)
		return 0;
	if (snprintf(dst, sizeof(dst), "%s%s", t->dst_prefix,
		     o->name + t->src_len) > GCS_NAME_MAX)
		return wsp_error_set(t->err, WSP_ETOOBIG,
				     "cannot copy '%s': name too long",
				     t->path);
	rc = gcs_expired(t->g, "copy", t->path, t->err);
	return rc ? rc : gcs_rewrite(&made, t->g, o->name, dst, -1, t->err);
}

/*
 * Copy src to dst; *src_gen (when not NULL) receives the generation of a
 * single file copied, 0 for a tree.
 */
static int copy_in(struct gcs *g, const char *src, const char *dst,
		   uint32_t flags, int64_t *src_gen, wsp_error *err)
{
	char sname[GCS_NAME_MAX + 2], dname[GCS_NAME_MAX + 2];
	struct gcs_object so, made;
	wsp_fs_stat st;
	bool dst_exists, dst_is_dir;
	int rc = gcs_refuse_read_only(g, "copy to", dst, err);

	if (src_gen)
		*src_gen = 0;
	if (rc)
		return rc;
	rc = gcs_dir_name(sname, sizeof(sname) - 1, g, src, err);
	if (!rc)
		rc = gcs_dir_name(dname, sizeof(dname) - 1, g, dst, err);
	if (rc)
		return rc;
	rc = stat_in(&st, g, dst, err);
	dst_exists = !rc;
	rc = objfs_copy_target(&dst_is_dir, rc, &st, flags, dst, err);
	if (rc)
		return rc;
	rc = what_is(&so, g, sname, err);
	if (rc < 0)
		return rc;
	if (rc == OBJDIR_FILE) {
		if ((rc = objfs_copy_file(dst_is_dir, dst, err)))
			return rc;
		if (src_gen)
			*src_gen = so.generation;
		/* pinned to what was seen: absent stays create-only */
		rc = gcs_rewrite(&made, g, sname, dname,
				 dst_exists ? -1 : 0, err);
		if (rc == WSP_EEXIST)
			wsp_error_set(err, WSP_EEXIST,
				      "cannot copy to '%s': it exists", dst);
		return rc;
	}
	rc = objfs_copy_tree(rc, sname, dname, src, dst, flags, err);
	if (rc)
		return rc;
	struct tree_copy t = {g, strlen(sname), dname, src, err};

	rc = gcs_list_walk(g, sname, false, 0, copy_item, &t, err);
	return rc < 0 ? rc : 0;
}

int gcs_fs_copy(void *self, const wsp_call *call, const char *src,
		const char *dst, uint32_t flags, wsp_error *err)
{
	const wsp_call *prev = gcs_call_enter(call);
	int rc = copy_in(self, src, dst, flags, NULL, err);

	gcs_call_enter(prev);
	return rc;
}

int gcs_fs_move(void *self, const wsp_call *call, const char *src,
		const char *dst, uint32_t flags, wsp_error *err)
{
	static const wsp_call whole = {sizeof(wsp_call), 0, NULL, 0};
	struct gcs *g = self;
	const wsp_call *prev = gcs_call_enter(call);
	char sname[GCS_NAME_MAX + 2];
	int64_t gen = 0;
	int rc = copy_in(g, src, dst, flags | WSP_FS_RECURSIVE, &gen, err);

	/*
	 * GCS has no rename: the copy is complete, now drop the source,
	 * whatever the call says by now, or a canceled move would leave
	 * both. A file goes only in the generation that was copied: one
	 * written meanwhile stays (ESTALE), never lost.
	 */
	gcs_call_enter(&whole);
	if (!rc && gen) {
		rc = gcs_dir_name(sname, sizeof(sname), g, src, err);
		if (!rc)
			rc = gcs_delete_object(g, sname, gen, err);
		if (rc == WSP_ESTALE)
			wsp_error_set(err, WSP_ESTALE,
				      "moved '%s' to '%s', but '%s' changed "
				      "meanwhile and was kept",
				      src, dst, src);
	} else if (!rc) {
		rc = remove_in(g, src, WSP_FS_RECURSIVE, err);
	}
	gcs_call_enter(prev);
	return rc;
}
