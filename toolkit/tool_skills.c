/*
 * toolkit/tool_skills.c - the `skill`, `skill_search` and `skill_read` tools
 * (Mastra's skill tools, with its schemas, descriptions and answers).
 *
 * skill        a skill's instructions (the SKILL.md body), then the files
 *              of its references/, scripts/ and assets/ directories
 * skill_search BM25 over the skills' SKILL.md bodies and references/
 *              files: one block per file, best first
 * skill_read   a file of a skill's directory, by path relative to it,
 *              optionally lines startLine..endLine
 *
 * A skill is named by its name or, when several share one, by its path
 * (with or without "/SKILL.md"), as Mastra resolves it. "not found" and
 * "several named" are answers, as Mastra's; a path that leaves the skill's
 * directory and a failing read are errors.
 */
#include "skills.h"
#include "tool_schemas.h"
#include "tools_impl.h"
#include "utf8seq.h"

#include <stdlib.h>
#include <string.h>

#define TOP_K_MAX     100
#define QUERY_K	      10000 /* chunks ranked before filtering by skill */
#define PREVIEW	      200   /* Mastra's preview, in bytes here */
#define BINARY_PREFIX 1000  /* Mastra looks for a NUL in this many */

/* Mastra's answer when id names no skill, or several. NULL: one did. */
static const struct wsp__skill *resolve(struct wsp__tool_ctx *c,
					const struct wsp__skills *s,
					const char *id)
{
	const struct wsp__skill *k;
	size_t i, n, shown = 0;

	k = wsp__skills_find(s, id, &n);
	if (k)
		return k;
	if (n > 1) {
		wsp__tool_say(c,
			      "Multiple skills named \"%s\" found. Please call "
			      "again with the specific path:",
			      id);
		for (i = 0; i < s->n; i++)
			if (!strcmp(s->v[i].name, id)) {
				wsp__tbuf_puts(&c->out, "\n");
				wsp__tool_say(c, "  - \"%s\" (%s)",
					      s->v[i].path, s->v[i].name);
			}
		return NULL;
	}
	wsp__tool_say(c, "Skill \"%s\" not found. Available skills: ", id);
	for (i = 0; i < s->n; i++)
		wsp__tbuf_addf(&c->out, "%s%s", shown++ ? ", " : "",
			       s->v[i].name);
	return NULL;
}

/* The files below dir/ of skill k, as "- dir/x" lines under a heading
 * (file names with control characters escaped, as every quoted name). */
static void list_files(struct wsp__tool_ctx *c, const struct wsp__skill *k,
		       const char *dir, const char *heading)
{
	size_t i, n = strlen(dir), shown = 0;

	for (i = 0; i < k->n_files; i++) {
		if (strncmp(k->files[i], dir, n) || k->files[i][n] != '/')
			continue;
		if (!shown++)
			wsp__tbuf_addf(&c->out, "\n\n## %s", heading);
		wsp__tbuf_puts(&c->out, "\n");
		wsp__tool_say(c, "- %s", k->files[i]);
	}
}

static int skill(struct wsp__tool_ctx *c)
{
	const struct wsp__skill *k;
	struct wsp__skills *s;
	wsp_error err;

	if (wsp__skills_get(&s, c->ws, &c->call, &err))
		return wsp__tool_fail_err(c, &err);
	k = resolve(c, s, wsp__arg_str(c, "name", ""));
	if (k) {
		wsp__tbuf_puts(&c->out, k->instructions);
		list_files(c, k, "references", "References");
		list_files(c, k, "scripts", "Scripts");
		list_files(c, k, "assets", "Assets");
	}
	wsp__skills_release(c->ws);
	return 0;
}

/* Whether skill k is one of skillNames (absent: all are). */
static int named(const cJSON *names, const struct wsp__skill *k)
{
	const cJSON *n;

	if (!cJSON_IsArray(names))
		return 1;
	cJSON_ArrayForEach(n, names)
		if (cJSON_IsString(n) && !strcmp(n->valuestring, k->name))
			return 1;
	return 0;
}

/* Lines a.. of a chunk (starting at line first), PREVIEW bytes at most,
 * cut on a UTF-8 boundary; "..." when the chunk goes on. */
static void preview(struct wsp__tbuf *b, const struct wsp__search_hit *h)
{
	const char *p = h->text;
	uint32_t line = h->chunk_a;
	size_t n;

	while (line < h->line_a && (p = strchr(p, '\n')))
		p++, line++;
	if (!p)
		return;
	n = strlen(p);
	if (n <= PREVIEW) {
		wsp__text_strip_ansi(b, p, n);
		return;
	}
	n = PREVIEW;
	while (n && utf8_is_cont((unsigned char)p[n]))
		n--;
	wsp__text_strip_ansi(b, p, n);
	wsp__tbuf_puts(b, "...");
}

/* Whether a hit on the same document came before (one block a file). */
static int seen(const struct wsp__search_hits *hits, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (!strcmp(hits->v[j].path, hits->v[i].path))
			return 1;
	return 0;
}

static int skill_search(struct wsp__tool_ctx *c)
{
	const cJSON *names = cJSON_GetObjectItemCaseSensitive(c->args,
							      "skillNames");
	struct wsp__search_hits hits;
	const struct wsp__skill *k;
	struct wsp__skills *s;
	const char *source;
	size_t i, shown = 0;
	int64_t top_k;
	wsp_error err;

	if (wsp__arg_int(c, "topK", 5, 1, TOP_K_MAX, &top_k))
		return 0;
	if (wsp__skills_get(&s, c->ws, &c->call, &err))
		return wsp__tool_fail_err(c, &err);
	if (wsp__search_db_query(&hits, s->db, wsp__arg_str(c, "query", ""),
				 QUERY_K, 0, 0, &err)) {
		wsp__skills_release(c->ws);
		return wsp__tool_fail_err(c, &err);
	}
	for (i = 0; i < hits.n && shown < (size_t)top_k; i++) {
		const struct wsp__search_hit *h = &hits.v[i];

		k = wsp__skills_owner(s, h->path, &source);
		if (!k || !named(names, k) || seen(&hits, i))
			continue;
		/* Mastra's block; a reference's hit names its file, so its
		 * lines can be read with skill_read */
		wsp__tbuf_puts(&c->out, shown++ ? "\n\n" : "");
		wsp__tool_say(c, "[%s]", k->path);
		if (strcmp(source, "SKILL.md"))
			wsp__tool_say(c, " %s", source);
		wsp__tbuf_addf(&c->out, " (lines %u-%u) (score: %.2f)\n",
			       h->line_a, h->line_b, h->score);
		preview(&c->out, h);
	}
	if (!shown)
		wsp__tbuf_puts(&c->out, "No results found.");
	wsp__search_hits_free(&hits);
	wsp__skills_release(c->ws);
	return 0;
}

/*
 * path relative to a skill's directory, normalised as Mastra's
 * assertRelativePath: backslashes are slashes, empty and "." parts go;
 * absolute paths and ".." are refused (-1).
 */
static int relative_path(char *out, size_t cap, const char *path)
{
	const char *p = path, *e;
	size_t n, len = 0;

	if (*p == '/' || *p == '\\')
		return -1;
	while (*p) {
		for (e = p; *e && *e != '/' && *e != '\\'; e++)
			;
		n = (size_t)(e - p);
		if (n == 2 && !memcmp(p, "..", 2))
			return -1;
		if (n && !(n == 1 && *p == '.')) {
			if (len + n + 2 > cap)
				return -1;
			if (len)
				out[len++] = '/';
			memcpy(out + len, p, n);
			len += n;
		}
		p = *e ? e + 1 : e;
	}
	if (!len)
		return -1;
	out[len] = '\0';
	return 0;
}

/* Mastra's "not found" answer, with the skill's files. */
static void not_found(struct wsp__tool_ctx *c, const struct wsp__skill *k,
		      const char *path, const char *name)
{
	static const char *const dirs[] = { "references/", "scripts/",
					    "assets/" };
	size_t i, d, shown = 0;

	wsp__tool_say(c, "File \"%s\" not found in skill \"%s\".", path, name);
	for (d = 0; d < 3; d++)
		for (i = 0; i < k->n_files; i++) {
			if (strncmp(k->files[i], dirs[d], strlen(dirs[d])))
				continue;
			wsp__tbuf_puts(&c->out,
				       shown++ ? ", " : "\nAvailable files: ");
			wsp__tool_say(c, "%s", k->files[i]);
		}
}

/* Mastra's extractLines: lines start..end (1-based, inclusive). */
static void add_lines(struct wsp__tbuf *b, const char *text, size_t len,
		      int64_t start, int64_t end)
{
	const char *p = text, *stop = text + len, *nl;
	int64_t line = 1;
	int first = 1;

	if (start < 1)
		start = 1;
	for (; line <= end; line++) {
		nl = memchr(p, '\n', (size_t)(stop - p));
		if (line >= start) {
			if (!first)
				wsp__tbuf_add(b, "\n", 1);
			first = 0;
			wsp__tbuf_add(b, p, nl ? (size_t)(nl - p)
					       : (size_t)(stop - p));
		}
		if (!nl)
			break;
		p = nl + 1;
	}
}

static int read_skill_file(struct wsp__tool_ctx *c, const struct wsp__skill *k,
			   const char *path, const char *name)
{
	char rel[WSP_FILES_PATH_MAX + 2], full[WSP_FILES_PATH_MAX + 2];
	wsp_fs_read_opts ro = { .struct_size = sizeof(ro) };
	wsp_fs_stat st = { .struct_size = sizeof(st) };
	struct wsp__tbuf t = { 0 };
	int64_t start, end;
	wsp_error err;
	int rc;

	if (relative_path(rel, sizeof(rel), path) ||
	    wsp__path_join(full, sizeof(full), k->path, rel))
		return wsp__tool_fail(c, "Error: Invalid reference path: %s",
				      path);
	if (wsp__arg_int(c, "startLine", 1, INT64_MIN, INT64_MAX, &start) ||
	    wsp__arg_int(c, "endLine", INT64_MAX, INT64_MIN, INT64_MAX, &end))
		return 0;
	ro.length = WSP__SKILL_FILE_MAX + 1; /* one more: was it cut? */
	wsp__tbuf_add(&t, "", 0);
	rc = wsp_files_read(c->ws, &c->call, full, &ro, wsp__tbuf_sink, &t,
			    &err);
	if (t.oom) {
		wsp__tbuf_free(&t);
		return WSP_ENOMEM;
	}
	if (rc == WSP_ENOTFOUND || rc == WSP_EISDIR) {
		wsp__tbuf_free(&t);
		not_found(c, k, path, name);
		return 0;
	}
	if (rc) {
		wsp__tbuf_free(&t);
		return wsp__tool_fail_err(c, &err);
	}
	if (memchr(t.p, '\0', t.len < BINARY_PREFIX ? t.len : BINARY_PREFIX)) {
		if (wsp_files_stat(&st, c->ws, &c->call, full, 0, &err))
			st.size = t.len;
		wsp__tool_say(c, "Binary file: %s (%llu bytes)", full,
			      (unsigned long long)st.size);
	} else if (t.len > WSP__SKILL_FILE_MAX) {
		add_lines(&c->out, t.p, WSP__SKILL_FILE_MAX, start, end);
		wsp__tbuf_addf(&c->out,
			       "\n[only the first %d bytes of the file are "
			       "read]",
			       WSP__SKILL_FILE_MAX);
	} else {
		add_lines(&c->out, t.p, t.len, start, end);
	}
	wsp__tbuf_free(&t);
	return 0;
}

static int skill_read(struct wsp__tool_ctx *c)
{
	const char *name = wsp__arg_str(c, "skillName", "");
	const struct wsp__skill *k;
	struct wsp__skills *s;
	wsp_error err;
	int rc = 0;

	if (wsp__skills_get(&s, c->ws, &c->call, &err))
		return wsp__tool_fail_err(c, &err);
	k = resolve(c, s, name);
	if (k)
		rc = read_skill_file(c, k, wsp__arg_str(c, "path", ""), name);
	wsp__skills_release(c->ws);
	return rc;
}

const struct wsp__tool_def wsp__tool_skill = {
	.name = "skill",
	.description = "Activate a skill to load its full instructions. You "
		       "should activate skills proactively when they are "
		       "relevant to the user's request without asking for "
		       "permission first.",
	.schema = wsp__schema_skill,
	.flags = WSP__TOOL_NEEDS_SKILLS,
	.run = skill,
};

const struct wsp__tool_def wsp__tool_skill_search = {
	.name = "skill_search",
	.description = "Search across skill content to find relevant "
		       "information. Useful when you need to find specific "
		       "details within skills.",
	.schema = wsp__schema_skill_search,
	.flags = WSP__TOOL_NEEDS_SKILLS,
	.run = skill_search,
};

const struct wsp__tool_def wsp__tool_skill_read = {
	.name = "skill_read",
	.description = "Read a file from a skill directory (references, "
		       "scripts, or assets). The path is relative to the skill "
		       "root.",
	.schema = wsp__schema_skill_read,
	.flags = WSP__TOOL_NEEDS_SKILLS,
	.run = skill_read,
};
