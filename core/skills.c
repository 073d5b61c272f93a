/*
 * core/skills.c - the workspace's skills: the catalogue and its BM25
 * index.
 *
 * Discovery (skills_find.c) follows Mastra's WorkspaceSkills: a plain
 * entry is a skill directory (it holds SKILL.md), a SKILL.md file, or a
 * directory whose subdirectories are skills; a glob entry is matched
 * (hidden names too) against every path below its fixed part, and each
 * match is taken as a plain entry is. Everything goes through the file API
 * (wsp_files_stat, _list, _read), so skills live on any filesystem
 * provider.
 *
 * A bad SKILL.md (no front matter, invalid YAML, a wrong name) is kept
 * as a problem with its reason and logged as a warning; the other skills
 * are served. Each skill's SKILL.md body and references/ files are indexed
 * for skill_search by the search engine (search_db.c) in an in-memory
 * SQLite database, rebuilt with the catalogue: a few hundred small files,
 * so no index file to keep in step. Document ids are workspace paths
 * ("/skills/pdf/SKILL.md"), so a hit names its skill and its file; the
 * body keeps its line numbers in SKILL.md (the front matter's lines are
 * left empty).
 *
 * The catalogue is discovered on first use, and again when it is 30 s old
 * (Mastra's staleness cooldown) or when wsp changed a file or ran a
 * command since (wsp__skills_stale). The workspace's skills_lock is held
 * from wsp__skills_get to wsp__skills_release.
 */
#include "files.h"
#include "skills.h"
#include "glob.h"
#include "tbuf.h"
#include "workspace_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REFRESH_NS    (INT64_C(30) * 1000000000)
#define BINARY_SNIFF  8000
#define CHUNK_CHARS   4000 /* Mastra's defaults */
#define CHUNK_OVERLAP 3
/* Text indexed for skill_search at most, all skills together. */
#define INDEX_BUDGET (UINT64_C(64) << 20)

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- loading one skill ------------------------------------------------ */

/* Up to WSP__SKILL_FILE_MAX + 1 bytes of path (so "too big" shows). */
static int read_text(struct wsp__tbuf *t, wsp_workspace *ws,
		     const wsp_call *call, const char *path, wsp_error *err)
{
	wsp_fs_read_opts ro = { .struct_size = sizeof(ro) };

	ro.length = WSP__SKILL_FILE_MAX + 1;
	wsp__tbuf_add(t, "", 0);
	return wsp_files_read(ws, call, path, &ro, wsp__tbuf_sink, t, err);
}

/* Whether the last catalogue had this problem (said once, not every
 * 30 s of a long session). */
static int known_problem(const struct wsp__skills *old, const char *path,
			 const char *why)
{
	size_t i;

	for (i = 0; old && i < old->n_bad; i++)
		if (!strcmp(old->bad[i].path, path) &&
		    !strcmp(old->bad[i].message, why))
			return 1;
	return 0;
}

static int add_problem(struct wsp__skills *s, wsp_workspace *ws,
		       const char *path, const char *why)
{
	struct wsp__skill_problem *v;

	if (!known_problem(ws->skills, path, why))
		wsp__log(&ws->sink, WSP_LOG_WARN, "skills: '%s' is skipped: %s",
			 path, why);
	v = realloc(s->bad, (s->n_bad + 1) * sizeof(*v));
	if (!v)
		return WSP_ENOMEM;
	s->bad = v;
	v[s->n_bad].path = strdup(path);
	v[s->n_bad].message = strdup(why);
	if (!v[s->n_bad].path || !v[s->n_bad].message) {
		free(v[s->n_bad].path);
		free(v[s->n_bad].message);
		return WSP_ENOMEM;
	}
	s->n_bad++;
	return 0;
}

/* Index one document: text as it is, or the body after (line - 1)
 * empty lines, so a hit's lines are the file's. */
static int index_doc(struct wsp__skills *s, const char *id, const char *text,
		     size_t len, uint32_t first_line, wsp_error *err)
{
	struct wsp__tbuf t = { 0 };
	uint32_t i;
	int rc;

	if (!len || memchr(text, '\0', len < BINARY_SNIFF ? len : BINARY_SNIFF))
		return 0;
	if (s->indexed + len > INDEX_BUDGET) {
		s->over_budget++;
		return 0;
	}
	s->indexed += len;
	for (i = 1; i < first_line; i++)
		wsp__tbuf_add(&t, "\n", 1);
	wsp__tbuf_add(&t, text, len);
	if (t.oom) {
		wsp__tbuf_free(&t);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	rc = wsp__sdb_put(s->db, id, (int64_t)t.len, 0, 1, NULL, t.p, t.len,
			  CHUNK_CHARS, CHUNK_OVERLAP, err);
	wsp__tbuf_free(&t);
	return rc;
}

/* The files below a skill (SKILL.md aside), and its references indexed. */
static int skill_files(struct wsp__skills *s, struct wsp__skill *k,
		       wsp_workspace *ws, const wsp_call *call,
		       wsp_error *err)
{
	struct wsp__skill_listing l = { 0 };
	struct wsp__tbuf t = { 0 };
	size_t i, n = strlen(k->path) + (strcmp(k->path, "/") != 0);
	const char *rel;
	wsp_error e2;
	int rc;

	rc = wsp__skills_list(&l, ws, call, k->path, 0, WSP__SKILL_FILES_MAX,
			      &e2);
	if (rc)
		rc = wsp__skills_fatal(ws, "list", k->path, &e2, err);
	k->files = calloc(l.n + 1, sizeof(char *));
	if (!rc && !k->files)
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
	for (i = 0; !rc && i < l.n; i++) {
		rel = l.v[i].path + n;
		if (l.v[i].type != WSP_FS_TYPE_FILE || !strcmp(rel, "SKILL.md"))
			continue;
		if (!(k->files[k->n_files] = strdup(rel))) {
			rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
			break;
		}
		k->n_files++;
		if (strncmp(rel, "references/", 11))
			continue;
		t.len = 0;
		rc = read_text(&t, ws, call, l.v[i].path, &e2);
		if (t.oom) {
			rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
			break;
		}
		if (rc == WSP_ECANCELED || rc == WSP_ETIMEDOUT) {
			*err = e2;
			break;
		}
		/* an unreadable reference is left out of the index */
		rc = rc ? 0
			: index_doc(s, l.v[i].path, t.p,
				    t.len > WSP__SKILL_FILE_MAX
					    ? WSP__SKILL_FILE_MAX
					    : t.len,
				    1, err);
	}
	wsp__tbuf_free(&t);
	wsp__skills_listing_free(&l);
	return rc;
}

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A trimmed copy of the body (Mastra's instructions). */
static char *trimmed(const char *p, size_t n)
{
	char *s;

	while (n && blank(*p))
		p++, n--;
	while (n && blank(p[n - 1]))
		n--;
	s = malloc(n + 1);
	if (s) {
		memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}

static int load_skill(struct wsp__skills *s, wsp_workspace *ws,
		      const wsp_call *call, const char *dir, wsp_error *err)
{
	char file[WSP_FILES_PATH_MAX + 2], why[1024];
	struct wsp__skill_doc doc;
	struct wsp__tbuf t = { 0 };
	struct wsp__skill *k;
	wsp_error e2;
	int rc;

	if (wsp__path_join(file, sizeof(file), dir, "SKILL.md"))
		return 0;
	rc = read_text(&t, ws, call, file, &e2);
	if (t.oom) {
		wsp__tbuf_free(&t);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	if (rc == WSP_ECANCELED || rc == WSP_ETIMEDOUT) {
		wsp__tbuf_free(&t);
		*err = e2;
		return rc;
	}
	if (rc) {
		rc = add_problem(s, ws, file, e2.message);
		wsp__tbuf_free(&t);
		return rc ? wsp_error_set(err, rc, "out of memory") : 0;
	}
	rc = wsp__skill_parse(&doc, t.p, t.len, file,
			      wsp__skills_base_name(dir), why, sizeof(why));
	if (rc) {
		wsp__tbuf_free(&t);
		if (rc == WSP_EINVAL)
			rc = add_problem(s, ws, file, why);
		return rc ? wsp_error_set(err, rc, "out of memory") : 0;
	}
	k = &s->v[s->n++];
	k->name = doc.name;
	k->description = doc.description;
	k->front = doc.front;
	k->path = strdup(dir);
	k->instructions = trimmed(t.p + doc.body_off, t.len - doc.body_off);
	rc = !k->path || !k->instructions
		     ? wsp_error_set(err, WSP_ENOMEM, "out of memory")
		     : index_doc(s, file, t.p + doc.body_off,
				 t.len - doc.body_off, doc.body_line, err);
	wsp__tbuf_free(&t);
	return rc ? rc : skill_files(s, k, ws, call, err);
}

/* ---- the catalogue ----------------------------------------------------- */

static void skills_free(struct wsp__skills *s)
{
	size_t i, j;

	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		struct wsp__skill *k = &s->v[i];

		free(k->name);
		free(k->description);
		free(k->path);
		free(k->instructions);
		cJSON_Delete(k->front);
		for (j = 0; j < k->n_files; j++)
			free(k->files[j]);
		free(k->files);
	}
	free(s->v);
	for (i = 0; i < s->n_bad; i++) {
		free(s->bad[i].path);
		free(s->bad[i].message);
	}
	free(s->bad);
	wsp__sdb_close(s->db);
	free(s);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_skill(const void *a, const void *b)
{
	const struct wsp__skill *x = a, *y = b;
	int r = strcmp(x->name, y->name);

	return r ? r : strcmp(x->path, y->path);
}

static int discover(struct wsp__skills **out, wsp_workspace *ws,
		    const wsp_call *call, wsp_error *err)
{
	const struct wsp__skills_cfg *cfg = &ws->cfg->skills;
	struct wsp__skills *s = calloc(1, sizeof(*s));
	struct wsp__skill_dirs d = { 0 };
	size_t i;
	int rc = 0;

	*out = NULL;
	if (!s)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	for (i = 0; !rc && i < cfg->n_paths; i++)
		rc = wsp__skills_find_dirs(&d, ws, call, cfg->paths[i], err);
	if (!rc && d.oom)
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
	if (!rc && d.n)
		qsort(d.v, d.n, sizeof(*d.v), cmp_str);
	if (!rc)
		rc = wsp__sdb_open(&s->db, ":memory:", "skills", err);
	if (!rc && d.n > WSP__SKILLS_MAX)
		wsp__log(&ws->sink, WSP_LOG_WARN,
			 "skills: %zu skill directories found; only the "
			 "first %d are used",
			 d.n, WSP__SKILLS_MAX);
	if (!rc)
		s->v = calloc(d.n < WSP__SKILLS_MAX ? d.n + 1
						    : WSP__SKILLS_MAX,
			      sizeof(*s->v));
	if (!rc && !s->v)
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
	if (!rc)
		rc = wsp__sdb_begin(s->db, err);
	for (i = 0; !rc && i < d.n && s->n < WSP__SKILLS_MAX; i++) {
		if (i && !strcmp(d.v[i], d.v[i - 1]))
			continue; /* two entries found the same skill */
		rc = load_skill(s, ws, call, d.v[i], err);
	}
	if (s->db)
		wsp__sdb_commit(s->db, rc ? NULL : err);
	for (i = 0; i < d.n; i++)
		free(d.v[i]);
	free(d.v);
	if (rc) {
		skills_free(s);
		return rc;
	}
	if (s->over_budget && !(ws->skills && ws->skills->over_budget))
		wsp__log(&ws->sink, WSP_LOG_WARN,
			 "skills: %zu files are not searched: skill_search "
			 "indexes at most 64 MiB of skills' text",
			 s->over_budget);
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), cmp_skill);
	s->built_ns = now_ns();
	*out = s;
	return 0;
}

int wsp__skills_get(struct wsp__skills **out, wsp_workspace *ws,
		    const wsp_call *call, wsp_error *err)
{
	struct wsp__skills *fresh;
	int rc = 0;

	*out = NULL;
	if (!ws->cfg->skills.configured)
		return wsp_error_set(err, WSP_ENOTSUP,
				     "skills are not configured; add a "
				     "'skills:' section to the configuration "
				     "(docs/skills.md)");
	pthread_mutex_lock(&ws->skills_lock);
	/* a change noted while discovery runs sets the flag again */
	if (__atomic_exchange_n(&ws->skills_stale, 0, __ATOMIC_ACQ_REL) ||
	    !ws->skills || now_ns() - ws->skills->built_ns >= REFRESH_NS) {
		rc = discover(&fresh, ws, call, err);
		if (!rc) {
			skills_free(ws->skills);
			ws->skills = fresh;
		}
	}
	if (rc) {
		pthread_mutex_unlock(&ws->skills_lock);
		return rc;
	}
	*out = ws->skills;
	return 0;
}

void wsp__skills_release(wsp_workspace *ws)
{
	pthread_mutex_unlock(&ws->skills_lock);
}

void wsp__skills_stale(wsp_workspace *ws)
{
	/* no lock: the file API calls this, maybe while a skill tool of
	 * this thread holds the catalogue */
	if (ws->cfg && ws->cfg->skills.configured)
		__atomic_store_n(&ws->skills_stale, 1, __ATOMIC_RELEASE);
}

void wsp__skills_close(wsp_workspace *ws)
{
	skills_free(ws->skills);
	ws->skills = NULL;
}

int wsp__skills_need_sandbox(wsp_workspace *ws)
{
	size_t i;

	if (wsp_sandbox_loaded(ws))
		return 0;
	for (i = 0; ws->cfg && i < ws->cfg->n_mounts; i++)
		if (wsp__inst_is_sandbox_fs(&ws->mounts[i]))
			return 1;
	return 0;
}

const struct wsp__skill *wsp__skills_find(const struct wsp__skills *s,
					  const char *id, size_t *n_named)
{
	const struct wsp__skill *hit = NULL;
	size_t i, n = strlen(id);

	*n_named = 0;
	if (n > 9 && !strcmp(id + n - 9, "/SKILL.md"))
		n -= 9;
	for (i = 0; i < s->n; i++)
		if (strlen(s->v[i].path) == n &&
		    !strncmp(s->v[i].path, id, n))
			return &s->v[i];
	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].name, id)) {
			hit = &s->v[i];
			++*n_named;
		}
	return *n_named == 1 ? hit : NULL;
}

const struct wsp__skill *wsp__skills_owner(const struct wsp__skills *s,
					   const char *doc,
					   const char **source)
{
	const struct wsp__skill *best = NULL;
	size_t i, n, best_n = 0;

	/* the deepest skill directory holding doc (skills may nest) */
	for (i = 0; i < s->n; i++) {
		n = strlen(s->v[i].path);
		if (n > best_n && wsp__path_within(s->v[i].path, doc) &&
		    doc[n] == '/') {
			best = &s->v[i];
			best_n = n;
		}
	}
	if (best)
		*source = doc + best_n + 1;
	return best;
}
