/*
 * toolkit/tool_search.c - the `search` and `index` tools (Mastra's
 * mastra_workspace_search and mastra_workspace_index; issue 20).
 *
 * search answers one block per result, `path:a-b: ` then the lines a..b
 * (the lines of the best chunk that hold a query term), then `---` and
 * "N results (MODE search)", MODE the one that answered (bm25 when vector
 * or hybrid fell back without embeddings, as Mastra says). Mastra prints the
 * whole chunk (up to 4000 characters) after the range; wsp prints the range's
 * lines, at most RESULT_LINES of them, each cut at LINE_CLIP bytes, so five
 * results stay well inside a model's budget and the block is as long as its
 * header says (min(b-a+1, RESULT_LINES) lines), which `wsp search --json`
 * relies on.
 */
#include "search.h"
#include "tool_schemas.h"
#include "tools_impl.h"

#include <string.h>

#define RESULT_LINES 10
#define LINE_CLIP    500
#define TOP_K_MAX    100

/* Lines a..b of a chunk that starts at line first. */
static void add_lines(struct wsp__tbuf *b, const char *text, uint32_t first,
		      uint32_t a, uint32_t last)
{
	const char *p = text, *e;
	uint32_t line = first, shown = 0;
	size_t n;

	if (last - a + 1 > RESULT_LINES)
		last = a + RESULT_LINES - 1;
	while (line < a && (p = strchr(p, '\n')))
		p++, line++;
	for (; p && line <= last; line++) {
		e = strchr(p, '\n');
		n = e ? (size_t)(e - p) : strlen(p);
		if (shown++)
			wsp__tbuf_puts(b, "\n");
		wsp__text_strip_ansi(b, p, n < LINE_CLIP ? n : LINE_CLIP);
		if (n > LINE_CLIP)
			wsp__tbuf_puts(b, "...");
		p = e ? e + 1 : NULL;
	}
	/* a chunk shorter than its range (cut file): keep the count */
	for (; line <= last; line++)
		wsp__tbuf_puts(b, "\n");
}

static int search(struct wsp__tool_ctx *c)
{
	const char *query = wsp__arg_str(c, "query", "");
	enum wsp__search_mode mode, used, *asked = NULL;
	struct wsp__search_hits hits;
	struct wsp__search *s;
	int64_t top_k;
	double min;
	int has_min, m;
	wsp_error err;
	size_t i;

	if (wsp__arg_int(c, "topK", 5, 1, TOP_K_MAX, &top_k))
		return 0;
	min = wsp__arg_num(c, "minScore", 0, &has_min);
	for (m = WSP__SEARCH_BM25; m <= WSP__SEARCH_HYBRID; m++)
		if (!strcmp(wsp__arg_str(c, "mode", ""),
			    wsp__search_mode_name(m)))
			mode = (enum wsp__search_mode)m, asked = &mode;
	if (wsp__search_get(&s, c->ws, &c->call, &err) ||
	    wsp__search_query(&hits, &used, s, &c->call, query, asked,
			      (size_t)top_k, has_min, min, &err))
		return wsp__tool_fail_err(c, &err);
	for (i = 0; i < hits.n; i++) {
		const struct wsp__search_hit *h = &hits.v[i];

		wsp__tool_say(c, "%s:%u-%u: ", h->path, h->line_a, h->line_b);
		add_lines(&c->out, h->text, h->chunk_a, h->line_a, h->line_b);
		wsp__tbuf_puts(&c->out, "\n");
	}
	wsp__tbuf_addf(&c->out, "---\n%zu result%s (%s search)", hits.n,
		       hits.n == 1 ? "" : "s", wsp__search_mode_name(used));
	wsp__search_hits_free(&hits);
	return 0;
}

static int index_content(struct wsp__tool_ctx *c)
{
	const char *path = wsp__arg_str(c, "path", "");
	const char *content = wsp__arg_str(c, "content", "");
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(c->args,
							     "metadata");
	size_t len = strlen(content);
	struct wsp__search *s;
	char *meta_text = NULL;
	wsp_error err;
	int rc;

	if (wsp__search_get(&s, c->ws, &c->call, &err))
		return wsp__tool_fail_err(c, &err);
	if (len > wsp__search_max_text(s))
		return wsp__tool_fail(c,
				      "Error: content is %zu bytes; the "
				      "search index takes at most %zu "
				      "(search.max_file_size)",
				      len, wsp__search_max_text(s));
	if (cJSON_IsObject(meta) && !(meta_text = cJSON_PrintUnformatted(meta)))
		return WSP_ENOMEM;
	rc = wsp__search_put_text(s, path, content, len, meta_text, &err);
	cJSON_free(meta_text);
	if (rc)
		return wsp__tool_fail_err(c, &err);
	wsp__tool_say(c, "Indexed %s", path);
	return 0;
}

const struct wsp__tool_def wsp__tool_search = {
	.name = "search",
	.description = "Search indexed content in the workspace. Supports "
		       "keyword (BM25), semantic (vector), and hybrid search "
		       "modes.",
	/* mode lists the modes this workspace has, as Mastra's does:
	 * tools.c keeps only bm25 without search.embeddings */
	.schema = wsp__schema_search,
	.flags = WSP__TOOL_NEEDS_SEARCH,
	.run = search,
};

const struct wsp__tool_def wsp__tool_index = {
	.name = "index",
	.description = "Index content for search. The path becomes the "
		       "document ID in search results.",
	.schema = wsp__schema_index,
	.flags = WSP__TOOL_NEEDS_SEARCH | WSP_TOOL_WRITES,
	.run = index_content,
};
