/*
 * core/search_modes.c - a query in one of the three modes (Mastra's
 * SearchEngine.search and its search tool):
 *
 *   bm25    the FTS5 ranking (wsp__search_db_query)
 *   vector  the query's embedding against every chunk's, by cosine
 *   hybrid  both sides asked for min(2 top_k, 50) chunks, fused by
 *           wsp__search_fuse with search.vector_weight
 *
 * Without search.embeddings there are no vectors: vector and hybrid fall
 * back to bm25, as Mastra's tool falls back hybrid -> vector -> bm25 (BM25
 * is always there, so hybrid is possible exactly when vector is), and the
 * caller says which mode answered. With embeddings, chunks indexed since
 * the last fill get their vectors before the query (the endpoint failing
 * there fails the query, with its message).
 */
#include "search.h"
#include "workspace_impl.h"

#include <stdlib.h>
#include <string.h>

/* Mastra: each side of a hybrid query fetches topK * 2, at most 50. */
#define HYBRID_FETCH_MAX 50

void wsp__search_vec_catch_up(struct wsp__search *s, const wsp_call *call)
{
	size_t done;
	wsp_error err;

	if (!s->cfg->embed.url || !s->vec_missing)
		return;
	if (!wsp__svec_fill(s->db, s->ws, call, &s->cfg->embed, &done, &err)) {
		s->vec_missing = 0;
		return;
	}
	/* the index still answers bm25; a vector query tries again */
	wsp__log(&s->ws->sink, WSP_LOG_WARN,
		 "search: vectors for the chunks indexed since the last "
		 "fill are not made yet (%zu made; tried again by the next "
		 "vector or hybrid search): %s",
		 done, err.message);
}

/* Vectors for every chunk, and the query's own (normalised). */
static int query_vector(float **q, uint32_t *dim, struct wsp__search *s,
			const wsp_call *call, const char *query, wsp_error *err)
{
	const struct wsp__embed_cfg *e = &s->cfg->embed;
	size_t done, len = strlen(query);
	int rc;

	if (s->vec_missing) {
		rc = wsp__svec_fill(s->db, s->ws, call, e, &done, err);
		if (rc)
			return rc;
		s->vec_missing = 0;
	}
	rc = wsp__embed(q, dim, s->ws, call, e, &query, &len, 1,
			e->dimensions ? e->dimensions : wsp__svec_dim(s->db),
			err);
	if (!rc)
		wsp__vec_normalize(*q, *dim);
	return rc;
}

/* The lines of each hit that hold a word of the query (as bm25's). */
static int line_ranges(struct wsp__search_hits *h, const char *query,
		       wsp_error *err)
{
	struct wsp__search_terms t;
	size_t i;

	if (wsp__search_terms(&t, query, strlen(query)))
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	for (i = 0; i < h->n; i++)
		wsp__search_line_range(h->v[i].text, strlen(h->v[i].text),
				       h->v[i].chunk_a, &t, &h->v[i].line_a,
				       &h->v[i].line_b);
	wsp__search_terms_free(&t);
	return 0;
}

static int blank(const char *s)
{
	return !s[strspn(s, " \t\r\n\f\v")];
}

/* "hybrid search: <what failed>", keeping the HTTP detail. */
static int in_context(wsp_error *err, int rc, enum wsp__search_mode m)
{
	wsp_error was = *err;

	if (rc == WSP_ENOMEM)
		return rc;
	wsp_error_set(err, rc, "%s search: %s", wsp__search_mode_name(m),
		      was.message);
	err->http_status = was.http_status;
	err->flags = was.flags;
	err->retry_after_ms = was.retry_after_ms;
	memcpy(err->service_code, was.service_code, sizeof(err->service_code));
	return rc;
}

static int semantic(struct wsp__search_hits *out, struct wsp__search *s,
		    const wsp_call *call, const char *query,
		    enum wsp__search_mode m, size_t top_k, int has_min,
		    double min_score, wsp_error *err)
{
	struct wsp__search_hits vec = {0}, bm = {0};
	size_t k = top_k * 2 < HYBRID_FETCH_MAX ? top_k * 2 : HYBRID_FETCH_MAX;
	uint32_t dim;
	float *q;
	int rc;

	out->v = NULL;
	out->n = 0;
	if (blank(query))
		return 0; /* nothing to embed: an endpoint would refuse it */
	rc = query_vector(&q, &dim, s, call, query, err);
	if (rc)
		return in_context(err, rc, m);
	if (m == WSP__SEARCH_VECTOR) {
		rc = wsp__svec_query(out, s->db, q, dim, top_k, has_min,
				     min_score, err);
	} else {
		rc = wsp__svec_query(&vec, s->db, q, dim, k, 0, 0, err);
		if (!rc)
			rc = wsp__search_db_query(&bm, s->db, query, k, 0, 0,
						  err);
		if (!rc &&
		    wsp__search_fuse(out, &vec, &bm, s->cfg->vector_weight,
				     top_k, has_min, min_score))
			rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
		wsp__search_hits_free(&vec);
		wsp__search_hits_free(&bm);
	}
	free(q);
	if (!rc)
		rc = line_ranges(out, query, err);
	if (rc)
		wsp__search_hits_free(out);
	return rc;
}

int wsp__search_query(struct wsp__search_hits *out, enum wsp__search_mode *used,
		      struct wsp__search *s, const wsp_call *call,
		      const char *query, const enum wsp__search_mode *mode,
		      size_t top_k, int has_min, double min_score,
		      wsp_error *err)
{
	enum wsp__search_mode m = mode ? *mode : s->cfg->mode;
	int rc;

	if (!s->cfg->embed.url)
		m = WSP__SEARCH_BM25;
	*used = m;
	pthread_mutex_lock(&s->ws->search_lock);
	if (m == WSP__SEARCH_BM25)
		rc = wsp__search_db_query(out, s->db, query, top_k, has_min,
					  min_score, err);
	else
		rc = semantic(out, s, call, query, m, top_k, has_min, min_score,
			      err);
	pthread_mutex_unlock(&s->ws->search_lock);
	return rc;
}
