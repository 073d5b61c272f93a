/*
 * core/workspace.c - a workspace: its configuration, its plugin path, and
 * its provider instances (the sandbox and one per mount), each loaded and
 * initialised the first time a call needs it. Deciding what a workspace
 * offers (the tool list, the instructions) only loads a provider to read
 * its descriptor: init may create a cloud VM, so only a call that needs
 * the instance starts it.
 */
#include "http_stream_host.h"
#include "workspace_impl.h"
#include "search.h"
#include "skills.h"
#include "state.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void loader_log(void *ctx, int level, const char *msg)
{
	wsp__log(ctx, level, "%s", msg);
}

/* $XDG_STATE_HOME/wsp, default ~/.local/state/wsp. */
static char *state_dir(void)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char path[PATH_MAX];

	if (xdg && xdg[0] == '/')
		snprintf(path, sizeof(path), "%s/wsp", xdg);
	else if (home && *home)
		snprintf(path, sizeof(path), "%s/.local/state/wsp", home);
	else
		snprintf(path, sizeof(path), "/tmp/wsp-state");
	return strdup(path);
}

/* mkdir -p with mode 0700 for the parts it creates; best effort. */
void wsp__make_dirs(const char *path)
{
	char buf[PATH_MAX], *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(buf, 0700);
		*p = '/';
	}
	mkdir(buf, 0700);
}

static void setup_instance(struct wsp__inst *in, wsp_workspace *ws,
			   uint32_t kind, const struct wsp__provider_ref *ref,
			   const char *id, const char *label)
{
	in->kind = kind;
	in->ref = ref;
	in->pub.id = id;
	snprintf(in->label, sizeof(in->label), "%s", label);
	wsp__host_setup(&in->host, &ws->sink, label);
	in->host.http = &ws->cfg->http.set;
	in->pub.host = &in->host.pub;
}

int wsp__workspace_new(wsp_workspace **out, const wsp_open_opts *opts,
		       struct wsp__diags *d, wsp_error *err)
{
	wsp_open_opts defaults = WSP_OPEN_OPTS_INIT;
	struct wsp__config *cfg = NULL;
	wsp_workspace *ws;
	char label[96];
	size_t i;
	int rc;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (opts->struct_size < offsetof(wsp_open_opts, reserved))
		return wsp_error_set(err, WSP_EINVAL,
				     "wsp_open_opts too small; initialise "
				     "it with WSP_OPEN_OPTS_INIT");
	ws = calloc(1, sizeof(*ws));
	if (!ws)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	pthread_mutex_init(&ws->lock, NULL);
	pthread_mutex_init(&ws->search_lock, NULL);
	pthread_mutex_init(&ws->skills_lock, NULL);
	/* Released in wsp_workspace_close(), which the failures below reach. */
	wsp__hs_shared_hold();
	wsp__logsink_init(&ws->sink, opts->log, opts->log_payload,
			  opts->log_level);
	wsp__host_setup(&ws->host, &ws->sink, "");
	rc = wsp__config_load(&cfg, opts, d, err);
	if (rc)
		goto fail;
	ws->cfg = cfg;
	/* The embeddings endpoint's key: masked in every output from now. */
	if (cfg->search.embed.api_key &&
	    wsp__logsink_add_secret(&ws->sink, cfg->search.embed.api_key)) {
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
		goto fail;
	}
	/* Per workspace: two workspaces in a process keep their own. */
	ws->host.http = &cfg->http.set;
	rc = wsp__loader_init(&ws->loader, opts->plugin_path, cfg, d, err);
	ws->loader.log = loader_log;
	ws->loader.log_ctx = &ws->sink;
	if (rc)
		goto fail;
	ws->state_dir = state_dir();
	ws->mounts = calloc(cfg->n_mounts + 1, sizeof(*ws->mounts));
	if (!ws->state_dir || !ws->mounts) {
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
		goto fail;
	}
	if (cfg->has_sandbox) {
		snprintf(label, sizeof(label), "sandbox '%s'", cfg->sandbox_id);
		setup_instance(&ws->sandbox, ws, WSP_KIND_SANDBOX,
			       &cfg->sandbox, cfg->sandbox_id, label);
	}
	for (i = 0; i < cfg->n_mounts; i++) {
		snprintf(label, sizeof(label), "mount '%s'",
			 cfg->mounts[i].path);
		setup_instance(&ws->mounts[i], ws, WSP_KIND_FS,
			       &cfg->mounts[i].ref, cfg->mounts[i].path, label);
	}
	*out = ws;
	return 0;
fail:
	wsp_workspace_close(ws);
	return rc;
}

int wsp_workspace_open(wsp_workspace **out, const wsp_open_opts *opts,
		       wsp_error *err)
{
	struct wsp__diags d = {0};
	int rc;

	if (!out)
		return wsp_error_set(err, WSP_EINVAL,
				     "no place for the "
				     "workspace");
	rc = wsp__workspace_new(out, opts, &d, err);
	wsp__diag_clear(&d);
	return rc;
}

static void fini_instance(struct wsp__inst *in)
{
	if (in->ready && in->pub.prov->desc.fini)
		in->pub.prov->desc.fini(in->pub.self);
	in->ready = 0;
	in->pub.self = NULL;
	wsp__state_free(in->state);
	in->state = NULL;
	wsp__options_free(in->opts);
	in->opts = NULL;
}

void wsp_workspace_close(wsp_workspace *ws)
{
	size_t i;

	if (!ws)
		return;
	wsp__search_close(ws);
	wsp__skills_close(ws);
	if (ws->cfg && ws->mounts)
		for (i = ws->cfg->n_mounts; i-- > 0;)
			fini_instance(&ws->mounts[i]);
	fini_instance(&ws->sandbox);
	/* The providers ended their streams in fini; the last workspace
	 * stops the engine while their code and host tables still exist. */
	wsp__hs_shared_drop();
	free(ws->mounts);
	if (ws->cfg)
		wsp__loader_fini(&ws->loader);
	wsp__config_free(ws->cfg);
	free(ws->state_dir);
	wsp__logsink_fini(&ws->sink);
	pthread_mutex_destroy(&ws->search_lock);
	pthread_mutex_destroy(&ws->skills_lock);
	pthread_mutex_destroy(&ws->lock);
	free(ws);
}

const char *wsp_workspace_config_name(const wsp_workspace *ws)
{
	return ws && ws->cfg ? ws->cfg->file : NULL;
}

/* "sandbox provider 'local'" / "fs provider 's3' of mount '/data'". */
static void describe(char *buf, size_t cap, const struct wsp__inst *in)
{
	if (in->kind == WSP_KIND_SANDBOX)
		snprintf(buf, cap, "sandbox provider '%s'", in->ref->provider);
	else
		snprintf(buf, cap, "fs provider '%s' of %s", in->ref->provider,
			 in->label);
}

/* The secret options of one instance, as written (expanded). */
static void learn_instance(wsp_workspace *ws, const struct wsp__inst *in,
			   uint32_t kind)
{
	const struct wsp__ynode *o = in->ref ? in->ref->options : NULL;
	wsp__provider *prov;
	wsp_error scratch;
	size_t i, k;

	if (!o || o->type != WSP__Y_MAP ||
	    wsp__loader_get(&prov, &ws->loader, kind, in->ref->provider,
			    &scratch))
		return;
	for (k = 0; k < prov->n_options; k++) {
		if (prov->options[k].type != WSP_OPT_SECRET)
			continue;
		for (i = 0; i + 1 < o->n; i += 2)
			if (o->items[i]->value && o->items[i + 1]->value &&
			    !strcmp(o->items[i]->value, prov->options[k].name))
				wsp__logsink_add_secret(&ws->sink,
							o->items[i + 1]->value);
	}
}

void wsp__workspace_learn_secrets(wsp_workspace *ws)
{
	size_t i;

	if (ws->secrets_learned)
		return;
	ws->secrets_learned = 1;
	if (ws->cfg->has_sandbox)
		learn_instance(ws, &ws->sandbox, WSP_KIND_SANDBOX);
	for (i = 0; i < ws->cfg->n_mounts; i++)
		learn_instance(ws, &ws->mounts[i], WSP_KIND_FS);
}

void wsp__workspace_mask_error(wsp_workspace *ws, wsp_error *err)
{
	if (!ws || !err)
		return;
	err->message[sizeof(err->message) - 1] = '\0';
	wsp__logsink_mask(&ws->sink, err->message, sizeof(err->message));
}

/* Problems added to d from index from on: secrets masked. */
static void mask_diags(wsp_workspace *ws, struct wsp__diags *d, size_t from)
{
	char *m;

	for (; from < d->n; from++) {
		m = wsp__logsink_mask_dup(&ws->sink, d->lines[from]);
		if (!m)
			continue;
		free(d->lines[from]);
		d->lines[from] = m;
	}
}

int wsp__inst_prepare(wsp_workspace *ws, struct wsp__inst *in,
		      struct wsp__diags *d, wsp_error *err)
{
	const struct wsp__ynode *at = in->ref->prov_node;
	wsp__provider *prov;
	char what[160];
	size_t i, before;
	int rc;

	if (in->opts)
		return 0;
	/* Before any option is quoted in a message or shown. */
	wsp__workspace_learn_secrets(ws);
	if (wsp__inst_is_sandbox_fs(in))
		return wsp__inst_prepare_sandbox_fs(ws, in, d, err);
	before = d->n;
	rc = wsp__loader_get(&prov, &ws->loader, in->kind, in->ref->provider,
			     err);
	if (rc) {
		wsp__diag_add(d, ws->cfg->file, at ? at->line : 0,
			      at ? at->col : 0, "%s", err->message);
		return rc;
	}
	describe(what, sizeof(what), in);
	rc = wsp__options_check(&in->opts, prov->options, prov->n_options,
				in->ref->options, in->ref->node, what,
				ws->cfg->file, d);
	mask_diags(ws, d, before);
	if (rc == WSP_ECONFIG)
		return wsp__diag_to_error(d, err);
	if (rc)
		return wsp_error_set(err, rc, "out of memory");
	/* From now on no log line may carry these values. */
	for (i = 0; i < prov->n_options; i++)
		if (prov->options[i].type == WSP_OPT_SECRET &&
		    in->opts->vals[i].set)
			wsp__logsink_add_secret(&ws->sink,
						in->opts->vals[i].text);
	in->pub.prov = prov;
	return 0;
}

int wsp__inst_init(wsp_workspace *ws, struct wsp__inst *in, wsp_error *err)
{
	struct wsp__diags d = {0};
	wsp_instance_args args = {0};
	wsp_error perr;
	void *self = NULL;
	int rc;

	if (in->ready)
		return 0;
	rc = wsp__inst_prepare(ws, in, &d, err);
	wsp__diag_clear(&d);
	if (rc)
		return rc;
	if (in->shares_sandbox)
		return wsp__inst_init_sandbox_fs(ws, in, err);
	wsp__make_dirs(ws->state_dir);
	if (!in->state &&
	    wsp__state_new(&in->state, ws->state_dir, wsp_kind_name(in->kind),
			   in->ref->provider, in->pub.id))
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	args.struct_size = sizeof(args);
	args.instance_id = in->pub.id;
	args.options = in->opts;
	args.config_dir = ws->cfg->dir;
	args.state_dir = ws->state_dir;
	args.state = in->state;
	memset(&perr, 0, sizeof(perr));
	rc = in->pub.prov->desc.init(&self, &in->host.pub, &args, &perr);
	if (rc) {
		perr.message[sizeof(perr.message) - 1] = '\0';
		wsp__logsink_mask(&ws->sink, perr.message,
				  sizeof(perr.message));
		return wsp_error_set(err, rc < 0 ? rc : WSP_ERROR,
				     "plugin '%s' failed to start %s: %s",
				     in->pub.prov->path, in->label,
				     perr.message[0] ? perr.message
						     : wsp_strerror(rc));
	}
	in->pub.self = self;
	in->ready = 1;
	return 0;
}

static int get_instance(wsp__instance **out, wsp_workspace *ws,
			struct wsp__inst *in, wsp_error *err)
{
	int rc;

	pthread_mutex_lock(&ws->lock);
	rc = wsp__inst_init(ws, in, err);
	pthread_mutex_unlock(&ws->lock);
	*out = rc ? NULL : &in->pub;
	return rc;
}

const wsp_host *wsp__workspace_host(wsp_workspace *ws)
{
	return &ws->host.pub;
}

int wsp__workspace_sandbox(wsp__instance **out, wsp_workspace *ws,
			   wsp_error *err)
{
	*out = NULL;
	if (!ws->cfg->has_sandbox)
		return wsp_error_set(err, WSP_ENOTFOUND,
				     "%s configures no sandbox; add a "
				     "'sandbox:' section with a provider",
				     ws->cfg->file);
	return get_instance(out, ws, &ws->sandbox, err);
}

int wsp__workspace_sandbox_provider(const wsp__provider **out,
				    wsp_workspace *ws, wsp_error *err)
{
	struct wsp__diags d = {0};
	int rc;

	*out = NULL;
	if (!ws->cfg->has_sandbox)
		return wsp_error_set(err, WSP_ENOTFOUND,
				     "%s configures no sandbox; add a "
				     "'sandbox:' section with a provider",
				     ws->cfg->file);
	pthread_mutex_lock(&ws->lock);
	rc = wsp__inst_prepare(ws, &ws->sandbox, &d, err);
	if (!rc)
		*out = ws->sandbox.pub.prov;
	pthread_mutex_unlock(&ws->lock);
	wsp__diag_clear(&d);
	return rc;
}

int wsp_sandbox_set_option(wsp_workspace *ws, const char *name,
			   const char *value, wsp_error *err)
{
	struct wsp__inst *in;
	struct wsp__diags d = {0};
	char why[WSP_ERROR_MSG_MAX];
	int rc;

	if (!ws || !name || !value)
		return wsp_error_set(err, WSP_EINVAL,
				     "wsp_sandbox_set_option: a workspace, a "
				     "name and a value are needed");
	if (!ws->cfg->has_sandbox)
		return wsp_error_set(err, WSP_ENOTFOUND,
				     "%s configures no sandbox; add a "
				     "'sandbox:' section with a provider",
				     ws->cfg->file);
	in = &ws->sandbox;
	pthread_mutex_lock(&ws->lock);
	if (in->ready) {
		rc = wsp_error_set(err, WSP_EBUSY,
				   "cannot set option '%s' of %s: it is "
				   "already in use; set options before the "
				   "first call that uses the sandbox",
				   name, in->label);
		goto out;
	}
	rc = wsp__inst_prepare(ws, in, &d, err);
	if (rc)
		goto out;
	rc = wsp__options_override(in->opts, name, value, why, sizeof(why));
	if (rc == WSP_ENOTFOUND)
		rc = wsp_error_set(err, rc,
				   "%s has no option '%s'; see 'wsp plugins "
				   "info %s' for its options",
				   in->label, name, in->ref->provider);
	else if (rc == WSP_EINVAL)
		rc = wsp_error_set(err, WSP_ECONFIG, "%s: %s", in->label, why);
	else if (rc)
		rc = wsp_error_set(err, rc, "out of memory");
	else if (in->opts->spec[wsp__options_find(in->opts, name)].type ==
		 WSP_OPT_SECRET)
		/* From now on no log line may carry it. */
		wsp__logsink_add_secret(&ws->sink, value);
out:
	pthread_mutex_unlock(&ws->lock);
	wsp__diag_clear(&d);
	return rc;
}

int wsp_sandbox_loaded(wsp_workspace *ws)
{
	int ready;

	if (!ws || !ws->cfg->has_sandbox)
		return 0;
	pthread_mutex_lock(&ws->lock);
	ready = ws->sandbox.ready != 0;
	pthread_mutex_unlock(&ws->lock);
	return ready;
}

const char *wsp_sandbox_id(const wsp_workspace *ws)
{
	return ws && ws->cfg->has_sandbox ? ws->cfg->sandbox_id : NULL;
}

size_t wsp__workspace_mount_count(const wsp_workspace *ws)
{
	return ws->cfg->n_mounts;
}

const char *wsp__workspace_mount_path(const wsp_workspace *ws, size_t index)
{
	return index < ws->cfg->n_mounts ? ws->cfg->mounts[index].path : NULL;
}

int wsp__workspace_mount_read_only(const wsp_workspace *ws, size_t index)
{
	return index < ws->cfg->n_mounts && ws->cfg->mounts[index].read_only;
}

int wsp__workspace_mount_instance(wsp__instance **out, wsp_workspace *ws,
				  size_t index, wsp_error *err)
{
	*out = NULL;
	if (index >= ws->cfg->n_mounts)
		return wsp_error_set(err, WSP_EINVAL, "no mount number %zu",
				     index);
	return get_instance(out, ws, &ws->mounts[index], err);
}

int wsp__workspace_tool_config(const wsp_workspace *ws, const char *tool,
			       int *enabled, const char **rename,
			       int *require_approval)
{
	size_t i;

	for (i = 0; i < ws->cfg->n_tools; i++) {
		const struct wsp__tool_cfg *t = &ws->cfg->tools[i];

		if (strcmp(t->tool, tool))
			continue;
		*enabled = t->enabled;
		*rename = t->rename;
		*require_approval = t->require_approval;
		return 0;
	}
	return WSP_ENOTFOUND;
}

const struct wsp__tool_cfg *wsp__workspace_tool_entry(const wsp_workspace *ws,
						      size_t index)
{
	return index < ws->cfg->n_tools ? &ws->cfg->tools[index] : NULL;
}

const char *wsp__workspace_config_dir(const wsp_workspace *ws)
{
	return ws->cfg->dir;
}
