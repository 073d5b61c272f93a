/*
 * toolkit/tool_procs.c - get_process_output and kill_process: follow and
 * stop the background processes execute_command started.
 */
#include "tool_schemas.h"
#include "tools_backend.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KILL_TAIL_LINES 50
#define FOLLOW_POLL_MS	100

struct streams {
	struct wsp__tbuf out, err;
	const wsp_tool_call_opts *fwd; /* stream to the caller too */
};

static int collect(uint32_t stream, const void *data, size_t len, void *payload)
{
	struct streams *s = payload;

	wsp__tbuf_add(stream == WSP_STDERR ? &s->err : &s->out, data, len);
	if (s->fwd && s->fwd->on_output)
		return s->fwd->on_output(stream, data, len,
					 s->fwd->output_payload);
	return 0;
}

static int forward_only(uint32_t stream, const void *data, size_t len,
			void *payload)
{
	const wsp_tool_call_opts *o = payload;

	return o->on_output ? o->on_output(stream, data, len, o->output_payload)
			    : 0;
}

static int running(const wsp_proc_status *st)
{
	return st->state == WSP_PROC_RUNNING;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Forward what the process wrote past the offsets, then move them on. */
static int stream_new(struct wsp__tool_ctx *c, const char *pid,
		      wsp_proc_status *st, uint64_t *off_out, uint64_t *off_err,
		      wsp_error *err)
{
	wsp_output_opts oo = WSP_OUTPUT_OPTS_INIT;
	uint64_t *off[2] = {off_out, off_err};
	int i, rc;

	for (i = 0; i < 2; i++) {
		oo.streams = i ? WSP_STDERR : WSP_STDOUT;
		oo.offset = *off[i];
		rc = wsp_proc_read_output(st, c->ws, &c->call, pid, &oo,
					  forward_only, (void *)c->opts, err);
		if (rc)
			return rc;
		*off[i] = i ? st->stderr_total : st->stdout_total;
	}
	return 0;
}

/*
 * Wait for exit, streaming what the process writes meanwhile. A cancel
 * kills it: the run waiting on it was stopped (Mastra does the same).
 */
static int follow(struct wsp__tool_ctx *c, const char *pid, wsp_proc_status *st,
		  int *aborted, wsp_error *err)
{
	uint64_t off_out = st->stdout_total, off_err = st->stderr_total;
	int rc;

	while (running(st)) {
		if (wsp_cancel_requested(c->call.cancel)) {
			/* Cleanup of a canceled call: no call context. */
			wsp_proc_signal(c->ws, NULL, pid, SIGKILL, err);
			wsp_proc_wait(st, c->ws, NULL, pid, 5000, err);
			*aborted = 1;
			return 0;
		}
		if (!c->opts->on_output) {
			rc = wsp_proc_wait(st, c->ws, &c->call, pid, 200, err);
			if (rc && rc != WSP_ETIMEDOUT && rc != WSP_ECANCELED)
				return rc;
			if (!rc)
				break;
			continue;
		}
		sleep_ms(FOLLOW_POLL_MS);
		rc = stream_new(c, pid, st, &off_out, &off_err, err);
		if (rc == WSP_ECANCELED)
			continue; /* killed at the top of the loop */
		if (rc)
			return rc;
	}
	/*
	 * The read that saw the exit may have come after the last bytes
	 * were read from the other stream, or between the two reads: one
	 * more pass forwards that tail, so the stream holds what the
	 * answer holds.
	 */
	if (c->opts->on_output)
		return stream_new(c, pid, st, &off_out, &off_err, err);
	return 0;
}

static void exit_line(struct wsp__tbuf *b, const wsp_proc_status *st)
{
	int code = st->state == WSP_PROC_SIGNALED ? 128 + st->term_signal
						  : st->exit_code;

	if (st->state == WSP_PROC_LOST)
		wsp__tbuf_puts(b, "Exit code: unknown (its monitor vanished)");
	else
		wsp__tbuf_addf(b, "Exit code: %d", code);
}

static int get_output(struct wsp__tool_ctx *c)
{
	const char *pid = wsp__arg_str(c, "pid", "");
	int64_t tail_arg;
	size_t tail;
	wsp_output_opts oo = WSP_OUTPUT_OPTS_INIT;
	struct streams s = {{0}, {0}, NULL};
	wsp_proc_status st = {.struct_size = sizeof(st)};
	wsp_error err = {0};
	int rc, aborted = 0;

	if (wsp__arg_int(c, "tail", WSP__TAIL_LINES, -WSP__JSON_INT_MAX,
			 WSP__JSON_INT_MAX, &tail_arg))
		return 0;
	tail = wsp__abs_count(tail_arg);
	rc = wsp_proc_get_status(&st, c->ws, &c->call, pid, &err);
	if (rc == WSP_ENOTFOUND) {
		wsp__tbuf_addf(&c->out,
			       "No background process found with PID %s.", pid);
		return 0;
	}
	if (rc)
		return wsp__tool_fail_err(c, &err);
	if (wsp__arg_bool(c, "wait", 0) && running(&st)) {
		rc = follow(c, pid, &st, &aborted, &err);
		if (rc)
			return wsp__tool_fail_err(c, &err);
	}
	rc = wsp_proc_read_output(&st, c->ws, NULL, pid, &oo, collect, &s,
				  &err);
	if (rc) {
		wsp__tbuf_free(&s.out);
		wsp__tbuf_free(&s.err);
		return wsp__tool_fail_err(c, &err);
	}
	wsp__format_streams(&c->out, s.out.p, s.out.len, s.err.p, s.err.len,
			    tail);
	wsp__tbuf_free(&s.out);
	wsp__tbuf_free(&s.err);
	if (running(&st)) {
		if (!c->out.len)
			wsp__tbuf_puts(&c->out, "(no output yet)");
		return 0;
	}
	if (c->out.len)
		wsp__tbuf_puts(&c->out, "\n\n");
	if (aborted)
		wsp__tbuf_puts(&c->out,
			       "Process aborted: the run that started or was "
			       "waiting on this process was cancelled (by the "
			       "user or system), so it was killed before it "
			       "finished.\n");
	exit_line(&c->out, &st);
	return 0;
}

/* kill_process's answer for a process that is not there (any more). */
static int gone(struct wsp__tool_ctx *c, const char *pid)
{
	wsp__tbuf_addf(&c->out,
		       "Process %s was not found or had already exited.", pid);
	return 0;
}

static int kill_proc(struct wsp__tool_ctx *c)
{
	const char *pid = wsp__arg_str(c, "pid", "");
	wsp_output_opts oo = WSP_OUTPUT_OPTS_INIT;
	struct streams s = {{0}, {0}, NULL};
	struct wsp__tbuf o = {0}, e = {0};
	wsp_proc_status st = {.struct_size = sizeof(st)};
	wsp_error err = {0};
	int rc;

	rc = wsp_proc_get_status(&st, c->ws, &c->call, pid, &err);
	if (rc == WSP_ENOTFOUND || (!rc && !running(&st)))
		return gone(c, pid);
	if (rc)
		return wsp__tool_fail_err(c, &err);
	rc = wsp_proc_signal(c->ws, &c->call, pid, SIGKILL, &err);
	if (rc == WSP_ENOTFOUND)
		return gone(c, pid);
	if (rc)
		return wsp__tool_fail_err(c, &err);
	wsp_proc_wait(&st, c->ws, NULL, pid, 5000, &err);
	/* all that is kept: the note says how many lines there were */
	rc = wsp_proc_read_output(&st, c->ws, NULL, pid, &oo, collect, &s,
				  &err);
	wsp_proc_release(c->ws, NULL, pid, &err);
	wsp__tool_say(c, "Process %s has been killed.", pid);
	if (!rc) {
		wsp__text_strip_ansi(&o, s.out.p ? s.out.p : "", s.out.len);
		wsp__text_strip_ansi(&e, s.err.p ? s.err.p : "", s.err.len);
		if (o.len) {
			wsp__tbuf_puts(&c->out,
				       "\n\n--- stdout (last output) ---\n");
			wsp__text_truncate(&c->out, o.p, o.len, KILL_TAIL_LINES,
					   WSP__CMD_TOKENS);
		}
		if (e.len) {
			wsp__tbuf_puts(&c->out,
				       "\n\n--- stderr (last output) ---\n");
			wsp__text_truncate(&c->out, e.p, e.len, KILL_TAIL_LINES,
					   WSP__CMD_TOKENS);
		}
	}
	wsp__tbuf_free(&o);
	wsp__tbuf_free(&e);
	wsp__tbuf_free(&s.out);
	wsp__tbuf_free(&s.err);
	return 0;
}

const struct wsp__tool_def wsp__tool_get_process_output = {
	.name = "get_process_output",
	.description =
		"Get the current output (stdout, stderr) and status of a "
		"background process by its PID.\n\n"
		"Use this after starting a background command with "
		"execute_command (background: true) to check if the process "
		"is still running and read its output.",
	.schema = wsp__schema_get_process_output,
	.flags = WSP_TOOL_STREAMS | WSP__TOOL_NEEDS_SANDBOX |
		 WSP__TOOL_NEEDS_PROCS,
	.numeric_text_arg = "tail",
	.run = get_output,
};

const struct wsp__tool_def wsp__tool_kill_process = {
	.name = "kill_process",
	.description =
		"Kill a background process by its PID.\n\n"
		"Use this to stop a long-running background process that was "
		"started with execute_command (background: true). Returns the "
		"last 50 lines of output.",
	.schema = wsp__schema_kill_process,
	.flags = WSP__TOOL_NEEDS_SANDBOX | WSP__TOOL_NEEDS_PROCS,
	.run = kill_proc,
};
