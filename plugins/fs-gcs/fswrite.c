/*
 * plugins/fs-gcs/fswrite.c - the vtable's write.
 *
 * Up to resumable_threshold bytes are read first: a source that ends
 * within them goes up in one multipart request, a longer one (or one
 * declared longer with WSP_FS_WRITE_SIZE_KNOWN) by a resumable upload
 * that starts with those bytes. Either way the object appears whole or
 * not at all. overwrite:false is ifGenerationMatch=0, an expected
 * version (a generation) is ifGenerationMatch=<it>, so a concurrent
 * writer makes the write fail instead of being lost (Mastra checks, then
 * writes). Appends compose the new bytes onto the object, never
 * downloading it.
 */
#include "gcs.h"
#include "objfs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What was read ahead first, then the rest of the caller's source. */
struct ahead {
	const char *buf;
	size_t len, off;
	wsp_source_fn source;
	void *payload;
};

static int ahead_source(void *buf, size_t cap, size_t *out, void *payload)
{
	struct ahead *a = payload;

	if (a->off < a->len) {
		size_t n = a->len - a->off < cap ? a->len - a->off : cap;

		memcpy(buf, a->buf + a->off, n);
		a->off += n;
		*out = n;
		return 0;
	}
	return a->source(buf, cap, out, a->payload);
}

/* ifGenerationMatch from the options: -1 none, 0 create only, > 0. */
static int precondition(int64_t *gen, struct gcs *g, const char *name,
			const char *path, const wsp_fs_write_opts *o,
			wsp_error *err)
{
	struct gcs_object cur;
	int rc;

	*gen = -1;
	if (o->flags & WSP_FS_WRITE_NO_OVERWRITE)
		*gen = 0;
	if (o->expected_version && o->expected_version[0]) {
		rc = gcs_parse_version(gen, o->expected_version, err);
		if (rc)
			return rc;
	}
	if (!o->expected_mtime_ns)
		return 0;
	rc = gcs_stat_object(&cur, g, name, err);
	if (rc)
		return rc < 0 ? rc
			      : wsp_error_set(err, WSP_ESTALE,
					      "cannot write '%s': it is gone "
					      "since it was read",
					      path);
	/* GCS keeps milliseconds */
	if (cur.mtime_ns / 1000000 != o->expected_mtime_ns / 1000000)
		return wsp_error_set(err, WSP_ESTALE,
				     "cannot write '%s': it changed since it "
				     "was read",
				     path);
	/* and the write lands on the generation this look saw */
	if (*gen < 0)
		*gen = cur.generation;
	return 0;
}

/* Appends in pieces of chunk_size, each composed onto the object. */
static int append(struct gcs_object *made, struct gcs *g, const char *name,
		  const char *path, const char *mime, char *buf, size_t cap,
		  wsp_source_fn source, void *payload, wsp_error *err)
{
	bool first = true;

	for (;;) {
		size_t got;
		int rc = gcs_fill(&got, buf, cap, source, payload);

		if (!rc)
			rc = gcs_expired(g, "append to", path, err);
		if (rc)
			return rc;
		if (got || first)
			rc = gcs_append(made, g, name, buf, got, mime, err);
		if (rc || got < cap)
			return rc;
		first = false;
	}
}

static int parents_ok(struct gcs *g, const char *path, wsp_error *err)
{
	char parent[GCS_NAME_MAX + 1];
	wsp_fs_stat st;
	int rc;

	if (!objfs_parent(parent, sizeof(parent), path))
		return 0;
	rc = gcs_fs_stat(&st, g, gcs_call(), parent, 0, err);
	return objfs_write_parent(rc, &st, path, parent, err);
}

static int write_in(wsp_fs_stat *out, struct gcs *g, const char *path,
		    const wsp_fs_write_opts *o, wsp_source_fn source,
		    void *payload, wsp_error *err)
{
	char name[GCS_NAME_MAX + 2];
	struct gcs_object made;
	const char *mime;
	int64_t gen;
	size_t cap, got = 0;
	char *buf;
	int rc = gcs_refuse_read_only(g, "write", path, err);

	if (rc)
		return rc;
	if (!strcmp(path, "."))
		return objfs_write_not_dir(1, path, err);
	rc = gcs_dir_name(name, sizeof(name), g, path, err);
	if (rc)
		return rc;
	rc = objfs_write_not_dir(gcs_is_dir(g, name, err), path, err);
	if (rc)
		return rc;
	if (o->flags & WSP_FS_WRITE_NO_PARENTS) {
		rc = parents_ok(g, path, err);
		if (rc)
			return rc;
	}
	rc = precondition(&gen, g, name, path, o, err);
	if (rc)
		return rc;
	mime = objfs_upload_type(o);
	cap = (size_t)g->resumable_threshold;
	if (o->flags & WSP_FS_WRITE_APPEND)
		cap = (size_t)g->chunk_size;
	buf = malloc(cap ? cap : 1);
	if (!buf)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	if (o->flags & WSP_FS_WRITE_APPEND) {
		rc = append(&made, g, name, path, mime, buf, cap, source,
			    payload, err);
	} else {
		/* a size known to be over the threshold skips the read-ahead:
		 * the resumable upload reads the source itself */
		bool big = (o->flags & WSP_FS_WRITE_SIZE_KNOWN) &&
			   o->size_hint > g->resumable_threshold;

		if (!big)
			rc = gcs_fill(&got, buf, cap, source, payload);
		/* the source may have fired the token: nothing is sent */
		if (!rc)
			rc = gcs_expired(g, "write", path, err);
		if (!rc && !big && got < cap) {
			rc = gcs_upload_multipart(&made, g, name, buf, got,
						  mime, gen, err);
		} else if (!rc) {
			struct ahead a = {buf, big ? 0 : got, 0, source,
					  payload};

			rc = gcs_upload_resumable(&made, g, name, ahead_source,
						  &a, mime, gen, err);
		}
	}
	free(buf);
	if (rc == WSP_ESTALE && gen > 0 && err && err->http_status == 412)
		wsp_error_set(err, WSP_ESTALE,
			      "cannot write '%s': it changed since it was read "
			      "(not generation %lld any more)",
			      path, (long long)gen);
	if (rc == WSP_EEXIST)
		wsp_error_set(err, WSP_EEXIST,
			      "cannot write '%s': it exists", path);
	if (!rc && out) {
		memset(out, 0, sizeof(*out));
		out->struct_size = sizeof(*out);
		gcs_object_stat(out, &made);
	}
	return rc;
}

int gcs_fs_write(wsp_fs_stat *out, void *self, const wsp_call *call,
		 const char *path, const wsp_fs_write_opts *opts,
		 wsp_source_fn source, void *payload, wsp_error *err)
{
	const wsp_call *prev = gcs_call_enter(call);
	int rc = write_in(out, self, path, opts, source, payload, err);

	gcs_call_enter(prev);
	return rc;
}
