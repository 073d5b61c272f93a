/*
 * plugins/fs-gcs/fslist.c - the vtable's list.
 *
 * One level is one listing with delimiter '/': objects are files, the
 * prefixes GCS folds the rest into are directories (Mastra lists the
 * whole subtree for that). RECURSIVE lists the subtree without a
 * delimiter and makes up the directories from the names, each once.
 * Page after page by the page token; the call is checked before every
 * entry, so a callback that cancels stops the listing at once.
 */
#include "gcs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct walk {
	struct gcs *g;
	const char *prefix, *path;
	size_t prefix_len;
	bool recursive;
	uint32_t max_depth;
	const char *const *exts;
	wsp_fs_entry_fn cb;
	void *payload;
	wsp_error *err;
	bool found;			/* anything at all below the prefix */
	char last_dir[GCS_NAME_MAX + 1]; /* relative dir of the last name */
};

static uint32_t depth_of(const char *rel)
{
	uint32_t d = 1;

	for (; *rel; rel++)
		d += *rel == '/';
	return d;
}

static bool ext_ok(const char *name, const char *const *exts)
{
	size_t nl = strlen(name);

	if (!exts)
		return true;
	for (; *exts; exts++) {
		const char *e = **exts == '.' ? *exts + 1 : *exts;
		size_t el = strlen(e);

		if (nl > el + 1 && name[nl - el - 1] == '.' &&
		    !strcasecmp(name + nl - el, e))
			return true;
	}
	return false;
}

static int give(struct walk *w, const char *rel, uint32_t type, uint64_t size,
		int64_t mtime)
{
	const char *slash = strrchr(rel, '/');
	uint32_t depth = depth_of(rel);
	wsp_fs_entry e = {
		.struct_size = sizeof(e),
		.type = type,
		.path = rel,
		.name = slash ? slash + 1 : rel,
		.size = size,
		.mtime_ns = mtime,
		.depth = depth,
	};
	int rc;

	if (w->max_depth && depth > w->max_depth)
		return 0;
	if (type == WSP_FS_TYPE_FILE && !ext_ok(e.name, w->exts))
		return 0;
	rc = gcs_expired(w->g, "list", w->path, w->err);
	return rc ? rc : w->cb(&e, w->payload);
}

/* dir and its ancestors, but those the previous name gave already. */
static int give_dirs(struct walk *w, const char *dir)
{
	size_t n = strlen(dir);
	char buf[GCS_NAME_MAX + 1];

	for (size_t i = 1; i <= n; i++) {
		if (i < n && dir[i] != '/')
			continue;
		bool seen = !strncmp(w->last_dir, dir, i) &&
			    (w->last_dir[i] == '\0' || w->last_dir[i] == '/');

		if (seen)
			continue;
		memcpy(buf, dir, i);
		buf[i] = '\0';
		int rc = give(w, buf, WSP_FS_TYPE_DIR, 0, 0);

		if (rc)
			return rc;
	}
	snprintf(w->last_dir, sizeof(w->last_dir), "%s", dir);
	return 0;
}

static int on_item(const struct gcs_object *o, const char *prefix,
		   void *payload)
{
	struct walk *w = payload;
	const char *full = o ? o->name : prefix;
	const char *rel = full + w->prefix_len;
	char dir[GCS_NAME_MAX + 1];
	size_t rl;

	if (strncmp(full, w->prefix, w->prefix_len))
		return 0;
	w->found = true;
	if (!*rel)
		return 0; /* the directory's own marker */
	rl = strlen(rel);
	if (!w->recursive) {
		if (!o || rel[rl - 1] == '/') {
			snprintf(dir, sizeof(dir), "%.*s", (int)(rl - 1), rel);
			return give(w, dir, WSP_FS_TYPE_DIR, 0, 0);
		}
		return give(w, rel, WSP_FS_TYPE_FILE, o->size, o->mtime_ns);
	}
	/* recursive: a marker "x/y/" is the directory x/y */
	const char *slash =
		rel[rl - 1] == '/' ? rel + rl - 1 : strrchr(rel, '/');

	if (slash) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - rel), rel);
		int rc = give_dirs(w, dir);

		if (rc || rel[rl - 1] == '/')
			return rc;
	}
	if (!o)
		return 0;
	return give(w, rel, WSP_FS_TYPE_FILE, o->size, o->mtime_ns);
}

static int list_in(struct gcs *g, const char *path,
		   const wsp_fs_list_opts *opts, wsp_fs_entry_fn cb,
		   void *payload, wsp_error *err)
{
	char prefix[GCS_NAME_MAX + 2];
	struct walk *w;
	wsp_fs_stat st;
	int rc;

	rc = gcs_dir_name(prefix, sizeof(prefix) - 1, g, path, err);
	if (rc)
		return rc;
	if (prefix[0])
		strcat(prefix, "/");
	w = calloc(1, sizeof(*w));
	if (!w)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	w->g = g;
	w->prefix = prefix;
	w->path = path;
	w->prefix_len = strlen(prefix);
	/* opts is the core's full-size copy (the boundary rule) */
	w->recursive = (opts->flags & WSP_FS_RECURSIVE) && opts->max_depth != 1;
	w->max_depth = (opts->flags & WSP_FS_RECURSIVE) ? opts->max_depth : 1;
	w->exts = opts->extensions;
	w->cb = cb;
	w->payload = payload;
	w->err = err;
	rc = gcs_list_walk(g, prefix, !w->recursive, 0, on_item, w, err);
	if (rc > 0)
		rc = 0; /* stopped by the callback with a positive value */
	if (!rc)
		rc = gcs_expired(g, "list", path, err);
	if (!rc && !w->found && strcmp(path, ".")) {
		/* nothing below: a file, or nothing at all */
		rc = gcs_fs_stat(&st, g, gcs_call(), path, 0, err);
		if (!rc && st.type == WSP_FS_TYPE_FILE)
			rc = wsp_error_set(err, WSP_ENOTDIR,
					   "cannot list '%s': not a directory",
					   path);
	}
	free(w);
	return rc;
}

int gcs_fs_list(void *self, const wsp_call *call, const char *path,
		const wsp_fs_list_opts *opts, wsp_fs_entry_fn cb, void *payload,
		wsp_error *err)
{
	const wsp_call *prev = gcs_call_enter(call);
	int rc = list_in(self, path, opts, cb, payload, err);

	gcs_call_enter(prev);
	return rc;
}
