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
/* keepalives asked for every 30 s; silence for 90 s is a dead stream */
#define KEEPALIVE_S "30"
#define IDLE_TIMEOUT_MS 90000
/* stdin goes in pieces of this many bytes (envd takes 16 MiB bodies) */
#define STDIN_PIECE (1u << 20)

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

static int build_body(char **out, size_t *out_len, struct run *x,
		      const wsp_exec_opts *o, wsp_error *err)
{
	cJSON *body = cJSON_CreateObject(), *proc = NULL;
	char *json = NULL;
	int rc;

	if (!body)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	if ((rc = e2b_process_config(&proc, x->e, o, err))) {
		cJSON_Delete(body);
		return rc;
	}
	cJSON_AddItemToObject(body, "process", proc);
	cJSON_AddBoolToObject(body, "stdin", o->stdin_len > 0);
	json = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	if (!json || e2b_envelope(out, out_len, json, strlen(json)))
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
	cJSON_free(json);
	return rc;
}

static int open_stream(struct run *x, const char *body, size_t len,
		       wsp_error *err)
{
	wsp_http_header h[10];
	char auth[160], url[E2B_URL_MAX + 64], limit[32];
	const char *secrets[4];
	size_t n = e2b_envd_headers(h, auth, sizeof(auth), x->e, &x->c);
	int64_t rem = x->e->host->call_remaining_ms(x->e->host, x->call);
	int64_t own = x->limit ? x->limit : -1;

	h[n++] = (wsp_http_header){"Content-Type", "application/connect+json"};
	h[n++] = (wsp_http_header){"Connect-Protocol-Version", "1"};
	h[n++] = (wsp_http_header){"Keepalive-Ping-Interval", KEEPALIVE_S};
	if (own >= 0 && (rem < 0 || own < rem))
		rem = own;
	if (rem >= 0) {
		snprintf(limit, sizeof(limit), "%lld",
			 (long long)(rem + ENVD_DEADLINE_SLACK_MS));
		h[n++] = (wsp_http_header){"Connect-Timeout-Ms", limit};
	}
	snprintf(url, sizeof(url), "%s/process.Process/Start", x->c.url);
	e2b_secrets(secrets, x->e, &x->c);
	wsp_http_stream_request req = {
		.struct_size = sizeof(req),
		.method = "POST",
		.url = url,
		.headers = h,
		.n_headers = n,
		.body = body,
		.body_len = len,
		.idle_timeout_ms = IDLE_TIMEOUT_MS,
		.secrets = secrets,
		.framing = WSP_STREAM_CONNECT_ENVELOPE,
		.max_frame = E2B_EVENT_MAX,
		.on_header = sq_on_header,
		.on_data = sq_on_data,
		.on_done = sq_on_done,
		.payload = &x->q,
	};
	/* no call: the slot ends the stream itself, after killing */
	return x->e->host->http_stream_open(&x->q.stream, x->e->host, NULL,
					    &req, err);
}

/* One unary process.Process call about our pid; its HTTP status. */
static int process_call(struct run *x, const char *method, const char *json,
			const wsp_call *call, wsp_error *err)
{
	char path[64];
	struct e2b_req r = {.plane = E2B_ENVD, .method = "POST", .path = path,
			    .body = json, .conn = &x->c, .call = call};
	cJSON *ans = NULL;
	int status = 0, rc;

	snprintf(path, sizeof(path), "/process.Process/%s", method);
	rc = e2b_request(&status, &ans, x->e, &r, err);
	if (!rc && status != 200)
		rc = e2b_fail(x->e, status, ans, method, err);
	cJSON_Delete(ans);
	return rc;
}

/* Send stdin in pieces, then close it (end of file). */
static void feed_stdin(struct run *x, const wsp_exec_opts *o, wsp_error *err)
{
	const unsigned char *p = o->stdin_data;
	size_t left = o->stdin_len;
	char *json = malloc(4 * (STDIN_PIECE / 3 + 1) + 96);
	char head[64];
	wsp_error ignored = {0};
	int rc = 0;

	if (!json) {
		fail(x, wsp_error_set(err, WSP_ENOMEM, "out of memory"));
		return;
	}
	while (left && !rc) {
		size_t n = left < STDIN_PIECE ? left : STDIN_PIECE, hl;

		hl = (size_t)snprintf(head, sizeof(head),
				      "{\"process\":{\"pid\":%u},\"input\":"
				      "{\"stdin\":\"",
				      x->pid);
		memcpy(json, head, hl);
		hl += e2b_base64_encode(json + hl, p, n);
		memcpy(json + hl, "\"}}", 4);
		/* a command that did not read it all may be gone: fine */
		rc = process_call(x, "SendInput", json, x->call, &ignored);
		p += n;
		left -= n;
	}
	snprintf(json, 64, "{\"process\":{\"pid\":%u}}", x->pid);
	process_call(x, "CloseStdin", json, x->call, &ignored);
	free(json);
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
	process_call(x, "SendSignal", json, NULL, &ignored);
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
			feed_stdin(x, o, err);
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
	char *body = NULL;
	size_t body_len = 0;
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
	if ((rc = build_body(&body, &body_len, x, o, err)) ||
	    (rc = open_stream(x, body, body_len, err)))
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
	free(body);
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
