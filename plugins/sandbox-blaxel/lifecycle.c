/*
 * plugins/sandbox-blaxel/lifecycle.c - create, reconnect, stop, destroy,
 * status and info of the Blaxel sandbox an instance names.
 *
 * The name comes from wsp's logical id, so a later wsp finds the same
 * sandbox: first by the name the state store kept (the one it last
 * reached), then by the name the options give. A sandbox that is there
 * but not DEPLOYED is brought back, never replaced (Mastra replaces it):
 * one still deploying is waited for, an archived one unarchived. Two wsp
 * processes starting at once create one sandbox: the loser's create gets
 * 409 and it connects to the winner's. stop archives (Blaxel keeps the
 * files, ends the processes); standby is Blaxel's own, automatic and
 * transparent, so it is reported as running.
 */
#include "blaxel.h"
#include "remote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define KEY_NAME "name"

static int sandbox_url(char *out, size_t cap, const struct bl *b,
		       const char *name, const char *suffix)
{
	if ((size_t)snprintf(out, cap, "%s/sandboxes/%s%s", b->api_url, name,
			     suffix ? suffix : "") >= cap)
		return WSP_ETOOBIG;
	return 0;
}

/* GET the sandbox: 0 with *sb, WSP_ENOTFOUND when there is none. */
static int get_sandbox(cJSON **sb, struct bl *b, const char *name,
		       const wsp_call *call, wsp_error *err)
{
	char url[BL_URL_MAX];
	struct bl_req r = {.method = "GET", .url = url, .call = call};
	int status = 0, rc;

	*sb = NULL;
	if (sandbox_url(url, sizeof(url), b, name, NULL))
		return wsp_error_set(err, WSP_ETOOBIG, "api_url too long");
	rc = bl_request(&status, sb, b, &r, err);
	if (rc)
		return rc;
	if (status == 200 && cJSON_IsObject(*sb))
		return 0;
	rc = status == 404 ? wsp_error_set(err, WSP_ENOTFOUND,
					   "Blaxel sandbox '%s' not found",
					   name)
			   : status == 200
				     ? wsp_error_set(err, WSP_EPROTO,
						     "Blaxel sent no sandbox")
				     : bl_fail(b, status, *sb,
					       "cannot get the Blaxel sandbox",
					       err);
	cJSON_Delete(*sb);
	*sb = NULL;
	return rc;
}

static const char *status_of(const cJSON *sb)
{
	const char *s = bl_str(sb, "status");

	return s ? s : "";
}

static int is(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(s, *set))
			return 1;
	return 0;
}

static const char *const DEPLOYING[] = {"DEPLOYING", "BUILDING", "UPLOADING",
					"UNARCHIVING", "BUILT", NULL};
static const char *const GONE[] = {"DELETING", "TERMINATED", NULL};
static const char *const ARCHIVED[] = {"ARCHIVING", "ARCHIVED", NULL};

/* The data plane URL of a sandbox answer, checked before it is used. */
static int take_url(struct bl *b, const cJSON *sb, wsp_error *err)
{
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(sb, "metadata");
	const char *u = bl_str(md, "url");

	if (!u || !rmt_is_http(u) ||
	    strlen(u) >= sizeof(b->url) || strpbrk(u, " ?#\r\n"))
		return wsp_error_set(err, WSP_EPROTO,
				     "Blaxel sandbox '%s' has no usable URL",
				     b->name);
	snprintf(b->url, sizeof(b->url), "%s", u);
	{ /* no trailing '/': paths are appended */
		size_t n = strlen(b->url);

		while (n > 8 && b->url[n - 1] == '/')
			b->url[--n] = '\0';
	}
	return 0;
}

/* Sleep up to ms, less when the call or the limit ends sooner. */
static int pause_ms(struct bl *b, const wsp_call *call, int64_t until,
		    int64_t ms, const char *what, wsp_error *err)
{
	int64_t left = until - rmt_now_ms(), rem;
	int code = b->host->call_expired(b->host, call);

	if (code)
		return wsp_error_set(err, code, "%s: %s", what,
				     code == WSP_ECANCELED ? "canceled"
							   : "the deadline "
							     "passed");
	if (left <= 0)
		return wsp_error_set(err, WSP_ETIMEDOUT,
				     "%s: not done within start_timeout", what);
	rem = b->host->call_remaining_ms(b->host, call);
	if (ms > left)
		ms = left;
	if (rem >= 0 && ms > rem)
		ms = rem;
	usleep((useconds_t)(ms > 0 ? ms : 1) * 1000);
	return 0;
}

/*
 * Wait until the sandbox is DEPLOYED, unarchiving it when it is (or is
 * becoming) archived, and keep its URL. Polls with a growing pause:
 * Blaxel has no event for "deployed".
 */
static int wait_deployed(struct bl *b, const wsp_call *call, cJSON *sb,
			 wsp_error *err)
{
	int64_t until = rmt_now_ms() + b->start_timeout_ms, pause = 100;
	char url[BL_URL_MAX], what[128];
	int rc = 0;

	snprintf(what, sizeof(what), "Blaxel sandbox '%s'", b->name);
	for (;;) {
		const char *st = status_of(sb);

		if (!strcmp(st, "DEPLOYED")) {
			rc = take_url(b, sb, err);
			break;
		}
		if (!strcmp(st, "ARCHIVED")) {
			struct bl_req r = {.method = "POST", .url = url,
					   .call = call};
			int status = 0;
			cJSON *ans = NULL;

			sandbox_url(url, sizeof(url), b, b->name,
				    "/unarchive");
			rc = bl_request(&status, &ans, b, &r, err);
			/* 409: someone else is unarchiving it already */
			if (!rc && status != 200 && status != 409)
				rc = bl_fail(b, status, ans,
					     "cannot unarchive the Blaxel "
					     "sandbox",
					     err);
			cJSON_Delete(ans);
			if (rc)
				break;
		} else if (!is(st, DEPLOYING) && !is(st, ARCHIVED)) {
			rc = wsp_error_set(err, WSP_EUNAVAIL,
					   "%s is %s: destroy it to make a new "
					   "one",
					   what, *st ? st : "in no known state");
			break;
		}
		if ((rc = pause_ms(b, call, until, pause, what, err)))
			break;
		pause = pause < 1000 ? pause * 2 : 1000;
		cJSON_Delete(sb);
		if ((rc = get_sandbox(&sb, b, b->name, call, err)))
			return rc;
	}
	cJSON_Delete(sb);
	return rc;
}

static int create(struct bl *b, const wsp_call *call, int *created,
		  wsp_error *err)
{
	cJSON *body = cJSON_CreateObject(), *md, *spec, *rt, *ans = NULL;
	char url[BL_URL_MAX], *text = NULL;
	struct bl_req r = {.method = "POST", .url = url, .call = call};
	int status = 0, rc;

	snprintf(url, sizeof(url), "%s/sandboxes", b->api_url);
	md = cJSON_AddObjectToObject(body, "metadata");
	spec = cJSON_AddObjectToObject(body, "spec");
	rt = spec ? cJSON_AddObjectToObject(spec, "runtime") : NULL;
	if (!rt || !cJSON_AddStringToObject(md, "name", b->name) ||
	    !cJSON_AddItemToObject(md, "labels",
				   cJSON_Duplicate(b->labels, 1)) ||
	    (b->region && !cJSON_AddStringToObject(spec, "region", b->region)) ||
	    !cJSON_AddStringToObject(rt, "image", b->image) ||
	    !cJSON_AddNumberToObject(rt, "memory", (double)b->memory_mb) ||
	    (b->ports && !cJSON_AddItemToObject(rt, "ports",
						cJSON_Duplicate(b->ports, 1))) ||
	    (b->envs && !cJSON_AddItemToObject(rt, "envs",
					       cJSON_Duplicate(b->envs, 1))) ||
	    /* what the official SDK sends on every create */
	    !cJSON_AddStringToObject(rt, "generation", "mk3") ||
	    (b->ttl && !cJSON_AddStringToObject(rt, "ttl", b->ttl)) ||
	    !(text = cJSON_PrintUnformatted(body))) {
		cJSON_Delete(body);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	cJSON_Delete(body);
	r.body = text;
	r.body_len = strlen(text);
	/* not retried by the core (POST): a lost answer shows up as 409 */
	rc = bl_request(&status, &ans, b, &r, err);
	free(text);
	if (!rc && (status == 200 || status == 201)) {
		*created = 1;
		if (!strcmp(status_of(ans), "DEPLOYED") ||
		    is(status_of(ans), DEPLOYING))
			return wait_deployed(b, call, ans, err);
	} else if (!rc && status != 409) {
		rc = bl_fail(b, status, ans, "cannot create the Blaxel sandbox",
			     err);
	}
	cJSON_Delete(ans);
	if (rc)
		return rc;
	/* 409 (another wsp won), or an answer without a status: look */
	if ((rc = get_sandbox(&ans, b, b->name, call, err)))
		return rc;
	return wait_deployed(b, call, ans, err);
}

/* The stored name, when the state store has a well-formed one. */
static int kept_name(char out[BL_NAME_MAX + 1], struct bl *b)
{
	char *kept = NULL, tmp[BL_NAME_MAX + 1];
	size_t kept_len = 0;
	int ok = 0;

	if (!b->state || !b->host->state_get ||
	    b->host->state_get(&kept, &kept_len, b->host, b->state, KEY_NAME,
			       NULL))
		return 0;
	/* only a well-formed name is taken from the file */
	if (kept_len && kept_len <= BL_NAME_MAX && strlen(kept) == kept_len &&
	    !bl_name_from_id(tmp, sizeof(tmp), kept) && !strcmp(tmp, kept)) {
		memcpy(out, tmp, sizeof(tmp));
		ok = 1;
	}
	b->host->free(b->host, kept);
	return ok;
}

/*
 * The sandbox called name, if it is this id's: 0 with *sb, WSP_ENOTFOUND
 * when there is none, WSP_EEXIST when it carries another id's label. One
 * being deleted is waited out (then there is none).
 */
static int look(cJSON **sb, struct bl *b, const char *name,
		const wsp_call *call, wsp_error *err)
{
	int rc = get_sandbox(sb, b, name, call, err);

	if (!rc && is(status_of(*sb), GONE)) {
		int64_t until = rmt_now_ms() + b->start_timeout_ms;

		while (!rc) {
			cJSON_Delete(*sb);
			*sb = NULL;
			rc = pause_ms(b, call, until, 250, "a deleted sandbox",
				      err);
			if (!rc)
				rc = get_sandbox(sb, b, name, call, err);
		}
	}
	if (!rc && !bl_owned(b, *sb)) {
		cJSON_Delete(*sb);
		*sb = NULL;
		rc = WSP_EEXIST;
	}
	return rc;
}

/*
 * Where this id's sandbox is, in order: the name a previous wsp reached
 * (the state store; it may differ from the options' if they changed
 * since: the one that exists wins), the options' name, then the wsp-id
 * label (find.c). 0 with *sb and b->name set; WSP_ENOTFOUND with
 * b->name the options' name and *taken when another id's sandbox holds
 * it. The caller holds b->lock.
 */
static int locate(cJSON **sb, int *taken, struct bl *b, const wsp_call *call,
		  wsp_error *err)
{
	char kept[BL_NAME_MAX + 1] = "";
	int rc = WSP_ENOTFOUND;

	*sb = NULL;
	*taken = 0;
	if (kept_name(kept, b)) {
		memcpy(b->name, kept, sizeof(b->name));
		rc = look(sb, b, b->name, call, err);
		*taken = rc == WSP_EEXIST && !strcmp(kept, b->config_name);
	}
	if ((rc == WSP_ENOTFOUND || rc == WSP_EEXIST) &&
	    strcmp(kept, b->config_name)) {
		memcpy(b->name, b->config_name, sizeof(b->name));
		rc = look(sb, b, b->name, call, err);
		*taken = rc == WSP_EEXIST;
	}
	if (rc == WSP_ENOTFOUND || rc == WSP_EEXIST) {
		rc = bl_find_by_label(b->name, sizeof(b->name), b, call, err);
		if (!rc)
			rc = get_sandbox(sb, b, b->name, call, err);
	}
	if (rc == WSP_ENOTFOUND)
		memcpy(b->name, b->config_name, sizeof(b->name));
	return rc;
}

/* Reach (or make) the sandbox; the caller holds b->lock. */
static int connect_locked(uint32_t *outcome, struct bl *b,
			  const wsp_call *call, wsp_error *err)
{
	cJSON *sb = NULL;
	int created = 0, taken = 0;
	int rc = locate(&sb, &taken, b, call, err);

	if (rc == WSP_ENOTFOUND && taken)
		rc = wsp_error_set(err, WSP_EEXIST,
				   "the Blaxel sandbox '%s' belongs to another "
				   "wsp sandbox id; give this one a name of "
				   "its own (option 'name')",
				   b->name);
	else if (rc == WSP_ENOTFOUND)
		rc = create(b, call, &created, err);
	else if (!rc)
		rc = wait_deployed(b, call, sb, err);
	if (rc) {
		b->url[0] = '\0';
		return rc;
	}
	if (b->state && b->host->state_put)
		b->host->state_put(b->host, b->state, KEY_NAME, b->name,
				   strlen(b->name), NULL);
	if (outcome)
		*outcome = created ? WSP_START_CREATED : WSP_START_CONNECTED;
	return 0;
}

/*
 * The sandbox as it is now, for status, info, stop and destroy: by the
 * name reached when connected, else located as start would (never
 * created), so none of them touches another id's sandbox of that name.
 */
static int current_locked(cJSON **sb, struct bl *b, const wsp_call *call,
			  wsp_error *err)
{
	int taken = 0;

	return b->url[0] || b->stopped ? get_sandbox(sb, b, b->name, call, err)
				       : locate(sb, &taken, b, call, err);
}

static int current(cJSON **sb, struct bl *b, const wsp_call *call,
		   wsp_error *err)
{
	int rc;

	pthread_mutex_lock(&b->lock);
	rc = current_locked(sb, b, call, err);
	pthread_mutex_unlock(&b->lock);
	return rc;
}

int bl_start(uint32_t *out, void *self, const wsp_call *call, uint32_t flags,
	     wsp_error *err)
{
	struct bl *b = self;
	int rc;

	(void)flags;
	pthread_mutex_lock(&b->lock);
	rc = connect_locked(out, b, call, err);
	if (!rc)
		b->stopped = 0;
	pthread_mutex_unlock(&b->lock);
	return rc;
}

int bl_ready(char *url, size_t cap, struct bl *b, const wsp_call *call,
	     wsp_error *err)
{
	int rc = 0;

	pthread_mutex_lock(&b->lock);
	/*
	 * A sandbox this instance stopped (archived) stays stopped until
	 * start: a stray command silently unarchiving it would undo an
	 * explicit decision, as for a pause (docs/abi.md).
	 */
	if (b->stopped)
		rc = wsp_error_set(err, WSP_EBUSY,
				   "the Blaxel sandbox '%s' is stopped; start "
				   "it first",
				   b->name);
	else if (!b->url[0])
		rc = connect_locked(NULL, b, call, err);
	if (!rc)
		snprintf(url, cap, "%s", b->url);
	pthread_mutex_unlock(&b->lock);
	return rc;
}

int bl_stop(void *self, const wsp_call *call, uint32_t flags, wsp_error *err)
{
	struct bl *b = self;
	char url[BL_URL_MAX], what[128];
	struct bl_req r = {.method = "POST", .url = url, .call = call};
	int64_t until = rmt_now_ms() + b->start_timeout_ms;
	cJSON *ans = NULL;
	int status = 0, rc;

	(void)flags;
	pthread_mutex_lock(&b->lock);
	rc = current_locked(&ans, b, call, err);
	cJSON_Delete(ans);
	ans = NULL;
	if (rc == WSP_ENOTFOUND) { /* none of ours: nothing to stop */
		pthread_mutex_unlock(&b->lock);
		return 0;
	}
	snprintf(what, sizeof(what), "archiving Blaxel sandbox '%s'", b->name);
	b->url[0] = '\0';
	sandbox_url(url, sizeof(url), b, b->name, "/archive");
	if (!rc)
		rc = bl_request(&status, &ans, b, &r, err);
	cJSON_Delete(ans);
	ans = NULL;
	/* 404: nothing to stop; 409: not DEPLOYED (archiving, or archived) */
	if (!rc && status == 404)
		goto out;
	if (!rc && status != 200 && status != 409) {
		rc = bl_fail(b, status, NULL, "cannot archive the Blaxel sandbox",
			     err);
		goto out;
	}
	while (!rc && !(rc = get_sandbox(&ans, b, b->name, call, err))) {
		const char *st = status_of(ans);

		if (!strcmp(st, "ARCHIVED"))
			break;
		if (strcmp(st, "ARCHIVING")) {
			rc = wsp_error_set(err, WSP_EBUSY, "%s: it is %s", what,
					   *st ? st : "in no known state");
			break;
		}
		cJSON_Delete(ans);
		ans = NULL;
		rc = pause_ms(b, call, until, 250, what, err);
	}
	if (rc == WSP_ENOTFOUND)
		rc = 0;
out:
	if (!rc)
		b->stopped = 1;
	cJSON_Delete(ans);
	pthread_mutex_unlock(&b->lock);
	return rc;
}

int bl_destroy(void *self, const wsp_call *call, uint32_t flags,
	       wsp_error *err)
{
	struct bl *b = self;
	char url[BL_URL_MAX];
	struct bl_req r = {.method = "DELETE", .url = url, .call = call};
	cJSON *ans = NULL;
	int status = 0, rc;

	(void)flags; /* the files are the sandbox's: they go with it */
	pthread_mutex_lock(&b->lock);
	rc = current_locked(&ans, b, call, err);
	cJSON_Delete(ans);
	ans = NULL;
	sandbox_url(url, sizeof(url), b, b->name, NULL);
	if (!rc)
		rc = bl_request(&status, &ans, b, &r, err);
	if (rc == WSP_ENOTFOUND) { /* none of ours: destroyed already */
		rc = 0;
		status = 404;
	}
	if (!rc && status != 200 && status != 202 && status != 204 &&
	    status != 404)
		rc = bl_fail(b, status, ans, "cannot delete the Blaxel sandbox",
			     err);
	cJSON_Delete(ans);
	/* the key goes only once the sandbox did: a failure keeps the way
	 * back to it */
	if (!rc) {
		b->url[0] = '\0';
		b->stopped = 0; /* the next command makes a new one */
		if (b->state && b->host->state_delete)
			b->host->state_delete(b->host, b->state, KEY_NAME,
					      NULL);
	}
	pthread_mutex_unlock(&b->lock);
	return rc;
}

static uint32_t state_of(const cJSON *sb)
{
	const char *st = status_of(sb);

	if (!strcmp(st, "DEPLOYED"))
		return WSP_SANDBOX_RUNNING;
	if (is(st, DEPLOYING))
		return WSP_SANDBOX_STARTING;
	if (is(st, ARCHIVED) || !strcmp(st, "DEACTIVATED") ||
	    !strcmp(st, "DEACTIVATING"))
		return WSP_SANDBOX_STOPPED;
	if (is(st, GONE))
		return WSP_SANDBOX_ABSENT;
	if (!strcmp(st, "FAILED"))
		return WSP_SANDBOX_ERROR;
	return WSP_SANDBOX_UNKNOWN;
}

int bl_status(uint32_t *out, void *self, const wsp_call *call, uint32_t flags,
	      wsp_error *err)
{
	struct bl *b = self;
	cJSON *sb = NULL;
	int rc;

	(void)flags;
	rc = current(&sb, b, call, err);
	if (rc == WSP_ENOTFOUND) {
		*out = WSP_SANDBOX_ABSENT;
		return 0;
	}
	if (rc)
		return rc;
	*out = state_of(sb);
	cJSON_Delete(sb);
	return 0;
}

int bl_info(void *self, const wsp_call *call, uint32_t flags, wsp_kv_fn cb,
	    void *payload, wsp_error *err)
{
	static const char *const names[] = {"unknown", "absent", "starting",
					    "running", "stopped", "paused",
					    "error"};
	struct bl *b = self;
	char mem[32], buf[64];
	cJSON *sb = NULL;
	const cJSON *md, *rt;
	int rc;

	(void)flags;
	rc = current(&sb, b, call, err);
	if (rc && rc != WSP_ENOTFOUND)
		return rc;
	md = cJSON_GetObjectItemCaseSensitive(sb, "metadata");
	rt = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(sb, "spec"), "runtime");
	snprintf(mem, sizeof(mem), "%llu",
		 (unsigned long long)b->memory_mb * 1024ull * 1024ull);
	if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(rt, "memory")))
		snprintf(mem, sizeof(mem), "%.0f",
			 cJSON_GetObjectItemCaseSensitive(rt, "memory")
					 ->valuedouble *
				 1024.0 * 1024.0);
	snprintf(buf, sizeof(buf), "%s",
		 names[sb ? state_of(sb) : WSP_SANDBOX_ABSENT]);
	rc = 0;
	rc = rmt_kv(rc, cb, payload, "id", b->instance_id);
	rc = rmt_kv(rc, cb, payload, "provider", "blaxel");
	rc = rmt_kv(rc, cb, payload, "state", buf);
	rc = rmt_kv(rc, cb, payload, "memory_bytes", mem);
	rc = rmt_kv(rc, cb, payload, "isolation", "microvm");
	rc = rmt_kv(rc, cb, payload, "working_dir", b->working_dir);
	rc = rmt_kv(rc, cb, payload, "name", b->name);
	rc = rmt_kv(rc, cb, payload, "workspace", b->workspace);
	rc = rmt_kv(rc, cb, payload, "status",
		    sb ? bl_str(sb, "status") : "absent");
	rc = rmt_kv(rc, cb, payload, "standby",
		    sb ? bl_str(sb, "state") : NULL);
	rc = rmt_kv(rc, cb, payload, "region",
		    sb ? bl_str(cJSON_GetObjectItemCaseSensitive(sb, "spec"),
				"region")
		       : b->region);
	rc = rmt_kv(rc, cb, payload, "image",
		    rt ? bl_str(rt, "image") : b->image);
	rc = rmt_kv(rc, cb, payload, "url", md ? bl_str(md, "url") : NULL);
	rc = rmt_kv(rc, cb, payload, "ttl", rt ? bl_str(rt, "ttl") : b->ttl);
	cJSON_Delete(sb);
	if (rc)
		return wsp_error_set(err, rc, "info stopped by its callback");
	return 0;
}

int bl_instructions(void *self, const wsp_call *call, uint32_t flags,
		    wsp_sink_fn sink, void *payload, wsp_error *err)
{
	struct bl *b = self;
	char text[1024];
	int n;

	(void)call;
	(void)flags;
	n = snprintf(text, sizeof(text),
		     "Commands run in a Blaxel sandbox (a micro-VM, %llu MiB, "
		     "image %s) as root, in %s by default, with /bin/sh. Files "
		     "written there stay while the sandbox exists; it is not "
		     "the machine wsp runs on.\n",
		     (unsigned long long)b->memory_mb, b->image,
		     b->working_dir);
	return rmt_instructions(sink, payload, text, n, sizeof(text), err);
}
