/*
 * core/search_db.c - the search index in SQLite: documents (a path with
 * the size and mtime it was indexed at), their chunks (line ranges) and an
 * FTS5 table of the chunks' text ranked by Mastra's BM25 (wsp_bm25,
 * search_bm25.c).
 *
 *   doc(id, path UNIQUE, size, mtime, manual, meta)
 *   chunk(id = fts rowid, doc, line_a, line_b)     index on doc
 *   fts(body)  fts5, unicode61 with '_' a token character
 *   vec(chunk = chunk id, v)   float32 vectors, normalised (search_vec.c)
 *
 * WAL mode and a busy timeout let `wsp mcp` and a `wsp search` of another
 * process share the file. The caller serialises use of one handle.
 */
#include "search.h"
#include "grow.h"

#include <sqlite3.h>

#include <stdlib.h>
#include <string.h>

#define SCHEMA_VERSION "1"

struct wsp__search_db {
	sqlite3 *h;
	sqlite3_stmt *doc_id, *doc_ins, *chunks_of, *fts_del, *chunk_del,
		*chunk_ins, *fts_ins, *query, *hit, *vec_del, *data_version;
	uint64_t writes; /* puts and deletes through this handle */
	struct wsp__search_impact *impact; /* search_impact.c's lists */
};

static int db_fail(struct wsp__search_db *db, wsp_error *err,
		   const char *what)
{
	return wsp_error_set(err, WSP_EIO, "search index: %s: %s", what,
			     db && db->h ? sqlite3_errmsg(db->h)
					 : "out of memory");
}

static int exec(struct wsp__search_db *db, const char *sql, wsp_error *err)
{
	if (sqlite3_exec(db->h, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, err, "cannot update");
	return 0;
}

static const char schema[] =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=NORMAL;"
	"CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v TEXT);"
	"CREATE TABLE IF NOT EXISTS doc(id INTEGER PRIMARY KEY,"
	" path TEXT UNIQUE NOT NULL, size INTEGER, mtime INTEGER,"
	" manual INTEGER, meta TEXT);"
	"CREATE TABLE IF NOT EXISTS chunk(id INTEGER PRIMARY KEY,"
	" doc INTEGER NOT NULL, line_a INTEGER, line_b INTEGER);"
	"CREATE INDEX IF NOT EXISTS chunk_doc ON chunk(doc);"
	/* a chunk's vector, dropped with it (embeddings: search_vec.c) */
	"CREATE TABLE IF NOT EXISTS vec(chunk INTEGER PRIMARY KEY,"
	" v BLOB NOT NULL);"
	"CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(body,"
	" tokenize=\"unicode61 tokenchars '_'\");"
	/* each term's document count, for search_rank.c */
	"CREATE VIRTUAL TABLE IF NOT EXISTS fts_v USING fts5vocab(fts, row);";

static const struct {
	size_t off;
	const char *sql;
} stmts[] = {
#define S(m, q) { offsetof(struct wsp__search_db, m), q }
	S(doc_id, "SELECT id FROM doc WHERE path=?"),
	S(doc_ins, "INSERT INTO doc(path,size,mtime,manual,meta) "
		   "VALUES(?,?,?,?,?)"),
	S(chunks_of, "SELECT id FROM chunk WHERE doc=?"),
	S(fts_del, "DELETE FROM fts WHERE rowid=?"),
	S(chunk_del, "DELETE FROM chunk WHERE doc=?"),
	S(vec_del, "DELETE FROM vec WHERE chunk IN "
		   "(SELECT id FROM chunk WHERE doc=?)"),
	S(chunk_ins, "INSERT INTO chunk(doc,line_a,line_b) VALUES(?,?,?)"),
	S(fts_ins, "INSERT INTO fts(rowid,body) VALUES(?,?)"),
	/* ORDER BY rank on the FTS5 table alone: FTS5 then keeps only the
	 * best top_k rows instead of sorting every match */
	S(query, "SELECT rowid, body, -rank FROM fts WHERE fts MATCH ? AND "
		 "rank MATCH 'wsp_bm25()' ORDER BY rank LIMIT ?"),
	S(hit, "SELECT d.path, c.line_a, c.line_b FROM chunk c JOIN doc d "
	       "ON d.id=c.doc WHERE c.id=?"),
	/* changes when another connection commits (this one's: writes) */
	S(data_version, "PRAGMA data_version"),
#undef S
};

#define STMT(db, i) ((sqlite3_stmt **)((char *)(db) + stmts[i].off))

/* Same settings as the stored ones, or start over. */
static int check_settings(struct wsp__search_db *db, const char *settings,
			  wsp_error *err)
{
	sqlite3_stmt *st;
	const char *have;
	int same = 0, rc;

	if (sqlite3_prepare_v2(db->h, "SELECT v FROM meta WHERE k='settings'",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, err, "cannot read");
	if (sqlite3_step(st) == SQLITE_ROW) {
		have = (const char *)sqlite3_column_text(st, 0);
		same = have && !strcmp(have, settings);
	}
	sqlite3_finalize(st);
	if (same)
		return 0;
	rc = exec(db,
		  "BEGIN IMMEDIATE; DELETE FROM doc; DELETE FROM chunk;"
		  "DELETE FROM fts; DELETE FROM vec;",
		  err);
	if (rc)
		return rc;
	if (sqlite3_prepare_v2(db->h,
			       "INSERT OR REPLACE INTO meta VALUES"
			       "('settings',?)",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, err, "cannot update");
	sqlite3_bind_text(st, 1, settings, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0
					      : db_fail(db, err, "cannot update");
	sqlite3_finalize(st);
	return rc ? rc : exec(db, "COMMIT", err);
}

int wsp__sdb_open(struct wsp__search_db **out, const char *path,
		  const char *settings, wsp_error *err)
{
	struct wsp__search_db *db = calloc(1, sizeof(*db));
	char full[4200];
	size_t i;
	int rc;

	*out = NULL;
	if (!db)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	if (sqlite3_open_v2(path, &db->h,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				    SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		/* no handle: SQLite could not be loaded, or no memory */
		const char *why = db->h ? sqlite3_errmsg(db->h)
					: wsp__search_libs_error();

		rc = wsp_error_set(err, WSP_EIO,
				   "cannot open the search index '%s': %s",
				   path, why ? why : "out of memory");
		wsp__sdb_close(db);
		return rc;
	}
	sqlite3_busy_timeout(db->h, 10000);
	rc = wsp__search_bm25_register(db->h)
		     ? db_fail(db, err, "cannot register wsp_bm25")
		     : exec(db, schema, err);
	if (!rc)
		rc = check_settings(db, settings, err);
	for (i = 0; !rc && i < sizeof(stmts) / sizeof(stmts[0]); i++)
		if (sqlite3_prepare_v3(db->h, stmts[i].sql, -1,
				       SQLITE_PREPARE_PERSISTENT, STMT(db, i),
				       NULL) != SQLITE_OK)
			rc = db_fail(db, err, "cannot prepare");
	if (rc) {
		snprintf(full, sizeof(full), "%s (index '%s')", err->message,
			 path);
		wsp_error_set(err, rc, "%s", full);
		wsp__sdb_close(db);
		return rc;
	}
	*out = db;
	return 0;
}

void wsp__sdb_close(struct wsp__search_db *db)
{
	size_t i;

	if (!db)
		return;
	for (i = 0; i < sizeof(stmts) / sizeof(stmts[0]); i++)
		sqlite3_finalize(*STMT(db, i));
	wsp__search_impact_free(db->impact);
	sqlite3_close(db->h);
	free(db);
}

int wsp__sdb_begin(struct wsp__search_db *db, wsp_error *err)
{
	return exec(db, "BEGIN IMMEDIATE", err);
}

int wsp__sdb_commit(struct wsp__search_db *db, wsp_error *err)
{
	return exec(db, "COMMIT", err);
}

void wsp__sdb_docs_free(struct wsp__sdoc *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}

int wsp__sdb_docs(struct wsp__sdoc **out, size_t *n,
		  struct wsp__search_db *db, wsp_error *err)
{
	struct wsp__sdoc *v = NULL, *nv;
	size_t cnt = 0, cap = 0;
	sqlite3_stmt *st;
	int rc = 0, step;

	*out = NULL;
	*n = 0;
	/* BINARY collation: the order strcmp() gives, for the merge */
	if (sqlite3_prepare_v2(db->h,
			       "SELECT path,size,mtime,manual FROM doc "
			       "ORDER BY path",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, err, "cannot read");
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		nv = wsp__grow(v, &cap, cnt, sizeof(*v), 256);
		if (!nv) {
			rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
			break;
		}
		v = nv;
		v[cnt].path = strdup((const char *)sqlite3_column_text(st, 0));
		v[cnt].size = sqlite3_column_int64(st, 1);
		v[cnt].mtime_ns = sqlite3_column_int64(st, 2);
		v[cnt].manual = sqlite3_column_int(st, 3);
		if (!v[cnt].path) {
			rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
			break;
		}
		cnt++;
	}
	if (!rc && step != SQLITE_DONE)
		rc = db_fail(db, err, "cannot read");
	sqlite3_finalize(st);
	if (rc) {
		wsp__sdb_docs_free(v, cnt);
		return rc;
	}
	*out = v;
	*n = cnt;
	return 0;
}

static int64_t doc_id(struct wsp__search_db *db, const char *path)
{
	int64_t id = 0;

	sqlite3_bind_text(db->doc_id, 1, path, -1, SQLITE_STATIC);
	if (sqlite3_step(db->doc_id) == SQLITE_ROW)
		id = sqlite3_column_int64(db->doc_id, 0);
	sqlite3_reset(db->doc_id);
	return id;
}

/* Drop one document's chunks (their FTS rows by rowid) and the doc row. */
static int drop_doc(struct wsp__search_db *db, int64_t id, wsp_error *err)
{
	int rc = 0;
	char sql[64];

	sqlite3_bind_int64(db->chunks_of, 1, id);
	while (!rc && sqlite3_step(db->chunks_of) == SQLITE_ROW) {
		sqlite3_bind_int64(db->fts_del, 1,
				   sqlite3_column_int64(db->chunks_of, 0));
		if (sqlite3_step(db->fts_del) != SQLITE_DONE)
			rc = db_fail(db, err, "cannot update");
		sqlite3_reset(db->fts_del);
	}
	sqlite3_reset(db->chunks_of);
	if (rc)
		return rc;
	sqlite3_bind_int64(db->vec_del, 1, id);
	if (sqlite3_step(db->vec_del) != SQLITE_DONE)
		rc = db_fail(db, err, "cannot update");
	sqlite3_reset(db->vec_del);
	if (rc)
		return rc;
	sqlite3_bind_int64(db->chunk_del, 1, id);
	if (sqlite3_step(db->chunk_del) != SQLITE_DONE)
		rc = db_fail(db, err, "cannot update");
	sqlite3_reset(db->chunk_del);
	snprintf(sql, sizeof(sql), "DELETE FROM doc WHERE id=%lld",
		 (long long)id);
	return rc ? rc : exec(db, sql, err);
}

struct put {
	struct wsp__search_db *db;
	const char *text;
	int64_t doc;
	wsp_error *err;
};

static int put_chunk(size_t off, size_t len, uint32_t a, uint32_t b,
		     void *payload)
{
	struct put *p = payload;
	struct wsp__search_db *db = p->db;
	int64_t id;

	sqlite3_bind_int64(db->chunk_ins, 1, p->doc);
	sqlite3_bind_int64(db->chunk_ins, 2, a);
	sqlite3_bind_int64(db->chunk_ins, 3, b);
	if (sqlite3_step(db->chunk_ins) != SQLITE_DONE) {
		sqlite3_reset(db->chunk_ins);
		return db_fail(db, p->err, "cannot update");
	}
	sqlite3_reset(db->chunk_ins);
	id = sqlite3_last_insert_rowid(db->h);
	sqlite3_bind_int64(db->fts_ins, 1, id);
	sqlite3_bind_text(db->fts_ins, 2, p->text + off, (int)len,
			  SQLITE_STATIC);
	if (sqlite3_step(db->fts_ins) != SQLITE_DONE) {
		sqlite3_reset(db->fts_ins);
		return db_fail(db, p->err, "cannot update");
	}
	sqlite3_reset(db->fts_ins);
	return 0;
}

int wsp__sdb_put(struct wsp__search_db *db, const char *path, int64_t size,
		 int64_t mtime_ns, int manual, const char *meta,
		 const char *text, size_t len, size_t chunk_chars,
		 size_t overlap, wsp_error *err)
{
	struct put p = { db, text, 0, err };
	int64_t id = doc_id(db, path);
	int rc;

	db->writes++;
	rc = id ? drop_doc(db, id, err) : 0;
	if (rc)
		return rc;
	sqlite3_bind_text(db->doc_ins, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(db->doc_ins, 2, size);
	sqlite3_bind_int64(db->doc_ins, 3, mtime_ns);
	sqlite3_bind_int(db->doc_ins, 4, manual);
	if (meta)
		sqlite3_bind_text(db->doc_ins, 5, meta, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(db->doc_ins, 5);
	rc = sqlite3_step(db->doc_ins) == SQLITE_DONE
		     ? 0
		     : db_fail(db, err, "cannot update");
	sqlite3_reset(db->doc_ins);
	if (rc || !text)
		return rc;
	p.doc = sqlite3_last_insert_rowid(db->h);
	return wsp__search_chunk(text, len, chunk_chars, overlap, put_chunk,
				 &p);
}

int wsp__sdb_del(struct wsp__search_db *db, const char *path, int tree,
		 wsp_error *err)
{
	sqlite3_stmt *st;
	int64_t *ids = NULL, *nv;
	size_t n = 0, cap = 0, i, plen = strlen(path);
	char *lo = NULL, *hi = NULL;
	int rc = 0;

	db->writes++;
	if (!tree) {
		int64_t id = doc_id(db, path);

		return id ? drop_doc(db, id, err) : 0;
	}
	/* path itself, and "path/" <= p < "path0" ('0' follows '/') */
	lo = malloc(plen + 2);
	hi = malloc(plen + 2);
	if (!lo || !hi) {
		free(lo);
		free(hi);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	if (plen == 1 && path[0] == '/')
		plen = 0; /* the root: everything */
	memcpy(lo, path, plen);
	memcpy(hi, path, plen);
	lo[plen] = '/';
	hi[plen] = '0';
	lo[plen + 1] = hi[plen + 1] = '\0';
	if (sqlite3_prepare_v2(db->h,
			       "SELECT id FROM doc WHERE path=? OR "
			       "(path>=? AND path<?)",
			       -1, &st, NULL) != SQLITE_OK) {
		free(lo);
		free(hi);
		return db_fail(db, err, "cannot read");
	}
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hi, -1, SQLITE_STATIC);
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		nv = wsp__grow(ids, &cap, n, sizeof(*ids), 64);
		if (!nv) {
			rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
			break;
		}
		ids = nv;
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	for (i = 0; !rc && i < n; i++)
		rc = drop_doc(db, ids[i], err);
	free(ids);
	free(lo);
	free(hi);
	return rc;
}

void wsp__search_hits_free(struct wsp__search_hits *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		free(h->v[i].path);
		free(h->v[i].text);
	}
	free(h->v);
	h->v = NULL;
	h->n = 0;
}

sqlite3 *wsp__sdb_handle(struct wsp__search_db *db)
{
	return db->h;
}

void wsp__sdb_version(struct wsp__search_db *db, uint64_t v[2])
{
	v[0] = db->writes;
	v[1] = UINT64_MAX; /* unknown: never equal to a stored one */
	if (sqlite3_step(db->data_version) == SQLITE_ROW)
		v[1] = (uint64_t)sqlite3_column_int64(db->data_version, 0);
	sqlite3_reset(db->data_version);
}

struct wsp__search_impact **wsp__sdb_impact(struct wsp__search_db *db)
{
	return &db->impact;
}

int wsp__sdb_hit(struct wsp__search_hits *out, struct wsp__search_db *db,
		 int64_t rowid, const char *body, int blen, double score)
{
	struct wsp__search_hit *h = &out->v[out->n];
	int rc = 0;

	sqlite3_bind_int64(db->hit, 1, rowid);
	if (sqlite3_step(db->hit) == SQLITE_ROW) {
		h->chunk = rowid;
		h->path = strdup((const char *)sqlite3_column_text(db->hit, 0));
		h->chunk_a = (uint32_t)sqlite3_column_int64(db->hit, 1);
		h->line_a = h->chunk_a;
		h->line_b = (uint32_t)sqlite3_column_int64(db->hit, 2);
		h->text = malloc((size_t)blen + 1);
		h->score = score;
		if (!h->path || !h->text) {
			free(h->path);
			free(h->text);
			rc = WSP_ENOMEM;
		} else {
			memcpy(h->text, body, (size_t)blen);
			h->text[blen] = '\0';
			out->n++;
		}
	}
	sqlite3_reset(db->hit);
	return rc;
}

int wsp__sdb_query(struct wsp__search_hits *out, struct wsp__search_db *db,
		   const char *match, size_t top_k, int has_min,
		   double min_score, wsp_error *err)
{
	int rc = 0, step = SQLITE_DONE;
	double score;

	out->v = calloc(top_k ? top_k : 1, sizeof(*out->v));
	out->n = 0;
	if (!out->v)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	sqlite3_bind_text(db->query, 1, match, -1, SQLITE_STATIC);
	sqlite3_bind_int64(db->query, 2, (sqlite3_int64)top_k);
	while (!rc && out->n < top_k &&
	       (step = sqlite3_step(db->query)) == SQLITE_ROW) {
		score = sqlite3_column_double(db->query, 2);
		if (has_min && score < min_score)
			break; /* ranked: the rest score lower */
		rc = wsp__sdb_hit(out, db, sqlite3_column_int64(db->query, 0),
			     (const char *)sqlite3_column_text(db->query, 1),
			     sqlite3_column_bytes(db->query, 1), score);
		if (rc)
			rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	if (!rc && out->n < top_k && step != SQLITE_DONE &&
	    step != SQLITE_ROW)
		rc = db_fail(db, err, "cannot search");
	sqlite3_reset(db->query);
	if (rc)
		wsp__search_hits_free(out);
	return rc;
}
