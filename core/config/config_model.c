/*
 * core/config/config_model.c - the shape of wsp.yaml.
 *
 *   plugin_path: [dir, ...]            relative to the config's directory
 *   sandbox: { provider, id, options }
 *   mounts: { "/path": { provider, read_only, options }, ... }
 *   tools: { name: { enabled, name, require_approval }, ... }
 *          extension tools add { target, op } under a name of their own
 *   http: { ca_bundle, timeouts, max_attempts }   (config_http.c)
 *   search: { auto_index_paths, mode, chunking, index_path } (config_search.c)
 *   skills: [path or glob, ...]          SKILL.md locations (config_skills.c)
 *   lsp: { servers, timeouts, max_diagnostic_chars }      (config_lsp.c)
 *
 * Mounts: "/" is the root mount and may sit beside others ("/" and
 * "/data" is the usual table); any other nesting ("/data" and "/data/x")
 * is refused, as Mastra's CompositeFilesystem does, so a path never has two
 * candidate owners besides the root.
 */
#include "config.h"
#include "names.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char wsp__default_config[] =
	"# wsp's embedded default: the local sandbox and the local disk.\n"
	"sandbox:\n"
	"  provider: local\n"
	"mounts:\n"
	"  /:\n"
	"    provider: local\n"
	"    options:\n"
	"      base_path: ./workspace\n";

/* Tool names of the tool layer (Mastra's, without its prefix). */
static const char *const tool_names[] = {
	"execute_command", "get_process_output", "kill_process", "read_file",
	"write_file", "edit_file", "list_files", "delete", "file_stat",
	"mkdir", "grep", "search", "index", "lsp_inspect",
	"skill", "skill_search", "skill_read",
	NULL
};

struct model {
	struct wsp__config *cfg;
	struct wsp__diags *d;
	int oom;
};

#define AT(n) (n)->line, (n)->col

static void err_at(struct model *m, const struct wsp__ynode *n,
		   const char *fmt, ...) WSP_PRINTF(3, 4);

static void err_at(struct model *m, const struct wsp__ynode *n,
		   const char *fmt, ...)
{
	char msg[WSP_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	wsp__diag_add(m->d, m->cfg->file, n ? n->line : 0, n ? n->col : 0,
		      "%s", msg);
}

static void unknown_key(struct model *m, const struct wsp__ynode *key,
			const char *where, const char *const *known)
{
	wsp__diag_unknown_key(m->d, m->cfg->file, key, where, known);
}

int wsp__config_section(struct wsp__config *cfg, const struct wsp__ynode *n,
			const char *where, const char *const *known,
			wsp__config_key_fn key, struct wsp__diags *d)
{
	const struct wsp__ynode *k, *val;
	size_t i, j;
	int rc = 0;

	if (wsp__yaml_is_null(n))
		return 0;
	if (n->type != WSP__Y_MAP) {
		wsp__diag_add(d, cfg->file, AT(n),
			      "%s must be a mapping (key: value lines), not %s",
			      where, wsp__yaml_type_name(n));
		return 0;
	}
	for (i = 0; !rc && i + 1 < n->n; i += 2) {
		k = n->items[i];
		val = n->items[i + 1];
		for (j = 0; known[j] && strcmp(known[j], k->value); j++)
			;
		if (!known[j])
			wsp__diag_unknown_key(d, cfg->file, k, where, known);
		else if (!wsp__yaml_is_null(val)) /* `key:` is not given */
			rc = key(cfg, j, k, val, d);
	}
	return rc;
}

/* Expand ${VAR} in every scalar value (keys stay as written). */
static void expand_tree(struct model *m, struct wsp__ynode *n, int is_key)
{
	char why[160], *val;
	size_t i;
	int rc;

	if (n->type == WSP__Y_SCALAR) {
		if (is_key || !strchr(n->value, '$'))
			return;
		rc = wsp__config_expand(&val, n->value, why, sizeof(why));
		if (rc == WSP_ENOMEM) {
			m->oom = 1;
			return;
		}
		if (rc) {
			err_at(m, n, "%s", why);
			return;
		}
		free(n->value);
		n->value = val;
		return;
	}
	for (i = 0; i < n->n; i++)
		expand_tree(m, n->items[i], n->type == WSP__Y_MAP && !(i % 2));
}

static int want_map(struct model *m, const struct wsp__ynode *n,
		    const char *what)
{
	if (n->type == WSP__Y_MAP)
		return 1;
	err_at(m, n, "%s must be a mapping (key: value lines), not %s", what,
	       wsp__yaml_type_name(n));
	return 0;
}

static const char *want_scalar(struct model *m, const struct wsp__ynode *n,
			       const char *what)
{
	if (n->type == WSP__Y_SCALAR && !wsp__yaml_is_null(n))
		return n->value;
	err_at(m, n, "%s must be a single value, not %s", what,
	       wsp__yaml_type_name(n));
	return NULL;
}

static int want_bool(struct model *m, const struct wsp__ynode *n,
		     const char *what)
{
	struct wsp__optval v = { 0 };
	char why[128];

	if (!want_scalar(m, n, what))
		return -1;
	if (wsp__optvalue_parse(&v, WSP_OPT_BOOL, n->value, why,
				sizeof(why))) {
		err_at(m, n, "%s: %s", what, why);
		return -1;
	}
	return v.b;
}

/* An id names state on disk: keep it a plain file name. */
static int valid_id(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') ||
		      (i && (s[i] == '_' || s[i] == '-' || s[i] == '.'))))
			return 0;
	return i > 0 && i <= 64;
}

/* provider:, options: and the extra keys of a sandbox or mount entry. */
static void parse_provider_entry(struct model *m, const struct wsp__ynode *n,
				 struct wsp__provider_ref *ref,
				 const char *where,
				 void (*extra)(struct model *,
					       const struct wsp__ynode *key,
					       const struct wsp__ynode *val,
					       void *arg),
				 void *arg)
{
	const struct wsp__ynode *key, *val;
	const char *name;
	char what[96];
	size_t i;

	ref->node = n;
	if (!want_map(m, n, where))
		return;
	for (i = 0; i + 1 < n->n; i += 2) {
		key = n->items[i];
		val = n->items[i + 1];
		if (!strcmp(key->value, "provider")) {
			snprintf(what, sizeof(what), "'provider' of %s",
				 where);
			name = want_scalar(m, val, what);
			if (!name)
				continue;
			if (!wsp__provider_name_ok(name)) {
				err_at(m, val,
				       "bad provider name '%.64s'; names use "
				       "a-z, 0-9, '_' and '-' (like 'local' "
				       "or 's3')",
				       name);
				continue;
			}
			ref->provider = name;
			ref->prov_node = val;
		} else if (!strcmp(key->value, "options")) {
			if (wsp__yaml_is_null(val))
				continue;
			snprintf(what, sizeof(what), "'options' of %s", where);
			if (want_map(m, val, what))
				ref->options = val;
		} else {
			extra(m, key, val, arg);
		}
	}
	if (!ref->provider && !ref->prov_node) {
		for (i = 0; i + 1 < n->n; i += 2)
			if (!strcmp(n->items[i]->value, "provider"))
				return; /* reported above */
		err_at(m, n, "%s has no 'provider'; add e.g. 'provider: local'",
		       where);
	}
}

static void sandbox_extra(struct model *m, const struct wsp__ynode *key,
			  const struct wsp__ynode *val, void *arg)
{
	static const char *const known[] = { "provider", "id", "options",
					     NULL };
	const char *id;

	(void)arg;
	if (strcmp(key->value, "id")) {
		unknown_key(m, key, "'sandbox'", known);
		return;
	}
	id = want_scalar(m, val, "'id' of 'sandbox'");
	if (!id)
		return;
	if (!valid_id(id)) {
		err_at(m, val,
		       "bad sandbox id '%.64s'; use up to 64 letters, digits, "
		       "'.', '_' or '-' (like 'dev-box')",
		       id);
		return;
	}
	m->cfg->sandbox_id = id;
}

/* FNV-1a of the config directory: stable, and distinct per directory. */
static const char *default_sandbox_id(struct wsp__config *cfg)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	const unsigned char *p;

	for (p = (const unsigned char *)cfg->dir; *p; p++)
		h = (h ^ *p) * UINT64_C(0x100000001b3);
	snprintf(cfg->default_sandbox_id, sizeof(cfg->default_sandbox_id),
		 "ws-%016llx", (unsigned long long)h);
	return cfg->default_sandbox_id;
}

static void parse_sandbox(struct model *m, const struct wsp__ynode *n)
{
	if (wsp__yaml_is_null(n))
		return;
	m->cfg->sandbox_id = default_sandbox_id(m->cfg);
	parse_provider_entry(m, n, &m->cfg->sandbox, "'sandbox'",
			     sandbox_extra, NULL);
	m->cfg->has_sandbox = m->cfg->sandbox.provider != NULL;
}

/*
 * Normalise a mount path: absolute, single slashes, no trailing slash,
 * no "." or ".." components. Returns NULL (with why) when it is not one.
 */
static char *normalise_mount(const char *in, const char **why)
{
	char *out, *o;
	const char *s = in, *e;
	size_t len;

	if (in[0] != '/') {
		*why = "must be absolute (start with '/')";
		return NULL;
	}
	out = malloc(strlen(in) + 2);
	if (!out) {
		*why = NULL;
		return NULL;
	}
	o = out;
	while (*s) {
		while (*s == '/')
			s++;
		if (!*s)
			break;
		e = strchr(s, '/');
		len = e ? (size_t)(e - s) : strlen(s);
		if ((len == 1 && s[0] == '.') ||
		    (len == 2 && s[0] == '.' && s[1] == '.')) {
			*why = "may not contain '.' or '..'";
			free(out);
			return NULL;
		}
		*o++ = '/';
		memcpy(o, s, len);
		o += len;
		s += len;
	}
	if (o == out)
		*o++ = '/';
	*o = '\0';
	return out;
}

/* a is a strict path prefix of b ("/data" of "/data/x"; not "/dat"). */
static int path_contains(const char *a, const char *b)
{
	size_t n = strlen(a);

	return strncmp(a, b, n) == 0 && b[n] == '/';
}

struct mount_arg {
	struct wsp__mount_cfg *mnt;
	char where[96];
};

/*
 * sandbox_path: an absolute path inside the sandbox where it mounts this
 * store too (wsp_sandbox_start does); not "/", which is the sandbox's own.
 */
static void mount_sandbox_path(struct model *m, const struct wsp__ynode *val,
			       struct mount_arg *ma)
{
	char what[128];
	const char *v, *why;
	char *p;

	snprintf(what, sizeof(what), "'sandbox_path' of %s", ma->where);
	v = want_scalar(m, val, what);
	if (!v)
		return;
	p = normalise_mount(v, &why);
	if (!p) {
		if (!why)
			m->oom = 1;
		else
			err_at(m, val, "%s '%.64s' %s", what, v, why);
		return;
	}
	if (!strcmp(p, "/")) {
		err_at(m, val, "%s may not be '/': the sandbox's own root",
		       what);
		free(p);
		return;
	}
	free(ma->mnt->sandbox_path);
	ma->mnt->sandbox_path = p;
	ma->mnt->sandbox_node = val;
}

static void mount_extra(struct model *m, const struct wsp__ynode *key,
			const struct wsp__ynode *val, void *arg)
{
	static const char *const known[] = { "provider", "read_only",
					     "sandbox_path", "options", NULL };
	struct mount_arg *ma = arg;
	char what[128];
	int b;

	if (!strcmp(key->value, "sandbox_path")) {
		mount_sandbox_path(m, val, ma);
		return;
	}
	if (strcmp(key->value, "read_only")) {
		unknown_key(m, key, ma->where, known);
		return;
	}
	snprintf(what, sizeof(what), "'read_only' of %s", ma->where);
	b = want_bool(m, val, what);
	if (b >= 0)
		ma->mnt->read_only = b;
}

static void parse_mounts(struct model *m, const struct wsp__ynode *n)
{
	struct wsp__config *cfg = m->cfg;
	const struct wsp__ynode *key;
	struct mount_arg ma;
	const char *why;
	size_t i, j;
	char *path;

	if (wsp__yaml_is_null(n) || !want_map(m, n, "'mounts'"))
		return;
	cfg->mounts = calloc(n->n / 2 + 1, sizeof(*cfg->mounts));
	if (!cfg->mounts) {
		m->oom = 1;
		return;
	}
	for (i = 0; i + 1 < n->n; i += 2) {
		key = n->items[i];
		path = normalise_mount(key->value, &why);
		if (!path) {
			if (!why)
				m->oom = 1;
			else
				err_at(m, key, "mount path '%.64s' %s",
				       key->value, why);
			continue;
		}
		for (j = 0; j < cfg->n_mounts; j++) {
			const char *other = cfg->mounts[j].path;

			if (!strcmp(other, path)) {
				err_at(m, key,
				       "mount '%.64s' is listed twice (first "
				       "at line %u); keep one",
				       path, cfg->mounts[j].key->line);
				break;
			}
			if (strcmp(other, "/") && strcmp(path, "/") &&
			    (path_contains(other, path) ||
			     path_contains(path, other))) {
				err_at(m, key,
				       "mount '%.64s' nests with mount "
				       "'%.64s'; only '/' may hold other "
				       "mounts, so give each its own top path",
				       path, other);
				break;
			}
		}
		if (j < cfg->n_mounts) {
			free(path);
			continue;
		}
		ma.mnt = &cfg->mounts[cfg->n_mounts++];
		ma.mnt->path = path;
		ma.mnt->key = key;
		snprintf(ma.where, sizeof(ma.where), "mount '%.64s'", path);
		parse_provider_entry(m, n->items[i + 1], &ma.mnt->ref,
				     ma.where, mount_extra, &ma);
	}
	/* Two stores at one place in the sandbox: which would win is a guess */
	for (i = 0; i < cfg->n_mounts; i++)
		for (j = 0; j < i && cfg->mounts[i].sandbox_path; j++)
			if (cfg->mounts[j].sandbox_path &&
			    !strcmp(cfg->mounts[i].sandbox_path,
				    cfg->mounts[j].sandbox_path)) {
				err_at(m, cfg->mounts[i].sandbox_node,
				       "mounts '%.64s' and '%.64s' have the "
				       "same sandbox_path '%.64s'",
				       cfg->mounts[j].path,
				       cfg->mounts[i].path,
				       cfg->mounts[i].sandbox_path);
				break;
			}
}

/* What MCP clients accept as a tool name. */
static int valid_tool_name(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '-'))
			return 0;
	return i > 0 && i <= 64;
}

static int has_key(const struct wsp__ynode *map, const char *key)
{
	size_t i;

	for (i = 0; map->type == WSP__Y_MAP && i + 1 < map->n; i += 2)
		if (!strcmp(map->items[i]->value, key))
			return 1;
	return 0;
}

/* The keys of one tools.<name> entry; target and op only for t->ext. */
static void parse_tool_entry(struct model *m, struct wsp__tool_cfg *t,
			     const struct wsp__ynode *val, const char *where)
{
	static const char *const known[] = { "enabled", "name",
					     "require_approval", NULL };
	static const char *const known_ext[] = { "enabled", "name",
						 "require_approval", "target",
						 "op", NULL };
	const struct wsp__ynode *k, *v;
	size_t j;
	int b;

	for (j = 0; j + 1 < val->n; j += 2) {
		k = val->items[j];
		v = val->items[j + 1];
		if (!strcmp(k->value, "enabled")) {
			b = want_bool(m, v, "'enabled'");
			if (b >= 0)
				t->enabled = b;
		} else if (!strcmp(k->value, "require_approval")) {
			b = want_bool(m, v, "'require_approval'");
			if (b >= 0)
				t->require_approval = b;
		} else if (!strcmp(k->value, "name")) {
			t->rename = want_scalar(m, v, "'name'");
			if (t->rename && !valid_tool_name(t->rename)) {
				err_at(m, v,
				       "bad tool name '%.64s'; use up to 64 "
				       "letters, digits, '_' or '-'",
				       t->rename);
				t->rename = NULL;
			}
		} else if (t->ext && !strcmp(k->value, "target")) {
			t->target = want_scalar(m, v, "'target'");
		} else if (t->ext && !strcmp(k->value, "op")) {
			t->op = want_scalar(m, v, "'op'");
			/* an operation's name, as <wsp/plugin.h> has it */
			if (t->op && !wsp__ext_op_name_ok(t->op)) {
				err_at(m, v,
				       "bad extension operation name '%.64s'; "
				       "'wsp plugins' lists a provider's "
				       "operations",
				       t->op);
				t->op = NULL;
			}
			t->op_node = v;
		} else {
			unknown_key(m, k, where, t->ext ? known_ext : known);
		}
	}
	if (t->ext && !t->target && !has_key(val, "target"))
		err_at(m, t->node,
		       "%s has no 'target'; name the sandbox's provider, a "
		       "mount's provider or a mount path",
		       where);
	if (t->ext && !t->op && !has_key(val, "op"))
		err_at(m, t->node,
		       "%s has no 'op'; name one of the provider's extension "
		       "operations ('wsp ext TARGET' lists them)",
		       where);
}

/*
 * tools.<name>: a built-in tool's settings, or, under any other name
 * with `target:` and `op:`, an extension operation exposed as a tool.
 */
static void parse_tools(struct model *m, const struct wsp__ynode *n)
{
	struct wsp__config *cfg = m->cfg;
	const struct wsp__ynode *key, *val;
	struct wsp__tool_cfg *t;
	const char *hint;
	char where[96];
	size_t i, j;
	int ext;

	if (wsp__yaml_is_null(n) || !want_map(m, n, "'tools'"))
		return;
	cfg->tools = calloc(n->n / 2 + 1, sizeof(*cfg->tools));
	if (!cfg->tools) {
		m->oom = 1;
		return;
	}
	for (i = 0; i + 1 < n->n; i += 2) {
		key = n->items[i];
		val = n->items[i + 1];
		for (j = 0; tool_names[j]; j++)
			if (!strcmp(tool_names[j], key->value))
				break;
		ext = !tool_names[j] &&
		      (has_key(val, "target") || has_key(val, "op"));
		if (!tool_names[j] && !ext) {
			hint = wsp__suggest(key->value, tool_names);
			if (hint)
				err_at(m, key,
				       "unknown tool '%.64s'; did you mean "
				       "'%s'?",
				       key->value, hint);
			else
				err_at(m, key,
				       "unknown tool '%.64s'; 'wsp tools' "
				       "lists them",
				       key->value);
			continue;
		}
		if (ext && !valid_tool_name(key->value)) {
			err_at(m, key,
			       "bad tool name '%.64s'; use up to 64 letters, "
			       "digits, '_' or '-'",
			       key->value);
			continue;
		}
		t = &cfg->tools[cfg->n_tools++];
		t->tool = ext ? key->value : tool_names[j];
		t->node = key;
		t->ext = ext;
		t->enabled = 1;
		t->require_approval = -1;
		if (wsp__yaml_is_null(val))
			continue;
		snprintf(where, sizeof(where), "tool '%.64s'", t->tool);
		if (want_map(m, val, where))
			parse_tool_entry(m, t, val, where);
	}
}

char *wsp__config_join(const char *dir, const char *rel)
{
	size_t a = strlen(dir), b = strlen(rel);
	char *p;

	if (rel[0] == '/')
		return strdup(rel);
	p = malloc(a + b + 2);
	if (!p)
		return NULL;
	memcpy(p, dir, a);
	p[a] = '/';
	memcpy(p + a + 1, rel, b + 1);
	return p;
}

static void add_plugin_dir(struct model *m, const struct wsp__ynode *n)
{
	struct wsp__config *cfg = m->cfg;
	const char *s = want_scalar(m, n, "an entry of 'plugin_path'");
	char *p;

	if (!s)
		return;
	p = wsp__config_join(cfg->dir, s);
	if (!p) {
		m->oom = 1;
		return;
	}
	cfg->plugin_path_nodes[cfg->n_plugin_path] = n;
	cfg->plugin_path[cfg->n_plugin_path++] = p;
}

static void parse_plugin_path(struct model *m, const struct wsp__ynode *n)
{
	struct wsp__config *cfg = m->cfg;
	size_t i, cap = n->type == WSP__Y_SEQ ? n->n : 1;

	if (wsp__yaml_is_null(n))
		return;
	if (n->type == WSP__Y_MAP) {
		err_at(m, n, "'plugin_path' must be a list of directories, "
			     "not a mapping");
		return;
	}
	cfg->plugin_path = calloc(cap + 1, sizeof(*cfg->plugin_path));
	cfg->plugin_path_nodes =
		calloc(cap + 1, sizeof(*cfg->plugin_path_nodes));
	if (!cfg->plugin_path || !cfg->plugin_path_nodes) {
		m->oom = 1;
		return;
	}
	if (n->type == WSP__Y_SCALAR) {
		add_plugin_dir(m, n);
		return;
	}
	for (i = 0; i < n->n; i++)
		add_plugin_dir(m, n->items[i]);
}

static void parse_root(struct model *m, const struct wsp__ynode *root)
{
	static const char *const known[] = { "plugin_path", "sandbox",
					     "mounts", "tools", "http",
					     "search", "skills", "lsp", NULL };
	const struct wsp__ynode *key, *val;
	size_t i;

	if (!root)
		return;
	if (!want_map(m, root, "the configuration"))
		return;
	for (i = 0; i + 1 < root->n; i += 2) {
		key = root->items[i];
		val = root->items[i + 1];
		if (!strcmp(key->value, "plugin_path"))
			parse_plugin_path(m, val);
		else if (!strcmp(key->value, "sandbox"))
			parse_sandbox(m, val);
		else if (!strcmp(key->value, "mounts"))
			parse_mounts(m, val);
		else if (!strcmp(key->value, "tools"))
			parse_tools(m, val);
		else if (!strcmp(key->value, "http"))
			m->oom |= wsp__config_http_parse(m->cfg, val, m->d) ==
				  WSP_ENOMEM;
		else if (!strcmp(key->value, "search"))
			m->oom |= wsp__config_search_parse(m->cfg, val,
							   m->d) == WSP_ENOMEM;
		else if (!strcmp(key->value, "skills"))
			m->oom |= wsp__config_skills_parse(m->cfg, val,
							   m->d) == WSP_ENOMEM;
		else if (!strcmp(key->value, "lsp"))
			m->oom |= wsp__config_lsp_parse(m->cfg, val, m->d) ==
				  WSP_ENOMEM;
		else
			unknown_key(m, key, "the configuration", known);
	}
}

int wsp__config_parse(struct wsp__config **out, const char *text, size_t len,
		      const char *file, const char *dir, int is_file,
		      struct wsp__diags *d)
{
	struct wsp__config *cfg;
	struct model m = { 0 };
	int rc;

	*out = NULL;
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return WSP_ENOMEM;
	cfg->file = strdup(file);
	cfg->dir = strdup(dir);
	cfg->is_file = is_file;
	if (!cfg->file || !cfg->dir) {
		wsp__config_free(cfg);
		return WSP_ENOMEM;
	}
	rc = wsp__yaml_parse(&cfg->root, text, len, cfg->file, d);
	if (rc) {
		wsp__config_free(cfg);
		return rc == WSP_ETOOBIG ? WSP_ECONFIG : rc;
	}
	m.cfg = cfg;
	m.d = d;
	if (cfg->root)
		expand_tree(&m, cfg->root, 0);
	parse_root(&m, cfg->root);
	if (m.oom || d->oom) {
		wsp__config_free(cfg);
		return WSP_ENOMEM;
	}
	if (wsp__diag_count(d)) {
		wsp__config_free(cfg);
		return WSP_ECONFIG;
	}
	*out = cfg;
	return 0;
}

void wsp__config_free(struct wsp__config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	for (i = 0; i < cfg->n_plugin_path; i++)
		free(cfg->plugin_path[i]);
	free(cfg->plugin_path);
	free(cfg->plugin_path_nodes);
	for (i = 0; i < cfg->n_mounts; i++) {
		free(cfg->mounts[i].path);
		free(cfg->mounts[i].sandbox_path);
	}
	free(cfg->mounts);
	free(cfg->tools);
	free(cfg->http.ca_bundle);
	wsp__config_search_free(&cfg->search);
	wsp__config_skills_free(&cfg->skills);
	wsp__config_lsp_free(&cfg->lsp);
	wsp__yaml_free(cfg->root);
	free(cfg->file);
	free(cfg->dir);
	free(cfg);
}
