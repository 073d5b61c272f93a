/*
 * core/search_fuse.c - hybrid ranking as Mastra's SearchEngine does it
 * (search-engine.ts, #searchHybrid): each side asked for more than top_k
 * (search_modes.c), BM25 scores min-max normalised to 0..1 (all 1 when
 * they are equal), the vector side's cosine taken as it is, each chunk
 * scored weight * cosine + (1 - weight) * bm25 with 0 for the side that
 * did not find it, sorted best first, min_score applied to that combined
 * score, top_k kept. Pure: tests/tools/test_search_units.c checks the
 * numbers.
 */
#include "search.h"

#include <stdlib.h>
#include <string.h>

struct cand {
	struct wsp__search_hit h;
	double vec, bm;
	size_t order; /* vector hits first, then BM25-only ones */
};

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->h.score != y->h.score)
		return x->h.score > y->h.score ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void hit_free(struct wsp__search_hit *h)
{
	free(h->path);
	free(h->text);
}

int wsp__search_fuse(struct wsp__search_hits *out, struct wsp__search_hits *vec,
		     struct wsp__search_hits *bm, double weight, size_t top_k,
		     int has_min, double min_score)
{
	size_t n = 0, i, j, cap = vec->n + bm->n;
	double lo = 0, hi = 0;
	struct cand *c = calloc(cap ? cap : 1, sizeof(*c));
	int rc = 0;

	out->v = NULL;
	out->n = 0;
	if (!c) {
		rc = WSP_ENOMEM;
		goto done;
	}
	for (i = 0; i < bm->n; i++) {
		if (!i || bm->v[i].score < lo)
			lo = bm->v[i].score;
		if (!i || bm->v[i].score > hi)
			hi = bm->v[i].score;
	}
	for (i = 0; i < vec->n; i++, n++) {
		c[n].h = vec->v[i];
		c[n].vec = vec->v[i].score;
		c[n].order = n;
	}
	vec->n = 0;
	for (i = 0; i < bm->n; i++) {
		double norm = hi > lo ? (bm->v[i].score - lo) / (hi - lo) : 1;

		for (j = 0; j < n && c[j].h.chunk != bm->v[i].chunk; j++)
			;
		if (j < n) {
			hit_free(&bm->v[i]); /* the same chunk: one hit */
		} else {
			c[n].h = bm->v[i];
			c[n].order = n;
			n++;
		}
		c[j].bm = norm;
	}
	bm->n = 0;
	for (i = 0; i < n; i++)
		c[i].h.score = weight * c[i].vec + (1 - weight) * c[i].bm;
	if (n)
		qsort(c, n, sizeof(*c), cmp_cand);
	out->v = calloc(top_k ? top_k : 1, sizeof(*out->v));
	if (!out->v)
		rc = WSP_ENOMEM;
	for (i = 0; i < n; i++) {
		if (!rc && out->n < top_k &&
		    (!has_min || c[i].h.score >= min_score))
			out->v[out->n++] = c[i].h;
		else
			hit_free(&c[i].h);
	}
done:
	free(c);
	wsp__search_hits_free(vec);
	wsp__search_hits_free(bm);
	return rc;
}
