/*
 * toolkit/tool_grep.c - grep: search file contents with a regular expression
 * (JavaScript syntax through PCRE2), over a file, a directory or a glob.
 *
 * The tree is gathered in one recursive listing; .git is always skipped,
 * hidden paths unless asked, and the workspace's root .gitignore is
 * honoured (unless the target itself is ignored). Files that are not text
 * (a NUL byte or invalid UTF-8) are skipped and counted.
 */
#include "tool_schemas.h"
#include "tools_backend.h"
#include "utf8seq.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdlib.h>
#include <string.h>

#define MAX_PATTERN 1000
#define MAX_LINE    500	 /* characters shown of a matching line */
#define GLOBAL_CAP  1000 /* matches in all */
#define MAX_FILE    (16u << 20)
#define MAX_WALK    500000
#define MATCH_LIMIT 1000000 /* backtracking bound per line (ReDoS) */

struct grep {
	struct wsp__tool_ctx *c;
	pcre2_code *re;
	pcre2_match_data *md;
	pcre2_match_context *mc;
	size_t context, max_count, total, files_matched, skipped_binary,
		read_errors, cut_lines;
	int truncated, walk_cut;
	struct wsp__tbuf lines;
};

static size_t utf8_chars(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += !utf8_is_cont((unsigned char)s[i]);
	return n;
}

/* Byte length of the first max characters of s (len bytes). */
static size_t utf8_prefix(const char *s, size_t len, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (!utf8_is_cont((unsigned char)s[i]) && n++ == max)
			return i;
	}
	return len;
}

static int binary(const char *s, size_t len)
{
	size_t probe = len < 8192 ? len : 8192;

	return memchr(s, 0, probe) != NULL;
}

struct line {
	const char *p;
	size_t len;
};

static void grep_file(struct grep *g, const char *shown, const char *data,
		      size_t len)
{
	struct line *v;
	size_t n = 1, i, k, from, to, file_hits = 0, clip;
	const char *p = data, *q, *end = data + len;
	int rc;

	for (i = 0; i < len; i++)
		n += data[i] == '\n';
	v = malloc(n * sizeof(*v));
	if (!v) {
		g->read_errors++;
		return;
	}
	for (i = 0; i < n; i++) {
		q = memchr(p, '\n', (size_t)(end - p));
		if (!q)
			q = end;
		v[i].p = p;
		v[i].len = (size_t)(q - p);
		p = q + 1;
	}
	for (i = 0; i < n; i++) {
		rc = pcre2_match(g->re, (PCRE2_SPTR)v[i].p, v[i].len, 0, 0,
				 g->md, g->mc);
		if (rc == PCRE2_ERROR_MATCHLIMIT ||
		    rc == PCRE2_ERROR_DEPTHLIMIT ||
		    rc == PCRE2_ERROR_HEAPLIMIT) {
			/* Not "no match": nobody knows; say so. */
			g->cut_lines++;
			continue;
		}
		if (rc < 0)
			continue;
		if (!file_hits++)
			g->files_matched++;
		if (g->context) {
			from = i > g->context ? i - g->context : 0;
			for (k = from; k < i; k++)
				wsp__tbuf_addf(&g->lines, "%s:%zu- %.*s\n",
					       shown, k + 1, (int)v[k].len,
					       v[k].p);
		}
		clip = utf8_prefix(v[i].p, v[i].len, MAX_LINE);
		wsp__tbuf_addf(&g->lines, "%s:%zu:%zu: %.*s%s\n", shown, i + 1,
			       utf8_chars(v[i].p,
					  pcre2_get_ovector_pointer(g->md)[0]) +
				       1,
			       (int)clip, v[i].p, clip < v[i].len ? "..." : "");
		if (g->context) {
			to = i + g->context < n - 1 ? i + g->context : n - 1;
			for (k = i + 1; k <= to; k++)
				wsp__tbuf_addf(&g->lines, "%s:%zu- %.*s\n",
					       shown, k + 1, (int)v[k].len,
					       v[k].p);
			wsp__tbuf_puts(&g->lines, "--\n");
		}
		g->total++;
		if (g->max_count && file_hits >= g->max_count)
			break;
		if (g->total >= GLOBAL_CAP) {
			g->truncated = 1;
			break;
		}
	}
	free(v);
}

static void search_path(struct grep *g, const char *path, const char *shown)
{
	struct wsp__tbuf b = {0};
	wsp_error err;

	if (wsp__tb_read(&b, g->c->ws, &g->c->call, path, MAX_FILE, &err)) {
		g->read_errors++;
	} else if (binary(b.p ? b.p : "", b.len)) {
		g->skipped_binary++;
	} else {
		grep_file(g, shown, b.p ? b.p : "", b.len);
	}
	wsp__tbuf_free(&b);
}

/* The directory part of a glob before its first magic component. */
static char *glob_base(const char *glob)
{
	const char *magic = glob + strcspn(glob, "*?[{");
	const char *slash = magic;

	while (slash > glob && slash[-1] != '/')
		slash--;
	if (slash == glob)
		return strdup(".");
	return strndup(glob, (size_t)(slash - glob - 1 ? slash - glob - 1 : 1));
}

static char *join(const char *dir, const char *rel)
{
	size_t a = strlen(dir), b = strlen(rel);
	char *s = malloc(a + b + 2);

	if (!s)
		return NULL;
	memcpy(s, dir, a);
	if (a && dir[a - 1] != '/')
		s[a++] = '/';
	memcpy(s + a, rel, b + 1);
	return s;
}

/* Path relative to the workspace root, for .gitignore and globs. */
static const char *rootless(const char *p)
{
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	while (*p == '/')
		p++;
	return p[0] == '.' && !p[1] ? "" : p;
}

struct grep_filter {
	const char *dir, *glob;
	int include_hidden;
	const struct wsp__gitignore *gi;
};

/*
 * Which listed entries are searched: regular files only (no symlinks),
 * never under .git, hidden ones on request, not ignored, in the glob.
 */
static int grep_keep(const wsp_fs_entry *e, void *payload)
{
	const struct grep_filter *f = payload;
	const char *rel;
	char *full;
	int keep;

	if (e->type != WSP_FS_TYPE_FILE || e->is_symlink ||
	    wsp__path_has_git(e->path) ||
	    (!f->include_hidden && wsp__path_has_hidden(e->path)))
		return 0;
	full = join(f->dir, e->path);
	if (!full)
		return 0;
	rel = rootless(full);
	keep = !(f->gi && wsp__gitignore_match(f->gi, rel, 0)) &&
	       (!f->glob || wsp__glob_match(f->glob, rel, f->include_hidden));
	free(full);
	return keep;
}

static void walk_dir(struct grep *g, const char *dir, const char *glob,
		     int include_hidden, const struct wsp__gitignore *gi)
{
	struct grep_filter f = {dir, glob, include_hidden, gi};
	struct wsp__walk w;
	wsp_error err;
	size_t i;
	char *full;

	if (wsp__walk(&w, g->c->ws, dir, 0, MAX_WALK, grep_keep, &f,
		      &g->c->call, &err)) {
		g->read_errors++;
		return;
	}
	g->walk_cut = w.truncated;
	for (i = 0; i < w.n && !g->truncated; i++) {
		if (g->c->opts->cancel &&
		    wsp_cancel_requested(g->c->opts->cancel))
			break;
		full = join(dir, w.v[i].path);
		if (!full)
			break;
		search_path(g, full, full);
		free(full);
	}
	wsp__walk_free(&w);
}

static struct wsp__gitignore *root_gitignore(struct wsp__tool_ctx *c)
{
	struct wsp__tbuf b = {0};
	struct wsp__gitignore *gi = NULL;
	wsp_error err;

	if (!wsp__tb_read(&b, c->ws, &c->call, ".gitignore", 1u << 20, &err))
		gi = wsp__gitignore_parse(b.p ? b.p : "", b.len);
	wsp__tbuf_free(&b);
	return gi;
}

static int grep(struct wsp__tool_ctx *c)
{
	const char *pattern = wsp__arg_str(c, "pattern", "");
	const char *path = wsp__arg_str(c, "path", ".");
	int include_hidden = wsp__arg_bool(c, "includeHidden", 0);
	int64_t ctx, max;
	uint32_t flags = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_ALT_BSUX;
	size_t plen = strlen(pattern);
	struct wsp__gitignore *gi;
	char *base = NULL, ebuf[256];
	const char *glob = NULL, *target_rel;
	struct wsp__tbuf lines;
	PCRE2_SIZE eoff;
	wsp_fs_stat st;
	wsp_error err;
	struct grep g;
	int ec, not_found = 0;

	if (utf8_chars(pattern, plen) > MAX_PATTERN) {
		wsp__tbuf_addf(&c->out,
			       "Error: Pattern too long (%zu chars, max %d). "
			       "Use a shorter pattern.",
			       utf8_chars(pattern, plen), MAX_PATTERN);
		c->is_error = 1;
		return 0;
	}
	if (wsp__arg_int(c, "contextLines", 0, -WSP__JSON_INT_MAX,
			 WSP__JSON_INT_MAX, &ctx) ||
	    wsp__arg_int(c, "maxCount", 0, -WSP__JSON_INT_MAX,
			 WSP__JSON_INT_MAX, &max))
		return 0;
	memset(&g, 0, sizeof(g));
	g.c = c;
	g.context = ctx > 0 ? (size_t)(ctx > 1000 ? 1000 : ctx) : 0;
	g.max_count = max > 0 ? (size_t)max : 0;
	if (!wsp__arg_bool(c, "caseSensitive", 1))
		flags |= PCRE2_CASELESS;
	g.re = pcre2_compile((PCRE2_SPTR)pattern, plen, flags, &ec, &eoff,
			     NULL);
	if (!g.re) {
		pcre2_get_error_message(ec, (PCRE2_UCHAR *)ebuf, sizeof(ebuf));
		wsp__tbuf_addf(&c->out,
			       "Error: Invalid regex pattern: %s (at offset "
			       "%zu)",
			       ebuf, (size_t)eoff);
		c->is_error = 1;
		return 0;
	}
	pcre2_jit_compile(g.re, PCRE2_JIT_COMPLETE);
	g.md = pcre2_match_data_create_from_pattern(g.re, NULL);
	g.mc = pcre2_match_context_create(NULL);
	if (!g.md || !g.mc) {
		pcre2_match_data_free(g.md);
		pcre2_match_context_free(g.mc);
		pcre2_code_free(g.re);
		return WSP_ENOMEM;
	}
	pcre2_set_match_limit(g.mc, MATCH_LIMIT);

	if (wsp__glob_has_magic(path)) {
		glob = path;
		base = glob_base(path);
	}
	gi = root_gitignore(c);
	target_rel = rootless(base ? base : path);
	if (gi && target_rel[0] && wsp__gitignore_match(gi, target_rel, 1)) {
		/* searching an ignored directory on purpose */
		wsp__gitignore_free(gi);
		gi = NULL;
	}
	memset(&st, 0, sizeof(st));
	st.struct_size = sizeof(st);
	if (wsp_files_stat(&st, c->ws, &c->call, base ? base : path, 0, &err)) {
		/*
		 * Missing is an answer (no matches, as Mastra's grep says); a
		 * path refused (outside the workspace, a link out) is an
		 * error, as every other tool reports it.
		 */
		if (err.code != WSP_ENOTFOUND) {
			wsp__gitignore_free(gi);
			free(base);
			wsp__tool_fail_err(c, &err);
			goto out;
		}
		not_found = 1;
	} else if (st.type == WSP_FS_TYPE_DIR)
		walk_dir(&g, base ? base : path, glob, include_hidden, gi);
	else if (!glob)
		search_path(&g, path, path);
	wsp__gitignore_free(gi);
	free(base);

	wsp__tbuf_addf(&c->out, "%zu match%s across %zu file%s", g.total,
		       g.total == 1 ? "" : "es", g.files_matched,
		       g.files_matched == 1 ? "" : "s");
	if (g.truncated)
		wsp__tbuf_addf(&c->out, " (truncated at %d)", GLOBAL_CAP);
	if (g.skipped_binary)
		wsp__tbuf_addf(&c->out, " (%zu file%s skipped: binary)",
			       g.skipped_binary,
			       g.skipped_binary == 1 ? "" : "s");
	if (not_found)
		wsp__tbuf_puts(&c->out,
			       " (target path not found: nothing searched)");
	if (g.walk_cut)
		wsp__tbuf_addf(&c->out,
			       " (search stopped after %d files: narrow the "
			       "path)",
			       MAX_WALK);
	if (g.read_errors)
		wsp__tbuf_addf(&c->out, " (%zu path%s skipped: read error)",
			       g.read_errors, g.read_errors == 1 ? "" : "s");
	if (g.cut_lines)
		wsp__tbuf_addf(&c->out,
			       " (search cut short: the pattern hit the regex "
			       "engine's backtracking limit on %zu line%s, "
			       "which may match; simplify the pattern)",
			       g.cut_lines, g.cut_lines == 1 ? "" : "s");
	wsp__tbuf_puts(&c->out, "\n---");
	if (g.lines.len) {
		/* drop the last newline; then keep within the token budget */
		g.lines.p[--g.lines.len] = '\0';
		lines = c->out;
		wsp__tbuf_add(&lines, "\n", 1);
		wsp__tbuf_add(&lines, g.lines.p, g.lines.len);
		memset(&c->out, 0, sizeof(c->out));
		wsp__text_limit(&c->out, lines.p, lines.len,
				WSP__OUTPUT_TOKENS);
		wsp__tbuf_free(&lines);
	}
out:
	wsp__tbuf_free(&g.lines);
	pcre2_match_data_free(g.md);
	pcre2_match_context_free(g.mc);
	pcre2_code_free(g.re);
	return 0;
}

const struct wsp__tool_def wsp__tool_grep = {
	.name = "grep",
	.description =
		"Search file contents using a regex pattern. Walks the "
		"filesystem and returns matching lines with file paths and "
		"line numbers.\n"
		"\n"
		"Usage:\n"
		"- Basic search: { pattern: \"TODO\" }\n"
		"- Regex: { pattern: \"function\\\\s+\\\\w+\\\\(\" }\n"
		"- Multiple terms: { pattern: \"TODO|FIXME|HACK\" }\n"
		"- Case-insensitive: { pattern: \"error\", caseSensitive: "
		"false }\n"
		"- Search in directory: { pattern: \"import\", path: \"./src\" "
		"}\n"
		"- Filter by glob: { pattern: \"import\", path: \"**/*.ts\" }\n"
		"- Combined path + glob: { pattern: \"import\", path: "
		"\"src/**/*.ts\" }\n"
		"- Multiple file types: { pattern: \"import\", path: "
		"\"**/*.{ts,tsx,js}\" }\n"
		"- Multiple directories: { pattern: \"TODO\", path: "
		"\"{src,lib}/**/*.ts\" }\n"
		"- With context: { pattern: \"function\", contextLines: 2 }",
	.schema = wsp__schema_grep,
	.flags = WSP__TOOL_NEEDS_FS,
	.run = grep,
};
