/*
 * conformance_lifecycle.c - checks of a sandbox's lifecycle slots (start,
 * status, info, instructions, stop, destroy) and, with
 * WSP_CAP_SANDBOX_RECONNECT, of a second workspace reaching the same
 * sandbox by its id. Slots the provider leaves NULL are skipped: the core
 * then answers for it, and that is not the provider's behaviour.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conformance.h"

#define SLOT(c, name) ((c)->desc->sandbox && (c)->desc->sandbox->name)

void conf_expect_state(const char *check, wsp_workspace *ws, uint32_t want)
{
	uint32_t state = 0;
	wsp_error err = {0};

	if (wsp_sandbox_status(&state, ws, NULL, &err))
		conf_fail(check, "status: %s", err.message);
	else if (state != want)
		conf_fail(check, "state '%s', want '%s'",
			  wsp_sandbox_state_name(state),
			  wsp_sandbox_state_name(want));
	else
		conf_pass(check);
}

/* The same, unless the provider leaves status to the core. */
static void expect_state(const char *check, const struct conf *c,
			 wsp_workspace *ws, uint32_t want)
{
	if (SLOT(c, status))
		conf_expect_state(check, ws, want);
}

static int start(const char *check, wsp_workspace *ws, uint32_t *outcome)
{
	wsp_error err = {0};
	int rc = wsp_sandbox_start(outcome, ws, NULL, &err);

	if (rc)
		conf_fail(check, "%s", err.message);
	else if (*outcome != WSP_START_CREATED &&
		 *outcome != WSP_START_CONNECTED)
		conf_fail(check, "outcome %u, want created or connected",
			  *outcome);
	else
		conf_pass(check);
	return rc;
}

struct kv {
	int n;
	char first[64], second[64];
};

static int on_kv(const char *key, const char *value, void *payload)
{
	struct kv *kv = payload;

	if (kv->n == 0)
		snprintf(kv->first, sizeof(kv->first), "%s=%s", key, value);
	else if (kv->n == 1)
		snprintf(kv->second, sizeof(kv->second), "%s=%s", key, value);
	kv->n++;
	return 0;
}

static void check_describe(const struct conf *c)
{
	char want[300];
	struct kv kv = {0};
	wsp_error err = {0};
	size_t n = 0;
	int rc;

	if (!SLOT(c, info)) {
		conf_skip("sandbox.info", "provider has no info slot");
	} else {
		rc = wsp_sandbox_info(c->ws, NULL, on_kv, &kv, &err);
		snprintf(want, sizeof(want), "provider=%s", c->name);
		if (rc)
			conf_fail("sandbox.info", "%s", err.message);
		else if (strcmp(kv.first, "id=conformance") ||
			 strcmp(kv.second, want))
			conf_fail("sandbox.info",
				  "starts '%s', '%s'; want 'id=conformance', "
				  "'%s'",
				  kv.first, kv.second, want);
		else
			conf_pass("sandbox.info");
	}
	if (!SLOT(c, instructions)) {
		conf_skip("sandbox.instructions",
			  "provider has no instructions slot");
		return;
	}
	rc = wsp_sandbox_instructions(c->ws, NULL, conf_count_bytes, &n, &err);
	if (rc || !n)
		conf_fail("sandbox.instructions", "%s",
			  rc ? err.message : "no text");
	else
		conf_pass("sandbox.instructions");
}

/* stop ends the background processes; start brings the sandbox back. */
static void check_stop_start(const struct conf *c)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result r = {.struct_size = sizeof(r)};
	wsp_proc_status st = {.struct_size = sizeof(st)};
	wsp_spawn_opts so = WSP_SPAWN_OPTS_INIT;
	char id[WSP_PROC_ID_MAX];
	uint32_t outcome = 0;
	wsp_error err = {0};
	int have_proc = 0, rc;

	if (!SLOT(c, stop)) {
		conf_skip("sandbox.stop", "provider has no stop slot");
		return;
	}
	if (c->has_procmgr) {
		so.stdin_mode = WSP_STDIN_IGNORE;
		so.shell = "sleep 30";
		have_proc = !wsp_proc_spawn(id, c->ws, NULL, &so, &err);
		if (!have_proc)
			conf_fail("sandbox.stop-ends-processes", "spawn: %s",
				  err.message);
	}
	rc = wsp_sandbox_stop(c->ws, NULL, &err);
	if (!conf_expect("sandbox.stop", rc, 0, &err))
		return;
	expect_state("sandbox.status-stopped", c, c->ws, WSP_SANDBOX_STOPPED);
	if (have_proc) {
		rc = wsp_proc_get_status(&st, c->ws, NULL, id, &err);
		if (!rc && st.state == WSP_PROC_RUNNING)
			conf_fail("sandbox.stop-ends-processes",
				  "'%s' still runs", id);
		else
			conf_pass("sandbox.stop-ends-processes");
		wsp_proc_release(c->ws, NULL, id, &err);
	}
	if (start("sandbox.start-again", c->ws, &outcome))
		return;
	expect_state("sandbox.status-running-again", c, c->ws,
		     WSP_SANDBOX_RUNNING);
	o.shell = "echo back";
	rc = wsp_sandbox_exec(&r, c->ws, NULL, &o, &err);
	if (rc || !r.stdout_data || strcmp(r.stdout_data, "back\n"))
		conf_fail("sandbox.exec-after-restart", "%s",
			  rc ? err.message : "wrong output");
	else
		conf_pass("sandbox.exec-after-restart");
	if (!rc)
		wsp_exec_result_release(c->ws, &r);
}

/*
 * A second workspace with the same id reaches the same sandbox; with
 * WSP_CAP_PROC_DETACHED it also sees, reads and releases the first one's
 * background process.
 */
static void check_reconnect(const struct conf *c)
{
	wsp_output_opts oo = WSP_OUTPUT_OPTS_INIT;
	wsp_proc_status st = {.struct_size = sizeof(st)};
	wsp_spawn_opts so = WSP_SPAWN_OPTS_INIT;
	wsp_workspace *other = NULL;
	char id[WSP_PROC_ID_MAX];
	struct conf_text text = {0};
	uint32_t outcome = 0;
	wsp_error err = {0};
	int rc;

	if (!(c->caps & WSP_CAP_SANDBOX_RECONNECT)) {
		conf_skip("sandbox.reconnect", "no WSP_CAP_SANDBOX_RECONNECT");
		return;
	}
	if (conf_open(&other, c, NULL, &err)) {
		conf_fail("sandbox.reconnect", "open: %s", err.message);
		return;
	}
	rc = wsp_sandbox_start(&outcome, other, NULL, &err);
	if (rc || outcome != WSP_START_CONNECTED)
		conf_fail("sandbox.reconnect", "outcome %u: %s, want connected",
			  outcome, rc ? err.message : "not connected");
	else
		conf_pass("sandbox.reconnect");
	if (!c->has_procmgr || !(c->caps & WSP_CAP_PROC_DETACHED)) {
		conf_skip("sandbox.reconnect-processes",
			  "no process manager with WSP_CAP_PROC_DETACHED");
		goto out;
	}
	so.stdin_mode = WSP_STDIN_IGNORE;
	so.shell = "echo from-first; sleep 30";
	if (wsp_proc_spawn(id, c->ws, NULL, &so, &err)) {
		conf_fail("sandbox.reconnect-processes", "spawn: %s",
			  err.message);
		goto out;
	}
	oo.streams = WSP_STDOUT;
	for (rc = 0; rc < 500 && !text.out_len; rc++) {
		if (wsp_proc_read_output(NULL, other, NULL, id, &oo,
					 conf_text_output, &text, &err))
			break;
		if (!text.out_len)
			usleep(20 * 1000);
	}
	rc = conf_proc_listed(other, id);
	if (!rc || strcmp(text.out, "from-first\n"))
		conf_fail("sandbox.reconnect-processes",
			  "listed %d, output '%s'", rc, text.out);
	else
		conf_pass("sandbox.reconnect-processes");
	rc = wsp_proc_release(other, NULL, id, &err);
	if (!rc)
		rc = wsp_proc_get_status(&st, c->ws, NULL, id, &err) ==
				     WSP_ENOTFOUND
			     ? 0
			     : -1;
	if (rc)
		conf_fail("sandbox.reconnect-release",
			  "released by the second workspace, still known to "
			  "the first");
	else
		conf_pass("sandbox.reconnect-release");
	wsp_proc_release(c->ws, NULL, id, &err);
out:
	wsp_workspace_close(other);
}

static void check_destroy(const struct conf *c)
{
	wsp_error err = {0};
	int rc;

	if (!SLOT(c, destroy)) {
		conf_skip("sandbox.destroy", "provider has no destroy slot");
		return;
	}
	rc = wsp_sandbox_destroy(c->ws, NULL, 0, &err);
	if (conf_expect("sandbox.destroy", rc, 0, &err))
		expect_state("sandbox.status-absent", c, c->ws,
			     WSP_SANDBOX_ABSENT);
}

void conf_run_lifecycle(struct conf *c)
{
	uint32_t outcome = 0;

	if (!SLOT(c, start)) {
		conf_skip("sandbox.lifecycle", "provider has no start slot: "
					       "its sandbox is always there");
		return;
	}
	if (start("sandbox.start", c->ws, &outcome))
		return;
	expect_state("sandbox.status-running", c, c->ws, WSP_SANDBOX_RUNNING);
	if (!SLOT(c, status))
		conf_skip("sandbox.status", "provider has no status slot");
	check_describe(c);
	check_stop_start(c);
	check_reconnect(c);
	check_destroy(c);
}
