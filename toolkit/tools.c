/*
 * toolkit/tools.c - the tool set of a workspace: which tools it holds, how
 * the configuration renames, disables or guards them, and one call from
 * JSON arguments to a text result.
 */
#include "config.h"
#include "json_num.h"
#include "lsp.h"
#include "search.h"
#include "tools_backend.h"
#include "workspace_impl.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS_BYTES (16u << 20)

/* Every tool, in the order they are listed. */
static const struct wsp__tool_def *const all_tools[] = {WSP__TOOL_LIST};

#define N_TOOLS (sizeof(all_tools) / sizeof(all_tools[0]))

struct tool {
	const struct wsp__tool_def *def;
	struct wsp__tool_def *ext; /* def, when an extension tool (owned) */
	char *name;	/* exposed */
	uint32_t flags; /* public WSP_TOOL_* */
	cJSON *schema;	/* parsed def->schema, as listed */
	char *schema_text; /* schema's text when it differs from def's */
};

struct wsp_tools {
	wsp_workspace *ws;
	uint32_t flags;
	struct tool *tools; /* built-in ones, then extension tools */
	size_t n;
	struct wsp__guard *guard;
	pthread_mutex_t mu; /* spawned */
	char **spawned;	    /* background process ids started here */
	size_t n_spawned;
	struct wsp__lsp *lsp; /* language servers, made on first use */
	int lsp_made;
};

struct wsp__lsp *wsp__tools_lsp(wsp_tools *set)
{
	pthread_mutex_lock(&set->mu);
	if (!set->lsp_made) {
		set->lsp = wsp__lsp_new(set->ws);
		set->lsp_made = 1;
	}
	pthread_mutex_unlock(&set->mu);
	return set->lsp;
}

void wsp__tools_note_spawn(wsp_tools *set, const char *id)
{
	char **v, *copy = strdup(id);

	if (!copy)
		return;
	pthread_mutex_lock(&set->mu);
	v = realloc(set->spawned, (set->n_spawned + 1) * sizeof(*v));
	if (v) {
		set->spawned = v;
		v[set->n_spawned++] = copy;
		copy = NULL;
	}
	pthread_mutex_unlock(&set->mu);
	free(copy);
}

int wsp_tools_kill_background(wsp_tools *set, wsp_error *err)
{
	wsp_proc_status st;
	size_t i, n;
	char **ids;
	int rc = 0;

	if (!set)
		return 0;
	pthread_mutex_lock(&set->mu);
	ids = set->spawned;
	n = set->n_spawned;
	set->spawned = NULL;
	set->n_spawned = 0;
	pthread_mutex_unlock(&set->mu);
	for (i = 0; i < n; i++) {
		memset(&st, 0, sizeof(st));
		st.struct_size = sizeof(st);
		if (wsp_proc_get_status(&st, set->ws, NULL, ids[i], err) == 0 &&
		    st.state == WSP_PROC_RUNNING) {
			wsp_proc_signal(set->ws, NULL, ids[i], SIGKILL, err);
			wsp_proc_wait(&st, set->ws, NULL, ids[i], 5000, err);
			if (wsp_proc_release(set->ws, NULL, ids[i], err))
				rc = err->code;
		}
		free(ids[i]);
	}
	free(ids);
	return rc;
}

struct wsp__guard *wsp__tools_guard(wsp_tools *set)
{
	return set->guard;
}

uint32_t wsp__tools_flags(const wsp_tools *set)
{
	return set->flags;
}

void wsp_tools_free(void *ptr)
{
	free(ptr);
}

/* What the workspace offers, to decide which tools exist. */
struct caps {
	int has_fs, all_read_only, has_sandbox, has_procs, has_search;
	int has_vectors; /* search.embeddings: the vector and hybrid modes */
	int has_skills;
	int has_lsp;
};

static void probe(struct caps *c, wsp_workspace *ws)
{
	const wsp__provider *prov;
	wsp_error err;
	int ro, all_ro = 1;
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; !wsp_files_mount(NULL, &ro, ws, i); i++)
		all_ro = all_ro && ro;
	c->has_fs = i > 0;
	c->all_read_only = c->has_fs && all_ro;
	c->has_search = ws->cfg->search.configured;
	c->has_vectors = ws->cfg->search.embed.url != NULL;
	c->has_skills = ws->cfg->skills.configured;
	c->has_lsp = ws->cfg->lsp.configured && ws->cfg->lsp.n;
	/*
	 * The sandbox provider's descriptor (the .so loaded, its options
	 * checked, never init: that may create a cloud VM) tells whether it
	 * keeps background processes: the process-manager slots the
	 * process tools call. If it cannot load, the command tools stay
	 * listed and report the loader's error when called.
	 */
	c->has_sandbox = wsp_sandbox_id(ws) != NULL;
	c->has_procs = c->has_sandbox;
	if (c->has_sandbox && !wsp__workspace_sandbox_provider(&prov, ws, &err))
		c->has_procs = prov->has_procmgr;
}

static int wanted(const struct wsp__tool_def *d, const struct caps *c)
{
	if ((d->flags & WSP__TOOL_NEEDS_FS) && !c->has_fs)
		return 0;
	if ((d->flags & WSP_TOOL_WRITES) && c->all_read_only)
		return 0;
	if ((d->flags & WSP__TOOL_NEEDS_SANDBOX) && !c->has_sandbox)
		return 0;
	if ((d->flags & WSP__TOOL_NEEDS_PROCS) && !c->has_procs)
		return 0;
	if ((d->flags & WSP__TOOL_NEEDS_SEARCH) && !c->has_search)
		return 0;
	if ((d->flags & WSP__TOOL_NEEDS_SKILLS) && !c->has_skills)
		return 0;
	if ((d->flags & WSP__TOOL_NEEDS_LSP) && !c->has_lsp)
		return 0;
	return 1;
}

/* The schema as listed: execute_command drops `background` without a
 * process manager; search's mode enum keeps only bm25 without
 * embeddings (Mastra lists the available modes). *changed when so. */
static cJSON *schema_for(const struct wsp__tool_def *d, const struct caps *c,
			 int *changed)
{
	cJSON *s = cJSON_Parse(d->schema), *props, *mode;

	*changed = 0;
	props = cJSON_GetObjectItemCaseSensitive(s, "properties");
	if (s && !c->has_procs && !strcmp(d->name, "execute_command")) {
		cJSON_DeleteItemFromObjectCaseSensitive(props, "background");
		*changed = 1;
	}
	if (s && !c->has_vectors && !strcmp(d->name, "search")) {
		mode = cJSON_GetObjectItemCaseSensitive(props, "mode");
		cJSON_ReplaceItemInObjectCaseSensitive(
			mode, "enum",
			cJSON_CreateStringArray((const char *[]){"bm25"}, 1));
		*changed = 1;
	}
	return s;
}

void wsp_tools_close(wsp_tools *set)
{
	size_t i;

	if (!set)
		return;
	for (i = 0; i < set->n; i++) {
		free(set->tools[i].name);
		cJSON_Delete(set->tools[i].schema);
		cJSON_free(set->tools[i].schema_text);
		wsp__tools_ext_free(set->tools[i].ext);
	}
	free(set->tools);
	wsp__guard_free(set->guard);
	wsp__lsp_free(set->lsp);
	for (i = 0; i < set->n_spawned; i++)
		free(set->spawned[i]);
	free(set->spawned);
	pthread_mutex_destroy(&set->mu);
	free(set);
}

/* The exposed name of an enabled tool (built-in or extension), or NULL. */
static const char *exposed_name(wsp_workspace *ws, const char *tool)
{
	struct wsp__tool_settings st;

	wsp__tools_settings(&st, ws, tool);
	return !st.enabled ? NULL : st.rename ? st.rename : tool;
}

/* Whether the configuration section a tool needs is absent. */
static int section_missing(const struct wsp__tool_def *d,
			   const struct wsp__config *cfg)
{
	return ((d->flags & WSP__TOOL_NEEDS_SEARCH) && !cfg->search.configured) ||
	       ((d->flags & WSP__TOOL_NEEDS_SKILLS) && !cfg->skills.configured) ||
	       ((d->flags & WSP__TOOL_NEEDS_LSP) && !cfg->lsp.n);
}

/*
 * Names must be unique among the enabled tools, whether or not this
 * workspace offers them: the configuration is valid or not by itself.
 */
static int check_names(wsp_workspace *ws, wsp_error *err)
{
	const struct wsp__tool_cfg *tc;
	const char **own, *a, *b;
	size_t i, j, n = N_TOOLS;
	int rc = 0;

	while (wsp__workspace_tool_entry(ws, n - N_TOOLS))
		n++;
	own = calloc(n, sizeof(*own));
	if (!own)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		tc = i < N_TOOLS ? NULL
				 : wsp__workspace_tool_entry(ws, i - N_TOOLS);
		own[i] = !tc ? all_tools[i]->name : tc->ext ? tc->tool : NULL;
		/* without search: the search tools do not exist, so a grep
		 * renamed "search" (as configurations did before) is fine;
		 * the same for the skill and lsp tools */
		if (!tc && section_missing(all_tools[i], ws->cfg))
			own[i] = NULL;
	}
	for (i = 0; !rc && i < n; i++) {
		a = own[i] ? exposed_name(ws, own[i]) : NULL;
		for (j = 0; a && j < i; j++) {
			b = own[j] ? exposed_name(ws, own[j]) : NULL;
			if (!b || strcmp(a, b))
				continue;
			rc = wsp_error_set(err, WSP_ECONFIG,
					   "tools '%s' and '%s' are both named "
					   "'%s'; rename one of them in the "
					   "tools: section",
					   own[j], own[i], a);
			break;
		}
	}
	free(own);
	return rc;
}

/* The extension tools the configuration names, after the built-in ones. */
static int add_ext_tools(wsp_tools *set, wsp_error *err)
{
	const struct wsp__tool_cfg *tc;
	struct wsp__tool_settings st;
	struct tool *t;
	size_t i;
	int rc;

	for (i = 0; (tc = wsp__workspace_tool_entry(set->ws, i)); i++) {
		if (!tc->ext || !tc->enabled)
			continue;
		t = &set->tools[set->n];
		rc = wsp__tools_ext_def(&t->ext, set->ws, tc, err);
		if (rc)
			return rc;
		set->n++;
		wsp__tools_settings(&st, set->ws, tc->tool);
		t->def = t->ext;
		t->name = strdup(st.rename ? st.rename : tc->tool);
		t->schema = cJSON_Parse(t->def->schema);
		t->flags = st.require_approval ? WSP_TOOL_REQUIRE_APPROVAL : 0;
		if (!t->name || !t->schema)
			return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	return 0;
}

int wsp_tools_open(wsp_tools **out, wsp_workspace *ws,
		   const wsp_tools_opts *opts, wsp_error *err)
{
	struct wsp__tool_settings st;
	wsp_tools *set;
	struct caps caps;
	size_t i, n_cfg = 0;
	int rc, changed;

	*out = NULL;
	if (!ws)
		return wsp_error_set(err, WSP_EINVAL, "no workspace given");
	while (wsp__workspace_tool_entry(ws, n_cfg))
		n_cfg++;
	set = calloc(1, sizeof(*set));
	if (set)
		set->tools = calloc(N_TOOLS + n_cfg, sizeof(*set->tools));
	if (!set || !set->tools || !(set->guard = wsp__guard_new())) {
		if (set)
			free(set->tools);
		free(set);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	set->ws = ws;
	pthread_mutex_init(&set->mu, NULL);
	if (opts && WSP_HAS_MEMBER(wsp_tools_opts, opts, flags))
		set->flags = opts->flags;
	rc = check_names(ws, err);
	if (rc) {
		wsp_tools_close(set);
		return rc;
	}
	probe(&caps, ws);
	for (i = 0; i < N_TOOLS; i++) {
		const struct wsp__tool_def *d = all_tools[i];
		struct tool *t = &set->tools[set->n];

		wsp__tools_settings(&st, ws, d->name);
		if (!st.enabled || !wanted(d, &caps))
			continue;
		t->def = d;
		t->name = strdup(st.rename ? st.rename : d->name);
		t->schema = schema_for(d, &caps, &changed);
		if (t->schema && changed)
			t->schema_text = cJSON_PrintUnformatted(t->schema);
		t->flags = d->flags & (WSP_TOOL_WRITES | WSP_TOOL_STREAMS);
		if (st.require_approval)
			t->flags |= WSP_TOOL_REQUIRE_APPROVAL;
		set->n++;
		if (!t->name || !t->schema || (changed && !t->schema_text)) {
			wsp_tools_close(set);
			return wsp_error_set(err, WSP_ENOMEM, "out of memory");
		}
	}
	rc = add_ext_tools(set, err);
	if (rc) {
		wsp_tools_close(set);
		return rc;
	}
	*out = set;
	return 0;
}

size_t wsp_tools_count(const wsp_tools *set)
{
	return set ? set->n : 0;
}

int wsp_tools_get(wsp_tool_info *out, const wsp_tools *set, size_t index)
{
	wsp_tool_info info;
	const struct tool *t;
	uint32_t size;

	if (!set || index >= set->n)
		return WSP_ENOTFOUND;
	t = &set->tools[index];
	info.struct_size = sizeof(info);
	info.flags = t->flags;
	info.name = t->name;
	info.tool = t->def->name;
	info.description = t->def->description;
	info.input_schema = t->schema_text ? t->schema_text : t->def->schema;
	/* a caller built against an older, smaller struct gets its part */
	size = out->struct_size < sizeof(info) ? out->struct_size
					       : sizeof(info);
	memcpy(out, &info, size);
	out->struct_size = size;
	return 0;
}

int wsp_tools_list_json(char **out, const wsp_tools *set, wsp_error *err)
{
	cJSON *arr = cJSON_CreateArray(), *o;
	size_t i;

	*out = NULL;
	if (!arr)
		goto oom;
	for (i = 0; set && i < set->n; i++) {
		const struct tool *t = &set->tools[i];

		o = cJSON_CreateObject();
		if (!o)
			goto oom;
		cJSON_AddItemToArray(arr, o);
		if (!cJSON_AddStringToObject(o, "name", t->name) ||
		    !cJSON_AddStringToObject(o, "description",
					     t->def->description))
			goto oom;
		cJSON_AddItemToObject(o, "inputSchema",
				      cJSON_Duplicate(t->schema, 1));
	}
	*out = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	if (!*out)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	return 0;
oom:
	cJSON_Delete(arr);
	return wsp_error_set(err, WSP_ENOMEM, "out of memory");
}

static const struct tool *find_tool(const wsp_tools *set, const char *name)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (!strcmp(set->tools[i].name, name))
			return &set->tools[i];
	return NULL;
}

/* A tool's message: it quotes paths and arguments, so control characters
 * are escaped and no escape sequence gets through. */
__attribute__((format(printf, 3, 0))) static void
quoted(char *msg, size_t cap, const char *fmt, va_list ap)
{
	vsnprintf(msg, cap, fmt, ap);
	wsp__escape_ctl_inplace(msg, cap);
}

int wsp__tool_fail(struct wsp__tool_ctx *c, const char *fmt, ...)
{
	va_list ap;
	char msg[1024];

	va_start(ap, fmt);
	quoted(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->out.len = 0;
	if (c->out.p)
		c->out.p[0] = '\0';
	wsp__tbuf_puts(&c->out, msg);
	c->is_error = 1;
	return 0;
}

int wsp__tool_fail_err(struct wsp__tool_ctx *c, const wsp_error *err)
{
	char suffix[WSP_ERROR_CODE_MAX + 32];

	wsp_error_detail(suffix, sizeof(suffix), err);
	return wsp__tool_fail(c, "Error: %s%s", err->message, suffix);
}

int wsp__tool_say(struct wsp__tool_ctx *c, const char *fmt, ...)
{
	va_list ap;
	char msg[1024];

	va_start(ap, fmt);
	quoted(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	wsp__tbuf_puts(&c->out, msg);
	return 0;
}

const char *wsp__arg_str(const struct wsp__tool_ctx *c, const char *key,
			 const char *dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->args, key);

	return cJSON_IsString(v) ? v->valuestring : dflt;
}

int wsp__arg_bool(const struct wsp__tool_ctx *c, const char *key, int dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->args, key);

	return cJSON_IsBool(v) ? cJSON_IsTrue(v) : dflt;
}

double wsp__arg_num(const struct wsp__tool_ctx *c, const char *key, double dflt,
		    int *present)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->args, key);

	if (present)
		*present = cJSON_IsNumber(v);
	return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

int wsp__arg_int(struct wsp__tool_ctx *c, const char *key, int64_t dflt,
		 int64_t lo, int64_t hi, int64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->args, key);

	*out = dflt;
	if (!cJSON_IsNumber(v) ||
	    !wsp__num_to_int(v->valuedouble, lo, hi, out))
		return 0;
	wsp__tool_fail(c, "Error: '%s' must be a number from %lld to %lld",
		       key, (long long)lo, (long long)hi);
	return -1;
}

/* args[key] as a number when it is numeric text ("30"); else untouched,
 * for the schema check to refuse with its own message. */
static void coerce_numeric_text(cJSON *args, const char *key)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(args, key);
	char *end;
	double d;

	if (!cJSON_IsString(v) || !v->valuestring[0])
		return;
	d = strtod(v->valuestring, &end);
	if (*end || !(d == d && d - d == 0))
		return; /* trailing text, NaN or infinity */
	cJSON_ReplaceItemInObjectCaseSensitive(args, key,
					       cJSON_CreateNumber(d));
}

static int result_text(wsp_tool_result *out, const char *text, int is_error)
{
	out->is_error = is_error;
	out->text = strdup(text);
	out->len = out->text ? strlen(out->text) : 0;
	return out->text ? 0 : WSP_ENOMEM;
}

static int call_tool(wsp_tool_result *out, wsp_tools *set, const char *name,
		     const char *args_json, const wsp_tool_call_opts *opts,
		     wsp_error *err)
{
	static const wsp_tool_call_opts no_opts = WSP_TOOL_CALL_OPTS_INIT;
	struct wsp__tool_ctx c;
	const struct tool *t;
	size_t len = args_json ? strlen(args_json) : 0;
	cJSON *args;
	char why[WSP_ERROR_MSG_MAX];
	char msg[512];
	int rc;

	out->is_error = 0;
	out->text = NULL;
	out->len = 0;
	if (WSP_HAS_MEMBER(wsp_tool_result, out, media_len)) {
		out->media_type = NULL;
		out->media_base64 = NULL;
		out->media_len = 0;
	}
	if (!set || !name)
		return wsp_error_set(err, WSP_EINVAL, "no tool given");
	t = find_tool(set, name);
	if (!t)
		return wsp_error_set(err, WSP_ENOTFOUND,
				     "unknown tool '%.64s'; 'wsp tools' lists "
				     "them",
				     name);
	if (len > MAX_ARGS_BYTES)
		return wsp_error_set(err, WSP_ETOOBIG,
				     "arguments of '%s' are %zu bytes; the "
				     "limit is %u",
				     t->name, len, MAX_ARGS_BYTES);
	/* A NUL would silently cut a path: "in.txt\u0000/../.." */
	if (wsp__json_has_nul(args_json, len))
		return wsp_error_set(err, WSP_EINVAL,
				     "arguments of '%s' hold a NUL character "
				     "(\\u0000) in a string; a path or a "
				     "text cannot contain one",
				     t->name);
	args = len ? wsp__json_parse_exact(args_json, len)
		   : cJSON_CreateObject();
	if (!args)
		return wsp_error_set(err, WSP_EINVAL,
				     "arguments of '%s' are not valid JSON",
				     t->name);
	if (t->def->numeric_text_arg)
		coerce_numeric_text(args, t->def->numeric_text_arg);
	if (wsp__schema_check(t->schema, args, why, sizeof(why))) {
		cJSON_Delete(args);
		return wsp_error_set(err, WSP_EINVAL,
				     "invalid arguments for '%s': %s", t->name,
				     why);
	}
	if (!opts)
		opts = &no_opts;
	if (t->flags & WSP_TOOL_REQUIRE_APPROVAL) {
		char *text =
			opts->approve ? cJSON_PrintUnformatted(args) : NULL;

		rc = opts->approve ? opts->approve(t->name, text ? text : "{}",
						   opts->approve_payload)
				   : 0;
		free(text);
		if (rc < 0) {
			cJSON_Delete(args);
			return wsp_error_set(err, rc,
					     "could not ask approval for '%s'",
					     t->name);
		}
		if (rc == 0) {
			cJSON_Delete(args);
			snprintf(msg, sizeof(msg),
				 opts->approve
					 ? "Tool '%s' was not approved by the "
					   "user; it did not run."
					 : "Tool '%s' requires approval and no "
					   "approver is available; it did not "
					   "run.",
				 t->name);
			return result_text(out, msg, 1)
				       ? wsp_error_set(err, WSP_ENOMEM,
						       "out of memory")
				       : 0;
		}
	}
	memset(&c, 0, sizeof(c));
	c.set = set;
	c.ws = set->ws;
	c.def = t->def;
	c.name = t->name;
	c.args = args;
	c.opts = opts;
	c.call.struct_size = sizeof(c.call);
	c.call.cancel = opts->cancel;
	rc = t->def->run(&c);
	/* A command (or a provider's operation) may have changed files
	 * behind the file API: the search index re-checks before its next
	 * answer. */
	if ((t->def->flags & WSP__TOOL_NEEDS_SANDBOX) || t->ext)
		wsp__search_stale(set->ws);
	cJSON_Delete(args);
	if (rc < 0 || c.out.oom || c.media.oom) {
		wsp__tbuf_free(&c.out);
		wsp__tbuf_free(&c.media);
		return wsp_error_set(err, rc < 0 ? rc : WSP_ENOMEM,
				     "tool '%s' failed: %s", t->name,
				     wsp_strerror(rc < 0 ? rc : WSP_ENOMEM));
	}
	out->is_error = c.is_error;
	out->len = c.out.len;
	out->text = wsp__tbuf_take(&c.out);
	if (WSP_HAS_MEMBER(wsp_tool_result, out, media_len) && c.media_type &&
	    c.media.len) {
		out->media_type = c.media_type;
		out->media_len = c.media.len;
		out->media_base64 = wsp__tbuf_take(&c.media);
	}
	wsp__tbuf_free(&c.media);
	if (!out->text)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	return 0;
}

/*
 * Errors go to the agent and to terminals: no configured secret in them (a
 * provider's message quoting an endpoint that carries one, say), and no
 * control character from a quoted tool name.
 */
int wsp_tool_call(wsp_tool_result *out, wsp_tools *set, const char *name,
		  const char *args_json, const wsp_tool_call_opts *opts,
		  wsp_error *err)
{
	int rc = call_tool(out, set, name, args_json, opts, err);
	char *m;

	if (!set)
		return rc;
	if (rc) {
		wsp__escape_ctl_inplace(err->message, sizeof(err->message));
		wsp__workspace_mask_error(set->ws, err);
		return rc;
	}
	if (out->is_error && out->text) {
		m = wsp__logsink_mask_dup(&set->ws->sink, out->text);
		if (!m) {
			wsp_tool_result_release(out);
			return wsp_error_set(err, WSP_ENOMEM, "out of memory");
		}
		free(out->text);
		out->text = m;
		out->len = strlen(m);
	}
	return 0;
}

void wsp_tool_result_release(wsp_tool_result *r)
{
	if (!r)
		return;
	free(r->text);
	r->text = NULL;
	r->len = 0;
	if (WSP_HAS_MEMBER(wsp_tool_result, r, media_len)) {
		free(r->media_base64);
		r->media_base64 = NULL;
		r->media_type = NULL;
		r->media_len = 0;
	}
}
