/*
 * core/search_bm25.c - Mastra's BM25 as an FTS5 ranking function,
 * wsp_bm25(fts): k1 = 1.5, b = 0.75 and the idf
 * log((N - n + 0.5) / (n + 0.5) + 1), always positive (FTS5's own bm25()
 * has k1 = 1.2 and an idf that falls to nearly 0 for a word in more than
 * half of the chunks). Like bm25() it returns the score negated, so that
 * FTS5's ORDER BY rank (ascending) puts the best first.
 *
 * N is the number of chunks, n the chunks holding phrase i (counted once
 * per query, as FTS5's bm25() does, and kept as the query's aux data), a
 * chunk's length and the average length in tokens.
 */
#include "search.h"

#include <sqlite3.h>

#include <math.h>
#include <stdlib.h>

#define B 0.75

struct query_stats {
	int n_phrase;
	double avgdl;
	double idf[]; /* one per phrase */
};

double wsp__search_idf(int64_t rows, int64_t hits)
{
	return wsp__search_log(((double)rows - (double)hits + 0.5) / ((double)hits + 0.5) +
		   1.0);
}

double wsp__bm25_norm(int64_t dl, double avgdl)
{
	return WSP__SEARCH_K1 * (1 - B + B * (double)dl / avgdl);
}

double wsp__bm25_term(double idf, double tf, double norm)
{
	return idf * tf * (WSP__SEARCH_K1 + 1) / (tf + norm);
}

static int count_row(const Fts5ExtensionApi *api, Fts5Context *fts,
		     void *payload)
{
	(void)api, (void)fts;
	++*(int64_t *)payload;
	return SQLITE_OK;
}

static struct query_stats *stats(const Fts5ExtensionApi *api,
				 Fts5Context *fts, int *rc)
{
	struct query_stats *q = api->xGetAuxdata(fts, 0);
	sqlite3_int64 rows = 0, tokens = 0;
	int64_t hits;
	int i, n;

	if (q)
		return q;
	n = api->xPhraseCount(fts);
	q = calloc(1, sizeof(*q) + (size_t)n * sizeof(double));
	if (!q) {
		*rc = SQLITE_NOMEM;
		return NULL;
	}
	q->n_phrase = n;
	*rc = api->xRowCount(fts, &rows);
	if (*rc == SQLITE_OK)
		*rc = api->xColumnTotalSize(fts, 0, &tokens);
	q->avgdl = rows > 0 ? (double)tokens / (double)rows : 1.0;
	for (i = 0; *rc == SQLITE_OK && i < n; i++) {
		hits = 0;
		*rc = api->xQueryPhrase(fts, i, &hits, count_row);
		q->idf[i] = wsp__search_idf(rows, hits);
	}
	if (*rc == SQLITE_OK)
		*rc = api->xSetAuxdata(fts, q, free);
	else
		free(q);
	return *rc == SQLITE_OK ? q : NULL;
}

static void bm25(const Fts5ExtensionApi *api, Fts5Context *fts,
		 sqlite3_context *ctx, int n_val, sqlite3_value **vals)
{
	struct query_stats *q;
	int rc = SQLITE_OK, n_inst = 0, dl = 0, i, phrase, col, off;
	double score = 0, norm, tf;
	double tfs[WSP__SEARCH_TERMS_MAX] = { 0 };

	(void)n_val, (void)vals;
	q = stats(api, fts, &rc);
	if (q)
		rc = api->xInstCount(fts, &n_inst);
	for (i = 0; rc == SQLITE_OK && i < n_inst; i++) {
		rc = api->xInst(fts, i, &phrase, &col, &off);
		if (rc == SQLITE_OK && phrase >= 0 &&
		    phrase < WSP__SEARCH_TERMS_MAX)
			tfs[phrase] += 1;
	}
	if (rc == SQLITE_OK)
		rc = api->xColumnSize(fts, 0, &dl);
	if (rc != SQLITE_OK) {
		sqlite3_result_error_code(ctx, rc);
		return;
	}
	norm = wsp__bm25_norm(dl, q->avgdl);
	for (i = 0; i < q->n_phrase && i < WSP__SEARCH_TERMS_MAX; i++) {
		tf = tfs[i];
		if (tf > 0)
			score += wsp__bm25_term(q->idf[i], tf, norm);
	}
	sqlite3_result_double(ctx, -score);
}

/*
 * wsp_fts_facts(fts, what): what 0, the chunks (xRowCount); 1, their
 * tokens (xColumnTotalSize), the numbers bm25() takes N and the average
 * length from; 2, this chunk's instances of the query's phrases
 * (xInstCount: the term frequency of a one-term query). For search_impact.c,
 * which scores as bm25() does without calling it for every chunk.
 */
static void facts(const Fts5ExtensionApi *api, Fts5Context *fts,
		  sqlite3_context *ctx, int n_val, sqlite3_value **vals)
{
	sqlite3_int64 v = 0;
	int what = n_val == 1 ? sqlite3_value_int(vals[0]) : -1, n = 0, rc;

	if (what == 0)
		rc = api->xRowCount(fts, &v);
	else if (what == 1)
		rc = api->xColumnTotalSize(fts, 0, &v);
	else if (what == 2)
		rc = api->xInstCount(fts, &n), v = n;
	else
		rc = SQLITE_MISUSE;
	if (rc != SQLITE_OK)
		sqlite3_result_error_code(ctx, rc);
	else
		sqlite3_result_int64(ctx, v);
}

int wsp__search_bm25_register(sqlite3 *h)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(h, "SELECT fts5(?1)", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	if (!api || api->iVersion < 2)
		return -1;
	return api->xCreateFunction(api, "wsp_bm25", NULL, bm25, NULL) ==
				       SQLITE_OK &&
			       api->xCreateFunction(api, "wsp_fts_facts", NULL,
						    facts, NULL) == SQLITE_OK
		       ? 0
		       : -1;
}
