/*
 * core/exec.c - the embedding API of the workspace's sandbox (foreground
 * commands and lifecycle, <wsp/exec.h>): each call finds the sandbox
 * instance (loaded on first use) and calls its slot, filling in what an
 * optional slot left out.
 */
#include "internal.h"

#include <wsp/exec.h>

#include <stddef.h>
#include <stdio.h>
#include <string.h>

static int sandbox(wsp__instance **out, wsp_workspace *ws, wsp_error *err)
{
	if (!ws)
		return wsp_error_set(err, WSP_EINVAL, "no workspace given");
	return wsp__workspace_sandbox(out, ws, err);
}

/* The smallest structs a caller may hand in: those of ABI 1.0. */
#define OPTS_SIZE_1_0 \
	(offsetof(wsp_exec_opts, cancel) + sizeof(const wsp_cancel *))
#define RESULT_SIZE_1_0 \
	(offsetof(wsp_exec_result, stderr_dropped) + sizeof(uint64_t))

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/*
 * The caller's structs may be older or newer than this library's: the
 * provider gets full-size copies (defaults for what the caller predates)
 * and the caller gets back what its struct has room for.
 */
int wsp_sandbox_exec(wsp_exec_result *out, wsp_workspace *ws,
		     const wsp_exec_opts *opts, wsp_error *err)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result res;
	wsp__instance *in;
	uint32_t size;
	int rc;

	if (!out || !opts)
		return wsp_error_set(err, WSP_EINVAL,
				     "exec needs options and a result");
	if (opts->struct_size < OPTS_SIZE_1_0 ||
	    out->struct_size < RESULT_SIZE_1_0)
		return wsp_error_set(err, WSP_EINVAL,
				     "set struct_size of the exec options "
				     "and result (use WSP_EXEC_OPTS_INIT)");
	size = out->struct_size;
	memset(out, 0, min_size(size, sizeof(res)));
	out->struct_size = size;
	memcpy(&o, opts, min_size(opts->struct_size, sizeof(o)));
	o.struct_size = sizeof(o);
	if (!o.shell && !(o.argv && o.argv[0]))
		return wsp_error_set(err, WSP_EINVAL,
				     "no command given; set a shell string "
				     "or argv");
	rc = sandbox(&in, ws, err);
	if (rc)
		return rc;
	memset(&res, 0, sizeof(res));
	res.struct_size = sizeof(res);
	rc = in->prov->sandbox.exec(&res, in->self, &o, err);
	if (rc == 0) {
		memcpy(out, &res, min_size(size, sizeof(res)));
		out->struct_size = size;
	} else {
		wsp__workspace_mask_error(ws, err);
	}
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
		      const wsp_cancel *cancel, wsp_error *err)
{
	wsp__instance *in;
	uint32_t outcome = WSP_START_CONNECTED;
	int rc = sandbox(&in, ws, err);

	if (rc)
		return rc;
	if (in->prov->sandbox.start)
		rc = in->prov->sandbox.start(&outcome, in->self, cancel, err);
	if (!rc && out_outcome)
		*out_outcome = outcome;
	if (rc)
		wsp__workspace_mask_error(ws, err);
	return rc;
}

int wsp_sandbox_stop(wsp_workspace *ws, wsp_error *err)
{
	wsp__instance *in;
	int rc = sandbox(&in, ws, err);

	if (rc || !in->prov->sandbox.stop)
		return rc;
	return in->prov->sandbox.stop(in->self, err);
}

int wsp_sandbox_destroy(wsp_workspace *ws, uint32_t flags, wsp_error *err)
{
	wsp__instance *in;
	int rc = sandbox(&in, ws, err);

	if (rc)
		return rc;
	if (!in->prov->sandbox.destroy)
		return wsp_error_set(err, WSP_ENOTSUP,
				     "sandbox provider '%s' cannot be "
				     "destroyed", in->prov->desc.name);
	return in->prov->sandbox.destroy(in->self, flags, err);
}

int wsp_sandbox_status(uint32_t *out_state, wsp_workspace *ws,
		       wsp_error *err)
{
	wsp__instance *in;
	uint32_t state = WSP_SANDBOX_RUNNING;
	int rc = sandbox(&in, ws, err);

	if (rc)
		return rc;
	if (in->prov->sandbox.status)
		rc = in->prov->sandbox.status(&state, in->self, err);
	if (!rc)
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

int wsp_sandbox_info(wsp_workspace *ws, wsp_kv_fn cb, void *payload,
		     wsp_error *err)
{
	wsp__instance *in;
	int rc = sandbox(&in, ws, err);

	if (rc)
		return rc;
	if (in->prov->sandbox.info)
		return in->prov->sandbox.info(in->self, cb, payload, err);
	rc = cb("id", in->id ? in->id : "", payload);
	if (!rc)
		rc = cb("provider", in->prov->desc.name, payload);
	return rc;
}

int wsp_sandbox_instructions(wsp_workspace *ws, wsp_sink_fn sink,
			     void *payload, wsp_error *err)
{
	wsp__instance *in;
	char text[256];
	int n, rc = sandbox(&in, ws, err);

	if (rc)
		return rc;
	if (in->prov->sandbox.instructions)
		return in->prov->sandbox.instructions(in->self, sink, payload,
						      err);
	n = snprintf(text, sizeof(text),
		     "Commands run in the '%s' sandbox (provider '%s').\n",
		     in->id ? in->id : "default", in->prov->desc.name);
	if (n < 0)
		return wsp_error_set(err, WSP_ERROR, "cannot format text");
	return sink(text, (size_t)n < sizeof(text) ? (size_t)n
						   : sizeof(text) - 1,
		    payload);
}
