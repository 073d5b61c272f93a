/*
 * tests/sandbox-blaxel/test_lifecycle.c - the sandbox's lifecycle against
 * the Blaxel fake: create (and wait until deployed) with the options in
 * the request, reconnect by the logical id (the state store's name
 * first, its wsp-id label when no name reaches it), an id whose name
 * another id's sandbox holds, two starts at once making one sandbox, stop as archive and
 * start as unarchive, destroy, status through each, a 429 survived, and
 * the key in no error.
 */
#include "bl_env.h"
#include "cu_main.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int suite_init(void)
{
	return fake_start();
}

static int suite_clean(void)
{
	fake_env_stop();
	return 0;
}

static uint32_t state(struct box *bx)
{
	uint32_t st = 0;
	wsp_error err = {0};

	CU_ASSERT_EQUAL(bx->d->sandbox->status(&st, bx->self, box_call(bx, 10000),
					      0, &err),
			0);
	return st;
}

static int start(struct box *bx, uint32_t *outcome, wsp_error *err)
{
	return bx->d->sandbox->start(outcome, bx->self, box_call(bx, 30000), 0,
				     err);
}

static int destroy(struct box *bx, wsp_error *err)
{
	return bx->d->sandbox->destroy(bx->self, box_call(bx, 30000), 0, err);
}

static void test_create_waits_and_sends_options(void)
{
	struct box bx;
	wsp_error err = {0};
	uint32_t outcome = 0;
	cJSON *log, *req, *body, *rt, *hd, *sb;

	fake_admin("POST", "/_fake/config", "{\"deployMs\":600}", NULL);
	fake_admin("DELETE", "/_fake/requests", NULL, NULL);
	CU_ASSERT_EQUAL_FATAL(
		box_open(&bx, "Create Box", "memory: 2GiB\nttl: 1h\n"
			 "region: us-pdx-1\nports: [\"web:3000\"]\n"
			 "env: {TEAM: blue}\nlabels: {owner: ci}\n",
			 0, &err),
		0);
	CU_ASSERT_EQUAL(state(&bx), WSP_SANDBOX_ABSENT);
	CU_ASSERT_EQUAL_FATAL(start(&bx, &outcome, &err), 0);
	CU_ASSERT_EQUAL(outcome, WSP_START_CREATED);
	/* waited: deployed when start returned, after polling */
	sb = fake_sandbox("create-box");
	CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(sb, "status")),
			       "DEPLOYED");
	cJSON_Delete(sb);
	CU_ASSERT_EQUAL(state(&bx), WSP_SANDBOX_RUNNING);
	CU_ASSERT(fake_count("GET", "/v0/sandboxes/create-box") >= 2);

	log = fake_requests();
	req = fake_log_find(log, "POST", "/v0/sandboxes");
	CU_ASSERT_PTR_NOT_NULL_FATAL(req);
	hd = cJSON_GetObjectItem(req, "headers");
	CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(
				       hd, "x-blaxel-authorization")),
			       "Bearer " BL_KEY);
	CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(
				       hd, "x-blaxel-workspace")),
			       BL_WS);
	body = cJSON_Parse(cJSON_GetStringValue(cJSON_GetObjectItem(req, "body")));
	CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
				       cJSON_GetObjectItem(body, "metadata"), "name")),
			       "create-box");
	CU_ASSERT_STRING_EQUAL(
		cJSON_GetStringValue(cJSON_GetObjectItem(
			cJSON_GetObjectItem(cJSON_GetObjectItem(body, "metadata"),
					    "labels"),
			"wsp-id")),
		"Create Box");
	CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(
				       cJSON_GetObjectItem(body, "spec"), "region")),
			       "us-pdx-1");
	rt = cJSON_GetObjectItem(cJSON_GetObjectItem(body, "spec"), "runtime");
	CU_ASSERT_EQUAL(cJSON_GetObjectItem(rt, "memory")->valueint, 2048);
	CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(rt, "ttl")),
			       "3600s");
	CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(
				       rt, "generation")),
			       "mk3");
	CU_ASSERT_EQUAL(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(rt, "ports"), 0),
					    "target")->valueint,
			3000);
	CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(
				       cJSON_GetArrayItem(cJSON_GetObjectItem(rt, "envs"), 0),
				       "name")),
			       "TEAM");
	cJSON_Delete(body);
	cJSON_Delete(log);
	fake_admin("POST", "/_fake/config", "{\"deployMs\":200}", NULL);

	/* another instance, same id: connected, nothing created */
	CU_ASSERT_EQUAL(box_reinit(&bx, NULL, &err), 0);
	CU_ASSERT_EQUAL(start(&bx, &outcome, &err), 0);
	CU_ASSERT_EQUAL(outcome, WSP_START_CONNECTED);
	CU_ASSERT_EQUAL(fake_count("POST", "/v0/sandboxes"), 1);
	CU_ASSERT_EQUAL(destroy(&bx, &err), 0);
	CU_ASSERT_EQUAL(state(&bx), WSP_SANDBOX_ABSENT);
	box_close(&bx);
}

/* The state store's name wins over one the options would give now. */
static void test_reconnect_by_stored_name(void)
{
	struct box bx;
	wsp_error err = {0};
	uint32_t outcome = 0;
	int found = 0;

	CU_ASSERT_EQUAL_FATAL(box_open(&bx, "kept", "name: kept-box-2\n", 0,
				       &err),
			      0);
	CU_ASSERT_EQUAL_FATAL(start(&bx, &outcome, &err), 0);
	CU_ASSERT_EQUAL(outcome, WSP_START_CREATED);
	CU_ASSERT_EQUAL_FATAL(box_reinit(&bx, NULL, &err), 0);
	CU_ASSERT_EQUAL(start(&bx, &outcome, &err), 0);
	CU_ASSERT_EQUAL(outcome, WSP_START_CONNECTED);
	{
		cJSON *sb = fake_sandbox("kept");

		CU_ASSERT_PTR_NULL(sb); /* no sandbox made for the id's name */
		cJSON_Delete(sb);
	}
	CU_ASSERT_EQUAL(destroy(&bx, &err), 0);
	{
		cJSON *sb = fake_sandbox("kept-box-2");

		found = sb != NULL;
		cJSON_Delete(sb);
	}
	CU_ASSERT_FALSE(found);
	/* the key went with it: the next start makes the id's own name */
	CU_ASSERT_EQUAL(start(&bx, &outcome, &err), 0);
	CU_ASSERT_EQUAL(outcome, WSP_START_CREATED);
	{
		cJSON *sb = fake_sandbox("kept");

		CU_ASSERT_PTR_NOT_NULL(sb);
		cJSON_Delete(sb);
	}
	CU_ASSERT_EQUAL(destroy(&bx, &err), 0);
	box_close(&bx);
}

static int exists(const char *name)
{
	cJSON *sb = fake_sandbox(name);
	int found = sb != NULL;

	cJSON_Delete(sb);
	return found;
}

/*
 * The state store gone and the options naming another sandbox now: the
 * wsp-id label finds the one this id made, nothing new is created, and
 * status finds it before any start.
 */
static void test_reconnect_by_label(void)
{
	struct box a, b2;
	wsp_error err = {0};
	uint32_t outcome = 0;
	cJSON *log, *req;

	CU_ASSERT_EQUAL_FATAL(box_open(&a, "Moved.Box", "name: first-home\n", 0,
				       &err),
			      0);
	CU_ASSERT_EQUAL_FATAL(start(&a, &outcome, &err), 0);
	CU_ASSERT_EQUAL(outcome, WSP_START_CREATED);
	box_close(&a);

	/* another host: a state store of its own, empty */
	fake_admin("DELETE", "/_fake/requests", NULL, NULL);
	CU_ASSERT_EQUAL_FATAL(box_open(&b2, "Moved.Box", NULL, 0, &err), 0);
	CU_ASSERT_EQUAL(state(&b2), WSP_SANDBOX_RUNNING);
	CU_ASSERT_EQUAL(start(&b2, &outcome, &err), 0);
	CU_ASSERT_EQUAL(outcome, WSP_START_CONNECTED);
	CU_ASSERT_FALSE(exists("moved-box"));
	CU_ASSERT_EQUAL(fake_count("POST", "/v0/sandboxes"), 0);
	/* the list asked Blaxel's q for the id (it lower-cases) */
	log = fake_requests();
	req = fake_log_find(log, "GET", "/v0/sandboxes");
	CU_ASSERT_PTR_NOT_NULL(req);
	CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(
				       cJSON_GetObjectItem(req, "query"), "q")),
			       "Moved.Box");
	cJSON_Delete(log);
	/* and the name found is the one kept from now on */
	CU_ASSERT_EQUAL(box_reinit(&b2, NULL, &err), 0);
	fake_admin("DELETE", "/_fake/requests", NULL, NULL);
	CU_ASSERT_EQUAL(start(&b2, &outcome, &err), 0);
	CU_ASSERT_EQUAL(outcome, WSP_START_CONNECTED);
	CU_ASSERT_EQUAL(fake_count("GET", "/v0/sandboxes"), 0);
	CU_ASSERT_EQUAL(destroy(&b2, &err), 0);
	CU_ASSERT_FALSE(exists("first-home"));
	box_close(&b2);
}

/*
 * Two ids that give one name: the second never uses, stops or deletes
 * the first's sandbox; it is told to pick a name, and gets its own then.
 */
static void test_name_of_another_id(void)
{
	struct box a, b2;
	wsp_error err = {0};
	uint32_t outcome = 0;

	CU_ASSERT_EQUAL_FATAL(box_open(&a, "Twin.Box", NULL, 0, &err), 0);
	CU_ASSERT_EQUAL_FATAL(start(&a, &outcome, &err), 0);
	CU_ASSERT_TRUE(exists("twin-box"));
	CU_ASSERT_EQUAL_FATAL(box_open(&b2, "twin_box", NULL, 0, &err), 0);
	CU_ASSERT_EQUAL(state(&b2), WSP_SANDBOX_ABSENT);
	CU_ASSERT_EQUAL(start(&b2, &outcome, &err), WSP_EEXIST);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "'twin-box'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "'name'"));
	CU_ASSERT_EQUAL(b2.d->sandbox->stop(b2.self, box_call(&b2, 30000), 0,
					    &err),
			0);
	CU_ASSERT_EQUAL(destroy(&b2, &err), 0);
	CU_ASSERT_EQUAL(state(&a), WSP_SANDBOX_RUNNING);
	CU_ASSERT_EQUAL(box_reinit(&b2, "name: twin-box-2\n", &err), 0);
	CU_ASSERT_EQUAL(start(&b2, &outcome, &err), 0);
	CU_ASSERT_EQUAL(outcome, WSP_START_CREATED);
	CU_ASSERT_EQUAL(destroy(&b2, &err), 0);
	CU_ASSERT_EQUAL(destroy(&a, &err), 0);
	CU_ASSERT_FALSE(exists("twin-box"));
	box_close(&b2);
	box_close(&a);
}

struct racer {
	struct box bx;
	uint32_t outcome;
	int rc;
};

static void *race(void *p)
{
	struct racer *r = p;
	wsp_error err = {0};

	r->rc = start(&r->bx, &r->outcome, &err);
	return NULL;
}

static void test_two_starts_make_one(void)
{
	struct racer r[2];
	pthread_t th[2];
	wsp_error err = {0};

	fake_admin("DELETE", "/_fake/requests", NULL, NULL);
	for (int i = 0; i < 2; i++)
		CU_ASSERT_EQUAL_FATAL(box_open(&r[i].bx, "race-box", NULL, 0,
					       &err),
				      0);
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, race, &r[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	CU_ASSERT_EQUAL(r[0].rc, 0);
	CU_ASSERT_EQUAL(r[1].rc, 0);
	/* whoever lost the create (409), or looked after it, connected */
	CU_ASSERT_EQUAL(r[0].outcome + r[1].outcome,
			WSP_START_CREATED + WSP_START_CONNECTED);
	CU_ASSERT_EQUAL(state(&r[0].bx), WSP_SANDBOX_RUNNING);
	CU_ASSERT_EQUAL(destroy(&r[0].bx, &err), 0);
	box_close(&r[0].bx);
	box_close(&r[1].bx);
}

/* stop archives (files kept); start unarchives, not a new sandbox. */
static void test_stop_start(void)
{
	struct box bx;
	wsp_error err = {0};
	uint32_t outcome = 0;
	wsp_exec_opts o = {.struct_size = sizeof(o)};
	wsp_exec_result r = {.struct_size = sizeof(r)};

	CU_ASSERT_EQUAL_FATAL(box_open(&bx, "stop-box", NULL, 0, &err), 0);
	CU_ASSERT_EQUAL_FATAL(start(&bx, &outcome, &err), 0);
	o.shell = "echo kept > note.txt";
	CU_ASSERT_EQUAL_FATAL(bx.d->sandbox->exec(&r, bx.self, box_call(&bx, 30000),
						  &o, &err),
			      0);
	wsp_fakehost_host(bx.fh)->free(wsp_fakehost_host(bx.fh), r.stdout_data);
	wsp_fakehost_host(bx.fh)->free(wsp_fakehost_host(bx.fh), r.stderr_data);
	CU_ASSERT_EQUAL(bx.d->sandbox->stop(bx.self, box_call(&bx, 30000), 0,
					    &err),
			0);
	CU_ASSERT_EQUAL(state(&bx), WSP_SANDBOX_STOPPED);
	/* stopping a stopped sandbox is not an error */
	CU_ASSERT_EQUAL(bx.d->sandbox->stop(bx.self, box_call(&bx, 30000), 0,
					    &err),
			0);
	CU_ASSERT_EQUAL(start(&bx, &outcome, &err), 0);
	CU_ASSERT_EQUAL(outcome, WSP_START_CONNECTED);
	CU_ASSERT(fake_count("POST", "/v0/sandboxes/stop-box/unarchive") >= 1);
	CU_ASSERT_EQUAL(state(&bx), WSP_SANDBOX_RUNNING);
	memset(&r, 0, sizeof(r));
	r.struct_size = sizeof(r);
	o.shell = "cat note.txt";
	CU_ASSERT_EQUAL_FATAL(bx.d->sandbox->exec(&r, bx.self, box_call(&bx, 30000),
						  &o, &err),
			      0);
	CU_ASSERT_STRING_EQUAL(r.stdout_data, "kept\n");
	wsp_fakehost_host(bx.fh)->free(wsp_fakehost_host(bx.fh), r.stdout_data);
	wsp_fakehost_host(bx.fh)->free(wsp_fakehost_host(bx.fh), r.stderr_data);
	CU_ASSERT_EQUAL(destroy(&bx, &err), 0);
	CU_ASSERT_EQUAL(wsp_fakehost_live_allocs(bx.fh), 0);
	box_close(&bx);
}

/* A 429 on the control plane is waited out; a 401 echoing the key is
 * reported without it. */
static void test_faults(void)
{
	struct box bx;
	wsp_error err = {0};
	uint32_t outcome = 0;

	CU_ASSERT_EQUAL_FATAL(box_open(&bx, "fault-box", NULL, 0, &err), 0);
	CU_ASSERT_EQUAL_FATAL(
		fake_admin("POST", "/_fake/faults",
			   "{\"kind\":\"rate_limit\",\"retryAfter\":1,"
			   "\"method\":\"GET\",\"path\":\"/v0/sandboxes/fault-box\"}",
			   NULL),
		201);
	CU_ASSERT_EQUAL(start(&bx, &outcome, &err), 0);
	CU_ASSERT_EQUAL(outcome, WSP_START_CREATED);
	CU_ASSERT_EQUAL_FATAL(
		fake_admin("POST", "/_fake/faults",
			   "{\"kind\":\"error\",\"status\":401,\"message\":"
			   "\"key " BL_KEY " refused\",\"path\":"
			   "\"/v0/sandboxes/fault-box\"}",
			   NULL),
		201);
	{
		uint32_t st = 0;
		int rc = bx.d->sandbox->status(&st, bx.self, box_call(&bx, 10000),
					       0, &err);

		CU_ASSERT_EQUAL(rc, WSP_EAUTH);
		CU_ASSERT_EQUAL(err.http_status, 401);
		CU_ASSERT_PTR_NULL(strstr(err.message, BL_KEY));
		CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "refused"));
	}
	CU_ASSERT_EQUAL(destroy(&bx, &err), 0);
	/* a sandbox that is gone is destroyed already */
	CU_ASSERT_EQUAL(destroy(&bx, &err), 0);
	box_close(&bx);
}

static int on_kv(const char *k, const char *v, void *p)
{
	char *s = p;
	size_t n = strlen(s);

	snprintf(s + n, 2048 - n, "%s=%s\n", k, v);
	return 0;
}

static void test_info(void)
{
	struct box bx;
	wsp_error err = {0};
	uint32_t outcome = 0;
	char seen[2048] = "";

	CU_ASSERT_EQUAL_FATAL(box_open(&bx, "info-box", "memory: 2GiB\n", 0,
				       &err),
			      0);
	CU_ASSERT_EQUAL_FATAL(start(&bx, &outcome, &err), 0);
	CU_ASSERT_EQUAL(bx.d->sandbox->info(bx.self, box_call(&bx, 10000), 0,
					    on_kv, seen, &err),
			0);
	CU_ASSERT_PTR_NOT_NULL(strstr(seen, "id=info-box\nprovider=blaxel\n"
					    "state=running\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(seen, "memory_bytes=2147483648\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(seen, "status=DEPLOYED\n"));
	CU_ASSERT_PTR_NULL(strstr(seen, BL_KEY));
	CU_ASSERT_EQUAL(destroy(&bx, &err), 0);
	box_close(&bx);
}

static CU_TestInfo tests[] = {
	{"create waits, sends the options", test_create_waits_and_sends_options},
	{"reconnect by the stored name", test_reconnect_by_stored_name},
	{"reconnect by the wsp-id label", test_reconnect_by_label},
	{"a name another id holds", test_name_of_another_id},
	{"two starts at once make one sandbox", test_two_starts_make_one},
	{"stop archives, start unarchives", test_stop_start},
	{"429 waited out, 401 without the key", test_faults},
	{"info", test_info},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("sandbox-blaxel lifecycle", suite_init, suite_clean, tests)
