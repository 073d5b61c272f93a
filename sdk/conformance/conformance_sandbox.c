/*
 * conformance_sandbox.c - behavioural checks for a sandbox provider and,
 * when it has one, its process manager, made through the public exec and
 * process APIs on a workspace whose sandbox is the provider.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"

/* Run opts; 0 with *r filled, or report a failure of check and return -1. */
static int run(wsp_exec_result *r, const char *check, wsp_workspace *ws,
	       const wsp_exec_opts *o)
{
	wsp_error err = {0};
	int rc;

	memset(r, 0, sizeof(*r));
	r->struct_size = sizeof(*r);
	rc = wsp_sandbox_exec(r, ws, o, &err);
	if (rc) {
		conf_fail(check, "exec: %s (%s)", err.message,
			  conf_errname(rc));
		return -1;
	}
	return 0;
}

static int out_is(const wsp_exec_result *r, const char *want)
{
	return r->stdout_data && r->stdout_len == strlen(want) &&
	       !memcmp(r->stdout_data, want, r->stdout_len);
}

/* Run a shell string and expect exit 0 and exactly want on stdout. */
static void expect_out(wsp_workspace *ws, const char *check, wsp_exec_opts *o,
		       const char *want)
{
	wsp_exec_result r;

	if (run(&r, check, ws, o))
		return;
	if (r.exit_code != 0 || !out_is(&r, want))
		conf_fail(check, "exit %d, stdout '%.*s', want exit 0 and '%s'",
			  r.exit_code, (int)r.stdout_len,
			  r.stdout_data ? r.stdout_data : "", want);
	else
		conf_pass(check);
	wsp_exec_result_release(ws, &r);
}

static void check_exec(wsp_workspace *ws)
{
	static const char *const argv[] = {"printf", "%s|%s", "a b", "c", NULL};
	static const char *const env[] = {"WSP_CONF_CALL=dev-box", NULL};
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result r;

	o.shell = "echo hello";
	expect_out(ws, "sandbox.exec-shell", &o, "hello\n");

	o = (wsp_exec_opts)WSP_EXEC_OPTS_INIT;
	o.argv = argv;
	expect_out(ws, "sandbox.exec-argv", &o, "a b|c");

	o = (wsp_exec_opts)WSP_EXEC_OPTS_INIT;
	o.shell = "exit 7";
	if (!run(&r, "sandbox.exit-code", ws, &o)) {
		if (r.exit_code != 7)
			conf_fail("sandbox.exit-code", "exit %d, want 7",
				  r.exit_code);
		else
			conf_pass("sandbox.exit-code");
		wsp_exec_result_release(ws, &r);
	}

	o.shell = "echo to-out; echo to-err >&2";
	if (!run(&r, "sandbox.stdout-stderr", ws, &o)) {
		if (!out_is(&r, "to-out\n") || !r.stderr_data ||
		    strcmp(r.stderr_data, "to-err\n"))
			conf_fail("sandbox.stdout-stderr",
				  "streams mixed: stdout '%s', stderr '%s'",
				  r.stdout_data ? r.stdout_data : "",
				  r.stderr_data ? r.stderr_data : "");
		else
			conf_pass("sandbox.stdout-stderr");
		wsp_exec_result_release(ws, &r);
	}

	/* Set here, in the conformance process: must not leak inside. */
	setenv("WSP_CONF_SECRET", "leaked", 1);
	o.shell = "printf '%s' \"${WSP_CONF_SECRET-unset}\"";
	expect_out(ws, "sandbox.env-isolated", &o, "unset");

	o.shell = "printf '%s' \"$WSP_CONF_CALL\"";
	o.env = env;
	expect_out(ws, "sandbox.env-per-call", &o, "dev-box");
	o.env = NULL;

	o = (wsp_exec_opts)WSP_EXEC_OPTS_INIT;
	o.shell = "mkdir -p wsp-conf-cwd && cd wsp-conf-cwd && pwd -P";
	if (!run(&r, "sandbox.cwd", ws, &o)) {
		char want[4200];

		wsp_exec_result_release(ws, &r);
		if (r.exit_code != 0) {
			conf_fail("sandbox.cwd", "cannot make a directory");
		} else {
			wsp_exec_result r2;

			o.shell = "pwd -P";
			if (!run(&r2, "sandbox.cwd", ws, &o)) {
				snprintf(want, sizeof(want),
					 "%.*s/wsp-conf-cwd\n",
					 r2.stdout_len ? (int)r2.stdout_len - 1
						       : 0,
					 r2.stdout_data ? r2.stdout_data : "");
				wsp_exec_result_release(ws, &r2);
				o.cwd = "wsp-conf-cwd";
				expect_out(ws, "sandbox.cwd", &o, want);
				o.cwd = NULL;
			}
		}
		o.shell = "rmdir wsp-conf-cwd";
		if (!run(&r, "sandbox.cwd-cleanup", ws, &o))
			wsp_exec_result_release(ws, &r);
	}

	o = (wsp_exec_opts)WSP_EXEC_OPTS_INIT;
	o.shell = "cat";
	o.stdin_data = "piped\ninput";
	o.stdin_len = strlen("piped\ninput");
	expect_out(ws, "sandbox.stdin-data", &o, "piped\ninput");

	o = (wsp_exec_opts)WSP_EXEC_OPTS_INIT;
	o.shell = "cat; echo eof";
	o.timeout_ms = 10000;
	expect_out(ws, "sandbox.no-stdin-eof", &o, "eof\n");

	o = (wsp_exec_opts)WSP_EXEC_OPTS_INIT;
	o.shell = "sleep 30";
	o.timeout_ms = 300;
	if (!run(&r, "sandbox.timeout", ws, &o)) {
		if (r.exit_code != 124 || !(r.flags & WSP_EXEC_TIMED_OUT))
			conf_fail("sandbox.timeout",
				  "exit %d flags %#x, want 124 and timed out",
				  r.exit_code, r.flags);
		else if (r.duration_ms > 10000)
			conf_fail("sandbox.timeout", "took %llu ms",
				  (unsigned long long)r.duration_ms);
		else
			conf_pass("sandbox.timeout");
		wsp_exec_result_release(ws, &r);
	}
}

struct found {
	const char *id;
	int seen;
};

static int on_proc(const char *id, const char *command,
		   const wsp_proc_status *st, void *payload)
{
	struct found *f = payload;

	if (!strcmp(id, f->id))
		f->seen = 1;
	return 0;
}

struct text {
	char out[256], err[256];
	size_t out_len, err_len;
};

static int on_output(uint32_t stream, const void *data, size_t len,
		     void *payload)
{
	struct text *t = payload;
	char *buf = stream == WSP_STDERR ? t->err : t->out;
	size_t *n = stream == WSP_STDERR ? &t->err_len : &t->out_len;

	if (*n + len >= sizeof(t->out))
		len = sizeof(t->out) - 1 - *n;
	memcpy(buf + *n, data, len);
	*n += len;
	buf[*n] = '\0';
	return 0;
}

/* Spawn a shell command; id filled, or the check reported as failed. */
static int spawn(char id[WSP_PROC_ID_MAX], const char *check, wsp_workspace *ws,
		 const char *shell, uint32_t stdin_mode)
{
	wsp_spawn_opts o = WSP_SPAWN_OPTS_INIT;
	wsp_error err = {0};
	int rc;

	o.shell = shell;
	o.stdin_mode = stdin_mode;
	rc = wsp_proc_spawn(id, ws, &o, &err);
	if (rc == WSP_ENOTSUP)
		conf_skip(check, "provider lacks it: %s", err.message);
	else if (rc)
		conf_fail(check, "spawn: %s", err.message);
	return rc;
}

static void check_procs(struct conf *c)
{
	wsp_output_opts oo = WSP_OUTPUT_OPTS_INIT;
	wsp_proc_status st = {.struct_size = sizeof(st)};
	wsp_workspace *ws = c->ws;
	char id[WSP_PROC_ID_MAX];
	struct found f = {id, 0};
	struct text t = {0};
	wsp_error err = {0};
	int rc;

	if (spawn(id, "proc.spawn", ws,
		  "printf 'one\\ntwo\\nthree\\n'; echo oops >&2",
		  WSP_STDIN_IGNORE))
		return;
	conf_pass("proc.spawn");
	rc = wsp_proc_list(ws, on_proc, &f, &err);
	if (rc || !f.seen)
		conf_fail("proc.list", "spawned process not listed: %s",
			  rc ? err.message : "absent");
	else
		conf_pass("proc.list");
	rc = wsp_proc_wait(&st, ws, id, 10000, NULL, &err);
	if (rc || st.state != WSP_PROC_EXITED || st.exit_code != 0)
		conf_fail("proc.status", "state %u exit %d: %s", st.state,
			  st.exit_code, rc ? err.message : "");
	else
		conf_pass("proc.status");
	oo.tail_lines = 2;
	rc = wsp_proc_read_output(NULL, ws, id, &oo, on_output, &t, &err);
	if (rc || strcmp(t.out, "two\nthree\n") || strcmp(t.err, "oops\n"))
		conf_fail("proc.output-tail", "stdout '%s' stderr '%s'%s%s",
			  t.out, t.err, rc ? ": " : "", rc ? err.message : "");
	else
		conf_pass("proc.output-tail");
	rc = wsp_proc_release(ws, id, &err);
	if (rc) {
		conf_fail("proc.release", "%s", err.message);
	} else {
		rc = wsp_proc_get_status(&st, ws, id, &err);
		if (rc != WSP_ENOTFOUND)
			conf_fail("proc.release",
				  "released id: got %s, want "
				  "WSP_ENOTFOUND",
				  conf_errname(rc));
		else
			conf_pass("proc.release");
	}

	if (!(c->caps & WSP_CAP_PROC_STDIN)) {
		conf_skip("proc.stdin", "no WSP_CAP_PROC_STDIN");
	} else if (!spawn(id, "proc.stdin", ws, "cat", WSP_STDIN_PIPE)) {
		memset(&t, 0, sizeof(t));
		rc = wsp_proc_write_stdin(ws, id, "fed-in\n", 7, &err);
		if (!rc && (c->caps & WSP_CAP_PROC_CLOSE_STDIN))
			rc = wsp_proc_close_stdin(ws, id, &err);
		else if (!rc)
			rc = wsp_proc_signal(ws, id, SIGTERM, &err);
		if (!rc)
			rc = wsp_proc_wait(&st, ws, id, 10000, NULL, &err);
		if (!rc)
			rc = wsp_proc_read_output(NULL, ws, id, NULL, on_output,
						  &t, &err);
		if (rc || strcmp(t.out, "fed-in\n"))
			conf_fail("proc.stdin", "stdout '%s'%s%s", t.out,
				  rc ? ": " : "", rc ? err.message : "");
		else
			conf_pass("proc.stdin");
		wsp_proc_release(ws, id, &err);
	}

	if (spawn(id, "proc.signal", ws, "sleep 30", WSP_STDIN_IGNORE))
		return;
	rc = wsp_proc_signal(ws, id, SIGKILL, &err);
	if (!rc)
		rc = wsp_proc_wait(&st, ws, id, 10000, NULL, &err);
	if (rc || st.state != WSP_PROC_SIGNALED || st.term_signal != SIGKILL)
		conf_fail("proc.signal", "state %u signal %d%s%s", st.state,
			  st.term_signal, rc ? ": " : "",
			  rc ? err.message : "");
	else
		conf_pass("proc.signal");
	rc = wsp_proc_release(ws, id, &err);
	if (rc)
		conf_fail("proc.release-exited", "%s", err.message);
	else
		conf_pass("proc.release-exited");
}

void conf_run_sandbox(struct conf *c)
{
	check_exec(c->ws);
	if (!c->has_procmgr) {
		conf_skip("proc", "provider has no process manager");
		return;
	}
	check_procs(c);
}
