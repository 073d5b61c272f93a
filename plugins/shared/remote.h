/*
 * plugins/shared/remote.h - small pieces every remote sandbox provider
 * (sandbox-blaxel, sandbox-daytona, sandbox-e2b) needs alike, compiled
 * into each: the wsp code of an HTTP status, a service's message made
 * safe to show, the clock, when a foreground command must end (its own
 * limit, the call's deadline or cancel), and the options they share.
 */
#ifndef WSP_PLUGIN_SHARED_REMOTE_H
#define WSP_PLUGIN_SHARED_REMOTE_H

#include <wsp/plugin.h>

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* CLOCK_MONOTONIC in ms. */
int64_t rmt_now_ms(void);

/* The wsp code of a failed HTTP status (400 EINVAL ... 5xx EUNAVAIL). */
int rmt_status_code(int status);

/*
 * A bounded printable copy of s for a message: every byte isprint()
 * refuses is '?', cut to cap (a NUL always ends it when cap > 0); s may
 * be NULL. Returns out.
 */
const char *rmt_printable(char *out, size_t cap, const char *s);

/*
 * A service's message for an error: printable ASCII, cut to cap, every
 * value of the NULL-ended secrets replaced by "***" (a server may echo a
 * key back). s may be NULL.
 */
void rmt_message(char *out, size_t cap, const char *s,
		 const char *const *secrets);

/*
 * Send req (the caller sets WSP_HTTP_NO_ERROR_MAP: every status is an
 * answer); *status gets the HTTP status and *out (may be NULL) the JSON
 * of an answer of at most json_max bytes (NULL when it is not JSON). A
 * failed status's detail (Retry-After, retryable) goes into err for
 * rmt_fail. Transport failures are a negative code.
 */
int rmt_json_request(int *status, cJSON **out, const wsp_host *h,
		     const wsp_http_request *req, size_t json_max,
		     wsp_error *err);

/*
 * The error of a failed request: "WHAT: HTTP STATUS: MESSAGE" with the
 * status's code, the service's message made safe (rmt_message) and its
 * code kept in err->service_code ([A-Za-z0-9_.-], others '_'); the
 * Retry-After and retry flags already in err (from the response) are
 * kept. msg and code may be NULL. Returns the code.
 */
int rmt_fail(int status, const char *msg, const char *code,
	     const char *const *secrets, const char *what, wsp_error *err);

/*
 * Where a foreground command stands: running, or why it ended (the slot
 * stopped it at its limit or on cancel, its answer ended, or it failed).
 */
enum rmt_stop {
	RMT_RUNNING = 0,
	RMT_TIMED_OUT,
	RMT_CANCELED,
	RMT_ENDED,
	RMT_FAILED
};
/* Must it end now (RUNNING: no)? until: its own end (rmt_now_ms), 0 =
 * none. */
enum rmt_stop rmt_must_stop(const wsp_host *h, const wsp_call *call,
			    int64_t until);
/* How long it may wait at most before that (-1: no limit). */
int64_t rmt_wait_budget(const wsp_host *h, const wsp_call *call,
			int64_t until);
/* Sleep ms, less when the call ends first; then its code (else 0). */
int rmt_nap(const wsp_host *h, const wsp_call *call, int64_t ms);

/*
 * Where a read of text[start..len) begins once cut to the tails o asks
 * for (tail_bytes, then the last tail_lines lines: a final newline ends a
 * line, it does not start one).
 */
size_t rmt_tail_start(const char *text, size_t len, size_t start,
		      const wsp_output_opts *o);

/* One info pair, unless an earlier one stopped the listing or v is NULL. */
static inline int rmt_kv(int rc, wsp_kv_fn cb, void *payload, const char *k,
			 const char *v)
{
	return rc || !v ? rc : cb(k, v, payload);
}

/* Hand instructions text (snprintf's n) to sink; its code as an error. */
int rmt_instructions(wsp_sink_fn sink, void *payload, const char *text,
		     int n, size_t cap, wsp_error *err);

/*
 * The string option name, else (unset or empty) the environment variable
 * var (NULL: none), else nothing: a malloc'ed copy in *out, or NULL.
 * 0 or the option's error.
 */
int rmt_opt_text(char **out, const wsp_host *h, const wsp_config *cfg,
		 const char *name, const char *var, wsp_error *err);

/*
 * The options every remote sandbox has alike (one meaning, default and
 * range): entries of each provider's wsp_option_spec table, so that
 * their names, bounds and help read the same in every provider.
 */
#define RMT_OPT_REQUEST_TIMEOUT                                                \
	WSP_OPTION_RANGE(WSP_OPT_DURATION, "request_timeout", "60s", "1ms",    \
			 NULL, "longest single API request")
#define RMT_OPT_MAX_CAPTURE                                                    \
	WSP_OPTION_RANGE(WSP_OPT_SIZE, "max_capture", "1MiB", "1", "256MiB",   \
			 "output kept per stream of a command (newest bytes)")
#define RMT_OPT_INSTALL_MOUNT_TOOLS                                            \
	WSP_OPTION(WSP_OPT_BOOL, "install_mount_tools", "false",               \
		   "a store mounted inside the sandbox whose tool (s3fs, "     \
		   "rclone) is missing gets it installed with apt-get (root "  \
		   "or sudo, and the network); false: an error says so")

/* A variable name a shell can export: [A-Za-z_][A-Za-z0-9_]*. */
int rmt_env_name_ok(const char *k);

/* u starts "http://" or "https://". */
int rmt_is_http(const char *u);

/*
 * The URL option name's value u, kept without a trailing '/' (cut in
 * place): 0 when it is http(s), at most 512 bytes and has no space,
 * query, fragment or line break, else WSP_ECONFIG "NAME 'U' is not an
 * http(s) URL without query" (u made printable).
 */
int rmt_url_ok(char *u, const char *name, wsp_error *err);

/*
 * What a remote sandbox needs of the core: its HTTP requests and
 * streams. 0, or WSP_ENOTSUP "this wsp has no HTTP streaming service"
 * from a core without them.
 */
int rmt_need_streams(const wsp_host *h, wsp_error *err);

/*
 * The directory a command runs in: working_dir for no cwd (or "."), cwd
 * when it is absolute, else cwd below working_dir. malloc'ed; NULL when
 * memory ran out.
 */
char *rmt_command_dir(const char *working_dir, const char *cwd);

/*
 * Whether a command's stderr (len bytes, data may be NULL) is exactly
 * mark: the line an argv wrapper writes before exit 127 when the
 * program is missing, which exec turns into WSP_ENOTFOUND as execve's
 * ENOENT would be.
 */
int rmt_is_missing_mark(const char *mark, const char *data, size_t len);

/*
 * A command's KEY=VALUE environment entries (NULL-ended, env may be
 * NULL) as members of the JSON object obj, a later KEY replacing an
 * earlier one: 0, WSP_EINVAL for an entry without a key (or one of 256
 * bytes or more), WSP_ENOMEM.
 */
int rmt_env_json(cJSON *obj, const char *const *env, wsp_error *err);

/* Zero a secret string in place before it is freed (NULL: nothing). */
void rmt_wipe(char *s);

#endif
