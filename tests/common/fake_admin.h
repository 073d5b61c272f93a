/*
 * tests/common/fake_admin.h - the admin API every vendor fake serves
 * under /_fake/ (faults, the request log, its sandboxes), called from a
 * C test through the core's real HTTP service on a fake host.
 *
 * The request log is {"requests":[{"method","path",...}]}; a path
 * pattern ending in '*' matches a prefix.
 */
#ifndef WSP_TEST_FAKE_ADMIN_H
#define WSP_TEST_FAKE_ADMIN_H

#include <wsp/fakehost.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

/* One request to 127.0.0.1:port: the status (-1: none), *out its JSON. */
static inline int fake_admin_call(wsp_fakehost *fh, int port,
				  const char *method, const char *path,
				  const char *json, cJSON **out)
{
	const wsp_host *h = wsp_fakehost_host(fh);
	char url[1024];
	wsp_http_header hd[] = {{"Content-Type", "application/json"}};
	wsp_http_response resp = {.struct_size = sizeof(resp)};
	wsp_error err = {0};
	int status;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	wsp_http_request req = {
		.struct_size = sizeof(req),
		.flags = WSP_HTTP_NO_ERROR_MAP | WSP_HTTP_NO_RETRY,
		.method = method,
		.url = url,
		.headers = hd,
		.n_headers = json ? 1 : 0,
		.body = json,
		.body_len = json ? strlen(json) : 0,
	};
	if (out)
		*out = NULL;
	if (h->http_request(&resp, h, &req, &err))
		return -1;
	status = resp.status;
	if (out && resp.body)
		*out = cJSON_ParseWithLength(resp.body, resp.body_len);
	h->http_response_release(h, &resp);
	return status;
}

/* 1 when the logged request r has method and matches the path pattern. */
static inline int fake_log_matches(const cJSON *r, const char *method,
				   const char *pat)
{
	const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(r, "method"));
	const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(r, "path"));
	size_t n = strlen(pat);

	if (!m || !p || strcmp(m, method))
		return 0;
	return n && pat[n - 1] == '*' ? !strncmp(pat, p, n - 1)
				      : !strcmp(pat, p);
}

/* The first matching request of log (borrowed), or NULL. */
static inline cJSON *fake_log_find(cJSON *log, const char *method,
				   const char *pat)
{
	cJSON *r;

	cJSON_ArrayForEach(r, cJSON_GetObjectItem(log, "requests"))
		if (fake_log_matches(r, method, pat))
			return r;
	return NULL;
}

/* How many requests of log match. */
static inline int fake_log_count(const cJSON *log, const char *method,
				 const char *pat)
{
	const cJSON *r;
	int n = 0;

	cJSON_ArrayForEach(r, cJSON_GetObjectItem(log, "requests"))
		n += fake_log_matches(r, method, pat);
	return n;
}

#endif
