/*
 * plugins/sandbox-blaxel/exec.c - a foreground command through the
 * sandbox-api's streamed process call.
 *
 * `POST {url}/process` with `Accept: text/event-stream` answers NDJSON:
 * stdout/stderr events while it runs, keepalives, and last the
 * ProcessResponse as a JSON string (remote-providers.md §3.3). The
 * process gets a random name because that answer carries no pid until
 * the end, and the name is how it is found again: to feed its stdin, to
 * kill it, to read what a cut stream lost.
 *
 * Timeouts are enforced here, not left to Blaxel: without keepAlive its
 * `timeout` does nothing to a streamed process, and with it the process
 * is killed without a word to us. So the slot kills by name
 * (`DELETE /process/{name}/kill`) when the command's timeout, the call's
 * deadline or its cancel comes, and answers 124 or 130. keepAlive with a
 * timeout a few seconds longer is still sent: should this wsp die while
 * waiting, Blaxel ends the command anyway.
 *
 * A start answered 429 or 502-504 is sent again once the name shows it
 * never ran (resend.c). A stream that ends without the result (a reset,
 * a standby cutting it) loses nothing: the process is looked up by name until it ended, and
 * its raw output from /logs completes what was delivered (rebuilt from
 * the log stream's replay when /logs holds only its tail: procs_logs.c).
 */
#include "output.h"
#include "procs.h"
#include "streams.h"
#include "remote.h"
#include "stream_queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KILL_GRACE_MS 10000
#define SERVER_TIMEOUT_SLACK_S 5

struct run {
	struct bl *b;
	const wsp_call *call;
	char url[BL_URL_MAX];
	char name[40];
	struct sq q;
	struct oc out, errs;
	int64_t t0, until; /* until: the command's own limit, 0 = none */
	enum rmt_stop why;
	int rc; /* with RMT_FAILED */
	int have_result, exit_code, term_signal;
	int cut_line; /* the last line was no event: a cut, if nothing follows */
	struct bl_lines lines; /* the answer's raw pieces, cut into lines */
	struct bl_inline inl[2]; /* the result's stdout, stderr (inline.c) */
	wsp_error *err;        /* the call's, for the lines' callbacks */
};

static int proc_url(char *out, size_t cap, const struct run *x,
		    const char *suffix)
{
	return (size_t)snprintf(out, cap, "%s/process/%s%s", x->url, x->name,
				suffix) < cap
		       ? 0
		       : WSP_ETOOBIG;
}

static int build_body(char **out, struct run *x, const wsp_exec_opts *o,
		      int64_t limit_ms, wsp_error *err)
{
	cJSON *body = cJSON_CreateObject(), *env = NULL;
	char *cmd = NULL, *wd = NULL;
	int rc;

	if (!body)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	if ((rc = bl_command_text(&cmd, o))) {
		cJSON_Delete(body);
		return wsp_error_set(err, rc, "out of memory");
	}
	if ((rc = bl_working_dir(&wd, x->b, o->cwd, err)) ||
	    (rc = bl_env_object(&env, o->env, err)))
		goto out;
	cJSON_AddStringToObject(body, "command", cmd);
	cJSON_AddStringToObject(body, "workingDir", wd);
	cJSON_AddItemToObject(body, "env", env);
	cJSON_AddStringToObject(body, "name", x->name);
	cJSON_AddBoolToObject(body, "waitForCompletion", 1);
	cJSON_AddBoolToObject(body, "stdin", o->stdin_len > 0);
	if (limit_ms > 0) {
		cJSON_AddBoolToObject(body, "keepAlive", 1);
		cJSON_AddNumberToObject(body, "timeout",
					(double)((limit_ms + 999) / 1000 +
						 SERVER_TIMEOUT_SLACK_S));
	}
	*out = cJSON_PrintUnformatted(body);
	if (!*out)
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
out:
	cJSON_Delete(body);
	free(cmd);
	free(wd);
	return rc;
}

static int open_stream(struct run *x, const char *body, wsp_error *err)
{
	wsp_http_header h[6];
	char auth[512], url[BL_URL_MAX + 128];
	size_t n = bl_headers(h, auth, sizeof(auth), x->b);
	int rc;

	h[n++] = (wsp_http_header){"Accept", "text/event-stream"};
	h[n++] = (wsp_http_header){"Content-Type", "application/json"};
	snprintf(url, sizeof(url), "%s/process", x->url);
	wsp_http_stream_request req = {
		.struct_size = sizeof(req),
		.method = "POST",
		.url = url,
		.headers = h,
		.n_headers = n,
		.body = body,
		.body_len = strlen(body),
		/* keepalives come every 5 s */
		.idle_timeout_ms = 45000,
		.secrets = x->b->secrets,
		/* raw: lines.c cuts them, the result as it comes */
		.framing = WSP_STREAM_RAW,
		.on_header = sq_on_header,
		.on_data = sq_on_data,
		.on_done = sq_on_done,
		.payload = &x->q,
	};
	/* no call: the slot ends the stream itself, after killing */
	rc = x->b->host->http_stream_open(&x->q.stream, x->b->host, NULL,
					  &req, err);
	memset(auth, 0, sizeof(auth));
	return rc;
}

static void fail(struct run *x, int rc)
{
	if (x->why == RMT_RUNNING || x->why == RMT_ENDED) {
		x->why = RMT_FAILED;
		x->rc = rc;
	}
}

/* A piece of a stream's whole output, at its offset: past what we have. */
static int raw_out(uint64_t at, const char *data, size_t len, void *payload)
{
	return oc_complete_at(payload, at, data, len);
}

/*
 * The result's text of one stream ended. Whole, it completed ours as it
 * came; a tail (more than the service inlines) is never placed: the
 * events delivered every byte, and the tail only says whether the
 * newline held back from the last one was really there.
 */
static int settle(struct bl_inline *t, struct oc *o)
{
	int rc = bl_inline_end(t, raw_out, o);

	if (rc || t->kind != BL_INLINE_TAIL)
		return rc;
	if (t->tail_len && t->last == '\n')
		return oc_flush(o);
	o->held_nl = 0; /* the stream's own, added to a last line */
	return 0;
}

/* The whole text of one stream's inline output at once. */
static int complete(struct run *x, int is_stderr, const char *text)
{
	struct bl_inline *t = &x->inl[is_stderr];
	struct oc *o = is_stderr ? &x->errs : &x->out;
	int rc;

	bl_inline_init(t);
	rc = bl_inline_feed(t, text, strlen(text), raw_out, o);
	return rc ? rc : settle(t, o);
}

/* The ProcessResponse: exit code and the raw output completing ours. */
static void take_result(struct run *x, const char *so, const char *se,
			int exit_code, int term_signal, int flush_out,
			int flush_err)
{
	int rc;

	x->have_result = 1;
	x->exit_code = exit_code;
	if (term_signal) {
		x->term_signal = term_signal;
		x->exit_code = 128 + term_signal;
	}
	/* read as it came (result.c): settled there, or flushed if none */
	if ((rc = so ? complete(x, 0, so)
		     : flush_out ? oc_flush(&x->out) : 0) ||
	    (rc = se ? complete(x, 1, se)
		     : flush_err ? oc_flush(&x->errs) : 0))
		fail(x, rc);
}

/* One NDJSON line of the answer (read by ndjson.c). */
static void take_line(struct run *x, const char *line, size_t len,
		      wsp_error *err)
{
	struct bl_event ev;
	int rc = 0;

	bl_event_parse(&ev, line, len);
	/*
	 * A body cut mid-line (a standby, a proxy) ends with the piece of
	 * a line: harmless when it is the last one, as the rest is read
	 * from /logs; a broken line with more after it is a broken answer.
	 */
	if (x->cut_line) {
		rc = wsp_error_set(err, WSP_EPROTO,
				   "Blaxel sent a line that is not an event");
	} else if (ev.kind == BL_EV_NOT_EVENT) {
		x->cut_line = 1;
	} else if (ev.kind == BL_EV_STDOUT || ev.kind == BL_EV_STDERR) {
		rc = oc_event(ev.kind == BL_EV_STDOUT ? &x->out : &x->errs,
			      ev.data, ev.data_len);
		if (rc)
			wsp_error_set(err, rc,
				      "the output callback stopped the "
				      "command");
	} else if (ev.kind == BL_EV_RESULT) {
		/* a result in another order than BL_RESULT_PREFIX's */
		take_result(x, ev.out, ev.err, ev.exit_code, ev.term_signal, 1,
			    1);
	} else if (ev.kind == BL_EV_BAD_RESULT) {
		rc = wsp_error_set(err, WSP_EPROTO,
				   "Blaxel sent a result that is not a "
				   "process");
	} else if (ev.kind == BL_EV_ERROR) {
		char msg[200];

		snprintf(msg, sizeof(msg), "%s", ev.data ? ev.data : "");
		for (char *c = msg; *c; c++)
			if ((unsigned char)*c < 32 || *c == 127)
				*c = '?';
		rc = wsp_error_set(err,
				   strstr(msg, "does not exist") ? WSP_ENOTFOUND
								 : WSP_EINVAL,
				   "cannot start the command: %s", msg);
	} /* keepalive and anything newer: nothing to do */
	bl_event_free(&ev);
	if (rc)
		fail(x, rc);
}

/* The result's stdout or stderr, a piece at a time (result.c). */
static int result_out(int is_stderr, const char *data, size_t len,
		      void *payload)
{
	struct run *x = payload;

	return bl_inline_feed(&x->inl[is_stderr], data, len, raw_out,
			      is_stderr ? &x->errs : &x->out);
}

static int on_line(const char *line, size_t len, void *payload)
{
	struct run *x = payload;

	take_line(x, line, len, x->err);
	return x->why != RMT_RUNNING;
}

static int on_result_begin(struct bl_rscan *rs, void *payload)
{
	struct run *x = payload;

	bl_rscan_init(rs, result_out, x);
	bl_inline_init(&x->inl[0]);
	bl_inline_init(&x->inl[1]);
	if (x->cut_line)
		fail(x, wsp_error_set(x->err, WSP_EPROTO,
				      "Blaxel sent a line that is not an "
				      "event"));
	return x->why != RMT_RUNNING;
}

static int on_result_end(struct bl_rscan *rs, void *payload)
{
	struct run *x = payload;
	int rc = bl_rscan_end(rs);

	if (rc == BL_RSCAN_CUT) {
		x->cut_line = 1; /* the rest is read from /logs */
	} else if (rc == BL_RSCAN_BAD) {
		fail(x, wsp_error_set(x->err, WSP_EPROTO,
				      "Blaxel sent a result that is not a "
				      "process"));
	} else if (rc) {
		fail(x, rc); /* the output callback stopped it */
	} else if ((rs->have_out && (rc = settle(&x->inl[0], &x->out))) ||
		   (rs->have_err && (rc = settle(&x->inl[1], &x->errs)))) {
		fail(x, rc);
	} else {
		take_result(x, NULL, NULL, rs->exit_code, rs->term_signal,
			    !rs->have_out, !rs->have_err);
	}
	return x->why != RMT_RUNNING;
}

static const struct bl_lines_ops line_ops = {
	.line = on_line,
	.result_begin = on_result_begin,
	.result_end = on_result_end,
};

/* A raw piece of the answer, or its end (data NULL). */
static void take_piece(struct run *x, const char *data, size_t len)
{
	int rc = data ? bl_lines_feed(&x->lines, data, len)
		      : bl_lines_end(&x->lines);

	if (rc == BL_LINES_TOO_LONG)
		fail(x, wsp_error_set(x->err, WSP_EPROTO,
				      "Blaxel sent a line longer than %u "
				      "bytes",
				      BL_LINE_MAX));
	else if (rc == WSP_ENOMEM)
		fail(x, wsp_error_set(x->err, rc, "out of memory"));
}

/* Feed stdin once the process exists, then close it (EOF). */
static void feed_stdin(struct run *x, const wsp_exec_opts *o, wsp_error *err)
{
	char url[BL_URL_MAX + 128];
	struct bl_req r = {.method = "POST", .url = url,
			   .body = o->stdin_data, .body_len = o->stdin_len,
			   .content_type = "application/octet-stream",
			   .call = x->call};
	wsp_error ignored = {0};
	int status = 0;

	if (proc_url(url, sizeof(url), x, "/stdin"))
		return;
	/* a command that did not read it all may be gone: not an error */
	if (bl_request(&status, NULL, x->b, &r, err) == 0 && status >= 400 &&
	    status != 409 && status != 503 && status != 404)
		fail(x, bl_fail(x->b, status, NULL, "cannot write stdin", err));
	r.method = "DELETE";
	r.body = NULL;
	r.body_len = 0;
	bl_request(&status, NULL, x->b, &r, &ignored);
}

/* Kill the process by name: the call may be over, so none is passed. */
static void kill_it(struct run *x)
{
	char url[BL_URL_MAX + 128];
	struct bl_req r = {.method = "DELETE", .url = url};
	wsp_error ignored = {0};
	int status = 0;

	if (!proc_url(url, sizeof(url), x, "/kill"))
		bl_request(&status, NULL, x->b, &r, &ignored);
}

/* Why the command must end now (RMT_RUNNING: it need not). */
static enum rmt_stop must_stop(struct run *x)
{
	return rmt_must_stop(x->b->host, x->call, x->until);
}

static int64_t wait_budget(struct run *x)
{
	return rmt_wait_budget(x->b->host, x->call, x->until);
}

/* Drain lines until the stream ends or the command must stop. */
static void pump(struct run *x, const wsp_exec_opts *o, wsp_error *err)
{
	int fed = o->stdin_len == 0;

	while (x->why == RMT_RUNNING) {
		struct sq_frame *l;

		while (x->why == RMT_RUNNING &&
		       (l = sq_pop(&x->q, x->b->host))) {
			take_piece(x, l->data, l->len);
			free(l);
		}
		if (x->why != RMT_RUNNING)
			break;
		if (!fed && sq_started(&x->q)) {
			fed = 1;
			feed_stdin(x, o, err);
			continue;
		}
		if (sq_done(&x->q)) {
			take_piece(x, NULL, 0); /* a last line without "\n" */
			if (x->why == RMT_RUNNING)
				x->why = RMT_ENDED;
			break;
		}
		if ((x->why = must_stop(x)) != RMT_RUNNING)
			break;
		sq_wait(&x->q, x->b->host, x->call, wait_budget(x));
	}
}

/* The whole output (never a tail: /logs made whole) completing ours. */
static int whole(struct run *x, const char *so, const char *se)
{
	int rc = so ? oc_complete(&x->out, so, strlen(so)) : oc_flush(&x->out);

	return rc ? rc
	       : se ? oc_complete(&x->errs, se, strlen(se))
		    : oc_flush(&x->errs);
}

/*
 * The stream ended without the result: find the process by name, wait
 * for its end, and complete the output from /logs.
 */
static void recover(struct run *x, wsp_error *err)
{
	char url[BL_URL_MAX + 128];
	struct bl_req r = {.method = "GET", .url = url, .call = x->call};
	int64_t pause = 50;

	for (;;) {
		cJSON *pr = NULL;
		const char *st;
		int status = 0, rc;

		proc_url(url, sizeof(url), x, "");
		rc = bl_request(&status, &pr, x->b, &r, err);
		if (!rc && status == 404 && x->q.failed) {
			/* never started: the stream's own error says why */
			*err = x->q.err;
			fail(x, x->q.err.code ? x->q.err.code : WSP_EPROTO);
		} else if (!rc && status != 200) {
			fail(x, bl_fail(x->b, status, pr,
					"cannot look up the command", err));
		} else if (rc) {
			fail(x, rc);
		}
		st = bl_str(pr, "status");
		/* ended: stopped and killed are said before they end */
		if (x->why != RMT_FAILED && st && strcmp(st, "running") &&
		    bl_str(pr, "completedAt") && *bl_str(pr, "completedAt")) {
			cJSON_Delete(pr);
			pr = NULL;
			/* /logs made whole (procs_logs.c): past the sandbox's
			 * cap it holds only the tail */
			rc = bl_proc_full_status(NULL, &pr, x->b, x->call,
						 x->name, err);
			if (!rc)
				rc = whole(x, bl_str(pr, "stdout"),
					   bl_str(pr, "stderr"));
			if (rc)
				fail(x, rc);
			else
				take_result(x, NULL, NULL, -1, 0, 0, 0);
			/* /logs has no exit code: ask once more */
			cJSON_Delete(pr);
			pr = NULL;
			proc_url(url, sizeof(url), x, "");
			if (x->why != RMT_FAILED &&
			    !bl_request(&status, &pr, x->b, &r, err) &&
			    status == 200) {
				const cJSON *c = cJSON_GetObjectItemCaseSensitive(
					pr, "exitCode");

				if (cJSON_IsNumber(c) && x->exit_code < 0)
					x->exit_code = (int)c->valuedouble;
			}
			cJSON_Delete(pr);
			return;
		}
		cJSON_Delete(pr);
		if (x->why == RMT_FAILED)
			return;
		if ((x->why = must_stop(x)) != RMT_RUNNING)
			return;
		sq_wait(&x->q, x->b->host, x->call,
			wait_budget(x) >= 0 && wait_budget(x) < pause
				? wait_budget(x)
				: pause);
		pause = pause < 1000 ? pause * 2 : 1000;
	}
}

static int fill(wsp_exec_result *out, struct run *x, wsp_error *err)
{
	out->duration_ms = (uint64_t)(rmt_now_ms() - x->t0);
	out->exit_code = x->exit_code;
	out->term_signal = x->term_signal;
	if (!x->have_result) { /* ended by us: the output as it was sent */
		oc_flush(&x->out);
		oc_flush(&x->errs);
	}
	return oc_result(out, x->why, &x->out, &x->errs, x->b->host, err);
}

int bl_exec(wsp_exec_result *out, void *self, const wsp_call *call,
	    const wsp_exec_opts *o, wsp_error *err)
{
	struct bl *b = self;
	struct run *x = calloc(1, sizeof(*x));
	uint64_t cap = o->max_capture ? o->max_capture : b->max_capture;
	int keep = !(o->flags & WSP_EXEC_NO_CAPTURE);
	int64_t limit = o->flags & WSP_EXEC_NO_TIMEOUT ? 0
			: o->timeout_ms		       ? o->timeout_ms
						       : b->timeout_ms;
	char *body = NULL;
	int rc;

	if (!x)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	x->b = b;
	x->call = call;
	x->t0 = rmt_now_ms();
	x->until = limit ? x->t0 + limit : 0;
	oc_init(&x->out, WSP_STDOUT, cap, keep, o->on_output, o->payload);
	oc_init(&x->errs, WSP_STDERR, cap, keep, o->on_output, o->payload);
	bl_random_name(x->name, sizeof(x->name), "wsp-exec-");
	x->err = err;
	bl_lines_init(&x->lines, &line_ops, x);
	if ((rc = sq_init(&x->q))) {
		free(x);
		return wsp_error_set(err, rc, "cannot make an eventfd");
	}
	x->q.coalesce = 1; /* raw pieces: lines.c cuts them */
	if ((rc = bl_ready(x->url, sizeof(x->url), b, call, err)) ||
	    (rc = build_body(&body, x, o, limit, err)))
		goto out;
	for (int attempt = 1;; attempt++) {
		int started = 0;

		if ((rc = open_stream(x, body, err)))
			goto out;
		pump(x, o, err);
		if (x->why == RMT_TIMED_OUT || x->why == RMT_CANCELED ||
		    (x->why == RMT_FAILED && sq_started(&x->q)))
			kill_it(x);
		sq_finish(&x->q, b->host);
		/* 429/5xx before it started: again, if it never ran */
		if (x->why != RMT_ENDED || sq_started(&x->q) || !x->q.failed ||
		    !bl_resend(&started, b, call, x->name, attempt,
			       x->q.status, &x->q.err, &(wsp_error){0}))
			break;
		sq_fini(&x->q);
		if ((rc = sq_init(&x->q))) {
			rc = wsp_error_set(err, rc, "cannot make an eventfd");
			bl_lines_free(&x->lines);
			free(body);
			oc_free(&x->out);
			oc_free(&x->errs);
			free(x);
			return rc;
		}
		x->q.coalesce = 1;
		x->why = RMT_RUNNING;
		x->cut_line = 0;
		bl_lines_free(&x->lines);
		bl_lines_init(&x->lines, &line_ops, x);
	}
	if (x->why == RMT_ENDED && !x->have_result)
		recover(x, err);
	if (x->why == RMT_TIMED_OUT || x->why == RMT_CANCELED)
		kill_it(x); /* recover may have seen the limit pass */
	if (x->why == RMT_FAILED) {
		rc = x->rc;
	} else if (!x->have_result && x->why == RMT_ENDED) {
		rc = wsp_error_set(err, WSP_EPROTO,
				   "the command's answer had no result");
	} else if (x->why == RMT_ENDED && x->exit_code == 127 && !o->shell &&
		   bl_missing_program(x->errs.buf, x->errs.len)) {
		rc = wsp_error_set(err, WSP_ENOTFOUND,
				   "cannot run the command: no such program "
				   "in the sandbox");
	} else {
		rc = fill(out, x, err);
	}
out:
	sq_finish(&x->q, b->host);
	sq_fini(&x->q);
	bl_lines_free(&x->lines);
	oc_free(&x->out);
	oc_free(&x->errs);
	free(body);
	free(x);
	return rc;
}
