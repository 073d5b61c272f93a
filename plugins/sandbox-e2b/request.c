/*
 * plugins/sandbox-e2b/request.c - one JSON request to either plane
 * through the core's HTTP service, and the errors made from its answers.
 *
 * The control plane takes X-API-KEY. envd takes the E2B proxy's routing
 * headers (E2b-Sandbox-Id, E2b-Sandbox-Port), which also let one local
 * URL serve every sandbox, the sandbox's access token when it has one,
 * and the user as Basic auth (remote-providers.md §1.1). Every status
 * reaches the caller (NO_ERROR_MAP): 404, 409 and envd's 502 are answers
 * here. The key and the token are named as secrets on every request, so
 * the core masks them in its debug log and in any message.
 */
#include "e2b.h"
#include "envelope.h"
#include "remote.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

const char *e2b_str(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int e2b_escape(char *out, size_t cap, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || strchr("-._~", c)) {
			if (n + 1 >= cap)
				return WSP_ETOOBIG;
			out[n++] = (char)c;
		} else {
			if (n + 3 >= cap)
				return WSP_ETOOBIG;
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	if (n >= cap)
		return WSP_ETOOBIG;
	out[n] = '\0';
	return 0;
}

void e2b_secrets(const char *s[4], const struct e2b *e,
		 const struct e2b_conn *c)
{
	size_t n = 0;

	if (e->api_key)
		s[n++] = e->api_key;
	if (c && c->token[0])
		s[n++] = c->token;
	if (c && c->traffic[0])
		s[n++] = c->traffic;
	s[n] = NULL;
}

/* "Basic " and base64 of "user:", as envd's Basic auth names the user */
static void basic_user(char *out, size_t cap, const char *user)
{
	char plain[80];
	size_t n = (size_t)snprintf(plain, sizeof(plain), "%s:", user);

	/* user is at most 64 bytes (options.c): 6 + 4 * 22 + 1 fit in cap */
	if (cap < 6 + 4 * ((n + 2) / 3) + 1) {
		out[0] = '\0';
		return;
	}
	memcpy(out, "Basic ", 6);
	e2b_base64_encode(out + 6, (const unsigned char *)plain, n);
}

size_t e2b_envd_headers(wsp_http_header *h, char *auth, size_t cap,
			const struct e2b *e, const struct e2b_conn *c)
{
	size_t n = 0;

	h[n++] = (wsp_http_header){"E2b-Sandbox-Id", c->id};
	h[n++] = (wsp_http_header){"E2b-Sandbox-Port", E2B_ENVD_PORT};
	if (c->token[0])
		h[n++] = (wsp_http_header){"X-Access-Token", c->token};
	if (e->user) {
		basic_user(auth, cap, e->user);
		h[n++] = (wsp_http_header){"Authorization", auth};
	}
	return n;
}

int e2b_request(int *status, cJSON **out, struct e2b *e,
		const struct e2b_req *r, wsp_error *err)
{
	wsp_http_header h[8];
	char url[E2B_URL_MAX + 512], auth[160];
	const char *secrets[4];
	size_t n = 0;

	if (r->plane == E2B_CONTROL) {
		h[n++] = (wsp_http_header){"X-API-KEY", e->api_key};
		snprintf(url, sizeof(url), "%s%s", e->api_url, r->path);
	} else {
		n = e2b_envd_headers(h, auth, sizeof(auth), e, r->conn);
		h[n++] = (wsp_http_header){"Connect-Protocol-Version", "1"};
		snprintf(url, sizeof(url), "%s%s", r->conn->url, r->path);
	}
	h[n++] = (wsp_http_header){"Accept", "application/json"};
	if (r->body)
		h[n++] = (wsp_http_header){"Content-Type", "application/json"};
	e2b_secrets(secrets, e, r->plane == E2B_ENVD ? r->conn : NULL);
	wsp_http_request req = {
		.struct_size = sizeof(req),
		.flags = r->flags | WSP_HTTP_NO_ERROR_MAP,
		.method = r->method,
		.url = url,
		.headers = h,
		.n_headers = n,
		.body = r->body,
		.body_len = r->body ? strlen(r->body) : 0,
		.timeout_ms = e->request_timeout_ms,
		.call = r->call,
		.secrets = secrets,
	};

	return rmt_json_request(status, out, e->host, &req, E2B_JSON_MAX, err);
}

int e2b_fail(const struct e2b *e, int status, const cJSON *body,
	     const char *what, wsp_error *err)
{
	/* the key; a token is never in a body E2B sends back with an error */
	const char *secrets[] = {e->api_key, NULL};

	/* control plane and proxy {"code":N,"message"}; envd {"code":"x"} */
	return rmt_fail(status, e2b_str(body, "message"), e2b_str(body, "code"),
			secrets, what, err);
}
