/*
 * core/config/config_show.c - the effective configuration, as YAML or JSON.
 *
 * Variables are resolved and provider defaults filled in; the value of
 * every secret option is replaced by "********", whatever it was, and so
 * is every occurrence of a secret's value in any other string (a secret
 * fed through ${VAR} into an endpoint or a sandbox env value too). The
 * document is built once as a cJSON tree and then printed either way.
 */
#include "http.h"
#include "workspace_impl.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MASK WSP__SECRET_MASK

static cJSON *option_value(const wsp_option_spec *s,
			   const struct wsp__optval *v)
{
	cJSON *arr;
	size_t i;

	switch (s->type) {
	case WSP_OPT_SECRET:
		return cJSON_CreateString(MASK);
	case WSP_OPT_BOOL:
		return cJSON_CreateBool(v->b);
	case WSP_OPT_INT:
		if (v->i > -(INT64_C(1) << 53) && v->i < (INT64_C(1) << 53))
			return cJSON_CreateNumber((double)v->i);
		return cJSON_CreateString(v->text);
	case WSP_OPT_LIST:
		arr = cJSON_CreateArray();
		for (i = 0; arr && i < v->n_items; i++)
			cJSON_AddItemToArray(arr,
					     cJSON_CreateString(v->items[i]));
		return arr;
	case WSP_OPT_MAP:
		arr = cJSON_CreateObject();
		for (i = 0; arr && i + 1 < v->n_items; i += 2)
			cJSON_AddItemToObject(
				arr, v->items[i],
				cJSON_CreateString(v->items[i + 1]));
		return arr;
	default:
		return cJSON_CreateString(v->text ? v->text : "");
	}
}

static cJSON *options_json(const wsp_config *cfg)
{
	cJSON *obj = cJSON_CreateObject();
	size_t i;

	for (i = 0; obj && i < cfg->n; i++)
		if (cfg->vals[i].set)
			cJSON_AddItemToObject(obj, cfg->spec[i].name,
					      option_value(&cfg->spec[i],
							   &cfg->vals[i]));
	return obj;
}

static int instance_json(cJSON *obj, wsp_workspace *ws, struct wsp__inst *in,
			 wsp_error *err)
{
	struct wsp__diags d = { 0 };
	int rc;

	rc = wsp__inst_prepare(ws, in, &d, err);
	wsp__diag_clear(&d);
	if (rc)
		return rc;
	cJSON_AddStringToObject(obj, "provider", in->ref->provider);
	cJSON_AddItemToObject(obj, "options", options_json(in->opts));
	return 0;
}

/* ms as the text of the largest unit that reads back the same ("30s"). */
static cJSON *duration_json(int64_t ms)
{
	static const struct {
		const char *unit;
		int64_t ms;
	} units[] = { { "d", 86400000 }, { "h", 3600000 }, { "m", 60000 },
		      { "s", 1000 },	 { "ms", 1 } };
	char text[32];
	size_t i;

	for (i = 0; ms && units[i].ms > 1 && ms % units[i].ms; i++)
		;
	snprintf(text, sizeof(text), "%lld%s",
		 (long long)(ms / units[i].ms), units[i].unit);
	return cJSON_CreateString(text);
}

/* The settings requests through this workspace get (defaults filled). */
static void http_json(cJSON *root, const struct wsp__http_cfg *http)
{
	cJSON *obj = cJSON_AddObjectToObject(root, "http");
	wsp__http_settings s;
	char *ca;

	wsp__http_effective(&s, &ca, &http->set);
	free(ca); /* only a configured file is shown, not the environment */
	if (!obj)
		return;
	if (http->ca_bundle)
		cJSON_AddStringToObject(obj, "ca_bundle", http->ca_bundle);
	cJSON_AddItemToObject(obj, "connect_timeout",
			      duration_json(s.connect_timeout_ms));
	cJSON_AddItemToObject(obj, "timeout", duration_json(s.timeout_ms));
	cJSON_AddItemToObject(obj, "low_speed_time",
			      duration_json(s.low_speed_time_ms));
	cJSON_AddNumberToObject(obj, "low_speed_limit",
				(double)s.low_speed_limit);
	cJSON_AddNumberToObject(obj, "max_attempts", s.max_attempts);
}

/* search:, when configured, with the defaults filled in. */
static void search_json(cJSON *root, const struct wsp__search_cfg *s)
{
	cJSON *obj, *paths, *e;
	size_t i;

	if (!s->configured ||
	    !(obj = cJSON_AddObjectToObject(root, "search")))
		return;
	paths = cJSON_AddArrayToObject(obj, "auto_index_paths");
	for (i = 0; paths && i < s->n_paths; i++)
		cJSON_AddItemToArray(paths, cJSON_CreateString(s->paths[i]));
	cJSON_AddStringToObject(obj, "mode", wsp__search_mode_name(s->mode));
	cJSON_AddNumberToObject(obj, "vector_weight", s->vector_weight);
	if (s->embed.url && (e = cJSON_AddObjectToObject(obj, "embeddings"))) {
		cJSON_AddStringToObject(e, "url", s->embed.url);
		cJSON_AddStringToObject(e, "model", s->embed.model);
		if (s->embed.api_key)
			cJSON_AddStringToObject(e, "api_key", MASK);
		if (s->embed.dimensions)
			cJSON_AddNumberToObject(e, "dimensions",
						s->embed.dimensions);
		cJSON_AddNumberToObject(e, "batch_size", s->embed.batch_size);
	}
	cJSON_AddNumberToObject(obj, "max_chunk_chars", s->chunk_chars);
	cJSON_AddNumberToObject(obj, "overlap_lines", s->overlap_lines);
	cJSON_AddNumberToObject(obj, "max_file_size",
				(double)s->max_file_size);
	cJSON_AddNumberToObject(obj, "max_files", (double)s->max_files);
	if (s->index_path)
		cJSON_AddStringToObject(obj, "index_path", s->index_path);
}

/* skills:, when configured. */
static void skills_json(cJSON *root, const struct wsp__skills_cfg *s)
{
	cJSON *arr;
	size_t i;

	if (!s->configured || !(arr = cJSON_AddArrayToObject(root, "skills")))
		return;
	for (i = 0; i < s->n_paths; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(s->paths[i]));
}

/* lsp:, when configured: each server's command and file types. */
static void lsp_json(cJSON *root, const struct wsp__lsp_cfg *l)
{
	cJSON *obj, *servers, *s, *arr;
	size_t i, j;

	if (!l->configured || !(obj = cJSON_AddObjectToObject(root, "lsp")))
		return;
	servers = cJSON_AddObjectToObject(obj, "servers");
	for (i = 0; servers && i < l->n; i++) {
		s = cJSON_AddObjectToObject(servers, l->servers[i].name);
		arr = cJSON_AddArrayToObject(s, "command");
		for (j = 0; arr && l->servers[i].argv[j]; j++)
			cJSON_AddItemToArray(
				arr, cJSON_CreateString(l->servers[i].argv[j]));
		arr = cJSON_AddArrayToObject(s, "file_types");
		for (j = 0; arr && l->servers[i].types[j]; j++)
			cJSON_AddItemToArray(
				arr, cJSON_CreateString(l->servers[i].types[j]));
		if (l->servers[i].language_id)
			cJSON_AddStringToObject(s, "language_id",
						l->servers[i].language_id);
	}
	cJSON_AddItemToObject(obj, "init_timeout",
			      duration_json(l->init_timeout_ms));
	cJSON_AddItemToObject(obj, "diagnostic_timeout",
			      duration_json(l->diagnostic_timeout_ms));
	cJSON_AddNumberToObject(obj, "max_diagnostic_chars",
				(double)l->max_chars);
}

static int build(cJSON **out, wsp_workspace *ws, wsp_error *err)
{
	const struct wsp__config *cfg = ws->cfg;
	cJSON *root, *arr, *obj, *m;
	size_t i;
	int rc = 0;

	*out = NULL;
	root = cJSON_CreateObject();
	if (!root)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	/* As configured (absolute); `wsp plugins` shows the whole path. */
	arr = cJSON_AddArrayToObject(root, "plugin_path");
	for (i = 0; arr && i < cfg->n_plugin_path; i++)
		cJSON_AddItemToArray(arr,
				     cJSON_CreateString(cfg->plugin_path[i]));
	if (cfg->has_sandbox) {
		obj = cJSON_AddObjectToObject(root, "sandbox");
		cJSON_AddStringToObject(obj, "id", cfg->sandbox_id);
		rc = instance_json(obj, ws, &ws->sandbox, err);
	}
	obj = cJSON_AddObjectToObject(root, "mounts");
	for (i = 0; !rc && i < cfg->n_mounts; i++) {
		m = cJSON_AddObjectToObject(obj, cfg->mounts[i].path);
		rc = instance_json(m, ws, &ws->mounts[i], err);
		cJSON_AddBoolToObject(m, "read_only", cfg->mounts[i].read_only);
		if (cfg->mounts[i].sandbox_path)
			cJSON_AddStringToObject(m, "sandbox_path",
						cfg->mounts[i].sandbox_path);
	}
	obj = cJSON_AddObjectToObject(root, "tools");
	for (i = 0; !rc && i < cfg->n_tools; i++) {
		const struct wsp__tool_cfg *t = &cfg->tools[i];

		m = cJSON_AddObjectToObject(obj, t->tool);
		cJSON_AddBoolToObject(m, "enabled", t->enabled);
		if (t->rename)
			cJSON_AddStringToObject(m, "name", t->rename);
		if (t->require_approval >= 0)
			cJSON_AddBoolToObject(m, "require_approval",
					      t->require_approval);
		if (t->ext) {
			cJSON_AddStringToObject(m, "target", t->target);
			cJSON_AddStringToObject(m, "op", t->op);
		}
	}
	http_json(root, &cfg->http);
	search_json(root, &cfg->search);
	skills_json(root, &cfg->skills);
	lsp_json(root, &cfg->lsp);
	if (rc) {
		cJSON_Delete(root);
		return rc;
	}
	*out = root;
	return 0;
}

/* Every string of the tree with the workspace's secrets masked. */
static int mask_tree(cJSON *node, wsp_workspace *ws)
{
	cJSON *c;
	char *m;

	cJSON_ArrayForEach(c, node)
	{
		if (cJSON_IsString(c)) {
			m = wsp__logsink_mask_dup(&ws->sink, c->valuestring);
			if (!m || !cJSON_SetValuestring(c, m)) {
				free(m);
				return WSP_ENOMEM;
			}
			free(m);
		} else if (mask_tree(c, ws)) {
			return WSP_ENOMEM;
		}
	}
	return 0;
}

struct out {
	wsp_sink_fn sink;
	void *payload;
	int rc;
};

static void emit(struct out *o, const char *s, size_t n)
{
	if (!o->rc && n)
		o->rc = o->sink(s, n, o->payload);
}

static void emits(struct out *o, const char *s)
{
	emit(o, s, strlen(s));
}

/* A YAML double-quoted scalar (JSON's escapes are valid YAML ones). */
static void emit_quoted(struct out *o, const char *s)
{
	cJSON *str = cJSON_CreateString(s);
	char *q = str ? cJSON_PrintUnformatted(str) : NULL;

	if (q)
		emits(o, q);
	else if (!o->rc)
		o->rc = WSP_ENOMEM;
	free(q);
	cJSON_Delete(str);
}

/* Plain YAML reads these back as the same string; others are quoted. */
static int plain_ok(const char *s)
{
	static const char *const special[] = { "true", "false", "yes", "no",
					       "on", "off", "null", "~", NULL };
	size_t i;

	if (!*s || *s == '-' || (*s >= '0' && *s <= '9') || *s == '.')
		return 0;
	for (i = 0; special[i]; i++)
		if (!strcasecmp(s, special[i]))
			return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("_./-", *s)))
			return 0;
	return 1;
}

static void emit_string(struct out *o, const char *s)
{
	if (plain_ok(s))
		emits(o, s);
	else
		emit_quoted(o, s);
}

static void indent(struct out *o, int depth)
{
	int i;

	for (i = 0; i < depth; i++)
		emits(o, "  ");
}

/* x == floor(x) without libm, which libwsp does not link (search_libs.c) */
static int is_whole(double x)
{
	if (isnan(x))
		return 0;
	if (!(fabs(x) < 4503599627370496.0)) /* 2^52 and up, infinities */
		return 1;
	return x == (double)(long long)x;
}

static void emit_scalar(struct out *o, const cJSON *v)
{
	char num[32];

	if (cJSON_IsBool(v))
		emits(o, cJSON_IsTrue(v) ? "true" : "false");
	else if (cJSON_IsNumber(v)) {
		/* whole numbers as such; a fraction (search.vector_weight)
		 * in the shortest form that reads back the same */
		snprintf(num, sizeof(num), "%.15g", v->valuedouble);
		if (is_whole(v->valuedouble))
			snprintf(num, sizeof(num), "%.0f", v->valuedouble);
		else if (strtod(num, NULL) != v->valuedouble)
			snprintf(num, sizeof(num), "%.17g", v->valuedouble);
		emits(o, num);
	} else if (cJSON_IsString(v)) {
		emit_string(o, v->valuestring);
	} else {
		emits(o, "null");
	}
}

static void emit_yaml(struct out *o, const cJSON *node, int depth)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, node)
	{
		indent(o, depth);
		if (cJSON_IsObject(node)) {
			emit_string(o, c->string);
			emits(o, ":");
		} else {
			emits(o, "-");
		}
		if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
			if (!c->child) {
				emits(o, cJSON_IsObject(c) ? " {}\n" : " []\n");
				continue;
			}
			emits(o, "\n");
			emit_yaml(o, c, depth + 1);
			continue;
		}
		emits(o, " ");
		emit_scalar(o, c);
		emits(o, "\n");
	}
}

int wsp_workspace_config_show(wsp_workspace *ws, uint32_t flags,
			      wsp_sink_fn sink, void *payload, wsp_error *err)
{
	struct out o = { sink, payload, 0 };
	cJSON *root;
	char *text;
	int rc;

	pthread_mutex_lock(&ws->lock);
	wsp__workspace_learn_secrets(ws);
	rc = build(&root, ws, err);
	pthread_mutex_unlock(&ws->lock);
	if (rc) {
		wsp__workspace_mask_error(ws, err);
		return rc;
	}
	if (mask_tree(root, ws)) {
		cJSON_Delete(root);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	if (flags & WSP_SHOW_JSON) {
		text = cJSON_Print(root);
		if (text) {
			emits(&o, text);
			emits(&o, "\n");
		} else {
			o.rc = WSP_ENOMEM;
		}
		free(text);
	} else {
		emits(&o, "# effective configuration of ");
		emits(&o, ws->cfg->file);
		emits(&o, " (secrets masked)\n");
		emit_yaml(&o, root, 0);
	}
	cJSON_Delete(root);
	if (o.rc)
		return wsp_error_set(err, o.rc, "cannot write the "
						"configuration: %s",
				     wsp_strerror(o.rc));
	return 0;
}
