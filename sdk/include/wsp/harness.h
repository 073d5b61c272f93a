/*
 * wsp/harness.h - the core's host services for one provider under test.
 *
 * A provider's unit test needs what the core hands a provider in
 * production: a host table whose HTTP service, streaming engine, state
 * store, option getters and call checks are the real ones, options
 * checked against the provider's declared schema exactly as a wsp.yaml
 * is, and the wsp_instance_args its init() gets. libwsp builds that here
 * from a descriptor, without a workspace or a configuration file.
 *
 * This is the one entry point libwsp-fakehost.a (<wsp/fakehost.h>) is
 * built on; provider tests normally use that library, which adds a log
 * that records lines and fails a test that logs a secret, call contexts
 * a test can cancel or expire, and a scratch directory. Everything past
 * the entry point is reached through the returned table, so the library
 * and the core meet at one exported symbol (docs/sdk.md says why).
 */
#ifndef WSP_HARNESS_H
#define WSP_HARNESS_H

#include <wsp/plugin.h>
#include <wsp/workspace.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wsp_host_harness_args {
	uint32_t struct_size;        /* sizeof(wsp_host_harness_args) */
	uint32_t reserved;
	/*
	 * The provider under test, checked as the loader checks a plugin
	 * (magic, ABI, kind, vtables, option table) before anything else.
	 */
	const wsp_plugin_desc *desc;
	/* Where the state store lives (required) and relative paths resolve. */
	const char *state_dir;
	const char *config_dir;      /* NULL: state_dir */
	const char *instance_id;     /* NULL: "test" */
	/*
	 * Every log line of the table, at every level, NOT masked: the
	 * caller checks lines for secrets itself (the core would hide the
	 * values a provider must not log in the first place). NULL: none.
	 */
	wsp_log_fn log;
	void *log_payload;
} wsp_host_harness_args;

typedef struct wsp_host_harness wsp_host_harness;

struct wsp_host_harness {
	uint32_t struct_size;        /* sizeof(wsp_host_harness) in the core */
	uint32_t reserved;
	/* The table to hand to desc->init; valid until close. */
	const wsp_host *host;
	/*
	 * What desc->init gets (instance id, options, directories, the state
	 * store); NULL until set_options has succeeded once.
	 */
	const wsp_instance_args *args;
	/*
	 * Values of the SECRET options of the last set_options, NULL-ended
	 * (never NULL itself): what no log line may contain.
	 */
	const char *const *secrets;

	/*
	 * Check yaml (a mapping of the provider's options; NULL or "" for
	 * none) against the provider's option schema with the core's own
	 * parser and rules (types, choices, bounds, required options,
	 * defaults, unknown names with a suggestion). file names the text
	 * in messages (NULL: "options.yaml"). Every problem is logged at
	 * WSP_LOG_ERROR as FILE:LINE:COL: what; the first one (and how many
	 * more) is in err and the return is WSP_ECONFIG. On success args
	 * and secrets describe the new options; the old ones stay valid
	 * until close (an instance may still hold them).
	 */
	int (*set_options)(wsp_host_harness *h, const char *yaml,
			   const char *file, wsp_error *err);
	/* Buffers from host->alloc not yet given back to host->free. */
	long (*live_allocs)(const wsp_host_harness *h);
	/* Free everything (call desc->fini on the instance first). */
	void (*close)(wsp_host_harness *h);
};

/*
 * Build a harness for args->desc. Returns 0 with *out set, or a negative
 * wsp_errcode with err filled (WSP_EINVAL for a descriptor the loader
 * would refuse, the reason in err; WSP_ENOMEM).
 */
WSP_EXTERN int wsp_host_harness_open(wsp_host_harness **out,
				     const wsp_host_harness_args *args,
				     wsp_error *err);

#ifdef __cplusplus
}
#endif
#endif /* WSP_HARNESS_H */
