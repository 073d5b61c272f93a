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
#include "remote.h"

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

int bl_request(int *status, cJSON **out, struct bl *b, const struct bl_req *r,
	       wsp_error *err)
{
	wsp_http_header h[6];
	char auth[512];
	size_t n = bl_headers(h, auth, sizeof(auth), b);
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

	rc = rmt_json_request(status, out, b->host, &req, BL_JSON_MAX, err);
	memset(auth, 0, sizeof(auth));
	return rc;
}

int bl_fail(const struct bl *b, int status, const cJSON *body,
	    const char *what, wsp_error *err)
{
	const char *m = bl_str(body, "message"), *e = bl_str(body, "error");
	const char *secrets[] = {b->api_key, NULL};

	/* control plane {"error","code","message"}, data plane {"error"} */
	return rmt_fail(status, m ? m : e, bl_str(body, "code"), secrets, what,
			err);
}
