/*
 * wsp/http.h - requests through the core's HTTP service (host->http_request).
 *
 * One blocking call per request. The core reuses connections across calls
 * and threads, speaks HTTP/1.1 and HTTP/2, verifies TLS, honours the usual
 * proxy variables, retries idempotent requests (connection errors, 408,
 * 429, 500, 502, 503, 504) with exponential backoff, full jitter and
 * Retry-After, and maps failures to wsp codes carrying the server's own
 * message. Its debug log masks Authorization, API keys, tokens, signatures
 * and every value listed in wsp_http_request.secrets.
 *
 * A failed response also fills the wsp_error's detail: http_status, the
 * service's own code (service_code: XML <Code>, JSON "code", "errorCode",
 * "error.code" or "error.status"; at most 63 bytes of [A-Za-z0-9._:/-],
 * secrets masked), WSP_ERROR_RETRYABLE (transient connection failures and
 * 408, 429, 500, 502, 503, 504) and the server's Retry-After
 * (WSP_ERROR_HAS_RETRY_AFTER, at most an hour). With WSP_HTTP_NO_ERROR_MAP
 * the same detail is in the wsp_http_response; wsp_http_error_detail()
 * copies it into the provider's own error.
 *
 * The call (wsp_call, the one the provider's slot received) bounds the
 * whole request, retries and the waits between them included: no attempt
 * starts and no wait runs past its deadline, which ends the request with
 * WSP_ETIMEDOUT; its token ends it with WSP_ECANCELED.
 */
#ifndef WSP_HTTP_H
#define WSP_HTTP_H

#include <wsp/common.h>

#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wsp_http_header {
	const char *name;
	const char *value;
} wsp_http_header;

/* wsp_http_request.flags */
#define WSP_HTTP_IDEMPOTENT (1u << 0) /* retry even if the method is not */
#define WSP_HTTP_NO_RETRY (1u << 1)   /* never retry */
#define WSP_HTTP_NO_ERROR_MAP (1u << 2) /* status >= 400 is not an error */

/*
 * Called once per response header line of the final attempt (name and
 * value trimmed). Return 0 to go on.
 */
typedef int (*wsp_http_header_fn)(const char *name, const char *value,
				  void *payload);

/*
 * Rewind a streamed request body to its start before a retry; return 0,
 * or a negative code when the body cannot be replayed (no retry then).
 */
typedef int (*wsp_http_rewind_fn)(void *payload);

typedef struct wsp_http_request {
	uint32_t struct_size; /* sizeof(wsp_http_request) */
	uint32_t flags;       /* WSP_HTTP_* */
	const char *method;   /* "GET", "PUT", ... */
	const char *url;      /* absolute http:// or https:// URL */
	const wsp_http_header *headers;
	size_t n_headers;

	/* Request body: in memory, or streamed from body_source. */
	const void *body;
	size_t body_len;
	wsp_source_fn body_source;
	void *body_payload;
	wsp_http_rewind_fn body_rewind;
	int64_t body_size; /* streamed size, -1 = unknown (chunked) */

	/*
	 * Response body: streamed to response_sink when set (only 2xx bodies
	 * of the final attempt reach it); otherwise collected into
	 * wsp_http_response.body.
	 */
	wsp_sink_fn response_sink;
	void *response_payload;
	wsp_http_header_fn on_header;
	void *header_payload;

	int64_t timeout_ms;         /* whole request; 0 = service default */
	int64_t connect_timeout_ms; /* 0 = service default */
	uint32_t max_attempts;      /* 0 = service default */
	uint32_t reserved;
	const wsp_call *call; /* the slot's call context; NULL = none */
	/* NULL-terminated values to mask in logs and messages (API keys). */
	const char *const *secrets;
} wsp_http_request;

typedef struct wsp_http_response {
	uint32_t struct_size; /* set by the caller */
	int32_t status;       /* HTTP status of the final attempt */
	char *body;           /* collected body (NUL-terminated), or NULL */
	size_t body_len;
	uint32_t attempts; /* how many attempts were made */
	/*
	 * With status >= 400, what the service said, as a wsp_error holds
	 * it (filled when struct_size covers it; see wsp_http_error_detail).
	 */
	uint32_t error_flags;   /* WSP_ERROR_RETRYABLE, _HAS_RETRY_AFTER */
	int64_t retry_after_ms; /* with WSP_ERROR_HAS_RETRY_AFTER */
	char service_code[WSP_ERROR_CODE_MAX]; /* "" if none */
} wsp_http_response;

/*
 * Copy a failed response's detail (status, service code, retryability,
 * Retry-After) into err, after the provider's own wsp_error_set(): for
 * providers that map statuses themselves (WSP_HTTP_NO_ERROR_MAP).
 */
static inline void wsp_http_error_detail(wsp_error *err,
					 const wsp_http_response *resp)
{
	if (!err || !resp || resp->status < 400)
		return;
	err->http_status = resp->status;
	if (!WSP_HAS_MEMBER(wsp_http_response, resp, service_code))
		return;
	err->flags = resp->error_flags;
	err->retry_after_ms = resp->retry_after_ms;
	memcpy(err->service_code, resp->service_code,
	       sizeof(err->service_code));
	err->service_code[sizeof(err->service_code) - 1] = '\0';
}

#ifdef __cplusplus
}
#endif
#endif /* WSP_HTTP_H */
