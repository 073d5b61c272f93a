/*
 * cli/cmd_search.c - `wsp search QUERY`: the workspace's search (BM25,
 * vector or hybrid; issue 20) from the command line.
 *
 * The CLI is a client of the public API only, so it runs the `search`
 * tool (under whatever name tools: gives it) and prints its text; --json
 * reads that text back into results. Each result block is
 * "PATH:A-B: " then min(B-A+1, 10) lines (toolkit/tool_search.c), so a block
 * is found by its header and its length, whatever the lines hold.
 */
#include "cli.h"

#include <wsp/tools.h>

#include <cjson/cJSON.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RESULT_LINES 10 /* toolkit/tool_search.c */

enum { Q_MIN_SCORE = CLI_LONG, Q_MODE };

static const struct cli_opt search_opts[] = {
	{'k', "top-k", "N", "results at most (1 to 100, default 5)"},
	{Q_MIN_SCORE, "min-score", "X",
	 "only results scoring at least X (bm25: BM25, higher is\n"
	 "better; vector: cosine; hybrid: the weighted 0-1 score)"},
	{Q_MODE, "mode", "M", "bm25, vector or hybrid (default: search.mode)"},
	{CLI_G_JSON, "json", NULL,
	 "{\"results\": [{\"path\", \"start\", \"end\", \"lines\"}], "
	 "\"mode\"}"},
	{0, NULL, NULL, NULL},
};

static const struct cli_cmd search_cmd = {
	"search",
	"usage: wsp search [--json] [-k N] [--min-score X] [--mode M] "
	"QUERY...\n\n"
	"Search the workspace's index and print the best chunks as "
	"PATH:FIRST-LAST:\nand the lines that hold the query's words. "
	"bm25 ranks by the words (OR'ed;\nEnglish stopwords and "
	"one-letter words ignored, SQLite FTS5); vector by the\n"
	"cosine of embeddings from search.embeddings; hybrid by both "
	"(the default\nwith embeddings). Without search.embeddings, "
	"vector and hybrid fall back to\nbm25; the last line says "
	"which mode answered. The index covers\n"
	"search.auto_index_paths of the configuration; the first search "
	"in a process\nbuilds it or re-checks every file's size and "
	"mtime (docs/search.md). Without\na search: section, or with "
	"the search tool disabled in tools:, there is\nnothing to "
	"search. A query word starting with '-' goes after '--'.\n",
	search_opts, NULL, 0, NULL};

/* The exposed name of the built-in search tool, or NULL. */
static const char *search_tool(wsp_tools *tools)
{
	wsp_tool_info info;
	size_t i;

	for (i = 0; i < wsp_tools_count(tools); i++) {
		info.struct_size = sizeof(info);
		if (!wsp_tools_get(&info, tools, i) &&
		    !strcmp(info.tool, "search"))
			return info.name;
	}
	return NULL;
}

/* "PATH:A-B: first line": the header's parts, or 0 if not one. */
static int header(const char *line, size_t *path_len, long *a, long *b,
		  const char **rest)
{
	const char *p = strstr(line, ": "), *q;
	char *end;

	for (; p; p = strstr(p + 1, ": ")) {
		/* back from ": " over "A-B" to the ':' after PATH */
		q = p;
		while (q > line && (q[-1] == '-' || (q[-1] >= '0' &&
						     q[-1] <= '9')))
			q--;
		if (q == line || q[-1] != ':' || q == p)
			continue;
		errno = 0;
		*a = strtol(q, &end, 10);
		if (*end != '-' || errno)
			continue;
		*b = strtol(end + 1, &end, 10);
		if (end != p || errno || *b < *a || *a < 1)
			continue;
		*path_len = (size_t)(q - 1 - line);
		*rest = p + 2;
		return 1;
	}
	return 0;
}

/* The mode in the tool's last line, "N results (MODE search)". */
static void answered_mode(char *out, size_t cap, const char *text)
{
	const char *p = strrchr(text, '(');
	size_t n = p ? strcspn(p + 1, " )") : 0;

	snprintf(out, cap, "%.*s", (int)n, p ? p + 1 : "");
}

/* The tool's text as {"results": [...], "mode": "bm25"}. */
static int print_json(char *text)
{
	cJSON *root = cJSON_CreateObject(), *arr = cJSON_CreateArray(), *o,
	      *lines;
	char *line = text, *nl, *out, *path;
	const char *rest;
	size_t plen;
	long a, b, k, n;
	char mode[16];

	answered_mode(mode, sizeof(mode), text);
	if (!root || !arr)
		return -1;
	cJSON_AddItemToObject(root, "results", arr);
	while (line && *line && strncmp(line, "---\n", 4)) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (!header(line, &plen, &a, &b, &rest))
			break;
		o = cJSON_CreateObject();
		path = strndup(line, plen);
		lines = cJSON_CreateArray();
		if (!o || !path || !lines) {
			free(path);
			cJSON_Delete(o);
			cJSON_Delete(lines);
			cJSON_Delete(root);
			return -1;
		}
		cJSON_AddItemToArray(arr, o);
		cJSON_AddStringToObject(o, "path", path);
		free(path);
		cJSON_AddNumberToObject(o, "start", (double)a);
		cJSON_AddNumberToObject(o, "end", (double)b);
		cJSON_AddItemToObject(o, "lines", lines);
		cJSON_AddItemToArray(lines, cJSON_CreateString(rest));
		n = b - a + 1 < RESULT_LINES ? b - a + 1 : RESULT_LINES;
		line = nl ? nl + 1 : NULL;
		for (k = 1; k < n && line; k++) {
			nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			cJSON_AddItemToArray(lines, cJSON_CreateString(line));
			line = nl ? nl + 1 : NULL;
		}
	}
	cJSON_AddStringToObject(root, "mode", mode);
	out = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!out)
		return -1;
	puts(out);
	cJSON_free(out);
	return 0;
}

/* The tool's arguments: {"query": ..., "topK": k, "minScore": x}. */
static char *make_args(int argc, char **argv, long top_k,
		       const char *min_score, const char *mode)
{
	cJSON *o = cJSON_CreateObject();
	size_t len = 0;
	char *q, *out;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	q = calloc(1, len + 1);
	if (!o || !q) {
		cJSON_Delete(o);
		free(q);
		return NULL;
	}
	for (i = 0; i < argc; i++) {
		if (i > 0)
			strcat(q, " ");
		strcat(q, argv[i]);
	}
	cJSON_AddStringToObject(o, "query", q);
	free(q);
	cJSON_AddNumberToObject(o, "topK", (double)top_k);
	if (min_score)
		cJSON_AddNumberToObject(o, "minScore", strtod(min_score, NULL));
	if (mode)
		cJSON_AddStringToObject(o, "mode", mode);
	out = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return out;
}

int cmd_search(struct wsp_cli *cli, int argc, char **argv)
{
	wsp_tools_opts topts = WSP_TOOLS_OPTS_INIT;
	wsp_tool_result res = { .struct_size = sizeof(res) };
	const char *min_score = NULL, *mode = NULL, *name;
	struct cli_parse p;
	int k, rc;
	wsp_workspace *ws;
	wsp_tools *tools;
	wsp_error err;
	long top_k = 5;
	char *args, *end;

	cli_parse_begin(&p, cli, &search_cmd, argc, argv);
	while ((k = cli_parse_next(&p)) > 0) {
		const char *v = p.value;

		if (k == 'k') {
			top_k = strtol(v, &end, 10);
			if (*end || !*v || top_k < 1 || top_k > 100)
				return cli_usage("search",
						 "-k wants a number from 1 to "
						 "100, not '%s'",
						 v);
		} else if (k == Q_MIN_SCORE) {
			min_score = v;
			strtod(min_score, &end);
			if (*end || !*min_score)
				return cli_usage("search",
						 "--min-score wants a number, "
						 "not '%s'",
						 min_score);
		} else if (k == Q_MODE) {
			mode = v;
			if (strcmp(mode, "bm25") && strcmp(mode, "vector") &&
			    strcmp(mode, "hybrid"))
				return cli_usage("search",
						 "--mode wants bm25, vector or "
						 "hybrid, not '%s'",
						 mode);
		}
	}
	if (k != CLI_END)
		return cli_parse_exit(k);
	if (!p.n_operands)
		return cli_usage("search", "what to search for? wsp search "
					   "QUERY");
	if (cli_workspace(&ws, cli))
		return WSP_EXIT_FAIL;
	if (wsp_tools_open(&tools, ws, &topts, &err) < 0) {
		cli_fail_error(&err);
		return WSP_EXIT_FAIL;
	}
	name = search_tool(tools);
	if (!name) {
		wsp_tools_close(tools);
		return cli_fail("ENOTSUP", "not supported",
				"the workspace has no search: add a 'search:' "
				"section to the configuration (and do not "
				"disable the search tool in tools:); see "
				"docs/search.md");
	}
	args = make_args(p.n_operands, p.operands, top_k, min_score, mode);
	if (!args) {
		wsp_tools_close(tools);
		return cli_fail("ENOMEM", "out of memory", "out of memory");
	}
	rc = wsp_tool_call(&res, tools, name, args, NULL, &err);
	free(args);
	if (rc < 0) {
		cli_fail_error(&err);
		rc = WSP_EXIT_FAIL;
	} else if (res.is_error) {
		fprintf(stderr, "wsp: %s\n", res.text);
		rc = WSP_EXIT_FAIL;
	} else if (cli->json) {
		rc = print_json(res.text) ? WSP_EXIT_FAIL : WSP_EXIT_OK;
	} else {
		puts(res.text);
		rc = WSP_EXIT_OK;
	}
	wsp_tool_result_release(&res);
	wsp_tools_close(tools);
	return rc;
}
