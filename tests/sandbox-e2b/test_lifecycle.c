/*
 * tests/sandbox-e2b/test_lifecycle.c - the sandbox's lifecycle against
 * the E2B fake: created from the template with the options on the wire,
 * reconnected by the state store's id and, with the store gone, by the
 * metadata wsp-id; status and info; pause, resume, stop and start again;
 * the timeout; destroy; a sandbox killed outside wsp said so and replaced
 * by start; a 429 with Retry-After retried; preview URLs with the
 * traffic token the proxy wants; the key never in the log.
 */
#include "e2_env.h"
#include "e2b.h"
#include "cu_main.h"

#include <stdlib.h>
#include <string.h>

static int start(struct box *bx, uint32_t *outcome, wsp_error *err)
{
	return box_vt(bx)->start(outcome, bx->self, box_call(bx, 30000), 0,
				 err);
}

static uint32_t status(struct box *bx)
{
	wsp_error err = {0};
	uint32_t st = 0;

	CU_ASSERT_EQUAL(box_vt(bx)->status(&st, bx->self, box_call(bx, 30000),
					   0, &err),
			0);
	return st;
}

static int run(struct box *bx, const char *shell, wsp_exec_result *r,
	       wsp_error *err)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;

	o.shell = shell;
	memset(r, 0, sizeof(*r));
	r->struct_size = sizeof(*r);
	return box_vt(bx)->exec(r, bx->self, box_call(bx, 30000), &o, err);
}

static void release(struct box *bx, wsp_exec_result *r)
{
	const wsp_host *h = wsp_fakehost_host(bx->fh);

	h->free(h, r->stdout_data);
	h->free(h, r->stderr_data);
}

/* The body of the last logged request with method and path, parsed. */
static cJSON *last_body(const char *method, const char *path)
{
	cJSON *log = fake_requests(), *r, *hit = NULL, *body = NULL;

	cJSON_ArrayForEach(r, cJSON_GetObjectItem(log, "requests"))
	{
		const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(r, "method"));
		const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(r, "path"));

		if (m && p && !strcmp(m, method) && !strcmp(p, path))
			hit = r;
	}
	if (hit)
		body = cJSON_Parse(cJSON_GetStringValue(
			cJSON_GetObjectItem(hit, "body")));
	cJSON_Delete(log);
	return body;
}

static void test_create_with_options(void)
{
	struct box bx;
	wsp_error err = {0};
	uint32_t outcome = 0;
	cJSON *b, *md, *sb;
	char id[64];

	fake_admin("DELETE", "/_fake/requests", NULL, NULL);
	CU_ASSERT_EQUAL_FATAL(box_open(&bx, "team box/1",
				       "timeout: 10m\nmetadata: {owner: ci}\n"
				       "env: {TEAM: blue}\n"
				       "allow_internet: false\n"
				       "allow_out: [\"10.0.0.0/8\", "
				       "\"api.example.test\"]\n"
				       "deny_out: [\"0.0.0.0/0\"]\n"
				       "auto_pause: true\n",
				       0, &err),
			      0);
	CU_ASSERT_EQUAL_FATAL(start(&bx, &outcome, &err), 0);
	CU_ASSERT_EQUAL(outcome, WSP_START_CREATED);
	b = last_body("POST", "/v2/sandboxes");
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(b, "templateID")), "base");
	CU_ASSERT_EQUAL(cJSON_GetObjectItem(b, "timeout")->valueint, 600);
	md = cJSON_GetObjectItem(b, "metadata");
	CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(md, "wsp-id")), "team box/1");
	CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(md, "owner")), "ci");
	CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(b, "envVars"), "TEAM")), "blue");
	CU_ASSERT_TRUE(cJSON_IsFalse(cJSON_GetObjectItem(b, "allow_internet_access")));
	CU_ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(b, "autoPause")));
	{
		cJSON *net = cJSON_GetObjectItem(b, "network");
		char *allow = cJSON_PrintUnformatted(
			cJSON_GetObjectItem(net, "allowOut"));
		char *deny = cJSON_PrintUnformatted(
			cJSON_GetObjectItem(net, "denyOut"));

		CU_ASSERT_STRING_EQUAL(allow ? allow : "",
				       "[\"10.0.0.0/8\",\"api.example.test\"]");
		CU_ASSERT_STRING_EQUAL(deny ? deny : "", "[\"0.0.0.0/0\"]");
		/* public traffic not turned off: no key for it */
		CU_ASSERT_PTR_NULL(cJSON_GetObjectItem(net, "allowPublicTraffic"));
		free(allow);
		free(deny);
	}
	cJSON_Delete(b);
	/* the id E2B gave is kept, and the fake has it running */
	box_kept_id(id, sizeof(id), &bx);
	CU_ASSERT_EQUAL(strlen(id), 20);
	sb = e2_fake_sandbox(id);
	CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(sb, "state")), "running");
	cJSON_Delete(sb);
	CU_ASSERT_EQUAL(status(&bx), WSP_SANDBOX_RUNNING);
	/* the key went in a header only, and never into the log */
	CU_ASSERT_EQUAL(wsp_fakehost_leaks(bx.fh), 0);
	box_destroy(&bx);
}

static void test_reconnect_by_store_then_metadata(void)
{
	struct box bx, other;
	wsp_error err = {0};
	uint32_t outcome = 0;
	char id[64], again[64];
	cJSON *b;

	CU_ASSERT_EQUAL_FATAL(box_open(&bx, "reconnect-box", "timeout: 2m\n",
				       0, &err),
			      0);
	CU_ASSERT_EQUAL_FATAL(start(&bx, &outcome, &err), 0);
	CU_ASSERT_EQUAL(outcome, WSP_START_CREATED);
	box_kept_id(id, sizeof(id), &bx);
	/* a later wsp, same state store: the kept id, with the timeout */
	CU_ASSERT_EQUAL_FATAL(box_reinit(&bx, "timeout: 2m\n", &err), 0);
	CU_ASSERT_EQUAL_FATAL(start(&bx, &outcome, &err), 0);
	CU_ASSERT_EQUAL(outcome, WSP_START_CONNECTED);
	box_kept_id(again, sizeof(again), &bx);
	CU_ASSERT_STRING_EQUAL(again, id);
	{
		char path[128];

		snprintf(path, sizeof(path), "/v2/sandboxes/%s/connect", id);
		b = last_body("POST", path);
		/* never a connect without it (mastra #24621) */
		CU_ASSERT_EQUAL(cJSON_GetObjectItem(b, "timeout")->valueint,
				120);
		cJSON_Delete(b);
	}
	/* another machine (no store): found by its metadata wsp-id */
	fake_admin("DELETE", "/_fake/requests", NULL, NULL);
	CU_ASSERT_EQUAL_FATAL(box_open(&other, "reconnect-box", NULL, 0, &err),
			      0);
	CU_ASSERT_EQUAL_FATAL(start(&other, &outcome, &err), 0);
	CU_ASSERT_EQUAL(outcome, WSP_START_CONNECTED);
	box_kept_id(again, sizeof(again), &other);
	CU_ASSERT_STRING_EQUAL(again, id);
	{
		cJSON *log = fake_requests();
		cJSON *l = fake_log_find(log, "GET", "/v2/sandboxes");
		const char *url = cJSON_GetStringValue(cJSON_GetObjectItem(l, "url"));

		CU_ASSERT_PTR_NOT_NULL(url);
		if (url)
			CU_ASSERT_PTR_NOT_NULL(strstr(url, "metadata=wsp-id%3Dreconnect-box"));
		CU_ASSERT_EQUAL(fake_count("POST", "/v2/sandboxes"), 0);
		cJSON_Delete(log);
	}
	box_close(&other);
	box_destroy(&bx);
}

static void test_pause_resume_stop(void)
{
	struct box bx;
	wsp_error err = {0};
	wsp_exec_result r;
	uint32_t outcome = 0;
	char id[64], path[128];
	cJSON *b;

	CU_ASSERT_EQUAL_FATAL(box_open(&bx, "pause-box", NULL, 0, &err), 0);
	CU_ASSERT_EQUAL_FATAL(start(&bx, &outcome, &err), 0);
	box_kept_id(id, sizeof(id), &bx);
	CU_ASSERT_EQUAL(box_vt(&bx)->pause(bx.self, box_call(&bx, 30000), 0,
					   &err),
			0);
	CU_ASSERT_EQUAL(status(&bx), WSP_SANDBOX_PAUSED);
	/* twice: not an error */
	CU_ASSERT_EQUAL(box_vt(&bx)->pause(bx.self, box_call(&bx, 30000), 0,
					   &err),
			0);
	CU_ASSERT_EQUAL(run(&bx, "echo no", &r, &err), WSP_EBUSY);
	/* a later wsp does not resume it by accident either */
	CU_ASSERT_EQUAL_FATAL(box_reinit(&bx, NULL, &err), 0);
	CU_ASSERT_EQUAL(status(&bx), WSP_SANDBOX_PAUSED);
	CU_ASSERT_EQUAL(run(&bx, "echo no", &r, &err), WSP_EBUSY);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "resume"));
	CU_ASSERT_EQUAL(box_vt(&bx)->resume(bx.self, box_call(&bx, 30000), 0,
					    &err),
			0);
	CU_ASSERT_EQUAL(status(&bx), WSP_SANDBOX_RUNNING);
	CU_ASSERT_EQUAL_FATAL(run(&bx, "echo yes", &r, &err), 0);
	CU_ASSERT_STRING_EQUAL(r.stdout_data, "yes\n");
	release(&bx, &r);
	/* stop: a pause without memory, reported as stopped */
	CU_ASSERT_EQUAL(box_vt(&bx)->stop(bx.self, box_call(&bx, 30000), 0,
					  &err),
			0);
	snprintf(path, sizeof(path), "/sandboxes/%s/pause", id);
	b = last_body("POST", path);
	CU_ASSERT_TRUE(cJSON_IsFalse(cJSON_GetObjectItem(b, "memory")));
	cJSON_Delete(b);
	CU_ASSERT_EQUAL(status(&bx), WSP_SANDBOX_STOPPED);
	CU_ASSERT_EQUAL(run(&bx, "echo no", &r, &err), WSP_EBUSY);
	/* resume is for a pause; a later wsp knows it was a stop too */
	CU_ASSERT_EQUAL_FATAL(box_reinit(&bx, NULL, &err), 0);
	CU_ASSERT_EQUAL(box_vt(&bx)->resume(bx.self, box_call(&bx, 30000), 0,
					    &err),
			WSP_EBUSY);
	CU_ASSERT_EQUAL(status(&bx), WSP_SANDBOX_STOPPED);
	CU_ASSERT_EQUAL(start(&bx, &outcome, &err), 0);
	CU_ASSERT_EQUAL(outcome, WSP_START_CONNECTED);
	CU_ASSERT_EQUAL(status(&bx), WSP_SANDBOX_RUNNING);
	box_destroy(&bx);
}

static void test_timeout_and_info(void)
{
	struct box bx;
	wsp_error err = {0};
	uint32_t outcome = 0;
	char id[64], path[128];
	cJSON *b;

	CU_ASSERT_EQUAL_FATAL(box_open(&bx, "ttl-box", "timeout: 90s\n", 0,
				       &err),
			      0);
	CU_ASSERT_EQUAL_FATAL(start(&bx, &outcome, &err), 0);
	box_kept_id(id, sizeof(id), &bx);
	snprintf(path, sizeof(path), "/sandboxes/%s/timeout", id);
	CU_ASSERT_EQUAL(box_vt(&bx)->set_timeout(bx.self, box_call(&bx, 30000),
						 0, WSP_SANDBOX_KEEPALIVE,
						 &err),
			0);
	b = last_body("POST", path);
	CU_ASSERT_EQUAL(cJSON_GetObjectItem(b, "timeout")->valueint, 90);
	cJSON_Delete(b);
	CU_ASSERT_EQUAL(box_vt(&bx)->set_timeout(bx.self, box_call(&bx, 30000),
						 1500, 0, &err),
			0);
	b = last_body("POST", path);
	CU_ASSERT_EQUAL(cJSON_GetObjectItem(b, "timeout")->valueint, 2);
	cJSON_Delete(b);
	/* E2B has no "never": said, not a silent 24 h */
	CU_ASSERT_EQUAL(box_vt(&bx)->set_timeout(bx.self, box_call(&bx, 30000),
						 0, 0, &err),
			WSP_ENOTSUP);
	CU_ASSERT_EQUAL(box_vt(&bx)->set_timeout(bx.self, box_call(&bx, 30000),
						 25ull * 3600 * 1000, 0, &err),
			WSP_EINVAL);
	box_destroy(&bx);
}

struct kvs {
	char text[2048];
};

static int collect(const char *k, const char *v, void *p)
{
	struct kvs *s = p;
	size_t n = strlen(s->text);

	snprintf(s->text + n, sizeof(s->text) - n, "%s=%s\n", k, v);
	return 0;
}

static void test_info(void)
{
	struct box bx;
	wsp_error err = {0};
	uint32_t outcome = 0;
	struct kvs s = {""};

	CU_ASSERT_EQUAL_FATAL(box_open(&bx, "info-box", NULL, 0, &err), 0);
	CU_ASSERT_EQUAL(box_vt(&bx)->info(bx.self, box_call(&bx, 30000), 0,
					  collect, &s, &err),
			0);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.text, "state=absent\n"));
	CU_ASSERT_EQUAL(status(&bx), WSP_SANDBOX_ABSENT);
	CU_ASSERT_EQUAL_FATAL(start(&bx, &outcome, &err), 0);
	s.text[0] = '\0';
	CU_ASSERT_EQUAL(box_vt(&bx)->info(bx.self, box_call(&bx, 30000), 0,
					  collect, &s, &err),
			0);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.text, "id=info-box\nprovider=e2b\n"
					      "state=running\ncpus=2\n"
					      "memory_bytes=536870912\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s.text, "template=base\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s.text, "envd_version=0.6.4\n"));
	CU_ASSERT_PTR_NULL(strstr(s.text, E2_KEY));
	CU_ASSERT_PTR_NULL(strstr(s.text, "ea_")); /* no access token */
	CU_ASSERT_EQUAL(box_vt(&bx)->destroy(bx.self, box_call(&bx, 30000), 0,
					     &err),
			0);
	CU_ASSERT_EQUAL(status(&bx), WSP_SANDBOX_ABSENT);
	box_close(&bx);
}

static void test_destroy_and_killed_outside(void)
{
	struct box bx;
	wsp_error err = {0};
	wsp_exec_result r;
	uint32_t outcome = 0;
	char id[64], id2[64], path[128];

	CU_ASSERT_EQUAL_FATAL(box_open(&bx, "killed-box", NULL, 0, &err), 0);
	CU_ASSERT_EQUAL_FATAL(start(&bx, &outcome, &err), 0);
	box_kept_id(id, sizeof(id), &bx);
	/* E2B loses it (or its timeout passes): the next command says so */
	snprintf(path, sizeof(path), "/_fake/sandboxes/%s/kill", id);
	CU_ASSERT_EQUAL(fake_admin("POST", path, NULL, NULL) / 100, 2);
	CU_ASSERT_EQUAL(run(&bx, "echo hi", &r, &err), WSP_EUNAVAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "is gone"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, id));
	CU_ASSERT_EQUAL(status(&bx), WSP_SANDBOX_ABSENT);
	/* start makes a new one, and logs what happened to the old */
	CU_ASSERT_EQUAL_FATAL(start(&bx, &outcome, &err), 0);
	CU_ASSERT_EQUAL(outcome, WSP_START_CREATED);
	box_kept_id(id2, sizeof(id2), &bx);
	CU_ASSERT_STRING_NOT_EQUAL(id2, id);
	/* killed with the store still naming it: start says it in the log */
	snprintf(path, sizeof(path), "/_fake/sandboxes/%s/kill", id2);
	CU_ASSERT_EQUAL(fake_admin("POST", path, NULL, NULL) / 100, 2);
	CU_ASSERT_EQUAL_FATAL(box_reinit(&bx, NULL, &err), 0);
	CU_ASSERT_EQUAL_FATAL(start(&bx, &outcome, &err), 0);
	CU_ASSERT_EQUAL(outcome, WSP_START_CREATED);
	CU_ASSERT_EQUAL(wsp_fakehost_log_find(bx.fh, WSP_LOG_WARN, "is gone"),
			1);
	box_kept_id(id, sizeof(id), &bx);
	snprintf(path, sizeof(path), "/sandboxes/%s", id);
	CU_ASSERT_EQUAL(box_vt(&bx)->destroy(bx.self, box_call(&bx, 30000), 0,
					     &err),
			0);
	CU_ASSERT_EQUAL(fake_count("DELETE", path), 1);
	CU_ASSERT_PTR_NULL(e2_fake_sandbox(id));
	box_kept_id(id2, sizeof(id2), &bx);
	CU_ASSERT_STRING_EQUAL(id2, "");
	CU_ASSERT_EQUAL(status(&bx), WSP_SANDBOX_ABSENT);
	box_close(&bx);
}

static void test_recreate(void)
{
	struct box bx;
	wsp_error err = {0};
	wsp_exec_result r;
	uint32_t outcome = 0;
	char id[64], id2[64], path[128];

	CU_ASSERT_EQUAL_FATAL(box_open(&bx, "phoenix-box", "recreate: true\n",
				       0, &err),
			      0);
	CU_ASSERT_EQUAL_FATAL(start(&bx, &outcome, &err), 0);
	box_kept_id(id, sizeof(id), &bx);
	snprintf(path, sizeof(path), "/_fake/sandboxes/%s/expire", id);
	CU_ASSERT_EQUAL(fake_admin("POST", path, NULL, NULL) / 100, 2);
	/* expired (killed, no auto_pause): the command runs in a new one */
	CU_ASSERT_EQUAL_FATAL(run(&bx, "echo again", &r, &err), 0);
	CU_ASSERT_STRING_EQUAL(r.stdout_data, "again\n");
	release(&bx, &r);
	box_kept_id(id2, sizeof(id2), &bx);
	CU_ASSERT_STRING_NOT_EQUAL(id2, id);
	CU_ASSERT_EQUAL(wsp_fakehost_log_find(bx.fh, WSP_LOG_WARN, "recreate"),
			1);
	box_destroy(&bx);
}

static void test_rate_limit_retried(void)
{
	struct box bx;
	wsp_error err = {0};
	uint32_t outcome = 0;

	CU_ASSERT_EQUAL_FATAL(box_open(&bx, "busy-box", NULL, 0, &err), 0);
	CU_ASSERT_EQUAL_FATAL(start(&bx, &outcome, &err), 0);
	CU_ASSERT_EQUAL_FATAL(box_reinit(&bx, NULL, &err), 0);
	fake_admin("POST", "/_fake/faults",
		       "{\"kind\":\"rate_limit\",\"count\":1,\"retryAfter\":1,"
		       "\"path\":\"/v2/sandboxes/*\"}",
		       NULL);
	/* connect: retried after the second Retry-After asked for */
	CU_ASSERT_EQUAL(start(&bx, &outcome, &err), 0);
	CU_ASSERT_EQUAL(outcome, WSP_START_CONNECTED);
	/* create is not retried (a second sandbox): a clear rate limit */
	fake_admin("POST", "/_fake/faults",
		       "{\"kind\":\"rate_limit\",\"count\":1,\"retryAfter\":1,"
		       "\"path\":\"/v2/sandboxes\",\"method\":\"POST\"}",
		       NULL);
	box_destroy(&bx);
	CU_ASSERT_EQUAL_FATAL(box_open(&bx, "busy-box-2", NULL, 0, &err), 0);
	CU_ASSERT_EQUAL(start(&bx, &outcome, &err), WSP_ERATELIMIT);
	CU_ASSERT_EQUAL(err.http_status, 429);
	CU_ASSERT_EQUAL(err.retry_after_ms, 1000);
	CU_ASSERT_PTR_NULL(strstr(err.message, E2B_META_ID "=")); /* no query */
	fake_admin("DELETE", "/_fake/faults", NULL, NULL);
	box_destroy(&bx);
}

/* A request to a port of the sandbox through the fake's proxy (routed
 * by the Host the preview URL names); its HTTP status. */
static int through_proxy(struct box *bx, const char *url, const char *hname,
			 const char *hvalue)
{
	const wsp_host *h = wsp_fakehost_host(bx->fh);
	char host[300], target[64];
	wsp_http_header hd[2];
	wsp_http_response resp = {.struct_size = sizeof(resp)};
	wsp_error err = {0};
	size_t n = 0;
	int status;

	snprintf(host, sizeof(host), "%s", url + strlen("https://"));
	hd[n++] = (wsp_http_header){"Host", host};
	if (hname && *hname)
		hd[n++] = (wsp_http_header){hname, hvalue};
	snprintf(target, sizeof(target), "http://127.0.0.1:%d/",
		 fake_port());
	wsp_http_request req = {
		.struct_size = sizeof(req),
		.flags = WSP_HTTP_NO_ERROR_MAP | WSP_HTTP_NO_RETRY,
		.method = "GET",
		.url = target,
		.headers = hd,
		.n_headers = n,
	};
	if (h->http_request(&resp, h, &req, &err))
		return -1;
	status = resp.status;
	h->http_response_release(h, &resp);
	return status;
}

static void test_preview(void)
{
	struct box bx;
	wsp_error err = {0};
	wsp_preview p = {.struct_size = sizeof(p)};
	uint32_t outcome = 0;
	char id[64], want[128];
	cJSON *b;

	CU_ASSERT_EQUAL_FATAL(box_open(&bx, "preview-box",
				       "public_traffic: false\n", 0, &err),
			      0);
	CU_ASSERT_EQUAL_FATAL(start(&bx, &outcome, &err), 0);
	b = last_body("POST", "/v2/sandboxes");
	CU_ASSERT_TRUE(cJSON_IsFalse(cJSON_GetObjectItem(
		cJSON_GetObjectItem(b, "network"), "allowPublicTraffic")));
	cJSON_Delete(b);
	box_kept_id(id, sizeof(id), &bx);
	CU_ASSERT_EQUAL_FATAL(box_vt(&bx)->preview(&p, bx.self,
						   box_call(&bx, 30000), 3000,
						   0, &err),
			      0);
	snprintf(want, sizeof(want), "https://3000-%s.e2b.app", id);
	CU_ASSERT_STRING_EQUAL(p.url, want);
	CU_ASSERT_STRING_EQUAL(p.header_name, "e2b-traffic-access-token");
	CU_ASSERT_EQUAL(strncmp(p.header_value, "ta_", 3), 0);
	/* the token is a secret: the log must never show it */
	wsp_fakehost_add_secret(bx.fh, p.header_value, &err);
	/* E2B's proxy takes it (then finds nothing listening: 502) and
	 * refuses the port without it (403) */
	CU_ASSERT_EQUAL(through_proxy(&bx, p.url, p.header_name,
				      p.header_value),
			502);
	CU_ASSERT_EQUAL(through_proxy(&bx, p.url, NULL, NULL), 403);
	CU_ASSERT_EQUAL(box_vt(&bx)->preview(&p, bx.self, box_call(&bx, 30000),
					     0, 0, &err),
			WSP_EINVAL);
	CU_ASSERT_EQUAL(wsp_fakehost_leaks(bx.fh), 0);
	box_destroy(&bx);
	/* a public sandbox: no header */
	memset(&p, 0, sizeof(p));
	p.struct_size = sizeof(p);
	CU_ASSERT_EQUAL_FATAL(box_open(&bx, "public-box", NULL, 0, &err), 0);
	CU_ASSERT_EQUAL_FATAL(box_vt(&bx)->preview(&p, bx.self,
						   box_call(&bx, 30000), 8080,
						   0, &err),
			      0);
	CU_ASSERT_STRING_EQUAL(p.header_name, "");
	CU_ASSERT_EQUAL(through_proxy(&bx, p.url, NULL, NULL), 502);
	box_destroy(&bx);
}

static int suite_init(void)
{
	return e2_fake_start();
}

static int suite_clean(void)
{
	fake_env_stop();
	return 0;
}

static CU_TestInfo tests[] = {
	{"create with the options on the wire", test_create_with_options},
	{"reconnect: the store, then metadata",
	 test_reconnect_by_store_then_metadata},
	{"pause, resume, stop, start again", test_pause_resume_stop},
	{"the sandbox's timeout", test_timeout_and_info},
	{"info and status", test_info},
	{"destroy; killed outside wsp", test_destroy_and_killed_outside},
	{"recreate: a new sandbox for a gone one", test_recreate},
	{"429 with Retry-After", test_rate_limit_retried},
	{"preview URLs and the traffic token", test_preview},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("sandbox-e2b lifecycle", suite_init, suite_clean, tests)
