/*
 * wsp/host.h - the table of core services handed to every provider.
 *
 * Providers reach the core only through this table (they do not link
 * libwsp), so `-Wl,-z,defs` proves they use nothing else, tests can hand a
 * provider a fake host, and a provider keeps working across core releases
 * while the plugin ABI major holds. Members are appended only; test for a
 * newer one with WSP_HAS_MEMBER(wsp_host, host, member) before using it.
 *
 * Every function in this table is thread-safe.
 */
#ifndef WSP_HOST_H
#define WSP_HOST_H

#include <wsp/common.h>
#include <wsp/options.h>
#include <wsp/http.h>
#include <wsp/sigv4.h>
#include <wsp/state.h>
#include <wsp/stream.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Log levels for host->log. */
enum wsp_log_level {
	WSP_LOG_ERROR = 0,
	WSP_LOG_WARN = 1,
	WSP_LOG_INFO = 2,
	WSP_LOG_DEBUG = 3
};

typedef struct wsp_host wsp_host;

struct wsp_host {
	uint32_t struct_size; /* sizeof(wsp_host) in the core */
	uint16_t abi_major;   /* WSP_PLUGIN_ABI_MAJOR of the core */
	uint16_t abi_minor;   /* WSP_PLUGIN_ABI_MINOR of the core */

	/* ABI 1.0 */

	/*
	 * Log a line (no trailing newline needed). Providers never print to
	 * stdout/stderr themselves. Never pass a secret.
	 */
	void (*log)(const wsp_host *host, int level, const char *fmt, ...)
		WSP_PRINTF(3, 4);

	/*
	 * Memory the provider hands to the core (capture buffers of an exec
	 * result, extension results) is allocated here, so the core frees it
	 * with the matching allocator.
	 */
	void *(*alloc)(const wsp_host *host, size_t size);
	void (*free)(const wsp_host *host, void *ptr);

	/*
	 * Typed option getters. Each returns 0 and sets *out to the validated
	 * value (or the declared default), or WSP_ENOTFOUND when the option is
	 * absent and has no default, or WSP_EINVAL when name is not declared
	 * with that type. Strings and arrays are owned by cfg.
	 */
	int (*opt_string)(const char **out, const wsp_host *host,
			  const wsp_config *cfg, const char *name,
			  wsp_error *err); /* STRING and SECRET */
	int (*opt_int)(int64_t *out, const wsp_host *host,
		       const wsp_config *cfg, const char *name,
		       wsp_error *err);
	int (*opt_bool)(int *out, const wsp_host *host, const wsp_config *cfg,
			const char *name, wsp_error *err);
	int (*opt_duration)(int64_t *out_ms, const wsp_host *host,
			    const wsp_config *cfg, const char *name,
			    wsp_error *err);
	int (*opt_size)(uint64_t *out_bytes, const wsp_host *host,
			const wsp_config *cfg, const char *name,
			wsp_error *err);
	/* NULL-terminated array of items. */
	int (*opt_list)(const char *const **out, const wsp_host *host,
			const wsp_config *cfg, const char *name,
			wsp_error *err);
	/* NULL-terminated array of alternating keys and values. */
	int (*opt_map)(const char *const **out, const wsp_host *host,
		       const wsp_config *cfg, const char *name,
		       wsp_error *err);

	/* Cancel tokens (see wsp_cancel in <wsp/common.h>); NULL = never. */
	int (*cancel_requested)(const wsp_host *host, const wsp_cancel *cancel);
	/* A descriptor readable once canceled, or -1 for a NULL token. */
	int (*cancel_fd)(const wsp_host *host, const wsp_cancel *cancel);

	/*
	 * The HTTP service (see <wsp/http.h>): connection reuse, retries,
	 * timeouts, proxies and a masked debug log, written once for every
	 * remote provider. NULL in a core built without it.
	 */
	int (*http_request)(wsp_http_response *out, const wsp_host *host,
			    const wsp_http_request *req, wsp_error *err);
	void (*http_response_release)(const wsp_host *host,
				      wsp_http_response *resp);

	/*
	 * AWS Signature Version 4 (see <wsp/sigv4.h>). Header mode writes
	 * the Authorization value to out; WSP_SIGV4_PRESIGN writes the whole
	 * query string to send (the request's parameters plus the X-Amz-*
	 * ones and X-Amz-Signature, no '?'). WSP_ETOOBIG when cap is short.
	 * Test with WSP_HAS_MEMBER(wsp_host, host, sign_aws_v4).
	 */
	int (*sign_aws_v4)(char *out, size_t cap, const wsp_host *host,
			   const wsp_sigv4_request *req, wsp_error *err);

	/*
	 * The host state store (see <wsp/state.h>): st is the store the core
	 * gave init (wsp_instance_args.state). Each returns 0 or a negative
	 * wsp_errcode with err filled: WSP_EINVAL for a bad key (or a NULL
	 * st), WSP_ETOOBIG for a value over WSP_STATE_VALUE_MAX, WSP_EPERM
	 * for a store directory or file wsp refuses, WSP_EIO otherwise.
	 * Test with WSP_HAS_MEMBER(wsp_host, host, state_list).
	 *
	 * state_get: *out is the value (allocated with host->alloc, followed
	 * by a NUL that *out_len does not count; it may hold NUL bytes) or
	 * WSP_ENOTFOUND when the key is absent. A file over the limit is
	 * refused with WSP_ETOOBIG, never read whole.
	 */
	int (*state_get)(char **out, size_t *out_len, const wsp_host *host,
			 const wsp_state *st, const char *key,
			 wsp_error *err);
	/*
	 * state_put: store len bytes of value under key, replacing any
	 * value. Written to a temporary file in the same directory, synced
	 * and renamed over the key: readers see the old or the new value,
	 * and so does whoever looks after a crash.
	 */
	int (*state_put)(const wsp_host *host, const wsp_state *st,
			 const char *key, const void *value, size_t len,
			 wsp_error *err);
	/*
	 * state_update: read-modify-write of key through fn under an
	 * exclusive flock on the store's lock file, which state_put and
	 * state_delete take too: two processes updating one key never lose
	 * an update. Returns fn's negative code when fn aborts.
	 */
	int (*state_update)(const wsp_host *host, const wsp_state *st,
			    const char *key, wsp_state_update_fn fn,
			    void *payload, wsp_error *err);
	/* state_delete: remove key; an absent key is not an error. */
	int (*state_delete)(const wsp_host *host, const wsp_state *st,
			    const char *key, wsp_error *err);
	/*
	 * state_list: call fn for each key starting with prefix (NULL or ""
	 * for all), in byte order; an empty store calls it never.
	 */
	int (*state_list)(const wsp_host *host, const wsp_state *st,
			  const char *prefix, wsp_state_key_fn fn,
			  void *payload, wsp_error *err);

	/*
	 * The call context (wsp_call in <wsp/common.h>) every slot receives.
	 * call_expired: 0 while the call may go on, WSP_ECANCELED once its
	 * token fired, WSP_ETIMEDOUT once its deadline passed: return that
	 * code. A NULL call never expires.
	 */
	int (*call_expired)(const wsp_host *host, const wsp_call *call);
	/*
	 * Milliseconds left before the call's deadline (0 when it passed or
	 * the call was canceled), -1 when it has none: what to hand to poll()
	 * or to libcurl.
	 */
	int64_t (*call_remaining_ms)(const wsp_host *host,
				     const wsp_call *call);
	/* A descriptor readable once the call is canceled, or -1. */
	int (*call_fd)(const wsp_host *host, const wsp_call *call);

	/*
	 * The streaming engine (see <wsp/stream.h>): one thread for every
	 * long response of the process. http_stream_open() copies req and
	 * starts the stream; on success *out is the caller's handle (give
	 * it back with http_stream_release) and on_done will be called; on
	 * failure nothing is called. call may be NULL; its cancel token
	 * cancels the stream (WSP_ECANCELED) and its deadline bounds it
	 * (WSP_ETIMEDOUT), like timeout_ms; an expired call is refused.
	 * The workspace's http: settings apply (CA bundle, timeouts), and
	 * its secrets are masked in messages as req->secrets are.
	 */
	int (*http_stream_open)(wsp_http_stream **out, const wsp_host *host,
				const wsp_call *call,
				const wsp_http_stream_request *req,
				wsp_error *err);
	/* Deliver again after on_data returned WSP_STREAM_PAUSE. */
	void (*http_stream_resume)(const wsp_host *host, wsp_http_stream *s);
	/* End the stream with WSP_ECANCELED unless it already ended. */
	void (*http_stream_cancel)(const wsp_host *host, wsp_http_stream *s);
	/* Give the handle back (canceling the stream if still running). */
	void (*http_stream_release)(const wsp_host *host, wsp_http_stream *s);

	/* ABI 2.1 */

	/*
	 * Write every option of fields (see wsp_option_field in
	 * <wsp/options.h>) into the provider's struct at dst, in one call
	 * instead of a getter per option: the values were validated against
	 * the option table before init (types, choices, min_value and
	 * max_value), so init only reads its struct. Options that are not set
	 * and have no default leave their member untouched. Returns 0, or
	 * WSP_EINVAL naming the entry when a name is not declared or a
	 * member's size does not fit the option's type or value; members
	 * before it are written.
	 */
	int (*opt_fill)(void *dst, const wsp_host *host, const wsp_config *cfg,
			const wsp_option_field *fields, wsp_error *err);

	/* ABI 2.2+: append here, never above */
};

#ifdef __cplusplus
}
#endif
#endif /* WSP_HOST_H */
