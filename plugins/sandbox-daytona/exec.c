/*
 * plugins/sandbox-daytona/exec.c - a foreground command through the
 * toolbox: a session of its own, the script of script.c run in it
 * asynchronously, its log and status polled until it ends, the session
 * deleted (which kills whatever the command left behind).
 *
 * A session of its own per exec: commands in one session run one after
 * another, and deleting the session is the toolbox's only way to kill a
 * command, so sharing one would serialise concurrent execs and make a
 * cancel kill a neighbour. Polling rather than the WebSocket follow: the
 * host has no WebSocket client, and the JSON log snapshot gives stdout and
 * stderr apart (the plain follow merges them); the poll starts at 10 ms
 * so short commands stay quick and backs off to 200 ms.
 */
#include "daytona.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PATH_MAX_ 256

struct run {
	struct dt *d;
	const wsp_call *call;
	const wsp_exec_opts *o;
	char base[DT_URL_MAX];
	char sid[80], cid[DT_ID_MAX + 1];
	struct dt_script script;
	struct dt_capture cap[2];
	size_t sent[2]; /* bytes of each stream delivered */
	int nostart;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int tb_flags(struct run *x, const char *method, const char *path,
		    cJSON *json, cJSON **out, const wsp_call *call,
		    uint32_t flags, wsp_error *err)
{
	struct dt_req q = { .base = x->base, .method = method, .path = path,
			    .json = json, .call = call, .flags = flags };

	return dt_request(x->d, &q, out, NULL, err);
}

static int tb(struct run *x, const char *method, const char *path,
	      cJSON *json, cJSON **out, const wsp_call *call, wsp_error *err)
{
	return tb_flags(x, method, path, json, out, call, 0, err);
}

/*
 * Creating a session under a fresh name may be sent again (429, 5xx, a
 * dropped connection): at worst the name is taken by our own first try.
 */
static int new_session(struct run *x, cJSON *b, wsp_error *err)
{
	int rc = tb_flags(x, "POST", "/process/session", b, NULL, x->call,
			  WSP_HTTP_IDEMPOTENT, err);

	return rc == WSP_ESTALE || rc == WSP_EEXIST ? 0 : rc;
}

static int open_session(struct run *x, wsp_error *err)
{
	cJSON *b = cJSON_CreateObject();
	int rc;

	if (!b || !cJSON_AddStringToObject(b, "sessionId", x->sid)) {
		cJSON_Delete(b);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	rc = new_session(x, b, err);
	if (rc && rc != WSP_ECANCELED && rc != WSP_ETIMEDOUT &&
	    rc != WSP_EAUTH) {
		/* Stopped since we last looked (auto-stop): start it. */
		dt_forget_toolbox(x->d);
		rc = dt_ensure(x->base, x->d, x->call, err);
		if (!rc)
			rc = new_session(x, b, err);
	}
	cJSON_Delete(b);
	return rc;
}

static int launch(struct run *x, wsp_error *err)
{
	char path[PATH_MAX_];
	cJSON *b = cJSON_CreateObject(), *a = NULL;
	const cJSON *id;
	int rc;

	snprintf(path, sizeof path, "/process/session/%s/exec", x->sid);
	if (!b || !cJSON_AddStringToObject(b, "command", x->script.text) ||
	    !cJSON_AddBoolToObject(b, "runAsync", 1)) {
		cJSON_Delete(b);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	rc = tb(x, "POST", path, b, &a, x->call, err);
	cJSON_Delete(b);
	if (rc)
		return rc;
	id = cJSON_GetObjectItem(a, "cmdId");
	if (!cJSON_IsString(id) || !dt_id_ok(id->valuestring))
		rc = wsp_error_set(err, WSP_EPROTO,
				   "the toolbox gave no usable command id");
	else
		snprintf(x->cid, sizeof x->cid, "%s", id->valuestring);
	cJSON_Delete(a);
	return rc;
}

/* Hand one stream's new bytes to the capture and the callback. */
static int deliver(struct run *x, int i, const char *p, size_t upto)
{
	uint32_t stream = i ? WSP_STDERR : WSP_STDOUT;
	size_t n;
	int rc = 0;

	if (upto <= x->sent[i])
		return 0;
	n = upto - x->sent[i];
	if (!(x->o->flags & WSP_EXEC_NO_CAPTURE))
		dt_capture_put(&x->cap[i], p + x->sent[i], n);
	if (x->o->on_output)
		rc = x->o->on_output(stream, p + x->sent[i], n, x->o->payload);
	x->sent[i] = upto;
	return rc < 0 ? rc : 0;
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
	char path[PATH_MAX_];
	cJSON *st = NULL, *logs = NULL;
	const cJSON *ec;
	int i, rc;

	snprintf(path, sizeof path, "/process/session/%s/command/%s", x->sid,
		 x->cid);
	if ((rc = tb(x, "GET", path, NULL, &st, call, err)))
		return rc;
	ec = cJSON_GetObjectItem(st, "exitCode");
	*done = cJSON_IsNumber(ec);
	if (*done)
		*exit_code = ec->valueint;
	cJSON_Delete(st);
	/* Status first: an exit code means the log is complete. */
	snprintf(path, sizeof path, "/process/session/%s/command/%s/logs",
		 x->sid, x->cid);
	if ((rc = tb(x, "GET", path, NULL, &logs, call, err)))
		return rc;
	for (i = 0; i < 2 && !rc; i++) {
		const cJSON *s = cJSON_GetObjectItem(logs, names[i]);
		const char *p = cJSON_IsString(s) ? s->valuestring : "";
		size_t n = strlen(p), known = 0;
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
		if (known < x->sent[i]) /* the log never shrinks */
			rc = wsp_error_set(err, WSP_EPROTO,
					   "the toolbox's log went back");
		else if (!x->nostart)
			rc = deliver(x, i, p, known);
	}
	cJSON_Delete(logs);
	return rc;
}

static void kill_session(struct run *x)
{
	char path[PATH_MAX_];
	wsp_error e = { 0 };

	if (!x->sid[0])
		return;
	snprintf(path, sizeof path, "/process/session/%s", x->sid);
	/* No call: it may have ended, and the kill must still happen. */
	tb(x, "DELETE", path, NULL, NULL, NULL, &e);
}

/* Sleep until the next look, the timeout or the call's end. */
static void pause_for(struct run *x, int64_t ms, int64_t deadline)
{
	const wsp_host *h = x->d->host;
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
	const wsp_host *h = x->d->host;

	out->duration_ms = (uint64_t)(now_ms() - t0);
	out->stdout_data = dt_capture_take(&x->cap[0], h, &out->stdout_len);
	out->stderr_data = dt_capture_take(&x->cap[1], h, &out->stderr_len);
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
	return x->o->timeout_ms ? x->o->timeout_ms : x->d->cfg.timeout_ms;
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

/* Poll until the command ends; 0 with out's status, or a failure. */
static int follow(wsp_exec_result *out, struct run *x, wsp_error *err)
{
	const wsp_host *h = x->d->host;
	int64_t t0 = now_ms(), limit = timeout_of(x), pause = 10;
	int64_t deadline = limit ? t0 + limit : 0;
	int done = 0, code = 0, rc;

	for (;;) {
		rc = look(x, &done, &code, 0, x->call, err);
		if (rc == 0 && done) {
			out->exit_code = code;
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
	struct run x = { .d = self, .call = call, .o = opts };
	size_t cap = opts->max_capture ? opts->max_capture
				       : x.d->cfg.max_capture;
	unsigned long seq;
	int rc;

	if ((rc = dt_script_build(&x.script, opts, err)))
		return rc;
	if (dt_capture_init(&x.cap[0], cap) ||
	    dt_capture_init(&x.cap[1], cap)) {
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = dt_ensure(x.base, x.d, call, err)))
		goto out;
	pthread_mutex_lock(&x.d->lock);
	seq = ++x.d->seq;
	pthread_mutex_unlock(&x.d->lock);
	snprintf(x.sid, sizeof x.sid, "wsp-exec-%ld-%lu-%.8s", (long)getpid(),
		 seq, x.script.nonce + 4);
	if ((rc = open_session(&x, err))) {
		x.sid[0] = '\0';
		goto out;
	}
	if (!(rc = launch(&x, err)))
		rc = follow(out, &x, err);
	if (!rc && x.nostart) {
		x.d->host->free(x.d->host, out->stdout_data);
		x.d->host->free(x.d->host, out->stderr_data);
		memset(out, 0, sizeof(*out));
		out->struct_size = sizeof(*out);
		rc = nostart_error(&x, err);
	}
out:
	kill_session(&x);
	dt_capture_free(&x.cap[0]);
	dt_capture_free(&x.cap[1]);
	dt_script_free(&x.script);
	return rc;
}
