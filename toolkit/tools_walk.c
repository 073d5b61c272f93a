/*
 * toolkit/tools_walk.c - a directory tree in one recursive listing (one
 * provider call, not one per directory), sorted so that every directory
 * is followed by its own subtree; list_files and grep prune and print
 * from that order.
 */
#include "tools_backend.h"
#include "grow.h"

#include <stdlib.h>
#include <string.h>

/* Byte order with '/' lowest: "a", "a/b", "a.txt" (subtrees contiguous). */
static int path_cmp(const char *a, const char *b)
{
	unsigned char x, y;

	for (;; a++, b++) {
		x = (unsigned char)(*a == '/' ? 1 : *a);
		y = (unsigned char)(*b == '/' ? 1 : *b);
		if (x != y || !x)
			return (int)x - (int)y;
	}
}

static int entry_cmp(const void *a, const void *b)
{
	const struct wsp__walk_entry *x = a, *y = b;

	return path_cmp(x->path, y->path);
}

struct collect {
	struct wsp__walk *w;
	size_t max;
	int oom;
	wsp__walk_keep_fn keep;
	void *keep_payload;
};

static int add_entry(const wsp_fs_entry *e, void *payload)
{
	struct collect *c = payload;
	struct wsp__walk *w = c->w;
	struct wsp__walk_entry *x;
	const char *slash;

	if (c->keep && !c->keep(e, c->keep_payload))
		return 0;
	if (w->n >= c->max) {
		w->truncated = 1;
		return WSP_ECANCELED; /* stop the listing */
	}
	x = wsp__grow(w->v, &w->cap, w->n, sizeof(*x), 256);
	if (!x) {
		c->oom = 1;
		return WSP_ENOMEM;
	}
	w->v = x;
	x = &w->v[w->n];
	memset(x, 0, sizeof(*x));
	x->path = strdup(e->path);
	if (!x->path) {
		c->oom = 1;
		return WSP_ENOMEM;
	}
	if (e->is_symlink && e->symlink_target)
		x->target = strdup(e->symlink_target);
	slash = strrchr(x->path, '/');
	x->name = slash ? slash + 1 : x->path;
	x->type = e->type;
	x->depth = e->depth;
	if (!x->depth) {
		const char *p;

		x->depth = 1;
		for (p = x->path; *p; p++)
			x->depth += *p == '/';
	}
	x->is_symlink = e->is_symlink;
	x->size = e->size;
	w->n++;
	return 0;
}

int wsp__walk(struct wsp__walk *w, wsp_workspace *ws, const char *path,
	      uint32_t max_depth, size_t max_entries, wsp__walk_keep_fn keep,
	      void *keep_payload, const wsp_call *call, wsp_error *err)
{
	wsp_fs_list_opts lo = WSP_FS_LIST_OPTS_INIT;
	struct collect c = {w, max_entries ? max_entries : SIZE_MAX, 0, keep,
			    keep_payload};
	int rc;

	memset(w, 0, sizeof(*w));
	lo.flags = WSP_FS_RECURSIVE;
	lo.max_depth = max_depth;
	rc = wsp_files_list(ws, call, path, &lo, add_entry, &c, err);
	if (c.oom)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	if (rc == WSP_ECANCELED && w->truncated)
		rc = 0;
	if (rc)
		return rc;
	if (w->n)
		qsort(w->v, w->n, sizeof(*w->v), entry_cmp);
	return 0;
}

void wsp__walk_free(struct wsp__walk *w)
{
	size_t i;

	for (i = 0; i < w->n; i++) {
		free(w->v[i].path);
		free(w->v[i].target);
	}
	free(w->v);
	memset(w, 0, sizeof(*w));
}

size_t wsp__walk_skip(const struct wsp__walk *w, size_t i)
{
	const char *dir = w->v[i].path;
	size_t n = strlen(dir), j;

	for (j = i + 1; j < w->n; j++)
		if (strncmp(w->v[j].path, dir, n) || w->v[j].path[n] != '/')
			break;
	return j;
}
