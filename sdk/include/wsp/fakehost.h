/*
 * wsp/fakehost.h - a host for a provider's unit tests (libwsp-fakehost.a).
 *
 * A provider under test needs a host table. Rather than each test writing
 * its own (with its own option parser and its own idea of a cancel), this
 * library hands it the core's: the real option checking, HTTP service,
 * streaming engine, state store and call checks (through libwsp's
 * wsp_host_harness_open(), <wsp/harness.h>), plus what a test needs
 * around them:
 *
 *   - a scratch directory (removed by wsp_fakehost_free) holding the state
 *     store, for the provider's working files too;
 *   - options from a YAML string, checked against the provider's declared
 *     schema as wsp.yaml is (FILE:LINE:COL messages);
 *   - a log that records every line for assertions and FAILS THE TEST
 *     (prints the line with the value masked, then abort()) when a line
 *     contains a secret: the value of a SECRET option, or one the test
 *     declares with wsp_fakehost_add_secret;
 *   - call contexts with their own cancel token and a deadline the test
 *     can fire at any moment;
 *   - a count of host->alloc buffers not yet freed.
 *
 * Build: `pkg-config --cflags --libs wsp-fakehost`, or with CMake
 * `target_link_libraries(test PRIVATE wsp::fakehost)`. The test links
 * libwsp; the provider itself still does not. The typical test:
 *
 *   wsp_fakehost *fh;
 *   void *self;
 *   wsp_error err = { 0 };
 *
 *   wsp_fakehost_new(&fh, wsp_plugin_entry(WSP_PLUGIN_ABI_MAJOR,
 *                    WSP_PLUGIN_ABI_MINOR), &err);
 *   wsp_fakehost_options(fh, "root: /tmp/x\ntoken: made-up-token\n", &err);
 *   wsp_fakehost_init(&self, fh, &err);      // desc->init with the table
 *   ... call the vtables with wsp_fakehost_call(fh, 5000) ...
 *   desc->fini(self);
 *   wsp_fakehost_free(fh);
 *
 * Functions returning int give 0 or a negative wsp_errcode with err
 * filled. Log functions are thread-safe; the rest belong to the test's
 * thread. Calls are owned by the fake host and freed with it.
 */
#ifndef WSP_FAKEHOST_H
#define WSP_FAKEHOST_H

#include <wsp/harness.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wsp_fakehost wsp_fakehost;

/*
 * A fake host for desc (checked as the loader checks it) with a fresh
 * scratch directory under $TMPDIR (or /tmp), mode 0700.
 */
int wsp_fakehost_new(wsp_fakehost **out, const wsp_plugin_desc *desc,
		     wsp_error *err);
/*
 * The same for the provider built at path (a wsp-<kind>-<name>.so),
 * loaded as the core loads it: dlopen RTLD_NOW | RTLD_LOCAL, its
 * wsp_plugin_entry asked for this header's ABI. WSP_ENOTPLUGIN when it
 * cannot be loaded or has no descriptor for that ABI. The library stays
 * loaded for the rest of the process.
 */
int wsp_fakehost_load(wsp_fakehost **out, const char *path, wsp_error *err);
/* Remove the scratch directory and free everything (fini first). */
void wsp_fakehost_free(wsp_fakehost *fh);

/* The scratch directory (the state store lives in its "state"). */
const char *wsp_fakehost_dir(const wsp_fakehost *fh);
/* The host table to hand to the provider. */
const wsp_host *wsp_fakehost_host(const wsp_fakehost *fh);
/* The descriptor under test. */
const wsp_plugin_desc *wsp_fakehost_desc(const wsp_fakehost *fh);

/*
 * The provider's options from yaml, a mapping (NULL or "" for none),
 * checked as the core checks wsp.yaml; errors are "options.yaml:L:C: ..."
 * (every problem is also in the log at WSP_LOG_ERROR). WSP_ECONFIG when
 * they are refused. The values of SECRET options become secrets of the
 * log. May be called again (each init uses the latest options).
 */
int wsp_fakehost_options(wsp_fakehost *fh, const char *yaml,
			 wsp_error *err);
/* What init gets; with no options set yet, the empty set is checked. */
int wsp_fakehost_args(const wsp_instance_args **out, wsp_fakehost *fh,
		      wsp_error *err);
/* desc->init(self, host, args, err) with the latest options. */
int wsp_fakehost_init(void **self, wsp_fakehost *fh, wsp_error *err);

/* ---- the log ----------------------------------------------------------- */

/* Lines logged so far (every level). */
size_t wsp_fakehost_log_count(const wsp_fakehost *fh);
/*
 * Line i (0 = oldest) and its level (may be NULL), or NULL past the end.
 * Valid until wsp_fakehost_log_clear or free.
 */
const char *wsp_fakehost_log_line(const wsp_fakehost *fh, size_t i,
				  int *level);
/* How many lines at level max_level or more severe contain needle. */
size_t wsp_fakehost_log_find(const wsp_fakehost *fh, int max_level,
			     const char *needle);
/* Forget the lines so far (secrets and leak counts stay). */
void wsp_fakehost_log_clear(wsp_fakehost *fh);
/* Copy lines to stderr as they come (also when $WSP_FAKEHOST_LOG is set). */
void wsp_fakehost_log_echo(wsp_fakehost *fh, int on);

/* ---- secrets ----------------------------------------------------------- */

/* A value no log line may contain from now on (copied). */
int wsp_fakehost_add_secret(wsp_fakehost *fh, const char *value,
			    wsp_error *err);
/* Whether text contains a secret (to check errors or output too). */
int wsp_fakehost_text_leaks(const wsp_fakehost *fh, const char *text);

/*
 * Called for a log line that contains a secret (line as logged, the value
 * masked). Without one (the default) the fake host prints the masked line
 * to stderr and calls abort(): whatever framework runs the test, it
 * fails. A test of the detection itself sets one.
 */
typedef void (*wsp_fakehost_leak_fn)(const char *masked_line, int level,
				     void *payload);
void wsp_fakehost_on_leak(wsp_fakehost *fh, wsp_fakehost_leak_fn fn,
			  void *payload);
/* Lines that contained a secret so far. */
size_t wsp_fakehost_leaks(const wsp_fakehost *fh);

/* ---- calls ------------------------------------------------------------- */

/*
 * A call context with its own cancel token and a deadline timeout_ms from
 * now (0: none). Owned by fh. NULL when out of memory.
 */
wsp_call *wsp_fakehost_call(wsp_fakehost *fh, int64_t timeout_ms);
/* Fire the call's cancel token (its descriptor becomes readable). */
void wsp_fakehost_call_cancel(wsp_call *call);
/*
 * Fire the call's deadline now: host->call_expired gives WSP_ETIMEDOUT
 * from here on. A provider blocked in a wait it bounded by the remaining
 * time before notices when that wait ends, as it would in production.
 */
void wsp_fakehost_call_expire(wsp_call *call);

/* ---- memory ------------------------------------------------------------ */

/* host->alloc buffers not yet given back to host->free. */
long wsp_fakehost_live_allocs(const wsp_fakehost *fh);

#ifdef __cplusplus
}
#endif
#endif /* WSP_FAKEHOST_H */
