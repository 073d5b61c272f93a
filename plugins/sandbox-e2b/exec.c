/*
 * plugins/sandbox-e2b/exec.c - a foreground command through envd's
 * process.Process/Start, a Connect server stream (remote-providers.md
 * §1.2-1.3): the request is one envelope, the answer a start event with
 * the pid, data events (base64 output), keepalives and an end event with
 * the exit status, then the end-of-stream envelope.
 *
 * Timeouts are wsp's: when the command's timeout or the call's deadline
 * passes, or the call is canceled, the slot kills the process by pid
 * (SendSignal SIGKILL) and answers 124 or 130 with the output so far.
 * Connect-Timeout-Ms, which envd takes as the process's lifetime, is set
 * from that limit plus a margin, so envd ends the command even if this
 * wsp dies, and it is left out when the command has no limit: never the
 * SDK's silent 60 s (mastra #24349).
 *
 * stdin: the request asks for a pipe only when there is data; once the
 * start event names the pid the data goes through SendInput and the pipe
 * is closed (CloseStdin), so the command sees end of file.
 */
#include "e2b.h"
#include "envelope.h"
#include "output.h"
#include "remote.h"
#include "stream_queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* envd's deadline comes this much after ours: ours acts first */
#define ENVD_DEADLINE_SLACK_MS 5000

struct run {
	struct e2b *e;
	const wsp_call *call;
	struct e2b_conn c;
	struct sq q;
	struct oc out, errs;
	int64_t t0, until; /* until: the command's own limit, 0 = none */
	int64_t limit;     /* that limit in ms, 0 = none */
	enum rmt_stop why;
	int rc;	      /* with RMT_FAILED */
	uint32_t pid; /* 0 until the start event */
	int have_end, exit_code, term_signal;
	int gone; /* the sandbox was gone before the command started */
};

static void fail(struct run *x, int rc)
{
	if (x->why == RMT_RUNNING || x->why == RMT_ENDED) {
		x->why = RMT_FAILED;
		x->rc = rc;
	}
}

static int open_stream(struct run *x, const wsp_exec_opts *o, wsp_error *err)
{
	struct e2b_stream_cbs cbs = {sq_on_header, sq_on_data, sq_on_done,
				     &x->q};
	int64_t rem = x->e->host->call_remaining_ms(x->e->host, x->call);
	int64_t own = x->limit ? x->limit : -1;

	/* the tighter of the command's timeout and the call's deadline,
	 * plus envd's margin: ours acts first; none without either */
	if (own >= 0 && (rem < 0 || own < rem))
		rem = own;
	return e2b_start_stream(&x->q.stream, x->e, &x->c, o,
				o->stdin_len > 0,
				rem >= 0 ? rem + ENVD_DEADLINE_SLACK_MS : 0,
				&cbs, err);
}

/* Send stdin, then close it (end of file). */
static void feed_stdin(struct run *x, const wsp_exec_opts *o)
{
	char json[64];
	wsp_error ignored = {0};

	/* a command that did not read it all may be gone: fine */
	e2b_send_input(x->e, &x->c, x->pid, o->stdin_data, o->stdin_len,
		       x->call, &ignored);
	snprintf(json, sizeof(json), "{\"process\":{\"pid\":%u}}", x->pid);
	e2b_process_call(x->e, &x->c, "CloseStdin", json, x->call, &ignored);
}

/* Kill the process by pid: the call may be over, so none is passed. */
static void kill_it(struct run *x)
{
	char json[96];
	wsp_error ignored = {0};

	if (!x->pid)
		return;
	snprintf(json, sizeof(json),
		 "{\"process\":{\"pid\":%u},\"signal\":\"SIGNAL_SIGKILL\"}",
		 x->pid);
	e2b_process_call(x->e, &x->c, "SendSignal", json, NULL, &ignored);
}

/* One message of the stream. */
static void take(struct run *x, const char *msg, size_t len,
		 const wsp_exec_opts *o, wsp_error *err)
{
	struct e2b_event ev;
	int rc = e2b_event_parse(&ev, msg, len);

	if (rc) {
		fail(x, wsp_error_set(err, rc == -2 ? WSP_ENOMEM : WSP_EPROTO,
				      "envd sent a process event that is not "
				      "one"));
	} else if (ev.kind == E2B_EV_START && !x->pid) {
		x->pid = ev.pid;
		if (o->stdin_len)
			feed_stdin(x, o);
	} else if (ev.kind == E2B_EV_DATA && x->pid && !x->have_end) {
		rc = oc_event(ev.stream == 1 ? &x->out : &x->errs,
			      (const char *)ev.data, ev.len);
		if (rc)
			fail(x, wsp_error_set(err, rc,
					      "the output callback stopped "
					      "the command"));
	} else if (ev.kind == E2B_EV_END && x->pid) {
		x->have_end = 1;
		x->term_signal = ev.signal;
		x->exit_code = ev.signal	? 128 + ev.signal
			       : ev.exited ? ev.exit_code
					   : -1;
	} else if (ev.kind != E2B_EV_KEEPALIVE && ev.kind != E2B_EV_OTHER) {
		fail(x, wsp_error_set(err, WSP_EPROTO,
				      "envd sent process events out of "
				      "order"));
	}
	e2b_event_free(&ev);
}

/* Take messages until the stream ends or the command must stop. */
static void pump(struct run *x, const wsp_exec_opts *o, wsp_error *err)
{
	while (x->why == RMT_RUNNING) {
		struct sq_frame *l;

		while (x->why == RMT_RUNNING &&
		       (l = sq_pop(&x->q, x->e->host))) {
			take(x, l->data, l->len, o, err);
			free(l);
		}
		if (x->why != RMT_RUNNING)
			break;
		if (sq_done(&x->q)) {
			x->why = RMT_ENDED;
			break;
		}
		if ((x->why = rmt_must_stop(x->e->host, x->call, x->until)) !=
		    RMT_RUNNING)
			break;
		sq_wait(&x->q, x->e->host, x->call,
			rmt_wait_budget(x->e->host, x->call, x->until));
	}
}

/*
 * The stream ended without an end event: envd's own deadline, a start
 * that failed (missing directory: invalid_argument), the sandbox gone
 * (the proxy's 502), or a cut. Each gets its own error.
 */
static int broken(struct run *x, wsp_error *err)
{
	const wsp_error *se = &x->q.err;

	if (x->q.failed && !strcmp(se->service_code, "deadline_exceeded")) {
		x->why = RMT_TIMED_OUT;
		return 0;
	}
	if (x->q.status == 502)
		return e2b_lost(x->e, x->c.id, x->call, &x->gone, err);
	if (x->q.failed && !x->pid) {
		*err = *se;
		return se->code ? se->code : WSP_EPROTO;
	}
	kill_it(x); /* it may still run: nothing would read it */
	return wsp_error_set(err, x->q.failed && se->code ? se->code
							   : WSP_EPROTO,
			     "the output of the E2B command (pid %u) broke "
			     "off before its end%s%s",
			     x->pid, x->q.failed ? ": " : "",
			     x->q.failed ? se->message : "");
}

static int fill(wsp_exec_result *out, struct run *x, wsp_error *err)
{
	out->duration_ms = (uint64_t)(rmt_now_ms() - x->t0);
	out->exit_code = x->exit_code;
	out->term_signal = x->term_signal;
	return oc_result(out, x->why, &x->out, &x->errs, x->e->host, err);
}

/* What the run came to: a result, or an error. */
static int finish(wsp_exec_result *out, struct run *x,
		  const wsp_exec_opts *o, wsp_error *err)
{
	int rc;

	if (x->why == RMT_FAILED)
		return x->rc;
	if (x->why == RMT_ENDED && !x->have_end && (rc = broken(x, err)))
		return rc;
	if (x->why == RMT_ENDED && x->exit_code == 127 && !o->shell &&
	    e2b_missing_program(x->errs.buf, x->errs.len))
		return wsp_error_set(err, WSP_ENOTFOUND,
				     "cannot run the command: no such program "
				     "in the sandbox");
	return fill(out, x, err);
}

/* One attempt; *gone when the sandbox was gone before anything ran. */
static int run_once(wsp_exec_result *out, struct e2b *e, const wsp_call *call,
		    const wsp_exec_opts *o, int *gone, wsp_error *err)
{
	struct run *x;
	uint64_t cap = o->max_capture ? o->max_capture : e->max_capture;
	int keep = !(o->flags & WSP_EXEC_NO_CAPTURE);
	int64_t limit = o->flags & WSP_EXEC_NO_TIMEOUT ? 0
			: o->timeout_ms		       ? o->timeout_ms
						       : e->exec_timeout_ms;
	int rc;

	if (!(x = calloc(1, sizeof(*x))))
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	x->e = e;
	x->call = call;
	x->t0 = rmt_now_ms();
	x->limit = limit;
	x->until = limit ? x->t0 + limit : 0;
	oc_init(&x->out, WSP_STDOUT, cap, keep, o->on_output, o->payload);
	oc_init(&x->errs, WSP_STDERR, cap, keep, o->on_output, o->payload);
	x->out.exact = x->errs.exact = 1; /* envd sends the bytes as they are */
	if ((rc = sq_init(&x->q))) {
		free(x);
		return wsp_error_set(err, rc, "cannot make an eventfd");
	}
	if ((rc = e2b_ready(&x->c, e, call, err)))
		goto out;
	/* without CloseStdin the command would wait for an end never sent */
	if (o->stdin_len && !e2b_envd_at_least(x->c.envd, 0, 5, 2)) {
		rc = wsp_error_set(err, WSP_ENOTSUP,
				   "envd %s of this E2B sandbox cannot close a "
				   "command's stdin (0.5.2 can): use a newer "
				   "template",
				   x->c.envd);
		goto out;
	}
	if ((rc = open_stream(x, o, err)))
		goto out;
	pump(x, o, err);
	if (x->why == RMT_TIMED_OUT || x->why == RMT_CANCELED ||
	    x->why == RMT_FAILED)
		kill_it(x);
	sq_finish(&x->q, e->host);
	rc = finish(out, x, o, err);
	*gone = x->gone;
out:
	sq_finish(&x->q, e->host);
	sq_fini(&x->q);
	oc_free(&x->out);
	oc_free(&x->errs);
	memset(&x->c, 0, sizeof(x->c)); /* the token */
	free(x);
	return rc;
}

int e2b_exec(wsp_exec_result *out, void *self, const wsp_call *call,
	     const wsp_exec_opts *o, wsp_error *err)
{
	struct e2b *e = self;
	int gone = 0, rc = e->host->call_expired(e->host, call);

	if (rc)
		return wsp_error_set(err, rc, "the call %s before the command",
				     rc == WSP_ECANCELED ? "was canceled"
							 : "expired");
	rc = run_once(out, e, call, o, &gone, err);
	/*
	 * Gone before the command started (nothing ran): with recreate, a
	 * new sandbox, said in the log, and the command runs there once.
	 */
	if (rc && gone && e->recreate) {
		e->host->log(e->host, WSP_LOG_WARN,
			     "%s; making a new one for '%s' (recreate)",
			     err ? err->message : "the E2B sandbox is gone",
			     e->instance_id);
		gone = 0;
		rc = run_once(out, e, call, o, &gone, err);
	}
	return rc;
}
