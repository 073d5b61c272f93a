/*
 * core/skills_find.c - where the skills are: one recursive listing per
 * skills: entry through the file API, matched as Mastra's discovery does
 * (see skills.c), into the directories that hold a SKILL.md.
 */
#include "files.h"
#include "skills.h"
#include "glob.h"
#include "grow.h"
#include "workspace_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_MAX 100000 /* entries one skills: path may list */

const char *wsp__skills_base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* The directory of path ("/a/b" -> "/a", "/a" -> "/"). */
static void parent_of(char *out, size_t cap, const char *path)
{
	const char *s = strrchr(path, '/');
	size_t n = s && s > path ? (size_t)(s - path) : 1;

	snprintf(out, cap, "%.*s", (int)n, path);
}

/* ---- one listing ------------------------------------------------------- */

static int add_ent(struct wsp__skill_listing *l, const char *path,
		   uint32_t type, uint32_t symlink, uint64_t size)
{
	struct wsp__skill_ent *v;

	if (l->n == l->max) {
		l->truncated = 1;
		return WSP_ETOOBIG;
	}
	v = wsp__grow(l->v, &l->cap, l->n, sizeof(*v), 64);
	if (!v)
		goto oom;
	l->v = v;
	l->v[l->n].path = strdup(path);
	if (!l->v[l->n].path)
		goto oom;
	l->v[l->n].type = type;
	l->v[l->n].symlink = symlink;
	l->v[l->n].size = size;
	l->n++;
	return 0;
oom:
	l->oom = 1;
	return WSP_ENOMEM;
}

static int list_entry(const wsp_fs_entry *e, void *payload)
{
	struct wsp__skill_listing *l = payload;
	char full[WSP_FILES_PATH_MAX + 2];

	if (wsp__path_has_git(e->path) ||
	    wsp__path_join(full, sizeof(full), l->base, e->path))
		return 0;
	return add_ent(l, full, e->type, e->is_symlink, e->size);
}

static int cmp_ent(const void *a, const void *b)
{
	return strcmp(((const struct wsp__skill_ent *)a)->path,
		      ((const struct wsp__skill_ent *)b)->path);
}

void wsp__skills_listing_free(struct wsp__skill_listing *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Everything below dir (max_depth 0: all), sorted; a truncated listing
 * keeps what it got. */
int wsp__skills_list(struct wsp__skill_listing *l, wsp_workspace *ws,
		      const wsp_call *call, const char *dir, uint32_t depth,
		      size_t max, wsp_error *err)
{
	wsp_fs_list_opts lo = WSP_FS_LIST_OPTS_INIT;
	int rc;

	lo.flags = WSP_FS_RECURSIVE;
	lo.max_depth = depth;
	l->base = dir;
	l->max = max;
	rc = wsp_files_list(ws, call, dir, &lo, list_entry, l, err);
	if (l->oom)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	if (rc == WSP_ETOOBIG && l->truncated)
		rc = 0;
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), cmp_ent);
	return rc;
}

/* The first entry not sorting before path (l->n when none). */
static size_t lower_bound(const struct wsp__skill_listing *l,
			  const char *path)
{
	size_t lo = 0, hi = l->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(l->v[mid].path, path) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct wsp__skill_ent *
find_ent(const struct wsp__skill_listing *l, const char *path)
{
	struct wsp__skill_ent key = { .path = (char *)path };

	return l->n ? bsearch(&key, l->v, l->n, sizeof(*l->v), cmp_ent)
		    : NULL;
}

/* ---- candidates: skill directories ------------------------------------ */

static void add_dir(struct wsp__skill_dirs *d, const char *path)
{
	char **v;

	v = wsp__grow(d->v, &d->cap, d->n, sizeof(*v), 16);
	if (!v) {
		d->oom = 1;
		return;
	}
	d->v = v;
	if (!(d->v[d->n] = strdup(path)))
		d->oom = 1;
	else
		d->n++;
}

static int has_skill_file(const struct wsp__skill_listing *l, const char *dir)
{
	char p[WSP_FILES_PATH_MAX + 2];
	const struct wsp__skill_ent *e;

	if (wsp__path_join(p, sizeof(p), dir, "SKILL.md"))
		return 0;
	e = find_ent(l, p);
	return e && e->type == WSP_FS_TYPE_FILE;
}

/*
 * A match m of a skills: entry: a SKILL.md names its directory; a
 * directory holding SKILL.md is a skill; else its subdirectories that hold
 * one are.
 */
static void take_match(struct wsp__skill_dirs *d,
		       const struct wsp__skill_listing *l,
		       const struct wsp__skill_ent *m)
{
	char dir[WSP_FILES_PATH_MAX + 2];
	size_t i, n;

	if (m->type == WSP_FS_TYPE_FILE) {
		if (!strcmp(wsp__skills_base_name(m->path), "SKILL.md")) {
			parent_of(dir, sizeof(dir), m->path);
			add_dir(d, dir);
		}
		return;
	}
	if (m->type != WSP_FS_TYPE_DIR)
		return;
	if (has_skill_file(l, m->path)) {
		add_dir(d, m->path);
		return;
	}
	/* the paths below m, "m/...", are one run of the sorted listing */
	if (wsp__path_join(dir, sizeof(dir), m->path, ""))
		return;
	n = strlen(dir);
	for (i = lower_bound(l, dir);
	     i < l->n && !strncmp(l->v[i].path, dir, n); i++) {
		const struct wsp__skill_ent *c = &l->v[i];

		if (c->type == WSP_FS_TYPE_DIR && !c->symlink &&
		    !strchr(c->path + n, '/') && has_skill_file(l, c->path))
			add_dir(d, c->path);
	}
}

/*
 * What ends discovery: the call was canceled or ran out of time, or
 * memory ran out. Any other failure to read a path (a provider's error,
 * permissions) loses what is below it, logged, and the other skills stay.
 */
int wsp__skills_fatal(wsp_workspace *ws, const char *what, const char *path,
		      const wsp_error *e2, wsp_error *err)
{
	if (e2->code == WSP_ECANCELED || e2->code == WSP_ETIMEDOUT ||
	    e2->code == WSP_ENOMEM) {
		*err = *e2;
		return e2->code;
	}
	if (e2->code != WSP_ENOTFOUND)
		wsp__log(&ws->sink, WSP_LOG_WARN, "skills: cannot %s '%s': %s",
			 what, path, e2->message);
	return 0;
}

/* The skill directories one skills: entry names. */
int wsp__skills_find_dirs(struct wsp__skill_dirs *d, wsp_workspace *ws,
			  const wsp_call *call, const char *pat,
			  wsp_error *err)
{
	char base[WSP_FILES_PATH_MAX + 2];
	int glob = wsp__glob_has_magic(pat);
	struct wsp__skill_listing l = { 0 };
	wsp_fs_stat st = { .struct_size = sizeof(st) };
	struct wsp__skill_ent self;
	wsp_error e2;
	size_t i;
	int rc;

	wsp__glob_base(base, sizeof(base), pat);
	/* a path not there (yet) holds no skill; not an error */
	if (wsp_files_stat(&st, ws, call, base, 0, &e2))
		return wsp__skills_fatal(ws, "read", base, &e2, err);
	self.path = base;
	self.type = st.type;
	self.symlink = 0;
	if (st.type != WSP_FS_TYPE_DIR) {
		if (!glob)
			take_match(d, &l, &self);
		return 0;
	}
	/* a plain entry needs its children and their SKILL.md */
	rc = wsp__skills_list(&l, ws, call, base, glob ? 0 : 2, LIST_MAX, &e2);
	if (rc)
		rc = wsp__skills_fatal(ws, "list", base, &e2, err);
	if (l.truncated)
		wsp__log(&ws->sink, WSP_LOG_WARN,
			 "skills: '%s' holds more than %d entries; skills "
			 "past them are not found",
			 base, LIST_MAX);
	if (!rc && !glob)
		take_match(d, &l, &self);
	for (i = 0; !rc && glob && i < l.n; i++)
		if (wsp__glob_match(pat, l.v[i].path, 1))
			take_match(d, &l, &l.v[i]);
	wsp__skills_listing_free(&l);
	return rc;
}
