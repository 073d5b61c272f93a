/*
 * core/config/check.c - wsp_config_check(): everything a configuration names,
 * checked at once, every problem reported.
 */
#include "ext_call.h"
#include "workspace_impl.h"

#include <stdio.h>
#include <string.h>

static void check_instance(wsp_workspace *ws, struct wsp__inst *in,
			   uint32_t flags, struct wsp__diags *d)
{
	wsp_error err;
	int rc;

	if (!in->ref || !in->ref->provider)
		return;
	rc = wsp__inst_prepare(ws, in, d, &err);
	if (rc || !(flags & WSP_CHECK_INIT))
		return;
	rc = wsp__inst_init(ws, in, &err);
	if (rc) {
		const struct wsp__ynode *at = in->ref->prov_node;

		wsp__diag_add(d, ws->cfg->file, at ? at->line : 0,
			      at ? at->col : 0, "%s", err.message);
		return;
	}
	/* Started only to prove it can: stop it again. */
	if (in->pub.prov->desc.fini)
		in->pub.prov->desc.fini(in->pub.self);
	in->pub.self = NULL;
	in->ready = 0;
}

/*
 * Each extension tool names an operation its target has (not started).
 * Runs after check_instance saw every instance: a target whose provider
 * did not load (or whose options are wrong) was reported there, once,
 * and is not reported again for each tool naming it.
 */
static void check_ext_tools(wsp_workspace *ws, struct wsp__diags *d)
{
	const struct wsp__tool_cfg *t;
	struct wsp__ext_sig sig;
	struct wsp__inst *in;
	const wsp_ext_op *e;
	const char *prov;
	wsp_error err;
	size_t i;

	for (i = 0; i < ws->cfg->n_tools; i++) {
		t = &ws->cfg->tools[i];
		if (!t->ext || !t->enabled)
			continue;
		if (!wsp__ext_resolve(&in, ws, t->target, &err) &&
		    !in->pub.prov)
			continue;
		if (!wsp__ext_describe(&e, &sig, &prov, ws, t->target, t->op,
				       &err))
			continue;
		wsp__diag_add(d, ws->cfg->file, t->node->line, t->node->col,
			      "tool '%s': %s", t->tool, err.message);
	}
}

/*
 * A mount with sandbox_path needs a store that describes itself and a
 * sandbox that can mount one; said at the mount's sandbox_path. Runs after
 * check_instance, so providers that did not load were reported there.
 */
static void check_sandbox_mounts(wsp_workspace *ws, struct wsp__diags *d)
{
	const struct wsp__mount_cfg *mc;
	const wsp__provider *sb = ws->sandbox.pub.prov, *fs;
	size_t i;

	for (i = 0; i < ws->cfg->n_mounts; i++) {
		mc = &ws->cfg->mounts[i];
		fs = ws->mounts[i].pub.prov;
		if (!mc->sandbox_path)
			continue;
		if (!ws->cfg->has_sandbox)
			wsp__diag_add(d, ws->cfg->file, mc->sandbox_node->line,
				      mc->sandbox_node->col,
				      "mount '%s' has a sandbox_path but no "
				      "sandbox is configured",
				      mc->path);
		else if (sb && !(sb->desc.caps & WSP_CAP_SANDBOX_MOUNT))
			wsp__diag_add(d, ws->cfg->file, mc->sandbox_node->line,
				      mc->sandbox_node->col,
				      "mount '%s': sandbox provider '%s' cannot "
				      "mount stores (no mount capability), so "
				      "sandbox_path cannot be honoured",
				      mc->path, sb->desc.name);
		if (fs && !(fs->desc.caps & WSP_CAP_FS_MOUNT_SOURCE))
			wsp__diag_add(d, ws->cfg->file, mc->sandbox_node->line,
				      mc->sandbox_node->col,
				      "mount '%s': provider '%s' offers no "
				      "mount source, so the sandbox cannot "
				      "mount it (a local filesystem is bound "
				      "by the local sandbox instead)",
				      mc->path, fs->desc.name);
	}
}

int wsp_config_check(const wsp_open_opts *opts, uint32_t flags,
		     wsp_diag_fn cb, void *payload, wsp_error *errp)
{
	struct wsp__diags d = { 0 };
	wsp_error local, *err = errp ? errp : &local;
	wsp_workspace *ws = NULL;
	size_t i;
	int rc;

	rc = wsp__workspace_new(&ws, opts, &d, err);
	if (rc && !wsp__diag_count(&d)) {
		/* Not a problem in the file (it is missing, say): say so. */
		if (cb)
			cb(err->message, payload);
		wsp__diag_clear(&d);
		return rc;
	}
	if (!rc) {
		pthread_mutex_lock(&ws->lock);
		if (ws->cfg->has_sandbox)
			check_instance(ws, &ws->sandbox, flags, &d);
		for (i = 0; i < ws->cfg->n_mounts; i++)
			check_instance(ws, &ws->mounts[i], flags, &d);
		check_sandbox_mounts(ws, &d);
		pthread_mutex_unlock(&ws->lock);
		check_ext_tools(ws, &d);
	}
	for (i = 0; cb && i < d.n; i++)
		cb(d.lines[i], payload);
	if (cb && d.dropped) {
		char more[64];

		snprintf(more, sizeof(more), "(%zu more problems not shown)",
			 d.dropped);
		cb(more, payload);
	}
	rc = d.oom ? wsp_error_set(err, WSP_ENOMEM, "out of memory") :
		     wsp__diag_to_error(&d, err);
	wsp__diag_clear(&d);
	wsp_workspace_close(ws);
	return rc;
}
