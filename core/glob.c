/*
 * core/glob.c - glob patterns (list_files' pattern, grep's path)
 * and .gitignore rules, matched against '/'-separated relative paths.
 */
#include "glob.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BRACE_DEPTH 8

int wsp__glob_has_magic(const char *s)
{
	return strpbrk(s, "*?[{") != NULL;
}

/* [...] at p (after '['): *end set past ']'; -1 if malformed. */
static int class_match(const char *p, char c, const char **end)
{
	int neg = 0, hit = 0;
	const char *q = p;

	if (*q == '!' || *q == '^') {
		neg = 1;
		q++;
	}
	if (*q == ']') {
		hit |= c == ']';
		q++;
	}
	for (; *q && *q != ']'; q++) {
		if (q[1] == '-' && q[2] && q[2] != ']') {
			hit |= c >= q[0] && c <= q[2];
			q += 2;
		} else {
			hit |= c == *q;
		}
	}
	if (*q != ']')
		return -1;
	*end = q + 1;
	return hit != neg;
}

struct gm {
	const char *p0, *s0; /* starts of pattern and string */
	int dot;
};

/* Plain glob (no braces) match of pattern p against string s. */
static int match(const struct gm *g, const char *p, const char *s)
{
	const char *end, *rest;
	int r, seg;

	for (; *p; p++, s++) {
		seg = s == g->s0 || s[-1] == '/';
		switch (*p) {
		case '*':
			if (p[1] == '*' && (p == g->p0 || p[-1] == '/') &&
			    (p[2] == '/' || !p[2]) && seg) {
				/* "**": any number of whole components */
				rest = p[2] ? p + 3 : p + 2;
				for (;;) {
					if (!g->dot && *s == '.')
						return 0;
					if (!*rest || match(g, rest, s))
						return 1;
					s = strchr(s, '/');
					if (!s)
						return 0;
					s++;
				}
			}
			if (seg && *s == '.' && !g->dot)
				return 0;
			for (;;) {
				if (match(g, p + 1, s))
					return 1;
				if (!*s || *s == '/')
					return 0;
				s++;
			}
		case '?':
			if (!*s || *s == '/' || (seg && *s == '.' && !g->dot))
				return 0;
			break;
		case '[':
			if (!*s || *s == '/')
				return 0;
			r = class_match(p + 1, *s, &end);
			if (r < 0) {
				if (*s != '[')
					return 0;
				break;
			}
			if (!r)
				return 0;
			p = end - 1;
			break;
		case '\\':
			if (p[1])
				p++;
			/* fall through */
		default:
			if (*p != *s)
				return 0;
		}
	}
	return !*s;
}

/*
 * Expand the first {a,b,...} group of p and try each alternative, so
 * braces nest and combine with every other construct.
 */
static int brace_match(const char *p, const char *s, int dot, int depth)
{
	const char *open = NULL, *close = NULL, *q, *alt;
	size_t pre, post, n;
	int level = 0, r = 0;
	char *buf;

	for (q = p; *q; q++) {
		if (*q == '\\' && q[1]) {
			q++;
		} else if (*q == '{') {
			if (!level++ && !open)
				open = q;
		} else if (*q == '}' && level) {
			if (!--level && open) {
				close = q;
				break;
			}
		}
	}
	if (!open || !close || depth > MAX_BRACE_DEPTH) {
		struct gm g = {p, s, dot};

		return match(&g, p, s);
	}
	pre = (size_t)(open - p);
	post = strlen(close + 1);
	buf = malloc(strlen(p) + 1);
	if (!buf)
		return 0;
	alt = open + 1;
	level = 0;
	for (q = open + 1; q <= close && !r; q++) {
		if (*q == '\\' && q[1]) {
			q++;
			continue;
		}
		if (*q == '{')
			level++;
		else if (*q == '}' && level && q != close)
			level--;
		else if ((*q == ',' && !level) || q == close) {
			n = (size_t)(q - alt);
			memcpy(buf, p, pre);
			memcpy(buf + pre, alt, n);
			memcpy(buf + pre + n, close + 1, post + 1);
			r = brace_match(buf, s, dot, depth + 1);
			alt = q + 1;
		}
	}
	free(buf);
	return r;
}

int wsp__glob_match(const char *pattern, const char *path, int dot)
{
	while (pattern[0] == '.' && pattern[1] == '/')
		pattern += 2;
	while (*pattern == '/')
		pattern++;
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	while (*path == '/')
		path++;
	return brace_match(pattern, path, dot, 0);
}

/* ---- .gitignore ------------------------------------------------------- */

struct rule {
	char *pat;
	int negate, dir_only, anchored;
};

struct wsp__gitignore {
	struct rule *v;
	size_t n;
};

struct wsp__gitignore *wsp__gitignore_parse(const char *text, size_t len)
{
	struct wsp__gitignore *gi;
	const char *p = text, *end = text + len, *nl;
	struct rule r;
	size_t n;
	char *s;

	if (!text)
		return NULL;
	gi = calloc(1, sizeof(*gi));
	if (!gi)
		return NULL;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		n = (size_t)(nl - p);
		if (n && p[n - 1] == '\r')
			n--;
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t') &&
		       !(n >= 2 && p[n - 2] == '\\'))
			n--;
		memset(&r, 0, sizeof(r));
		if (n && p[0] != '#') {
			const char *q = p;

			if (*q == '!') {
				r.negate = 1;
				q++;
				n--;
			}
			if (n && q[n - 1] == '/') {
				r.dir_only = 1;
				n--;
			}
			if (n && (q[0] == '/' || memchr(q, '/', n)))
				r.anchored = 1;
			while (n && *q == '/') {
				q++;
				n--;
			}
			if (n && (s = strndup(q, n))) {
				struct rule *v = realloc(
					gi->v, (gi->n + 1) * sizeof(*v));

				if (!v) {
					free(s);
				} else {
					gi->v = v;
					r.pat = s;
					gi->v[gi->n++] = r;
				}
			}
		}
		p = nl + 1;
	}
	return gi;
}

void wsp__gitignore_free(struct wsp__gitignore *gi)
{
	size_t i;

	if (!gi)
		return;
	for (i = 0; i < gi->n; i++)
		free(gi->v[i].pat);
	free(gi->v);
	free(gi);
}

/* One rule against one path (itself, not its parents). */
static int rule_hits(const struct rule *r, const char *path, int is_dir)
{
	const char *base;

	if (r->dir_only && !is_dir)
		return 0;
	if (r->anchored)
		return wsp__glob_match(r->pat, path, 1);
	base = strrchr(path, '/');
	return wsp__glob_match(r->pat, base ? base + 1 : path, 1);
}

int wsp__gitignore_match(const struct wsp__gitignore *gi, const char *path,
			 int is_dir)
{
	char buf[4096];
	size_t i, k, len;
	int ignored = 0;

	if (!gi)
		return 0;
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	len = strlen(path);
	if (len >= sizeof(buf))
		return 0;
	/* a path inside an ignored directory is ignored too */
	memcpy(buf, path, len + 1);
	for (k = 0; k < len; k++) {
		if (buf[k] != '/')
			continue;
		buf[k] = '\0';
		if (wsp__gitignore_match(gi, buf, 1))
			return 1;
		buf[k] = '/';
	}
	for (i = 0; i < gi->n; i++)
		if (rule_hits(&gi->v[i], path, is_dir))
			ignored = !gi->v[i].negate;
	return ignored;
}

int wsp__path_has_hidden(const char *rel)
{
	const char *p = rel;

	for (;;) {
		if (*p == '.')
			return 1;
		p = strchr(p, '/');
		if (!p)
			return 0;
		p++;
	}
}

int wsp__path_has_git(const char *rel)
{
	const char *p = rel;

	for (;;) {
		if (!strncmp(p, ".git", 4) && (p[4] == '/' || !p[4]))
			return 1;
		p = strchr(p, '/');
		if (!p)
			return 0;
		p++;
	}
}

void wsp__glob_base(char *out, size_t cap, const char *pat)
{
	const char *magic = pat, *slash;
	size_t n;

	if (!wsp__glob_has_magic(pat)) {
		snprintf(out, cap, "%s", pat);
		return;
	}
	while (*magic && !strchr("*?[{", *magic))
		magic++;
	for (slash = magic; slash > pat && *slash != '/'; slash--)
		;
	n = (size_t)(slash - pat);
	snprintf(out, cap, "%.*s", (int)(n ? n : 1), pat);
}

int wsp__path_join(char *out, size_t cap, const char *dir, const char *rel)
{
	int n = snprintf(out, cap, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "",
			 rel);

	return n > 0 && (size_t)n < cap ? 0 : -1;
}
