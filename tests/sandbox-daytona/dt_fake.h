/*
 * tests/sandbox-daytona/dt_fake.h - the project's Daytona fake
 * (tests/daytona/fake-daytona.mjs) for one test executable, and
 * wsp-sandbox-daytona on the SDK's fake host pointed at it.
 *
 * The fake runs with its stdin on a pipe this process holds: it exits
 * when the pipe closes, so it never outlives the test, even one that
 * crashes. It gets a TMPDIR of its own, removed by dt_fake_stop.
 */
#ifndef WSP_TEST_DT_FAKE_H
#define WSP_TEST_DT_FAKE_H

#include <wsp/fakehost.h>

#include <cjson/cJSON.h>

#define DT_TEST_KEY "dtn_test_key_8f3b1c"

/* Start the fake (extra: NULL-ended arguments, may be NULL). */
int dt_fake_start(const char *const *extra);
void dt_fake_stop(void);
/* "http://127.0.0.1:PORT" */
const char *dt_fake_url(void);

/*
 * One admin or API call to the fake through fh's host (the core's HTTP
 * service); the JSON answer in *out when asked. The key in the header.
 */
int dt_fake_call(wsp_fakehost *fh, const char *method, const char *path,
		 const char *body, cJSON **out);

/* Requests the fake saw with this method and path ending; -1 on failure. */
int dt_fake_seen(wsp_fakehost *fh, const char *method, const char *tail);

/*
 * The toolbox sessions the fake holds (all sandboxes; only: those of
 * that name), the first one's name in first, and in *busy the commands
 * in them without an exit code (first, busy may be NULL). -1 on failure.
 */
int dt_fake_sessions(wsp_fakehost *fh, const char *only, char first[80],
		     int *busy);

/*
 * A fake host for wsp-sandbox-daytona with options: api_url and api_key
 * pointing at the fake, then more YAML lines; init'ed into *self.
 */
int dt_box_open(wsp_fakehost **fh, void **self, const char *more_yaml,
		wsp_error *err);
/* A second instance on the same fake host (same state store). */
int dt_box_again(void **self, wsp_fakehost *fh, wsp_error *err);
void dt_box_close(wsp_fakehost *fh, void *self);

/* The provider's status slot (WSP_SANDBOX_UNKNOWN when it fails). */
uint32_t dt_box_state(void *self);
/* The remote id in fh's state store ("" when none). */
void dt_stored_id(wsp_fakehost *fh, char *out, size_t cap);
/* The fake's state of sandbox id ("" when unknown). */
void dt_fake_state(wsp_fakehost *fh, const char *id, char *out, size_t cap);

/* CUnit's suite init and clean: the fake started, stopped. */
int dt_suite_start(void);
int dt_suite_stop(void);

/* One exec and its answer (text "" on failure, so asserts fail, not crash). */
struct dt_run {
	wsp_exec_result r;
	int rc;
	wsp_error err;
};
/* call NULL: dt_no_call. A failure's message goes to stderr. */
void dt_run(struct dt_run *x, void *self, const wsp_call *call,
	    const wsp_exec_opts *o);
void dt_run_release(wsp_fakehost *fh, struct dt_run *x);

/* The loaded descriptor (this executable links the provider). */
const wsp_plugin_desc *dt_desc(void);
/* A call with no cancel and no deadline. */
extern const wsp_call dt_no_call;

#endif
