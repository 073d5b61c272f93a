/*
 * plugins/sandbox-e2b/control.c - the control plane's verbs on the
 * sandbox this instance names: stop, destroy, pause, resume, its
 * timeout, status and info.
 *
 * E2B has running, paused and gone, nothing else. pause keeps memory
 * (processes frozen); stop is a pause without memory (E2B's filesystem
 * snapshot: processes end, files stay), and start brings either back
 * through connect. Which of the two a paused sandbox is, E2B does not
 * say: the state store's "hold" key does, and it also keeps a later wsp
 * from resuming by accident what was paused on purpose.
 */
#include "procs.h"
#include "remote.h"

#include <stdio.h>
#include <string.h>

/* The sandbox's id: kept, else found by metadata; "" when none. */
static int current_id(char *id, size_t cap, struct e2b *e,
		      const wsp_call *call, wsp_error *err)
{
	int rc;

	e2b_kept_id(id, cap, e);
	if (id[0])
		return 0;
	rc = e2b_find_id(id, cap, e, call, err);
	if (rc == WSP_ENOTFOUND)
		id[0] = '\0';
	return rc == WSP_ENOTFOUND ? 0 : rc;
}

/* POST /sandboxes/{id}/pause: 0 when paused now or already (409). */
static int pause_id(struct e2b *e, const char *id, int memory,
		    const wsp_call *call, wsp_error *err)
{
	char path[E2B_ID_MAX + 32];
	struct e2b_req r = {.plane = E2B_CONTROL, .method = "POST",
			    .path = path,
			    .body = memory ? "{}" : "{\"memory\":false}",
			    .call = call, .flags = WSP_HTTP_IDEMPOTENT};
	cJSON *ans = NULL;
	int status = 0, rc;

	snprintf(path, sizeof(path), "/sandboxes/%s/pause", id);
	rc = e2b_request(&status, &ans, e, &r, err);
	if (!rc && status == 404)
		rc = WSP_ENOTFOUND;
	else if (!rc && status != 204 && status != 200 && status != 409)
		rc = e2b_fail(e, status, ans, "cannot pause the E2B sandbox",
			      err);
	cJSON_Delete(ans);
	return rc;
}

/*
 * Pause the sandbox there is (stop: without memory) and keep why in the
 * store. Stopping one that is gone is done; pausing it says it is gone.
 */
static int pause_current(struct e2b *e, const wsp_call *call, int stop,
			 wsp_error *err)
{
	char id[E2B_ID_MAX] = "";
	int rc;

	pthread_mutex_lock(&e->lock);
	rc = current_id(id, sizeof(id), e, call, err);
	if (!rc && !id[0] && !stop)
		rc = wsp_error_set(err, WSP_ENOTFOUND,
				   "there is no E2B sandbox to pause");
	if (!rc && id[0])
		rc = pause_id(e, id, !stop, call, err);
	if (!rc && stop) {
		memset(&e->conn, 0, sizeof(e->conn));
		e2b_hold(e, "stopped");
	} else if (!rc && strcmp(e->held, "stopped")) {
		/* a stopped one stays stopped: pausing it changes nothing */
		e2b_hold(e, "paused");
	}
	pthread_mutex_unlock(&e->lock);
	if (rc == WSP_ENOTFOUND && id[0] && stop) {
		e2b_gone(e, id, NULL); /* nothing left to stop */
		rc = 0;
	} else if (rc == WSP_ENOTFOUND && id[0]) {
		rc = e2b_gone(e, id, err);
	}
	/* its processes ended with it: the keeper says so and leaves */
	if (!rc && stop && id[0])
		e2b_procs_end(e, id, "stopped");
	return rc;
}

int e2b_stop(void *self, const wsp_call *call, uint32_t flags,
	     wsp_error *err)
{
	(void)flags;
	return pause_current(self, call, 1, err);
}

int e2b_destroy(void *self, const wsp_call *call, uint32_t flags,
		wsp_error *err)
{
	struct e2b *e = self;
	char id[E2B_ID_MAX] = "", path[E2B_ID_MAX + 16];
	struct e2b_req r = {.plane = E2B_CONTROL, .method = "DELETE",
			    .path = path, .call = call};
	cJSON *ans = NULL;
	int status = 0, rc;

	(void)flags; /* the files are the sandbox's: they go with it */
	pthread_mutex_lock(&e->lock);
	rc = current_id(id, sizeof(id), e, call, err);
	if (!rc && id[0]) {
		snprintf(path, sizeof(path), "/sandboxes/%s", id);
		rc = e2b_request(&status, &ans, e, &r, err);
		if (!rc && status != 204 && status != 200 && status != 404)
			rc = e2b_fail(e, status, ans,
				      "cannot kill the E2B sandbox", err);
	}
	/* the id goes only once the sandbox did: a failure keeps the way */
	if (!rc)
		e2b_forget(e);
	cJSON_Delete(ans);
	pthread_mutex_unlock(&e->lock);
	if (!rc && id[0])
		e2b_procs_end(e, id, "destroyed");
	return rc;
}

int e2b_pause(void *self, const wsp_call *call, uint32_t flags,
	      wsp_error *err)
{
	(void)flags;
	return pause_current(self, call, 0, err);
}

int e2b_resume(void *self, const wsp_call *call, uint32_t flags,
	       wsp_error *err)
{
	struct e2b *e = self;
	char id[E2B_ID_MAX];
	int rc = 0;

	(void)flags;
	pthread_mutex_lock(&e->lock);
	e2b_kept_id(id, sizeof(id), e); /* and what an earlier wsp held */
	if (!strcmp(e->held, "stopped"))
		rc = wsp_error_set(err, WSP_EBUSY,
				   "the E2B sandbox is stopped; start it");
	else if (e->held[0] || !e->conn.id[0])
		/* connect resumes a paused one and leaves a running one */
		rc = e2b_connect_locked(NULL, e, call, err);
	if (!rc)
		e2b_hold(e, NULL);
	pthread_mutex_unlock(&e->lock);
	if (!rc)
		e2b_procs_reattach(e);
	return rc;
}

/*
 * E2B's timeout is a lifetime counted from now, not an idle limit: the
 * closest is to set it to idle_ms now (and to the configured lifetime for
 * a keepalive). It cannot be "never" (at most 24 h): WSP_ENOTSUP says so
 * instead of a silent 24 h.
 */
int e2b_set_timeout(void *self, const wsp_call *call, uint64_t idle_ms,
		    uint32_t flags, wsp_error *err)
{
	struct e2b *e = self;
	struct e2b_conn c;
	char path[E2B_ID_MAX + 32], body[48];
	struct e2b_req r = {.plane = E2B_CONTROL, .method = "POST",
			    .path = path, .body = body, .call = call,
			    .flags = WSP_HTTP_IDEMPOTENT};
	uint64_t s = (flags & WSP_SANDBOX_KEEPALIVE)
			     ? (uint64_t)e->lifetime_s
			     : (idle_ms + 999) / 1000;
	cJSON *ans = NULL;
	int status = 0, rc;

	if (!s)
		return wsp_error_set(err, WSP_ENOTSUP,
				     "an E2B sandbox always has a timeout "
				     "(at most 24h); give one");
	if (s > E2B_MAX_LIFETIME_S)
		return wsp_error_set(err, WSP_EINVAL,
				     "an E2B sandbox's timeout is at most 24h");
	if ((rc = e2b_ready(&c, e, call, err)))
		return rc;
	snprintf(path, sizeof(path), "/sandboxes/%s/timeout", c.id);
	snprintf(body, sizeof(body), "{\"timeout\":%llu}",
		 (unsigned long long)s);
	rc = e2b_request(&status, &ans, e, &r, err);
	if (!rc && status == 404)
		rc = e2b_gone(e, c.id, err);
	else if (!rc && status != 204 && status != 200)
		rc = e2b_fail(e, status, ans,
			      "cannot set the E2B sandbox's timeout", err);
	cJSON_Delete(ans);
	return rc;
}

/* GET /sandboxes/{id} of the current sandbox; *sb NULL when none. */
static int detail(cJSON **sb, char *id, size_t cap, struct e2b *e,
		  const wsp_call *call, wsp_error *err)
{
	char path[E2B_ID_MAX + 16];
	struct e2b_req r = {.plane = E2B_CONTROL, .method = "GET",
			    .path = path, .call = call};
	int status = 0, rc;

	*sb = NULL;
	pthread_mutex_lock(&e->lock);
	rc = current_id(id, cap, e, call, err);
	pthread_mutex_unlock(&e->lock);
	if (rc || !id[0])
		return rc;
	snprintf(path, sizeof(path), "/sandboxes/%s", id);
	if ((rc = e2b_request(&status, sb, e, &r, err)))
		return rc;
	if (status == 200 && cJSON_IsObject(*sb))
		return 0;
	rc = status == 404 ? 0
			   : e2b_fail(e, status, *sb,
				      "cannot get the E2B sandbox", err);
	cJSON_Delete(*sb);
	*sb = NULL;
	return rc;
}

static uint32_t state_of(const struct e2b *e, const cJSON *sb)
{
	const char *st = e2b_str(sb, "state");

	if (!sb)
		return WSP_SANDBOX_ABSENT;
	if (st && !strcmp(st, "running"))
		return WSP_SANDBOX_RUNNING;
	if (st && !strcmp(st, "paused"))
		return strcmp(e->held, "stopped") ? WSP_SANDBOX_PAUSED
						  : WSP_SANDBOX_STOPPED;
	return WSP_SANDBOX_UNKNOWN;
}

int e2b_status(uint32_t *out, void *self, const wsp_call *call,
	       uint32_t flags, wsp_error *err)
{
	struct e2b *e = self;
	char id[E2B_ID_MAX];
	cJSON *sb = NULL;
	int rc = detail(&sb, id, sizeof(id), e, call, err);

	(void)flags;
	if (rc)
		return rc;
	*out = state_of(e, sb);
	cJSON_Delete(sb);
	return 0;
}

static const char *number(char *buf, size_t cap, const cJSON *o,
			  const char *name, double scale)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (!cJSON_IsNumber(v) || v->valuedouble < 0)
		return NULL;
	snprintf(buf, cap, "%.0f", v->valuedouble * scale);
	return buf;
}

int e2b_info(void *self, const wsp_call *call, uint32_t flags, wsp_kv_fn cb,
	     void *payload, wsp_error *err)
{
	static const char *const names[] = {"unknown", "absent", "starting",
					    "running", "stopped", "paused",
					    "error"};
	struct e2b *e = self;
	char id[E2B_ID_MAX] = "", cpus[32], mem[32], disk[32], life[32];
	cJSON *sb = NULL;
	int rc = detail(&sb, id, sizeof(id), e, call, err);

	(void)flags;
	if (rc)
		return rc;
	snprintf(life, sizeof(life), "%lld", (long long)e->lifetime_s);
	rc = rmt_kv(rc, cb, payload, "id", e->instance_id);
	rc = rmt_kv(rc, cb, payload, "provider", "e2b");
	rc = rmt_kv(rc, cb, payload, "state", names[state_of(e, sb)]);
	rc = rmt_kv(rc, cb, payload, "cpus",
		    number(cpus, sizeof(cpus), sb, "cpuCount", 1));
	rc = rmt_kv(rc, cb, payload, "memory_bytes",
		    number(mem, sizeof(mem), sb, "memoryMB", 1024.0 * 1024.0));
	rc = rmt_kv(rc, cb, payload, "isolation", "microvm");
	rc = rmt_kv(rc, cb, payload, "working_dir", e->working_dir);
	rc = rmt_kv(rc, cb, payload, "sandbox_id", sb && id[0] ? id : NULL);
	rc = rmt_kv(rc, cb, payload, "template",
		    sb ? e2b_str(sb, "templateID") : e->template_id);
	rc = rmt_kv(
		rc, cb, payload, "disk_bytes",
		number(disk, sizeof(disk), sb, "diskSizeMB", 1024.0 * 1024.0));
	rc = rmt_kv(rc, cb, payload, "started_at", e2b_str(sb, "startedAt"));
	rc = rmt_kv(rc, cb, payload, "end_at", e2b_str(sb, "endAt"));
	rc = rmt_kv(rc, cb, payload, "envd_version",
		    e2b_str(sb, "envdVersion"));
	rc = rmt_kv(rc, cb, payload, "timeout_s", life);
	rc = rmt_kv(rc, cb, payload, "auto_pause",
		    e->auto_pause ? "true" : "false");
	cJSON_Delete(sb);
	if (rc)
		return wsp_error_set(err, rc, "info stopped by its callback");
	return 0;
}

int e2b_instructions(void *self, const wsp_call *call, uint32_t flags,
		     wsp_sink_fn sink, void *payload, wsp_error *err)
{
	struct e2b *e = self;
	char text[1024];
	int n;

	(void)call;
	(void)flags;
	n = snprintf(text, sizeof(text),
		     "Commands run in an E2B sandbox (a micro-VM from the "
		     "template %s) as %s, in %s by default, with bash. Files "
		     "written there stay while the sandbox exists; it is not "
		     "the machine wsp runs on. It ends %lld s after it was "
		     "last started unless renewed.\n",
		     e->template_id, e->user ? e->user : "the template's user",
		     e->working_dir, (long long)e->lifetime_s);
	return rmt_instructions(sink, payload, text, n, sizeof(text), err);
}
