/*
 * core/search_embed.c - vectors from an OpenAI-compatible embeddings
 * endpoint: POST {url}/embeddings {"model":M,"input":[texts]} through the
 * core's HTTP service (connection reuse, TLS, proxies, retries with
 * backoff on 429 and 5xx, the http: section's timeouts), the answer read
 * into a bounded buffer and checked by wsp__embed_parse().
 *
 * The api_key goes in an Authorization header only; it is listed among
 * the request's secrets, so the service's debug log and its messages
 * mask it, and the workspace's log sink masks it in every other output.
 */
#include "search.h"
#include "tbuf.h"
#include "utf8.h"

#include <cjson/cJSON.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOTE_TIMEOUT_MS 60000

struct body {
	struct wsp__tbuf t;
	int too_big;
};

/* The answer, at most WSP__EMBED_BODY_MAX bytes. */
static int collect(const void *data, size_t len, void *payload)
{
	struct body *b = payload;

	if (len > WSP__EMBED_BODY_MAX - b->t.len) {
		b->too_big = 1;
		return WSP_ETOOBIG;
	}
	wsp__tbuf_add(&b->t, data, len);
	return b->t.oom ? WSP_ENOMEM : 0;
}

/*
 * {"model":..., "input":[...]}: texts made valid UTF-8 (a file may hold
 * anything; JSON may not), a NUL taken as U+FFFD like any invalid byte.
 */
static char *request_body(const char *model, const char *const *texts,
			  const size_t *lens, size_t n)
{
	cJSON *o = cJSON_CreateObject(), *arr;
	char *clean, *out = NULL;
	size_t i;

	if (!o || !cJSON_AddStringToObject(o, "model", model) ||
	    !(arr = cJSON_AddArrayToObject(o, "input")))
		goto done;
	for (i = 0; i < n; i++) {
		clean = wsp__utf8_clean(texts[i], lens[i]);
		if (!clean ||
		    !cJSON_AddItemToArray(arr, cJSON_CreateString(clean))) {
			free(clean);
			goto done;
		}
		free(clean);
	}
	out = cJSON_PrintUnformatted(o);
done:
	cJSON_Delete(o);
	return out;
}

int wsp__embed(float **out, uint32_t *dim, wsp_workspace *ws,
	       const wsp_call *call, const struct wsp__embed_cfg *cfg,
	       const char *const *texts, const size_t *lens, size_t n,
	       uint32_t want, wsp_error *err)
{
	const wsp_host *host = wsp__workspace_host(ws);
	wsp_http_request req = {.struct_size = sizeof(req)};
	wsp_http_response resp = {.struct_size = sizeof(resp)};
	const char *secrets[2] = {cfg->api_key, NULL};
	wsp_http_header hdr[3];
	struct body b = {0};
	char *json, *auth = NULL, url[2100], why[200];
	size_t nh = 0;
	int rc;

	*out = NULL;
	*dim = 0;
	snprintf(url, sizeof(url), "%s/embeddings", cfg->url);
	json = request_body(cfg->model, texts, lens, n);
	if (cfg->api_key &&
	    (auth = malloc(strlen(cfg->api_key) + sizeof("Bearer "))))
		sprintf(auth, "Bearer %s", cfg->api_key);
	if (!json || (cfg->api_key && !auth)) {
		free(json);
		free(auth);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	hdr[nh++] = (wsp_http_header){"Content-Type", "application/json"};
	hdr[nh++] = (wsp_http_header){"Accept", "application/json"};
	if (auth)
		hdr[nh++] = (wsp_http_header){"Authorization", auth};
	req.method = "POST";
	req.url = url;
	req.headers = hdr;
	req.n_headers = nh;
	req.body = json;
	req.body_len = strlen(json);
	/* the same texts give the same vectors: safe to send again */
	req.flags = WSP_HTTP_IDEMPOTENT;
	req.response_sink = collect;
	req.response_payload = &b;
	req.call = call;
	/* without a caller's call (vectors made inside a file change, which
	 * holds the index) the endpoint gets a minute, retries included */
	if (!call)
		req.timeout_ms = NOTE_TIMEOUT_MS;
	req.secrets = secrets;
	rc = host->http_request(&resp, host, &req, err);
	if (auth) {
		memset(auth, 0, strlen(auth));
		free(auth);
	}
	free(json);
	host->http_response_release(host, &resp);
	if (rc && b.too_big)
		rc = wsp_error_set(err, WSP_ETOOBIG,
				   "the embeddings endpoint answered more "
				   "than %zu bytes",
				   WSP__EMBED_BODY_MAX);
	if (!rc) {
		rc = wsp__embed_parse(out, dim, b.t.p ? b.t.p : "", b.t.len, n,
				      want, why, sizeof(why));
		if (rc == WSP_ENOMEM)
			wsp_error_set(err, rc, "out of memory");
		else if (rc)
			wsp_error_set(err, rc,
				      "the embeddings endpoint's answer "
				      "(model '%s') is unusable: %s",
				      cfg->model, why);
	}
	wsp__tbuf_free(&b.t);
	wsp__workspace_mask_error(ws, err);
	return rc;
}
