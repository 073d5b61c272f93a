/*
 * core/search_impact.c - each term's share of the BM25 score in every
 * chunk holding it, best first: what lets search_rank.c find a query's
 * best chunks without asking FTS5 to score every chunk that holds a
 * common word.
 *
 * BM25 adds, for each term of the query a chunk holds, a share that
 * depends on the term (its idf: the chunk count N and the chunks holding
 * it) and on the chunk (the term's count tf in it, its length dl against
 * the average): see wsp__bm25_term. While the index does not change,
 * those shares are fixed; a term's list of them, best first, is
 * built on its first use by one pass over its postings (rowid and tf
 * through FTS5, no scoring) and the chunks' lengths (FTS5's fts_docsize
 * table, read once), and kept in memory. Any change to the index (this
 * handle's puts and deletes, another process's commits: wsp__sdb_version)
 * drops them all, since N and the average length change every share;
 * they are built again when a query needs them.
 *
 * The numbers are the ones wsp_bm25 uses: N and the total of tokens from
 * FTS5 (wsp_fts_facts), n the term's postings, tf the FTS5 instance count,
 * dl the same fts_docsize value xColumnSize reads, and the same functions
 * for the arithmetic, so a share here is the double wsp_bm25 adds.
 */
#include "search.h"

#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Kept between queries: at most this many lists, this many postings
 * (about 24 bytes each) in all; a query's own lists always fit. */
#define LISTS_MAX    256
#define POSTINGS_MAX ((size_t)2 << 20)

struct ilist {
	struct wsp__impact_list pub; /* first: wsp__impact_at's cast */
	char *term;
	int64_t *rowid;
	double *share;
	/* the order, best share first, made as far as it was asked for:
	 * order[0..sorted) taken off heap[0..heap_n), a heap of the rest */
	uint32_t *order, *heap;
	size_t sorted, heap_n;
	uint64_t used; /* the query that last used it */
};

struct wsp__search_impact {
	uint64_t version[2];
	int unusable; /* the lengths could not be read in this version */
	double avgdl;
	int64_t rows; /* 0: the two numbers not read yet */
	/* every chunk's length, rowid ascending (read on first use) */
	int64_t *len_rowid;
	int64_t *len;
	size_t n_len;
	int have_len;
	struct ilist *lists[LISTS_MAX];
	size_t n_lists, postings;
	uint64_t stamp;
};

int wsp__search_docsize(const unsigned char *sz, size_t len, int64_t *dl)
{
	uint64_t v = 0;
	size_t i;

	/* SQLite's varint: 7 bits a byte, high bit set on all but the last;
	 * a ninth byte gives 8 bits. Any value over INT32_MAX is refused
	 * long before that. */
	for (i = 0; i < len && i < 5; i++) {
		v = (v << 7) | (sz[i] & 0x7f);
		if (!(sz[i] & 0x80))
			break;
	}
	if (i >= len || i == 5 || i + 1 != len || v > INT32_MAX)
		return -1;
	*dl = (int64_t)v;
	return 0;
}

static void drop_list(struct ilist *l)
{
	free(l->term);
	free(l->rowid);
	free(l->share);
	free(l->order);
	free(l->heap);
	free(l);
}

static void drop_all(struct wsp__search_impact *imp)
{
	size_t i;

	for (i = 0; i < imp->n_lists; i++)
		drop_list(imp->lists[i]);
	imp->n_lists = 0;
	imp->postings = 0;
	free(imp->len_rowid);
	free(imp->len);
	imp->len_rowid = NULL;
	imp->len = NULL;
	imp->n_len = 0;
	imp->have_len = 0;
	imp->rows = 0;
	imp->unusable = 0;
}

void wsp__search_impact_free(struct wsp__search_impact *imp)
{
	if (!imp)
		return;
	drop_all(imp);
	free(imp);
}

/* Drop the least used lists until a query's own (up to the most terms
 * one holds) fit beside the rest within the bounds. */
static void make_room(struct wsp__search_impact *imp)
{
	size_t i, old;

	while (imp->n_lists &&
	       (imp->n_lists > LISTS_MAX - WSP__SEARCH_TERMS_MAX ||
		imp->postings > POSTINGS_MAX)) {
		for (old = 0, i = 1; i < imp->n_lists; i++)
			if (imp->lists[i]->used < imp->lists[old]->used)
				old = i;
		imp->postings -= imp->lists[old]->pub.n;
		drop_list(imp->lists[old]);
		imp->lists[old] = imp->lists[--imp->n_lists];
	}
}

struct wsp__search_impact *wsp__impact_begin(struct wsp__search_db *db)
{
	struct wsp__search_impact **slot = wsp__sdb_impact(db), *imp = *slot;
	uint64_t v[2];

	wsp__sdb_version(db, v);
	if (v[1] == UINT64_MAX)
		return NULL;
	if (!imp) {
		imp = calloc(1, sizeof(*imp));
		if (!imp)
			return NULL;
		*slot = imp;
	} else if (imp->version[0] != v[0] || imp->version[1] != v[1]) {
		drop_all(imp);
	}
	imp->version[0] = v[0];
	imp->version[1] = v[1];
	if (imp->unusable)
		return NULL;
	make_room(imp);
	imp->stamp++;
	return imp;
}

/* Room for twice as many in two arrays that grow together. */
static int grow(int64_t **a, int64_t **b, size_t *cap)
{
	size_t c = *cap ? *cap * 2 : 256;
	int64_t *n = realloc(*a, c * sizeof(*n));

	if (!n)
		return -1;
	*a = n;
	n = realloc(*b, c * sizeof(*n));
	if (!n)
		return -1;
	*b = n;
	*cap = c;
	return 0;
}

/* Every chunk's length, from fts_docsize (rowid order). */
static int read_lengths(struct wsp__search_impact *imp, sqlite3 *h)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int step, rc = 0;

	if (sqlite3_prepare_v2(h, "SELECT id, sz FROM fts_docsize ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		if (imp->n_len == cap &&
		    grow(&imp->len_rowid, &imp->len, &cap)) {
			rc = -1;
			break;
		}
		imp->len_rowid[imp->n_len] = sqlite3_column_int64(st, 0);
		if (sqlite3_column_type(st, 1) != SQLITE_BLOB ||
		    wsp__search_docsize(sqlite3_column_blob(st, 1),
					(size_t)sqlite3_column_bytes(st, 1),
					&imp->len[imp->n_len]))
			rc = -1;
		imp->n_len++;
	}
	if (!rc && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	if (!rc)
		imp->have_len = 1;
	return rc;
}

/* N and the total of tokens, as wsp_bm25 reads them (any chunk holding
 * match gives them). */
static int read_totals(struct wsp__search_impact *imp, sqlite3 *h,
		       const char *match)
{
	sqlite3_stmt *st;
	int64_t tokens;
	int rc = -1;

	if (sqlite3_prepare_v2(h,
			       "SELECT wsp_fts_facts(fts, 0), "
			       "wsp_fts_facts(fts, 1) FROM fts WHERE fts "
			       "MATCH ? LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		imp->rows = sqlite3_column_int64(st, 0);
		tokens = sqlite3_column_int64(st, 1);
		/* as search_bm25.c's stats() */
		imp->avgdl = imp->rows > 0 ? (double)tokens / (double)imp->rows
					   : 1.0;
		rc = imp->rows > 0 ? 0 : -1;
	}
	sqlite3_finalize(st);
	return rc;
}

struct postings {
	int64_t *rowid, *tf;
	size_t n, cap;
};

/* The term's chunks and counts, rowid ascending (match: the term quoted). */
static int read_postings(struct postings *p, sqlite3 *h, const char *match)
{
	sqlite3_stmt *st;
	int step, rc = 0;

	if (sqlite3_prepare_v2(h,
			       "SELECT rowid, wsp_fts_facts(fts, 2) FROM fts "
			       "WHERE fts MATCH ? ORDER BY rowid",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (p->n == p->cap && grow(&p->rowid, &p->tf, &p->cap)) {
			rc = -1;
			break;
		}
		p->rowid[p->n] = sqlite3_column_int64(st, 0);
		p->tf[p->n++] = sqlite3_column_int64(st, 1);
	}
	if (!rc && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}

/* Whether posting a ranks before b: a better share, or the same and a
 * lower rowid (index). */
static int better(const double *share, uint32_t a, uint32_t b)
{
	return share[a] > share[b] || (share[a] == share[b] && a < b);
}

/* Move h[i] down the heap h[0..n) to where it belongs. */
static void sift(const double *share, uint32_t *h, size_t n, size_t i)
{
	uint32_t x = h[i];
	size_t c;

	while ((c = 2 * i + 1) < n) {
		if (c + 1 < n && better(share, h[c + 1], h[c]))
			c++;
		if (!better(share, h[c], x))
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = x;
}

/*
 * The shares of p's postings into l, and a heap of them: the order is
 * taken off it as queries read it (wsp__impact_at), since a query mostly
 * reads the first few; sorting all of them cost a fifth of a build.
 */
static int make_list(struct ilist *l, const struct wsp__search_impact *imp,
		     const struct postings *p)
{
	double idf = wsp__search_idf(imp->rows, (int64_t)p->n);
	size_t i, j = 0;

	if (p->n > UINT32_MAX)
		return -1;
	l->share = malloc((p->n ? p->n : 1) * sizeof(*l->share));
	l->order = malloc((p->n ? p->n : 1) * sizeof(*l->order));
	l->heap = malloc((p->n ? p->n : 1) * sizeof(*l->heap));
	if (!l->share || !l->order || !l->heap)
		return -1;
	for (i = 0; i < p->n; i++) {
		/* both ascending: walk the lengths alongside */
		while (j < imp->n_len && imp->len_rowid[j] < p->rowid[i])
			j++;
		if (j == imp->n_len || imp->len_rowid[j] != p->rowid[i] ||
		    p->tf[i] < 1)
			return -1; /* a chunk without a length: not trusted */
		l->share[i] = wsp__bm25_term(idf, (double)p->tf[i],
					     wsp__bm25_norm(imp->len[j],
							    imp->avgdl));
		l->heap[i] = (uint32_t)i;
	}
	for (i = p->n / 2; i-- > 0;)
		sift(l->share, l->heap, p->n, i);
	l->heap_n = p->n;
	return 0;
}

uint32_t wsp__impact_at(struct wsp__impact_list *pub, size_t pos)
{
	struct ilist *l = (struct ilist *)pub;

	while (l->sorted <= pos && l->heap_n) {
		l->order[l->sorted++] = l->heap[0];
		l->heap[0] = l->heap[--l->heap_n];
		sift(l->share, l->heap, l->heap_n, 0);
	}
	return l->order[pos];
}

struct wsp__impact_list *
wsp__impact_find(struct wsp__search_impact *imp, const char *term)
{
	size_t i;

	for (i = 0; i < imp->n_lists; i++)
		if (!strcmp(imp->lists[i]->term, term)) {
			imp->lists[i]->used = imp->stamp;
			return &imp->lists[i]->pub;
		}
	return NULL;
}

struct wsp__impact_list *
wsp__impact_get(struct wsp__search_impact *imp, struct wsp__search_db *db,
		const char *term)
{
	struct wsp__impact_list *have = wsp__impact_find(imp, term);
	sqlite3 *h = wsp__sdb_handle(db);
	struct postings p = { 0 };
	struct ilist *l;
	char match[WSP__SEARCH_QUERY_MAX + 3];
	int rc;

	if (have)
		return have;
	if (imp->n_lists == LISTS_MAX || strlen(term) > WSP__SEARCH_QUERY_MAX)
		return NULL;
	snprintf(match, sizeof(match), "\"%s\"", term);
	if (!imp->have_len && read_lengths(imp, h)) {
		imp->unusable = 1;
		return NULL;
	}
	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->term = strdup(term);
	rc = !l->term || read_postings(&p, h, match) ? -1 : 0;
	/* N and the average length come with a chunk holding the term (an
	 * absent term needs neither) */
	if (!rc && p.n && !imp->rows)
		rc = read_totals(imp, h, match);
	if (!rc)
		rc = make_list(l, imp, &p);
	l->rowid = p.rowid;
	free(p.tf);
	if (rc) {
		drop_list(l);
		return NULL;
	}
	l->pub.n = p.n;
	l->pub.rowid = l->rowid;
	l->pub.share = l->share;
	l->used = imp->stamp;
	imp->lists[imp->n_lists++] = l;
	imp->postings += p.n;
	return &l->pub;
}

int wsp__impact_share(const struct wsp__impact_list *l, int64_t rowid,
		      double *share)
{
	size_t lo = 0, hi = l->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (l->rowid[mid] < rowid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == l->n || l->rowid[lo] != rowid)
		return 0;
	*share = l->share[lo];
	return 1;
}
