/*
 * plugins/sandbox-daytona/lifecycle.c - start (reconnect or create),
 * destroy and status (stop is stop.c's, pause and resume pause.c's).
 *
 * The remote id lives in the host state store under "remote-id"; when the
 * store is gone (another machine, a wiped state directory) the label
 * DT_LABEL_ID finds the sandbox again, so a logical id never gets two
 * sandboxes. Daytona answers every change at once and moves the state
 * later: each change polls GET until the state it wants, bounded by
 * create_timeout and by the call.
 */
#include "daytona.h"
#include "remote.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define KEY "remote-id"

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait ms, or less when the call ends; its code then. */
static int nap(struct dt *d, const wsp_call *call, int64_t ms)
{
	int64_t left = d->host->call_remaining_ms(d->host, call);
	struct pollfd p = {.fd = d->host->call_fd(d->host, call),
			   .events = POLLIN};

	if (left >= 0 && left < ms)
		ms = left;
	poll(&p, p.fd >= 0 ? 1 : 0, (int)ms);
	return d->host->call_expired(d->host, call);
}

int dt_get(struct dt_remote *r, struct dt *d, const char *id,
	   const wsp_call *call, wsp_error *err)
{
	char path[DT_ID_MAX + 16];
	struct dt_req q = {.method = "GET", .path = path, .call = call};
	cJSON *j = NULL;
	int rc;

	snprintf(path, sizeof path, "/sandbox/%s", id);
	rc = dt_request(d, &q, &j, NULL, err);
	if (!rc)
		rc = dt_remote_parse(r, j, err);
	cJSON_Delete(j);
	return rc;
}

/* The sandbox labelled with our logical id, not being destroyed. */
static int find_by_label(struct dt_remote *r, struct dt *d,
			 const wsp_call *call, wsp_error *err)
{
	char lab[400], esc[1300], path[1400];
	struct dt_req q = {.method = "GET", .path = path, .call = call};
	cJSON *j = NULL, *l = cJSON_CreateObject(), *it;
	char *txt;
	int rc = WSP_ENOTFOUND;

	if (!l || !cJSON_AddStringToObject(l, DT_LABEL_ID, d->logical_id) ||
	    !(txt = cJSON_PrintUnformatted(l))) {
		cJSON_Delete(l);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	snprintf(lab, sizeof lab, "%s", txt);
	cJSON_free(txt);
	cJSON_Delete(l);
	if ((rc = dt_url_escape(esc, sizeof esc, lab, err)))
		return rc;
	snprintf(path, sizeof path, "/sandbox?limit=20&labels=%s", esc);
	if ((rc = dt_request(d, &q, &j, NULL, err)))
		return rc;
	rc = WSP_ENOTFOUND;
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(j, "items"))
	{
		if (dt_remote_parse(r, it, err))
			continue;
		if (strcmp(r->state, "destroying") &&
		    strcmp(r->state, "destroyed")) {
			rc = 0;
			break;
		}
	}
	cJSON_Delete(j);
	if (rc)
		memset(r, 0, sizeof(*r));
	return rc;
}

/* The remote id we know: cached, else from the state store. */
static int known_id(char out[DT_ID_MAX + 1], struct dt *d, wsp_error *err)
{
	char *v = NULL;
	size_t n = 0;
	int rc;

	pthread_mutex_lock(&d->lock);
	snprintf(out, DT_ID_MAX + 1, "%s", d->remote_id);
	pthread_mutex_unlock(&d->lock);
	if (out[0] || !d->state)
		return out[0] ? 0 : WSP_ENOTFOUND;
	rc = d->host->state_get(&v, &n, d->host, d->state, KEY, err);
	if (rc)
		return rc;
	if (n <= DT_ID_MAX && dt_id_ok(v))
		memcpy(out, v, n + 1);
	else
		rc = wsp_error_set(err, WSP_ENOTFOUND, "stored id unusable");
	d->host->free(d->host, v);
	return rc;
}

static void remember(struct dt *d, const char *id, const char *toolbox)
{
	pthread_mutex_lock(&d->lock);
	snprintf(d->remote_id, sizeof d->remote_id, "%s", id);
	snprintf(d->toolbox, sizeof d->toolbox, "%s", toolbox);
	pthread_mutex_unlock(&d->lock);
}

void dt_forget_toolbox(struct dt *d)
{
	pthread_mutex_lock(&d->lock);
	d->toolbox[0] = '\0';
	pthread_mutex_unlock(&d->lock);
}

void dt_forget(struct dt *d)
{
	wsp_error e = {0};

	remember(d, "", "");
	dt_pool_clear(d, 0); /* its sessions went with it */
	if (d->state)
		d->host->state_delete(d->host, d->state, KEY, &e);
	dt_hold_set(d, 0, &e); /* no sandbox, nothing paused */
	/* its processes went with it: a new sandbox lists none of them */
	dt_procs_forget_all(d);
}

/*
 * The sandbox the logical id names, or WSP_ENOTFOUND: the stored id
 * first (a 404 there means it is gone: forget it), then the label.
 */
int dt_locate(struct dt_remote *r, struct dt *d, const wsp_call *call,
	      wsp_error *err)
{
	char id[DT_ID_MAX + 1];
	int rc = known_id(id, d, err);

	if (!rc) {
		rc = dt_get(r, d, id, call, err);
		if (rc != WSP_ENOTFOUND)
			return rc;
		dt_forget(d);
	} else if (rc != WSP_ENOTFOUND) {
		return rc;
	}
	rc = find_by_label(r, d, call, err);
	if (!rc && d->state)
		d->host->state_put(d->host, d->state, KEY, r->id, strlen(r->id),
				   err);
	return rc;
}

/* state_update step: keep a remote id someone else stored first. */
struct first {
	const wsp_host *host;
	const char *mine;
	char winner[DT_ID_MAX + 1];
};

static int keep_first(char **nv, size_t *nl, const char *old, size_t old_len,
		      int exists, void *payload)
{
	struct first *f = payload;

	if (exists && old_len <= DT_ID_MAX) {
		memcpy(f->winner, old, old_len);
		f->winner[old_len] = '\0';
		if (dt_id_ok(f->winner))
			return WSP_EEXIST;
	}
	*nl = strlen(f->mine);
	*nv = f->host->alloc(f->host, *nl + 1);
	if (!*nv)
		return WSP_ENOMEM;
	memcpy(*nv, f->mine, *nl + 1);
	return 0;
}

static int del_remote(struct dt *d, const char *id, const wsp_call *call,
		      wsp_error *err)
{
	char path[DT_ID_MAX + 16];
	struct dt_req q = {.method = "DELETE", .path = path, .call = call};

	snprintf(path, sizeof path, "/sandbox/%s", id);
	return dt_request(d, &q, NULL, NULL, err);
}

static int create(struct dt_remote *r, struct dt *d, const wsp_call *call,
		  wsp_error *err)
{
	struct dt_req q = {.method = "POST", .path = "/sandbox", .call = call};
	struct first f = {.host = d->host};
	cJSON *j = NULL;
	int rc;

	q.json = dt_create_body(d);
	if (!q.json)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	/* Not idempotent: a retried create could make two sandboxes. */
	rc = dt_request(d, &q, &j, NULL, err);
	cJSON_Delete(q.json);
	if (!rc)
		rc = dt_remote_parse(r, j, err);
	cJSON_Delete(j);
	if (rc || !d->state)
		return rc;
	f.mine = r->id;
	rc = d->host->state_update(d->host, d->state, KEY, keep_first, &f, err);
	if (rc != WSP_EEXIST)
		return rc;
	/* Another wsp process created one first: use theirs. */
	d->host->log(d->host, WSP_LOG_INFO,
		     "daytona: sandbox '%s' was created elsewhere meanwhile; "
		     "removing the duplicate",
		     d->logical_id);
	del_remote(d, r->id, NULL, err);
	return dt_get(r, d, f.winner, call, err);
}

int dt_post_action(struct dt *d, const char *id, const char *action,
		   const wsp_call *call, wsp_error *err)
{
	char path[DT_ID_MAX + 40];
	struct dt_req q = {.method = "POST",
			   .path = path,
			   .call = call,
			   .flags = WSP_HTTP_IDEMPOTENT};

	snprintf(path, sizeof path, "/sandbox/%s/%s", id, action);
	return dt_request(d, &q, NULL, NULL, err);
}

/*
 * Poll until the sandbox is in state want (or gone, when gone_ok): a
 * settled other state is a failure, with Daytona's reason. want NULL:
 * until any settled state (Daytona refuses a delete while a state change
 * is in progress).
 */
int dt_wait_for(struct dt_remote *r, struct dt *d, const char *want,
		int gone_ok, const wsp_call *call, wsp_error *err)
{
	int64_t end = now_ms() + d->cfg.create_timeout_ms, pause = 50;
	char id[DT_ID_MAX + 1];
	struct dt_progress pg;
	int rc, done, polled = 0;

	snprintf(id, sizeof id, "%s", r->id);
	dt_progress_init(&pg, now_ms());
	for (;;) {
		done = want ? !strcmp(r->state, want) ||
				       (!strcmp(want, "stopped") &&
					!strcmp(r->state, "archived"))
			    : dt_state_settled(r->state);
		/* the states on the way, and where it ended when it moved */
		if (!done || polled)
			dt_progress_note(&pg, d, r->state, now_ms());
		if (done)
			return 0;
		if (dt_state_settled(r->state))
			return wsp_error_set(err, WSP_EIO,
					     "sandbox '%s' is %s, not %s%s%s",
					     d->logical_id, r->state, want,
					     r->error_reason[0] ? ": " : "",
					     r->error_reason);
		if (now_ms() >= end)
			return wsp_error_set(
				err, WSP_ETIMEDOUT,
				"sandbox '%s' still %s after %lld "
				"ms (create_timeout)",
				d->logical_id, r->state,
				(long long)d->cfg.create_timeout_ms);
		if ((rc = nap(d, call, pause)))
			return wsp_error_set(err, rc,
					     "waiting for sandbox "
					     "'%s' to be %s",
					     d->logical_id,
					     want ? want : "settled");
		if (pause < 500)
			pause *= 2;
		polled = 1;
		rc = dt_get(r, d, id, call, err);
		if (rc == WSP_ENOTFOUND && gone_ok)
			return rc;
		if (rc)
			return rc;
	}
}

/* The toolbox base for a started sandbox: {toolboxProxyUrl}/{id}. */
static int set_toolbox(struct dt *d, const struct dt_remote *r,
		       const wsp_call *call, wsp_error *err)
{
	char base[DT_URL_MAX], path[DT_ID_MAX + 40];
	struct dt_req q = {.method = "GET", .path = path, .call = call};
	const cJSON *u;
	cJSON *j = NULL;
	size_t n;
	int rc;

	snprintf(base, sizeof base, "%s", r->toolbox);
	if (!base[0]) {
		/* Older answers leave it out: ask (as the SDKs do). */
		snprintf(path, sizeof path, "/sandbox/%s/toolbox-proxy-url",
			 r->id);
		if ((rc = dt_request(d, &q, &j, NULL, err)))
			return rc;
		u = cJSON_GetObjectItem(j, "url");
		if (!cJSON_IsString(u) ||
		    strlen(u->valuestring) >= DT_URL_MAX - DT_ID_MAX - 2 ||
		    !rmt_is_http(u->valuestring)) {
			cJSON_Delete(j);
			return wsp_error_set(err, WSP_EPROTO,
					     "Daytona gave no usable toolbox "
					     "URL");
		}
		snprintf(base, sizeof base, "%s", u->valuestring);
		cJSON_Delete(j);
	}
	n = strlen(base);
	while (n && base[n - 1] == '/')
		base[--n] = '\0';
	snprintf(base + n, sizeof base - n, "/%s", r->id);
	remember(d, r->id, base);
	return 0;
}

/*
 * Bring a located sandbox to `started`. Only an explicit start or resume
 * (explicit) thaws a paused one: a command meeting a sandbox paused on
 * purpose (the hold, below) or by Daytona (auto-pause) is refused, so a
 * stray tool call never undoes a pause (docs/abi.md). A held sandbox
 * found started was resumed elsewhere: the hold is stale.
 */
int dt_bring_up(struct dt_remote *r, struct dt *d, const wsp_call *call,
		int explicit_, wsp_error *err)
{
	int rc, held = explicit_ ? 0 : dt_held(d);

	if (!explicit_ && strcmp(r->state, "started") &&
	    (held || !strcmp(r->state, "paused") ||
	     !strcmp(r->state, "pausing")))
		return wsp_error_set(err, WSP_EBUSY,
				     "the Daytona sandbox '%s' is %s%s; resume "
				     "it first (wsp sandbox resume)",
				     d->logical_id, held ? "paused" : r->state,
				     held ? "" : " (outside this wsp)");
	if (held)
		dt_hold_set(d, 0, err);

	if (!strcmp(r->state, "stopping") || !strcmp(r->state, "archiving") ||
	    !strcmp(r->state, "pausing")) {
		/* A start is refused while it stops or pauses: let it end. */
		if ((rc = dt_wait_for(r, d, NULL, 0, call, err)))
			return rc;
	}
	if (!strcmp(r->state, "stopped") || !strcmp(r->state, "archived") ||
	    !strcmp(r->state, "paused")) {
		d->host->log(d->host, WSP_LOG_INFO,
			     "daytona: starting sandbox '%s' (%s)",
			     d->logical_id, r->state);
		if ((rc = dt_post_action(d, r->id, "start", call, err)))
			return rc;
		strcpy(r->state, "starting");
	}
	if ((rc = dt_wait_for(r, d, "started", 0, call, err)))
		return rc;
	return set_toolbox(d, r, call, err);
}

/* Locate or create the sandbox, then bring it up. */
static int up(uint32_t *out, struct dt *d, const wsp_call *call, int explicit_,
	      wsp_error *err)
{
	struct dt_remote r;
	int rc = dt_locate(&r, d, call, err);

	*out = WSP_START_CONNECTED;
	if (rc == WSP_ENOTFOUND) {
		d->host->log(d->host, WSP_LOG_INFO,
			     "daytona: creating sandbox '%s'", d->logical_id);
		rc = create(&r, d, call, err);
		*out = WSP_START_CREATED;
	}
	return rc ? rc : dt_bring_up(&r, d, call, explicit_, err);
}

/* An explicit start resumes what a pause held, as resume does. */
int dt_start(uint32_t *out, void *self, const wsp_call *call, uint32_t flags,
	     wsp_error *err)
{
	(void)flags;
	dt_hold_set(self, 0, err);
	return up(out, self, call, 1, err);
}

int dt_ensure(char *out, struct dt *d, const wsp_call *call, wsp_error *err)
{
	uint32_t outcome;
	int rc;

	pthread_mutex_lock(&d->lock);
	snprintf(out, DT_URL_MAX, "%s", d->toolbox);
	pthread_mutex_unlock(&d->lock);
	if (out[0])
		return 0;
	if ((rc = up(&outcome, d, call, 0, err)))
		return rc;
	pthread_mutex_lock(&d->lock);
	snprintf(out, DT_URL_MAX, "%s", d->toolbox);
	pthread_mutex_unlock(&d->lock);
	return 0;
}

int dt_destroy(void *self, const wsp_call *call, uint32_t flags, wsp_error *err)
{
	struct dt *d = self;
	struct dt_remote r;
	int rc = dt_locate(&r, d, call, err);

	(void)flags; /* the files are in the sandbox: they go with it */
	if (rc == WSP_ENOTFOUND) {
		dt_forget(d);
		return 0;
	}
	if (rc)
		return rc;
	rc = del_remote(d, r.id, call, err);
	if (rc == WSP_ESTALE && !(rc = dt_wait_for(&r, d, NULL, 0, call, err)))
		rc = del_remote(d, r.id, call, err);
	if (rc && rc != WSP_ENOTFOUND)
		return rc; /* the key stays: the way back */
	dt_forget(d);
	return 0;
}

int dt_status(uint32_t *out, void *self, const wsp_call *call, uint32_t flags,
	      wsp_error *err)
{
	struct dt *d = self;
	struct dt_remote r;
	int rc = dt_locate(&r, d, call, err);

	(void)flags;
	if (rc == WSP_ENOTFOUND) {
		*out = WSP_SANDBOX_ABSENT;
		return 0;
	}
	if (rc)
		return rc;
	*out = dt_state_map(r.state);
	/* paused by wsp, stopped in its place (a class without pause) */
	if (*out == WSP_SANDBOX_STOPPED && dt_held(d))
		*out = WSP_SANDBOX_PAUSED;
	if (*out != WSP_SANDBOX_RUNNING)
		dt_forget_toolbox(d);
	return 0;
}
