/*
 * core/search.c - the workspace's search index: where it lives, building
 * and re-checking it from auto_index_paths, and keeping it current.
 *
 * Every file is reached through the file API (wsp_files_list, _stat,
 * _read), never a host path, so the index works on any filesystem
 * provider: the local disk, S3, GCS, a sandbox's own disk. The first
 * search in a process opens the index and compares each wanted file's
 * size and mtime with what was indexed (new and changed files are read,
 * vanished ones dropped): that is how changes made by commands are seen,
 * by the next process, or in this one after a command tool ran (the tool
 * set marks the index stale: wsp__search_stale).
 * While it is open, the file API tells it about wsp's own writes, edits,
 * moves and deletes (wsp__search_note, called by core/files*.c).
 *
 * One lock (the workspace's search_lock) serialises the index: the
 * SQLite handle is used by one thread at a time.
 */
#include "files.h"
#include "glob.h"
#include "grow.h"
#include "search.h"
#include "skills.h"
#include "tbuf.h"
#include "workspace_impl.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes looked at for a NUL, as git does to call a file binary. */
#define BINARY_SNIFF 8000
/* Files written between two commits of a long build. */
#define BATCH 500

/* ---- which files are wanted --------------------------------------------- */

/* Whether the auto_index_paths entry pat wants the file at path. */
static int pattern_wants(const char *pat, const char *path)
{
	size_t n = strlen(pat);

	if (wsp__path_has_git(path + 1))
		return 0;
	if (wsp__glob_has_magic(pat))
		return wsp__glob_match(pat, path, 0);
	if (!strcmp(pat, path))
		return 1;
	if (!strcmp(pat, "/"))
		return !wsp__path_has_hidden(path + 1);
	return !strncmp(pat, path, n) && path[n] == '/' &&
	       !wsp__path_has_hidden(path + n + 1);
}

static int wanted(const struct wsp__search_cfg *cfg, const char *path)
{
	size_t i;

	for (i = 0; i < cfg->n_paths; i++)
		if (pattern_wants(cfg->paths[i], path))
			return 1;
	return 0;
}

/* The directory a pattern's files are below: its part before any glob. */
static void pattern_base(char *out, size_t cap, const char *pat)
{
	wsp__glob_base(out, cap, pat);
}

/* Whether a wanted file may lie below directory dir (skip listing it). */
static int could_hold(const struct wsp__search_cfg *cfg, const char *dir)
{
	char base[WSP_FILES_PATH_MAX + 2];
	size_t i;

	for (i = 0; i < cfg->n_paths; i++) {
		pattern_base(base, sizeof(base), cfg->paths[i]);
		if (wsp__path_within(base, dir) || wsp__path_within(dir, base))
			return 1;
	}
	return 0;
}

/* ---- the files there are ------------------------------------------------ */

struct found {
	struct wsp__sdoc *v;
	size_t n, cap;
	const struct wsp__search_cfg *cfg;
	const char *base; /* the listed directory, normalised */
	int truncated;
	int oom;
};

static int add_found(struct found *f, const char *path, uint64_t size,
		     int64_t mtime)
{
	struct wsp__sdoc *nv;

	if (f->n >= f->cfg->max_files) {
		f->truncated = 1;
		return WSP_ETOOBIG; /* stop the listing */
	}
	nv = wsp__grow(f->v, &f->cap, f->n, sizeof(*nv), 1024);
	if (!nv)
		goto oom;
	f->v = nv;
	f->v[f->n].path = strdup(path);
	if (!f->v[f->n].path)
		goto oom;
	f->v[f->n].size = size > INT64_MAX ? INT64_MAX : (int64_t)size;
	f->v[f->n].mtime_ns = mtime;
	f->v[f->n].manual = 0;
	f->n++;
	return 0;
oom:
	f->oom = 1;
	return WSP_ENOMEM;
}

static int found_entry(const wsp_fs_entry *e, void *payload)
{
	struct found *f = payload;
	char full[WSP_FILES_PATH_MAX + 2];

	/* links are skipped: a linked tree would be indexed twice, or loop */
	if (e->type != WSP_FS_TYPE_FILE || e->is_symlink)
		return 0;
	if (wsp__path_join(full, sizeof(full), f->base, e->path) ||
	    !wanted(f->cfg, full))
		return 0;
	return add_found(f, full, e->size, e->mtime_ns);
}

static int cmp_doc(const void *a, const void *b)
{
	return strcmp(((const struct wsp__sdoc *)a)->path,
		      ((const struct wsp__sdoc *)b)->path);
}

/* Every wanted file, sorted by path, each once. */
static int find_files(struct found *f, wsp_workspace *ws,
		      const wsp_call *call, wsp_error *err)
{
	wsp_fs_list_opts lo = { .struct_size = sizeof(lo) };
	char base[WSP_FILES_PATH_MAX + 2];
	wsp_fs_stat st;
	wsp_error e2;
	size_t i, j;
	int rc = 0;

	lo.flags = WSP_FS_RECURSIVE;
	for (i = 0; !rc && !f->truncated && i < f->cfg->n_paths; i++) {
		pattern_base(base, sizeof(base), f->cfg->paths[i]);
		st.struct_size = sizeof(st);
		/* a path not there (yet) indexes nothing; not an error */
		if (wsp_files_stat(&st, ws, call, base, 0, &e2))
			continue;
		if (st.type == WSP_FS_TYPE_FILE) {
			if (wanted(f->cfg, base))
				rc = add_found(f, base, st.size, st.mtime_ns);
			continue;
		}
		f->base = base;
		rc = wsp_files_list(ws, call, base, &lo, found_entry, f, err);
	}
	if (f->oom)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	if (rc == WSP_ETOOBIG && f->truncated)
		rc = 0;
	if (rc)
		return rc;
	if (f->n)
		qsort(f->v, f->n, sizeof(*f->v), cmp_doc);
	for (i = j = 0; i < f->n; i++) {
		if (j && !strcmp(f->v[j - 1].path, f->v[i].path)) {
			free(f->v[i].path);
			continue;
		}
		f->v[j++] = f->v[i];
	}
	f->n = j;
	return 0;
}

/* ---- reading and indexing one file -------------------------------------- */

/*
 * Read path (at most max_file_size bytes) and store it: binary files (a
 * NUL early on) and empty ones are stored without text, so they are not
 * read again until they change. A file cut at the limit keeps its whole
 * lines.
 */
static int index_file(struct wsp__search *s, const char *path, int64_t size,
		      int64_t mtime, const wsp_call *call, wsp_error *err)
{
	const struct wsp__search_cfg *cfg = s->cfg;
	wsp_fs_read_opts ro = { .struct_size = sizeof(ro) };
	struct wsp__tbuf t = { 0 };
	const char *nl;
	int rc;

	ro.length = cfg->max_file_size;
	rc = wsp_files_read(s->ws, call, path, &ro, wsp__tbuf_sink, &t,
			    err);
	if (rc == WSP_ENOTFOUND || rc == WSP_EISDIR) {
		wsp__tbuf_free(&t);
		return wsp__sdb_del(s->db, path, 0, err); /* gone meanwhile */
	}
	if (rc == WSP_ECANCELED || rc == WSP_ETIMEDOUT || rc == WSP_ENOMEM) {
		wsp__tbuf_free(&t);
		return rc;
	}
	if (rc) {
		/* One unreadable file (permissions, a provider's error) does
		 * not stop the index: it is kept without text and an mtime no
		 * file has, so the next re-check tries it again, and counted
		 * in the warning sync_all logs. */
		s->unreadable++;
		t.len = 0;
		mtime = -1;
	} else if (t.len && memchr(t.p, '\0', t.len < BINARY_SNIFF ? t.len
							     : BINARY_SNIFF)) {
		t.len = 0;
	} else if (t.len >= cfg->max_file_size &&
		   (nl = memrchr(t.p, '\n', t.len))) {
		t.len = (size_t)(nl - t.p) + 1;
	}
	rc = wsp__sdb_put(s->db, path, size, mtime, 0, NULL,
			  t.len ? t.p : NULL, t.len, cfg->chunk_chars,
			  cfg->overlap_lines, err);
	wsp__tbuf_free(&t);
	return rc;
}

/* Commit every BATCH files so a long build is not one huge transaction. */
static int batch_step(struct wsp__search *s, size_t *done, wsp_error *err)
{
	int rc;

	if (++*done % BATCH)
		return 0;
	rc = wsp__sdb_commit(s->db, err);
	return rc ? rc : wsp__sdb_begin(s->db, err);
}

/* Index what changed since the stored sizes and mtimes; drop what went. */
static int sync_all(struct wsp__search *s, const wsp_call *call,
		    wsp_error *err)
{
	struct found f = { .cfg = s->cfg };
	struct wsp__sdoc *d = NULL;
	size_t nd = 0, i = 0, j = 0, done = 0;
	int rc, c;

	s->unreadable = 0;
	rc = find_files(&f, s->ws, call, err);
	if (!rc)
		rc = wsp__sdb_docs(&d, &nd, s->db, err);
	if (!rc)
		rc = wsp__sdb_begin(s->db, err);
	while (!rc && (i < f.n || j < nd)) {
		c = i >= f.n ? 1 : j >= nd ? -1 : strcmp(f.v[i].path, d[j].path);
		if (c < 0 || (c == 0 && (d[j].manual ||
					 d[j].size != f.v[i].size ||
					 d[j].mtime_ns != f.v[i].mtime_ns))) {
			rc = index_file(s, f.v[i].path, f.v[i].size,
					f.v[i].mtime_ns, call, err);
			if (!rc)
				rc = batch_step(s, &done, err);
		} else if (c > 0 && !d[j].manual) {
			rc = wsp__sdb_del(s->db, d[j].path, 0, err);
		}
		i += c <= 0;
		j += c >= 0;
	}
	if (!rc)
		rc = wsp__sdb_commit(s->db, err);
	else
		wsp__sdb_commit(s->db, NULL); /* keep what was done */
	s->vec_missing = 1;
	if (!rc)
		wsp__search_vec_catch_up(s, call);
	if (!rc && f.truncated)
		wsp__log(&s->ws->sink, WSP_LOG_WARN,
			 "search: auto_index_paths match more than %llu "
			 "files; the index holds the first ones (raise "
			 "search.max_files)",
			 (unsigned long long)s->cfg->max_files);
	if (!rc && s->unreadable)
		wsp__log(&s->ws->sink, WSP_LOG_WARN,
			 "search: %zu file%s could not be read and %s not "
			 "indexed yet (tried again at the next re-check)",
			 s->unreadable, s->unreadable == 1 ? "" : "s",
			 s->unreadable == 1 ? "is" : "are");
	wsp__sdb_docs_free(f.v, f.n);
	wsp__sdb_docs_free(d, nd);
	return rc;
}

/* ---- opening ------------------------------------------------------------ */

/*
 * <state>/search/<FNV-1a of the configuration's directory and name>.sqlite:
 * the directory is absolute, so two projects' "wsp.yaml" never share.
 */
static int default_path(char *out, size_t cap, wsp_workspace *ws)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	const unsigned char *p;
	char dir[4096];
	int i;

	for (i = 0; i < 2; i++)
		for (p = (const unsigned char *)(i ? ws->cfg->file
						   : ws->cfg->dir);
		     *p; p++)
			h = (h ^ *p) * UINT64_C(0x100000001b3);
	if ((size_t)snprintf(dir, sizeof(dir), "%s/search", ws->state_dir) >=
	    sizeof(dir))
		return -1;
	wsp__make_dirs(dir);
	return (size_t)snprintf(out, cap, "%s/%016llx.sqlite", dir,
				(unsigned long long)h) < cap
		       ? 0
		       : -1;
}

/* Vectors of another endpoint, model or size are dropped. */
static int check_vectors(struct wsp__search *s, wsp_error *err)
{
	const struct wsp__embed_cfg *e = &s->cfg->embed;
	char fp[2600];

	snprintf(fp, sizeof(fp), "v1 %s %s %u", e->url, e->model,
		 e->dimensions);
	return wsp__svec_check(s->db, fp, err);
}

static int open_search(struct wsp__search **out, wsp_workspace *ws,
		       const wsp_call *call, wsp_error *err)
{
	const struct wsp__search_cfg *cfg = &ws->cfg->search;
	struct wsp__search *s;
	char path[4200], settings[128];
	int rc;

	if (cfg->index_path)
		snprintf(path, sizeof(path), "%s", cfg->index_path);
	else if (default_path(path, sizeof(path), ws))
		return wsp_error_set(err, WSP_EINVAL,
				     "the state directory's path is too long "
				     "for the search index");
	snprintf(settings, sizeof(settings), "v1 chunk=%u overlap=%u max=%llu",
		 cfg->chunk_chars, cfg->overlap_lines,
		 (unsigned long long)cfg->max_file_size);
	s = calloc(1, sizeof(*s));
	if (!s)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	s->ws = ws;
	s->cfg = cfg;
	rc = wsp__sdb_open(&s->db, path, settings, err);
	if (!rc && cfg->embed.url)
		rc = check_vectors(s, err);
	else if (!rc && cfg->mode != WSP__SEARCH_BM25)
		wsp__log(&ws->sink, WSP_LOG_INFO,
			 "search: mode '%s' needs search.embeddings; queries "
			 "are answered by bm25",
			 wsp__search_mode_name(cfg->mode));
	if (!rc)
		rc = sync_all(s, call, err);
	if (rc) {
		wsp__sdb_close(s->db);
		free(s);
		return rc;
	}
	*out = s;
	return 0;
}

int wsp__search_get(struct wsp__search **out, wsp_workspace *ws,
		    const wsp_call *call, wsp_error *err)
{
	int rc = 0;

	*out = NULL;
	if (!ws->cfg->search.configured)
		return wsp_error_set(err, WSP_ENOTSUP,
				     "search is not configured; add a "
				     "'search:' section to the configuration "
				     "(docs/search.md)");
	pthread_mutex_lock(&ws->search_lock);
	if (!ws->search) {
		rc = open_search(&ws->search, ws, call, err);
		ws->search_stale = rc != 0;
	} else if (ws->search_stale) {
		rc = sync_all(ws->search, call, err);
		ws->search_stale = rc != 0;
	}
	*out = ws->search;
	pthread_mutex_unlock(&ws->search_lock);
	return rc;
}

void wsp__search_stale(wsp_workspace *ws)
{
	wsp__skills_stale(ws); /* skills are files too */
	if (!ws->cfg->search.configured)
		return;
	pthread_mutex_lock(&ws->search_lock);
	ws->search_stale = 1;
	pthread_mutex_unlock(&ws->search_lock);
}

void wsp__search_close(wsp_workspace *ws)
{
	if (!ws->search)
		return;
	wsp__sdb_close(ws->search->db);
	free(ws->search);
	ws->search = NULL;
}

/* ---- using it ----------------------------------------------------------- */

int wsp__search_db_query(struct wsp__search_hits *out,
			 struct wsp__search_db *db, const char *query,
			 size_t top_k, int has_min, double min_score,
			 wsp_error *err)
{
	struct wsp__search_terms t;
	struct wsp__search_hit *h;
	size_t i;
	int rc;

	out->v = NULL;
	out->n = 0;
	rc = wsp__search_terms(&t, query, strlen(query));
	if (rc)
		return wsp_error_set(err, rc, "out of memory");
	if (!t.n)
		return 0; /* only stopwords or punctuation: nothing to find */
	rc = wsp__sdb_rank(out, db, &t, top_k, has_min, min_score, err);
	for (i = 0; !rc && i < out->n; i++) {
		h = &out->v[i];
		wsp__search_line_range(h->text, strlen(h->text), h->chunk_a,
				       &t, &h->line_a, &h->line_b);
	}
	wsp__search_terms_free(&t);
	return rc;
}

size_t wsp__search_max_text(const struct wsp__search *s)
{
	return s->cfg->max_file_size > SIZE_MAX ? SIZE_MAX
						: (size_t)s->cfg->max_file_size;
}

int wsp__search_put_text(struct wsp__search *s, const char *id,
			 const char *content, size_t len, const char *metadata,
			 wsp_error *err)
{
	int rc;

	pthread_mutex_lock(&s->ws->search_lock);
	rc = wsp__sdb_begin(s->db, err);
	if (!rc) {
		rc = wsp__sdb_put(s->db, id, -1, -1, 1, metadata,
				  len ? content : NULL, len,
				  s->cfg->chunk_chars, s->cfg->overlap_lines,
				  err);
		if (!rc)
			rc = wsp__sdb_commit(s->db, err);
		else
			wsp__sdb_commit(s->db, NULL);
		s->vec_missing = 1;
		if (!rc)
			wsp__search_vec_catch_up(s, NULL);
	}
	pthread_mutex_unlock(&s->ws->search_lock);
	return rc;
}

/* WRITTEN: a file (re)indexed, or a tree's wanted files. */
static int note_written(struct wsp__search *s, const char *path,
			wsp_error *err)
{
	struct found f = { .cfg = s->cfg };
	wsp_fs_list_opts lo = { .struct_size = sizeof(lo) };
	wsp_fs_stat st = { .struct_size = sizeof(st) };
	size_t i;
	int rc;

	if (wsp_files_stat(&st, s->ws, NULL, path, 0, err))
		return 0; /* gone again: the next open sees it */
	if (st.type == WSP_FS_TYPE_FILE)
		return wanted(s->cfg, path)
			       ? index_file(s, path, (int64_t)st.size,
					    st.mtime_ns, NULL, err)
			       : 0;
	if (!could_hold(s->cfg, path))
		return 0; /* a tree copied or moved where nothing is indexed */
	f.base = path;
	lo.flags = WSP_FS_RECURSIVE;
	rc = wsp_files_list(s->ws, NULL, path, &lo, found_entry, &f, err);
	for (i = 0; !rc && i < f.n; i++)
		rc = index_file(s, f.v[i].path, f.v[i].size, f.v[i].mtime_ns,
				NULL, err);
	wsp__sdb_docs_free(f.v, f.n);
	return rc == WSP_ETOOBIG && f.truncated ? 0 : rc;
}

void wsp__search_note(wsp_workspace *ws, enum wsp__search_change what,
		      const char *path)
{
	struct wsp__search *s;
	wsp_error err;
	int rc;

	if (ws)
		wsp__skills_stale(ws); /* skills are files too */
	if (!ws || !ws->cfg || !ws->cfg->search.configured)
		return;
	pthread_mutex_lock(&ws->search_lock);
	s = ws->search;
	if (s && !wsp__sdb_begin(s->db, &err)) {
		rc = what == WSP__SEARCH_REMOVED
			     ? wsp__sdb_del(s->db, path, 1, &err)
			     : note_written(s, path, &err);
		wsp__sdb_commit(s->db, rc ? NULL : &err);
		s->vec_missing = 1;
		if (!rc)
			wsp__search_vec_catch_up(s, NULL);
		/* The change itself succeeded; the index catches up on the
		 * next open, which re-checks every file. */
		if (rc)
			wsp__log(&ws->sink, WSP_LOG_WARN,
				 "search: could not update the index for "
				 "'%s': %s",
				 path, err.message);
	}
	pthread_mutex_unlock(&ws->search_lock);
}
