/*
 * tests/common/fake_env.h - what the C tests of a remote sandbox provider
 * (tests/sandbox-blaxel, tests/sandbox-e2b) share: the vendor's fake
 * (node_fake.h) for the whole test executable, its admin API and request
 * log (fake_admin.h) through the core's real HTTP service on a fake host
 * of its own, and provider instances on the SDK's fake host
 * (<wsp/fakehost.h>), each with its own state store. What differs per
 * vendor (the fake's script, the options that point the provider at it,
 * the key) stays in the suite's own env file.
 */
#ifndef WSP_TEST_FAKE_ENV_H
#define WSP_TEST_FAKE_ENV_H

#include <wsp/fakehost.h>
#include <wsp/plugin.h>

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* the provider's entry (the test executable links its plugin.c) */
const wsp_plugin_desc *wsp_plugin_entry(uint32_t major, uint32_t minor);

/* Start the fake: argv[0] its script, NULL-ended; tag names its TMPDIR.
 * 0, or -1. */
int fake_env_start(const char *tag, const char *const *argv);
void fake_env_stop(void);
int fake_port(void);
/* In a child process: the fake its parent started, on port. 0 or -1. */
int fake_env_attach(int port);
/* The state directory instances get instead of their fake host's own
 * (NULL: the host's): two processes then share what a provider keeps
 * there (the E2B keeper's background processes). */
extern const char *fake_env_state_dir;

/* One admin request (/_fake/...): the status (-1: none), the JSON
 * answer in *out (may be NULL). */
int fake_admin(const char *method, const char *path, const char *json,
	       cJSON **out);
/* GET /_fake/requests: {"requests":[...]}; fake_log_find reads it. */
cJSON *fake_requests(void);
/* How many logged requests match method and path ('*' ending a
 * prefix). */
int fake_count(const char *method, const char *path);
/* The fake's sandbox whose member key is value (a copy), or NULL. */
cJSON *fake_sandbox_by(const char *key, const char *value);

/* One provider instance on a fake host of its own. */
struct box {
	wsp_fakehost *fh;
	const wsp_plugin_desc *d;
	void *self;
	wsp_instance_args args;
	char id[64];
};

/*
 * The suite's env file defines these two: the options (YAML) that point
 * the provider at the fake, with the key unless no_key, then extra
 * lines; and that key, which the provider must never log.
 */
void fake_env_options(char *out, size_t cap, const char *extra, int no_key);
extern const char fake_env_key[];

/* An instance id on a fake host of its own, init'ed with
 * fake_env_options: 0 or the init's code. */
int box_open(struct box *bx, const char *id, const char *extra, int no_key,
	     wsp_error *err);
/* fini and init again on the same host (same state store). */
int box_reinit(struct box *bx, const char *extra, wsp_error *err);
void box_close(struct box *bx);
/* Destroy its sandbox (if it has an instance), then box_close. */
void box_destroy(struct box *bx);
wsp_call *box_call(struct box *bx, int64_t ms);
const wsp_sandbox_vtable *box_vt(const struct box *bx);

#endif
