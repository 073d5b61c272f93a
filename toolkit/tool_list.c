/*
 * toolkit/tool_list.c - list_files: a directory as a compact tab-indented
 * tree (directories first, then files, each group in byte order), with
 * tree(1)-like filters and a summary line.
 */
#include "tool_schemas.h"
#include "tools_backend.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SHOWN     1000   /* entries printed */
#define MAX_WALK      200000 /* entries gathered */
#define MAX_GITIGNORE (1u << 20)

struct list {
	struct wsp__tool_ctx *c;
	const struct wsp__walk *w;
	int show_hidden, dirs_only;
	const char *exclude, *ext;
	const cJSON *patterns; /* array of strings, or NULL */
	const char *pattern;   /* a single one, or NULL */
	struct wsp__gitignore *gi;
	uint32_t max_depth;
	size_t dirs, files, shown;
	int depth_cut, shown_cut;
};

static int pattern_ok(const struct list *l, const char *path, const char *name)
{
	const cJSON *p;
	const char *pat;

	if (l->pattern)
		return wsp__glob_match(
			l->pattern, strchr(l->pattern, '/') ? path : name, 0);
	if (!l->patterns)
		return 1;
	cJSON_ArrayForEach(p, l->patterns)
	{
		pat = p->valuestring;
		if (wsp__glob_match(pat, strchr(pat, '/') ? path : name, 0))
			return 1;
	}
	return 0;
}

/* Whether an entry is shown (and, for a directory, walked into). */
static int visible(const struct list *l, const struct wsp__walk_entry *e)
{
	int is_dir = e->type == WSP_FS_TYPE_DIR;
	size_t n;

	if (!l->show_hidden && e->name[0] == '.')
		return 0;
	if (l->exclude && strstr(e->name, l->exclude))
		return 0;
	if (l->gi && wsp__gitignore_match(l->gi, e->path, is_dir))
		return 0;
	if (is_dir)
		return 1;
	if (l->dirs_only)
		return 0;
	if (l->ext) {
		const char *x = l->ext[0] == '.' ? l->ext + 1 : l->ext;

		n = strlen(x);
		if (strlen(e->name) <= n ||
		    strcmp(e->name + strlen(e->name) - n, x) ||
		    e->name[strlen(e->name) - n - 1] != '.')
			return 0;
	}
	return pattern_ok(l, e->path, e->name);
}

/* A component of path (relative) that hides it or excludes it. */
static int pruned_by_ancestor(const struct list *l, const char *path)
{
	const char *p = path, *slash;
	char comp[256];
	size_t n;

	for (;;) {
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (!l->show_hidden && p[0] == '.')
			return 1;
		if (l->exclude && n < sizeof(comp)) {
			memcpy(comp, p, n);
			comp[n] = '\0';
			if (strstr(comp, l->exclude))
				return 1;
		}
		if (!slash)
			return 0;
		p = slash + 1;
	}
}

/* Drop hidden, excluded and ignored subtrees while the listing runs. */
static int list_keep(const wsp_fs_entry *e, void *payload)
{
	const struct list *l = payload;

	if (pruned_by_ancestor(l, e->path))
		return 0;
	return !(l->gi && wsp__gitignore_match(l->gi, e->path,
					       e->type == WSP_FS_TYPE_DIR));
}

static void line(struct list *l, const struct wsp__walk_entry *e)
{
	struct wsp__tbuf *b = &l->c->out;
	uint32_t i;

	if (e->type == WSP_FS_TYPE_DIR)
		l->dirs++;
	else
		l->files++;
	if (l->shown >= MAX_SHOWN) {
		l->shown_cut = 1;
		return;
	}
	l->shown++;
	for (i = 1; i < e->depth; i++)
		wsp__tbuf_add(b, "\t", 1);
	wsp__tbuf_puts(b, e->name);
	if (e->type == WSP_FS_TYPE_DIR && !e->is_symlink)
		wsp__tbuf_add(b, "/", 1);
	if (e->is_symlink && e->target)
		wsp__tbuf_addf(b, " -> %s", e->target);
	wsp__tbuf_add(b, "\n", 1);
}

/* Print the children of the directory spanning [lo, hi): dirs, files. */
static void children(struct list *l, size_t lo, size_t hi, uint32_t depth)
{
	const struct wsp__walk *w = l->w;
	size_t i, next;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		for (i = lo; i < hi; i = next) {
			const struct wsp__walk_entry *e = &w->v[i];
			int is_dir = e->type == WSP_FS_TYPE_DIR;

			next = is_dir ? wsp__walk_skip(w, i) : i + 1;
			if (e->depth != depth || is_dir != (pass == 0))
				continue;
			if (!visible(l, e))
				continue;
			line(l, e);
			if (!is_dir || e->is_symlink)
				continue;
			if (depth >= l->max_depth)
				l->depth_cut = 1;
			else
				children(l, i + 1, next, depth + 1);
		}
	}
}

static struct wsp__gitignore *load_gitignore(struct wsp__tool_ctx *c,
					     const char *dir)
{
	struct wsp__tbuf b = {0};
	struct wsp__gitignore *gi = NULL;
	wsp_error err;
	char *path;
	size_t n = strlen(dir);

	path = malloc(n + 12);
	if (!path)
		return NULL;
	memcpy(path, dir, n);
	strcpy(path + n, n && dir[n - 1] == '/' ? ".gitignore" : "/.gitignore");
	if (!wsp__tb_read(&b, c->ws, &c->call, path, MAX_GITIGNORE, &err))
		gi = wsp__gitignore_parse(b.p ? b.p : "", b.len);
	wsp__tbuf_free(&b);
	free(path);
	return gi;
}

static int list_files(struct wsp__tool_ctx *c)
{
	const char *path = wsp__arg_str(c, "path", "./");
	const cJSON *pat = cJSON_GetObjectItemCaseSensitive(c->args, "pattern");
	int64_t depth;
	struct wsp__tbuf tree = {0};
	struct wsp__walk w;
	struct list l;
	wsp_error err = {0};
	int rc;

	if (wsp__arg_int(c, "maxDepth", 2, -WSP__JSON_INT_MAX,
			 WSP__JSON_INT_MAX, &depth))
		return 0;
	memset(&l, 0, sizeof(l));
	l.c = c;
	l.w = &w;
	l.show_hidden = wsp__arg_bool(c, "showHidden", 0);
	l.dirs_only = wsp__arg_bool(c, "dirsOnly", 0);
	l.exclude = wsp__arg_str(c, "exclude", NULL);
	l.ext = wsp__arg_str(c, "extension", NULL);
	if (l.exclude && !l.exclude[0])
		l.exclude = NULL;
	if (l.ext && !l.ext[0])
		l.ext = NULL;
	/* an empty string or list, or a match-all glob, is no pattern */
	if (cJSON_IsString(pat) && pat->valuestring[0] &&
	    strcmp(pat->valuestring, "*") && strcmp(pat->valuestring, "**") &&
	    strcmp(pat->valuestring, "**/*"))
		l.pattern = pat->valuestring;
	else if (cJSON_IsArray(pat) && cJSON_GetArraySize(pat) > 0)
		l.patterns = pat;
	l.max_depth = depth < 1 ? 1 : depth > 64 ? 64 : (uint32_t)depth;
	if (wsp__arg_bool(c, "respectGitignore", 1))
		l.gi = load_gitignore(c, path);

	rc = wsp__walk(&w, c->ws, path, l.max_depth + 1, MAX_WALK, list_keep,
		       &l, &c->call, &err);
	if (rc) {
		wsp__gitignore_free(l.gi);
		return wsp__tool_fail_err(c, &err);
	}
	/* print into c->out, then move it under the token limit */
	wsp__tbuf_puts(&c->out, ".\n");
	children(&l, 0, w.n, 1);
	if (l.shown_cut)
		wsp__tbuf_addf(&c->out, "... (listing cut at %d entries)\n",
			       MAX_SHOWN);
	wsp__tbuf_addf(&c->out, "\n%zu director%s, %zu file%s", l.dirs,
		       l.dirs == 1 ? "y" : "ies", l.files,
		       l.files == 1 ? "" : "s");
	if (l.depth_cut)
		wsp__tbuf_addf(&c->out, " (truncated at depth %u)",
			       l.max_depth);
	if (w.truncated)
		wsp__tbuf_addf(&c->out, " (walk stopped after %d entries)",
			       MAX_WALK);
	tree = c->out;
	memset(&c->out, 0, sizeof(c->out));
	wsp__text_limit(&c->out, tree.p ? tree.p : "", tree.len,
			WSP__OUTPUT_TOKENS);
	wsp__tbuf_free(&tree);
	wsp__walk_free(&w);
	wsp__gitignore_free(l.gi);
	return 0;
}

const struct wsp__tool_def wsp__tool_list_files = {
	.name = "list_files",
	.description =
		"List files and directories in the workspace filesystem.\n"
		"Returns a compact tab-indented listing for efficient token "
		"usage.\n"
		"Options mirror common tree command flags for familiarity.\n"
		"\n"
		"Examples:\n"
		"- List root: { path: \"./\" }\n"
		"- Deep listing: { path: \"./src\", maxDepth: 5 }\n"
		"- Directories only: { path: \"./\", dirsOnly: true }\n"
		"- Exclude node_modules: { path: \"./\", exclude: "
		"\"node_modules\" }\n"
		"- Find TypeScript files: { path: \"./src\", pattern: "
		"\"**/*.ts\" }\n"
		"- Find config files: { path: \"./\", pattern: "
		"\"*.config.{js,ts}\" }\n"
		"- Multiple patterns: { path: \"./\", pattern: [\"**/*.ts\", "
		"\"**/*.tsx\"] }",
	.schema = wsp__schema_list_files,
	.flags = WSP__TOOL_NEEDS_FS,
	.run = list_files,
};
