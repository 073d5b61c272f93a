/*
 * conformance_sandbox.c - behavioural checks of a sandbox provider's
 * foreground commands (exec), made through the public exec API on a
 * workspace whose sandbox is the provider; then the process manager's
 * and the lifecycle's checks (conformance_procs.c, _lifecycle.c).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conformance.h"

/*
 * Run opts under call (NULL: none); 0 with *r filled, or report a failure
 * of check and return -1.
 */
static int run_call(wsp_exec_result *r, const char *check, wsp_workspace *ws,
		    const wsp_call *call, const wsp_exec_opts *o)
{
	wsp_error err = {0};
	int rc;

	memset(r, 0, sizeof(*r));
	r->struct_size = sizeof(*r);
	rc = wsp_sandbox_exec(r, ws, call, o, &err);
	if (rc) {
		conf_fail(check, "exec: %s (%s)", err.message,
			  conf_errname(rc));
		return -1;
	}
	return 0;
}

static int run(wsp_exec_result *r, const char *check, wsp_workspace *ws,
	       const wsp_exec_opts *o)
{
	return run_call(r, check, ws, NULL, o);
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

/*
 * Run o under call (NULL: none) and expect what a timeout or the call's
 * deadline ends it with: exit 124, flagged timed out, well before the
 * 30 s its "sleep 30" asks for. The timeout and the deadline must end a
 * command alike, so both checks say so here once.
 */
static void expect_timed_out(wsp_workspace *ws, const char *check,
			     const wsp_call *call, const wsp_exec_opts *o)
{
	wsp_exec_result r;

	if (run_call(&r, check, ws, call, o))
		return;
	if (r.exit_code != 124 || !(r.flags & WSP_EXEC_TIMED_OUT))
		conf_fail(check, "exit %d flags %#x, want 124 and timed out",
			  r.exit_code, r.flags);
	else if (r.duration_ms > 10000)
		conf_fail(check, "took %llu ms",
			  (unsigned long long)r.duration_ms);
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
	expect_timed_out(ws, "sandbox.timeout", NULL, &o);
}

/* Commands that cannot start fail with a negative code and no result. */
static void check_cannot_start(wsp_workspace *ws)
{
	static const char *const argv[] = {"wsp-conf-no-such-program", NULL};
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result r = {.struct_size = sizeof(r)};
	wsp_error err = {0};
	int rc;

	o.argv = argv;
	rc = wsp_sandbox_exec(&r, ws, NULL, &o, &err);
	if (rc < 0)
		conf_pass("sandbox.exec-argv-unknown-program");
	else
		conf_fail("sandbox.exec-argv-unknown-program",
			  "ran (exit %d), want a negative code", r.exit_code);
	if (!rc)
		wsp_exec_result_release(ws, &r);
	o = (wsp_exec_opts)WSP_EXEC_OPTS_INIT;
	o.shell = "echo ran";
	o.cwd = "wsp-conf-no-such-dir";
	rc = wsp_sandbox_exec(&r, ws, NULL, &o, &err);
	if (rc < 0)
		conf_pass("sandbox.exec-missing-cwd");
	else
		conf_fail("sandbox.exec-missing-cwd",
			  "ran (exit %d), want a negative code", r.exit_code);
	if (!rc)
		wsp_exec_result_release(ws, &r);
}

/* Every byte reaches on_output in order; capture keeps the newest. */
struct stream {
	char *want;
	size_t want_len, pos;
	int bad;
};

static int on_stream(uint32_t stream, const void *data, size_t len,
		     void *payload)
{
	struct stream *s = payload;

	if (stream != WSP_STDOUT)
		return 0;
	if (s->pos + len > s->want_len || memcmp(s->want + s->pos, data, len))
		s->bad = 1;
	s->pos += len;
	return 0;
}

#define STREAM_LINES 3000

static void check_streaming(wsp_workspace *ws)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	struct stream s = {0};
	wsp_exec_result r;
	size_t len = 0, cap = 16 * STREAM_LINES;
	int i;

	s.want = malloc(cap);
	if (!s.want) {
		conf_fail("sandbox.output-callback", "out of memory");
		return;
	}
	for (i = 0; i < STREAM_LINES; i++)
		len += (size_t)snprintf(s.want + len, cap - len, "line-%d\n",
					i);
	s.want_len = len;
	o.shell = "i=0; while [ $i -lt 3000 ]; do echo line-$i; "
		  "i=$((i+1)); done";
	o.max_capture = 1000;
	o.on_output = on_stream;
	o.payload = &s;
	if (!run(&r, "sandbox.output-callback", ws, &o)) {
		if (s.bad || s.pos != s.want_len)
			conf_fail("sandbox.output-callback",
				  "%zu of %zu bytes, %s", s.pos, s.want_len,
				  s.bad ? "out of order" : "in order");
		else
			conf_pass("sandbox.output-callback");
		if (r.stdout_len > 1000 ||
		    r.stdout_dropped + r.stdout_len != s.want_len ||
		    memcmp(r.stdout_data, s.want + s.want_len - r.stdout_len,
			   r.stdout_len))
			conf_fail("sandbox.output-capture-newest",
				  "kept %zu, dropped %llu of %zu; want at most "
				  "1000, the newest",
				  r.stdout_len,
				  (unsigned long long)r.stdout_dropped,
				  s.want_len);
		else
			conf_pass("sandbox.output-capture-newest");
		wsp_exec_result_release(ws, &r);
	}
	free(s.want);
}

static int stop_at_once(uint32_t stream, const void *data, size_t len,
			void *payload)
{
	(void)stream;
	(void)data;
	(void)len;
	(void)payload;
	return WSP_EPROTO;
}

/* on_output's negative code stops the command; exec returns it. */
static void check_callback_stops(wsp_workspace *ws)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result r = {.struct_size = sizeof(r)};
	wsp_error err = {0};
	int64_t t0 = conf_now_ms();
	int rc;

	o.shell = "echo first; sleep 30";
	o.on_output = stop_at_once;
	rc = wsp_sandbox_exec(&r, ws, NULL, &o, &err);
	if (rc == 0)
		wsp_exec_result_release(ws, &r);
	if (rc != WSP_EPROTO)
		conf_fail("sandbox.output-callback-stops",
			  "got %s, want the callback's WSP_EPROTO",
			  conf_errname(rc));
	else if (conf_now_ms() - t0 > 10000)
		conf_fail("sandbox.output-callback-stops",
			  "took %lld ms: the command was not stopped",
			  (long long)(conf_now_ms() - t0));
	else
		conf_pass("sandbox.output-callback-stops");
}

static void *fire_later(void *cancel)
{
	usleep(300 * 1000);
	wsp_cancel_fire(cancel);
	return NULL;
}

/* A canceled exec: 0, WSP_EXEC_CANCELED, exit 130, stopped promptly. */
static void expect_canceled(wsp_workspace *ws, const char *check,
			    const wsp_call *call, wsp_exec_opts *o)
{
	wsp_exec_result r;
	int64_t t0 = conf_now_ms();

	if (!run_call(&r, check, ws, call, o)) {
		if (!(r.flags & WSP_EXEC_CANCELED) || r.exit_code != 130)
			conf_fail(check,
				  "flags %#x exit %d, want canceled "
				  "and 130",
				  r.flags, r.exit_code);
		else if (conf_now_ms() - t0 > 10000)
			conf_fail(check, "took %lld ms",
				  (long long)(conf_now_ms() - t0));
		else
			conf_pass(check);
		wsp_exec_result_release(ws, &r);
	}
}

/* Fire the call's token from inside the command's output callback. */
static int fire_on_output(uint32_t stream, const void *data, size_t len,
			  void *payload)
{
	(void)stream;
	(void)data;
	(void)len;
	wsp_cancel_fire(payload);
	return 0;
}

/* 1 when the file exists in the working directory (via exec). */
static int file_exists(wsp_workspace *ws, const char *name)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	const char *argv[] = {"test", "-e", name, NULL};
	wsp_exec_result r;
	int there;

	o.argv = argv;
	if (run(&r, "sandbox.expired-call-cleanup", ws, &o))
		return -1;
	there = r.exit_code == 0;
	wsp_exec_result_release(ws, &r);
	return there;
}

/*
 * A call that expired before exec (fired token, passed deadline) is
 * refused with its code, and the command never runs: the file it would
 * make is not there.
 */
static void check_expired_call(wsp_workspace *ws, wsp_cancel *fired)
{
	static const char *const names[2] = {"sandbox.expired-call-canceled",
					     "sandbox.expired-call-deadline"};
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result r = {.struct_size = sizeof(r)};
	wsp_error err = {0};
	int i, rc;

	o.shell = "echo ran > wsp-conf-expired";
	for (i = 0; i < 2; i++) {
		wsp_call call = {sizeof(call), 0, i ? NULL : fired,
				 i ? wsp_deadline_in(0) : 0};
		int want = i ? WSP_ETIMEDOUT : WSP_ECANCELED;

		rc = wsp_sandbox_exec(&r, ws, &call, &o, &err);
		if (rc == 0) {
			wsp_exec_result_release(ws, &r);
			conf_fail(names[i], "the command ran (exit %d)",
				  r.exit_code);
		} else if (rc == want && file_exists(ws, "wsp-conf-expired")) {
			conf_fail(names[i], "refused, but the command ran");
		} else {
			conf_expect(names[i], rc, want, &err);
		}
	}
	o.shell = "rm -f wsp-conf-expired";
	if (!run(&r, "sandbox.expired-call-cleanup", ws, &o))
		wsp_exec_result_release(ws, &r);
}

/* The call's deadline ends the command as its own timeout would. */
static void check_call_deadline(wsp_workspace *ws)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_call call = {sizeof(call), 0, NULL, 0};

	o.shell = "sleep 30";
	o.flags = WSP_EXEC_NO_TIMEOUT;
	call.deadline_ms = wsp_deadline_in(300);
	expect_timed_out(ws, "sandbox.call-deadline", &call, &o);
}

static void check_cancel(wsp_workspace *ws)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_cancel *cancel = NULL;
	wsp_call call = {sizeof(call), 0, NULL, 0};
	wsp_error err = {0};
	pthread_t th;

	if (wsp_cancel_new(&cancel, &err)) {
		conf_fail("sandbox.cancel", "%s", err.message);
		return;
	}
	call.cancel = cancel;
	o.shell = "sleep 30";
	if (pthread_create(&th, NULL, fire_later, cancel)) {
		conf_fail("sandbox.cancel-running", "cannot start a thread");
	} else {
		expect_canceled(ws, "sandbox.cancel-running", &call, &o);
		pthread_join(th, NULL);
	}
	/* Fired already: refused, nothing runs. */
	check_expired_call(ws, cancel);
	wsp_cancel_free(cancel);

	/* Fired by the output callback, as an agent's stop button does. */
	if (wsp_cancel_new(&cancel, &err)) {
		conf_fail("sandbox.cancel-from-callback", "%s", err.message);
		return;
	}
	call.cancel = cancel;
	o.shell = "echo first; sleep 30";
	o.on_output = fire_on_output;
	o.payload = cancel;
	expect_canceled(ws, "sandbox.cancel-from-callback", &call, &o);
	wsp_cancel_free(cancel);
	check_call_deadline(ws);
}

/* A call's variables stay with that call. */
static void check_env_not_sticky(wsp_workspace *ws)
{
	static const char *const env[] = {"WSP_CONF_ONCE=dev-box", NULL};
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result r;

	o.shell = "printf '%s' \"${WSP_CONF_ONCE-unset}\"";
	o.env = env;
	if (run(&r, "sandbox.env-per-call-only", ws, &o))
		return;
	wsp_exec_result_release(ws, &r);
	o.env = NULL;
	expect_out(ws, "sandbox.env-per-call-only", &o, "unset");
}

void conf_run_sandbox(struct conf *c)
{
	if (c->only_sandbox_fs) {
		conf_run_sandbox_fs(c);
		return;
	}
	check_exec(c->ws);
	check_cannot_start(c->ws);
	check_env_not_sticky(c->ws);
	check_streaming(c->ws);
	check_callback_stops(c->ws);
	check_cancel(c->ws);
	if (!c->has_procmgr)
		conf_skip("proc", "provider has no process manager");
	else
		conf_run_procs(c);
	if (c->has_procmgr)
		conf_run_follow(c);
	conf_run_slots(c);
	conf_run_lifecycle(c);
	conf_run_sandbox_mount(c);
	conf_run_sandbox_fs(c);
}
