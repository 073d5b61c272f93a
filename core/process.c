/*
 * core/process.c - the embedding API of the sandbox's background
 * processes (<wsp/process.h>): each call finds the sandbox instance
 * (loaded on first use) and calls its process manager's slot, refusing
 * cleanly when the provider or the slot is absent.
 */
#include "internal.h"

#include <wsp/process.h>

#include <stddef.h>

/* The instance, when its provider has a process manager. */
static int procmgr(wsp__instance **out, wsp_workspace *ws, wsp_error *err)
{
	int rc;

	if (!ws)
		return wsp_error_set(err, WSP_EINVAL, "no workspace given");
	rc = wsp__workspace_sandbox(out, ws, err);
	if (rc)
		return rc;
	if (!(*out)->prov->has_procmgr)
		return wsp_error_set(err, WSP_ENOTSUP,
				     "sandbox provider '%s' cannot run "
				     "background processes",
				     (*out)->prov->desc.name);
	return 0;
}

static int no_slot(wsp__instance *in, const char *what, wsp_error *err)
{
	return wsp_error_set(err, WSP_ENOTSUP,
			     "sandbox provider '%s' cannot %s of background "
			     "processes",
			     in->prov->desc.name, what);
}

static int check_id(const char *id, wsp_error *err)
{
	if (!id || !id[0])
		return wsp_error_set(err, WSP_EINVAL,
				     "no background process id given");
	return 0;
}

int wsp_proc_spawn(char out_id[WSP_PROC_ID_MAX], wsp_workspace *ws,
		   const wsp_spawn_opts *opts, wsp_error *err)
{
	wsp__instance *in;
	int rc;

	if (!out_id || !opts)
		return wsp_error_set(err, WSP_EINVAL,
				     "spawn needs options and room for the id");
	if (!opts->shell && !(opts->argv && opts->argv[0]))
		return wsp_error_set(err, WSP_EINVAL,
				     "no command given; set a shell string "
				     "or argv");
	rc = procmgr(&in, ws, err);
	if (rc)
		return rc;
	out_id[0] = '\0';
	rc = in->prov->procmgr.spawn(out_id, in->self, opts, err);
	if (!rc)
		out_id[WSP_PROC_ID_MAX - 1] = '\0';
	else
		wsp__workspace_mask_error(ws, err);
	return rc;
}

int wsp_proc_list(wsp_workspace *ws, wsp_proc_fn cb, void *payload,
		  wsp_error *err)
{
	wsp__instance *in;
	int rc;

	if (!cb)
		return wsp_error_set(err, WSP_EINVAL, "list needs a callback");
	rc = procmgr(&in, ws, err);
	return rc ? rc : in->prov->procmgr.list(in->self, cb, payload, err);
}

int wsp_proc_get_status(wsp_proc_status *out, wsp_workspace *ws, const char *id,
			wsp_error *err)
{
	wsp__instance *in;
	int rc;

	if (!out)
		return wsp_error_set(err, WSP_EINVAL, "status needs a result");
	if ((rc = check_id(id, err)) || (rc = procmgr(&in, ws, err)))
		return rc;
	return in->prov->procmgr.status(out, in->self, id, err);
}

int wsp_proc_read_output(wsp_proc_status *out, wsp_workspace *ws,
			 const char *id, const wsp_output_opts *opts,
			 wsp_output_fn sink, void *payload, wsp_error *err)
{
	wsp_output_opts all = WSP_OUTPUT_OPTS_INIT;
	wsp__instance *in;
	int rc;

	if ((rc = check_id(id, err)) || (rc = procmgr(&in, ws, err)))
		return rc;
	return in->prov->procmgr.read_output(
		out, in->self, id, opts ? opts : &all, sink, payload, err);
}

int wsp_proc_write_stdin(wsp_workspace *ws, const char *id, const void *data,
			 size_t len, wsp_error *err)
{
	wsp__instance *in;
	int rc;

	if (!data && len)
		return wsp_error_set(err, WSP_EINVAL, "no data to write");
	if ((rc = check_id(id, err)) || (rc = procmgr(&in, ws, err)))
		return rc;
	if (!in->prov->procmgr.write_stdin)
		return no_slot(in, "write to the stdin", err);
	return in->prov->procmgr.write_stdin(in->self, id, data, len, err);
}

int wsp_proc_close_stdin(wsp_workspace *ws, const char *id, wsp_error *err)
{
	wsp__instance *in;
	int rc;

	if ((rc = check_id(id, err)) || (rc = procmgr(&in, ws, err)))
		return rc;
	if (!in->prov->procmgr.close_stdin)
		return no_slot(in, "close the stdin", err);
	return in->prov->procmgr.close_stdin(in->self, id, err);
}

int wsp_proc_signal(wsp_workspace *ws, const char *id, int signum,
		    wsp_error *err)
{
	wsp__instance *in;
	int rc;

	if ((rc = check_id(id, err)) || (rc = procmgr(&in, ws, err)))
		return rc;
	return in->prov->procmgr.signal(in->self, id, signum, err);
}

int wsp_proc_release(wsp_workspace *ws, const char *id, wsp_error *err)
{
	wsp__instance *in;
	int rc;

	if ((rc = check_id(id, err)) || (rc = procmgr(&in, ws, err)))
		return rc;
	return in->prov->procmgr.release(in->self, id, err);
}

static int discard_output(uint32_t stream, const void *data, size_t len,
			  void *payload)
{
	(void)stream;
	(void)data;
	(void)len;
	(void)payload;
	return 0;
}

/*
 * A provider without a wait slot still waits inside read_output (wait_ms);
 * read one byte of tail and report a process still running as a timeout.
 */
static int wait_by_reading(wsp_proc_status *out, wsp__instance *in,
			   const char *id, int64_t timeout_ms,
			   const wsp_cancel *cancel, wsp_error *err)
{
	wsp_output_opts oo = WSP_OUTPUT_OPTS_INIT;
	int rc;

	oo.wait_ms = timeout_ms;
	oo.tail_bytes = 1;
	oo.cancel = cancel;
	rc = in->prov->procmgr.read_output(out, in->self, id, &oo,
					   discard_output, NULL, err);
	if (!rc && out->state == WSP_PROC_RUNNING)
		return wsp_error_set(err, WSP_ETIMEDOUT,
				     "process '%s' still runs after %lld ms",
				     id, (long long)timeout_ms);
	return rc;
}

int wsp_proc_wait(wsp_proc_status *out, wsp_workspace *ws, const char *id,
		  int64_t timeout_ms, const wsp_cancel *cancel, wsp_error *err)
{
	wsp__instance *in;
	int rc;

	if (!out)
		return wsp_error_set(err, WSP_EINVAL, "wait needs a result");
	if ((rc = check_id(id, err)) || (rc = procmgr(&in, ws, err)))
		return rc;
	if (in->prov->procmgr.wait)
		return in->prov->procmgr.wait(out, in->self, id, timeout_ms,
					      cancel, err);
	return wait_by_reading(out, in, id, timeout_ms, cancel, err);
}

const char *wsp_proc_state_name(uint32_t state)
{
	switch (state) {
	case WSP_PROC_RUNNING:
		return "running";
	case WSP_PROC_EXITED:
		return "exited";
	case WSP_PROC_SIGNALED:
		return "signaled";
	case WSP_PROC_LOST:
		return "lost";
	}
	return "unknown";
}
