/*
 * conformance_procs.c - checks of a sandbox provider's process manager
 * (background processes): spawn, list, status and exit codes, output by
 * tail and by offset, following a live process, waiting, stdin, signals
 * to the whole group, timeouts, env and cwd, release.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conformance.h"

struct found {
	const char *id;
	int seen;
};

static int on_proc(const char *id, const char *command,
		   const wsp_proc_status *st, void *payload)
{
	struct found *f = payload;

	(void)command;
	(void)st;
	if (!strcmp(id, f->id))
		f->seen = 1;
	return 0;
}

int conf_proc_listed(wsp_workspace *ws, const char *id)
{
	struct found f = {id, 0};
	wsp_error err = {0};

	return !wsp_proc_list(ws, NULL, on_proc, &f, &err) && f.seen;
}

static int count_proc(const char *id, const char *command,
		      const wsp_proc_status *st, void *payload)
{
	(void)id;
	(void)command;
	(void)st;
	++*(int *)payload;
	return 0;
}

/* How many processes are listed (-1 when listing fails). */
static int proc_count(wsp_workspace *ws)
{
	wsp_error err = {0};
	int n = 0;

	return wsp_proc_list(ws, NULL, count_proc, &n, &err) ? -1 : n;
}

static void *fire_after(void *cancel)
{
	usleep(300 * 1000);
	wsp_cancel_fire(cancel);
	return NULL;
}

/* Pass when rc is want and came within 5 s of t0; fail otherwise. */
static void expect_prompt(const char *check, int rc, int want, int64_t t0,
			  const wsp_error *err)
{
	int64_t took = conf_now_ms() - t0;

	if (rc == want && took > 5000)
		conf_fail(check, "took %lld ms: the call was not watched",
			  (long long)took);
	else
		conf_expect(check, rc, want, err);
}

void conf_text_add(struct conf_text *t, uint32_t stream, const void *data,
		   size_t len)
{
	char *buf = stream == WSP_STDERR ? t->err : t->out;
	size_t *n = stream == WSP_STDERR ? &t->err_len : &t->out_len;

	if (*n + len >= sizeof(t->out))
		len = sizeof(t->out) - 1 - *n;
	memcpy(buf + *n, data, len);
	*n += len;
	buf[*n] = '\0';
}

int conf_text_output(uint32_t stream, const void *data, size_t len,
		     void *payload)
{
	conf_text_add(payload, stream, data, len);
	return 0;
}

int conf_spawn(char id[WSP_PROC_ID_MAX], const char *check, wsp_workspace *ws,
	       const char *shell, uint32_t stdin_mode)
{
	wsp_spawn_opts o = WSP_SPAWN_OPTS_INIT;
	wsp_error err = {0};
	int rc;

	o.shell = shell;
	o.stdin_mode = stdin_mode;
	rc = wsp_proc_spawn(id, ws, NULL, &o, &err);
	if (rc == WSP_ENOTSUP)
		conf_skip(check, "provider lacks it: %s", err.message);
	else if (rc)
		conf_fail(check, "spawn: %s", err.message);
	return rc;
}

static void check_basics(struct conf *c)
{
	wsp_output_opts oo = WSP_OUTPUT_OPTS_INIT;
	wsp_proc_status st = {.struct_size = sizeof(st)};
	wsp_workspace *ws = c->ws;
	char id[WSP_PROC_ID_MAX];
	struct conf_text t = {0};
	wsp_error err = {0};
	int rc;

	if (conf_spawn(id, "proc.spawn", ws,
		  "printf 'one\\ntwo\\nthree\\n'; echo oops >&2",
		  WSP_STDIN_IGNORE))
		return;
	conf_pass("proc.spawn");
	if (!conf_proc_listed(ws, id))
		conf_fail("proc.list", "spawned process not listed");
	else
		conf_pass("proc.list");
	rc = wsp_proc_wait(&st, ws, NULL, id, 10000, &err);
	if (rc || st.state != WSP_PROC_EXITED || st.exit_code != 0)
		conf_fail("proc.status", "state %u exit %d: %s", st.state,
			  st.exit_code, rc ? err.message : "");
	else
		conf_pass("proc.status");
	oo.tail_lines = 2;
	rc = wsp_proc_read_output(NULL, ws, NULL, id, &oo, conf_text_output, &t,
				  &err);
	if (rc || strcmp(t.out, "two\nthree\n") || strcmp(t.err, "oops\n"))
		conf_fail("proc.output-tail", "stdout '%s' stderr '%s'%s%s",
			  t.out, t.err, rc ? ": " : "", rc ? err.message : "");
	else
		conf_pass("proc.output-tail");
	rc = wsp_proc_release(ws, NULL, id, &err);
	if (rc) {
		conf_fail("proc.release", "%s", err.message);
	} else {
		rc = wsp_proc_get_status(&st, ws, NULL, id, &err);
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
	} else if (!conf_spawn(id, "proc.stdin", ws, "cat", WSP_STDIN_PIPE)) {
		memset(&t, 0, sizeof(t));
		rc = wsp_proc_write_stdin(ws, NULL, id, "fed-in\n", 7, &err);
		if (!rc && (c->caps & WSP_CAP_PROC_CLOSE_STDIN))
			rc = wsp_proc_close_stdin(ws, NULL, id, &err);
		else if (!rc)
			rc = wsp_proc_signal(ws, NULL, id, SIGTERM, &err);
		if (!rc)
			rc = wsp_proc_wait(&st, ws, NULL, id, 10000, &err);
		if (!rc)
			rc = wsp_proc_read_output(NULL, ws, NULL, id, NULL,
						  conf_text_output, &t, &err);
		if (rc || strcmp(t.out, "fed-in\n"))
			conf_fail("proc.stdin", "stdout '%s'%s%s", t.out,
				  rc ? ": " : "", rc ? err.message : "");
		else
			conf_pass("proc.stdin");
		wsp_proc_release(ws, NULL, id, &err);
	}

	if (conf_spawn(id, "proc.signal", ws, "sleep 30", WSP_STDIN_IGNORE))
		return;
	rc = wsp_proc_signal(ws, NULL, id, SIGKILL, &err);
	if (!rc)
		rc = wsp_proc_wait(&st, ws, NULL, id, 10000, &err);
	if (rc || st.state != WSP_PROC_SIGNALED || st.term_signal != SIGKILL)
		conf_fail("proc.signal", "state %u signal %d%s%s", st.state,
			  st.term_signal, rc ? ": " : "",
			  rc ? err.message : "");
	else
		conf_pass("proc.signal");
	rc = wsp_proc_release(ws, NULL, id, &err);
	if (rc)
		conf_fail("proc.release-exited", "%s", err.message);
	else
		conf_pass("proc.release-exited");
}

static int spawn_with(char id[WSP_PROC_ID_MAX], const char *check,
		      wsp_workspace *ws, const wsp_spawn_opts *o)
{
	wsp_error err = {0};
	int rc = wsp_proc_spawn(id, ws, NULL, o, &err);

	if (rc)
		conf_fail(check, "spawn: %s", err.message);
	return rc;
}

/* Wait up to 10 s for id to end; 0 with *st filled, or a failed check. */
static int wait_end(wsp_proc_status *st, const char *check, wsp_workspace *ws,
		    const char *id)
{
	wsp_error err = {0};
	int rc;

	memset(st, 0, sizeof(*st));
	st->struct_size = sizeof(*st);
	rc = wsp_proc_wait(st, ws, NULL, id, 10000, &err);
	if (rc)
		conf_fail(check, "wait: %s (%s)", err.message,
			  conf_errname(rc));
	return rc;
}

/* Read id's output with o into t; 0, or a failed check. */
static int read_into(struct conf_text *t, wsp_proc_status *st,
		     const char *check, wsp_workspace *ws, const char *id,
		     const wsp_output_opts *o)
{
	wsp_error err = {0};
	int rc;

	memset(t, 0, sizeof(*t));
	if (st) {
		memset(st, 0, sizeof(*st));
		st->struct_size = sizeof(*st);
	}
	rc = wsp_proc_read_output(st, ws, NULL, id, o, conf_text_output, t,
				  &err);
	if (rc)
		conf_fail(check, "read_output: %s", err.message);
	return rc;
}

static void check_exit_code(wsp_workspace *ws)
{
	wsp_proc_status st;
	char id[WSP_PROC_ID_MAX];
	wsp_error err = {0};

	if (conf_spawn(id, "proc.exit-code", ws, "exit 3", WSP_STDIN_IGNORE))
		return;
	if (!wait_end(&st, "proc.exit-code", ws, id)) {
		if (st.state != WSP_PROC_EXITED || st.exit_code != 3)
			conf_fail("proc.exit-code",
				  "state %u exit %d, want exited with 3",
				  st.state, st.exit_code);
		else
			conf_pass("proc.exit-code");
	}
	wsp_proc_release(ws, NULL, id, &err);
}

/* Offsets are absolute per stream; each read returns what follows. */
static void check_offsets(wsp_workspace *ws)
{
	wsp_output_opts oo = WSP_OUTPUT_OPTS_INIT;
	wsp_proc_status st;
	char id[WSP_PROC_ID_MAX];
	struct conf_text t;
	wsp_error err = {0};

	if (conf_spawn(id, "proc.output-offset", ws,
		  "printf 0123456789; printf abc >&2", WSP_STDIN_IGNORE))
		return;
	if (wait_end(&st, "proc.output-offset", ws, id))
		goto out;
	if (st.stdout_total != 10 || st.stderr_total != 3)
		conf_fail("proc.output-totals",
			  "totals %llu/%llu, want 10 and 3",
			  (unsigned long long)st.stdout_total,
			  (unsigned long long)st.stderr_total);
	else
		conf_pass("proc.output-totals");
	oo.streams = WSP_STDOUT;
	oo.offset = 4;
	if (!read_into(&t, NULL, "proc.output-offset", ws, id, &oo)) {
		if (strcmp(t.out, "456789") || t.err_len)
			conf_fail("proc.output-offset",
				  "stdout '%s' stderr '%s', want '456789' only",
				  t.out, t.err);
		else
			conf_pass("proc.output-offset");
	}
	oo.offset = 10;
	if (!read_into(&t, NULL, "proc.output-offset-end", ws, id, &oo)) {
		if (t.out_len || t.err_len)
			conf_fail("proc.output-offset-end",
				  "'%s' after the last byte", t.out);
		else
			conf_pass("proc.output-offset-end");
	}
	oo.streams = WSP_STDERR;
	oo.offset = 0;
	if (!read_into(&t, NULL, "proc.output-stream-select", ws, id, &oo)) {
		if (strcmp(t.err, "abc") || t.out_len)
			conf_fail("proc.output-stream-select",
				  "stdout '%s' stderr '%s', want stderr 'abc'",
				  t.out, t.err);
		else
			conf_pass("proc.output-stream-select");
	}
	oo.streams = WSP_STDOUT;
	oo.tail_bytes = 3;
	if (!read_into(&t, NULL, "proc.output-tail-bytes", ws, id, &oo)) {
		if (strcmp(t.out, "789"))
			conf_fail("proc.output-tail-bytes",
				  "got '%s', want '789'", t.out);
		else
			conf_pass("proc.output-tail-bytes");
	}
out:
	wsp_proc_release(ws, NULL, id, &err);
}

/*
 * Following a live process: read what is there, then from its total on
 * with wait_ms -1, which returns once it exits with exactly the rest.
 */
static void check_follow(wsp_workspace *ws)
{
	wsp_output_opts oo = WSP_OUTPUT_OPTS_INIT;
	wsp_proc_status st;
	char id[WSP_PROC_ID_MAX];
	int64_t deadline = conf_now_ms() + 10000;
	struct conf_text t;
	wsp_error err = {0};

	if (conf_spawn(id, "proc.follow", ws, "printf first; sleep 1; printf second",
		  WSP_STDIN_IGNORE))
		return;
	oo.streams = WSP_STDOUT;
	do {
		if (read_into(&t, &st, "proc.follow", ws, id, &oo))
			goto out;
		if (t.out_len >= 5)
			break;
		usleep(20 * 1000);
	} while (conf_now_ms() < deadline);
	if (strcmp(t.out, "first") || st.stdout_total != 5 ||
	    st.state != WSP_PROC_RUNNING) {
		conf_fail("proc.follow-live",
			  "got '%s' (total %llu, state %u), want 'first' "
			  "while it runs",
			  t.out, (unsigned long long)st.stdout_total, st.state);
		goto out;
	}
	conf_pass("proc.follow-live");
	oo.offset = st.stdout_total;
	oo.wait_ms = -1;
	if (read_into(&t, &st, "proc.follow-rest", ws, id, &oo))
		goto out;
	if (strcmp(t.out, "second") || st.state != WSP_PROC_EXITED ||
	    st.stdout_total != 11)
		conf_fail("proc.follow-rest",
			  "got '%s' (state %u, total %llu), want 'second' "
			  "after the exit",
			  t.out, st.state, (unsigned long long)st.stdout_total);
	else
		conf_pass("proc.follow-rest");
out:
	wsp_proc_release(ws, NULL, id, &err);
}

/* Waits that run out, or are canceled, while the process runs on. */
static void check_waits(wsp_workspace *ws)
{
	wsp_output_opts oo = WSP_OUTPUT_OPTS_INIT;
	wsp_proc_status st = {.struct_size = sizeof(st)};
	wsp_cancel *cancel = NULL;
	char id[WSP_PROC_ID_MAX];
	struct conf_text t;
	wsp_error err = {0};
	int64_t t0;
	int rc;

	if (conf_spawn(id, "proc.wait-timeout", ws, "sleep 30", WSP_STDIN_IGNORE))
		return;
	t0 = conf_now_ms();
	rc = wsp_proc_wait(&st, ws, NULL, id, 200, &err);
	if (conf_expect("proc.wait-timeout", rc, WSP_ETIMEDOUT, &err) &&
	    conf_now_ms() - t0 > 5000)
		conf_fail("proc.wait-timeout", "took %lld ms",
			  (long long)(conf_now_ms() - t0));
	oo.wait_ms = 200;
	t0 = conf_now_ms();
	if (!read_into(&t, &st, "proc.read-wait-runs-out", ws, id, &oo)) {
		if (st.state != WSP_PROC_RUNNING || conf_now_ms() - t0 > 5000)
			conf_fail("proc.read-wait-runs-out",
				  "state %u after %lld ms, want running",
				  st.state, (long long)(conf_now_ms() - t0));
		else
			conf_pass("proc.read-wait-runs-out");
	}
	if (!wsp_cancel_new(&cancel, &err)) {
		wsp_call call = {sizeof(call), 0, cancel, 0};
		pthread_t th;

		/* Fired while the provider waits: it must notice promptly. */
		t0 = conf_now_ms();
		if (pthread_create(&th, NULL, fire_after, cancel)) {
			conf_fail("proc.wait-canceled",
				  "cannot start a thread");
		} else {
			rc = wsp_proc_wait(&st, ws, &call, id, -1, &err);
			pthread_join(th, NULL);
			expect_prompt("proc.wait-canceled", rc, WSP_ECANCELED,
				      t0, &err);
		}
		/* Fired before: refused before it reaches the provider. */
		rc = wsp_proc_wait(&st, ws, &call, id, -1, &err);
		conf_expect("proc.wait-canceled-before", rc, WSP_ECANCELED,
			    &err);
		wsp_cancel_free(cancel);
	}
	{
		/* The call's deadline ends a wait with no limit of its own. */
		wsp_call call = {sizeof(call), 0, NULL, wsp_deadline_in(300)};

		t0 = conf_now_ms();
		rc = wsp_proc_wait(&st, ws, &call, id, -1, &err);
		expect_prompt("proc.wait-call-deadline", rc, WSP_ETIMEDOUT, t0,
			      &err);
	}
	rc = wsp_proc_get_status(&st, ws, NULL, id, &err);
	if (rc || st.state != WSP_PROC_RUNNING)
		conf_fail("proc.wait-leaves-running", "state %u: %s", st.state,
			  rc ? err.message : "not running");
	else
		conf_pass("proc.wait-leaves-running");
	wsp_proc_release(ws, NULL, id, &err);
}

static void check_unknown_id(wsp_workspace *ws)
{
	wsp_proc_status st = {.struct_size = sizeof(st)};
	struct conf_text t;
	wsp_error err = {0};
	int a, b, c, d;

	a = wsp_proc_get_status(&st, ws, NULL, "wsp-conf-no-such-id", &err);
	b = wsp_proc_read_output(NULL, ws, NULL, "wsp-conf-no-such-id", NULL,
				 conf_text_output, &t, &err);
	c = wsp_proc_signal(ws, NULL, "wsp-conf-no-such-id", SIGTERM, &err);
	d = wsp_proc_release(ws, NULL, "wsp-conf-no-such-id", &err);
	if (a != WSP_ENOTFOUND || b != WSP_ENOTFOUND || c != WSP_ENOTFOUND ||
	    d != WSP_ENOTFOUND)
		conf_fail("proc.unknown-id-enotfound",
			  "status %s, read_output %s, signal %s, release %s",
			  conf_errname(a), conf_errname(b), conf_errname(c),
			  conf_errname(d));
	else
		conf_pass("proc.unknown-id-enotfound");
}

/* cwd and env of a spawn; the host's own variables stay outside. */
static void check_cwd_env(wsp_workspace *ws)
{
	static const char *const env[] = {"WSP_CONF_CALL=dev-box", NULL};
	wsp_spawn_opts o = WSP_SPAWN_OPTS_INIT;
	wsp_exec_opts e = WSP_EXEC_OPTS_INIT;
	wsp_exec_result r = {.struct_size = sizeof(r)};
	wsp_proc_status st;
	char id[WSP_PROC_ID_MAX];
	const char *tail = "/wsp-conf-pcwd\n";
	struct conf_text t;
	wsp_error err = {0};

	setenv("WSP_CONF_SECRET", "leaked", 1);
	o.stdin_mode = WSP_STDIN_IGNORE;
	o.env = env;
	o.shell = "printf '%s|%s' \"$WSP_CONF_CALL\" "
		  "\"${WSP_CONF_SECRET-unset}\"";
	if (!spawn_with(id, "proc.env", ws, &o)) {
		if (!wait_end(&st, "proc.env", ws, id) &&
		    !read_into(&t, NULL, "proc.env", ws, id, NULL)) {
			if (strcmp(t.out, "dev-box|unset"))
				conf_fail("proc.env",
					  "got '%s', want 'dev-box|unset'",
					  t.out);
			else
				conf_pass("proc.env");
		}
		wsp_proc_release(ws, NULL, id, &err);
	}
	e.shell = "mkdir -p wsp-conf-pcwd";
	if (wsp_sandbox_exec(&r, ws, NULL, &e, &err) || r.exit_code) {
		conf_fail("proc.cwd", "cannot make a directory");
		wsp_exec_result_release(ws, &r);
		return;
	}
	wsp_exec_result_release(ws, &r);
	o.env = NULL;
	o.cwd = "wsp-conf-pcwd";
	o.shell = "pwd -P";
	if (!spawn_with(id, "proc.cwd", ws, &o)) {
		if (!wait_end(&st, "proc.cwd", ws, id) &&
		    !read_into(&t, NULL, "proc.cwd", ws, id, NULL)) {
			size_t n = strlen(t.out), m = strlen(tail);

			if (n < m || strcmp(t.out + n - m, tail))
				conf_fail("proc.cwd",
					  "ran in '%s', want .../wsp-conf-pcwd",
					  t.out);
			else
				conf_pass("proc.cwd");
		}
		wsp_proc_release(ws, NULL, id, &err);
	}
	e.shell = "rmdir wsp-conf-pcwd";
	if (!wsp_sandbox_exec(&r, ws, NULL, &e, &err))
		wsp_exec_result_release(ws, &r);
}

static void check_timeout(wsp_workspace *ws)
{
	wsp_spawn_opts o = WSP_SPAWN_OPTS_INIT;
	wsp_proc_status st;
	char id[WSP_PROC_ID_MAX];
	wsp_error err = {0};

	o.stdin_mode = WSP_STDIN_IGNORE;
	o.shell = "sleep 30";
	o.timeout_ms = 300;
	if (spawn_with(id, "proc.timeout", ws, &o))
		return;
	if (!wait_end(&st, "proc.timeout", ws, id)) {
		if (st.state == WSP_PROC_RUNNING || !st.timed_out)
			conf_fail("proc.timeout",
				  "state %u timed_out %u, want ended by its "
				  "timeout",
				  st.state, st.timed_out);
		else
			conf_pass("proc.timeout");
	}
	wsp_proc_release(ws, NULL, id, &err);
}

static void check_stdin_ignore(wsp_workspace *ws)
{
	wsp_proc_status st;
	char id[WSP_PROC_ID_MAX];
	struct conf_text t;
	wsp_error err = {0};

	if (conf_spawn(id, "proc.stdin-ignore", ws, "cat; echo done",
		  WSP_STDIN_IGNORE))
		return;
	if (!wait_end(&st, "proc.stdin-ignore", ws, id) &&
	    !read_into(&t, NULL, "proc.stdin-ignore", ws, id, NULL)) {
		if (strcmp(t.out, "done\n") || st.exit_code)
			conf_fail("proc.stdin-ignore", "got '%s' exit %d",
				  t.out, st.exit_code);
		else
			conf_pass("proc.stdin-ignore");
	}
	wsp_proc_release(ws, NULL, id, &err);
}

/* close_stdin ends the input: cat sees EOF and exits 0 by itself. */
static void check_close_stdin(struct conf *c)
{
	wsp_proc_status st = {.struct_size = sizeof(st)};
	char id[WSP_PROC_ID_MAX];
	struct conf_text t;
	wsp_error err = {0};
	int rc;

	if (!(c->caps & WSP_CAP_PROC_CLOSE_STDIN)) {
		conf_skip("proc.close-stdin", "no WSP_CAP_PROC_CLOSE_STDIN");
		return;
	}
	if (conf_spawn(id, "proc.close-stdin", c->ws, "cat; echo eof",
		  WSP_STDIN_PIPE))
		return;
	rc = wsp_proc_get_status(&st, c->ws, NULL, id, &err);
	if (rc || !st.stdin_open)
		conf_fail("proc.stdin-open", "stdin_open %u: %s", st.stdin_open,
			  rc ? err.message : "closed");
	else
		conf_pass("proc.stdin-open");
	rc = wsp_proc_write_stdin(c->ws, NULL, id, "a\nb", 3, &err);
	if (!rc)
		rc = wsp_proc_close_stdin(c->ws, NULL, id, &err);
	if (rc) {
		conf_fail("proc.close-stdin", "%s", err.message);
	} else if (!wait_end(&st, "proc.close-stdin", c->ws, id) &&
		   !read_into(&t, NULL, "proc.close-stdin", c->ws, id, NULL)) {
		if (st.state != WSP_PROC_EXITED || st.exit_code ||
		    strcmp(t.out, "a\nbeof\n") || st.stdin_open)
			conf_fail("proc.close-stdin",
				  "state %u exit %d stdin_open %u out '%s', "
				  "want exit 0 and 'a\\nbeof\\n'",
				  st.state, st.exit_code, st.stdin_open, t.out);
		else
			conf_pass("proc.close-stdin");
	}
	wsp_proc_release(c->ws, NULL, id, &err);
}

static void check_signal_term(wsp_workspace *ws)
{
	wsp_proc_status st;
	char id[WSP_PROC_ID_MAX];
	wsp_error err = {0};
	int rc;

	if (conf_spawn(id, "proc.signal-term", ws, "sleep 30", WSP_STDIN_IGNORE))
		return;
	rc = wsp_proc_signal(ws, NULL, id, SIGTERM, &err);
	if (rc)
		conf_fail("proc.signal-term", "%s", err.message);
	else if (!wait_end(&st, "proc.signal-term", ws, id)) {
		if (st.state != WSP_PROC_SIGNALED || st.term_signal != SIGTERM)
			conf_fail("proc.signal-term",
				  "state %u signal %d exit %d, want signaled "
				  "by SIGTERM",
				  st.state, st.term_signal, st.exit_code);
		else
			conf_pass("proc.signal-term");
	}
	wsp_proc_release(ws, NULL, id, &err);
}

/*
 * A signal reaches the whole group, and release kills what still runs:
 * children that would leave a mark a second later must never do so.
 */
static void check_group_kill(wsp_workspace *ws)
{
	wsp_exec_opts e = WSP_EXEC_OPTS_INIT;
	wsp_exec_result r = {.struct_size = sizeof(r)};
	wsp_proc_status st;
	char sig[WSP_PROC_ID_MAX], rel[WSP_PROC_ID_MAX];
	wsp_error err = {0};
	int rc, have_sig, have_rel;

	have_sig = !conf_spawn(sig, "proc.signal-group", ws,
			  "(sleep 1; echo alive > wsp-conf-mark-sig) & "
			  "sleep 30",
			  WSP_STDIN_IGNORE);
	have_rel = !conf_spawn(rel, "proc.release-kills", ws,
			  "(sleep 1; echo alive > wsp-conf-mark-rel) & "
			  "sleep 30",
			  WSP_STDIN_IGNORE);
	usleep(200 * 1000); /* let both shells start their children */
	if (have_sig) {
		rc = wsp_proc_signal(ws, NULL, sig, SIGKILL, &err);
		if (rc || wait_end(&st, "proc.signal-group", ws, sig))
			have_sig = 0;
		if (rc)
			conf_fail("proc.signal-group", "%s", err.message);
	}
	if (have_rel) {
		rc = wsp_proc_release(ws, NULL, rel, &err);
		if (rc) {
			conf_fail("proc.release-kills", "%s", err.message);
			have_rel = 0;
		}
	}
	if (!have_sig && !have_rel)
		return;
	usleep(1500 * 1000);
	e.shell = "ls wsp-conf-mark-sig wsp-conf-mark-rel 2>/dev/null; "
		  "rm -f wsp-conf-mark-sig wsp-conf-mark-rel";
	if (wsp_sandbox_exec(&r, ws, NULL, &e, &err)) {
		conf_fail("proc.signal-group", "exec: %s", err.message);
		return;
	}
	if (have_sig) {
		if (r.stdout_data && strstr(r.stdout_data, "mark-sig"))
			conf_fail("proc.signal-group",
				  "a child outlived the signal");
		else
			conf_pass("proc.signal-group");
		wsp_proc_release(ws, NULL, sig, &err);
	}
	if (have_rel) {
		if (r.stdout_data && strstr(r.stdout_data, "mark-rel"))
			conf_fail("proc.release-kills",
				  "a child outlived the release");
		else
			conf_pass("proc.release-kills");
	}
	wsp_exec_result_release(ws, &r);
}

/*
 * A call that expired before spawn (fired token, passed deadline) is
 * refused with its code and starts nothing: the listing is as before.
 */
static void check_expired_spawn(wsp_workspace *ws)
{
	static const char *const names[2] = {"proc.spawn-expired-canceled",
					     "proc.spawn-expired-deadline"};
	wsp_spawn_opts o = WSP_SPAWN_OPTS_INIT;
	wsp_cancel *cancel = NULL;
	wsp_error err = {0};
	char id[WSP_PROC_ID_MAX];
	int i, rc, before, after;

	if (wsp_cancel_new(&cancel, &err)) {
		conf_fail(names[0], "%s", err.message);
		return;
	}
	wsp_cancel_fire(cancel);
	o.shell = "sleep 30";
	o.stdin_mode = WSP_STDIN_IGNORE;
	for (i = 0; i < 2; i++) {
		wsp_call call = {sizeof(call), 0, i ? NULL : cancel,
				 i ? wsp_deadline_in(0) : 0};
		int want = i ? WSP_ETIMEDOUT : WSP_ECANCELED;

		before = proc_count(ws);
		id[0] = '\0';
		rc = wsp_proc_spawn(id, ws, &call, &o, &err);
		after = proc_count(ws);
		if (rc == 0) {
			conf_fail(names[i], "started '%s'", id);
			wsp_proc_release(ws, NULL, id, &err);
		} else if (rc == want && after != before) {
			conf_fail(names[i], "%d processes listed, %d before",
				  after, before);
		} else {
			conf_expect(names[i], rc, want, &err);
		}
	}
	wsp_cancel_free(cancel);
}

void conf_run_procs(struct conf *c)
{
	check_basics(c);
	check_exit_code(c->ws);
	check_offsets(c->ws);
	check_follow(c->ws);
	check_waits(c->ws);
	check_expired_spawn(c->ws);
	check_unknown_id(c->ws);
	check_cwd_env(c->ws);
	check_timeout(c->ws);
	check_stdin_ignore(c->ws);
	check_close_stdin(c);
	check_signal_term(c->ws);
	check_group_kill(c->ws);
}
