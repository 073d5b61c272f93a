/*
 * tests/sandbox-e2b/e2_env.h - what the tests of wsp-sandbox-e2b.so
 * share: the project's E2B fake (tests/e2b/fake-e2b.mjs, run through
 * tests/common/node_fake.h), its admin API (/_fake/...) and request log,
 * and provider instances on the SDK's fake host (<wsp/fakehost.h>)
 * pointed at it, both URLs on its one port.
 */
#ifndef WSP_TEST_E2_ENV_H
#define WSP_TEST_E2_ENV_H

#include <cjson/cJSON.h>
#include <wsp/fakehost.h>
#include <wsp/plugin.h>

#define E2_KEY "e2b_test_key_4f7a0c"

/* the provider's entry (this executable links plugin.c) */
const wsp_plugin_desc *wsp_plugin_entry(uint32_t major, uint32_t minor);

/* Start the fake (the suite's init): 0, or -1. */
int e2_fake_start(void);
/* The same with more arguments (NULL-ended): "--envd-version", "0.5.0". */
int e2_fake_start_with(const char *const *extra);
int e2_fake_stop(void);
int e2_fake_port(void);

/* One request to the fake (admin calls through the core's HTTP service):
 * the status (-1: none), the JSON answer in *out. */
int e2_fake_call(const char *method, const char *path, const char *json,
		 cJSON **out);
/* GET /_fake/requests: {"requests":[...]}. */
cJSON *e2_fake_requests(void);
/* The first logged request with method and path ('*' ending a prefix),
 * borrowed from log, or NULL. */
cJSON *e2_fake_find(cJSON *log, const char *method, const char *path);
/* How many logged requests match. */
int e2_fake_count(const char *method, const char *path);

/* One provider instance on a fake host of its own (own state store). */
struct box {
	wsp_fakehost *fh;
	const wsp_plugin_desc *d;
	void *self;
	wsp_instance_args args;
	char id[64];
};

/* Options: api_url and sandbox_url of the fake, the key unless no_key,
 * then extra (YAML lines). 0 or init's code. */
int box_open(struct box *bx, const char *id, const char *extra, int no_key,
	     wsp_error *err);
/* fini and init again on the same host (same state store). */
int box_reinit(struct box *bx, const char *extra, wsp_error *err);
void box_close(struct box *bx);
/* Destroy its sandbox (if it has an instance), then box_close. */
void box_destroy(struct box *bx);
wsp_call *box_call(struct box *bx, int64_t ms);
const wsp_sandbox_vtable *box_vt(const struct box *bx);

/* A suite's init: the fake, and bx with its sandbox started (0, or -1
 * with the reason on stderr); its cleanup destroys both. */
int e2_suite_start(struct box *bx, const char *id);
int e2_suite_stop(struct box *bx);

/* The fake's sandboxes ({"sandboxes":[...]}) and one by id (a copy). */
cJSON *e2_fake_sandbox(const char *id);
/* The sandbox id the instance's state store keeps ("" when none). */
void box_kept_id(char *out, size_t cap, struct box *bx);

#endif
