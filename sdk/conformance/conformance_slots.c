/*
 * conformance_slots.c - checks of the optional sandbox slots of ABI 2.0:
 * pause/resume (WSP_CAP_SANDBOX_PAUSE), set_timeout
 * (WSP_CAP_SANDBOX_TIMEOUT) and preview (WSP_CAP_SANDBOX_PREVIEW).
 *
 * A provider either claims the capability and passes the check, or leaves
 * it out; then the check is that the operation answers WSP_ENOTSUP (what
 * the core promises callers, whether the slot is NULL, beyond an older
 * provider's vtable, or present but not claimed here).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conformance.h"

/*
 * The capability is absent: the operation must answer WSP_ENOTSUP. Returns
 * 1 when the capability is present (the caller checks the behaviour).
 */
static int absent_is_enotsup(const struct conf *c, uint64_t cap,
			     const char *check, int rc, const wsp_error *err)
{
	char name[96];

	if (c->caps & cap)
		return 1;
	snprintf(name, sizeof(name), "%s-absent", check);
	if (rc == WSP_ENOTSUP)
		conf_pass(name);
	else
		conf_fail(name, "capability not declared, got %s, want "
				"WSP_ENOTSUP: %s",
			  conf_errname(rc), rc ? err->message : "succeeded");
	return 0;
}

/* Bytes a process has written to stdout so far, or -1. */
static long long written(wsp_workspace *ws, const char *id)
{
	wsp_proc_status st = {.struct_size = sizeof(st)};
	wsp_error err = {0};

	if (wsp_proc_get_status(&st, ws, NULL, id, &err))
		return -1;
	return (long long)st.stdout_total;
}

/*
 * A process printing a line every 20 ms makes no progress while paused
 * and goes on after resume; exec is refused while paused.
 */
static void check_pause_progress(const struct conf *c)
{
	wsp_spawn_opts so = WSP_SPAWN_OPTS_INIT;
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result r = {.struct_size = sizeof(r)};
	char id[WSP_PROC_ID_MAX];
	wsp_error err = {0};
	long long before, after;
	int rc, i;

	if (!c->has_procmgr) {
		conf_skip("sandbox.pause-freezes", "no process manager");
		return;
	}
	so.stdin_mode = WSP_STDIN_IGNORE;
	so.shell = "while :; do echo tick; sleep 0.02; done";
	if (wsp_proc_spawn(id, c->ws, NULL, &so, &err)) {
		conf_fail("sandbox.pause-freezes", "spawn: %s", err.message);
		return;
	}
	for (i = 0; i < 250 && written(c->ws, id) <= 0; i++)
		usleep(20 * 1000);
	rc = wsp_sandbox_pause(c->ws, NULL, &err);
	if (!conf_expect("sandbox.pause", rc, 0, &err))
		goto out;
	conf_expect_state("sandbox.status-paused", c->ws, WSP_SANDBOX_PAUSED);
	rc = wsp_sandbox_pause(c->ws, NULL, &err);
	conf_expect("sandbox.pause-twice", rc, 0, &err);
	/* Output already on its way may still land: measure after a pause. */
	usleep(100 * 1000);
	before = written(c->ws, id);
	usleep(300 * 1000);
	after = written(c->ws, id);
	if (before < 0 || after != before)
		conf_fail("sandbox.pause-freezes", "output grew from %lld to "
						   "%lld bytes while paused",
			  before, after);
	else
		conf_pass("sandbox.pause-freezes");
	o.shell = "echo no";
	rc = wsp_sandbox_exec(&r, c->ws, NULL, &o, &err);
	if (rc == 0) {
		conf_fail("sandbox.pause-refuses-exec",
			  "a command ran in a paused sandbox");
		wsp_exec_result_release(c->ws, &r);
	} else {
		conf_pass("sandbox.pause-refuses-exec");
	}
	rc = wsp_sandbox_resume(c->ws, NULL, &err);
	if (!conf_expect("sandbox.resume", rc, 0, &err))
		goto out;
	conf_expect_state("sandbox.status-resumed", c->ws, WSP_SANDBOX_RUNNING);
	for (i = 0; i < 250 && written(c->ws, id) <= after; i++)
		usleep(20 * 1000);
	if (written(c->ws, id) <= after)
		conf_fail("sandbox.resume-thaws", "no output after resume");
	else
		conf_pass("sandbox.resume-thaws");
	rc = wsp_sandbox_resume(c->ws, NULL, &err);
	conf_expect("sandbox.resume-running", rc, 0, &err);
out:
	wsp_sandbox_resume(c->ws, NULL, &err);
	wsp_proc_release(c->ws, NULL, id, &err);
}

static void check_pause(const struct conf *c)
{
	wsp_error err = {0};
	int rc = wsp_sandbox_pause(c->ws, NULL, &err);

	if (!absent_is_enotsup(c, WSP_CAP_SANDBOX_PAUSE, "sandbox.pause", rc,
			       &err)) {
		rc = wsp_sandbox_resume(c->ws, NULL, &err);
		absent_is_enotsup(c, WSP_CAP_SANDBOX_PAUSE, "sandbox.resume",
				  rc, &err);
		return;
	}
	/* The probe paused it: back to running before the real check. */
	if (rc == 0)
		wsp_sandbox_resume(c->ws, NULL, &err);
	check_pause_progress(c);
}

static void check_timeout(const struct conf *c)
{
	wsp_error err = {0};
	int rc = wsp_sandbox_set_timeout(c->ws, NULL, 0,
					 WSP_SANDBOX_KEEPALIVE, &err);

	if (!absent_is_enotsup(c, WSP_CAP_SANDBOX_TIMEOUT,
			       "sandbox.set-timeout", rc, &err))
		return;
	conf_expect("sandbox.keepalive", rc, 0, &err);
	/* 0 means "never": the sandbox keeps running. */
	rc = wsp_sandbox_set_timeout(c->ws, NULL, 0, 0, &err);
	conf_expect("sandbox.set-timeout-none", rc, 0, &err);
}

static void check_preview(const struct conf *c)
{
	wsp_preview p = {.struct_size = sizeof(p)};
	wsp_error err = {0};
	int rc = wsp_sandbox_preview(&p, c->ws, NULL, 8080, &err);

	if (!absent_is_enotsup(c, WSP_CAP_SANDBOX_PREVIEW, "sandbox.preview",
			       rc, &err))
		return;
	/* Claimed, yet a configuration may rule it out (no network). */
	if (rc == WSP_ENOTSUP) {
		conf_skip("sandbox.preview", "not here: %s", err.message);
		return;
	}
	if (rc)
		conf_fail("sandbox.preview", "%s", err.message);
	else if (strncmp(p.url, "http://", 7) && strncmp(p.url, "https://", 8))
		conf_fail("sandbox.preview", "url '%s' is not http(s)", p.url);
	else if (!p.header_name[0] && p.header_value[0])
		conf_fail("sandbox.preview", "a header value without a name");
	else
		conf_pass("sandbox.preview");
	rc = wsp_sandbox_preview(&p, c->ws, NULL, 0, &err);
	if (rc != WSP_EINVAL)
		conf_fail("sandbox.preview-port-0", "got %s, want WSP_EINVAL",
			  conf_errname(rc));
	else
		conf_pass("sandbox.preview-port-0");
}

void conf_run_slots(struct conf *c)
{
	uint32_t outcome = 0;
	wsp_error err = {0};

	if (wsp_sandbox_start(&outcome, c->ws, NULL, &err)) {
		conf_fail("sandbox.slots", "start: %s", err.message);
		return;
	}
	check_pause(c);
	check_timeout(c);
	check_preview(c);
}
