/*
 * core/loader/plugins.c - wsp_workspace_plugins() and friends: what is on the
 * plugin path, for `wsp plugins`.
 */
#include "workspace_impl.h"

#include <stdio.h>
#include <string.h>

struct listing {
	wsp_plugin_fn cb;
	void *payload;
};

static void fill(wsp_plugin_info *info, const struct wsp__loaded *f,
		 const char *shadowed_by, char *msg, size_t cap)
{
	const wsp__provider *p = f->prov;

	memset(info, 0, sizeof(*info));
	info->struct_size = sizeof(*info);
	info->kind = f->kind;
	info->name = f->name;
	info->path = f->path;
	if (shadowed_by) {
		info->status = WSP_PLUGIN_SHADOWED;
		snprintf(msg, cap, "shadowed by '%s', earlier on the plugin "
				   "path",
			 shadowed_by);
		info->message = msg;
		return;
	}
	if (!p) {
		info->status = WSP_PLUGIN_REFUSED;
		info->code = f->code;
		info->message = f->message;
		return;
	}
	info->status = WSP_PLUGIN_OK;
	info->abi_major = p->desc.abi_major;
	info->abi_minor = p->desc.abi_minor;
	info->abi_minor_required = p->desc.abi_minor_required;
	info->version = p->desc.version;
	info->description = p->desc.description;
	info->caps = p->desc.caps;
	info->options = p->options;
	info->n_options = p->n_options;
	info->ext_ops = p->ext_ops;
	info->n_ext_ops = p->n_ext_ops;
	info->has_procmgr = (uint32_t)p->has_procmgr;
}

static int each(const struct wsp__loaded *f, const char *shadowed_by,
		void *payload)
{
	struct listing *l = payload;
	wsp_plugin_info info;
	char msg[WSP_ERROR_MSG_MAX + 64];

	fill(&info, f, shadowed_by, msg, sizeof(msg));
	return l->cb(&info, l->payload);
}

int wsp_workspace_plugins(wsp_workspace *ws, wsp_plugin_fn cb, void *payload,
			  wsp_error *err)
{
	struct listing l = { cb, payload };

	if (!ws || !cb)
		return wsp_error_set(err, WSP_EINVAL,
				     "no workspace or callback");
	return wsp__loader_scan(&ws->loader, each, &l, err);
}

int wsp_workspace_plugin(wsp_workspace *ws, uint32_t kind, const char *name,
			 wsp_plugin_fn cb, void *payload, wsp_error *err)
{
	struct wsp__loaded *f;
	wsp_plugin_info info;
	char msg[WSP_ERROR_MSG_MAX + 64];
	int rc;

	if (!ws || !cb || !name)
		return wsp_error_set(err, WSP_EINVAL, "no workspace, name or "
						      "callback");
	rc = wsp__loader_resolve(&f, &ws->loader, kind, name, err);
	if (rc)
		return rc;
	fill(&info, f, NULL, msg, sizeof(msg));
	rc = cb(&info, payload);
	if (rc < 0)
		return wsp_error_set(err, rc, "plugin listing stopped");
	return 0;
}

int wsp_workspace_plugin_dirs(wsp_workspace *ws, wsp_dir_fn cb, void *payload,
			      wsp_error *err)
{
	size_t i;
	int rc;

	if (!ws || !cb)
		return wsp_error_set(err, WSP_EINVAL,
				     "no workspace or callback");
	for (i = 0; i < ws->loader.n_dirs; i++) {
		rc = cb(ws->loader.dirs[i].path, ws->loader.dirs[i].source,
			payload);
		if (rc < 0)
			return wsp_error_set(err, rc, "listing stopped");
	}
	return 0;
}
