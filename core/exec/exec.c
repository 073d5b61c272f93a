/*
 * core/exec/exec.c - the embedding API of the workspace's sandbox (foreground
 * commands and lifecycle, <wsp/exec.h>): each call finds the sandbox
 * instance (loaded on first use), checks the call context, and calls its
 * slot with full-size structs (abi_normalize_sandbox.c), filling in what
 * an optional slot left out.
 */
#include "abi_normalize.h"
#include "call.h"
#include "internal.h"
#include "sandbox_mount.h"

#include <wsp/exec.h>

#include <stddef.h>
#include <stdio.h>
#include <string.h>

int wsp__sandbox_enter(wsp__instance **out, wsp_call *c, wsp_workspace *ws,
		       const wsp_call *call, const char *what, wsp_error *err)
{
	int rc;

	if (!ws)
		return wsp_error_set(err, WSP_EINVAL, "no workspace given");
	wsp__call_normalize(c, call);
	rc = wsp__workspace_sandbox(out, ws, err);
	if (rc)
		return rc;
	/* Checked last: loading the provider may have taken the time. */
	switch (wsp__call_expired(c)) {
	case WSP_ECANCELED:
		return wsp_error_set(err, WSP_ECANCELED,
				     "%s: canceled before it started", what);
	case WSP_ETIMEDOUT:
		return wsp_error_set(err, WSP_ETIMEDOUT,
				     "%s: the call's deadline passed before "
				     "it started", what);
	}
	return 0;
}

static int sandbox(wsp__instance **out, wsp_workspace *ws, wsp_error *err)
{
	if (!ws)
		return wsp_error_set(err, WSP_EINVAL, "no workspace given");
	return wsp__workspace_sandbox(out, ws, err);
}

/*
 * The caller's structs may be older or newer than this library's: the
 * provider gets full-size copies (defaults for what the caller predates)
 * and the caller gets back what its struct has room for.
 */
int wsp_sandbox_exec(wsp_exec_result *out, wsp_workspace *ws,
		     const wsp_call *call, const wsp_exec_opts *opts,
		     wsp_error *err)
{
	wsp_exec_opts o;
	wsp_exec_result res;
	wsp__instance *in;
	wsp_call c;
	int rc;

	if ((rc = wsp__exec_result_begin(&res, out, err)) ||
	    (rc = wsp__exec_opts_normalize(&o, opts, err)) ||
	    (rc = wsp__sandbox_enter(&in, &c, ws, call, "exec", err)))
		return rc;
	rc = in->prov->sandbox.exec(&res, in->self, &c, &o, err);
	if (rc == 0)
		wsp__exec_result_end(out, &res);
	else
		wsp__workspace_mask_error(ws, err);
	return rc;
}

void wsp_exec_result_release(wsp_workspace *ws, wsp_exec_result *res)
{
	const wsp_host *h;
	wsp__instance *in;

	if (!res || (!res->stdout_data && !res->stderr_data))
		return;
	/* The provider allocated with its own host table's allocator. */
	h = ws && sandbox(&in, ws, NULL) == 0 ? in->host
					      : wsp__workspace_host(ws);
	h->free(h, res->stdout_data);
	h->free(h, res->stderr_data);
	res->stdout_data = res->stderr_data = NULL;
	res->stdout_len = res->stderr_len = 0;
}

int wsp_sandbox_start(uint32_t *out_outcome, wsp_workspace *ws,
		      const wsp_call *call, wsp_error *err)
{
	wsp__instance *in;
	uint32_t outcome = WSP_START_CONNECTED;
	wsp_call c;
	int rc = wsp__sandbox_enter(&in, &c, ws, call, "start", err);

	if (rc)
		return rc;
	if (in->prov->sandbox.start)
		rc = in->prov->sandbox.start(&outcome, in->self, &c, 0, err);
	/* stores configured with sandbox_path: (docs/configuration.md) */
	if (!rc)
		rc = wsp__sandbox_mount_configured(in, ws, &c, err);
	if (!rc && out_outcome)
		*out_outcome = outcome;
	if (rc)
		wsp__workspace_mask_error(ws, err);
	return rc;
}

int wsp_sandbox_stop(wsp_workspace *ws, const wsp_call *call, wsp_error *err)
{
	wsp__instance *in;
	wsp_call c;
	int rc = wsp__sandbox_enter(&in, &c, ws, call, "stop", err);

	if (rc || !in->prov->sandbox.stop)
		return rc;
	return in->prov->sandbox.stop(in->self, &c, 0, err);
}

int wsp_sandbox_destroy(wsp_workspace *ws, const wsp_call *call,
			uint32_t flags, wsp_error *err)
{
	wsp__instance *in;
	wsp_call c;
	int rc = wsp__sandbox_enter(&in, &c, ws, call, "destroy", err);

	if (rc)
		return rc;
	if (flags & ~(uint32_t)WSP_DESTROY_FILES)
		return wsp_error_set(err, WSP_EINVAL,
				     "unknown destroy flags %#x",
				     flags & ~(uint32_t)WSP_DESTROY_FILES);
	if (!in->prov->sandbox.destroy)
		return wsp_error_set(err, WSP_ENOTSUP,
				     "sandbox provider '%s' cannot be "
				     "destroyed", in->prov->desc.name);
	return in->prov->sandbox.destroy(in->self, &c, flags, err);
}

int wsp_sandbox_status(uint32_t *out_state, wsp_workspace *ws,
		       const wsp_call *call, wsp_error *err)
{
	wsp__instance *in;
	uint32_t state = WSP_SANDBOX_RUNNING;
	wsp_call c;
	int rc = wsp__sandbox_enter(&in, &c, ws, call, "status", err);

	if (rc)
		return rc;
	if (in->prov->sandbox.status)
		rc = in->prov->sandbox.status(&state, in->self, &c, 0, err);
	if (!rc && out_state)
		*out_state = state;
	return rc;
}

const char *wsp_sandbox_state_name(uint32_t state)
{
	switch (state) {
	case WSP_SANDBOX_ABSENT: return "absent";
	case WSP_SANDBOX_STARTING: return "starting";
	case WSP_SANDBOX_RUNNING: return "running";
	case WSP_SANDBOX_STOPPED: return "stopped";
	case WSP_SANDBOX_PAUSED: return "paused";
	case WSP_SANDBOX_ERROR: return "error";
	default: return "unknown";
	}
}

int wsp_sandbox_info(wsp_workspace *ws, const wsp_call *call, wsp_kv_fn cb,
		     void *payload, wsp_error *err)
{
	wsp__instance *in;
	wsp_call c;
	int rc;

	if (!cb)
		return wsp_error_set(err, WSP_EINVAL, "info needs a callback");
	rc = wsp__sandbox_enter(&in, &c, ws, call, "info", err);
	if (rc)
		return rc;
	if (in->prov->sandbox.info)
		return in->prov->sandbox.info(in->self, &c, 0, cb, payload,
					      err);
	rc = cb("id", in->id ? in->id : "", payload);
	if (!rc)
		rc = cb("provider", in->prov->desc.name, payload);
	return rc;
}

int wsp_sandbox_instructions(wsp_workspace *ws, const wsp_call *call,
			     wsp_sink_fn sink, void *payload, wsp_error *err)
{
	wsp__instance *in;
	char text[256];
	wsp_call c;
	int n, rc;

	if (!sink)
		return wsp_error_set(err, WSP_EINVAL,
				     "instructions need a sink");
	rc = wsp__sandbox_enter(&in, &c, ws, call, "instructions", err);
	if (rc)
		return rc;
	if (in->prov->sandbox.instructions)
		return in->prov->sandbox.instructions(in->self, &c, 0, sink,
						      payload, err);
	n = snprintf(text, sizeof(text),
		     "Commands run in the '%s' sandbox (provider '%s').\n",
		     in->id ? in->id : "default", in->prov->desc.name);
	if (n < 0)
		return wsp_error_set(err, WSP_ERROR, "cannot format text");
	return sink(text, (size_t)n < sizeof(text) ? (size_t)n
						   : sizeof(text) - 1,
		    payload);
}
