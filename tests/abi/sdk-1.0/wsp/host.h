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

	/* ABI 1.1+: append here, never above */
};

#ifdef __cplusplus
}
#endif
#endif /* WSP_HOST_H */
