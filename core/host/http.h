/*
 * core/host/http.h - the core's HTTP service (internal API, never installed).
 *
 * host->http_request and host->http_response_release point at
 * wsp__http_request() and wsp__http_response_release(). One process-wide
 * service shares a libcurl connection cache, DNS cache and TLS sessions
 * across every call and thread; per-call settings come from the request,
 * then from the http: section of the workspace whose host table made the
 * call (struct wsp__host.http), then process-wide defaults from
 * wsp__http_configure(); see wsp__http_effective().
 *
 * The pieces: http.c (the transfer), http_retry.c (which failures are
 * retried and how long to wait), http_log.c (masking of secrets for the
 * debug log and error messages), http_error.c (status and libcurl codes to
 * wsp codes, the server's own message).
 */
#ifndef WSP_CORE_HTTP_H
#define WSP_CORE_HTTP_H

#include <stdbool.h>
#include <wsp/host.h>
#include <wsp/http.h>

#ifndef WSP_INTERNAL
#define WSP_INTERNAL __attribute__((visibility("hidden")))
#endif

/*
 * Process-wide defaults; zero members keep the built-in value. The same
 * struct holds a workspace's http: section (config_http.c), whose set
 * members win over these for requests through that workspace's tables.
 */
typedef struct wsp__http_settings {
	const char *ca_bundle;	    /* PEM file of trusted CAs; NULL = system */
	int64_t connect_timeout_ms; /* default 10 s */
	int64_t timeout_ms;	    /* whole request incl. retries; 0 = none */
	int64_t low_speed_time_ms;  /* stalled for this long = timeout (30 s) */
	int64_t low_speed_limit;    /* bytes/s counted as stalled (1) */
	uint32_t max_attempts;	    /* default 4 */
	int64_t backoff_base_ms;    /* first backoff ceiling (200 ms) */
	int64_t backoff_max_ms;	    /* largest backoff and Retry-After (20 s) */
	size_t max_collected_body;  /* bound of in-memory bodies (256 MiB) */
} wsp__http_settings;

/*
 * Replace the defaults (copied; ca_bundle duplicated). Call before the
 * first request or between requests; thread-safe. NULL restores the
 * built-in defaults.
 */
WSP_INTERNAL int wsp__http_configure(const wsp__http_settings *settings,
				     wsp_error *err);

/*
 * The settings a request through a host table gets, member by member:
 * ws (the http: section of the workspace that made the table; may be
 * NULL) where set, else the process-wide ones, else the built-in
 * defaults. ca_bundle: ws's, else the process-wide one, else
 * $CURL_CA_BUNDLE, else $SSL_CERT_FILE, else libcurl's own; *ca holds
 * the copy out->ca_bundle points at (free it). A request's own
 * timeout_ms, connect_timeout_ms and max_attempts still win over these.
 */
WSP_INTERNAL void wsp__http_effective(wsp__http_settings *out, char **ca,
				      const wsp__http_settings *ws);

/* host->http_request: see <wsp/http.h>. */
WSP_INTERNAL int wsp__http_request(wsp_http_response *out, const wsp_host *host,
				   const wsp_http_request *req, wsp_error *err);

/* host->http_response_release: frees what wsp__http_request() collected. */
WSP_INTERNAL void wsp__http_response_release(const wsp_host *host,
					     wsp_http_response *resp);

/* Drop the shared caches (tests, library unload). */
WSP_INTERNAL void wsp__http_shutdown(void);

/* --- http_headers.c --- */

struct curl_slist;

/*
 * libcurl's header list for a request's headers: names must be tokens
 * without ':', spaces or line breaks, values without line breaks (else
 * WSP_EINVAL naming the header); a NULL value removes a header libcurl
 * would add, an empty one sends it empty. *out is NULL for no headers.
 */
WSP_INTERNAL int wsp__http_header_list(struct curl_slist **out,
				       const wsp_http_header *headers,
				       size_t n, wsp_error *err);

/*
 * The options every transfer sets, blocking (http.c) and streamed
 * (http_stream_easy.c) alike, so the two cannot drift apart: the URL, http
 * and https only, TLS verified (peer and host, against the system's CAs
 * and ca when set), the path sent as signed, no signals, TCP keep-alive,
 * the error buffer and the header list. easy is a CURL handle; returns
 * libcurl's code of the first option that failed, or CURLE_OK (0).
 */
WSP_INTERNAL int wsp__http_easy_base(void *easy, const char *url,
				     long http_version, const char *ca,
				     char *errbuf, struct curl_slist *hdrs);
/* curl_easy_setopt(h, opt, val) unless an earlier option failed: rc (a
 * CURLcode) keeps the first failure, so a list of options reads as one. */
#define WSP__CURL_SET(rc, h, opt, val)                                         \
	do {                                                                   \
		if ((rc) == CURLE_OK)                                          \
			(rc) = curl_easy_setopt((h), (opt), (val));            \
	} while (0)

/* --- http_retry.c --- */

/* True when method may be sent twice (GET HEAD PUT DELETE OPTIONS). */
WSP_INTERNAL bool wsp__http_idempotent_method(const char *method);

/* True for statuses worth another attempt: 408 429 500 502 503 504. */
WSP_INTERNAL bool wsp__http_retryable_status(long status);

/*
 * Parse a Retry-After value, delta-seconds or an HTTP-date (IMF-fixdate,
 * as util/httpdate.h reads it), relative to now (seconds since the
 * epoch). Returns the delay in ms (>= 0; 0 for a date not after now), or
 * -1 when value is neither.
 */
WSP_INTERNAL int64_t wsp__http_parse_retry_after(const char *value,
						 int64_t now);

/* The longest Retry-After taken as it is; longer ones are cut to it. */
#define WSP__HTTP_RETRY_AFTER_MAX_MS ((int64_t)3600 * 1000)

/*
 * A response's Retry-After as the service reports it: the parsed delay
 * cut to WSP__HTTP_RETRY_AFTER_MAX_MS, or -1 for garbage.
 */
WSP_INTERNAL int64_t wsp__http_retry_after_ms(const char *value, int64_t now);

/*
 * Full-jitter backoff before attempt number `attempt` (2 for the first
 * retry): a uniform random delay in [0, min(max_ms, base_ms * 2^(n-2))].
 */
WSP_INTERNAL int64_t wsp__http_backoff_ms(uint32_t attempt, int64_t base_ms,
					  int64_t max_ms);

/* --- http_log.c --- */

/* True when a header's value must never be logged (Authorization...). */
WSP_INTERNAL bool wsp__http_sensitive_header(const char *name);

/* True when a query parameter's value must never be logged. */
WSP_INTERNAL bool wsp__http_sensitive_param(const char *name, size_t len);

/*
 * Copy src into dst (cap bytes, always NUL-terminated, may be cut) with
 * every occurrence of each secret (NULL-terminated list, may be NULL)
 * replaced by WSP__SECRET_MASK. Secrets shorter than 4 bytes are masked too.
 */
WSP_INTERNAL void wsp__http_mask_secrets(char *dst, size_t cap, const char *src,
					 const char *const *secrets);

/*
 * What stands for a secret in every output of wsp. One string, whatever
 * the output, so a reader (and a test) recognises a masked value anywhere;
 * its length says nothing about the secret's.
 */
#define WSP__SECRET_MASK "********"

/*
 * The same: the one routine every output of wsp (logs, errors, config
 * show, tool results, the HTTP debug log) masks secrets with.
 */
WSP_INTERNAL void wsp__mask_text(char *dst, size_t cap, const char *src,
				 const char *const *secrets);

/* The URL with the values of sensitive query parameters masked. */
WSP_INTERNAL void wsp__http_mask_url(char *dst, size_t cap, const char *url,
				     const char *const *secrets);

/* "Name: value" with the value masked when the header is sensitive. */
WSP_INTERNAL void wsp__http_mask_header(char *dst, size_t cap, const char *name,
					const char *value,
					const char *const *secrets);

/* --- http_error.c --- */

/* The wsp code for an HTTP status >= 400. */
WSP_INTERNAL int wsp__http_status_code(long status);

/*
 * The server's own message from an error body: the <Message> (or <Code>)
 * of an XML error, the "message"/"error" of a JSON one, else the first
 * bytes; control characters dropped, whitespace squeezed, secrets masked,
 * cut to fit cap.
 */
WSP_INTERNAL void wsp__http_server_message(char *dst, size_t cap,
					   const char *body, size_t len,
					   const char *const *secrets);

/*
 * The same, and the service's own code into code (code_cap bytes, 0 for
 * none): XML <Code>, else JSON "code", "errorCode", "error.code" (a
 * string), "error.status"; only [A-Za-z0-9._:/-] kept, secrets masked,
 * cut to fit. cap 0 skips the message. One parse for both.
 */
WSP_INTERNAL void wsp__http_error_body(char *dst, size_t cap, char *code,
				       size_t code_cap, const char *body,
				       size_t len,
				       const char *const *secrets);

/* What a failed response said, as a wsp_error carries it. */
struct wsp__http_detail {
	int32_t status;		/* 0 when none arrived */
	uint32_t flags;		/* WSP_ERROR_RETRYABLE, _HAS_RETRY_AFTER */
	int64_t retry_after_ms; /* with WSP_ERROR_HAS_RETRY_AFTER */
	char service_code[WSP_ERROR_CODE_MAX];
};

/*
 * The detail of a response with status (>= 400), its error body and its
 * Retry-After header value (NULL or "" when none): retryable by
 * wsp__http_retryable_status(), Retry-After by wsp__http_retry_after_ms().
 */
WSP_INTERNAL void wsp__http_detail_of(struct wsp__http_detail *d, long status,
				      const char *body, size_t len,
				      const char *retry_after,
				      const char *const *secrets);

/* Copy d into err's detail (after wsp_error_set*, which clears it). */
WSP_INTERNAL void wsp__http_detail_apply(wsp_error *err,
					 const struct wsp__http_detail *d);

/*
 * The wsp code for a libcurl failure (a CURLcode); *transient is set when
 * another attempt may succeed.
 */
WSP_INTERNAL int wsp__http_curl_code(int curl_rc, bool *transient);

/*
 * Why a transfer failed, for a message: libcurl's error buffer (errbuf,
 * may be NULL or empty) or its text for the code, secrets masked, first
 * letter lowered, with a hint for certificate problems.
 */
WSP_INTERNAL void wsp__http_curl_detail(char *dst, size_t cap, int curl_rc,
					const char *errbuf,
					const char *const *secrets);

#endif /* WSP_CORE_HTTP_H */
