/*
 * core/config/config_lsp.c - the lsp: section of wsp.yaml (issue 20, docs/lsp.md).
 *
 *   lsp:
 *     servers:                     a list of preset names, or a mapping
 *       clangd: {}                 preset: C and C++
 *       pylsp: {}                  preset: Python
 *       mine:                      any other server: command + file_types
 *         command: [my-ls, --stdio]   argv, or one string split on spaces
 *         file_types: [foo, .bar]     extensions (a leading dot is optional)
 *         language_id: foo            default: from the extension
 *     init_timeout: 15s            start + initialize (Mastra's initTimeout)
 *     diagnostic_timeout: 5s       wait for a file's diagnostics
 *     max_diagnostic_chars: 2000   text appended to a write's result
 *
 * A preset's keys may be overridden one by one. Counts and lengths are
 * bounded: the file is untrusted input, and the command is what runs.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AT(n)	 (n)->line, (n)->col
#define MAX_WORD 1024

static const char *const known[] = {"servers", "init_timeout",
				    "diagnostic_timeout",
				    "max_diagnostic_chars", NULL};
static const char *const server_keys[] = {"command", "file_types",
					  "language_id", NULL};

struct preset {
	const char *name;
	const char *argv[4];
	const char *types[9];
};

/*
 * clangd's background index would write .cache/clangd into the
 * workspace; diagnostics and lookups need only the open files.
 */
static const struct preset presets[] = {
	{"clangd",
	 {"clangd", "--background-index=false", "--log=error", NULL},
	 {"c", "h", "cc", "cpp", "cxx", "hpp", "hh", "hxx", NULL}},
	{"pylsp", {"pylsp", NULL, NULL, NULL}, {"py", "pyi", NULL}},
};

void wsp__config_lsp_free(struct wsp__lsp_cfg *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->servers[i].cmd_copy);
	memset(l, 0, sizeof(*l));
}

static int word_ok(struct wsp__config *cfg, const struct wsp__ynode *n,
		   const char *what, struct wsp__diags *d)
{
	if (n->type != WSP__Y_SCALAR || wsp__yaml_is_null(n) || !n->value[0] ||
	    strlen(n->value) > MAX_WORD) {
		wsp__diag_add(d, cfg->file, AT(n),
			      "%s of 'lsp' must be a non-empty string of at "
			      "most %d bytes",
			      what, MAX_WORD);
		return 0;
	}
	return 1;
}

static int parse_command(struct wsp__config *cfg, struct wsp__lsp_server_cfg *s,
			 const struct wsp__ynode *n, struct wsp__diags *d)
{
	size_t i, argc = 0;
	char *p, *save = NULL;

	if (n->type == WSP__Y_SEQ) {
		if (!n->n || n->n > WSP__LSP_MAX_ARGS) {
			wsp__diag_add(d, cfg->file, AT(n),
				      "'command' of 'lsp' server '%s' must "
				      "have 1 to %d items",
				      s->name, WSP__LSP_MAX_ARGS);
			return 0;
		}
		for (i = 0; i < n->n; i++) {
			if (!word_ok(cfg, n->items[i], "an item of 'command'",
				     d))
				return 0;
			s->argv[i] = n->items[i]->value;
		}
		s->argv[n->n] = NULL;
		return 0;
	}
	if (!word_ok(cfg, n, "'command'", d))
		return 0;
	free(s->cmd_copy);
	s->cmd_copy = strdup(n->value);
	if (!s->cmd_copy)
		return WSP_ENOMEM;
	for (p = strtok_r(s->cmd_copy, " \t", &save); p;
	     p = strtok_r(NULL, " \t", &save)) {
		if (argc == WSP__LSP_MAX_ARGS) {
			wsp__diag_add(d, cfg->file, AT(n),
				      "'command' of 'lsp' server '%s' has more "
				      "than %d words",
				      s->name, WSP__LSP_MAX_ARGS);
			return 0;
		}
		s->argv[argc++] = p;
	}
	s->argv[argc] = NULL;
	if (!argc)
		wsp__diag_add(d, cfg->file, AT(n),
			      "'command' of 'lsp' server '%s' is empty",
			      s->name);
	return 0;
}

static void parse_types(struct wsp__config *cfg, struct wsp__lsp_server_cfg *s,
			const struct wsp__ynode *n, struct wsp__diags *d)
{
	size_t i, cnt = n->type == WSP__Y_SEQ ? n->n : 1;
	const struct wsp__ynode *it;
	const char *v;

	if (n->type == WSP__Y_MAP || !cnt || cnt > WSP__LSP_MAX_TYPES) {
		wsp__diag_add(d, cfg->file, AT(n),
			      "'file_types' of 'lsp' server '%s' must be a "
			      "list of 1 to %d extensions",
			      s->name, WSP__LSP_MAX_TYPES);
		return;
	}
	for (i = 0; i < cnt; i++) {
		it = n->type == WSP__Y_SEQ ? n->items[i] : n;
		if (!word_ok(cfg, it, "a file type", d))
			return;
		v = it->value + (it->value[0] == '.');
		if (!*v || strchr(v, '/')) {
			wsp__diag_add(d, cfg->file, AT(it),
				      "'%.64s' is not a file extension",
				      it->value);
			return;
		}
		s->types[i] = v;
	}
	s->types[cnt] = NULL;
}

static int parse_server(struct wsp__config *cfg, const struct wsp__ynode *key,
			const struct wsp__ynode *val, struct wsp__diags *d)
{
	struct wsp__lsp_cfg *l = &cfg->lsp;
	struct wsp__lsp_server_cfg *s;
	const struct wsp__ynode *k, *v;
	size_t i, j;
	int rc = 0;

	if (!word_ok(cfg, key, "a server name", d))
		return 0;
	if (l->n == WSP__LSP_MAX_SERVERS) {
		wsp__diag_add(d, cfg->file, AT(key),
			      "'lsp' names more than %d servers",
			      WSP__LSP_MAX_SERVERS);
		return 0;
	}
	s = &l->servers[l->n++];
	s->name = key->value;
	s->node = key;
	for (i = 0; i < sizeof(presets) / sizeof(presets[0]); i++) {
		if (strcmp(presets[i].name, s->name))
			continue;
		memcpy(s->argv, presets[i].argv, sizeof(presets[i].argv));
		memcpy(s->types, presets[i].types, sizeof(presets[i].types));
	}
	if (val && !wsp__yaml_is_null(val) && val->type != WSP__Y_MAP) {
		wsp__diag_add(d, cfg->file, AT(val),
			      "'lsp' server '%s' must be a mapping (command, "
			      "file_types, language_id), not %s",
			      s->name, wsp__yaml_type_name(val));
		return 0;
	}
	for (i = 0; val && val->type == WSP__Y_MAP && !rc && i + 1 < val->n;
	     i += 2) {
		k = val->items[i];
		v = val->items[i + 1];
		for (j = 0; server_keys[j] && strcmp(server_keys[j], k->value);
		     j++)
			;
		if (!server_keys[j])
			wsp__diag_unknown_key(d, cfg->file, k,
					      "an 'lsp' server", server_keys);
		else if (j == 0)
			rc = parse_command(cfg, s, v, d);
		else if (j == 1)
			parse_types(cfg, s, v, d);
		else if (word_ok(cfg, v, "'language_id'", d))
			s->language_id = v->value;
	}
	if (!s->argv[0] || !s->types[0])
		wsp__diag_add(d, cfg->file, AT(key),
			      "'lsp' server '%s' is not a preset (clangd, "
			      "pylsp): give its 'command' and 'file_types'",
			      s->name);
	return rc;
}

static int parse_servers(struct wsp__config *cfg, const struct wsp__ynode *n,
			 struct wsp__diags *d)
{
	size_t i;
	int rc = 0;

	if (n->type == WSP__Y_SEQ) {
		for (i = 0; !rc && i < n->n; i++)
			rc = parse_server(cfg, n->items[i], NULL, d);
		return rc;
	}
	if (n->type != WSP__Y_MAP) {
		wsp__diag_add(d, cfg->file, AT(n),
			      "'servers' of 'lsp' must be a list of preset "
			      "names or a mapping of servers, not %s",
			      wsp__yaml_type_name(n));
		return 0;
	}
	for (i = 0; !rc && i + 1 < n->n; i += 2)
		rc = parse_server(cfg, n->items[i], n->items[i + 1], d);
	return rc;
}

static int lsp_key(struct wsp__config *cfg, size_t k,
		   const struct wsp__ynode *key, const struct wsp__ynode *val,
		   struct wsp__diags *d)
{
	struct wsp__lsp_cfg *l = &cfg->lsp;
	struct wsp__optval v = {0};
	char why[160];

	if (k == 0)
		return parse_servers(cfg, val, d);
	if (val->type != WSP__Y_SCALAR ||
	    wsp__optvalue_parse(&v, k == 3 ? WSP_OPT_INT : WSP_OPT_DURATION,
				val->value, why, sizeof(why))) {
		wsp__diag_add(d, cfg->file, AT(val), "'%s' of 'lsp' must be %s",
			      key->value,
			      k == 3 ? "a whole number" : "a duration");
		return 0;
	}
	if (k == 3) {
		if (v.i < 100 || v.i > 100000) {
			wsp__diag_add(d, cfg->file, AT(val),
				      "'max_diagnostic_chars' of 'lsp' is out "
				      "of range; use 100 to 100000");
			return 0;
		}
		l->max_chars = (uint64_t)v.i;
		return 0;
	}
	if (v.i < 100 || v.i > 600000) {
		wsp__diag_add(d, cfg->file, AT(val),
			      "'%s' of 'lsp' is out of range; use 100ms to "
			      "10m",
			      key->value);
		return 0;
	}
	if (k == 1)
		l->init_timeout_ms = v.i;
	else
		l->diagnostic_timeout_ms = v.i;
	return 0;
}

int wsp__config_lsp_parse(struct wsp__config *cfg, const struct wsp__ynode *n,
			  struct wsp__diags *d)
{
	struct wsp__lsp_cfg *l = &cfg->lsp;

	l->configured = 1;
	l->init_timeout_ms = 15000; /* Mastra's defaults */
	l->diagnostic_timeout_ms = 5000;
	l->max_chars = 2000;
	return wsp__config_section(cfg, n, "'lsp'", known, lsp_key, d);
}
