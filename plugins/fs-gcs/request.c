/*
 * plugins/fs-gcs/request.c - one JSON API request through the core's HTTP
 * service.
 *
 * Object names are one path segment each (their '/' sent as %2F, as GCS
 * requires). The core retries connection failures, 429 and 5xx with
 * backoff; what is left here is the token: a 401 means the service no
 * longer takes it (expired early, revoked), so it is renewed once and the
 * request sent again. Every status reaches the caller (NO_ERROR_MAP),
 * because 404 and 412 are answers, not failures, for most calls.
 */
#include "gcs.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HEADERS 16

/*
 * The slot running on this thread set its call here (gcs_call_enter):
 * the object calls below the slots were written before ABI 2.0 gave
 * every slot a call, and passing it down through each of them would
 * change every signature their tests use for nothing they could check.
 * Threads a slot starts (parallel deletes) enter the same call.
 */
static _Thread_local const wsp_call *current_call;

const wsp_call *gcs_call_enter(const wsp_call *call)
{
	const wsp_call *prev = current_call;

	current_call = call;
	return prev;
}

const wsp_call *gcs_call(void)
{
	return current_call;
}

int gcs_expired(const struct gcs *g, const char *op, const char *name,
		wsp_error *err)
{
	char p[256];
	int code;

	if (!current_call || !g->host->call_expired)
		return 0;
	code = g->host->call_expired(g->host, current_call);
	if (!code)
		return 0;
	gcs_printable(p, sizeof(p), name, strlen(name));
	return wsp_error_set(err, code, "cannot %s '%s': %s", op, p,
			     code == WSP_ECANCELED ? "canceled"
						   : "the deadline passed");
}

char *gcs_encode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = malloc(3 * strlen(s) + 1), *o = out;

	if (!out)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' ||
		    *p == '~') {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

static char *build_url(struct gcs *g, const struct gcs_req *r)
{
	char *eb = NULL, *eo = NULL, *url = NULL;
	int n;

	if (r->url)
		return strdup(r->url);
	eb = gcs_encode(g->bucket);
	eo = r->object ? gcs_encode(r->object) : NULL;
	if (!eb || (r->object && !eo)) {
		free(eb);
		free(eo);
		return NULL;
	}
	n = asprintf(&url, "%s%s/storage/v1/b/%s/o%s%s%s%s%s", g->endpoint,
		     r->upload ? "/upload" : "", eb, eo ? "/" : "",
		     eo ? eo : "", r->suffix ? r->suffix : "",
		     r->query && *r->query ? "?" : "",
		     r->query ? r->query : "");
	free(eb);
	free(eo);
	if (n >= 0 && g->project_id) {
		/* requester-pays buckets bill the configured project */
		char *ep = gcs_encode(g->project_id), *u2 = NULL;

		n = ep ? asprintf(&u2, "%s%suserProject=%s", url,
				  r->query && *r->query ? "&" : "?", ep)
		       : -1;
		free(ep);
		free(url);
		url = n < 0 ? NULL : u2;
	}
	return n < 0 ? NULL : url;
}

int gcs_request(wsp_http_response *resp, struct gcs *g,
		const struct gcs_req *r, wsp_error *err)
{
	wsp_http_header h[MAX_HEADERS];
	char *url, *token = NULL, *authz = NULL;
	const char *secrets[3] = {NULL};
	size_t n = 0;
	int rc;

	if (r->n_headers + 1 > MAX_HEADERS)
		return wsp_error_set(err, WSP_EINVAL, "too many headers");
	url = build_url(g, r);
	if (!url)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	for (int attempt = 0;; attempt++) {
		char *stale = token; /* NULL the first time */

		n = 0;
		token = NULL;
		rc = gcs_auth_token(&token, &g->auth, stale, err);
		gcs_secret_free(stale);
		if (rc)
			break;
		if (token) {
			free(authz);
			if (asprintf(&authz, "Bearer %s", token) < 0) {
				authz = NULL;
				rc = wsp_error_set(err, WSP_ENOMEM,
						   "out of memory");
				break;
			}
			h[n++] = (wsp_http_header){"Authorization", authz};
			secrets[0] = token;
		}
		for (size_t i = 0; i < r->n_headers; i++)
			h[n++] = r->headers[i];

		wsp_http_request hr = {
			.struct_size = sizeof(hr),
			.flags = r->flags | WSP_HTTP_NO_ERROR_MAP,
			.method = r->method,
			.url = url,
			.headers = h,
			.n_headers = n,
			.body = r->body,
			.body_len = r->body_len,
			.response_sink = r->sink,
			.response_payload = r->sink_payload,
			.on_header = r->on_header,
			.header_payload = r->header_payload,
			.secrets = secrets,
			.call = current_call,
		};

		resp->struct_size = sizeof(*resp);
		rc = g->host->http_request(resp, g->host, &hr, err);
		if (rc || resp->status != 401 || !token || attempt > 0)
			break;
		/* the token was refused: renew it and go again, once (the
		 * body is in memory, so it can be sent again) */
		gcs_release(g, resp);
	}
	gcs_secret_free(token);
	gcs_secret_free(authz);
	free(url);
	return rc;
}

void gcs_release(struct gcs *g, wsp_http_response *resp)
{
	g->host->http_response_release(g->host, resp);
}

int gcs_fail(const wsp_http_response *resp, const char *op, const char *path,
	     wsp_error *err)
{
	char reason[WSP_ERROR_CODE_MAX], msg[256], p[256];
	int code;

	switch (resp->status) {
	case 400:
		code = WSP_EINVAL;
		break;
	case 401:
	case 403:
		code = WSP_EAUTH;
		break;
	case 404:
		code = WSP_ENOTFOUND;
		break;
	case 409:
		code = WSP_EEXIST;
		break;
	case 412:
		code = WSP_ESTALE;
		break;
	case 413:
		code = WSP_ETOOBIG;
		break;
	case 429:
		code = WSP_ERATELIMIT;
		break;
	default:
		code = resp->status >= 500 ? WSP_EUNAVAIL : WSP_EPROTO;
	}
	gcs_parse_error(reason, sizeof(reason), msg, sizeof(msg), resp->body,
			resp->body_len);
	gcs_printable(p, sizeof(p), path, strlen(path));
	wsp_error_set(err, code, "cannot %s '%s': HTTP %d%s%s%s%s", op, p,
		      resp->status, reason[0] ? " " : "", reason,
		      msg[0] ? ": " : "", msg);
	if (err) {
		err->http_status = resp->status;
		snprintf(err->service_code, sizeof(err->service_code), "%s",
			 reason);
	}
	return code;
}
