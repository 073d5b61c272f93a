/*
 * core/exec/sandbox_mount.c - object stores mounted inside the sandbox
 * (<wsp/exec.h>: wsp_sandbox_mount, wsp_sandbox_unmount): the store's
 * provider describes it (mount_source.c), the sandbox provider mounts it,
 * and the description, credentials included, is wiped as soon as the
 * sandbox's slot returns. Mounts configured with `sandbox_path:` are
 * mounted after each start (wsp__sandbox_mount_configured); the slot
 * accepts the same mount again, so a reconnection costs nothing.
 */
#include "call.h"
#include "mount_source.h"
#include "sandbox_mount.h"
#include "workspace_impl.h"

#include <wsp/exec.h>
#include <wsp/files.h>

#include <string.h>

/* sandbox_path normalised into out; "/" (the sandbox's own) refused. */
static int sandbox_path_ok(char *out, size_t cap, const char *path,
			   wsp_error *err)
{
	int rc;

	if (!path || path[0] != '/')
		return wsp_error_set(err, WSP_EINVAL,
				     "a path inside the sandbox must be "
				     "absolute");
	rc = wsp_files_normalize(out, cap, path, err);
	if (rc)
		return rc;
	if (!strcmp(out, "/"))
		return wsp_error_set(err, WSP_EINVAL,
				     "cannot mount over the sandbox's own "
				     "root '/'");
	return 0;
}

/* The sandbox instance and its mount-capable vtable, or WSP_ENOTSUP. */
static int enter(wsp__instance **in, wsp_call *c, wsp_workspace *ws,
		 const wsp_call *call, const char *what, wsp_error *err)
{
	int rc = wsp__sandbox_enter(in, c, ws, call, what, err);

	if (rc)
		return rc;
	if (!(*in)->prov->sandbox.mount || !(*in)->prov->sandbox.unmount)
		return wsp_error_set(err, WSP_ENOTSUP,
				     "sandbox provider '%s' cannot mount "
				     "stores",
				     (*in)->prov->desc.name);
	return 0;
}

static int mount_one(wsp__instance *in, wsp_workspace *ws,
		     const wsp_call *c, const char *fs_path,
		     const char *sandbox_path, uint32_t flags, wsp_error *err)
{
	wsp_mount_source *src;
	int rc = wsp__mount_source_get(&src, ws, c, fs_path, err);

	if (rc)
		return rc;
	if (flags & WSP_MOUNT_READ_ONLY)
		src->flags |= WSP_MOUNT_READ_ONLY;
	flags |= src->flags & WSP_MOUNT_READ_ONLY;
	rc = wsp__call_expired(c);
	if (rc)
		wsp_error_set(err, rc, "cannot mount '%s': %s", fs_path,
			      rc == WSP_ECANCELED ? "canceled"
						  : "the deadline passed");
	else
		rc = in->prov->sandbox.mount(in->self, c, src, sandbox_path,
					     flags, err);
	wsp__mount_source_free(src);
	if (rc)
		/* a provider that quoted a secret in err has it masked */
		wsp__workspace_mask_error(ws, err);
	return rc;
}

int wsp_sandbox_mount(wsp_workspace *ws, const wsp_call *call,
		      const char *fs_path, const char *sandbox_path,
		      uint32_t flags, wsp_error *err)
{
	char where[WSP_FILES_PATH_MAX + 2];
	wsp__instance *in;
	wsp_call c;
	int rc;

	if (flags & ~(uint32_t)WSP_MOUNT_READ_ONLY)
		return wsp_error_set(err, WSP_EINVAL, "unknown mount flags %#x",
				     flags & ~(uint32_t)WSP_MOUNT_READ_ONLY);
	if (!fs_path)
		return wsp_error_set(err, WSP_EINVAL, "no store path given");
	rc = sandbox_path_ok(where, sizeof(where), sandbox_path, err);
	if (!rc)
		rc = enter(&in, &c, ws, call, "mount", err);
	if (rc)
		return rc;
	return mount_one(in, ws, &c, fs_path, where, flags, err);
}

int wsp_sandbox_unmount(wsp_workspace *ws, const wsp_call *call,
			const char *sandbox_path, uint32_t flags,
			wsp_error *err)
{
	char where[WSP_FILES_PATH_MAX + 2];
	wsp__instance *in;
	wsp_call c;
	int rc;

	if (flags)
		return wsp_error_set(err, WSP_EINVAL,
				     "unknown unmount flags %#x", flags);
	rc = sandbox_path_ok(where, sizeof(where), sandbox_path, err);
	if (!rc)
		rc = enter(&in, &c, ws, call, "unmount", err);
	if (rc)
		return rc;
	rc = in->prov->sandbox.unmount(in->self, &c, where, 0, err);
	if (rc)
		wsp__workspace_mask_error(ws, err);
	return rc;
}

int wsp__sandbox_mount_configured(wsp__instance *in, wsp_workspace *ws,
				  const wsp_call *c, wsp_error *err)
{
	const struct wsp__mount_cfg *mc;
	size_t i;
	int rc;

	for (i = 0; i < ws->cfg->n_mounts; i++) {
		mc = &ws->cfg->mounts[i];
		if (!mc->sandbox_path)
			continue;
		if (!in->prov->sandbox.mount || !in->prov->sandbox.unmount)
			return wsp_error_set(err, WSP_ENOTSUP,
					     "mount '%s' asks the sandbox to "
					     "mount it at '%s', but sandbox "
					     "provider '%s' cannot mount "
					     "stores",
					     mc->path, mc->sandbox_path,
					     in->prov->desc.name);
		rc = mount_one(in, ws, c, mc->path, mc->sandbox_path, 0, err);
		if (rc)
			return rc;
	}
	return 0;
}
