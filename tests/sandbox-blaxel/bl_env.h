/*
 * tests/sandbox-blaxel/bl_env.h - what the tests of wsp-sandbox-blaxel.so
 * share: the project's Blaxel fake (tests/blaxel/fake-blaxel.mjs) started
 * on 127.0.0.1 with a directory of its own and a pipe on its stdin (it
 * exits when the pipe closes), its admin API, and a provider instance on
 * the SDK's fake host (<wsp/fakehost.h>) pointed at it.
 */
#ifndef WSP_TEST_BL_ENV_H
#define WSP_TEST_BL_ENV_H

#include <wsp/fakehost.h>
#include <wsp/plugin.h>

#include <cjson/cJSON.h>

#define BL_KEY "bl_test_key_93c4e1"
#define BL_WS "team-dev"

extern int fake_port;

int fake_start(void);
void fake_stop(void);

/* One admin request (/_fake/...): the status, the answer in *out. */
int fake_admin(const char *method, const char *path, const char *json,
	       cJSON **out);
/* The request log since seq (0: all). */
cJSON *fake_requests(void);
/* Requests matching method and path ('*' at the end: a prefix). */
int fake_count(const char *method, const char *path);
/* The first such request (owned by the caller's log), or NULL. */
cJSON *fake_find(cJSON *log, const char *method, const char *path);
/* The fake's view of sandbox name ("status" member), or NULL. */
cJSON *fake_sandbox(const char *name);

/* A provider instance on a fake host of its own. */
struct box {
	wsp_fakehost *fh;
	const wsp_plugin_desc *d;
	void *self;
	wsp_instance_args args;
};

/* Options: api_url and workspace set for the fake, key too unless
 * no_key; then extra (YAML lines). 0 or the init's code. */
int box_open(struct box *bx, const char *id, const char *extra, int no_key,
	     wsp_error *err);
/* fini and init again on the same host (same state store). */
int box_reinit(struct box *bx, const char *extra, wsp_error *err);
void box_close(struct box *bx);
/* Destroy its sandbox (if it has an instance), then box_close. */
void box_destroy(struct box *bx);
const wsp_call *box_call(struct box *bx, int64_t ms);

#endif
