/*
 * tests/sandbox-daytona/test_daytona.c - wsp-sandbox-daytona against the
 * project's Daytona fake: the lifecycle (create, reconnect by the state
 * store and by label, stop, start, destroy, status, info), foreground
 * commands (streams apart, exit codes, cwd, env, stdin, timeout, cancel,
 * refusals), sessions reused by execs one after another, keep-alive,
 * auto-stop and previews, and faults (429,
 * auto-stop between commands, a slow start, a wrong key), with the key in no
 * log line, message, state file or sandbox environment.
 */
#include "dt_fake.h"

#include <cu_main.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const wsp_sandbox_vtable *sb(void)
{
	return dt_desc()->sandbox;
}

static void sh(struct dt_run *x, wsp_fakehost *fh, void *self, const char *cmd)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;

	(void)fh;
	o.shell = cmd;
	dt_run(x, self, NULL, &o);
	CU_ASSERT_EQUAL(x->rc, 0);
	if (x->rc)
		fprintf(stderr, "exec '%s': %s\n", cmd, x->err.message);
}

static void test_lifecycle(void)
{
	wsp_fakehost *fh = NULL;
	void *a = NULL, *b = NULL;
	wsp_error err = {0};
	uint32_t outcome = 0;
	char id1[128], id2[128], path[1400], cmd[1500];
	cJSON *list = NULL;
	struct dt_run x;

	CU_ASSERT_FATAL(dt_box_open(&fh, &a, NULL, &err) == 0);
	CU_ASSERT_EQUAL(dt_box_state(a), WSP_SANDBOX_ABSENT);
	CU_ASSERT_EQUAL(sb()->start(&outcome, a, &dt_no_call, 0, &err), 0);
	CU_ASSERT_EQUAL(outcome, WSP_START_CREATED);
	CU_ASSERT_EQUAL(dt_box_state(a), WSP_SANDBOX_RUNNING);
	dt_stored_id(fh, id1, sizeof id1);
	CU_ASSERT_EQUAL(strlen(id1), 36);

	/* Another instance (a later wsp process): the state store. */
	CU_ASSERT_FATAL(dt_box_again(&b, fh, &err) == 0);
	CU_ASSERT_EQUAL(sb()->start(&outcome, b, &dt_no_call, 0, &err), 0);
	CU_ASSERT_EQUAL(outcome, WSP_START_CONNECTED);
	dt_desc()->fini(b);

	/* The store wiped (another machine): found by its label. */
	snprintf(path, sizeof path, "%s/state/store", wsp_fakehost_dir(fh));
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
	CU_ASSERT_EQUAL(system(cmd), 0);
	CU_ASSERT_FATAL(dt_box_again(&b, fh, &err) == 0);
	CU_ASSERT_EQUAL(sb()->start(&outcome, b, &dt_no_call, 0, &err), 0);
	CU_ASSERT_EQUAL(outcome, WSP_START_CONNECTED);
	dt_stored_id(fh, id2, sizeof id2);
	CU_ASSERT_STRING_EQUAL(id1, id2);
	/* Still one sandbox on the service. */
	CU_ASSERT_EQUAL(dt_fake_call(fh, "GET", "/api/sandbox", NULL, &list),
			0);
	CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(list, "items")),
			1);
	cJSON_Delete(list);
	dt_desc()->fini(b);

	/* Stopped: status says so, and a command starts it again. */
	CU_ASSERT_EQUAL(sb()->stop(a, &dt_no_call, 0, &err), 0);
	CU_ASSERT_EQUAL(dt_box_state(a), WSP_SANDBOX_STOPPED);
	sh(&x, fh, a, "echo back");
	CU_ASSERT_STRING_EQUAL(x.r.stdout_data ? x.r.stdout_data : "",
			       "back\n");
	dt_run_release(fh, &x);
	CU_ASSERT_EQUAL(dt_box_state(a), WSP_SANDBOX_RUNNING);

	/* Gone: status absent, the key forgotten, destroy again is fine. */
	CU_ASSERT_EQUAL(sb()->destroy(a, &dt_no_call, 0, &err), 0);
	CU_ASSERT_EQUAL(dt_box_state(a), WSP_SANDBOX_ABSENT);
	dt_stored_id(fh, id2, sizeof id2);
	CU_ASSERT_STRING_EQUAL(id2, "");
	CU_ASSERT_EQUAL(sb()->destroy(a, &dt_no_call, 0, &err), 0);
	CU_ASSERT_EQUAL(sb()->stop(a, &dt_no_call, 0, &err), WSP_ENOTFOUND);
	dt_box_close(fh, a);
}

static int on_kv(const char *k, const char *v, void *payload)
{
	char *buf = payload;
	size_t n = strlen(buf);

	snprintf(buf + n, 4096 - n, "%s=%s\n", k, v);
	return 0;
}

static void test_exec(void)
{
	static const char *const env[] = {"QUOTED=it's \"here\"", NULL};
	wsp_fakehost *fh = NULL;
	void *a = NULL;
	wsp_error err = {0};
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	char info[4096] = "";
	struct dt_run x;

	CU_ASSERT_FATAL(dt_box_open(&fh, &a, "env: { TEAM: infra }\n", &err) ==
			0);
	/* No start first: the first command creates the sandbox. */
	sh(&x, fh, a, "printf out; printf err >&2; exit 3");
	CU_ASSERT_EQUAL(x.r.exit_code, 3);
	CU_ASSERT_STRING_EQUAL(x.r.stdout_data, "out");
	CU_ASSERT_STRING_EQUAL(x.r.stderr_data, "err");
	CU_ASSERT_EQUAL(x.r.flags, 0);
	dt_run_release(fh, &x);

	o.shell = "pwd; printf '%s|%s' \"$QUOTED\" \"$TEAM\"";
	o.cwd = "/tmp";
	o.env = env;
	dt_run(&x, a, NULL, &o);
	CU_ASSERT_EQUAL(x.rc, 0);
	CU_ASSERT_STRING_EQUAL(x.r.stdout_data, "/tmp\nit's \"here\"|infra");
	dt_run_release(fh, &x);

	o = (wsp_exec_opts)WSP_EXEC_OPTS_INIT;
	o.shell = "cat; printf '[%s]' \"$TEAM\"";
	o.stdin_data = "line one\nline 'two'";
	o.stdin_len = strlen(o.stdin_data);
	dt_run(&x, a, NULL, &o);
	CU_ASSERT_STRING_EQUAL(x.r.stdout_data, "line one\nline 'two'[infra]");
	dt_run_release(fh, &x);

	/* The key is in no variable of the sandbox. */
	sh(&x, fh, a, "env");
	CU_ASSERT_PTR_NULL(strstr(x.r.stdout_data, DT_TEST_KEY));
	CU_ASSERT_PTR_NOT_NULL(strstr(x.r.stdout_data, "TEAM=infra"));
	dt_run_release(fh, &x);

	o = (wsp_exec_opts)WSP_EXEC_OPTS_INIT;
	o.shell = "echo before; sleep 30";
	o.timeout_ms = 2000;
	dt_run(&x, a, NULL, &o);
	CU_ASSERT_EQUAL(x.rc, 0);
	CU_ASSERT_EQUAL(x.r.exit_code, 124);
	CU_ASSERT_TRUE(x.r.flags & WSP_EXEC_TIMED_OUT);
	/* what it wrote before the kill, its newline too */
	CU_ASSERT_STRING_EQUAL(x.r.stdout_data, "before\n");
	dt_run_release(fh, &x);

	o = (wsp_exec_opts)WSP_EXEC_OPTS_INIT;
	o.shell = "echo x";
	o.cwd = "/no/such/dir";
	dt_run(&x, a, NULL, &o);
	CU_ASSERT_EQUAL(x.rc, WSP_ENOTFOUND);
	CU_ASSERT_PTR_NOT_NULL(strstr(x.err.message, "/no/such/dir"));

	/* Nothing left running: the killed exec's session is gone, those
	 * kept for the next exec are idle. */
	CU_ASSERT_EQUAL(dt_fake_sessions(fh, NULL, NULL, NULL), 1);

	CU_ASSERT_EQUAL(
		dt_desc()->sandbox->info(a, &dt_no_call, 0, on_kv, info, &err),
		0);
	CU_ASSERT_PTR_NOT_NULL(strstr(info, "id=test\nprovider=daytona\n"
					    "state=started\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(info, "remote_id="));
	CU_ASSERT_PTR_NULL(strstr(info, DT_TEST_KEY));
	CU_ASSERT_EQUAL(sb()->destroy(a, &dt_no_call, 0, &err), 0);
	dt_box_close(fh, a);
}

struct later {
	wsp_call *call;
};

static void *cancel_later(void *p)
{
	usleep(500 * 1000);
	wsp_fakehost_call_cancel(p);
	return NULL;
}

static void test_cancel(void)
{
	wsp_fakehost *fh = NULL;
	void *a = NULL;
	wsp_error err = {0};
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_call *call;
	pthread_t th;
	struct dt_run x;

	CU_ASSERT_FATAL(dt_box_open(&fh, &a, NULL, &err) == 0);
	call = wsp_fakehost_call(fh, 0);
	o.shell = "echo started; sleep 30";
	o.flags = WSP_EXEC_NO_TIMEOUT;
	sh(&x, fh, a, "true"); /* created before the clock starts */
	dt_run_release(fh, &x);
	CU_ASSERT_FATAL(pthread_create(&th, NULL, cancel_later, call) == 0);
	dt_run(&x, a, call, &o);
	pthread_join(th, NULL);
	CU_ASSERT_EQUAL(x.rc, 0);
	CU_ASSERT_EQUAL(x.r.exit_code, 130);
	CU_ASSERT_TRUE(x.r.flags & WSP_EXEC_CANCELED);
	CU_ASSERT_TRUE(x.r.duration_ms < 10000);
	dt_run_release(fh, &x);

	/* The deadline ends it as a timeout does. */
	call = wsp_fakehost_call(fh, 600);
	o.shell = "sleep 30";
	dt_run(&x, a, call, &o);
	CU_ASSERT_EQUAL(x.rc, 0);
	CU_ASSERT_EQUAL(x.r.exit_code, 124);
	CU_ASSERT_TRUE(x.r.flags & WSP_EXEC_TIMED_OUT);
	dt_run_release(fh, &x);
	CU_ASSERT_EQUAL(sb()->destroy(a, &dt_no_call, 0, &err), 0);
	dt_box_close(fh, a);
}

static void test_faults(void)
{
	wsp_fakehost *fh = NULL;
	void *a = NULL;
	wsp_error err = {0};
	char id[128], path[300];
	uint32_t outcome;
	struct dt_run x;
	char yaml[512], path2[300];
	int rc;

	snprintf(yaml, sizeof yaml, "api_url: %s/api\napi_key: %s\n",
		 dt_fake_url(), DT_TEST_KEY);
	CU_ASSERT_FATAL(dt_box_open(&fh, &a, "create_timeout: 1s\n", &err) ==
			0);
	sh(&x, fh, a, "true");
	dt_run_release(fh, &x);
	dt_stored_id(fh, id, sizeof id);

	snprintf(path2, sizeof path2, "/api/sandbox/%s/start", id);

	/* 429 twice on the toolbox: retried after Retry-After. */
	CU_ASSERT_EQUAL(dt_fake_call(fh, "POST", "/_fake/faults",
				     "{\"kind\":\"rate_limit\",\"count\":2,"
				     "\"plane\":\"toolbox\",\"retryAfter\":0}",
				     NULL),
			0);
	sh(&x, fh, a, "echo through");
	CU_ASSERT_STRING_EQUAL(x.r.stdout_data, "through\n");
	dt_run_release(fh, &x);

	/* Auto-stopped between two commands: the next one starts it. */
	snprintf(path, sizeof path, "/_fake/sandboxes/%s/autostop", id);
	CU_ASSERT_EQUAL(dt_fake_call(fh, "POST", path, "{}", NULL), 0);
	usleep(300 * 1000);
	sh(&x, fh, a, "echo again");
	CU_ASSERT_STRING_EQUAL(x.r.stdout_data, "again\n");
	dt_run_release(fh, &x);

	/* A start slower than create_timeout: a clear timeout. */
	CU_ASSERT_EQUAL(sb()->stop(a, &dt_no_call, 0, &err), 0);
	CU_ASSERT_EQUAL(dt_fake_call(fh, "POST", "/_fake/faults",
				     "{\"kind\":\"slow_start\",\"ms\":3000}",
				     NULL),
			0);
	CU_ASSERT_EQUAL(sb()->start(&outcome, a, &dt_no_call, 0, &err),
			WSP_ETIMEDOUT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "create_timeout"));
	/* Stopped, then destroyed, while it still starts: each waits for
	 * the start to end (Daytona refuses both meanwhile, 409), with the
	 * default bound. */
	dt_desc()->fini(a);
	CU_ASSERT_EQUAL(wsp_fakehost_options(fh, yaml, &err), 0);
	CU_ASSERT_FATAL(dt_box_again(&a, fh, &err) == 0);
	rc = sb()->stop(a, &dt_no_call, 0, &err); /* the slow start goes on */
	CU_ASSERT_EQUAL(rc, 0);
	if (rc)
		fprintf(stderr, "stop: %s\n", err.message);
	CU_ASSERT_EQUAL(dt_box_state(a), WSP_SANDBOX_STOPPED);
	CU_ASSERT_EQUAL(dt_fake_call(fh, "POST", "/_fake/faults",
				     "{\"kind\":\"slow_start\",\"ms\":1500}",
				     NULL),
			0);
	CU_ASSERT_EQUAL(dt_fake_call(fh, "POST", path2, NULL, NULL), 0);
	rc = sb()->destroy(a, &dt_no_call, 0, &err);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(dt_box_state(a), WSP_SANDBOX_ABSENT);
	if (rc)
		fprintf(stderr, "destroy: %s\n", err.message);
	dt_box_close(fh, a);

	/* A key the service refuses: WSP_EAUTH, the key in no message. */
	CU_ASSERT_FATAL(dt_box_open(&fh, &a, NULL, &err) == 0);
	CU_ASSERT_EQUAL(dt_fake_call(fh, "POST", "/_fake/faults",
				     "{\"kind\":\"error\",\"status\":401,"
				     "\"message\":\"Invalid credentials\"}",
				     NULL),
			0);
	CU_ASSERT_EQUAL(sb()->start(&outcome, a, &dt_no_call, 0, &err),
			WSP_EAUTH);
	CU_ASSERT_EQUAL(err.http_status, 401);
	CU_ASSERT_PTR_NULL(strstr(err.message, DT_TEST_KEY));
	dt_box_close(fh, a);
}

/* The sandbox's autoStopInterval as the fake holds it. */
static int auto_stop_of(wsp_fakehost *fh, const char *id)
{
	char path[200];
	cJSON *j = NULL;
	int v = -1;

	snprintf(path, sizeof path, "/api/sandbox/%s", id);
	if (!dt_fake_call(fh, "GET", path, NULL, &j) &&
	    cJSON_IsNumber(cJSON_GetObjectItem(j, "autoStopInterval")))
		v = cJSON_GetObjectItem(j, "autoStopInterval")->valueint;
	cJSON_Delete(j);
	return v;
}

static void test_idle_preview(void)
{
	wsp_fakehost *fh = NULL;
	void *a = NULL;
	wsp_error err = {0};
	wsp_preview p = {.struct_size = sizeof p};
	uint32_t outcome;
	char id[128];

	CU_ASSERT_FATAL(dt_box_open(&fh, &a, NULL, &err) == 0);
	CU_ASSERT_EQUAL(sb()->set_timeout(a, &dt_no_call, 0,
					  WSP_SANDBOX_KEEPALIVE, &err),
			WSP_ENOTFOUND);
	CU_ASSERT_EQUAL(sb()->start(&outcome, a, &dt_no_call, 0, &err), 0);
	dt_stored_id(fh, id, sizeof id);

	CU_ASSERT_EQUAL(sb()->set_timeout(a, &dt_no_call, 0,
					  WSP_SANDBOX_KEEPALIVE, &err),
			0);
	CU_ASSERT_EQUAL(dt_fake_seen(fh, "POST", "/last-activity"), 1);
	/* 90 s is 2 minutes: never stopped earlier than asked */
	CU_ASSERT_EQUAL(sb()->set_timeout(a, &dt_no_call, 90000, 0, &err), 0);
	CU_ASSERT_EQUAL(auto_stop_of(fh, id), 2);
	CU_ASSERT_EQUAL(sb()->set_timeout(a, &dt_no_call, 0, 0, &err), 0);
	CU_ASSERT_EQUAL(auto_stop_of(fh, id), 0);

	CU_ASSERT_EQUAL(sb()->preview(&p, a, &dt_no_call, 3000, 0, &err), 0);
	CU_ASSERT_EQUAL(strncmp(p.url, "http", 4), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(p.url, "3000"));
	CU_ASSERT_STRING_EQUAL(p.header_name, "X-Daytona-Preview-Token");
	CU_ASSERT_TRUE(strlen(p.header_value) > 0);
	/* the token is a secret: in no log line from here on */
	CU_ASSERT_EQUAL(wsp_fakehost_add_secret(fh, p.header_value, &err), 0);
	CU_ASSERT_EQUAL(sb()->preview(&p, a, &dt_no_call, 3000, 0, &err), 0);
	CU_ASSERT_EQUAL(sb()->preview(&p, a, &dt_no_call, 0, 0, &err),
			WSP_EINVAL);
	CU_ASSERT_EQUAL(sb()->destroy(a, &dt_no_call, 0, &err), 0);
	dt_box_close(fh, a);
}

struct slow {
	void *self;
	struct dt_run x;
};

static void *run_slow(void *p)
{
	struct slow *q = p;
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;

	o.shell = "sleep 1; echo slow";
	dt_run(&q->x, q->self, NULL, &o);
	return NULL;
}

/*
 * Execs one after another share one session (kept idle between them;
 * none sees another's cd or variables); two at once take two; a killed
 * one's session is deleted; one the toolbox lost is replaced; the
 * instance's end deletes the idle ones.
 */
static void test_reuse(void)
{
	wsp_fakehost *fh = NULL;
	void *a = NULL;
	wsp_error err = {0};
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	struct slow q[2];
	pthread_t th[2];
	struct dt_run x;
	char sid[80], id[128], path[400];
	int i, busy = -1;

	CU_ASSERT_FATAL(dt_box_open(&fh, &a, NULL, &err) == 0);
	sh(&x, fh, a, "cd /tmp; export LEAK=1; echo first");
	dt_run_release(fh, &x);
	CU_ASSERT_EQUAL(dt_fake_sessions(fh, NULL, NULL, &busy), 1);
	CU_ASSERT_EQUAL(busy, 0);
	CU_ASSERT_EQUAL(dt_fake_call(fh, "DELETE", "/_fake/requests", NULL,
				     NULL), 0);
	for (i = 0; i < 5; i++) {
		sh(&x, fh, a, "pwd; echo \"${LEAK-none}\"");
		CU_ASSERT_PTR_NULL(strstr(x.r.stdout_data, "/tmp"));
		CU_ASSERT_PTR_NOT_NULL(strstr(x.r.stdout_data, "\nnone\n"));
		dt_run_release(fh, &x);
	}
	/* five execs, no session created or deleted */
	CU_ASSERT_EQUAL(dt_fake_seen(fh, "POST", "/process/session"), 0);
	CU_ASSERT_EQUAL(dt_fake_seen(fh, "POST", "/exec"), 5);
	CU_ASSERT_EQUAL(dt_fake_sessions(fh, NULL, NULL, NULL), 1);

	/* two at once: the idle one and a new one, neither waiting */
	for (i = 0; i < 2; i++) {
		q[i].self = a;
		CU_ASSERT_FATAL(pthread_create(&th[i], NULL, run_slow,
					       &q[i]) == 0);
	}
	for (i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		CU_ASSERT_EQUAL(q[i].x.rc, 0);
		CU_ASSERT_EQUAL(q[i].x.r.exit_code, 0);
		CU_ASSERT_STRING_EQUAL(q[i].x.r.stdout_data, "slow\n");
		dt_run_release(fh, &q[i].x);
	}
	CU_ASSERT_EQUAL(dt_fake_seen(fh, "POST", "/process/session"), 1);
	CU_ASSERT_EQUAL(dt_fake_sessions(fh, NULL, NULL, &busy), 2);
	CU_ASSERT_EQUAL(busy, 0);

	/* a killed exec's session is deleted, not kept */
	o.shell = "sleep 30";
	o.timeout_ms = 500;
	dt_run(&x, a, NULL, &o);
	CU_ASSERT_EQUAL(x.r.exit_code, 124);
	dt_run_release(fh, &x);
	CU_ASSERT_EQUAL(dt_fake_sessions(fh, NULL, sid, &busy), 1);
	CU_ASSERT_EQUAL(busy, 0);

	/* the idle one deleted behind its back: the next exec opens one */
	dt_stored_id(fh, id, sizeof id);
	snprintf(path, sizeof path, "/toolbox/%s/process/session/%s", id, sid);
	CU_ASSERT_EQUAL(dt_fake_call(fh, "DELETE", path, NULL, NULL), 0);
	CU_ASSERT_EQUAL(dt_fake_sessions(fh, NULL, NULL, NULL), 0);
	sh(&x, fh, a, "echo again");
	CU_ASSERT_STRING_EQUAL(x.r.stdout_data, "again\n");
	dt_run_release(fh, &x);
	CU_ASSERT_EQUAL(dt_fake_seen(fh, "POST", "/process/session"), 2);
	CU_ASSERT_EQUAL(dt_fake_sessions(fh, NULL, NULL, NULL), 1);

	/* the instance's end deletes what it kept */
	dt_desc()->fini(a);
	CU_ASSERT_EQUAL(dt_fake_sessions(fh, NULL, NULL, NULL), 0);
	CU_ASSERT_FATAL(dt_box_again(&a, fh, &err) == 0);
	CU_ASSERT_EQUAL(sb()->destroy(a, &dt_no_call, 0, &err), 0);
	dt_box_close(fh, a);
}

static CU_TestInfo tests[] = {
	{"create, reconnect (store, label), stop, start, destroy",
	 test_lifecycle},
	{"exec: streams, exit, cwd, env, stdin, timeout, refusals", test_exec},
	{"exec: cancel and deadline", test_cancel},
	{"exec: idle sessions reused, busy ones never", test_reuse},
	{"faults: 429, auto-stop, slow start, refused key", test_faults},
	{"keep-alive, auto-stop interval, preview URL", test_idle_preview},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("sandbox-daytona against the fake", dt_suite_start, dt_suite_stop,
	      tests)
