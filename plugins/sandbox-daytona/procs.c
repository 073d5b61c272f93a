/*
 * plugins/sandbox-daytona/procs.c - background processes as toolbox
 * session commands.
 *
 * Each process is one async command with a session to itself: the
 * daemon runs a session's commands one after another in its one shell,
 * so processes that shared a session could not run side by side
 * (session.c). The session is an idle one when there is one (pool.c: an
 * exec's, or a process's released after it ended) or a new one named by
 * the process's wsp id (`wsp-proc-<16 hex>`); a process released after
 * it ended gives its session back for the next command, so processes one
 * after another share one. The command is the script of
 * dt_script_build_proc: the program in a process group of its own, and a
 * control loop on the command's input through which wsp feeds stdin and
 * sends signals, since the toolbox has neither a per-command signal nor
 * exact input (it adds a newline to each).
 *
 * What Daytona does not keep is in the state store, one key a process:
 * the session and command ids, the script's nonce (to read the log back
 * exactly), the start and end times, the stdin mode and whether wsp
 * closed it. So a later wsp, or another one at the same time, finds
 * every process again and reads its whole output from the toolbox, which
 * keeps each command's log until its session is deleted: release deletes
 * the session of a process that still runs (its only kill), and keeps
 * that of one that ended for the next command (its log stays there until
 * the session is deleted). A sandbox that stopped lost its sessions: its
 * processes read as lost.
 */
#include "procs.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define PROC_PREFIX "wsp-proc-"
#define KEY_PREFIX  "proc."
/* Raw stdin bytes per input line: 64 KiB of base64. */
#define STDIN_CHUNK 49152

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Only ids we make: they reach URL paths and store keys. */
static int id_ok(const char *id)
{
	size_t n = strlen(PROC_PREFIX), i;

	if (strncmp(id, PROC_PREFIX, n) || strlen(id) != n + 16)
		return 0;
	for (i = n; id[i]; i++)
		if (!isdigit((unsigned char)id[i]) &&
		    (id[i] < 'a' || id[i] > 'f'))
			return 0;
	return 1;
}

/* An id that is not (or no longer) ours; one we cannot have made is
 * not echoed: it may hold anything. */
static int unknown(const char *id, wsp_error *err)
{
	if (!id_ok(id))
		return wsp_error_set(err, WSP_ENOTFOUND,
				     "no process with that id (wsp's Daytona "
				     "processes are %s<16 hex digits>)",
				     PROC_PREFIX);
	return wsp_error_set(err, WSP_ENOTFOUND, "no process '%s'", id);
}

/* ---- the record ----------------------------------------------------- */

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int64_t jnum(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

int dt_proc_load(struct dt_proc *p, struct dt *d, const char *id,
		 wsp_error *err)
{
	char key[WSP_STATE_KEY_MAX], *v = NULL;
	const char *cid, *nonce, *cmd, *sid;
	size_t len = 0;
	cJSON *j;
	int rc;

	memset(p, 0, sizeof(*p));
	if (!id_ok(id) || !d->state)
		return unknown(id, err);
	snprintf(key, sizeof key, KEY_PREFIX "%s", id);
	rc = d->host->state_get(&v, &len, d->host, d->state, key, NULL);
	if (rc)
		return rc == WSP_ENOTFOUND ? unknown(id, err)
					   : wsp_error_set(err, rc,
							   "cannot read the "
							   "record of '%s'",
							   id);
	j = cJSON_ParseWithLength(v, len);
	d->host->free(d->host, v);
	cid = jstr(j, "cid");
	nonce = jstr(j, "nonce");
	cmd = jstr(j, "command");
	/* a record of a wsp that named the session by the id has no "sid" */
	sid = jstr(j, "sid") ? jstr(j, "sid") : id;
	if (!cid || !dt_id_ok(cid) || !nonce || strlen(nonce) != DT_NONCE_LEN ||
	    !dt_id_ok(sid)) {
		cJSON_Delete(j);
		return wsp_error_set(err, WSP_EPROTO,
				     "the record of '%s' is damaged", id);
	}
	p->c.d = d;
	snprintf(p->id, sizeof p->id, "%s", id);
	snprintf(p->c.sid, sizeof p->c.sid, "%s", sid);
	snprintf(p->c.cid, sizeof p->c.cid, "%s", cid);
	memcpy(p->nonce, nonce, DT_NONCE_LEN + 1);
	snprintf(p->command, sizeof p->command, "%s", cmd ? cmd : "");
	p->started_ms = jnum(j, "started");
	p->ended_ms = jnum(j, "ended");
	p->stdin_pipe = jnum(j, "stdin") == 1;
	p->stdin_closed = jnum(j, "closed") == 1;
	cJSON_Delete(j);
	return 0;
}

int dt_proc_save(const struct dt_proc *p, wsp_error *err)
{
	struct dt *d = p->c.d;
	char key[WSP_STATE_KEY_MAX], *text;
	cJSON *j = cJSON_CreateObject();
	int rc;

	if (!j || !cJSON_AddStringToObject(j, "sid", p->c.sid) ||
	    !cJSON_AddStringToObject(j, "cid", p->c.cid) ||
	    !cJSON_AddStringToObject(j, "nonce", p->nonce) ||
	    !cJSON_AddStringToObject(j, "command", p->command) ||
	    !cJSON_AddNumberToObject(j, "started", (double)p->started_ms) ||
	    !cJSON_AddNumberToObject(j, "ended", (double)p->ended_ms) ||
	    !cJSON_AddNumberToObject(j, "stdin", p->stdin_pipe) ||
	    !cJSON_AddNumberToObject(j, "closed", p->stdin_closed) ||
	    !(text = cJSON_PrintUnformatted(j))) {
		cJSON_Delete(j);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	cJSON_Delete(j);
	snprintf(key, sizeof key, KEY_PREFIX "%s", p->id);
	rc = d->host->state_put(d->host, d->state, key, text, strlen(text),
				err);
	cJSON_free(text);
	return rc;
}

static void proc_forget(struct dt_proc *p)
{
	char key[WSP_STATE_KEY_MAX];

	snprintf(key, sizeof key, KEY_PREFIX "%s", p->id);
	p->c.d->host->state_delete(p->c.d->host, p->c.d->state, key, NULL);
}

/* ---- one look ------------------------------------------------------- */

/* The ended status from the exit code and the stderr trailer's tag. */
static void ended(wsp_proc_status *out, int code, int tag)
{
	out->state = WSP_PROC_EXITED;
	out->exit_code = code;
	/* a signal wsp sent, or the watchdog's SIGKILL, that did kill */
	if (tag > DT_END_SIG && code == 128 + (tag - DT_END_SIG))
		out->term_signal = tag - DT_END_SIG;
	else if (tag == DT_END_TIMEOUT && code == 128 + 9) {
		out->term_signal = 9;
		out->timed_out = 1;
	}
	if (out->term_signal)
		out->state = WSP_PROC_SIGNALED;
}

/*
 * The toolbox base for a process, never starting the sandbox: one that
 * is not started has lost its sessions and their processes (Daytona
 * restarts the daemon), so that is WSP_ENOTFOUND, read as lost; a paused
 * one kept them, frozen: WSP_EBUSY until it is resumed. fresh:
 * the cached URL was refused (the proxy's "Is the Sandbox started?").
 */
static int proc_toolbox(struct dt_proc *p, int fresh, const wsp_call *call,
			wsp_error *err)
{
	struct dt *d = p->c.d;
	struct dt_remote r;
	int rc;

	if (fresh)
		dt_forget_toolbox(d);
	pthread_mutex_lock(&d->lock);
	snprintf(p->c.base, sizeof p->c.base, "%s", d->toolbox);
	pthread_mutex_unlock(&d->lock);
	if (p->c.base[0])
		return 0;
	if ((rc = dt_locate(&r, d, call, err)))
		return rc;
	/* Paused, its processes frozen with their memory: not lost. */
	if (!strcmp(r.state, "paused") || !strcmp(r.state, "pausing"))
		return wsp_error_set(err, WSP_EBUSY,
				     "the sandbox is paused: resume it to "
				     "reach its processes");
	if (strcmp(r.state, "started"))
		return wsp_error_set(err, WSP_ENOTFOUND,
				     "the sandbox is %s: its processes are "
				     "gone",
				     r.state);
	return dt_ensure(p->c.base, d, call, err); /* started: no start */
}

/* A refusal that a fresh toolbox URL may cure. */
static int stale(int rc)
{
	return rc && rc != WSP_ENOTFOUND && rc != WSP_ECANCELED &&
	       rc != WSP_ETIMEDOUT && rc != WSP_EAUTH && rc != WSP_EBUSY;
}

int dt_proc_look(wsp_proc_status *out, cJSON **logs, size_t out_len[2],
		 struct dt_proc *p, const wsp_call *call, wsp_error *err)
{
	uint32_t size = out->struct_size;
	cJSON *lg = NULL;
	size_t len[2] = {0, 0};
	int done = 0, code = 0, tag = 0, i, rc;

	memset(out, 0, sizeof(*out));
	out->struct_size = size;
	out->os_pid = -1;
	out->started_ms = p->started_ms;
	if (logs)
		*logs = NULL;
	rc = proc_toolbox(p, 0, call, err);
	if (!rc)
		rc = dt_session_look(&p->c, &done, &code, &lg, call, err);
	if (stale(rc) && !(rc = proc_toolbox(p, 1, call, err)))
		rc = dt_session_look(&p->c, &done, &code, &lg, call, err);
	if (rc == WSP_EBUSY &&
	    (dt_seen_get(out, p->c.d, p->id) || !p->ended_ms)) {
		/* paused: frozen as the last look saw it (proc_seen.c), or
		 * running with no output known */
		if (!out->state)
			out->state = WSP_PROC_RUNNING;
		if (err)
			memset(err, 0, sizeof(*err));
		return 0;
	}
	if (rc == WSP_ENOTFOUND) {
		/* its session is gone: the sandbox stopped under it */
		out->state = WSP_PROC_LOST;
		out->ended_ms = p->ended_ms;
		if (err)
			memset(err, 0, sizeof(*err));
		return 0;
	}
	if (rc)
		return rc;
	for (i = 0; i < 2; i++) {
		size_t n;
		const char *t = dt_log_text(lg, i, &n);
		int tg = 0;

		/* a log cut short (the session's shell died): all of it */
		if (dt_script_output(&len[i], &tg, t, n, p->nonce,
				     done ? DT_LOG_DONE : DT_LOG_RUNNING))
			len[i] = n;
		if (i == 1)
			tag = tg;
	}
	out->stdout_total = len[0];
	out->stderr_total = len[1];
	if (!done) {
		out->state = WSP_PROC_RUNNING;
		out->stdin_open = p->stdin_pipe && !p->stdin_closed;
	} else {
		if (!p->ended_ms) {
			wsp_error e = {0};

			/* the first look that sees it ended keeps the time */
			p->ended_ms = wall_ms();
			dt_proc_save(p, &e);
		}
		out->ended_ms = p->ended_ms;
		ended(out, code, tag);
	}
	dt_seen_put(p->c.d, p->id, out);
	if (out_len)
		memcpy(out_len, len, sizeof len);
	if (logs)
		*logs = lg;
	else
		cJSON_Delete(lg);
	return 0;
}

/* ---- slots ---------------------------------------------------------- */

static void new_id(char *out, size_t cap)
{
	unsigned char r[8];
	size_t i, n;

	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
		uint64_t t = (uint64_t)wall_ms() ^ ((uint64_t)clock() << 32);

		memcpy(r, &t, sizeof r);
	}
	n = (size_t)snprintf(out, cap, "%s", PROC_PREFIX);
	for (i = 0; i < sizeof r && n + 2 < cap; i++)
		n += (size_t)snprintf(out + n, cap - n, "%02x", r[i]);
}

/* The command as listings show it: the shell text, or argv joined. */
static void command_text(char *out, size_t cap, const wsp_spawn_opts *o)
{
	size_t n = 0, i;

	out[0] = '\0';
	if (o->shell) {
		snprintf(out, cap, "%s", o->shell);
		return;
	}
	for (i = 0; o->argv[i] && n + 1 < cap; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? " " : "",
				      o->argv[i]);
}

int dt_spawn(char out_id[WSP_PROC_ID_MAX], void *self, const wsp_call *call,
	     const wsp_spawn_opts *o, wsp_error *err)
{
	struct dt *d = self;
	struct dt_proc p = {.c = {.d = d}};
	struct dt_script s;
	int64_t limit = o->flags & WSP_SPAWN_NO_TIMEOUT ? 0 : o->timeout_ms;
	wsp_error e = {0};
	int rc;

	if (!d->state)
		return wsp_error_set(err, WSP_ENOTSUP,
				     "background processes need the state "
				     "store");
	if ((rc = dt_script_build_proc(&s, o, limit, err)))
		return rc;
	new_id(p.id, sizeof p.id);
	memcpy(p.nonce, s.nonce, sizeof p.nonce);
	command_text(p.command, sizeof p.command, o);
	p.stdin_pipe = o->stdin_mode == WSP_STDIN_PIPE;
	p.started_ms = wall_ms();
	rc = dt_pool_launch(&p.c, p.id, s.text, 1, call, err);
	if (!rc)
		rc = dt_proc_save(&p, err);
	if (rc && p.c.sid[0]) /* nothing may run that wsp cannot find */
		dt_session_delete(&p.c, NULL, &e);
	else if (!rc)
		snprintf(out_id, WSP_PROC_ID_MAX, "%s", p.id);
	dt_script_free(&s);
	return rc;
}

struct ids {
	char (*id)[WSP_PROC_ID_MAX];
	size_t n, cap;
};

static int on_key(const char *key, void *payload)
{
	struct ids *x = payload;
	const char *id = key + strlen(KEY_PREFIX);

	if (!id_ok(id))
		return 0;
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 16;
		void *nid = realloc(x->id, cap * sizeof(*x->id));

		if (!nid)
			return WSP_ENOMEM;
		x->id = nid;
		x->cap = cap;
	}
	snprintf(x->id[x->n++], WSP_PROC_ID_MAX, "%s", id);
	return 0;
}

void dt_procs_forget_all(struct dt *d)
{
	struct ids x = {0};
	char key[WSP_STATE_KEY_MAX];
	size_t i;

	if (!d->state || d->host->state_list(d->host, d->state, KEY_PREFIX,
					     on_key, &x, NULL))
		x.n = 0; /* what was collected before a failure is freed */
	for (i = 0; i < x.n; i++) {
		snprintf(key, sizeof key, KEY_PREFIX "%s", x.id[i]);
		d->host->state_delete(d->host, d->state, key, NULL);
	}
	free(x.id);
}

/* Oldest first: by the start time in each record. */
static int by_start(const void *a, const void *b)
{
	const struct dt_proc *x = a, *y = b;

	return (x->started_ms > y->started_ms) -
	       (x->started_ms < y->started_ms);
}

int dt_list(void *self, const wsp_call *call, uint32_t flags, wsp_proc_fn cb,
	    void *payload, wsp_error *err)
{
	struct dt *d = self;
	struct ids x = {0};
	struct dt_proc *all = NULL;
	size_t i, n = 0;
	int rc = 0;

	(void)flags;
	if (!d->state)
		return 0;
	/* the keys first: no network under the store's listing */
	rc = d->host->state_list(d->host, d->state, KEY_PREFIX, on_key, &x,
				 err);
	if (!rc && x.n && !(all = calloc(x.n, sizeof(*all))))
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
	for (i = 0; !rc && i < x.n; i++)
		if (!dt_proc_load(&all[n], d, x.id[i], NULL))
			n++; /* released meanwhile: not listed */
	if (n)
		qsort(all, n, sizeof(*all), by_start);
	for (i = 0; !rc && i < n; i++) {
		wsp_proc_status st = {.struct_size = sizeof(st)};

		if ((rc = dt_proc_look(&st, NULL, NULL, &all[i], call, err)))
			break;
		if ((rc = cb(all[i].id, all[i].command, &st, payload)))
			rc = wsp_error_set(err, rc, "listing stopped");
	}
	free(all);
	free(x.id);
	return rc;
}

int dt_pstatus(wsp_proc_status *out, void *self, const wsp_call *call,
	       const char *id, uint32_t flags, wsp_error *err)
{
	struct dt_proc p;
	int rc = dt_proc_load(&p, self, id, err);

	(void)flags;
	return rc ? rc : dt_proc_look(out, NULL, NULL, &p, call, err);
}

/*
 * One control line to the script. A command that ended has no input any
 * more (the toolbox answers 410, the host's WSP_ENOTFOUND), nor has one
 * in a sandbox that stopped: *gone.
 */
static int control(struct dt_proc *p, const char *line, int *gone,
		   const wsp_call *call, wsp_error *err)
{
	int rc = proc_toolbox(p, 0, call, err);

	*gone = 0;
	if (!rc)
		rc = dt_session_input(&p->c, line, call, err);
	if (stale(rc) && !(rc = proc_toolbox(p, 1, call, err)))
		rc = dt_session_input(&p->c, line, call, err);
	if (rc == WSP_ENOTFOUND) {
		*gone = 1;
		if (err)
			memset(err, 0, sizeof(*err));
		return 0;
	}
	return rc;
}

int dt_signal(void *self, const wsp_call *call, const char *id, int signum,
	      uint32_t flags, wsp_error *err)
{
	struct dt_proc p;
	char line[16];
	int gone, rc = dt_proc_load(&p, self, id, err);

	(void)flags;
	if (rc)
		return rc;
	if (signum < 1 || signum > 64)
		return wsp_error_set(err, WSP_EINVAL, "no signal %d", signum);
	snprintf(line, sizeof line, "!%d", signum);
	/* ended already: nothing left to signal, as for the local one */
	return control(&p, line, &gone, call, err);
}

int dt_release(void *self, const wsp_call *call, const char *id, uint32_t flags,
	       wsp_error *err)
{
	struct dt_proc p;
	wsp_proc_status st = {.struct_size = sizeof(st)};
	int gone, rc = dt_proc_load(&p, self, id, err);

	(void)flags;
	if (rc)
		return rc;
	rc = dt_proc_look(&st, NULL, NULL, &p, call, err);
	/* the group first: deleting the session kills the session's own
	 * process tree, and the command left it by setsid */
	if (!rc && st.state == WSP_PROC_RUNNING)
		rc = control(&p, "!9", &gone, call, err);
	if (!rc && st.state == WSP_PROC_RUNNING)
		rc = dt_session_delete(&p.c, call, err);
	else if (!rc && st.state != WSP_PROC_LOST)
		dt_pool_put(&p.c); /* ended: the session is idle */
	if (!rc)
		proc_forget(&p);
	return rc;
}

int dt_write_stdin(void *self, const wsp_call *call, const char *id,
		   const void *data, size_t len, uint32_t flags, wsp_error *err)
{
	struct dt_proc p;
	char *line;
	size_t off, n;
	int gone = 0, rc = dt_proc_load(&p, self, id, err);

	(void)flags;
	if (rc)
		return rc;
	if (!p.stdin_pipe)
		return wsp_error_set(err, WSP_EINVAL,
				     "'%s' was started without a stdin pipe",
				     id);
	if (p.stdin_closed)
		return wsp_error_set(err, WSP_EINVAL, "stdin is closed");
	if (!(line = malloc(STDIN_CHUNK / 3 * 4 + 1)))
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	for (off = 0; !rc && !gone && off < len; off += n) {
		n = len - off < STDIN_CHUNK ? len - off : STDIN_CHUNK;
		dt_base64(line, (const char *)data + off, n);
		rc = control(&p, line, &gone, call, err);
	}
	free(line);
	if (!rc && gone)
		rc = wsp_error_set(err, WSP_EINVAL,
				   "background process '%s' has exited", id);
	return rc;
}

int dt_close_stdin(void *self, const wsp_call *call, const char *id,
		   uint32_t flags, wsp_error *err)
{
	struct dt_proc p;
	int gone, rc = dt_proc_load(&p, self, id, err);

	(void)flags;
	if (rc || !p.stdin_pipe || p.stdin_closed)
		return rc;
	if ((rc = control(&p, ".", &gone, call, err)))
		return rc;
	p.stdin_closed = 1;
	return dt_proc_save(&p, err);
}
