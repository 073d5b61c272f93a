/*
 * plugins/sandbox-e2b/process.c - envd's process.Process calls that a
 * foreground command (exec.c) and a background process (procs.c) make
 * alike: Start as a Connect stream on the core's engine, and the unary
 * calls by pid (SendInput, CloseStdin, SendSignal).
 */
#include "e2b.h"
#include "envelope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* keepalives asked for every 30 s; silence for 90 s is a dead stream */
#define KEEPALIVE_S "30"
#define IDLE_TIMEOUT_MS 90000
/* stdin goes in pieces of this many bytes (envd takes 16 MiB bodies) */
#define STDIN_PIECE (1u << 20)

int e2b_process_call(struct e2b *e, const struct e2b_conn *c,
		     const char *method, const char *json,
		     const wsp_call *call, wsp_error *err)
{
	char path[64];
	struct e2b_req r = {.plane = E2B_ENVD, .method = "POST", .path = path,
			    .body = json, .conn = c, .call = call};
	cJSON *ans = NULL;
	int status = 0, rc;

	snprintf(path, sizeof(path), "/process.Process/%s", method);
	rc = e2b_request(&status, &ans, e, &r, err);
	if (!rc && status != 200)
		rc = e2b_fail(e, status, ans, method, err);
	cJSON_Delete(ans);
	return rc;
}

int e2b_send_input(struct e2b *e, const struct e2b_conn *c, uint32_t pid,
		   const void *data, size_t len, const wsp_call *call,
		   wsp_error *err)
{
	const unsigned char *p = data;
	char *json = malloc(4 * (STDIN_PIECE / 3 + 1) + 96);
	int rc = 0;

	if (!json)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	while (len && !rc) {
		size_t n = len < STDIN_PIECE ? len : STDIN_PIECE, hl;

		hl = (size_t)sprintf(json,
				     "{\"process\":{\"pid\":%u},\"input\":"
				     "{\"stdin\":\"",
				     pid);
		hl += e2b_base64_encode(json + hl, p, n);
		memcpy(json + hl, "\"}}", 4);
		rc = e2b_process_call(e, c, "SendInput", json, call, err);
		p += n;
		len -= n;
	}
	free(json);
	return rc;
}

int e2b_open_process_stream(wsp_http_stream **out, struct e2b *e,
			       const struct e2b_conn *c, const char *method,
			       const char *json, int64_t deadline_ms,
			       const struct e2b_stream_cbs *cbs,
			       wsp_error *err)
{
	wsp_http_header h[10];
	char auth[160], url[E2B_URL_MAX + 64], limit[32], *body = NULL;
	const char *secrets[4];
	size_t n = e2b_envd_headers(h, auth, sizeof(auth), e, c), len = 0;
	int rc;

	if (e2b_envelope(&body, &len, json, strlen(json)))
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	h[n++] = (wsp_http_header){"Content-Type", "application/connect+json"};
	h[n++] = (wsp_http_header){"Connect-Protocol-Version", "1"};
	h[n++] = (wsp_http_header){"Keepalive-Ping-Interval", KEEPALIVE_S};
	/* envd's deadline is the process's lifetime: none unless given */
	if (deadline_ms > 0) {
		snprintf(limit, sizeof(limit), "%lld", (long long)deadline_ms);
		h[n++] = (wsp_http_header){"Connect-Timeout-Ms", limit};
	}
	snprintf(url, sizeof(url), "%s/process.Process/%s", c->url, method);
	e2b_secrets(secrets, e, c);
	wsp_http_stream_request req = {
		.struct_size = sizeof(req),
		.method = "POST",
		.url = url,
		.headers = h,
		.n_headers = n,
		.body = body,
		.body_len = len,
		.idle_timeout_ms = IDLE_TIMEOUT_MS,
		.secrets = secrets,
		.framing = WSP_STREAM_CONNECT_ENVELOPE,
		.max_frame = E2B_EVENT_MAX,
		.on_header = cbs->on_header,
		.on_data = cbs->on_data,
		.on_done = cbs->on_done,
		.payload = cbs->payload,
	};
	/* no call: the owner ends the stream itself, after killing */
	rc = e->host->http_stream_open(out, e->host, NULL, &req, err);
	free(body);
	return rc;
}

int e2b_start_request(cJSON **out, const struct e2b *e,
		      const wsp_exec_opts *o, int with_stdin, wsp_error *err)
{
	cJSON *body = cJSON_CreateObject(), *proc = NULL;
	int rc;

	*out = NULL;
	if (!body)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	if ((rc = e2b_process_config(&proc, e, o, err))) {
		cJSON_Delete(body);
		return rc;
	}
	cJSON_AddItemToObject(body, "process", proc);
	if (!cJSON_AddBoolToObject(body, "stdin", with_stdin)) {
		cJSON_Delete(body);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	*out = body;
	return 0;
}

int e2b_start_stream(wsp_http_stream **out, struct e2b *e,
		     const struct e2b_conn *c, const wsp_exec_opts *o,
		     int with_stdin, int64_t deadline_ms,
		     const struct e2b_stream_cbs *cbs, wsp_error *err)
{
	cJSON *body = NULL;
	char *json = NULL;
	int rc = e2b_start_request(&body, e, o, with_stdin, err);

	if (rc)
		return rc;
	json = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	if (!json)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	rc = e2b_open_process_stream(out, e, c, "Start", json, deadline_ms,
				     cbs, err);
	cJSON_free(json);
	return rc;
}

int e2b_connect_stream(wsp_http_stream **out, struct e2b *e,
		       const struct e2b_conn *c, uint32_t pid,
		       const struct e2b_stream_cbs *cbs, wsp_error *err)
{
	char json[64];

	snprintf(json, sizeof(json), "{\"process\":{\"pid\":%u}}", pid);
	return e2b_open_process_stream(out, e, c, "Connect", json, 0, cbs,
				       err);
}
