/*
 * plugins/sandbox-daytona/request.c - one request to Daytona's API or to
 * a sandbox's toolbox, through the core's HTTP service (retries, backoff,
 * Retry-After, error mapping and masking are the host's).
 *
 * Both planes take the same headers: the bearer key, and the SDK version
 * that makes the toolbox answer logs as JSON with stdout and stderr apart
 * (provider-wire-apis.md §2.4). Answers are untrusted: bounded in size and
 * parsed with cJSON; a 2xx that is not JSON where JSON is due is
 * WSP_EPROTO.
 */
#include "daytona.h"

#include <stdio.h>
#include <string.h>

int dt_url_escape(char *out, size_t cap, const char *s, wsp_error *err)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		int keep = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			   (ch >= '0' && ch <= '9') || strchr("-._~", ch);

		if (n + (keep ? 1 : 3) >= cap)
			return wsp_error_set(err, WSP_ETOOBIG,
					     "request parameter too long");
		if (keep) {
			out[n++] = (char)ch;
		} else {
			out[n++] = '%';
			out[n++] = hex[ch >> 4];
			out[n++] = hex[ch & 15];
		}
	}
	out[n] = '\0';
	return 0;
}

static int parse(cJSON **out, const char *body, size_t len, wsp_error *err)
{
	if (len > DT_ANSWER_MAX)
		return wsp_error_set(err, WSP_ETOOBIG,
				     "Daytona answered %zu bytes, more than "
				     "wsp takes", len);
	*out = cJSON_ParseWithLength(body, len);
	if (!*out)
		return wsp_error_set(err, WSP_EPROTO,
				     "Daytona's answer is not JSON");
	return 0;
}

int dt_request(struct dt *d, const struct dt_req *r, cJSON **out,
	       long *status, wsp_error *err)
{
	char url[DT_URL_MAX + 3 * DT_FS_PATH_MAX + 512], auth[1100];
	char *body = NULL;
	wsp_http_header hdr[] = {
		{ "Authorization", auth },
		{ "X-Daytona-SDK-Version", DT_SDK_VERSION },
		{ "X-Daytona-Source", "wsp" },
		{ "Accept", r->accept ? r->accept : "application/json" },
		{ "Content-Type", r->content_type ? r->content_type
						  : "application/json" },
		{ "Range", r->range },
	};
	wsp_http_response resp = { .struct_size = sizeof resp };
	wsp_http_request req = {
		.struct_size = sizeof req,
		.flags = r->flags,
		.method = r->method,
		.url = url,
		.headers = hdr,
		.n_headers = r->json || r->source ? 5 : 4,
		.body_source = r->source,
		.body_payload = r->source_payload,
		.body_size = r->source ? r->source_size : 0,
		.response_sink = r->sink,
		.response_payload = r->sink_payload,
		.on_header = r->on_header,
		.header_payload = r->header_payload,
		.timeout_ms = r->timeout_ms < 0   ? 0
			      : r->timeout_ms ? r->timeout_ms
					      : d->cfg.request_timeout_ms,
		.call = r->call,
		.secrets = d->secrets,
	};
	int rc;

	if (out)
		*out = NULL;
	if ((size_t)snprintf(url, sizeof url, "%s%s",
			     r->base ? r->base : d->cfg.api_url,
			     r->path) >= sizeof url)
		return wsp_error_set(err, WSP_ETOOBIG, "request URL too long");
	if ((size_t)snprintf(auth, sizeof auth, "Bearer %s",
			     d->cfg.api_key) >= sizeof auth)
		return wsp_error_set(err, WSP_ECONFIG, "API key too long");
	if (r->range) { /* a GET's: in the Content-Type's place */
		hdr[4] = hdr[5];
		req.n_headers = 5;
	}
	if (r->json) {
		body = cJSON_PrintUnformatted(r->json);
		if (!body)
			return wsp_error_set(err, WSP_ENOMEM, "out of memory");
		req.body = body;
		req.body_len = strlen(body);
	}
	/* A call that already ended still needs its cleanup: bound it. */
	if (!r->call && (!req.timeout_ms || req.timeout_ms > 10000))
		req.timeout_ms = 10000;
	rc = d->host->http_request(&resp, d->host, &req, err);
	cJSON_free(body);
	memset(auth, 0, sizeof auth);
	if (status)
		*status = resp.status;
	if (!rc && out && resp.body_len)
		rc = parse(out, resp.body, resp.body_len, err);
	d->host->http_response_release(d->host, &resp);
	return rc;
}
