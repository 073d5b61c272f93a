/*
 * core/search_rank.c - a query's best chunks without scoring every chunk
 * that holds a common word.
 *
 * A query's words are OR'ed (Mastra's BM25 sums over the query's terms),
 * so "uniq123 kernel" matches every chunk that says "kernel", and FTS5's
 * ORDER BY rank computes wsp_bm25() for each of them: on 100k files that is
 * most of the index. But a chunk holding only common words scores at most
 * U = sum over those words of idf * (k1 + 1) (BM25's term score is below
 * idf * (k1 + 1) whatever the term frequency; search_bm25.c). So:
 *
 *   1. split the terms by document count (fts5vocab): rare (at most
 *      CANDIDATES chunks each) and common;
 *   2. score, with the whole expression, only the chunks holding a rare
 *      term (each one a MATCH ... AND rowid = ? lookup);
 *   3. when top_k of them score at least U, no other chunk can beat them:
 *      that is the answer, exactly the one the full query gives (ties
 *      aside). Otherwise, or with no rare or no common term, the full
 *      query runs.
 */
#include "search.h"

#include <sqlite3.h>

#include <stdlib.h>
#include <string.h>

#define CANDIDATES 2000

struct best {
	int64_t *rowid;
	double *score;
	size_t n, cap;
};

/* Keep the cap best, sorted by score, highest first. */
static void offer(struct best *b, int64_t rowid, double score)
{
	size_t i;

	if (b->n == b->cap && score <= b->score[b->n - 1])
		return;
	i = b->n < b->cap ? b->n++ : b->n - 1;
	for (; i > 0 && b->score[i - 1] < score; i--) {
		b->score[i] = b->score[i - 1];
		b->rowid[i] = b->rowid[i - 1];
	}
	b->score[i] = score;
	b->rowid[i] = rowid;
}

static int64_t one_int(sqlite3 *h, const char *sql, const char *arg)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (arg)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else if (arg)
		v = 0; /* a term no chunk holds (or a phrase) */
	sqlite3_finalize(st);
	return v;
}

/*
 * Steps 2 and 3: 1 and the answer in b when the rare terms decide it, 0
 * to run the full query, negative on failure.
 */
static int try_rare(struct best *b, sqlite3 *h, const char *rare,
		    const char *full, double bound, int has_min,
		    double min_score)
{
	sqlite3_stmt *cand = NULL, *score = NULL;
	int64_t ids[CANDIDATES + 1];
	size_t n = 0, i;
	double s;
	int rc = 0;

	if (sqlite3_prepare_v2(h, "SELECT rowid FROM fts WHERE fts MATCH ? "
				  "LIMIT ?",
			       -1, &cand, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(h, "SELECT -wsp_bm25(fts) FROM fts WHERE fts "
				  "MATCH ? AND rowid = ?",
			       -1, &score, NULL) != SQLITE_OK) {
		rc = -1;
		goto out;
	}
	sqlite3_bind_text(cand, 1, rare, -1, SQLITE_STATIC);
	sqlite3_bind_int(cand, 2, CANDIDATES + 1);
	while (n <= CANDIDATES && sqlite3_step(cand) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(cand, 0);
	if (n > CANDIDATES)
		goto out; /* not rare enough together */
	sqlite3_bind_text(score, 1, full, -1, SQLITE_STATIC);
	for (i = 0; i < n; i++) {
		sqlite3_bind_int64(score, 2, ids[i]);
		if (sqlite3_step(score) == SQLITE_ROW) {
			s = sqlite3_column_double(score, 0);
			if (!has_min || s >= min_score)
				offer(b, ids[i], s);
		}
		sqlite3_reset(score);
	}
	/* decided when the k-th best beats anything without a rare term;
	 * with a minScore above that bound, such chunks are out anyway */
	rc = (b->n == b->cap && b->score[b->n - 1] >= bound) ||
	     (has_min && min_score > bound);
out:
	sqlite3_finalize(cand);
	sqlite3_finalize(score);
	return rc;
}

/* The chunks of b with their text, in b's order. */
static int fill(struct wsp__search_hits *out, struct wsp__search_db *db,
		const struct best *b, wsp_error *err)
{
	sqlite3_stmt *st;
	size_t i;
	int rc = 0;

	out->v = calloc(b->n ? b->n : 1, sizeof(*out->v));
	out->n = 0;
	if (!out->v)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	if (sqlite3_prepare_v2(wsp__sdb_handle(db),
			       "SELECT body FROM fts WHERE rowid = ?", -1, &st,
			       NULL) != SQLITE_OK)
		return wsp_error_set(err, WSP_EIO, "search index: cannot read");
	for (i = 0; !rc && i < b->n; i++) {
		sqlite3_bind_int64(st, 1, b->rowid[i]);
		if (sqlite3_step(st) == SQLITE_ROW)
			rc = wsp__sdb_hit(out, db, b->rowid[i],
					  (const char *)sqlite3_column_text(st,
									    0),
					  sqlite3_column_bytes(st, 0),
					  b->score[i]);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (rc) {
		wsp__search_hits_free(out);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	return 0;
}

int wsp__sdb_rank(struct wsp__search_hits *out, struct wsp__search_db *db,
		  const struct wsp__search_terms *t, size_t top_k,
		  int has_min, double min_score, wsp_error *err)
{
	struct wsp__search_terms rare = { .n = 0 };
	sqlite3 *h = wsp__sdb_handle(db);
	char *full = wsp__search_fts_query(t), *rq = NULL;
	struct best b = { 0 };
	double bound = 0;
	int64_t rows, df;
	size_t i, n_common = 0;
	int rc = 0, done = 0;

	if (!full)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	rows = one_int(h, "SELECT count(*) FROM chunk", NULL);
	for (i = 0; rows > 0 && i < t->n; i++) {
		df = one_int(h, "SELECT doc FROM fts_v WHERE term = ?",
			     t->v[i]);
		if (df >= 0 && df <= CANDIDATES) {
			rare.v[rare.n++] = t->v[i]; /* borrowed */
		} else {
			bound += wsp__search_idf(rows, df) * (WSP__SEARCH_K1 + 1);
			n_common++;
		}
	}
	if (rare.n && n_common && top_k <= CANDIDATES) {
		rq = wsp__search_fts_query(&rare);
		b.cap = top_k;
		b.rowid = calloc(top_k, sizeof(*b.rowid));
		b.score = calloc(top_k, sizeof(*b.score));
		if (!rq || !b.rowid || !b.score)
			rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
		else
			done = try_rare(&b, h, rq, full, bound, has_min,
					min_score) > 0;
		if (!rc && done)
			rc = fill(out, db, &b, err);
	}
	if (!rc && !done)
		rc = wsp__sdb_query(out, db, full, top_k, has_min, min_score,
				    err);
	free(b.rowid);
	free(b.score);
	free(rq);
	free(full);
	return rc;
}
