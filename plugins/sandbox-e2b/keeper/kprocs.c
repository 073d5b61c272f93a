/*
 * plugins/sandbox-e2b/keeper/kprocs.c - the keeper's processes: each one
 * an envd stream (Start, or Connect after a break) on the core's engine
 * whose events go straight into the process's log (proc_log.h): the
 * start event makes the log, data is appended to its ring, the end event
 * is its final status. The callbacks run on the engine's thread and only
 * write files; everything else runs on the keeper's main thread.
 *
 * A stream that breaks before the end event (a pause, a reset, a keeper
 * that died and was started again) is reattached after a look at envd's
 * own list (process.Process/List): a process still listed gets a Connect
 * stream, and its log counts a gap (envd replays nothing: what it wrote
 * meanwhile is lost, and is not made up); one no longer listed ended
 * unheard, its outcome unknown: PROC_GONE. While envd cannot be reached
 * (a paused sandbox) their logs are let go (running, unlocked: read as
 * lost, never as running while nobody hears them) and the look is tried
 * again, backing off to 30 s; after GIVE_UP_MS of failures the keeper
 * forgets them and a later start reconciles them.
 */
#include "kpr.h"
#include "envelope.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RETRY_MAX_MS 30000
#define GIVE_UP_MS (10 * 60 * 1000)
#define COMMAND_MAX 2000

struct kproc {
	struct kproc *next;
	struct keeper *k;
	char id[WSP_PROC_ID_MAX];
	char command[COMMAND_MAX];
	uint64_t cap;
	int with_stdin;
	struct proc_log log; /* fd -1 until the start event made it */
	struct proc_status_file st;
	wsp_http_stream *stream;
	/* under k->lock */
	int started, ended, done, cut, log_err;
	int attached; /* a Connect stream's start event came: it hears */
	uint32_t pid;
	int64_t until; /* monotonic ms of envd's deadline, 0: none */
	wsp_error err;
};

int64_t kp_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void poke(struct keeper *k)
{
	uint64_t one = 1;

	if (write(k->efd, &one, sizeof(one)) < 0) {
	} /* a set counter wakes the loop anyway */
}

static void publish(struct kproc *p)
{
	if (p->log.fd >= 0)
		proc_log_publish(&p->log, &p->st);
}

/* The start event: the process exists, its directory and log now. */
static void make_log(struct kproc *p)
{
	struct keeper *k = p->k;
	int dfd, rc = -EEXIST;

	for (int n = 0; n < 100 && rc == -EEXIST; n++) {
		snprintf(p->id, sizeof(p->id), n ? "%s%s-%u.%d" : "%s%s-%u",
			 KEEPER_ID_PREFIX, k->e.conn.id, p->pid, n + 1);
		rc = mkdirat(k->procsfd, p->id, 0700) ? -errno : 0;
	}
	if (rc) {
		p->log_err = rc;
		return;
	}
	dfd = openat(k->procsfd, p->id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
						O_CLOEXEC);
	rc = dfd < 0 ? -errno
		     : proc_log_create(&p->log, dfd, p->cap, p->command);
	if (dfd >= 0)
		close(dfd);
	if (rc) {
		p->log.fd = -1;
		p->log_err = rc;
		unlinkat(k->procsfd, p->id, AT_REMOVEDIR);
		return;
	}
	p->st.state = PROC_RUNNING;
	p->st.pid = p->st.pgid = p->pid;
	p->st.monitor_pid = getpid();
	p->st.started_ms = wall_ms();
	p->st.stdin_open = p->with_stdin;
	publish(p);
}

static void end_event(struct kproc *p, const struct e2b_event *ev)
{
	int sig = ev->signal > 0 && ev->signal <= 64 ? ev->signal : 0;

	p->ended = 1;
	p->st.ended_ms = wall_ms();
	p->st.stdin_open = 0;
	if (sig) {
		p->st.state = PROC_SIGNALED;
		p->st.term_signal = sig;
		p->st.exit_code = 128 + sig;
	} else if (ev->exited) {
		p->st.state = PROC_EXITED;
		p->st.exit_code = ev->exit_code & 255;
	} else {
		p->st.state = PROC_GONE; /* ended, neither code nor signal */
	}
	/* envd's deadline: the process's own timeout */
	p->st.timed_out = p->until && kp_mono_ms() >= p->until - 100 &&
			  !ev->exited;
	publish(p);
}

/* The engine's thread: one message of the process's stream. */
static int on_data(wsp_http_stream *s, const char *msg, size_t len,
		   void *payload)
{
	struct kproc *p = payload;
	struct e2b_event ev;
	int rc = e2b_event_parse(&ev, msg, len);

	(void)s;
	pthread_mutex_lock(&p->k->lock);
	if (!rc && ev.kind == E2B_EV_START && !p->started) {
		p->pid = ev.pid;
		p->started = 1;
		make_log(p);
	} else if (!rc && ev.kind == E2B_EV_START) {
		p->attached = 1;
	} else if (!rc && ev.kind == E2B_EV_DATA && p->log.fd >= 0 &&
		   !p->ended) {
		proc_log_append(&p->log, ev.stream - 1, ev.data, ev.len);
	} else if (!rc && ev.kind == E2B_EV_END && p->started && !p->ended) {
		end_event(p, &ev);
	}
	pthread_mutex_unlock(&p->k->lock);
	e2b_event_free(&ev);
	poke(p->k);
	return rc ? WSP_EPROTO : 0;
}

static void on_done(wsp_http_stream *s, long status, const wsp_error *err,
		    void *payload)
{
	struct kproc *p = payload;
	struct keeper *k = p->k;

	(void)s;
	(void)status;
	pthread_mutex_lock(&k->lock);
	p->done = 1;
	if (err)
		p->err = *err;
	if (!p->ended && p->started && err &&
	    !strcmp(err->service_code, "deadline_exceeded")) {
		/* envd killed it at its deadline */
		p->ended = 1;
		p->st.state = PROC_SIGNALED;
		p->st.term_signal = SIGKILL;
		p->st.exit_code = 128 + SIGKILL;
		p->st.timed_out = 1;
		p->st.stdin_open = 0;
		p->st.ended_ms = wall_ms();
		publish(p);
	} else if (!p->ended && p->started && p->log.fd >= 0) {
		p->cut = 1; /* broke before the end: reattach */
		if (!k->retry_at)
			k->retry_at = kp_mono_ms();
	}
	pthread_mutex_unlock(&k->lock);
	poke(k);
}

static int is_done(struct kproc *p)
{
	int done;

	pthread_mutex_lock(&p->k->lock);
	done = p->done;
	pthread_mutex_unlock(&p->k->lock);
	return done;
}

/* Sleep on the engine's pokes for at most ms. */
static void nap(struct keeper *k, int ms)
{
	struct pollfd f = {k->efd, POLLIN, 0};
	uint64_t v;

	if (poll(&f, 1, ms) > 0 && read(k->efd, &v, sizeof(v)) < 0) {
	}
}

/* Cancel p's stream, wait for its on_done, release it. */
static void stop_stream(struct kproc *p)
{
	const wsp_host *h = p->k->e.host;

	if (!p->stream)
		return;
	h->http_stream_cancel(h, p->stream);
	while (!is_done(p))
		nap(p->k, 100);
	h->http_stream_release(h, p->stream);
	p->stream = NULL;
}

static void kproc_free(struct kproc *p)
{
	stop_stream(p);
	if (p->log.fd >= 0)
		proc_log_close(&p->log);
	free(p);
}

static struct kproc *kproc_new(struct keeper *k)
{
	struct kproc *p = calloc(1, sizeof(*p));

	if (p) {
		p->k = k;
		p->log.fd = -1;
	}
	return p;
}

static void link_proc(struct keeper *k, struct kproc *p)
{
	pthread_mutex_lock(&k->lock);
	p->next = k->procs;
	k->procs = p;
	pthread_mutex_unlock(&k->lock);
}

static int number(const cJSON *o, const char *name, double lo, double hi,
		  double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (!cJSON_IsNumber(v) || v->valuedouble < lo || v->valuedouble > hi)
		return -1;
	*out = v->valuedouble;
	return 0;
}

int kp_spawn(struct keeper *k, const cJSON *req, char id[WSP_PROC_ID_MAX],
	     uint32_t *pid, wsp_error *err)
{
	const cJSON *start = cJSON_GetObjectItemCaseSensitive(req, "start");
	const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(req, "command");
	struct e2b_stream_cbs cbs = {NULL, on_data, on_done, NULL};
	double deadline, cap;
	int64_t until;
	struct kproc *p;
	char *json;
	int rc = 0;

	if (!cJSON_IsObject(start) || !cJSON_IsString(cmd) ||
	    number(req, "deadline_ms", 0, 1e12, &deadline) ||
	    number(req, "log_limit", 1, (double)PROC_MAX_LOG_LIMIT, &cap))
		return wsp_error_set(err, WSP_EINVAL, "a malformed spawn");
	if (!(p = kproc_new(k)) || !(json = cJSON_PrintUnformatted(start))) {
		free(p);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	snprintf(p->command, sizeof(p->command), "%s", cmd->valuestring);
	p->cap = (uint64_t)cap;
	p->with_stdin = cJSON_IsTrue(
		cJSON_GetObjectItemCaseSensitive(start, "stdin"));
	if (deadline > 0)
		p->until = kp_mono_ms() + (int64_t)deadline;
	cbs.payload = p;
	rc = e2b_open_process_stream(&p->stream, &k->e, &k->e.conn, "Start",
				     json, (int64_t)deadline, &cbs, err);
	cJSON_free(json);
	/* the start event names the pid: the process exists then */
	until = kp_mono_ms() + k->e.request_timeout_ms;
	while (!rc) {
		int started, done;

		pthread_mutex_lock(&k->lock);
		started = p->started;
		done = p->done;
		pthread_mutex_unlock(&k->lock);
		if (started)
			break;
		if (done)
			rc = p->err.code ? wsp_error_set(err, p->err.code, "%s",
							 p->err.message)
					 : wsp_error_set(err, WSP_EPROTO,
							 "envd ended the start "
							 "without a process");
		else if (kp_mono_ms() >= until)
			rc = wsp_error_set(err, WSP_ETIMEDOUT,
					   "envd did not start the process");
		else
			nap(k, 200);
	}
	if (!rc && p->log_err) {
		/* it runs, but nobody could keep its output: end it */
		char kill[96];
		wsp_error ignored = {0};

		snprintf(kill, sizeof(kill),
			 "{\"process\":{\"pid\":%u},\"signal\":"
			 "\"SIGNAL_SIGKILL\"}",
			 p->pid);
		e2b_process_call(&k->e, &k->e.conn, "SendSignal", kill, NULL,
				 &ignored);
		rc = wsp_error_set_os(err, WSP_EIO, -p->log_err,
				      "cannot keep the process's output: %s",
				      strerror(-p->log_err));
	}
	if (rc) {
		kproc_free(p);
		return rc;
	}
	snprintf(id, WSP_PROC_ID_MAX, "%s", p->id);
	*pid = p->pid;
	link_proc(k, p);
	return 0;
}

/*
 * Until envd's start event on the new stream: from then on it hears
 * what the process writes, so what a caller does after the keeper
 * answered (stdin, say) is not lost in between.
 */
static void wait_attached(struct kproc *p)
{
	int64_t until = kp_mono_ms() + p->k->e.request_timeout_ms;

	for (;;) {
		int over;

		pthread_mutex_lock(&p->k->lock);
		over = p->attached || p->done;
		pthread_mutex_unlock(&p->k->lock);
		if (over || kp_mono_ms() >= until)
			return;
		nap(p->k, 100);
	}
}

/* The pids envd lists now: 0 and *out (a cJSON array), or an error. */
static int envd_list(cJSON **out, struct keeper *k)
{
	struct e2b_req r = {.plane = E2B_ENVD, .method = "POST",
			    .path = "/process.Process/List", .body = "{}",
			    .conn = &k->e.conn};
	wsp_error err = {0};
	cJSON *ans = NULL;
	int status = 0, rc = e2b_request(&status, &ans, &k->e, &r, &err);

	*out = NULL;
	if (!rc && status != 200)
		rc = WSP_EUNAVAIL;
	if (!rc) {
		cJSON *list = cJSON_DetachItemFromObjectCaseSensitive(
			ans, "processes");

		*out = cJSON_IsArray(list) ? list : cJSON_CreateArray();
		if (list && *out != list)
			cJSON_Delete(list);
	}
	cJSON_Delete(ans);
	return rc;
}

static int listed(const cJSON *list, uint32_t pid)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, list)
	{
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, "pid");

		if (cJSON_IsNumber(v) && v->valuedouble == (double)pid)
			return 1;
	}
	return 0;
}

/* The log of p open and locked again after it was let go; 0 or -errno
 * (lock held). */
static int reopen(struct kproc *p)
{
	int dfd, rc;

	if (p->log.fd >= 0)
		return 0;
	dfd = proc_openat(p->k->procsfd, p->id, O_RDONLY | O_DIRECTORY,
			  S_IFDIR);
	if (dfd < 0)
		return dfd;
	rc = proc_log_adopt(&p->log, dfd);
	close(dfd);
	if (rc)
		p->log.fd = -1;
	return rc;
}

/* Ended unheard: its outcome is not known, and is not made up. */
static void mark_gone(struct kproc *p)
{
	p->ended = 1;
	p->st.state = PROC_GONE;
	p->st.ended_ms = wall_ms();
	p->st.stdin_open = 0;
	publish(p);
}

/*
 * Free the processes drop() picks (lock held while it looks): their
 * streams ended, their logs closed as they are. How many stay.
 */
static int drop_if(struct keeper *k, int (*drop)(const struct kproc *))
{
	struct kproc **at = &k->procs;
	int kept = 0;

	pthread_mutex_lock(&k->lock);
	while (*at) {
		struct kproc *p = *at;

		if (!drop(p)) {
			kept++;
			at = &p->next;
			continue;
		}
		*at = p->next;
		pthread_mutex_unlock(&k->lock);
		kproc_free(p);
		pthread_mutex_lock(&k->lock);
	}
	pthread_mutex_unlock(&k->lock);
	return kept;
}

static int is_cut(const struct kproc *p)
{
	return p->cut;
}

static int any(const struct kproc *p)
{
	(void)p;
	return 1;
}

static int finished(const struct kproc *p)
{
	return p->ended && p->done;
}

void kp_retry(struct keeper *k, int now)
{
	int64_t t = kp_mono_ms();
	cJSON *list = NULL;
	int failed = 0;

	pthread_mutex_lock(&k->lock);
	if (!k->retry_at || (!now && t < k->retry_at)) {
		pthread_mutex_unlock(&k->lock);
		return;
	}
	k->retry_at = 0;
	pthread_mutex_unlock(&k->lock);
	if (envd_list(&list, k)) {
		failed = 1;
	} else {
		/* only the main thread unlinks: walking without the lock is
		 * safe; the fields the callbacks touch are read under it */
		for (struct kproc *p = k->procs; p; p = p->next) {
			struct e2b_stream_cbs cbs = {NULL, on_data, on_done,
						     p};
			wsp_error err = {0};
			int cut;

			pthread_mutex_lock(&k->lock);
			cut = p->cut && p->done;
			pthread_mutex_unlock(&k->lock);
			if (!cut)
				continue;
			stop_stream(p); /* the broken one, ended */
			pthread_mutex_lock(&k->lock);
			if (reopen(p)) {
				/* released meanwhile (or its log refused) */
				p->cut = 0;
				p->ended = 1;
				pthread_mutex_unlock(&k->lock);
				continue;
			}
			pthread_mutex_unlock(&k->lock);
			if (!listed(list, p->pid)) {
				pthread_mutex_lock(&k->lock);
				p->cut = 0;
				mark_gone(p);
				pthread_mutex_unlock(&k->lock);
				continue;
			}
			pthread_mutex_lock(&k->lock);
			p->done = p->cut = 0;
			p->st.gaps++;
			p->st.monitor_pid = getpid();
			publish(p);
			pthread_mutex_unlock(&k->lock);
			p->attached = 0;
			if (e2b_connect_stream(&p->stream, &k->e, &k->e.conn,
					       p->pid, &cbs, &err)) {
				pthread_mutex_lock(&k->lock);
				p->done = p->cut = 1;
				pthread_mutex_unlock(&k->lock);
				failed = 1;
			} else {
				wait_attached(p);
			}
		}
	}
	cJSON_Delete(list);
	pthread_mutex_lock(&k->lock);
	if (failed) {
		/* nobody hears them now: their logs go free, so readers see
		 * them lost rather than running, until they are reattached */
		for (struct kproc *p = k->procs; p; p = p->next)
			if (p->cut && p->log.fd >= 0)
				proc_log_close(&p->log);
		k->retry_ms = k->retry_ms ? k->retry_ms * 2 : 1000;
		if (k->retry_ms > RETRY_MAX_MS)
			k->retry_ms = RETRY_MAX_MS;
		if (!k->failing_since)
			k->failing_since = t;
		k->retry_at = t + k->retry_ms;
	} else {
		k->retry_ms = 0;
		k->failing_since = 0;
	}
	pthread_mutex_unlock(&k->lock);
	if (failed && t - k->failing_since >= GIVE_UP_MS) {
		/* let the cut ones go as they are: running, unlocked (lost
		 * to readers, until a keeper reconciles them again) */
		drop_if(k, is_cut);
		k->retry_at = 0;
	}
}

int kp_next_ms(struct keeper *k)
{
	int64_t at;

	pthread_mutex_lock(&k->lock);
	at = k->retry_at;
	pthread_mutex_unlock(&k->lock);
	if (!at)
		return -1;
	at -= kp_mono_ms();
	return at < 0 ? 0 : at > 60000 ? 60000 : (int)at;
}

int kp_sweep(struct keeper *k)
{
	return drop_if(k, finished);
}

static struct kproc *find(struct keeper *k, const char *id)
{
	for (struct kproc *p = k->procs; p; p = p->next)
		if (!strcmp(p->id, id))
			return p;
	return NULL;
}

int kp_stdin_closed(struct keeper *k, const char *id)
{
	struct kproc *p;

	pthread_mutex_lock(&k->lock);
	if ((p = find(k, id)) && p->st.stdin_open) {
		p->st.stdin_open = 0;
		publish(p);
	}
	pthread_mutex_unlock(&k->lock);
	return 0;
}

int kp_forget(struct keeper *k, const char *id)
{
	struct kproc **at, *p = NULL;

	pthread_mutex_lock(&k->lock);
	for (at = &k->procs; *at; at = &(*at)->next)
		if (!strcmp((*at)->id, id)) {
			p = *at;
			*at = p->next;
			break;
		}
	pthread_mutex_unlock(&k->lock);
	if (p)
		kproc_free(p);
	return 0;
}

void kp_end_all(struct keeper *k, const char *why)
{
	(void)why; /* the sandbox's own verb ends them: envd says nothing */
	for (struct kproc *p = k->procs; p; p = p->next) {
		stop_stream(p);
		pthread_mutex_lock(&k->lock);
		p->cut = 0;
		if (!p->ended && !reopen(p))
			mark_gone(p);
		p->ended = 1;
		pthread_mutex_unlock(&k->lock);
	}
	pthread_mutex_lock(&k->lock);
	k->retry_at = 0;
	pthread_mutex_unlock(&k->lock);
	kp_sweep(k);
}

void kp_release_all(struct keeper *k)
{
	drop_if(k, any);
}

/* A log a dead keeper left running: take it over, to be reconciled. */
static void adopt_one(struct keeper *k, int dfd, const char *name)
{
	struct proc_log log;
	struct kproc *p;

	if (proc_log_adopt(&log, dfd))
		return;
	if (!(p = kproc_new(k))) {
		proc_log_close(&log);
		return;
	}
	if (proc_log_get_status(&log, &p->st) ||
	    proc_status_check(&p->st) || p->st.state != PROC_RUNNING) {
		proc_log_close(&log);
		free(p);
		return;
	}
	snprintf(p->id, sizeof(p->id), "%s", name);
	p->log = log;
	p->pid = (uint32_t)p->st.pid;
	p->started = p->done = p->cut = 1;
	link_proc(k, p);
}

void kp_adopt(struct keeper *k)
{
	char prefix[E2B_ID_MAX + 8];
	int fd = dup(k->procsfd);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	snprintf(prefix, sizeof(prefix), "%s%s-", KEEPER_ID_PREFIX,
		 k->e.conn.id);
	while ((de = readdir(d))) {
		int dfd;

		if (strncmp(de->d_name, prefix, strlen(prefix)) ||
		    strlen(de->d_name) >= WSP_PROC_ID_MAX)
			continue;
		dfd = proc_openat(k->procsfd, de->d_name,
				  O_RDONLY | O_DIRECTORY, S_IFDIR);
		if (dfd < 0)
			continue;
		adopt_one(k, dfd, de->d_name);
		close(dfd);
	}
	closedir(d);
	pthread_mutex_lock(&k->lock);
	k->retry_at = k->procs ? kp_mono_ms() : 0;
	pthread_mutex_unlock(&k->lock);
	kp_retry(k, 1);
}
