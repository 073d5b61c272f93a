/*
 * plugins/sandbox-daytona/exec.c - a foreground command through the
 * toolbox: the script of script.c run asynchronously in a session (an
 * idle one kept from an earlier exec, pool.c, or a new one), its log
 * followed over the toolbox's WebSocket (or polled) until it ends. A
 * command that ended on its own leaves its session to the next exec; one
 * killed (timeout, cancel) or failed has its session deleted, which
 * kills whatever the command left behind.
 *
 * Never two commands in one session at once: a session runs them one
 * after another, and deleting it is the toolbox's only kill, so sharing
 * a busy one would serialise concurrent execs and make a cancel kill a
 * neighbour. An idle one costs nothing of that.
 *
 * The WebSocket follow (wsconn.c) carries the log's bytes as they are
 * written, exact (NUL bytes too) and each once; the JSON snapshot that
 * polling fetches holds the whole log so far, every time, and cuts
 * strings at a NUL. Polling stays for what the follow cannot do: a
 * toolbox (or proxy) that refuses the upgrade, a connection that breaks
 * mid-stream (it resumes from the bytes already delivered: the snapshot
 * holds them all), the exit code not there yet when the socket closed.
 * The poll starts at 10 ms so short commands stay quick and backs off to
 * 200 ms.
 */
#include "capture.h"
#include "daytona.h"
#include "logfollow.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct run {
	struct dt_cmd c;
	const wsp_call *call;
	const wsp_exec_opts *o;
	struct dt_script script;
	struct capture cap[2];
	size_t sent[2]; /* bytes of each stream delivered */
	int nostart;
	int ended; /* the toolbox gave its exit code: the session is idle */
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Hand n new bytes of one stream to the capture and the callback. */
static int give(struct run *x, int i, const char *p, size_t n)
{
	int rc = 0;

	if (!(x->o->flags & WSP_EXEC_NO_CAPTURE))
		capture_append(&x->cap[i], p, n); /* what fails is dropped */
	if (x->o->on_output)
		rc = x->o->on_output(i ? WSP_STDERR : WSP_STDOUT, p, n,
				     x->o->payload);
	x->sent[i] += n;
	return rc < 0 ? rc : 0;
}

/* The bytes of a whole stream's text p beyond those delivered, to upto. */
static int deliver(struct run *x, int i, const char *p, size_t upto)
{
	if (upto <= x->sent[i])
		return 0;
	return give(x, i, p + x->sent[i], upto - x->sent[i]);
}

/*
 * One look: *exit_code set (and *done) once the command ended; output
 * delivered up to what is known for sure (last: before a kill, every
 * whole line). call: NULL once the caller's call ended.
 */
static int look(struct run *x, int *done, int *exit_code, int last,
		const wsp_call *call, wsp_error *err)
{
	static const char *const names[2] = { "stdout", "stderr" };
	cJSON *logs = NULL;
	int i, rc = dt_session_look(&x->c, done, exit_code, &logs, call, err);

	for (i = 0; i < 2 && !rc; i++) {
		size_t n, known = 0;
		const char *p = dt_log_text(logs, i, &n);
		int ns = 0;

		if (dt_script_output(&known, &ns, p, n, x->script.nonce,
				     *done ? DT_LOG_DONE
					   : last ? DT_LOG_LAST
						  : DT_LOG_RUNNING)) {
			rc = wsp_error_set(err, WSP_EPROTO,
					   "the command's %s ended early (the "
					   "sandbox stopped?)", names[i]);
			break;
		}
		if (i == 1)
			x->nostart = ns;
		/* The log never shrinks; the follow may have delivered
		 * part of a line that is not whole yet. */
		if (n < x->sent[i])
			rc = wsp_error_set(err, WSP_EPROTO,
					   "the toolbox's log went back");
		else if (!x->nostart)
			rc = deliver(x, i, p, known);
	}
	cJSON_Delete(logs);
	return rc;
}

/* The session to the next exec when its command ended, else deleted. */
static void end_session(struct run *x)
{
	wsp_error e = { 0 };

	if (!x->c.sid[0])
		return;
	if (x->ended)
		dt_pool_put(&x->c);
	else /* no call: it may have ended, and the kill must still happen */
		dt_session_delete(&x->c, NULL, &e);
}

/* The script launched, in an idle session or a new one (pool.c). */
static int launch(struct run *x, wsp_error *err)
{
	struct dt *d = x->c.d;
	char fresh[80];
	unsigned long seq;

	pthread_mutex_lock(&d->lock);
	seq = ++d->seq;
	pthread_mutex_unlock(&d->lock);
	snprintf(fresh, sizeof fresh, "wsp-exec-%ld-%lu-%.8s", (long)getpid(),
		 seq, x->script.nonce + 4);
	return dt_pool_launch(&x->c, fresh, x->script.text, 0, x->call, err);
}

/* Sleep until the next look, the timeout or the call's end. */
static void pause_for(struct run *x, int64_t ms, int64_t deadline)
{
	const wsp_host *h = x->c.d->host;
	int64_t left = h->call_remaining_ms(h, x->call);
	struct pollfd p = { .fd = h->call_fd(h, x->call), .events = POLLIN };

	if (deadline && deadline - now_ms() < ms)
		ms = deadline - now_ms();
	if (left >= 0 && left < ms)
		ms = left;
	if (ms > 0)
		poll(&p, p.fd >= 0 ? 1 : 0, (int)ms);
}

static int finish(wsp_exec_result *out, struct run *x, int64_t t0)
{
	const wsp_host *h = x->c.d->host;

	out->duration_ms = (uint64_t)(now_ms() - t0);
	out->stdout_data = capture_take(&x->cap[0], h);
	out->stderr_data = capture_take(&x->cap[1], h);
	out->stdout_len = x->cap[0].len;
	out->stderr_len = x->cap[1].len;
	out->stdout_dropped = x->cap[0].dropped;
	out->stderr_dropped = x->cap[1].dropped;
	if (!out->stdout_data || !out->stderr_data) {
		h->free(h, out->stdout_data);
		h->free(h, out->stderr_data);
		out->stdout_data = out->stderr_data = NULL;
		return WSP_ENOMEM;
	}
	return 0;
}

static int64_t timeout_of(const struct run *x)
{
	if (x->o->flags & WSP_EXEC_NO_TIMEOUT)
		return 0;
	return x->o->timeout_ms ? x->o->timeout_ms : x->c.d->cfg.timeout_ms;
}

/*
 * The command is to be killed (cause: the call's code, or 0 for its own
 * timeout): one last look without the call, for the output up to now; a
 * command that ended meanwhile keeps its own exit code.
 */
static void last_look(wsp_exec_result *out, struct run *x, int cause)
{
	wsp_error e = { 0 };
	int done = 0, code = 0;

	if (!look(x, &done, &code, 1, NULL, &e) && done) {
		out->exit_code = code;
		return;
	}
	if (cause == WSP_ECANCELED) {
		out->flags |= WSP_EXEC_CANCELED | WSP_EXEC_KILLED;
		out->exit_code = 130;
	} else {
		out->flags |= WSP_EXEC_TIMED_OUT | WSP_EXEC_KILLED;
		out->exit_code = 124;
	}
}

/* The follow's output: to the capture and the callback. */
static int follow_out(int stream, const char *p, size_t n, void *payload)
{
	return give(payload, stream, p, n);
}

/* Follow, then poll until the command ends; 0 with out's status. */
static int follow(wsp_exec_result *out, struct run *x, wsp_error *err)
{
	const wsp_host *h = x->c.d->host;
	int64_t t0 = now_ms(), limit = timeout_of(x), pause = 10;
	int64_t deadline = limit ? t0 + limit : 0;
	struct dt_follow fl;
	int done = 0, code = 0, rc, whole;

	rc = dt_follow_log(&fl, &x->c, x->script.nonce, deadline, x->call,
			   follow_out, x, err);
	if (rc < 0 && rc != WSP_ECANCELED && rc != WSP_ETIMEDOUT)
		return rc; /* a callback's code */
	whole = rc == DT_FOLLOW_ALL_IN;
	if (whole)
		x->nostart = fl.tail[1].tag;
	for (;;) {
		rc = whole ? dt_session_status(&x->c, &done, &code, x->call, err)
			   : look(x, &done, &code, 0, x->call, err);
		if (rc == 0 && done) {
			out->exit_code = code;
			x->ended = 1;
			break;
		}
		if (rc && rc != WSP_ECANCELED && rc != WSP_ETIMEDOUT)
			return rc; /* a callback's code, or a failure */
		rc = h->call_expired(h, x->call);
		if (rc || (deadline && now_ms() >= deadline)) {
			last_look(out, x, rc);
			break;
		}
		pause_for(x, pause, deadline);
		if (pause < 200)
			pause *= 2;
	}
	return finish(out, x, t0);
}

static int nostart_error(const struct run *x, wsp_error *err)
{
	if (x->nostart == 1)
		return wsp_error_set(err, WSP_ENOTFOUND,
				     "working directory '%s' is not in the "
				     "sandbox", x->o->cwd);
	return wsp_error_set(err, WSP_ENOTFOUND,
			     "program '%s' not found in the sandbox",
			     x->o->argv[0]);
}

int dt_exec(wsp_exec_result *out, void *self, const wsp_call *call,
	    const wsp_exec_opts *opts, wsp_error *err)
{
	struct run x = { .c = { .d = self }, .call = call, .o = opts };
	size_t cap = opts->max_capture ? opts->max_capture
				       : x.c.d->cfg.max_capture;
	int rc;

	if ((rc = dt_script_build(&x.script, opts, err)))
		return rc;
	capture_init(&x.cap[0], cap ? cap : 1);
	capture_init(&x.cap[1], cap ? cap : 1);
	if (!(rc = launch(&x, err)))
		rc = follow(out, &x, err);
	if (!rc && x.nostart) {
		x.c.d->host->free(x.c.d->host, out->stdout_data);
		x.c.d->host->free(x.c.d->host, out->stderr_data);
		memset(out, 0, sizeof(*out));
		out->struct_size = sizeof(*out);
		rc = nostart_error(&x, err);
	}
	end_session(&x);
	capture_free(&x.cap[0]);
	capture_free(&x.cap[1]);
	dt_script_free(&x.script);
	return rc;
}
