/*
 * core/search_rank.c - a query's best chunks without scoring every chunk
 * that holds a common word.
 *
 * A query's words are OR'ed (Mastra's BM25 sums over the query's terms),
 * so "uniq123 kernel" matches every chunk that says "kernel", and FTS5's
 * ORDER BY rank computes wsp_bm25() for each of them: on 100k files that
 * is most of the index, hundreds of milliseconds. When a term is common
 * (in more than COMMON chunks), the answer comes instead from each term's
 * shares of the score, best first (search_impact.c), by Fagin's threshold
 * algorithm:
 *
 *   - take the chunk with the best unread share of any term, add its
 *     shares of the other terms (looked up), keep the top_k sums;
 *   - the sum of every term's best unread share bounds the score of any
 *     chunk not taken yet (each of its shares is at most that, and a
 *     missing term adds nothing); stop when the top_k are full and the
 *     k-th beats that bound.
 *
 * A common word alone reads its top_k shares and stops; a rare word with
 * a common one, a few more. The sums are wsp_bm25's own (same numbers,
 * same operations in the same order) and ties go to the lower rowid, as
 * FTS5's ORDER BY rank LIMIT orders them, so the answer is the full
 * ranking's, which tests/tools/test_search_units.c checks on a generated
 * corpus. Queries of rare words only (cheap for FTS5), and those with a
 * word outside [a-z0-9_] (which FTS5 may fold or split differently),
 * run the full ranking.
 */
#include "search.h"

#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A term in more chunks than this makes a query worth the lists; top_k
 * past it runs the full ranking. */
#define COMMON 2000

struct best {
	int64_t *rowid;
	double *score;
	size_t n, cap;
};

/* Whether (s, r) ranks before (s2, r2): higher score, then lower rowid. */
static int before(double s, int64_t r, double s2, int64_t r2)
{
	return s > s2 || (s == s2 && r < r2);
}

/* Keep the cap best, in rank order. */
static void offer(struct best *b, int64_t rowid, double score)
{
	size_t i;

	if (b->n == b->cap &&
	    !before(score, rowid, b->score[b->n - 1], b->rowid[b->n - 1]))
		return;
	i = b->n < b->cap ? b->n++ : b->n - 1;
	for (; i > 0 && before(score, rowid, b->score[i - 1], b->rowid[i - 1]);
	     i--) {
		b->score[i] = b->score[i - 1];
		b->rowid[i] = b->rowid[i - 1];
	}
	b->score[i] = score;
	b->rowid[i] = rowid;
}

static int held(const struct best *b, int64_t rowid)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (b->rowid[i] == rowid)
			return 1;
	return 0;
}

/* Whether more than COMMON chunks hold term (reading no more than that:
 * fts5vocab's count would walk all of them). */
static int common(sqlite3 *h, const char *term)
{
	char match[WSP__SEARCH_QUERY_MAX + 3];
	sqlite3_stmt *st;
	int n = 0;

	snprintf(match, sizeof(match), "\"%s\"", term);
	if (sqlite3_prepare_v2(h, "SELECT rowid FROM fts WHERE fts MATCH ? "
				  "LIMIT ?",
			       -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, COMMON + 1);
	while (sqlite3_step(st) == SQLITE_ROW)
		n++;
	sqlite3_finalize(st);
	return n > COMMON;
}

/* Whether FTS5 reads term as itself: one token, nothing folded. */
static int plain(const char *term)
{
	for (; *term; term++)
		if (!((*term >= 'a' && *term <= 'z') ||
		      (*term >= '0' && *term <= '9') || *term == '_'))
			return 0;
	return 1;
}

/* Whether the lists are worth it for t: every term plain, one common
 * (known from its list when it has one). */
static int worth_lists(struct wsp__search_impact *imp,
		       struct wsp__search_db *db,
		       const struct wsp__search_terms *t)
{
	struct wsp__impact_list *l;
	size_t i;
	int found = 0;

	for (i = 0; i < t->n; i++)
		if (!plain(t->v[i]) || strlen(t->v[i]) > WSP__SEARCH_QUERY_MAX)
			return 0;
	for (i = 0; !found && i < t->n; i++) {
		l = wsp__impact_find(imp, t->v[i]);
		found = l ? l->n > COMMON : common(wsp__sdb_handle(db), t->v[i]);
	}
	return found;
}

/* The score of chunk rowid: its shares summed in the query's order, as
 * wsp_bm25 sums them. */
static double score_of(struct wsp__impact_list *const *l, size_t n,
		       int64_t rowid)
{
	double score = 0, share;
	size_t i;

	for (i = 0; i < n; i++)
		if (wsp__impact_share(l[i], rowid, &share))
			score += share;
	return score;
}

/* The threshold algorithm over t's lists into b: 1 when done, 0 when the
 * lists cannot be had (the full ranking answers). */
static int threshold(struct best *b, struct wsp__search_impact *imp,
		     struct wsp__search_db *db,
		     const struct wsp__search_terms *t, int has_min,
		     double min_score)
{
	struct wsp__impact_list *l[WSP__SEARCH_TERMS_MAX];
	size_t pos[WSP__SEARCH_TERMS_MAX] = { 0 }, i, next;
	double bound, head, top, score;
	int64_t rowid;

	for (i = 0; i < t->n; i++)
		if (!(l[i] = wsp__impact_get(imp, db, t->v[i])))
			return 0;
	for (;;) {
		/* the bound, summed in the query's order as a score is, and
		 * the list with the best unread share */
		bound = 0;
		top = -1;
		next = t->n;
		for (i = 0; i < t->n; i++) {
			if (pos[i] == l[i]->n)
				continue;
			head = l[i]->share[wsp__impact_at(l[i], pos[i])];
			bound += head;
			if (head > top) {
				top = head;
				next = i;
			}
		}
		if (next == t->n)
			break; /* every list read */
		if (b->n == b->cap && bound < b->score[b->n - 1])
			break; /* nothing unread can enter */
		if (has_min && bound < min_score)
			break;
		rowid = l[next]->rowid[wsp__impact_at(l[next], pos[next]++)];
		if (held(b, rowid))
			continue;
		score = score_of(l, t->n, rowid);
		if (!has_min || score >= min_score)
			offer(b, rowid, score);
	}
	return 1;
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

int wsp__sdb_rank_lists(struct wsp__search_hits *out,
			struct wsp__search_db *db,
			const struct wsp__search_terms *t, size_t top_k,
			int has_min, double min_score, wsp_error *err)
{
	struct wsp__search_impact *imp;
	struct best b = { 0 };
	int rc = 0;

	if (!top_k || top_k > COMMON || !(imp = wsp__impact_begin(db)) ||
	    !worth_lists(imp, db, t))
		return 0;
	b.cap = top_k;
	b.rowid = calloc(top_k, sizeof(*b.rowid));
	b.score = calloc(top_k, sizeof(*b.score));
	if (!b.rowid || !b.score)
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
	else if (threshold(&b, imp, db, t, has_min, min_score) &&
		 !(rc = fill(out, db, &b, err)))
		rc = 1;
	free(b.rowid);
	free(b.score);
	return rc;
}

int wsp__sdb_rank(struct wsp__search_hits *out, struct wsp__search_db *db,
		  const struct wsp__search_terms *t, size_t top_k,
		  int has_min, double min_score, wsp_error *err)
{
	char *full;
	int rc = wsp__sdb_rank_lists(out, db, t, top_k, has_min, min_score,
				     err);

	if (rc)
		return rc > 0 ? 0 : rc;
	full = wsp__search_fts_query(t);
	if (!full)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	rc = wsp__sdb_query(out, db, full, top_k, has_min, min_score, err);
	free(full);
	return rc;
}
