/*
 * tests/sandbox-local/local_box.h - one wsp-sandbox-local.so instance on
 * the SDK's fake host (<wsp/fakehost.h>), for the tests that drive the
 * plugin directly (dlopen), without a workspace.
 *
 * Options are given as "name=value" strings (lists comma-separated, maps
 * "K:V,K:V") and turned into the YAML the fake host checks with the
 * core's own option rules, so a value the core would refuse in wsp.yaml
 * is refused here too.
 */
#ifndef WSP_TEST_LOCAL_BOX_H
#define WSP_TEST_LOCAL_BOX_H

#include <wsp/fakehost.h>

#include "test_wait.h" /* test_now_ms, the clock deadlines use */

struct fake_sandbox {
	const wsp_plugin_desc *desc;
	wsp_fakehost *fh;
	const wsp_host *host; /* the fake host's table */
	void *self;
	char tmp[256];      /* the fake host's scratch (and config) directory */
	char workdir[300];  /* tmp/ws (created by the plugin) */
	char statedir[300]; /* tmp/state/<id> */
};

/* The call slots get when a test needs no cancel and no deadline. */
extern const wsp_call fake_call;

/*
 * Load the plugin and create an instance on a new fake host with the
 * given NULL-terminated "name=value" options (working_dir and state_dir
 * default to the scratch directory). Returns the init code (or the
 * option check's); err receives the message.
 */
int fake_open(struct fake_sandbox *fs, const char *const *opts,
	      wsp_error *err);
/* fini, free the fake host (its scratch directory goes too), dlclose. */
void fake_close(struct fake_sandbox *fs);

/*
 * host->alloc buffers not yet freed: of the open instance, else what the
 * last fake_close saw once the instance was gone.
 */
long fake_live_allocs(void);
/* Lines the provider logged at WSP_LOG_WARN or worse containing needle. */
size_t fake_warnings(const struct fake_sandbox *fs, const char *needle);
/* A call of fs's fake host with a cancel token of its own, no deadline. */
wsp_call *fake_call_new(struct fake_sandbox *fs);

/* Run a shell string with defaults; returns the exec code. */
int fake_sh(struct fake_sandbox *fs, wsp_exec_result *res, const char *sh,
	    wsp_error *err);
void fake_result_release(struct fake_sandbox *fs, wsp_exec_result *res);

/* True if bubblewrap can run here (tests that need it then run it). */
int fake_have_bwrap(void);

#endif
