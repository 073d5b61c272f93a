/*
 * plugins/sandbox-blaxel/request.c - one request to either plane through
 * the core's HTTP service, and the errors made from its answers.
 *
 * Both planes take the same headers (remote-providers.md §3.1). Every
 * status reaches the caller (NO_ERROR_MAP) because 404 and 409 are
 * answers here (a sandbox to create, one someone else created); the core
 * still retries connection failures, 429 and 5xx of idempotent requests.
 * The key is named as a secret on every request, so the core masks it in
 * its debug log and in any message, including a server body echoing it.
 */
#include "blaxel.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* The API version whose lists are {"data","meta"} (remote-providers §3.1). */
#define BL_API_VERSION "2026-04-28"

size_t bl_headers(wsp_http_header *h, char *auth, size_t cap,
		  const struct bl *b)
{
	snprintf(auth, cap, "Bearer %s", b->api_key);
	h[0] = (wsp_http_header){"X-Blaxel-Authorization", auth};
	h[1] = (wsp_http_header){"X-Blaxel-Workspace", b->workspace};
	h[2] = (wsp_http_header){"Blaxel-Version", BL_API_VERSION};
	return 3;
}

cJSON *bl_parse(const char *text, size_t len)
{
	if (!text || !len || len > BL_JSON_MAX)
		return NULL;
	return cJSON_ParseWithLength(text, len);
}

const char *bl_str(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int bl_request(int *status, cJSON **out, struct bl *b, const struct bl_req *r,
	       wsp_error *err)
{
	wsp_http_header h[6];
	char auth[512];
	size_t n = bl_headers(h, auth, sizeof(auth), b);
	wsp_http_response resp = {.struct_size = sizeof(resp)};
	int rc;

	h[n++] = (wsp_http_header){"Accept", "application/json"};
	if (r->body)
		h[n++] = (wsp_http_header){"Content-Type",
					   r->content_type ? r->content_type
							   : "application/"
							     "json"};
	wsp_http_request req = {
		.struct_size = sizeof(req),
		.flags = r->flags | WSP_HTTP_NO_ERROR_MAP,
		.method = r->method,
		.url = r->url,
		.headers = h,
		.n_headers = n,
		.body = r->body,
		.body_len = r->body_len,
		.timeout_ms = b->request_timeout_ms,
		.call = r->call,
		.secrets = b->secrets,
	};

	if (out)
		*out = NULL;
	rc = b->host->http_request(&resp, b->host, &req, err);
	memset(auth, 0, sizeof(auth));
	if (rc)
		return rc;
	*status = resp.status;
	if (out)
		*out = bl_parse(resp.body, resp.body_len);
	if (resp.status >= 400 && err) {
		/* the detail (Retry-After, retryable) for bl_fail's caller */
		err->http_status = resp.status;
		err->flags = resp.error_flags;
		err->retry_after_ms = resp.retry_after_ms;
	}
	b->host->http_response_release(b->host, &resp);
	return 0;
}

/* A service message made printable and short, never trusted as text. */
static void printable(char *out, size_t cap, const char *s)
{
	size_t n = 0;

	for (; s && *s && n + 1 < cap; s++)
		out[n++] = isprint((unsigned char)*s) ? *s : '?';
	out[n] = '\0';
}

/* A server may echo the key back: it never reaches a message. */
static void mask_key(char *msg, const char *key)
{
	size_t kl = key ? strlen(key) : 0;
	char *hit;

	while (kl && (hit = strstr(msg, key))) {
		memmove(hit + 3, hit + kl, strlen(hit + kl) + 1);
		memcpy(hit, "***", 3);
	}
}

int bl_fail(const struct bl *b, int status, const cJSON *body,
	    const char *what, wsp_error *err)
{
	char msg[256] = "", code_s[WSP_ERROR_CODE_MAX] = "";
	const char *m = bl_str(body, "message"), *e = bl_str(body, "error");
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(body, "code");
	uint32_t flags = err ? err->flags : 0;
	int64_t retry = err ? err->retry_after_ms : 0;
	int rc;

	/* control plane {"error","code","message"}, data plane {"error"} */
	printable(msg, sizeof(msg), m ? m : e);
	mask_key(msg, b->api_key);
	if (cJSON_IsString(code))
		for (size_t i = 0; code->valuestring[i] && i + 1 < sizeof(code_s);
		     i++) {
			char c = code->valuestring[i];

			code_s[i] = isalnum((unsigned char)c) || c == '_' ||
						    c == '.' || c == '-'
					    ? c
					    : '_';
			code_s[i + 1] = '\0';
		}
	switch (status) {
	case 400:
	case 422:
		rc = WSP_EINVAL;
		break;
	case 401:
	case 403:
		rc = WSP_EAUTH;
		break;
	case 404:
		rc = WSP_ENOTFOUND;
		break;
	case 409:
		rc = WSP_EEXIST;
		break;
	case 413:
		rc = WSP_ETOOBIG;
		break;
	case 429:
		rc = WSP_ERATELIMIT;
		break;
	default:
		rc = status >= 500 ? WSP_EUNAVAIL : WSP_EPROTO;
	}
	wsp_error_set(err, rc, "%s: HTTP %d%s%s", what, status,
		      msg[0] ? ": " : "", msg);
	if (err) {
		err->http_status = status;
		err->flags = flags;
		err->retry_after_ms = retry;
		snprintf(err->service_code, sizeof(err->service_code), "%s",
			 code_s);
	}
	return rc;
}
