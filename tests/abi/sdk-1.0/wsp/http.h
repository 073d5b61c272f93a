/*
 * wsp/http.h - requests through the core's HTTP service (host->http_request).
 *
 * One blocking call per request. The core reuses connections across calls
 * and threads, speaks HTTP/1.1 and HTTP/2, verifies TLS, honours the usual
 * proxy variables, retries idempotent requests (connection errors, 429,
 * 500, 502, 503, 504) with exponential backoff, full jitter and
 * Retry-After, and maps failures to wsp codes carrying the server's own
 * message. Its debug log masks Authorization, API keys, tokens, signatures
 * and every value listed in wsp_http_request.secrets.
 */
#ifndef WSP_HTTP_H
#define WSP_HTTP_H

#include <wsp/common.h>

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
	const wsp_cancel *cancel;
	/* NULL-terminated values to mask in logs and messages (API keys). */
	const char *const *secrets;
} wsp_http_request;

typedef struct wsp_http_response {
	uint32_t struct_size; /* set by the caller */
	int32_t status;       /* HTTP status of the final attempt */
	char *body;           /* collected body (NUL-terminated), or NULL */
	size_t body_len;
	uint32_t attempts; /* how many attempts were made */
	uint32_t reserved;
} wsp_http_response;

#ifdef __cplusplus
}
#endif
#endif /* WSP_HTTP_H */
