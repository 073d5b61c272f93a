/*
 * core/config/yaml_tree.c - libyaml events to a bounded tree of positioned nodes.
 */
#include "yaml_tree.h"
#include "grow.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct ctx {
	yaml_parser_t parser;
	const char *file;
	struct wsp__diags *d;
	size_t nodes;
	int failed; /* WSP_ECONFIG or WSP_ENOMEM once something went wrong */
};

static void fail(struct ctx *c, const yaml_mark_t *m, const char *what)
{
	wsp__diag_add(c->d, c->file, (unsigned)m->line + 1,
		      (unsigned)m->column + 1, "%s", what);
	if (!c->failed)
		c->failed = WSP_ECONFIG;
}

static void fail_oom(struct ctx *c)
{
	c->failed = WSP_ENOMEM;
}

/* Report libyaml's own syntax error at the place it points to. */
static void fail_syntax(struct ctx *c)
{
	const yaml_parser_t *p = &c->parser;
	const yaml_mark_t *m = &p->problem_mark;

	if (p->error == YAML_MEMORY_ERROR) {
		fail_oom(c);
		return;
	}
	if (p->context)
		wsp__diag_add(c->d, c->file, (unsigned)m->line + 1,
			      (unsigned)m->column + 1,
			      "invalid YAML: %s %s; check the indentation "
			      "and quoting",
			      p->problem ? p->problem : "syntax error",
			      p->context);
	else
		wsp__diag_add(c->d, c->file, (unsigned)m->line + 1,
			      (unsigned)m->column + 1,
			      "invalid YAML: %s; check the indentation and "
			      "quoting",
			      p->problem ? p->problem : "syntax error");
	if (!c->failed)
		c->failed = WSP_ECONFIG;
}

static int next(struct ctx *c, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&c->parser, ev)) {
		fail_syntax(c);
		return -1;
	}
	return 0;
}

static struct wsp__ynode *new_node(struct ctx *c, int type,
				   const yaml_mark_t *m)
{
	struct wsp__ynode *n;

	if (++c->nodes > WSP__YAML_MAX_NODES) {
		if (c->nodes == WSP__YAML_MAX_NODES + 1)
			fail(c, m, "too many YAML nodes (the limit is 20000); "
				   "split or shorten the file");
		return NULL;
	}
	n = calloc(1, sizeof(*n));
	if (!n) {
		fail_oom(c);
		return NULL;
	}
	n->type = type;
	n->line = (unsigned)m->line + 1;
	n->col = (unsigned)m->column + 1;
	return n;
}

static int append(struct ctx *c, struct wsp__ynode *parent,
		  struct wsp__ynode *child, size_t *cap)
{
	struct wsp__ynode **items;

	items = wsp__grow(parent->items, cap, parent->n, sizeof(*items), 8);
	if (!items) {
		fail_oom(c);
		wsp__yaml_free(child);
		return -1;
	}
	parent->items = items;
	parent->items[parent->n++] = child;
	return 0;
}

static int cmp_key(const void *a, const void *b)
{
	const struct wsp__ynode *x = *(struct wsp__ynode *const *)a;
	const struct wsp__ynode *y = *(struct wsp__ynode *const *)b;
	int r = strcmp(x->value, y->value);

	if (r)
		return r;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->col < y->col ? -1 : (x->col > y->col);
}

/* Duplicate keys would make "which one wins" a guess: refuse them. */
static void check_duplicates(struct ctx *c, const struct wsp__ynode *map)
{
	struct wsp__ynode **keys;
	size_t i, nk = map->n / 2;

	if (nk < 2)
		return;
	keys = malloc(nk * sizeof(*keys));
	if (!keys) {
		fail_oom(c);
		return;
	}
	for (i = 0; i < nk; i++)
		keys[i] = map->items[2 * i];
	qsort(keys, nk, sizeof(*keys), cmp_key);
	for (i = 1; i < nk; i++) {
		if (strcmp(keys[i - 1]->value, keys[i]->value))
			continue;
		wsp__diag_add(c->d, c->file, keys[i]->line, keys[i]->col,
			      "duplicate key '%.64s' (first at line %u); "
			      "remove one of them",
			      keys[i]->value, keys[i - 1]->line);
		if (!c->failed)
			c->failed = WSP_ECONFIG;
	}
	free(keys);
}

static struct wsp__ynode *parse_node(struct ctx *c, yaml_event_t *ev,
				     int depth);

/* Parse the children of a collection whose start event was just read. */
static struct wsp__ynode *parse_collection(struct ctx *c, yaml_event_t *start,
					   int depth)
{
	int is_map = start->type == YAML_MAPPING_START_EVENT;
	yaml_event_type_t end = is_map ? YAML_MAPPING_END_EVENT :
					 YAML_SEQUENCE_END_EVENT;
	struct wsp__ynode *node, *child;
	yaml_event_t ev;
	size_t cap = 0;

	node = new_node(c, is_map ? WSP__Y_MAP : WSP__Y_SEQ,
			&start->start_mark);
	if (!node)
		return NULL;
	if (depth > WSP__YAML_MAX_DEPTH) {
		fail(c, &start->start_mark,
		     "nesting too deep (the limit is 32 levels)");
		wsp__yaml_free(node);
		return NULL;
	}
	for (;;) {
		if (next(c, &ev) < 0)
			break;
		if (ev.type == end) {
			yaml_event_delete(&ev);
			if (is_map)
				check_duplicates(c, node);
			return node;
		}
		if (is_map && (node->n % 2) == 0 &&
		    ev.type != YAML_SCALAR_EVENT &&
		    ev.type != YAML_ALIAS_EVENT) {
			fail(c, &ev.start_mark,
			     "mapping keys must be plain strings");
			yaml_event_delete(&ev);
			break;
		}
		child = parse_node(c, &ev, depth + 1);
		yaml_event_delete(&ev);
		if (!child || append(c, node, child, &cap) < 0)
			break;
	}
	wsp__yaml_free(node);
	return NULL;
}

static struct wsp__ynode *parse_scalar(struct ctx *c, yaml_event_t *ev)
{
	struct wsp__ynode *node;
	size_t len = ev->data.scalar.length;

	if (memchr(ev->data.scalar.value, '\0', len)) {
		fail(c, &ev->start_mark, "value contains a NUL character");
		return NULL;
	}
	node = new_node(c, WSP__Y_SCALAR, &ev->start_mark);
	if (!node)
		return NULL;
	node->value = malloc(len + 1);
	if (!node->value) {
		fail_oom(c);
		free(node);
		return NULL;
	}
	memcpy(node->value, ev->data.scalar.value, len);
	node->value[len] = '\0';
	node->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ||
		      ev->data.scalar.style == YAML_ANY_SCALAR_STYLE;
	return node;
}

static struct wsp__ynode *parse_node(struct ctx *c, yaml_event_t *ev,
				     int depth)
{
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return parse_scalar(c, ev);
	case YAML_MAPPING_START_EVENT:
	case YAML_SEQUENCE_START_EVENT:
		return parse_collection(c, ev, depth);
	case YAML_ALIAS_EVENT:
		/* Aliases multiply input size; a config never needs them. */
		fail(c, &ev->start_mark,
		     "YAML aliases ('*name') are not supported; write the "
		     "value out");
		return NULL;
	default:
		fail(c, &ev->start_mark, "unexpected YAML event");
		return NULL;
	}
}

/* Read events up to and including the first of type want. */
static int expect(struct ctx *c, yaml_event_type_t want)
{
	yaml_event_t ev;
	int ok;

	if (next(c, &ev) < 0)
		return -1;
	ok = ev.type == want;
	yaml_event_delete(&ev);
	return ok ? 0 : -1;
}

int wsp__yaml_parse(struct wsp__ynode **out, const char *text, size_t len,
		    const char *file, struct wsp__diags *d)
{
	struct ctx c = { .file = file, .d = d };
	struct wsp__ynode *root = NULL;
	yaml_event_t ev;

	*out = NULL;
	if (len > WSP__YAML_MAX_BYTES) {
		wsp__diag_add(d, file, 0, 0,
			      "file is %zu bytes, more than the 1 MiB a "
			      "configuration may have",
			      len);
		return WSP_ETOOBIG;
	}
	if (!yaml_parser_initialize(&c.parser))
		return WSP_ENOMEM;
	yaml_parser_set_input_string(&c.parser, (const unsigned char *)text,
				     len);
	if (expect(&c, YAML_STREAM_START_EVENT) < 0)
		goto out;
	if (next(&c, &ev) < 0)
		goto out;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		goto out; /* empty file */
	}
	yaml_event_delete(&ev); /* DOCUMENT_START */
	if (next(&c, &ev) < 0)
		goto out;
	root = parse_node(&c, &ev, 1);
	yaml_event_delete(&ev);
	if (!root)
		goto out;
	if (expect(&c, YAML_DOCUMENT_END_EVENT) < 0)
		goto out;
	if (next(&c, &ev) < 0)
		goto out;
	if (ev.type != YAML_STREAM_END_EVENT)
		fail(&c, &ev.start_mark,
		     "more than one YAML document; keep one (no '---' "
		     "between sections)");
	yaml_event_delete(&ev);
out:
	yaml_parser_delete(&c.parser);
	if (!c.failed && !wsp__diag_count(d) && root &&
	    root->type == WSP__Y_SCALAR && wsp__yaml_is_null(root)) {
		wsp__yaml_free(root); /* a file of only comments */
		root = NULL;
	}
	if (c.failed || wsp__diag_count(d)) {
		wsp__yaml_free(root);
		return c.failed == WSP_ENOMEM ? WSP_ENOMEM : WSP_ECONFIG;
	}
	*out = root;
	return 0;
}

void wsp__yaml_free(struct wsp__ynode *node)
{
	size_t i;

	if (!node)
		return;
	for (i = 0; i < node->n; i++)
		wsp__yaml_free(node->items[i]);
	free(node->items);
	free(node->value);
	free(node);
}

int wsp__yaml_is_null(const struct wsp__ynode *node)
{
	if (!node)
		return 1;
	if (node->type != WSP__Y_SCALAR || !node->plain)
		return 0;
	return !strcmp(node->value, "") || !strcmp(node->value, "~") ||
	       !strcmp(node->value, "null") || !strcmp(node->value, "Null") ||
	       !strcmp(node->value, "NULL");
}

const char *wsp__yaml_type_name(const struct wsp__ynode *node)
{
	if (wsp__yaml_is_null(node))
		return "empty";
	switch (node->type) {
	case WSP__Y_MAP:
		return "a mapping";
	case WSP__Y_SEQ:
		return "a list";
	default:
		return "a single value";
	}
}
