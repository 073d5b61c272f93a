/*
 * plugins/sandbox-e2b/procs.c - background processes, held by this
 * instance (issue 14, in part: no keeper yet).
 *
 * spawn is envd's process.Process/Start, the same Connect stream as a
 * foreground command, kept open on the core's streaming engine for the
 * process's life: its callbacks (the engine's thread, never blocking)
 * keep each stream's newest log_limit bytes with their absolute totals
 * and the end event, and poke an eventfd that waits sleep on. stdin,
 * close, signals are envd's unary calls by pid. The process's own
 * timeout is envd's deadline (Connect-Timeout-Ms): envd kills it then.
 *
 * What this is not yet: E2B replays no output, and nothing here outlives
 * this instance: the processes go on running in the sandbox after fini,
 * but a later wsp neither lists nor reads them (no
 * WSP_CAP_PROC_DETACHED, no OUTPUT_HISTORY). That is the keeper's job
 * (issue 14).
 */
#include "procs.h"
#include "envelope.h"
#include "output.h"
#include "remote.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_LOG_LIMIT (1u << 20)

struct e2b_proc {
	struct e2b_proc *next;
	struct e2b *e;
	char id[WSP_PROC_ID_MAX];
	char *command;
	struct e2b_conn c;
	wsp_http_stream *stream;
	int efd;
	/* under e->plock */
	uint32_t pid;
	int started, ended, done, failed, timed_out, stdin_open;
	int exit_code, term_signal;
	int64_t started_ms, ended_ms, until;
	struct oc out[2]; /* stdout, stderr: the newest bytes, totals */
	wsp_error err;    /* why the stream ended, with failed */
};

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void poke(struct e2b_proc *p)
{
	uint64_t one = 1;

	if (write(p->efd, &one, sizeof(one)) < 0) {
	} /* a set counter wakes the reader anyway */
}

/* The engine's thread: one message of the process's stream. */
static int on_data(wsp_http_stream *s, const char *msg, size_t len,
		   void *payload)
{
	struct e2b_proc *p = payload;
	struct e2b_event ev;
	int rc = e2b_event_parse(&ev, msg, len);

	(void)s;
	pthread_mutex_lock(&p->e->plock);
	if (!rc && ev.kind == E2B_EV_START && !p->started) {
		p->pid = ev.pid;
		p->started = 1;
	} else if (!rc && ev.kind == E2B_EV_DATA && p->started) {
		oc_event(&p->out[ev.stream - 1], (const char *)ev.data,
			 ev.len);
	} else if (!rc && ev.kind == E2B_EV_END && p->started) {
		p->ended = 1;
		p->ended_ms = wall_ms();
		p->term_signal = ev.signal;
		p->exit_code = ev.signal ? 128 + ev.signal
			       : ev.exited ? ev.exit_code
					   : -1;
		p->stdin_open = 0;
		/* envd's deadline: the process's own timeout */
		p->timed_out = p->until && rmt_now_ms() >= p->until - 100 &&
			       !ev.exited;
	}
	pthread_mutex_unlock(&p->e->plock);
	e2b_event_free(&ev);
	poke(p);
	return rc ? WSP_EPROTO : 0;
}

static void on_done(wsp_http_stream *s, long status, const wsp_error *err,
		    void *payload)
{
	struct e2b_proc *p = payload;

	(void)s;
	(void)status;
	pthread_mutex_lock(&p->e->plock);
	p->done = 1;
	if (err && !p->ended) {
		p->failed = 1;
		p->err = *err;
		if (!strcmp(err->service_code, "deadline_exceeded")) {
			p->timed_out = 1;
			p->ended = 1;
			p->ended_ms = wall_ms();
			p->exit_code = 137;
			p->term_signal = SIGKILL;
		}
	}
	p->stdin_open = p->stdin_open && !p->done;
	pthread_mutex_unlock(&p->e->plock);
	poke(p);
}

static void proc_free(struct e2b_proc *p)
{
	if (!p)
		return;
	oc_free(&p->out[0]);
	oc_free(&p->out[1]);
	if (p->efd >= 0)
		close(p->efd);
	memset(&p->c, 0, sizeof(p->c));
	free(p->command);
	free(p);
}

/* Cancel the stream, wait for its on_done, release it. */
static void proc_stop_stream(struct e2b_proc *p)
{
	const wsp_host *h = p->e->host;
	int done = 0;

	if (!p->stream)
		return;
	h->http_stream_cancel(h, p->stream);
	while (!done) {
		struct pollfd f = {.fd = p->efd, .events = POLLIN};
		uint64_t v;

		pthread_mutex_lock(&p->e->plock);
		done = p->done;
		pthread_mutex_unlock(&p->e->plock);
		if (!done && poll(&f, 1, 1000) > 0 &&
		    read(p->efd, &v, sizeof(v)) < 0) {
		}
	}
	h->http_stream_release(h, p->stream);
	p->stream = NULL;
}

void e2b_procs_reattach(struct e2b *e)
{
	struct e2b_conn c;
	wsp_error ignored = {0};

	/*
	 * e->lock keeps release from freeing a process meanwhile; plock is
	 * not held across a stream's open or end (the engine's callbacks
	 * take it). A spawn meanwhile only puts one in front.
	 */
	pthread_mutex_lock(&e->lock);
	c = e->conn;
	for (struct e2b_proc *p = e->procs; p; p = p->next) {
		struct e2b_stream_cbs cbs = {NULL, on_data, on_done, p};
		int cut;

		pthread_mutex_lock(&e->plock);
		cut = p->done && !p->ended && p->started;
		pthread_mutex_unlock(&e->plock);
		if (!cut || strcmp(c.id, p->c.id))
			continue;
		proc_stop_stream(p); /* the old one, ended */
		pthread_mutex_lock(&e->plock);
		p->done = p->failed = 0;
		pthread_mutex_unlock(&e->plock);
		if (e2b_connect_stream(&p->stream, e, &p->c, p->pid, &cbs,
				       &ignored)) {
			pthread_mutex_lock(&e->plock);
			p->done = 1; /* still cut: LOST */
			pthread_mutex_unlock(&e->plock);
		}
	}
	pthread_mutex_unlock(&e->lock);
	memset(&c, 0, sizeof(c));
}

void e2b_procs_fini(struct e2b *e)
{
	struct e2b_proc *p = e->procs, *next;

	/* the processes go on in the sandbox; only our streams end */
	for (; p; p = next) {
		next = p->next;
		proc_stop_stream(p);
		proc_free(p);
	}
	e->procs = NULL;
}

/* The process of id (lock held), or NULL. */
static struct e2b_proc *find(struct e2b *e, const char *id)
{
	for (struct e2b_proc *p = e->procs; p; p = p->next)
		if (!strcmp(p->id, id))
			return p;
	return NULL;
}

static int unknown(const char *id, wsp_error *err)
{
	char shown[WSP_PROC_ID_MAX];

	snprintf(shown, sizeof(shown), "%s", id);
	for (char *c = shown; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			*c = '?';
	return wsp_error_set(err, WSP_ENOTFOUND, "no process '%s' here",
			     shown);
}

static void status_of(wsp_proc_status *out, const struct e2b_proc *p)
{
	uint32_t size = out->struct_size;

	memset(out, 0, sizeof(*out));
	out->struct_size = size;
	out->state = !p->ended	       ? (p->done ? WSP_PROC_LOST
						  : WSP_PROC_RUNNING)
		     : p->term_signal ? WSP_PROC_SIGNALED
				      : WSP_PROC_EXITED;
	out->exit_code = p->exit_code;
	out->term_signal = p->term_signal;
	out->os_pid = p->pid ? (int64_t)p->pid : -1;
	out->started_ms = p->started_ms;
	out->ended_ms = p->ended ? p->ended_ms : 0;
	for (int i = 0; i < 2; i++) {
		const struct oc *o = &p->out[i];
		uint64_t kept = o->len < o->cap ? o->len : o->cap;

		*(i ? &out->stderr_total : &out->stdout_total) = o->delivered;
		*(i ? &out->stderr_dropped : &out->stdout_dropped) =
			o->delivered - kept;
	}
	out->timed_out = (uint32_t)p->timed_out;
	out->stdin_open = (uint32_t)p->stdin_open;
}

static int proc_call(struct e2b_proc *p, const char *method, const char *json,
		     const wsp_call *call, wsp_error *err)
{
	return e2b_process_call(p->e, &p->c, method, json, call, err);
}

/* Sleep until p changes, the call ends or ms passes (-1: a slice). */
static void nap(struct e2b_proc *p, const wsp_call *call, int64_t ms)
{
	const wsp_host *h = p->e->host;
	struct pollfd f[2] = {{.fd = p->efd, .events = POLLIN},
			      {.fd = h->call_fd(h, call), .events = POLLIN}};
	uint64_t v;

	/* several may wait on one process: wake often, never spin */
	if (ms < 0 || ms > 200)
		ms = 200;
	if (poll(f, f[1].fd >= 0 ? 2 : 1, (int)ms) > 0 &&
	    (f[0].revents & POLLIN) && read(p->efd, &v, sizeof(v)) < 0) {
	}
}

static const char *shown_command(const wsp_spawn_opts *o, char *buf,
				 size_t cap)
{
	size_t n = 0;

	if (o->shell)
		return o->shell;
	buf[0] = '\0';
	for (size_t i = 0; o->argv[i] && n + 1 < cap; i++)
		n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? " " : "",
				      o->argv[i]);
	return buf;
}

int e2b_spawn(char out_id[WSP_PROC_ID_MAX], void *self, const wsp_call *call,
	      const wsp_spawn_opts *so, wsp_error *err)
{
	struct e2b *e = self;
	struct e2b_proc *p = calloc(1, sizeof(*p));
	wsp_exec_opts xo = WSP_EXEC_OPTS_INIT;
	uint64_t cap = so->log_limit ? so->log_limit : DEFAULT_LOG_LIMIT;
	struct e2b_stream_cbs cbs = {NULL, on_data, on_done, p};
	char shown[1024];
	int rc;

	if (!p)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	p->e = e;
	p->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	oc_init(&p->out[0], WSP_STDOUT, cap, 1, NULL, NULL);
	oc_init(&p->out[1], WSP_STDERR, cap, 1, NULL, NULL);
	p->out[0].exact = p->out[1].exact = 1;
	p->command = strdup(shown_command(so, shown, sizeof(shown)));
	p->stdin_open = so->stdin_mode == WSP_STDIN_PIPE;
	p->started_ms = wall_ms();
	if (!(so->flags & WSP_SPAWN_NO_TIMEOUT) && so->timeout_ms > 0)
		p->until = rmt_now_ms() + so->timeout_ms;
	xo.shell = so->shell;
	xo.argv = so->argv;
	xo.cwd = so->cwd;
	xo.env = so->env;
	if (p->efd < 0 || !p->command)
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
	else if (!(rc = e2b_ready(&p->c, e, call, err)))
		rc = e2b_start_stream(&p->stream, e, &p->c, &xo,
				      p->stdin_open,
				      p->until ? so->timeout_ms : 0, &cbs,
				      err);
	/* the start event names the pid: the process exists then */
	while (!rc) {
		int started, done;

		pthread_mutex_lock(&e->plock);
		started = p->started;
		done = p->done;
		pthread_mutex_unlock(&e->plock);
		if (started)
			break;
		if (done) {
			rc = p->err.code ? p->err.code : WSP_EPROTO;
			*err = p->err;
			if (!p->err.code)
				wsp_error_set(err, rc,
					      "envd ended the start without a "
					      "process");
		} else if ((rc = e->host->call_expired(e->host, call))) {
			wsp_error_set(err, rc, "spawn: %s",
				      rc == WSP_ECANCELED ? "canceled"
							  : "the deadline "
							    "passed");
		} else {
			nap(p, call, -1);
		}
	}
	if (rc) {
		proc_stop_stream(p);
		proc_free(p);
		return rc;
	}
	snprintf(p->id, sizeof(p->id), "e2b-%.40s-%u", p->c.id, p->pid);
	pthread_mutex_lock(&e->plock);
	p->next = e->procs;
	e->procs = p;
	pthread_mutex_unlock(&e->plock);
	snprintf(out_id, WSP_PROC_ID_MAX, "%s", p->id);
	return 0;
}

int e2b_plist(void *self, const wsp_call *call, uint32_t flags,
	      wsp_proc_fn cb, void *payload, wsp_error *err)
{
	struct e2b *e = self;
	int rc = 0;

	(void)call;
	(void)flags;
	pthread_mutex_lock(&e->plock);
	for (struct e2b_proc *p = e->procs; p && !rc; p = p->next) {
		wsp_proc_status st = {.struct_size = sizeof(st)};

		status_of(&st, p);
		rc = cb(p->id, p->command, &st, payload);
	}
	pthread_mutex_unlock(&e->plock);
	return rc ? wsp_error_set(err, rc, "listing stopped by its callback")
		  : 0;
}

int e2b_pstatus(wsp_proc_status *out, void *self, const wsp_call *call,
		const char *id, uint32_t flags, wsp_error *err)
{
	struct e2b *e = self;
	struct e2b_proc *p;

	(void)call;
	(void)flags;
	pthread_mutex_lock(&e->plock);
	if ((p = find(e, id)))
		status_of(out, p);
	pthread_mutex_unlock(&e->plock);
	return p ? 0 : unknown(id, err);
}

int e2b_pwait(wsp_proc_status *out, void *self, const wsp_call *call,
	      const char *id, int64_t timeout_ms, uint32_t flags,
	      wsp_error *err)
{
	struct e2b *e = self;
	int64_t until = timeout_ms >= 0 ? rmt_now_ms() + timeout_ms : 0;
	struct e2b_proc *p;

	(void)flags;
	for (;;) {
		int over, code;

		pthread_mutex_lock(&e->plock);
		if ((p = find(e, id)))
			status_of(out, p);
		over = p && (p->ended || p->done);
		pthread_mutex_unlock(&e->plock);
		if (!p)
			return unknown(id, err);
		if (over)
			return 0;
		if ((code = e->host->call_expired(e->host, call)))
			return wsp_error_set(err, code, "waiting for '%s': %s",
					     id,
					     code == WSP_ECANCELED
						     ? "canceled"
						     : "the deadline passed");
		if (until && rmt_now_ms() >= until)
			return wsp_error_set(err, WSP_ETIMEDOUT,
					     "'%s' still runs", id);
		nap(p, call, until ? until - rmt_now_ms() : -1);
	}
}

/* Deliver the kept bytes of o from absolute offset off, tails cut. */
static int deliver(const struct oc *o, uint64_t off,
		   const wsp_output_opts *opts, wsp_output_fn sink,
		   void *payload)
{
	size_t kept = o->len < o->cap ? o->len : (size_t)o->cap;
	const char *text = o->buf ? o->buf + o->len - kept : "";
	uint64_t first = o->delivered - kept; /* absolute offset of text */
	size_t start = off > first ? (size_t)(off - first) : 0;

	if (!(opts->streams & o->stream) || start >= kept)
		return 0;
	start = rmt_tail_start(text, kept, start, opts);
	return kept > start
		       ? sink(o->stream, text + start, kept - start, payload)
		       : 0;
}

int e2b_read_output(wsp_proc_status *out, void *self, const wsp_call *call,
		    const char *id, const wsp_output_opts *o,
		    wsp_output_fn sink, void *payload, wsp_error *err)
{
	struct e2b *e = self;
	wsp_proc_status st = {.struct_size = sizeof(st)};
	struct e2b_proc *p;
	struct oc copy[2];
	int rc = 0;

	if (o->wait_ms) {
		rc = e2b_pwait(&st, e, call, id, o->wait_ms, 0, err);
		/* a wait that runs out still reads; the call's end does not */
		if (rc && !(rc == WSP_ETIMEDOUT &&
			    !e->host->call_expired(e->host, call)))
			return rc;
		rc = 0;
	}
	/* a copy of the kept bytes: the sink runs without the lock */
	memset(copy, 0, sizeof(copy));
	pthread_mutex_lock(&e->plock);
	if ((p = find(e, id))) {
		status_of(&st, p);
		for (int i = 0; i < 2 && !rc; i++) {
			copy[i] = p->out[i];
			copy[i].buf = malloc(p->out[i].len + 1);
			if (!copy[i].buf)
				rc = WSP_ENOMEM;
			else if (p->out[i].len)
				memcpy(copy[i].buf, p->out[i].buf,
				       p->out[i].len);
		}
	}
	pthread_mutex_unlock(&e->plock);
	if (!p)
		return unknown(id, err);
	if (!rc)
		rc = deliver(&copy[0], o->offset, o, sink, payload);
	if (!rc)
		rc = deliver(&copy[1], o->stderr_offset, o, sink, payload);
	free(copy[0].buf);
	free(copy[1].buf);
	if (rc)
		return wsp_error_set(err, rc, rc == WSP_ENOMEM
						      ? "out of memory"
						      : "the output sink stopped");
	if (out) {
		st.struct_size = out->struct_size;
		*out = st;
	}
	return 0;
}

/* The process of id, for a call that needs its pid (copied out). */
static int running(struct e2b_proc **pp, struct e2b *e, const char *id,
		   int *ended, wsp_error *err)
{
	pthread_mutex_lock(&e->plock);
	*pp = find(e, id);
	*ended = *pp && ((*pp)->ended || (*pp)->done);
	pthread_mutex_unlock(&e->plock);
	return *pp ? 0 : unknown(id, err);
}

int e2b_psignal(void *self, const wsp_call *call, const char *id, int signum,
		uint32_t flags, wsp_error *err)
{
	struct e2b_proc *p;
	char json[96];
	int ended, rc = running(&p, self, id, &ended, err);

	(void)flags;
	if (rc || ended)
		return rc; /* an ended process: nothing to signal */
	if (signum != SIGKILL && signum != SIGTERM)
		return wsp_error_set(err, WSP_ENOTSUP,
				     "envd sends only SIGTERM and SIGKILL");
	snprintf(json, sizeof(json),
		 "{\"process\":{\"pid\":%u},\"signal\":\"SIGNAL_%s\"}", p->pid,
		 signum == SIGKILL ? "SIGKILL" : "SIGTERM");
	return proc_call(p, "SendSignal", json, call, err);
}

int e2b_prelease(void *self, const wsp_call *call, const char *id,
		 uint32_t flags, wsp_error *err)
{
	struct e2b *e = self;
	struct e2b_proc *p, **at;
	int ended, rc = running(&p, e, id, &ended, err);
	wsp_error ignored = {0};

	(void)flags;
	if (rc)
		return rc;
	if (!ended)
		e2b_psignal(e, call, id, SIGKILL, 0, &ignored);
	pthread_mutex_lock(&e->lock); /* not while a resume reattaches */
	pthread_mutex_lock(&e->plock);
	for (at = &e->procs; *at && *at != p; at = &(*at)->next)
		;
	if (*at) /* only the release that unlinks it frees it */
		*at = p->next;
	else
		p = NULL;
	pthread_mutex_unlock(&e->plock);
	if (p) {
		proc_stop_stream(p);
		proc_free(p);
	}
	pthread_mutex_unlock(&e->lock);
	return p ? 0 : unknown(id, err);
}

int e2b_write_stdin(void *self, const wsp_call *call, const char *id,
		    const void *data, size_t len, uint32_t flags,
		    wsp_error *err)
{
	struct e2b_proc *p;
	int ended, open, rc = running(&p, self, id, &ended, err);

	(void)flags;
	if (rc)
		return rc;
	pthread_mutex_lock(&p->e->plock);
	open = p->stdin_open;
	pthread_mutex_unlock(&p->e->plock);
	if (!open || ended)
		return wsp_error_set(err, WSP_EINVAL,
				     "the stdin of '%s' is closed", id);
	return e2b_send_input(p->e, &p->c, p->pid, data, len, call, err);
}

int e2b_close_stdin(void *self, const wsp_call *call, const char *id,
		    uint32_t flags, wsp_error *err)
{
	struct e2b_proc *p;
	char json[64];
	int ended, rc = running(&p, self, id, &ended, err);

	(void)flags;
	if (rc)
		return rc;
	pthread_mutex_lock(&p->e->plock);
	if (!p->stdin_open || ended) {
		p->stdin_open = 0;
		pthread_mutex_unlock(&p->e->plock);
		return 0;
	}
	p->stdin_open = 0;
	pthread_mutex_unlock(&p->e->plock);
	snprintf(json, sizeof(json), "{\"process\":{\"pid\":%u}}", p->pid);
	return proc_call(p, "CloseStdin", json, call, err);
}
