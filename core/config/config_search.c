/*
 * core/config/config_search.c - the search: section of wsp.yaml (issue 20).
 *
 *   search:
 *     auto_index_paths: [/docs, /src]  workspace paths or globs (below)
 *     mode: hybrid             bm25, vector or hybrid (default: hybrid
 *                              with embeddings, else bm25, as Mastra)
 *     vector_weight: 0.5       hybrid: the vector score's weight, 0 to 1
 *     embeddings: {url, model, api_key, dimensions, batch_size}
 *                              the endpoint (config_search_embed.c)
 *     max_chunk_chars: 4000    a chunk's budget, as Mastra's maxChunkChars
 *     overlap_lines: 3         lines two neighbouring chunks share
 *     max_file_size: 4MiB      bytes of one file that are indexed
 *     max_files: 200000        files auto-indexed at most
 *     index_path: ./idx.sqlite default: the state directory
 *
 * A glob entry ("src/[star][star]/[star].c" written with real stars) is
 * matched against each file's workspace path; a plain entry is a file or
 * a directory indexed recursively (hidden names and .git skipped).
 *
 * Every value is bounded: the file is untrusted input, and a path list or
 * a chunk size is what decides how much the index reads and stores.
 */
#include "config.h"
#include "path_list.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INDEX_PATH_MAX 4095

static const char *const known[] = {
	"auto_index_paths", "mode",	 "max_chunk_chars", "overlap_lines",
	"max_file_size",    "max_files", "index_path",	    "vector_weight",
	"embeddings",	    NULL};

#define AT(n) (n)->line, (n)->col

void wsp__config_search_free(struct wsp__search_cfg *s)
{
	size_t i;

	for (i = 0; i < s->n_paths; i++)
		free(s->paths[i]);
	free(s->paths);
	free(s->index_path);
	wsp__config_embed_free(&s->embed);
	memset(s, 0, sizeof(*s));
}

static int parse_paths(struct wsp__config *cfg, const struct wsp__ynode *n,
		       struct wsp__diags *d)
{
	return wsp__config_path_list(&cfg->search.paths, &cfg->search.n_paths,
				     cfg, n, "auto_index_paths", "", 0, d);
}

/* An integer or size within [lo, hi]; *out untouched on error. */
static void parse_num(struct wsp__config *cfg, const struct wsp__ynode *key,
		      const struct wsp__ynode *val, uint32_t type, uint64_t lo,
		      uint64_t hi, const char *range, uint64_t *out,
		      struct wsp__diags *d)
{
	struct wsp__optval v = { 0 };
	char why[160];
	uint64_t x;

	if (wsp__optvalue_parse(&v, type, val->value, why, sizeof(why))) {
		wsp__diag_add(d, cfg->file, AT(val), "'%s' of 'search': %s",
			      key->value, why);
		return;
	}
	x = type == WSP_OPT_SIZE ? v.u : v.i < 0 ? UINT64_MAX : (uint64_t)v.i;
	if (x < lo || x > hi) {
		wsp__diag_add(d, cfg->file, AT(val),
			      "'%s' of 'search' is out of range: '%.64s'; use "
			      "%s",
			      key->value, val->value, range);
		return;
	}
	*out = x;
}

const char *wsp__search_mode_name(enum wsp__search_mode m)
{
	return m == WSP__SEARCH_VECTOR	 ? "vector"
	       : m == WSP__SEARCH_HYBRID ? "hybrid"
					 : "bm25";
}

/*
 * vector and hybrid are accepted without embeddings: a query then falls
 * back to bm25, as Mastra's search tool does (search.c logs it).
 */
static void parse_mode(struct wsp__config *cfg, const struct wsp__ynode *val,
		       struct wsp__diags *d)
{
	struct wsp__search_cfg *s = &cfg->search;
	int m;

	for (m = WSP__SEARCH_BM25; m <= WSP__SEARCH_HYBRID; m++)
		if (!strcmp(val->value, wsp__search_mode_name(m))) {
			s->mode = (enum wsp__search_mode)m;
			s->mode_set = 1;
			return;
		}
	wsp__diag_add(d, cfg->file, AT(val),
		      "'mode' of 'search' must be 'bm25', 'vector' or "
		      "'hybrid', not '%.64s'",
		      val->value);
}

/* A number from 0 to 1 (Mastra's vectorWeight). */
static void parse_weight(struct wsp__config *cfg, const struct wsp__ynode *val,
			 struct wsp__diags *d)
{
	char *end;
	double w = strtod(val->value, &end);

	if (end == val->value || *end || !isfinite(w) || w < 0 || w > 1) {
		wsp__diag_add(d, cfg->file, AT(val),
			      "'vector_weight' of 'search' must be a number "
			      "from 0 to 1, not '%.64s'",
			      val->value);
		return;
	}
	cfg->search.vector_weight = w;
}

static int parse_index_path(struct wsp__config *cfg,
			    const struct wsp__ynode *val, struct wsp__diags *d)
{
	if (!val->value[0] || strlen(val->value) > INDEX_PATH_MAX) {
		wsp__diag_add(d, cfg->file, AT(val),
			      "'index_path' of 'search' must be a file path "
			      "of 1 to %d bytes",
			      INDEX_PATH_MAX);
		return 0;
	}
	free(cfg->search.index_path);
	cfg->search.index_path = wsp__config_join(cfg->dir, val->value);
	return cfg->search.index_path ? 0 : WSP_ENOMEM;
}

static int search_key(struct wsp__config *cfg, size_t k,
		      const struct wsp__ynode *key,
		      const struct wsp__ynode *val, struct wsp__diags *d)
{
	struct wsp__search_cfg *s = &cfg->search;
	uint64_t x;

	if (k == 0)
		return s->paths ? 0 : parse_paths(cfg, val, d);
	if (k == 8)
		return wsp__config_embed_parse(cfg, val, d);
	if (val->type != WSP__Y_SCALAR) {
		wsp__diag_add(d, cfg->file, AT(val),
			      "'%s' of 'search' must be a single value, not %s",
			      key->value, wsp__yaml_type_name(val));
		return 0;
	}
	switch (k) {
	case 1:
		parse_mode(cfg, val, d);
		return 0;
	case 2:
		x = s->chunk_chars;
		parse_num(cfg, key, val, WSP_OPT_INT, 100, 1000000,
			  "100 to 1000000", &x, d);
		s->chunk_chars = (uint32_t)x;
		return 0;
	case 3:
		x = s->overlap_lines;
		parse_num(cfg, key, val, WSP_OPT_INT, 0, 1000, "0 to 1000", &x,
			  d);
		s->overlap_lines = (uint32_t)x;
		return 0;
	case 4:
		parse_num(cfg, key, val, WSP_OPT_SIZE, 1024,
			  UINT64_C(256) << 20, "1KiB to 256MiB",
			  &s->max_file_size, d);
		return 0;
	case 5:
		parse_num(cfg, key, val, WSP_OPT_INT, 1, 10000000,
			  "1 to 10000000", &s->max_files, d);
		return 0;
	case 7:
		parse_weight(cfg, val, d);
		return 0;
	default:
		return parse_index_path(cfg, val, d);
	}
}

int wsp__config_search_parse(struct wsp__config *cfg,
			     const struct wsp__ynode *n, struct wsp__diags *d)
{
	struct wsp__search_cfg *s = &cfg->search;
	int rc;

	s->configured = 1;
	s->chunk_chars = 4000; /* Mastra's defaults */
	s->overlap_lines = 3;
	s->max_file_size = UINT64_C(4) << 20;
	s->max_files = 200000;
	s->vector_weight = 0.5;
	rc = wsp__config_section(cfg, n, "'search'", known, search_key, d);
	/* no mode given: the best one there is, as Mastra picks it */
	if (!s->mode_set)
		s->mode = s->embed.url ? WSP__SEARCH_HYBRID : WSP__SEARCH_BM25;
	return rc;
}
