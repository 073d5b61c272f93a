/*
 * core/search_vec.c - the chunks' vectors, beside the BM25 index in the
 * same SQLite file: vec(chunk, v), v the chunk's embedding as float32 in
 * the host's byte order, scaled to length 1 so a cosine is a dot product.
 * search_db.c drops a chunk's vector with the chunk.
 *
 * meta('vectors') is the fingerprint of what made them (URL, model,
 * dimensions): another endpoint or model drops them all, to be made
 * again. meta('vec_dim') is their size, so a later answer or a query
 * vector of another size is refused instead of compared.
 *
 * A query compares the query's vector with every stored one (brute force,
 * one pass over the table keeping the best top_k): no approximate index,
 * which is exact and fine for tens of thousands of chunks (docs/search.md).
 */
#include "search.h"

#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(sqlite3 *h, wsp_error *err, const char *what)
{
	return wsp_error_set(err, WSP_EIO, "search index: %s: %s", what,
			     sqlite3_errmsg(h));
}

static int meta_get(sqlite3 *h, const char *k, char *out, size_t cap)
{
	sqlite3_stmt *st;
	const char *v;
	int found = 0;

	out[0] = '\0';
	if (sqlite3_prepare_v2(h, "SELECT v FROM meta WHERE k=?", -1, &st,
			       NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    (v = (const char *)sqlite3_column_text(st, 0))) {
		snprintf(out, cap, "%s", v);
		found = 1;
	}
	sqlite3_finalize(st);
	return found;
}

static int meta_set(sqlite3 *h, const char *k, const char *v)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(h, "INSERT OR REPLACE INTO meta VALUES(?,?)", -1,
			       &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, v, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

int wsp__svec_check(struct wsp__search_db *db, const char *fingerprint,
		    wsp_error *err)
{
	sqlite3 *h = wsp__sdb_handle(db);
	char have[2600];

	if (meta_get(h, "vectors", have, sizeof(have)) &&
	    !strcmp(have, fingerprint))
		return 0;
	if (sqlite3_exec(h,
			 "BEGIN IMMEDIATE; DELETE FROM vec;"
			 "DELETE FROM meta WHERE k='vec_dim';",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    meta_set(h, "vectors", fingerprint) ||
	    sqlite3_exec(h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
		return fail(h, err, "cannot update");
	}
	return 0;
}

uint32_t wsp__svec_dim(struct wsp__search_db *db)
{
	char v[32];
	long d;

	if (!meta_get(wsp__sdb_handle(db), "vec_dim", v, sizeof(v)))
		return 0;
	d = strtol(v, NULL, 10);
	return d > 0 && d <= WSP__EMBED_DIM_MAX ? (uint32_t)d : 0;
}

/* ---- filling ------------------------------------------------------------ */

struct batch {
	int64_t id[WSP__EMBED_BATCH_MAX];
	char *text[WSP__EMBED_BATCH_MAX];
	size_t len[WSP__EMBED_BATCH_MAX];
	size_t n;
};

static void batch_free(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		free(b->text[i]);
	b->n = 0;
}

/* The next chunks after id *after that have no vector, with their text. */
static int next_batch(struct batch *b, sqlite3 *h, int64_t *after, size_t max,
		      wsp_error *err)
{
	sqlite3_stmt *ids, *body;
	const char *t;
	int rc = 0;

	if (sqlite3_prepare_v2(h,
			       "SELECT c.id FROM chunk c WHERE c.id>? AND NOT "
			       "EXISTS(SELECT 1 FROM vec v WHERE v.chunk=c.id) "
			       "ORDER BY c.id LIMIT ?",
			       -1, &ids, NULL) != SQLITE_OK)
		return fail(h, err, "cannot read");
	if (sqlite3_prepare_v2(h, "SELECT body FROM fts WHERE rowid=?", -1,
			       &body, NULL) != SQLITE_OK) {
		sqlite3_finalize(ids);
		return fail(h, err, "cannot read");
	}
	sqlite3_bind_int64(ids, 1, *after);
	sqlite3_bind_int64(ids, 2, (sqlite3_int64)max);
	while (!rc && sqlite3_step(ids) == SQLITE_ROW) {
		b->id[b->n] = *after = sqlite3_column_int64(ids, 0);
		sqlite3_bind_int64(body, 1, b->id[b->n]);
		if (sqlite3_step(body) == SQLITE_ROW &&
		    (t = (const char *)sqlite3_column_text(body, 0))) {
			b->len[b->n] = (size_t)sqlite3_column_bytes(body, 0);
			b->text[b->n] = malloc(b->len[b->n] + 1);
			if (!b->text[b->n])
				rc = wsp_error_set(err, WSP_ENOMEM,
						   "out of memory");
			else
				memcpy(b->text[b->n], t, b->len[b->n] + 1);
			b->n += !rc;
		}
		sqlite3_reset(body);
	}
	sqlite3_finalize(ids);
	sqlite3_finalize(body);
	return rc;
}

/* Store b's vectors (v: b->n * dim), each chunk's only if it still is. */
static int store(sqlite3 *h, const struct batch *b, float *v, uint32_t dim,
		 int first, wsp_error *err)
{
	sqlite3_stmt *st;
	char num[16];
	size_t i;
	int rc = 0;

	if (sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return fail(h, err, "cannot update");
	if (sqlite3_prepare_v2(h,
			       "INSERT OR REPLACE INTO vec(chunk,v) SELECT "
			       "?1,?2 WHERE EXISTS(SELECT 1 FROM chunk "
			       "WHERE id=?1)",
			       -1, &st, NULL) != SQLITE_OK) {
		sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
		return fail(h, err, "cannot update");
	}
	for (i = 0; !rc && i < b->n; i++) {
		wsp__vec_normalize(v + i * dim, dim);
		sqlite3_bind_int64(st, 1, b->id[i]);
		sqlite3_bind_blob(st, 2, v + i * dim, (int)(dim * sizeof(*v)),
				  SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = fail(h, err, "cannot update");
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	snprintf(num, sizeof(num), "%u", dim);
	if (!rc && first && meta_set(h, "vec_dim", num))
		rc = fail(h, err, "cannot update");
	if (rc || sqlite3_exec(h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
		return rc ? rc : fail(h, err, "cannot update");
	}
	return 0;
}

int wsp__svec_fill(struct wsp__search_db *db, wsp_workspace *ws,
		   const wsp_call *call, const struct wsp__embed_cfg *cfg,
		   size_t *done, wsp_error *err)
{
	sqlite3 *h = wsp__sdb_handle(db);
	uint32_t have = wsp__svec_dim(db), want, dim;
	struct batch b = {.n = 0};
	int64_t after = 0;
	float *v;
	int rc;

	*done = 0;
	want = cfg->dimensions ? cfg->dimensions : have;
	for (;;) {
		rc = next_batch(&b, h, &after, cfg->batch_size, err);
		if (rc || !b.n)
			break;
		rc = wsp__embed(&v, &dim, ws, call, cfg,
				(const char *const *)b.text, b.len, b.n, want,
				err);
		if (!rc) {
			rc = store(h, &b, v, dim, !have, err);
			free(v);
		}
		if (rc)
			break;
		*done += b.n;
		have = want = dim;
		batch_free(&b);
	}
	batch_free(&b);
	return rc;
}

/* ---- querying ----------------------------------------------------------- */

struct top {
	int64_t *id;
	double *score;
	size_t n, k;
};

/* Keep the k best; on equal scores the one seen first stays ahead. */
static void top_add(struct top *t, int64_t id, double score)
{
	size_t i;

	if (t->n == t->k && !(score > t->score[t->n - 1]))
		return;
	i = t->n < t->k ? t->n++ : t->n - 1;
	for (; i > 0 && score > t->score[i - 1]; i--) {
		t->id[i] = t->id[i - 1];
		t->score[i] = t->score[i - 1];
	}
	t->id[i] = id;
	t->score[i] = score;
}

static int scan(struct top *t, sqlite3 *h, const float *q, uint32_t dim,
		int has_min, double min_score, wsp_error *err)
{
	float *row = malloc(dim * sizeof(*row));
	sqlite3_stmt *st;
	double dot;
	uint32_t i;
	int step;

	if (!row)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	if (sqlite3_prepare_v2(h, "SELECT chunk, v FROM vec", -1, &st, NULL) !=
	    SQLITE_OK) {
		free(row);
		return fail(h, err, "cannot search");
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		/* another size: from before a change the fingerprint missed */
		if ((size_t)sqlite3_column_bytes(st, 1) != dim * sizeof(*row))
			continue;
		/* a blob need not be aligned for float */
		memcpy(row, sqlite3_column_blob(st, 1), dim * sizeof(*row));
		for (dot = 0, i = 0; i < dim; i++)
			dot += (double)row[i] * q[i];
		if (!has_min || dot >= min_score)
			top_add(t, sqlite3_column_int64(st, 0), dot);
	}
	sqlite3_finalize(st);
	free(row);
	return step == SQLITE_DONE ? 0 : fail(h, err, "cannot search");
}

int wsp__svec_query(struct wsp__search_hits *out, struct wsp__search_db *db,
		    const float *q, uint32_t dim, size_t top_k, int has_min,
		    double min_score, wsp_error *err)
{
	sqlite3 *h = wsp__sdb_handle(db);
	struct top t = {.k = top_k};
	sqlite3_stmt *body = NULL;
	size_t i;
	int rc;

	out->n = 0;
	out->v = calloc(top_k ? top_k : 1, sizeof(*out->v));
	t.id = calloc(top_k ? top_k : 1, sizeof(*t.id));
	t.score = calloc(top_k ? top_k : 1, sizeof(*t.score));
	if (!out->v || !t.id || !t.score)
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
	else
		rc = top_k ? scan(&t, h, q, dim, has_min, min_score, err) : 0;
	if (!rc && sqlite3_prepare_v2(h, "SELECT body FROM fts WHERE rowid=?",
				      -1, &body, NULL) != SQLITE_OK)
		rc = fail(h, err, "cannot search");
	for (i = 0; !rc && i < t.n; i++) {
		sqlite3_bind_int64(body, 1, t.id[i]);
		if (sqlite3_step(body) == SQLITE_ROW &&
		    wsp__sdb_hit(out, db, t.id[i],
				 (const char *)sqlite3_column_text(body, 0),
				 sqlite3_column_bytes(body, 0), t.score[i]))
			rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
		sqlite3_reset(body);
	}
	sqlite3_finalize(body);
	free(t.id);
	free(t.score);
	if (rc)
		wsp__search_hits_free(out);
	return rc;
}
