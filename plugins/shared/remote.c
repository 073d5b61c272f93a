/*
 * plugins/shared/remote.c - see remote.h.
 */
#include "remote.h"

#include <ctype.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t rmt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int rmt_status_code(int status)
{
	switch (status) {
	case 400:
	case 422:
		return WSP_EINVAL;
	case 401:
	case 403:
		return WSP_EAUTH;
	case 404:
		return WSP_ENOTFOUND;
	case 409:
		return WSP_EEXIST;
	case 413:
		return WSP_ETOOBIG;
	case 429:
		return WSP_ERATELIMIT;
	default:
		return status >= 500 ? WSP_EUNAVAIL : WSP_EPROTO;
	}
}

const char *rmt_printable(char *out, size_t cap, const char *s)
{
	size_t n = 0;

	if (!cap)
		return out;
	for (; s && *s && n + 1 < cap; s++)
		out[n++] = isprint((unsigned char)*s) ? *s : '?';
	out[n] = '\0';
	return out;
}

void rmt_message(char *out, size_t cap, const char *s,
		 const char *const *secrets)
{
	if (!cap)
		return;
	rmt_printable(out, cap, s);
	for (; secrets && *secrets; secrets++) {
		size_t kl = strlen(*secrets);
		char *from = out, *hit;

		while (kl && (hit = strstr(from, *secrets))) {
			memmove(hit + 3, hit + kl, strlen(hit + kl) + 1);
			memcpy(hit, "***", 3);
			from = hit + 3;
		}
	}
}

int rmt_json_request(int *status, cJSON **out, const wsp_host *h,
		     const wsp_http_request *req, size_t json_max,
		     wsp_error *err)
{
	wsp_http_response resp = {.struct_size = sizeof(resp)};
	int rc;

	if (out)
		*out = NULL;
	if ((rc = h->http_request(&resp, h, req, err)))
		return rc;
	*status = resp.status;
	if (out && resp.body && resp.body_len && resp.body_len <= json_max)
		*out = cJSON_ParseWithLength(resp.body, resp.body_len);
	if (resp.status >= 400 && err) {
		err->http_status = resp.status;
		err->flags = resp.error_flags;
		err->retry_after_ms = resp.retry_after_ms;
	}
	h->http_response_release(h, &resp);
	return 0;
}

int rmt_fail(int status, const char *msg, const char *code,
	     const char *const *secrets, const char *what, wsp_error *err)
{
	char text[256];
	uint32_t flags = err ? err->flags : 0;
	int64_t retry = err ? err->retry_after_ms : 0;
	int rc = rmt_status_code(status);

	rmt_message(text, sizeof(text), msg, secrets);
	wsp_error_set(err, rc, "%s: HTTP %d%s%s", what, status,
		      text[0] ? ": " : "", text);
	if (!err)
		return rc;
	err->http_status = status;
	err->flags = flags;
	err->retry_after_ms = retry;
	err->service_code[0] = '\0';
	for (size_t i = 0; code && code[i] && i + 1 < sizeof(err->service_code);
	     i++) {
		char c = code[i];

		err->service_code[i] = isalnum((unsigned char)c) || c == '_' ||
						       c == '.' || c == '-'
					       ? c
					       : '_';
		err->service_code[i + 1] = '\0';
	}
	return rc;
}

enum rmt_stop rmt_must_stop(const wsp_host *h, const wsp_call *call,
			    int64_t until)
{
	int code = h->call_expired(h, call);

	if (code == WSP_ECANCELED)
		return RMT_CANCELED;
	if (code == WSP_ETIMEDOUT || (until && rmt_now_ms() >= until))
		return RMT_TIMED_OUT;
	return RMT_RUNNING;
}

int64_t rmt_wait_budget(const wsp_host *h, const wsp_call *call, int64_t until)
{
	int64_t rem = h->call_remaining_ms(h, call);
	int64_t own = until ? until - rmt_now_ms() : -1;

	if (own < 0 && until)
		own = 0;
	if (own >= 0 && (rem < 0 || own < rem))
		rem = own;
	return rem < 0 ? -1 : rem;
}

int rmt_instructions(wsp_sink_fn sink, void *payload, const char *text, int n,
		     size_t cap, wsp_error *err)
{
	int rc = sink(text, n > 0 && (size_t)n < cap ? (size_t)n : strlen(text),
		      payload);

	return rc ? wsp_error_set(err, rc, "instructions stopped by the sink")
		  : 0;
}

int rmt_nap(const wsp_host *h, const wsp_call *call, int64_t ms)
{
	int64_t left = h->call_remaining_ms(h, call);
	struct pollfd p = {.fd = h->call_fd(h, call), .events = POLLIN};

	if (left >= 0 && left < ms)
		ms = left;
	/* the cancel descriptor wakes it at once */
	poll(&p, p.fd >= 0 ? 1 : 0, (int)(ms > 0 ? ms : 0));
	return h->call_expired(h, call);
}

size_t rmt_tail_start(const char *text, size_t len, size_t start,
		      const wsp_output_opts *o)
{
	if (o->tail_bytes && len - start > o->tail_bytes)
		start = len - (size_t)o->tail_bytes;
	if (o->tail_lines) {
		size_t i = len, lines = 0;

		if (i > start && text[i - 1] == '\n')
			i--;
		while (i > start) {
			if (text[i - 1] == '\n' && ++lines == o->tail_lines)
				break;
			i--;
		}
		start = i;
	}
	return start;
}

int rmt_opt_text(char **out, const wsp_host *h, const wsp_config *cfg,
		 const char *name, const char *var, wsp_error *err)
{
	const char *v = NULL;
	int rc = h->opt_string(&v, h, cfg, name, err);

	*out = NULL;
	if (rc && rc != WSP_ENOTFOUND)
		return rc;
	if (!v || !*v)
		v = var ? getenv(var) : NULL;
	if (v && *v && !(*out = strdup(v)))
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	return 0;
}

int rmt_env_name_ok(const char *k)
{
	if (!*k || isdigit((unsigned char)*k))
		return 0;
	for (; *k; k++)
		if (!isalnum((unsigned char)*k) && *k != '_')
			return 0;
	return 1;
}

int rmt_is_http(const char *u)
{
	return !strncmp(u, "http://", 7) || !strncmp(u, "https://", 8);
}

int rmt_url_ok(char *u, const char *name, wsp_error *err)
{
	size_t n = strlen(u);
	char shown[128];

	while (n > 8 && u[n - 1] == '/')
		u[--n] = '\0';
	if (rmt_is_http(u) && n <= 512 && !strpbrk(u, " ?#\r\n\t"))
		return 0;
	return wsp_error_set(err, WSP_ECONFIG,
			     "%s '%s' is not an http(s) URL without query",
			     name, rmt_printable(shown, sizeof(shown), u));
}

void rmt_wipe(char *s)
{
	for (volatile char *p = s; p && *p; p++)
		*p = '\0';
}

int rmt_need_streams(const wsp_host *h, wsp_error *err)
{
	if (h->http_request && h->http_stream_open &&
	    WSP_HAS_MEMBER(wsp_host, h, http_stream_release))
		return 0;
	return wsp_error_set(err, WSP_ENOTSUP,
			     "this wsp has no HTTP streaming service");
}

char *rmt_command_dir(const char *working_dir, const char *cwd)
{
	size_t wl = strlen(working_dir);
	char *out = NULL;

	if (!cwd || !*cwd || !strcmp(cwd, "."))
		return strdup(working_dir);
	if (cwd[0] == '/')
		return strdup(cwd);
	if (asprintf(&out, "%s%s%s", working_dir,
		     wl && working_dir[wl - 1] == '/' ? "" : "/", cwd) < 0)
		return NULL;
	return out;
}

int rmt_is_missing_mark(const char *mark, const char *data, size_t len)
{
	return data && len == strlen(mark) && !memcmp(data, mark, len);
}

int rmt_env_json(cJSON *obj, const char *const *env, wsp_error *err)
{
	for (size_t i = 0; env && env[i]; i++) {
		const char *eq = strchr(env[i], '=');
		char key[256];
		size_t kl = eq ? (size_t)(eq - env[i]) : 0;

		if (!kl || kl >= sizeof(key))
			return wsp_error_set(err, WSP_EINVAL,
					     "environment entry %zu is not "
					     "KEY=VALUE",
					     i);
		memcpy(key, env[i], kl);
		key[kl] = '\0';
		cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
		if (!cJSON_AddStringToObject(obj, key, eq + 1))
			return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	return 0;
}
