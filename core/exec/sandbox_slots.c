/*
 * core/exec/sandbox_slots.c - the embedding API of the sandbox slots remote
 * providers brought into ABI 2.0 (<wsp/exec.h>): pause, resume,
 * set_timeout and preview. Each is optional and has a capability; the
 * core answers WSP_ENOTSUP itself when the provider's vtable is too short
 * to hold the slot (the loader copied it into a zeroed full-size one, so
 * the slot reads NULL), the slot is NULL, or the descriptor does not
 * claim the capability, so callers see one answer for "cannot", whatever
 * the provider's age.
 */
#include "abi_normalize.h"
#include "call.h"
#include "internal.h"

#include <wsp/exec.h>
#include <wsp/plugin.h>

#include <stddef.h>
#include <string.h>

/* 0 when the instance can do `what`, else WSP_ENOTSUP with the reason. */
static int supported(const wsp__instance *in, const void *slot,
		     uint64_t cap, const char *what, wsp_error *err)
{
	if (slot && (in->prov->desc.caps & cap))
		return 0;
	return wsp_error_set(err, WSP_ENOTSUP,
			     "sandbox provider '%s' cannot %s%s",
			     in->prov->desc.name, what,
			     slot ? " here (it does not claim the capability; "
				    "see `wsp plugins`)"
				  : " (it has no such operation)");
}

static int finish(wsp_workspace *ws, int rc, wsp_error *err)
{
	if (rc)
		wsp__workspace_mask_error(ws, err);
	return rc;
}

int wsp_sandbox_pause(wsp_workspace *ws, const wsp_call *call,
		      wsp_error *err)
{
	wsp__instance *in;
	wsp_call c;
	int rc = wsp__sandbox_enter(&in, &c, ws, call, "pause", err);

	if (rc || (rc = supported(in, (const void *)in->prov->sandbox.pause,
				  WSP_CAP_SANDBOX_PAUSE, "pause", err)))
		return rc;
	return finish(ws, in->prov->sandbox.pause(in->self, &c, 0, err), err);
}

int wsp_sandbox_resume(wsp_workspace *ws, const wsp_call *call,
		       wsp_error *err)
{
	wsp__instance *in;
	wsp_call c;
	int rc = wsp__sandbox_enter(&in, &c, ws, call, "resume", err);

	if (rc || (rc = supported(in, (const void *)in->prov->sandbox.resume,
				  WSP_CAP_SANDBOX_PAUSE, "resume", err)))
		return rc;
	return finish(ws, in->prov->sandbox.resume(in->self, &c, 0, err),
		      err);
}

int wsp_sandbox_set_timeout(wsp_workspace *ws, const wsp_call *call,
			    uint64_t idle_ms, uint32_t flags, wsp_error *err)
{
	wsp__instance *in;
	wsp_call c;
	int rc;

	if (flags & ~(uint32_t)WSP_SANDBOX_KEEPALIVE)
		return wsp_error_set(err, WSP_EINVAL,
				     "unknown set_timeout flags %#x",
				     flags & ~(uint32_t)WSP_SANDBOX_KEEPALIVE);
	rc = wsp__sandbox_enter(&in, &c, ws, call, "set_timeout", err);
	if (rc || (rc = supported(in,
				  (const void *)in->prov->sandbox.set_timeout,
				  WSP_CAP_SANDBOX_TIMEOUT,
				  "set an idle timeout", err)))
		return rc;
	/* A keep-alive carries no limit: the provider never sees a stale one. */
	if (flags & WSP_SANDBOX_KEEPALIVE)
		idle_ms = 0;
	return finish(ws, in->prov->sandbox.set_timeout(in->self, &c, idle_ms,
							flags, err), err);
}

int wsp_sandbox_preview(wsp_preview *out, wsp_workspace *ws,
			const wsp_call *call, uint32_t port, wsp_error *err)
{
	wsp_preview p;
	wsp__instance *in;
	wsp_call c;
	int rc;

	if ((rc = wsp__preview_begin(&p, out, err)))
		return rc;
	if (port < 1 || port > 65535)
		return wsp_error_set(err, WSP_EINVAL,
				     "port %u is not a TCP port (1..65535)",
				     port);
	rc = wsp__sandbox_enter(&in, &c, ws, call, "preview", err);
	if (rc || (rc = supported(in, (const void *)in->prov->sandbox.preview,
				  WSP_CAP_SANDBOX_PREVIEW,
				  "give a preview URL", err)))
		return rc;
	rc = in->prov->sandbox.preview(&p, in->self, &c, port, 0, err);
	if (rc) {
		memset(&p, 0, sizeof(p));
		return finish(ws, rc, err);
	}
	wsp__preview_end(out, &p);
	return 0;
}
