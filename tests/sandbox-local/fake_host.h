/*
 * tests/sandbox-local/fake_host.h - a small host table and option store for
 * driving wsp-sandbox-local.so directly (dlopen), without the core.
 *
 * Options are given as "name=value" strings; lists are comma-separated,
 * maps are "K:V,K:V". Allocations through the host are counted so tests
 * can check that results are released, and warnings are recorded.
 */
#ifndef WSP_TEST_FAKE_HOST_H
#define WSP_TEST_FAKE_HOST_H

#include <wsp/plugin.h>

struct fake_sandbox {
	void *dl;
	const wsp_plugin_desc *desc;
	void *self;
	char tmp[256];      /* private temporary directory */
	char workdir[300];  /* tmp/ws (created by the plugin) */
	char statedir[300]; /* tmp/state/<id> */
};

/* The shared host table; counters are reset by fake_open. */
extern wsp_host fake_host;
/* The call slots get when a test needs no cancel and no deadline. */
extern const wsp_call fake_call;
extern long fake_live_allocs;
extern int fake_warnings;
extern char fake_last_warning[512];

/*
 * Load the plugin and create an instance in a new temporary directory
 * with the given NULL-terminated "name=value" options (working_dir and
 * state_dir default to the temporary directory). Returns the init code;
 * err receives the message.
 */
int fake_open(struct fake_sandbox *fs, const char *const *opts,
	      wsp_error *err);
/* fini, rm -rf the temporary directory, dlclose. */
void fake_close(struct fake_sandbox *fs);

/* Run a shell string with defaults; returns the exec code. */
int fake_sh(struct fake_sandbox *fs, wsp_exec_result *res, const char *sh,
	    wsp_error *err);
void fake_result_release(wsp_exec_result *res);

/* A cancel token the fake host understands. */
struct wsp_cancel {
	int fds[2];
	int requested;
};
void fake_cancel_init(struct wsp_cancel *c);
void fake_cancel_fire(struct wsp_cancel *c);
void fake_cancel_destroy(struct wsp_cancel *c);

/* Milliseconds on the monotonic clock. */
long long fake_now_ms(void);
/* True if bubblewrap can run here (tests that need it then run it). */
int fake_have_bwrap(void);

#endif
