/*
 * plugins/sandbox-e2b/lifecycle.c - find, connect to or create the E2B
 * sandbox of wsp's logical id.
 *
 * E2B names sandboxes itself, so the id it gave is kept in the host state
 * store ("sandbox-id"); when the store is gone (another machine, a wiped
 * state directory) the sandbox is found again by its metadata wsp-id,
 * which every sandbox made here carries, so a logical id never gets two
 * sandboxes. Connecting always sends the configured timeout (Mastra
 * sends none, and a resumed sandbox gets E2B's 300 s forever: mastra
 * #24621); it also resumes a paused sandbox.
 *
 * A sandbox that expired or was killed outside wsp is said so, in the
 * log when start makes a new one in its place and in the error of the
 * command that finds it gone (which forgets it: the next start or
 * command makes a new one).
 */
#include "procs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_ID "sandbox-id"
#define KEY_HOLD "hold"

/* E2B's sandbox ids: letters and digits (a check on what we store). */
static int id_ok(const char *s, size_t len)
{
	if (!len || len >= E2B_ID_MAX || strlen(s) != len)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '-'))
			return 0;
	return 1;
}

/* A state-store value, "" when absent or unusable. */
static void kept(char *out, size_t cap, struct e2b *e, const char *key)
{
	char *v = NULL;
	size_t len = 0;

	out[0] = '\0';
	if (!e->state || !e->host->state_get ||
	    e->host->state_get(&v, &len, e->host, e->state, key, NULL))
		return;
	if (len < cap && strlen(v) == len)
		memcpy(out, v, len + 1);
	e->host->free(e->host, v);
}

static void keep(struct e2b *e, const char *key, const char *value)
{
	if (!e->state || !e->host->state_put)
		return;
	if (value && *value)
		e->host->state_put(e->host, e->state, key, value,
				   strlen(value), NULL);
	else if (e->host->state_delete)
		e->host->state_delete(e->host, e->state, key, NULL);
}

void e2b_hold(struct e2b *e, const char *why)
{
	snprintf(e->held, sizeof(e->held), "%s", why ? why : "");
	keep(e, KEY_HOLD, e->held);
}

void e2b_forget(struct e2b *e)
{
	memset(&e->conn, 0, sizeof(e->conn));
	keep(e, KEY_ID, NULL);
	e2b_hold(e, NULL);
}

int e2b_gone(struct e2b *e, const char *id, wsp_error *err)
{
	char shown[E2B_ID_MAX];

	snprintf(shown, sizeof(shown), "%s", id);
	pthread_mutex_lock(&e->lock);
	if (!strcmp(e->conn.id, shown))
		e2b_forget(e);
	pthread_mutex_unlock(&e->lock);
	return wsp_error_set(err, WSP_EUNAVAIL,
			     "the E2B sandbox %s is gone (its timeout passed "
			     "or it was killed outside wsp); the next start "
			     "makes a new one",
			     shown);
}

int e2b_lost(struct e2b *e, const char *id, const wsp_call *call, int *gone,
	     wsp_error *err)
{
	char path[E2B_ID_MAX + 16], shown[E2B_ID_MAX];
	struct e2b_req r = {.plane = E2B_CONTROL, .method = "GET",
			    .path = path, .call = call};
	cJSON *sb = NULL;
	const char *st;
	int status = 0, rc;

	snprintf(shown, sizeof(shown), "%s", id);
	snprintf(path, sizeof(path), "/sandboxes/%s", shown);
	if ((rc = e2b_request(&status, &sb, e, &r, err)))
		return rc;
	st = e2b_str(sb, "state");
	if (status == 404) {
		*gone = 1;
		rc = e2b_gone(e, shown, err);
	} else if (status == 200 && st && !strcmp(st, "paused")) {
		pthread_mutex_lock(&e->lock);
		if (!strcmp(e->conn.id, shown) && !e->held[0])
			e2b_hold(e, "paused");
		pthread_mutex_unlock(&e->lock);
		rc = wsp_error_set(err, WSP_EBUSY,
				   "the E2B sandbox %s was paused outside this "
				   "command (or by its timeout, with "
				   "auto_pause); resume it",
				   shown);
	} else if (status == 200) {
		rc = wsp_error_set(err, WSP_EUNAVAIL,
				   "envd of the E2B sandbox %s did not answer "
				   "(HTTP 502 from E2B's proxy)",
				   shown);
	} else {
		rc = e2b_fail(e, status, sb, "cannot get the E2B sandbox", err);
	}
	cJSON_Delete(sb);
	return rc;
}

int e2b_take_sandbox(struct e2b *e, const cJSON *sb, wsp_error *err)
{
	const char *id = e2b_str(sb, "sandboxID");
	const char *tok = e2b_str(sb, "envdAccessToken");
	const char *dom = e2b_str(sb, "domain");
	const char *traffic = e2b_str(sb, "trafficAccessToken");
	const char *envd = e2b_str(sb, "envdVersion");
	int n;

	if (!id || !id_ok(id, strlen(id)))
		return wsp_error_set(err, WSP_EPROTO,
				     "E2B's answer names no usable sandbox");
	struct e2b_conn *c = &e->conn;

	if ((tok && (strlen(tok) >= sizeof(c->token) ||
		     strpbrk(tok, "\r\n"))) ||
	    (traffic && (strlen(traffic) >= sizeof(c->traffic) ||
			 strpbrk(traffic, "\r\n"))))
		return wsp_error_set(err, WSP_EPROTO,
				     "E2B sent an unusable access token");
	snprintf(c->id, sizeof(c->id), "%s", id);
	snprintf(c->token, sizeof(c->token), "%s", tok ? tok : "");
	snprintf(c->traffic, sizeof(c->traffic), "%s", traffic ? traffic : "");
	snprintf(c->envd, sizeof(c->envd), "%s", envd ? envd : "");
	/* the answer's domain wins, as in the SDK; a fixed URL over both */
	if (!dom || !*dom || strlen(dom) >= sizeof(c->domain) ||
	    strpbrk(dom, "/?#@ \r\n"))
		dom = e->domain;
	snprintf(c->domain, sizeof(c->domain), "%s", dom);
	if (e->sandbox_url)
		n = snprintf(c->url, sizeof(c->url), "%s", e->sandbox_url);
	else
		n = snprintf(c->url, sizeof(c->url),
			     "https://" E2B_ENVD_PORT "-%s.%s", c->id, dom);
	if (n < 0 || (size_t)n >= sizeof(c->url)) {
		memset(c, 0, sizeof(*c));
		return wsp_error_set(err, WSP_ETOOBIG, "envd URL too long");
	}
	keep(e, KEY_ID, c->id);
	return 0;
}

/*
 * POST /v2/sandboxes/{id}/connect with the lifetime: 200 (running, TTL
 * extended) or 201 (resumed). WSP_ENOTFOUND when E2B has no such sandbox.
 */
static int connect_id(struct e2b *e, const char *id, const wsp_call *call,
		      wsp_error *err)
{
	char path[E2B_ID_MAX + 32], body[48];
	struct e2b_req r = {.plane = E2B_CONTROL, .method = "POST",
			    .path = path, .body = body, .call = call,
			    /* a repeated connect changes nothing more */
			    .flags = WSP_HTTP_IDEMPOTENT};
	cJSON *ans = NULL;
	int status = 0, rc;

	snprintf(path, sizeof(path), "/v2/sandboxes/%s/connect", id);
	snprintf(body, sizeof(body), "{\"timeout\":%lld}",
		 (long long)e->lifetime_s);
	rc = e2b_request(&status, &ans, e, &r, err);
	if (!rc && status == 404)
		rc = WSP_ENOTFOUND;
	else if (!rc && status != 200 && status != 201)
		rc = e2b_fail(e, status, ans,
			      "cannot connect to the E2B sandbox", err);
	else if (!rc)
		rc = e2b_take_sandbox(e, ans, err);
	cJSON_Delete(ans);
	return rc;
}

/* The newest running or paused sandbox whose wsp-id is ours. */
int e2b_find_id(char *id, size_t cap, struct e2b *e,
			    const wsp_call *call, wsp_error *err)
{
	char k[32], v[800], pair[900], q[2800], path[3000];
	struct e2b_req r = {.plane = E2B_CONTROL, .method = "GET",
			    .path = path, .call = call};
	cJSON *ans = NULL, *it;
	int status = 0, rc;

	/* key and value encoded, then the pair once more, as the SDK does */
	if (e2b_escape(k, sizeof(k), E2B_META_ID) ||
	    e2b_escape(v, sizeof(v), e->instance_id))
		return wsp_error_set(err, WSP_ETOOBIG, "sandbox id too long");
	snprintf(pair, sizeof(pair), "%s=%s", k, v);
	if (e2b_escape(q, sizeof(q), pair))
		return wsp_error_set(err, WSP_ETOOBIG, "sandbox id too long");
	snprintf(path, sizeof(path),
		 "/v2/sandboxes?metadata=%s&state=running,paused&limit=10", q);
	if ((rc = e2b_request(&status, &ans, e, &r, err)))
		return rc;
	rc = WSP_ENOTFOUND;
	if (status != 200)
		rc = e2b_fail(e, status, ans, "cannot list the E2B sandboxes",
			      err);
	else
		cJSON_ArrayForEach(it, ans)
		{
			const cJSON *md = cJSON_GetObjectItemCaseSensitive(
				it, "metadata");
			const char *mine = e2b_str(md, E2B_META_ID);
			const char *sid = e2b_str(it, "sandboxID");

			/* only an exact match: the query is E2B's */
			if (mine && sid && !strcmp(mine, e->instance_id) &&
			    id_ok(sid, strlen(sid)) && strlen(sid) < cap) {
				snprintf(id, cap, "%s", sid);
				rc = 0;
				break;
			}
		}
	cJSON_Delete(ans);
	return rc;
}

/*
 * "network": allowOut and denyOut (the rules), allowPublicTraffic false
 * (ports need the traffic token); absent when nothing is set.
 */
static int network(cJSON *body, const struct e2b *e)
{
	cJSON *net;

	if (!e->allow_out && !e->deny_out && e->public_traffic)
		return 1;
	net = cJSON_AddObjectToObject(body, "network");
	return net &&
	       (!e->allow_out ||
		cJSON_AddItemToObject(net, "allowOut",
				      cJSON_Duplicate(e->allow_out, 1))) &&
	       (!e->deny_out ||
		cJSON_AddItemToObject(net, "denyOut",
				      cJSON_Duplicate(e->deny_out, 1))) &&
	       (e->public_traffic ||
		cJSON_AddFalseToObject(net, "allowPublicTraffic"));
}

static int create(struct e2b *e, const wsp_call *call, wsp_error *err)
{
	cJSON *body = cJSON_CreateObject(), *ans = NULL;
	struct e2b_req r = {.plane = E2B_CONTROL, .method = "POST",
			    .path = "/v2/sandboxes", .call = call};
	char *text = NULL;
	int status = 0, rc;

	if (!body || !cJSON_AddStringToObject(body, "templateID",
					      e->template_id) ||
	    !cJSON_AddItemToObject(body, "metadata",
				   cJSON_Duplicate(e->metadata, 1)) ||
	    (e->envs && !cJSON_AddItemToObject(body, "envVars",
					       cJSON_Duplicate(e->envs, 1))) ||
	    !cJSON_AddNumberToObject(body, "timeout", (double)e->lifetime_s) ||
	    !cJSON_AddBoolToObject(body, "allow_internet_access",
				   e->allow_internet) ||
	    !cJSON_AddBoolToObject(body, "autoPause", e->auto_pause) ||
	    /* v2 secures every sandbox; only "no" needs saying */
	    (!e->secure && !cJSON_AddFalseToObject(body, "secure")) ||
	    !network(body, e) ||
	    !(text = cJSON_PrintUnformatted(body))) {
		cJSON_Delete(body);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	cJSON_Delete(body);
	r.body = text;
	/* not retried (POST): a second try could make a second sandbox */
	rc = e2b_request(&status, &ans, e, &r, err);
	free(text);
	if (!rc && status != 200 && status != 201)
		rc = e2b_fail(e, status, ans, "cannot create the E2B sandbox",
			      err);
	else if (!rc)
		rc = e2b_take_sandbox(e, ans, err);
	cJSON_Delete(ans);
	return rc;
}

void e2b_kept_id(char *out, size_t cap, struct e2b *e)
{
	if (e->conn.id[0]) {
		snprintf(out, cap, "%s", e->conn.id);
		return;
	}
	/* a fresh instance: what an earlier wsp left */
	kept(out, cap, e, KEY_ID);
	kept(e->held, sizeof(e->held), e, KEY_HOLD);
	if (out[0] && !id_ok(out, strlen(out)))
		out[0] = '\0';
}

int e2b_connect_locked(uint32_t *outcome, struct e2b *e,
		       const wsp_call *call, wsp_error *err)
{
	char id[E2B_ID_MAX];
	int rc = WSP_ENOTFOUND;

	e2b_kept_id(id, sizeof(id), e);
	if (id[0]) {
		rc = connect_id(e, id, call, err);
		if (rc == WSP_ENOTFOUND) {
			e->host->log(e->host, WSP_LOG_WARN,
				     "the E2B sandbox %s of '%s' is gone (its "
				     "timeout passed or it was killed outside "
				     "wsp)",
				     id, e->instance_id);
			e2b_forget(e);
		}
	}
	if (rc == WSP_ENOTFOUND &&
	    !(rc = e2b_find_id(id, sizeof(id), e, call, err)))
		rc = connect_id(e, id, call, err);
	if (rc == WSP_ENOTFOUND) {
		if ((rc = create(e, call, err)))
			return rc;
		if (outcome)
			*outcome = WSP_START_CREATED;
		return 0;
	}
	if (rc == WSP_ENOTFOUND)
		rc = wsp_error_set(err, rc, "the E2B sandbox went away");
	if (!rc && outcome)
		*outcome = WSP_START_CONNECTED;
	return rc;
}

int e2b_start(uint32_t *out, void *self, const wsp_call *call,
	      uint32_t flags, wsp_error *err)
{
	struct e2b *e = self;
	int rc;

	(void)flags;
	pthread_mutex_lock(&e->lock);
	rc = e2b_connect_locked(out, e, call, err);
	if (!rc) /* connect resumed it, whatever held it */
		e2b_hold(e, NULL);
	pthread_mutex_unlock(&e->lock);
	if (!rc) /* a resumed sandbox's processes lost their streams */
		e2b_procs_reattach(e);
	return rc;
}

/* WSP_EBUSY for a sandbox paused or stopped on purpose (lock held). */
static int held(const struct e2b *e, wsp_error *err)
{
	return wsp_error_set(err, WSP_EBUSY,
			     "the E2B sandbox is %s; %s it first", e->held,
			     strcmp(e->held, "paused") ? "start" : "resume");
}

int e2b_ready(struct e2b_conn *c, struct e2b *e, const wsp_call *call,
	      wsp_error *err)
{
	int rc = 0;

	pthread_mutex_lock(&e->lock);
	/*
	 * A sandbox paused or stopped (here or by an earlier wsp) stays so
	 * until resume or start: a stray command silently resuming it would
	 * undo an explicit decision (docs/abi.md).
	 */
	if (!e->conn.id[0])
		kept(e->held, sizeof(e->held), e, KEY_HOLD);
	if (e->held[0])
		rc = held(e, err);
	else if (!e->conn.id[0])
		rc = e2b_connect_locked(NULL, e, call, err);
	if (!rc)
		*c = e->conn;
	pthread_mutex_unlock(&e->lock);
	return rc;
}

int e2b_reach_id(struct e2b_conn *c, struct e2b *e, const char *id,
		 const wsp_call *call, wsp_error *err)
{
	char kept_id[E2B_ID_MAX];
	int rc = 0;

	pthread_mutex_lock(&e->lock);
	e2b_kept_id(kept_id, sizeof(kept_id), e);
	if (strcmp(kept_id, id))
		rc = wsp_error_set(err, WSP_ENOTFOUND,
				   "the E2B sandbox %s is not this instance's "
				   "any more",
				   id);
	else if (e->held[0])
		rc = held(e, err);
	else if (!e->conn.id[0])
		rc = connect_id(e, id, call, err);
	if (!rc)
		*c = e->conn;
	pthread_mutex_unlock(&e->lock);
	return rc;
}
