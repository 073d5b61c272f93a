/*
 * core/files/workspace_sandbox_fs.c - `mounts: { /: { provider: sandbox } }`:
 * a mount served by the sandbox's own files (wsp_plugin_desc.sandbox_fs)
 * through the sandbox instance itself, so the file API and the agent's
 * file tools act on the sandbox's disk. The mount's instance gets a copy
 * of the sandbox's provider record whose fs is the sandbox_fs, with no
 * options, extension operations or fini of its own: the sandbox instance
 * owns self and ends it.
 */
#include "workspace_impl.h"

#include <string.h>

int wsp__inst_is_sandbox_fs(const struct wsp__inst *in)
{
	return in->kind == WSP_KIND_FS && in->ref && in->ref->provider &&
	       !strcmp(in->ref->provider, WSP__SANDBOX_FS_PROVIDER);
}

static int fail_at(wsp_workspace *ws, const struct wsp__inst *in,
		   struct wsp__diags *d, wsp_error *err, const char *msg)
{
	const struct wsp__ynode *at = in->ref->prov_node;

	wsp__diag_add(d, ws->cfg->file, at ? at->line : 0, at ? at->col : 0,
		      "%s", msg);
	return wsp_error_set(err, WSP_ECONFIG, "%s", msg);
}

int wsp__inst_prepare_sandbox_fs(wsp_workspace *ws, struct wsp__inst *in,
				 struct wsp__diags *d, wsp_error *err)
{
	const wsp__provider *sb;
	char msg[WSP_ERROR_MSG_MAX], what[160];
	int rc;

	if (!ws->cfg->has_sandbox) {
		snprintf(msg, sizeof(msg),
			 "%s uses provider 'sandbox', but no sandbox is "
			 "configured; add a 'sandbox:' section",
			 in->label);
		return fail_at(ws, in, d, err, msg);
	}
	rc = wsp__inst_prepare(ws, &ws->sandbox, d, err);
	if (rc)
		return rc;
	sb = ws->sandbox.pub.prov;
	if (!sb->has_sandbox_fs) {
		snprintf(msg, sizeof(msg),
			 "%s uses provider 'sandbox', but sandbox provider "
			 "'%s' offers no files of its own (no sandbox_fs); "
			 "use a filesystem provider for it",
			 in->label, sb->desc.name);
		return fail_at(ws, in, d, err, msg);
	}
	snprintf(what, sizeof(what), "provider 'sandbox' of %s", in->label);
	rc = wsp__options_check(&in->opts, NULL, 0, in->ref->options,
				in->ref->node, what, ws->cfg->file, d);
	if (rc == WSP_ECONFIG)
		return wsp__diag_to_error(d, err);
	if (rc)
		return wsp_error_set(err, rc, "out of memory");
	in->shared = *sb;
	in->shared.fs = sb->sandbox_fs;
	in->shared.has_fs = 1;
	in->shared.desc.fini = NULL; /* the sandbox instance ends self */
	in->shared.options = NULL;
	in->shared.n_options = 0;
	in->shared.ext_ops = NULL;
	in->shared.n_ext_ops = 0;
	in->shares_sandbox = 1;
	in->pub.prov = &in->shared;
	return 0;
}

int wsp__inst_init_sandbox_fs(wsp_workspace *ws, struct wsp__inst *in,
			      wsp_error *err)
{
	int rc = wsp__inst_init(ws, &ws->sandbox, err);

	if (rc)
		return rc;
	in->pub.self = ws->sandbox.pub.self;
	in->ready = 1;
	return 0;
}
