/*
 * core/skill_parse.c - a SKILL.md's front matter: the YAML between a
 * first line '---' and the next line '---' (or '...'), parsed by the
 * bounded YAML tree of the configuration (libyaml; aliases refused, depth
 * and node count bounded), then checked as Mastra checks a skill's
 * metadata (the Agent Skills specification): name 1 to 64 lowercase
 * letters, digits and single hyphens, equal to the directory's name;
 * description 1 to 2048 characters, not only whitespace. Every key is kept
 * (as JSON) for `wsp skills --json`-like consumers; the body follows.
 *
 * Pure: no I/O, so tests/fuzz/fuzz_skill.c drives it directly.
 */
#include "skills.h"
#include "yaml_tree.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct why {
	char *p;
	size_t cap, len;
};

static void say(struct why *w, const char *fmt, ...) WSP_PRINTF(2, 3);

static void say(struct why *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (w->len + 3 >= w->cap)
		return;
	if (w->len) {
		memcpy(w->p + w->len, "; ", 3);
		w->len += 2;
	}
	va_start(ap, fmt);
	n = vsnprintf(w->p + w->len, w->cap - w->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		w->len += (size_t)n < w->cap - w->len ? (size_t)n
						      : w->cap - w->len - 1;
}

/* Length of the line at p (to end), without its "\n" or "\r\n". */
static size_t line_len(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

	*next = nl ? nl + 1 : end;
	if (n && p[n - 1] == '\r')
		n--;
	return n;
}

/* A line that is a marker ("---" or "..."), trailing blanks allowed. */
static int is_marker(const char *p, size_t n, int closing)
{
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	return n == 3 && (!memcmp(p, "---", 3) ||
			  (closing && !memcmp(p, "...", 3)));
}

enum kind { K_NULL, K_BOOL, K_NUMBER, K_STRING };

/* What a scalar is read as: plain null, true/false and numbers are
 * typed (as Mastra's YAML reader types them), the rest is text. */
static enum kind scalar_kind(const struct wsp__ynode *n, double *num)
{
	char *end;

	if (wsp__yaml_is_null(n))
		return K_NULL;
	if (n->plain &&
	    (!strcmp(n->value, "true") || !strcmp(n->value, "false")))
		return K_BOOL;
	if (n->plain && n->value[0]) {
		*num = strtod(n->value, &end);
		if (!*end && *num == *num && *num - *num == 0)
			return K_NUMBER;
	}
	return K_STRING;
}

/* A YAML node as JSON, scalars typed by scalar_kind. */
static cJSON *to_json(const struct wsp__ynode *n)
{
	cJSON *o;
	double d = 0;
	size_t i;

	if (!n)
		return cJSON_CreateNull();
	if (n->type == WSP__Y_SCALAR) {
		switch (scalar_kind(n, &d)) {
		case K_NULL:
			return cJSON_CreateNull();
		case K_BOOL:
			return cJSON_CreateBool(n->value[0] == 't');
		case K_NUMBER:
			return cJSON_CreateNumber(d);
		default:
			return cJSON_CreateString(n->value);
		}
	}
	o = n->type == WSP__Y_MAP ? cJSON_CreateObject() : cJSON_CreateArray();
	for (i = 0; o && i < n->n; i += n->type == WSP__Y_MAP ? 2 : 1) {
		cJSON *v = to_json(n->type == WSP__Y_MAP ? n->items[i + 1]
							 : n->items[i]);

		if (!v) {
			cJSON_Delete(o);
			return NULL;
		}
		if (n->type == WSP__Y_MAP)
			cJSON_AddItemToObject(o, n->items[i]->value, v);
		else
			cJSON_AddItemToArray(o, v);
	}
	return o;
}

/* Mastra's validateSkillName, with its messages. */
static void check_name(struct why *w, const char *s, const char *dir_name)
{
	size_t n = strlen(s), i;
	int bad = 0;

	if (!n) {
		say(w, "name: Skill name cannot be empty");
		return;
	}
	if (n > WSP__SKILL_NAME_MAX)
		say(w, "name: Skill name must be %d characters or less",
		    WSP__SKILL_NAME_MAX);
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			bad = 1;
	if (bad)
		say(w, "name: Skill name must contain only lowercase letters, "
		       "numbers, and hyphens");
	if (s[0] == '-' || s[n - 1] == '-')
		say(w, "name: Skill name must not start or end with a hyphen");
	if (strstr(s, "--"))
		say(w, "name: Skill name must not contain consecutive "
		       "hyphens");
	if (dir_name && strcmp(s, dir_name))
		say(w, "Skill name \"%.64s\" must match directory name "
		       "\"%.64s\"",
		    s, dir_name);
}

/* Characters (UTF-8 sequences), as JavaScript's length roughly counts. */
static size_t chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static void check_description(struct why *w, const char *s)
{
	const char *p = s;

	if (!*s) {
		say(w, "description: Skill description cannot be empty");
		return;
	}
	if (chars(s) > WSP__SKILL_DESC_MAX)
		say(w, "description: Skill description must be %d characters "
		       "or less",
		    WSP__SKILL_DESC_MAX);
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (!*p)
		say(w, "description: Skill description cannot be only "
		       "whitespace");
}

/* A required text field: its value, or NULL with the problem said. */
static const char *text_field(struct why *w, const struct wsp__ynode *root,
			      const char *key)
{
	static const char *const kinds[] = { "null", "boolean", "number" };
	enum kind k;
	double d;
	size_t i;

	for (i = 0; i + 1 < root->n; i += 2) {
		const struct wsp__ynode *v = root->items[i + 1];

		if (strcmp(root->items[i]->value, key))
			continue;
		k = v->type == WSP__Y_SCALAR ? scalar_kind(v, &d) : K_STRING;
		if (v->type == WSP__Y_SCALAR && k == K_STRING)
			return v->value;
		/* `name: 2024` is a number to YAML, as Mastra reads it */
		say(w, "%s: Expected string, received %s", key,
		    v->type == WSP__Y_SCALAR ? kinds[k]
					     : wsp__yaml_type_name(v));
		return NULL;
	}
	say(w, "%s: Required", key);
	return NULL;
}

/* Where the front matter ends: *yaml_len bytes of YAML (from the start,
 * the opening '---' included), the body after the closing marker. */
static int find_front(const char *text, size_t len, size_t *yaml_len,
		      size_t *body_off, uint32_t *body_line, struct why *w)
{
	const char *end = text + len, *p = text, *next;
	uint32_t line = 1;
	size_t n;

	n = line_len(p, end, &next);
	if (!is_marker(p, n, 0)) {
		say(w, "no front matter: a SKILL.md starts with a '---' line, "
		       "then 'name:' and 'description:', then '---'");
		return -1;
	}
	for (p = next, line++; p < end; p = next, line++) {
		n = line_len(p, end, &next);
		if (!is_marker(p, n, 1))
			continue;
		if ((size_t)(p - text) > WSP__SKILL_FRONT_MAX)
			break;
		*yaml_len = (size_t)(p - text);
		*body_off = (size_t)(next - text);
		*body_line = line + 1;
		return 0;
	}
	if ((size_t)(p - text) > WSP__SKILL_FRONT_MAX)
		say(w, "the front matter is longer than %d bytes",
		    WSP__SKILL_FRONT_MAX);
	else
		say(w, "the front matter is not closed by a '---' line");
	return -1;
}

int wsp__skill_parse(struct wsp__skill_doc *out, const char *text,
		     size_t len, const char *file, const char *dir_name,
		     char *why, size_t cap)
{
	struct why w = { why, cap, 0 };
	struct wsp__diags d = { 0 };
	struct wsp__ynode *root = NULL;
	const char *name, *desc;
	size_t yaml_len = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (cap)
		why[0] = '\0';
	if (len > WSP__SKILL_FILE_MAX) {
		say(&w, "the file is larger than %d bytes",
		    WSP__SKILL_FILE_MAX);
		return WSP_EINVAL;
	}
	if (memchr(text, '\0', len)) {
		say(&w, "the file holds a NUL byte; a SKILL.md is text");
		return WSP_EINVAL;
	}
	/* a UTF-8 byte order mark is not part of the first line */
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) {
		rc = wsp__skill_parse(out, text + 3, len - 3, file, dir_name,
				      why, cap);
		out->body_off += rc ? 0 : 3;
		return rc;
	}
	if (find_front(text, len, &yaml_len, &out->body_off, &out->body_line,
		       &w))
		return WSP_EINVAL;
	rc = wsp__yaml_parse(&root, text, yaml_len, file, &d);
	if (rc == WSP_ENOMEM || d.oom) {
		wsp__diag_clear(&d);
		return WSP_ENOMEM;
	}
	if (rc || d.n) {
		say(&w, "invalid YAML front matter: %s",
		    d.n ? d.lines[0] : "cannot be parsed");
		wsp__diag_clear(&d);
		wsp__yaml_free(root);
		return WSP_EINVAL;
	}
	if (!root || root->type != WSP__Y_MAP) {
		say(&w, "the front matter must be a mapping of keys (name, "
			"description, ...), not %s",
		    root ? wsp__yaml_type_name(root) : "empty");
		wsp__yaml_free(root);
		return WSP_EINVAL;
	}
	name = text_field(&w, root, "name");
	desc = text_field(&w, root, "description");
	if (name)
		check_name(&w, name, dir_name);
	if (desc)
		check_description(&w, desc);
	if (w.len) {
		wsp__yaml_free(root);
		return WSP_EINVAL;
	}
	out->name = strdup(name);
	out->description = strdup(desc);
	out->front = to_json(root);
	wsp__yaml_free(root);
	if (!out->name || !out->description || !out->front) {
		wsp__skill_doc_free(out);
		return WSP_ENOMEM;
	}
	return 0;
}

void wsp__skill_doc_free(struct wsp__skill_doc *d)
{
	free(d->name);
	free(d->description);
	cJSON_Delete(d->front);
	memset(d, 0, sizeof(*d));
}
