/*
 * core/exec/process.c - the embedding API of the sandbox's background
 * processes (<wsp/process.h>): each call finds the sandbox instance
 * (loaded on first use), checks the call context, and calls its process
 * manager's slot with full-size structs (abi_normalize_sandbox.c),
 * refusing cleanly when the provider or the slot is absent.
 */
#include "abi_normalize.h"
#include "internal.h"

#include <wsp/process.h>

#include <stddef.h>
#include <string.h>

/*
 * The instance, when its provider has a process manager, and *c, the call
 * context its slot gets (an expired call stops here).
 */
static int procmgr(wsp__instance **out, wsp_call *c, wsp_workspace *ws,
		   const wsp_call *call, const char *what, wsp_error *err)
{
	int rc = wsp__sandbox_enter(out, c, ws, call, what, err);

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
		   const wsp_call *call, const wsp_spawn_opts *opts,
		   wsp_error *err)
{
	wsp__instance *in;
	wsp_spawn_opts o;
	wsp_call c;
	int rc;

	if (!out_id)
		return wsp_error_set(err, WSP_EINVAL,
				     "spawn needs room for the id");
	if ((rc = wsp__spawn_opts_normalize(&o, opts, err)) ||
	    (rc = procmgr(&in, &c, ws, call, "spawn", err)))
		return rc;
	out_id[0] = '\0';
	rc = in->prov->procmgr.spawn(out_id, in->self, &c, &o, err);
	if (!rc)
		out_id[WSP_PROC_ID_MAX - 1] = '\0';
	else
		wsp__workspace_mask_error(ws, err);
	return rc;
}

int wsp_proc_list(wsp_workspace *ws, const wsp_call *call, wsp_proc_fn cb,
		  void *payload, wsp_error *err)
{
	wsp__instance *in;
	wsp_call c;
	int rc;

	if (!cb)
		return wsp_error_set(err, WSP_EINVAL, "list needs a callback");
	rc = procmgr(&in, &c, ws, call, "list", err);
	return rc ? rc
		  : in->prov->procmgr.list(in->self, &c, 0, cb, payload, err);
}

int wsp_proc_get_status(wsp_proc_status *out, wsp_workspace *ws,
			const wsp_call *call, const char *id, wsp_error *err)
{
	wsp_proc_status st;
	wsp__instance *in;
	wsp_call c;
	int rc;

	if ((rc = check_id(id, err)) ||
	    (rc = wsp__proc_status_begin(&st, out, err)) ||
	    (rc = procmgr(&in, &c, ws, call, "status", err)))
		return rc;
	rc = in->prov->procmgr.status(&st, in->self, &c, id, 0, err);
	if (!rc)
		wsp__proc_status_end(out, &st);
	return rc;
}

/* A process status for a caller that may have passed none (out NULL). */
static int status_begin(wsp_proc_status *st, wsp_proc_status *out,
			wsp_error *err)
{
	if (out)
		return wsp__proc_status_begin(st, out, err);
	memset(st, 0, sizeof(*st));
	st->struct_size = sizeof(*st);
	return 0;
}

int wsp_proc_read_output(wsp_proc_status *out, wsp_workspace *ws,
			 const wsp_call *call, const char *id,
			 const wsp_output_opts *opts, wsp_output_fn sink,
			 void *payload, wsp_error *err)
{
	wsp_output_opts o;
	wsp_proc_status st;
	wsp__instance *in;
	wsp_call c;
	int rc;

	if ((rc = check_id(id, err)) ||
	    (rc = wsp__output_opts_normalize(&o, opts, err)) ||
	    (rc = status_begin(&st, out, err)) ||
	    (rc = procmgr(&in, &c, ws, call, "read output", err)))
		return rc;
	/* Following is the provider's or nobody's: see sandbox.h. */
	if ((o.flags & WSP_OUTPUT_FOLLOW) &&
	    !(in->prov->desc.caps & WSP_CAP_PROC_FOLLOW))
		return wsp_error_set(err, WSP_ENOTSUP,
				     "sandbox provider '%s' cannot follow "
				     "the output of background processes "
				     "(no WSP_CAP_PROC_FOLLOW); read from "
				     "the last totals instead",
				     in->prov->desc.name);
	rc = in->prov->procmgr.read_output(&st, in->self, &c, id, &o, sink,
					   payload, err);
	if (out)
		wsp__proc_status_end(out, &st);
	return rc;
}

int wsp_proc_write_stdin(wsp_workspace *ws, const wsp_call *call,
			 const char *id, const void *data, size_t len,
			 wsp_error *err)
{
	wsp__instance *in;
	wsp_call c;
	int rc;

	if (!data && len)
		return wsp_error_set(err, WSP_EINVAL, "no data to write");
	if ((rc = check_id(id, err)) ||
	    (rc = procmgr(&in, &c, ws, call, "write stdin", err)))
		return rc;
	if (!in->prov->procmgr.write_stdin)
		return no_slot(in, "write to the stdin", err);
	return in->prov->procmgr.write_stdin(in->self, &c, id, data, len, 0,
					     err);
}

int wsp_proc_close_stdin(wsp_workspace *ws, const wsp_call *call,
			 const char *id, wsp_error *err)
{
	wsp__instance *in;
	wsp_call c;
	int rc;

	if ((rc = check_id(id, err)) ||
	    (rc = procmgr(&in, &c, ws, call, "close stdin", err)))
		return rc;
	if (!in->prov->procmgr.close_stdin)
		return no_slot(in, "close the stdin", err);
	return in->prov->procmgr.close_stdin(in->self, &c, id, 0, err);
}

int wsp_proc_signal(wsp_workspace *ws, const wsp_call *call, const char *id,
		    int signum, wsp_error *err)
{
	wsp__instance *in;
	wsp_call c;
	int rc;

	if ((rc = check_id(id, err)) ||
	    (rc = procmgr(&in, &c, ws, call, "signal", err)))
		return rc;
	return in->prov->procmgr.signal(in->self, &c, id, signum, 0, err);
}

int wsp_proc_release(wsp_workspace *ws, const wsp_call *call, const char *id,
		     wsp_error *err)
{
	wsp__instance *in;
	wsp_call c;
	int rc;

	if ((rc = check_id(id, err)) ||
	    (rc = procmgr(&in, &c, ws, call, "release", err)))
		return rc;
	return in->prov->procmgr.release(in->self, &c, id, 0, err);
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
static int wait_by_reading(wsp_proc_status *st, wsp__instance *in,
			   const wsp_call *c, const char *id,
			   int64_t timeout_ms, wsp_error *err)
{
	wsp_output_opts oo = WSP_OUTPUT_OPTS_INIT;
	int rc;

	oo.streams = WSP_STDOUT | WSP_STDERR;
	oo.wait_ms = timeout_ms;
	oo.tail_bytes = 1;
	rc = in->prov->procmgr.read_output(st, in->self, c, id, &oo,
					   discard_output, NULL, err);
	if (!rc && st->state == WSP_PROC_RUNNING)
		return wsp_error_set(err, WSP_ETIMEDOUT,
				     "process '%s' still runs after %lld ms",
				     id, (long long)timeout_ms);
	return rc;
}

int wsp_proc_wait(wsp_proc_status *out, wsp_workspace *ws,
		  const wsp_call *call, const char *id, int64_t timeout_ms,
		  wsp_error *err)
{
	wsp_proc_status st;
	wsp__instance *in;
	wsp_call c;
	int rc;

	if ((rc = check_id(id, err)) ||
	    (rc = wsp__proc_status_begin(&st, out, err)))
		return rc;
	if (timeout_ms < -1)
		return wsp_error_set(err, WSP_EINVAL,
				     "wait of %lld ms: give ms or -1 for no "
				     "limit", (long long)timeout_ms);
	if ((rc = procmgr(&in, &c, ws, call, "wait", err)))
		return rc;
	if (in->prov->procmgr.wait)
		rc = in->prov->procmgr.wait(&st, in->self, &c, id, timeout_ms,
					    0, err);
	else
		rc = wait_by_reading(&st, in, &c, id, timeout_ms, err);
	wsp__proc_status_end(out, &st);
	return rc;
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
