/*
 * core/search.h - workspace search over BM25 with SQLite FTS5 (issue 20).
 *
 * search_text.c   pure text work: chunking with line ranges, the FTS5
 *                 query made from free text, the lines a result points at
 * search_db.c     the SQLite index: schema, documents, chunks, queries
 *                 (not thread-safe: search.c serialises its callers)
 * search_rank.c   a query's best chunks without scoring every chunk
 *                 that holds a common word
 * search_impact.c each term's BM25 share in every chunk holding it, best
 *                 first (kept per index version), for search_rank.c
 * search_bm25.c   Mastra's BM25 as an FTS5 ranking function
 * search.c        the workspace's index: opened on first use, built and
 *                 re-checked (mtime/size) from auto_index_paths through the
 *                 file API, kept current by the file API's changes
 * search_embed_parse.c  an embeddings endpoint's answer (untrusted JSON)
 * search_embed.c  requests to the endpoint (the core's HTTP service)
 * search_vec.c    the chunks' vectors beside the index, cosine top k
 * search_fuse.c   hybrid: Mastra's min-max normalised weighted sum
 * search_modes.c  a query in a mode, falling back hybrid, vector, bm25
 * search_libs.c   libsqlite3 and libm, loaded on first use
 * tool_search.c   the `search` and `index` tools
 */
#ifndef WSP_CORE_SEARCH_H
#define WSP_CORE_SEARCH_H

#include "config.h"
#include "internal.h"

#include <stddef.h>
#include <stdint.h>

/* ---- text (search_text.c) ---------------------------------------------- */

/* Longest query accepted, and the most terms one query keeps. */
#define WSP__SEARCH_QUERY_MAX 4096
#define WSP__SEARCH_TERMS_MAX 64

/* One chunk: bytes [off, off+len) of the text, lines line_a..line_b. */
typedef int (*wsp__chunk_fn)(size_t off, size_t len, uint32_t line_a,
			     uint32_t line_b, void *payload);

/*
 * Split text into chunks as Mastra's splitIntoChunks does, counting bytes:
 * the whole text when it fits max_chars; else whole lines gathered until
 * the next would pass max_chars, neighbours sharing overlap lines, and a
 * line longer than max_chars cut into pieces (never inside a UTF-8
 * character). Stops at a nonzero return of cb and returns it.
 */
WSP_INTERNAL int wsp__search_chunk(const char *text, size_t len,
				   size_t max_chars, size_t overlap,
				   wsp__chunk_fn cb, void *payload);

/* The terms of a query, as the index's tokenizer sees them. */
struct wsp__search_terms {
	char *v[WSP__SEARCH_TERMS_MAX]; /* lowercase, distinct */
	size_t n;
};

/*
 * Split q (len bytes) into terms: runs of ASCII letters and digits and of
 * non-ASCII bytes, ASCII lowercased; terms shorter than 2 bytes and
 * Mastra's English stopwords dropped, duplicates too. Returns 0, or
 * WSP_ENOMEM.
 */
WSP_INTERNAL int wsp__search_terms(struct wsp__search_terms *t, const char *q,
				   size_t len);
WSP_INTERNAL void wsp__search_terms_free(struct wsp__search_terms *t);

/*
 * The FTS5 MATCH expression of t: each term a quoted string ("a" OR "b"),
 * so no query text is read as FTS5 syntax. malloc'd; NULL when t is
 * empty or memory ran out.
 */
WSP_INTERNAL char *wsp__search_fts_query(const struct wsp__search_terms *t);

/*
 * The lines of a chunk (text, len, starting at line first) that hold a
 * term of t: *a..*b, first to last. The chunk's own range when none does.
 */
WSP_INTERNAL void wsp__search_line_range(const char *text, size_t len,
					 uint32_t first,
					 const struct wsp__search_terms *t,
					 uint32_t *a, uint32_t *b);

/* ---- the SQLite index (search_db.c) ------------------------------------ */

struct wsp__search_hit {
	int64_t chunk;	 /* the chunk's id (the FTS5 rowid) */
	char *path;	 /* the document (a workspace path, or an index id) */
	uint32_t line_a; /* the lines the terms are on */
	uint32_t line_b;
	uint32_t chunk_a; /* the chunk's first line */
	char *text;	  /* the chunk */
	double score;	  /* BM25, cosine or hybrid; higher is better */
};

struct wsp__search_hits {
	struct wsp__search_hit *v;
	size_t n;
};


struct wsp__search_db;

/*
 * Open (creating) the index file at path. settings is a fingerprint of
 * what shaped the stored chunks (chunk size, paths): when it differs from
 * the stored one every document is dropped, to be indexed again.
 */
WSP_INTERNAL int wsp__sdb_open(struct wsp__search_db **out, const char *path,
			       const char *settings, wsp_error *err);
WSP_INTERNAL void wsp__sdb_close(struct wsp__search_db *db);
WSP_INTERNAL int wsp__sdb_begin(struct wsp__search_db *db, wsp_error *err);
WSP_INTERNAL int wsp__sdb_commit(struct wsp__search_db *db, wsp_error *err);

/* A stored document: manual ones came from the `index` tool. */
struct wsp__sdoc {
	char *path;
	int64_t size, mtime_ns;
	int manual;
};

/* Every document, sorted by path (free with wsp__sdb_docs_free). */
WSP_INTERNAL int wsp__sdb_docs(struct wsp__sdoc **out, size_t *n,
			       struct wsp__search_db *db, wsp_error *err);
WSP_INTERNAL void wsp__sdb_docs_free(struct wsp__sdoc *v, size_t n);

/*
 * Replace document path by text (NULL: a file that is not indexed, e.g.
 * binary, remembered so it is not read again until it changes).
 */
WSP_INTERNAL int wsp__sdb_put(struct wsp__search_db *db, const char *path,
			      int64_t size, int64_t mtime_ns, int manual,
			      const char *meta, const char *text, size_t len,
			      size_t chunk_chars, size_t overlap,
			      wsp_error *err);
/* Drop path, and with tree everything below path + "/". */
WSP_INTERNAL int wsp__sdb_del(struct wsp__search_db *db, const char *path,
			      int tree, wsp_error *err);
WSP_INTERNAL int wsp__sdb_query(struct wsp__search_hits *out,
				struct wsp__search_db *db, const char *match,
				size_t top_k, int has_min, double min_score,
				wsp_error *err);
/* Add chunk rowid (its text body) to out, which has room for it. */
WSP_INTERNAL int wsp__sdb_hit(struct wsp__search_hits *out,
			      struct wsp__search_db *db, int64_t rowid,
			      const char *body, int blen, double score);
struct sqlite3;
WSP_INTERNAL struct sqlite3 *wsp__sdb_handle(struct wsp__search_db *db);
/*
 * What the index holds, as two numbers that change whenever it changes:
 * this handle's puts and deletes, and SQLite's data_version (other
 * connections' commits; UINT64_MAX when it cannot be read).
 */
WSP_INTERNAL void wsp__sdb_version(struct wsp__search_db *db, uint64_t v[2]);
/* Where the handle keeps search_impact.c's lists (freed on close). */
struct wsp__search_impact;
WSP_INTERNAL struct wsp__search_impact **
wsp__sdb_impact(struct wsp__search_db *db);

/*
 * search_bm25.c: Mastra's BM25 (k1 1.5, b 0.75, idf below) as the FTS5
 * ranking function wsp_bm25(fts), registered on a connection.
 */
#define WSP__SEARCH_K1 1.5
WSP_INTERNAL double wsp__search_idf(int64_t rows, int64_t hits);

/*
 * search_libs.c: SQLite and libm are loaded on search's first use, not
 * at start. Why they could not be (NULL when they are there); and the
 * two maths functions search needs, NAN when libm is not there.
 */
WSP_INTERNAL const char *wsp__search_libs_error(void);
WSP_INTERNAL double wsp__search_log(double x);
WSP_INTERNAL double wsp__search_sqrt(double x);
WSP_INTERNAL int wsp__search_bm25_register(struct sqlite3 *h);
/*
 * The pieces of wsp_bm25's sum, shared with search_impact.c so that both
 * compute a score with the same operations (and so the same double): the
 * length norm k1 * (1 - b + b * dl / avgdl) of a chunk of dl tokens, and
 * one term's share idf * tf * (k1 + 1) / (tf + norm).
 */
WSP_INTERNAL double wsp__bm25_norm(int64_t dl, double avgdl);
WSP_INTERNAL double wsp__bm25_term(double idf, double tf, double norm);

/*
 * search_impact.c: one term's share of the BM25 score (as wsp_bm25 adds
 * it) in each chunk holding it. rowid ascending, share[i] the share in
 * chunk rowid[i].
 */
struct wsp__impact_list {
	size_t n;
	const int64_t *rowid;
	const double *share;
};

/*
 * The lists of db for the index as it is now (those of an older version
 * dropped, the least used dropped past a memory bound): NULL when they
 * cannot be had (out of memory, chunk lengths unreadable). Valid until
 * the next call of wsp__impact_begin or the handle's close.
 */
WSP_INTERNAL struct wsp__search_impact *
wsp__impact_begin(struct wsp__search_db *db);
/*
 * term's list (term: [a-z0-9_]{2,}, the index's own form of it), built
 * on its first use in this version of the index; NULL on failure.
 */
WSP_INTERNAL struct wsp__impact_list *
wsp__impact_get(struct wsp__search_impact *imp, struct wsp__search_db *db,
		const char *term);
/* term's list when it was built in this version, else NULL. */
WSP_INTERNAL struct wsp__impact_list *
wsp__impact_find(struct wsp__search_impact *imp, const char *term);
/*
 * The index (into rowid and share) of the pos-th best share of l, pos <
 * l->n: best first, equal shares lower rowid first. The order is made as
 * far as it is asked for.
 */
WSP_INTERNAL uint32_t wsp__impact_at(struct wsp__impact_list *l, size_t pos);
/* term's share in chunk rowid: 1 and *share, or 0 when it does not hold it. */
WSP_INTERNAL int wsp__impact_share(const struct wsp__impact_list *l,
				   int64_t rowid, double *share);
WSP_INTERNAL void wsp__search_impact_free(struct wsp__search_impact *imp);
/*
 * A chunk's length in tokens from its row of FTS5's fts_docsize table
 * (data of the index file: untrusted): sz, len bytes, one SQLite varint
 * per column, here one column. 0 and *dl, or -1 when sz is not exactly
 * one varint of at most INT32_MAX.
 */
WSP_INTERNAL int wsp__search_docsize(const unsigned char *sz, size_t len,
				     int64_t *dl);

/*
 * search_rank.c: the top_k chunks for the terms t, ranked as
 * wsp__sdb_query ranks their FTS5 expression, but without scoring every
 * chunk that holds a common word when the rare words decide the answer.
 */
WSP_INTERNAL int wsp__sdb_rank(struct wsp__search_hits *out,
			       struct wsp__search_db *db,
			       const struct wsp__search_terms *t, size_t top_k,
			       int has_min, double min_score, wsp_error *err);
/*
 * Its fast part: 1 and the answer in out when a term is common and every
 * term plain [a-z0-9_] (the answer then comes from search_impact.c's
 * lists), 0 when the full ranking must answer, or a negative WSP_E* code.
 */
WSP_INTERNAL int wsp__sdb_rank_lists(struct wsp__search_hits *out,
				     struct wsp__search_db *db,
				     const struct wsp__search_terms *t,
				     size_t top_k, int has_min,
				     double min_score, wsp_error *err);

/* ---- vectors ------------------------------------------------------------ */

/* The most dimensions and inputs of one answer, and its most bytes: an
 * answer is read whole (bounded) and parsed with cJSON. */
#define WSP__EMBED_DIM_MAX   8192
#define WSP__EMBED_BATCH_MAX 256
#define WSP__EMBED_BODY_MAX  ((size_t)32 << 20)

/*
 * search_embed_parse.c: an answer of an OpenAI-compatible endpoint to n
 * inputs, {"data":[{"embedding":[numbers],"index":i},...],...}: exactly n
 * entries, each index (or, without one, the position) once in [0, n), every
 * number finite and within float range, every vector of the same size, 1 to
 * WSP__EMBED_DIM_MAX, equal to want when want is nonzero. *out is n * *dim
 * floats in input order (malloc'd). Returns 0, or WSP_EPROTO with why (no
 * text of the answer's values), or WSP_ENOMEM.
 */
WSP_INTERNAL int wsp__embed_parse(float **out, uint32_t *dim, const char *body,
				  size_t len, size_t n, uint32_t want,
				  char *why, size_t why_cap);

/*
 * search_embed.c: vectors of texts[0..n) (lens[i] bytes each; n at most
 * the batch size) from the endpoint of cfg, through the core's HTTP
 * service as ws's core: as wsp__embed_parse gives them.
 */
WSP_INTERNAL int wsp__embed(float **out, uint32_t *dim, wsp_workspace *ws,
			    const wsp_call *call,
			    const struct wsp__embed_cfg *cfg,
			    const char *const *texts, const size_t *lens,
			    size_t n, uint32_t want, wsp_error *err);

/* Scale v to length 1 (a zero vector stays zero). */
WSP_INTERNAL void wsp__vec_normalize(float *v, uint32_t dim);

/*
 * search_vec.c, on an index's handle. svec_check: the vectors were made by
 * the endpoint and model of fingerprint, else they are dropped. dim: the
 * size of the stored vectors (0 when none yet). fill: vectors for every
 * chunk without one, batch by batch. query: the top_k chunks by cosine
 * similarity to q (normalised, dim), at least min_score when has_min.
 */
WSP_INTERNAL int wsp__svec_check(struct wsp__search_db *db,
				 const char *fingerprint, wsp_error *err);
WSP_INTERNAL uint32_t wsp__svec_dim(struct wsp__search_db *db);
WSP_INTERNAL int wsp__svec_fill(struct wsp__search_db *db, wsp_workspace *ws,
				const wsp_call *call,
				const struct wsp__embed_cfg *cfg, size_t *done,
				wsp_error *err);
WSP_INTERNAL int wsp__svec_query(struct wsp__search_hits *out,
				 struct wsp__search_db *db, const float *q,
				 uint32_t dim, size_t top_k, int has_min,
				 double min_score, wsp_error *err);

/*
 * search_fuse.c: Mastra's hybrid ranking of the vector hits vec and the
 * BM25 hits bm (both consumed): BM25 scores min-max normalised to 0..1
 * (all 1 when they are equal), each chunk scored weight * cosine + (1 -
 * weight) * normalised BM25 (0 for a side that did not find it), best
 * first (ties in the order vector hits, then BM25-only hits), those under
 * min_score dropped when has_min, top_k kept.
 */
WSP_INTERNAL int wsp__search_fuse(struct wsp__search_hits *out,
				  struct wsp__search_hits *vec,
				  struct wsp__search_hits *bm, double weight,
				  size_t top_k, int has_min, double min_score);

/* ---- the workspace's index (search.c) ----------------------------------- */

struct wsp__search {
	wsp_workspace *ws;
	const struct wsp__search_cfg *cfg;
	struct wsp__search_db *db;
	size_t unreadable; /* files the last re-check could not read */
	int vec_missing;   /* chunks may lack vectors (indexed since a fill) */
};

WSP_INTERNAL void wsp__search_hits_free(struct wsp__search_hits *h);

/*
 * The workspace's index, opened (and built or re-checked against the
 * files) on the first call in this process. WSP_ENOTSUP without a
 * search: section.
 */
WSP_INTERNAL int wsp__search_get(struct wsp__search **out, wsp_workspace *ws,
				 const wsp_call *call, wsp_error *err);

/*
 * The top_k best chunks of db for free-text query (score >= min_score when
 * has_min), with the lines the query's words are on: what the search and
 * skill_search tools answer. The caller serialises db's use.
 */
WSP_INTERNAL int wsp__search_db_query(struct wsp__search_hits *out,
				      struct wsp__search_db *db,
				      const char *query, size_t top_k,
				      int has_min, double min_score,
				      wsp_error *err);

/*
 * The top_k best chunks for query (score >= min_score when has_min) in
 * mode (the configured one when NULL), or in the mode it falls back to
 * without embeddings (search_modes.c): *used says which answered.
 */
WSP_INTERNAL int
wsp__search_query(struct wsp__search_hits *out, enum wsp__search_mode *used,
		  struct wsp__search *s, const wsp_call *call,
		  const char *query, const enum wsp__search_mode *mode,
		  size_t top_k, int has_min, double min_score, wsp_error *err);

/*
 * Vectors for the chunks indexed since the last fill (search.c's changes
 * call it; the caller holds the search lock). A failure is logged as a
 * warning and leaves them for the next vector query, which fills first.
 */
WSP_INTERNAL void wsp__search_vec_catch_up(struct wsp__search *s,
					   const wsp_call *call);

/* The most bytes of text one document may have (max_file_size). */
WSP_INTERNAL size_t wsp__search_max_text(const struct wsp__search *s);

/* Index content under id (the `index` tool); metadata JSON or NULL. */
WSP_INTERNAL int wsp__search_put_text(struct wsp__search *s, const char *id,
				      const char *content, size_t len,
				      const char *metadata, wsp_error *err);

/* What the file API changed, for an index open in this process. */
enum wsp__search_change {
	WSP__SEARCH_WRITTEN, /* path is a new or changed file (or tree) */
	WSP__SEARCH_REMOVED, /* path and anything below it is gone */
};

/*
 * Called by core/files*.c after a change succeeded: a no-op unless this
 * process opened the index (a later open re-checks what it missed).
 */
WSP_INTERNAL void wsp__search_note(wsp_workspace *ws,
				   enum wsp__search_change what,
				   const char *path);

/*
 * Files may have changed behind the file API (a command ran): the next
 * wsp__search_get re-checks every file's size and mtime, as an open does.
 */
WSP_INTERNAL void wsp__search_stale(wsp_workspace *ws);

/* Close the workspace's index (wsp_workspace_close). */
WSP_INTERNAL void wsp__search_close(wsp_workspace *ws);

#endif /* WSP_CORE_SEARCH_H */
