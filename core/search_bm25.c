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

struct query_stats {
	int n_phrase;
	double avgdl;
	double idf[]; /* one per phrase */
};

double wsp__search_idf(int64_t rows, int64_t hits)
{
	return log(((double)rows - (double)hits + 0.5) / ((double)hits + 0.5) +
		   1.0);
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
	const double k1 = WSP__SEARCH_K1, b = 0.75;
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
	norm = k1 * (1 - b + b * (double)dl / q->avgdl);
	for (i = 0; i < q->n_phrase && i < WSP__SEARCH_TERMS_MAX; i++) {
		tf = tfs[i];
		if (tf > 0)
			score += q->idf[i] * tf * (k1 + 1) / (tf + norm);
	}
	sqlite3_result_double(ctx, -score);
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
			       SQLITE_OK
		       ? 0
		       : -1;
}
