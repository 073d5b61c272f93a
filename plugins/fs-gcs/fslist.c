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
#include "objtree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct walk {
	struct objtree tree;
	struct gcs *g;
	const char *path;
	wsp_error *err;
};

static int check(void *payload)
{
	struct walk *w = payload;

	return gcs_expired(w->g, "list", w->path, w->err);
}

static int on_item(const struct gcs_object *o, const char *prefix,
		   void *payload)
{
	struct walk *w = payload;

	return o ? objtree_name(&w->tree, o->name, false, o->size,
				o->mtime_ns)
		 : objtree_name(&w->tree, prefix, true, 0, 0);
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
	/* opts is the core's full-size copy (the boundary rule) */
	objtree_init(&w->tree, prefix, opts, cb, payload);
	w->tree.check = check;
	w->tree.check_ctx = w;
	w->g = g;
	w->path = path;
	w->err = err;
	rc = gcs_list_walk(g, prefix, !w->tree.recursive, 0, on_item, w, err);
	if (rc > 0)
		rc = 0; /* stopped by the callback with a positive value */
	if (!rc)
		rc = gcs_expired(g, "list", path, err);
	if (!rc && !w->tree.found && strcmp(path, ".")) {
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
