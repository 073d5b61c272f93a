/*
 * plugins/sandbox-blaxel/preview.c - how to reach a port inside the
 * sandbox from the host (`wsp sandbox url PORT`): a Blaxel preview and,
 * for a private one, a token of its own.
 *
 * One preview per port, named `wsp-port-<port>`, made once and found
 * again by that name by any later wsp. Previews are private (Blaxel's
 * default): each call makes a fresh token (`POST .../tokens`, valid
 * TOKEN_TTL_S) sent as X-Blaxel-Preview-Token, a secret: never logged,
 * never in a message, masked by the CLI. The token route is built from
 * the preview's own metadata.resourceName, as the official SDK does.
 */
#include "blaxel.h"
#include "remote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TOKEN_TTL_S (24 * 3600)
#define TOKEN_HEADER "X-Blaxel-Preview-Token"

/* POST body to url; 0 with *ans on a 2xx, else the error made of it. */
static int post(cJSON **ans, struct bl *b, const char *url, cJSON *body,
		const wsp_call *call, const char *what, int *status,
		wsp_error *err)
{
	/* both are safe to send twice: a second preview of one name is a
	 * 409, a second token one token more */
	struct bl_req r = {.method = "POST", .url = url, .call = call,
			   .flags = WSP_HTTP_IDEMPOTENT};
	char *text = cJSON_PrintUnformatted(body);
	int rc;

	cJSON_Delete(body);
	if (!text)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	r.body = text;
	r.body_len = strlen(text);
	rc = bl_request(status, ans, b, &r, err);
	free(text);
	if (!rc && *status != 200 && *status != 201 && *status != 409)
		rc = bl_fail(b, *status, *ans, what, err);
	return rc;
}

/* The preview of port, made when there is none yet. */
static int get_or_make(cJSON **p, struct bl *b, const char *name,
		       uint32_t port, const wsp_call *call, wsp_error *err)
{
	char url[BL_URL_MAX + 128];
	struct bl_req r = {.method = "GET", .url = url, .call = call};
	int status = 0, rc;

	char pname[32];

	snprintf(pname, sizeof(pname), "wsp-port-%u", port);
	for (int made = 0;; made++) {
		cJSON *body, *md, *spec;

		snprintf(url, sizeof(url), "%s/sandboxes/%s/previews/%s",
			 b->api_url, name, pname);
		if ((rc = bl_request(&status, p, b, &r, err)))
			return rc;
		if (status == 200 && cJSON_IsObject(*p))
			return 0;
		if (status != 404 || made)
			break;
		cJSON_Delete(*p);
		*p = NULL;
		body = cJSON_CreateObject();
		md = cJSON_AddObjectToObject(body, "metadata");
		spec = cJSON_AddObjectToObject(body, "spec");
		if (!spec || !cJSON_AddStringToObject(md, "name", pname) ||
		    !cJSON_AddNumberToObject(spec, "port", port) ||
		    !cJSON_AddFalseToObject(spec, "public")) {
			cJSON_Delete(body);
			return wsp_error_set(err, WSP_ENOMEM, "out of memory");
		}
		snprintf(url, sizeof(url), "%s/sandboxes/%s/previews",
			 b->api_url, name);
		/* 409: another wsp made it meanwhile; either way, GET it */
		rc = post(p, b, url, body, call,
			  "cannot make the Blaxel preview", &status, err);
		cJSON_Delete(*p);
		*p = NULL;
		if (rc)
			return rc;
	}
	rc = bl_fail(b, status, *p, "cannot get the Blaxel preview", err);
	cJSON_Delete(*p);
	*p = NULL;
	return rc;
}

/* A fresh token of the preview, into out's header. */
static int token(wsp_preview *out, struct bl *b, const char *resource,
		 uint32_t port, const wsp_call *call, wsp_error *err)
{
	char url[BL_URL_MAX + 160], tname[48], when[32];
	cJSON *body = cJSON_CreateObject(), *md, *spec, *ans = NULL;
	time_t t = time(NULL) + TOKEN_TTL_S;
	struct tm tm;
	const char *tok;
	int status = 0, rc;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	bl_random_name(tname, sizeof(tname), "wsp-token-");
	md = cJSON_AddObjectToObject(body, "metadata");
	spec = cJSON_AddObjectToObject(body, "spec");
	if (!spec || !cJSON_AddStringToObject(md, "name", tname) ||
	    !cJSON_AddStringToObject(spec, "expiresAt", when)) {
		cJSON_Delete(body);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	snprintf(url, sizeof(url), "%s/sandboxes/%s/previews/wsp-port-%u/tokens",
		 b->api_url, resource, port);
	rc = post(&ans, b, url, body, call,
		  "cannot make a Blaxel preview token", &status, err);
	tok = bl_str(cJSON_GetObjectItemCaseSensitive(ans, "spec"), "token");
	if (!rc && (status == 409 || !tok || !*tok ||
		    strlen(tok) >= sizeof(out->header_value) ||
		    strpbrk(tok, "\r\n")))
		rc = wsp_error_set(err, WSP_EPROTO,
				   "Blaxel's preview token answer is unusable");
	if (!rc) {
		snprintf(out->header_name, sizeof(out->header_name), "%s",
			 TOKEN_HEADER);
		snprintf(out->header_value, sizeof(out->header_value), "%s",
			 tok);
	}
	cJSON_Delete(ans);
	return rc;
}

int bl_preview(wsp_preview *out, void *self, const wsp_call *call,
	       uint32_t port, uint32_t flags, wsp_error *err)
{
	struct bl *b = self;
	char data[BL_URL_MAX], name[BL_NAME_MAX + 1], res[BL_NAME_MAX + 1];
	const cJSON *md, *spec;
	const char *u, *r;
	cJSON *p = NULL;
	int rc;

	(void)flags;
	if (port < 1 || port > 65535)
		return wsp_error_set(err, WSP_EINVAL,
				     "port %u is not a TCP port", port);
	/* the sandbox this id reaches, started (or found) first */
	if ((rc = bl_ready(data, sizeof(data), b, call, err)))
		return rc;
	pthread_mutex_lock(&b->lock);
	memcpy(name, b->name, sizeof(name));
	pthread_mutex_unlock(&b->lock);
	if ((rc = get_or_make(&p, b, name, port, call, err)))
		return rc;
	md = cJSON_GetObjectItemCaseSensitive(p, "metadata");
	spec = cJSON_GetObjectItemCaseSensitive(p, "spec");
	u = bl_str(spec, "url");
	r = bl_str(md, "resourceName");
	/* checked before use: the URL goes to the user, the name into a path */
	if (!u || !rmt_is_http(u) ||
	    strlen(u) >= sizeof(out->url) || strpbrk(u, " \r\n")) {
		cJSON_Delete(p);
		return wsp_error_set(err, WSP_EPROTO,
				     "Blaxel's preview has no usable URL");
	}
	snprintf(out->url, sizeof(out->url), "%s", u);
	if (!r || bl_name_from_id(res, sizeof(res), r) || strcmp(res, r))
		snprintf(res, sizeof(res), "%s", name);
	rc = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(spec, "public"))
		     ? 0
		     : token(out, b, res, port, call, err);
	cJSON_Delete(p);
	if (rc)
		memset(out->header_value, 0, sizeof(out->header_value));
	return rc;
}
