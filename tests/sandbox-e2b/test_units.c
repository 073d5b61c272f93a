/*
 * tests/sandbox-e2b/test_units.c - the parts that need no server: the
 * Connect envelope of a request, envd's process events (good and
 * hostile), base64 both ways, Go's signal names, what a command becomes
 * in a Start request, and the options (defaults from E2B's variables,
 * clear refusals that never quote the key). init makes no request; the
 * last test starts the fake with an envd too old to close stdin.
 */
#include "e2_env.h"
#include "e2b.h"
#include "envelope.h"
#include "cu_main.h"

#include <stdlib.h>
#include <string.h>

static void test_request_envelope(void)
{
	const char *json = "{\"process\":{\"cmd\":\"/bin/bash\"}}";
	char *env = NULL;
	size_t len = 0, n = strlen(json);

	CU_ASSERT_EQUAL_FATAL(e2b_envelope(&env, &len, json, n), 0);
	CU_ASSERT_EQUAL(len, n + 5);
	/* flags 0, then the length big-endian */
	CU_ASSERT_EQUAL((unsigned char)env[0], 0);
	CU_ASSERT_EQUAL(((unsigned char)env[1] << 24 |
			 (unsigned char)env[2] << 16 |
			 (unsigned char)env[3] << 8 | (unsigned char)env[4]),
			n);
	CU_ASSERT_EQUAL(memcmp(env + 5, json, n), 0);
	free(env);
	/* a length past 32 bits cannot be framed */
	CU_ASSERT_EQUAL(e2b_envelope(&env, &len, json, (size_t)1 << 33), -1);
}

static struct e2b_event parse_ok(const char *msg)
{
	struct e2b_event ev;

	CU_ASSERT_EQUAL(e2b_event_parse(&ev, msg, strlen(msg)), 0);
	return ev;
}

static void test_events(void)
{
	struct e2b_event ev;

	ev = parse_ok("{\"event\":{\"start\":{\"pid\":100}}}");
	CU_ASSERT_EQUAL(ev.kind, E2B_EV_START);
	CU_ASSERT_EQUAL(ev.pid, 100);
	/* int64 as a string, as proto3 JSON may send it */
	ev = parse_ok("{\"event\":{\"start\":{\"pid\":\"7\"}}}");
	CU_ASSERT_EQUAL(ev.pid, 7);
	ev = parse_ok("{\"event\":{\"data\":{\"stdout\":\"aGkK\"}}}");
	CU_ASSERT_EQUAL(ev.kind, E2B_EV_DATA);
	CU_ASSERT_EQUAL(ev.stream, 1);
	CU_ASSERT_EQUAL(ev.len, 3);
	CU_ASSERT_EQUAL(memcmp(ev.data, "hi\n", 3), 0);
	e2b_event_free(&ev);
	ev = parse_ok("{\"event\":{\"data\":{\"stderr\":\"_-8\"}}}");
	CU_ASSERT_EQUAL(ev.stream, 2);
	CU_ASSERT_EQUAL(ev.len, 2); /* URL-safe, unpadded */
	CU_ASSERT_EQUAL((unsigned char)ev.data[0], 0xff);
	CU_ASSERT_EQUAL((unsigned char)ev.data[1], 0xef);
	e2b_event_free(&ev);
	ev = parse_ok("{\"event\":{\"end\":{\"exited\":true,"
		      "\"status\":\"exit status 0\"}}}");
	CU_ASSERT_EQUAL(ev.kind, E2B_EV_END);
	CU_ASSERT_TRUE(ev.exited);
	CU_ASSERT_EQUAL(ev.exit_code, 0);
	CU_ASSERT_STRING_EQUAL(ev.status, "exit status 0");
	ev = parse_ok("{\"event\":{\"end\":{\"exitCode\":7,\"exited\":true,"
		      "\"status\":\"exit status 7\",\"error\":\"exit status "
		      "7\"}}}");
	CU_ASSERT_EQUAL(ev.exit_code, 7);
	CU_ASSERT_EQUAL(ev.signal, 0);
	ev = parse_ok("{\"event\":{\"end\":{\"exitCode\":-1,"
		      "\"status\":\"signal: killed\"}}}");
	CU_ASSERT_FALSE(ev.exited);
	CU_ASSERT_EQUAL(ev.signal, 9);
	ev = parse_ok("{\"event\":{\"keepalive\":{}}}");
	CU_ASSERT_EQUAL(ev.kind, E2B_EV_KEEPALIVE);
	ev = parse_ok("{\"event\":{\"somethingNew\":{}}}");
	CU_ASSERT_EQUAL(ev.kind, E2B_EV_OTHER);
	/* a control character in the status never reaches a message */
	ev = parse_ok("{\"event\":{\"end\":{\"status\":\"a\\u001bb\"}}}");
	CU_ASSERT_STRING_EQUAL(ev.status, "a?b");
}

static void test_bad_events(void)
{
	static const char *const bad[] = {
		"",
		"not json",
		"[]",
		"{}",
		"{\"event\":1}",
		"{\"event\":{\"start\":{}}}",
		"{\"event\":{\"start\":{\"pid\":0}}}",
		"{\"event\":{\"start\":{\"pid\":4294967296}}}",
		"{\"event\":{\"start\":{\"pid\":1.5}}}",
		"{\"event\":{\"start\":{\"pid\":\"12x\"}}}",
		"{\"event\":{\"data\":{\"stdout\":\"a\"}}}",
		"{\"event\":{\"data\":{\"stdout\":\"a=bc\"}}}",
		"{\"event\":{\"data\":{\"stdout\":\"aGk*\"}}}",
		"{\"event\":{\"data\":{\"stdout\":\"aGl=\"}}}",
		"{\"event\":{\"end\":{\"exitCode\":\"x\"}}}",
		"{\"event\":{\"end\":{\"exitCode\":3000000000}}}",
		"{\"event\":{\"end\":[]}}",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct e2b_event ev;
		int rc = e2b_event_parse(&ev, bad[i], strlen(bad[i]));

		CU_ASSERT_EQUAL(rc, -1);
		if (rc != -1)
			fprintf(stderr, "accepted: %s\n", bad[i]);
		e2b_event_free(&ev);
	}
}

static void test_base64(void)
{
	unsigned char all[256], back[260];
	char text[400];
	size_t n;

	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	for (size_t len = 0; len < 7; len++) {
		n = e2b_base64_encode(text, all + 250, len);
		CU_ASSERT_EQUAL(n, 4 * ((len + 2) / 3));
		CU_ASSERT_EQUAL(e2b_base64_decode(back, text, n), (long)len);
		CU_ASSERT_EQUAL(memcmp(back, all + 250, len), 0);
	}
	n = e2b_base64_encode(text, all, sizeof(all));
	CU_ASSERT_EQUAL(e2b_base64_decode(back, text, n), 256);
	CU_ASSERT_EQUAL(memcmp(back, all, 256), 0);
	CU_ASSERT_STRING_EQUAL((e2b_base64_encode(text,
						  (const unsigned char *)"root:",
						  5),
				text),
			       "cm9vdDo=");
}

static void test_signals(void)
{
	CU_ASSERT_EQUAL(e2b_signal_number("signal: killed"), 9);
	CU_ASSERT_EQUAL(e2b_signal_number("signal: terminated"), 15);
	CU_ASSERT_EQUAL(e2b_signal_number("signal: interrupt"), 2);
	CU_ASSERT_EQUAL(e2b_signal_number("signal: no such"), 0);
	CU_ASSERT_EQUAL(e2b_signal_number("exit status 9"), 0);
	CU_ASSERT_EQUAL(e2b_signal_number(NULL), 0);
}

static void test_process_config(void)
{
	static const char *const argv[] = {"printf", "%s|", "it's", "a b",
					   NULL};
	static const char *const env[] = {"TEAM=blue", "A=x=y", NULL};
	struct box bx;
	wsp_error err = {0};
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	cJSON *p = NULL, *args;
	char *text;

	CU_ASSERT_EQUAL_FATAL(box_open(&bx, "unit-box", NULL, 0, &err), 0);
	o.shell = "echo hi";
	CU_ASSERT_EQUAL_FATAL(e2b_process_config(&p, bx.self, &o, &err), 0);
	text = cJSON_PrintUnformatted(p);
	CU_ASSERT_STRING_EQUAL(text, "{\"cmd\":\"/bin/bash\",\"args\":[\"-l\","
				     "\"-c\",\"echo hi\"],\"envs\":{},"
				     "\"cwd\":\"/home/user\"}");
	free(text);
	cJSON_Delete(p);
	/* argv: positional parameters, never quoted into a string */
	o.shell = NULL;
	o.argv = argv;
	o.env = env;
	o.cwd = "sub/dir";
	CU_ASSERT_EQUAL_FATAL(e2b_process_config(&p, bx.self, &o, &err), 0);
	args = cJSON_GetObjectItem(p, "args");
	CU_ASSERT_EQUAL(cJSON_GetArraySize(args), 7);
	CU_ASSERT_STRING_EQUAL(cJSON_GetArrayItem(args, 3)->valuestring,
			       "printf");
	CU_ASSERT_STRING_EQUAL(cJSON_GetArrayItem(args, 5)->valuestring,
			       "it's");
	CU_ASSERT_STRING_EQUAL(cJSON_GetArrayItem(args, 6)->valuestring,
			       "a b");
	CU_ASSERT_STRING_EQUAL(
		cJSON_GetObjectItem(cJSON_GetObjectItem(p, "envs"), "A")
			->valuestring,
		"x=y");
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(p, "cwd")->valuestring,
			       "/home/user/sub/dir");
	cJSON_Delete(p);
	o.cwd = "/tmp";
	CU_ASSERT_EQUAL_FATAL(e2b_process_config(&p, bx.self, &o, &err), 0);
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(p, "cwd")->valuestring,
			       "/tmp");
	cJSON_Delete(p);
	static const char *const bad_env[] = {"=x", NULL};
	o.env = bad_env;
	CU_ASSERT_EQUAL(e2b_process_config(&p, bx.self, &o, &err),
			WSP_EINVAL);
	CU_ASSERT_TRUE(e2b_missing_program("wsp-e2b: no such program\n", 25));
	CU_ASSERT_TRUE(e2b_envd_at_least("0.6.4", 0, 5, 2));
	CU_ASSERT_TRUE(e2b_envd_at_least("0.5.2", 0, 5, 2));
	CU_ASSERT_TRUE(e2b_envd_at_least("1.0.0", 0, 5, 2));
	CU_ASSERT_FALSE(e2b_envd_at_least("0.5.1", 0, 5, 2));
	CU_ASSERT_FALSE(e2b_envd_at_least("0.4.9", 0, 5, 2));
	CU_ASSERT_TRUE(e2b_envd_at_least("", 0, 5, 2)); /* not said */
	CU_ASSERT_FALSE(e2b_missing_program("bash: x: not found\n", 19));
	box_close(&bx);
}

static void test_defaults_from_environment(void)
{
	struct box bx;
	wsp_error err = {0};
	struct e2b *e;

	setenv("E2B_API_KEY", E2_KEY, 1);
	setenv("E2B_DOMAIN", "sandbox.example.test", 1);
	/* the fixed URLs of e2_env win over E2B_API_URL */
	CU_ASSERT_EQUAL_FATAL(box_open(&bx, "Dev Box 1", NULL, 1, &err), 0);
	e = bx.self;
	CU_ASSERT_STRING_EQUAL(e->api_key, E2_KEY);
	CU_ASSERT_STRING_EQUAL(e->domain, "sandbox.example.test");
	CU_ASSERT_STRING_EQUAL(e->template_id, "base");
	CU_ASSERT_EQUAL(e->lifetime_s, 300);
	CU_ASSERT_EQUAL(e->exec_timeout_ms, 30000);
	CU_ASSERT_TRUE(e->allow_internet);
	CU_ASSERT_FALSE(e->auto_pause);
	CU_ASSERT_TRUE(e->secure);
	CU_ASSERT_TRUE(e->public_traffic);
	CU_ASSERT_STRING_EQUAL(e->working_dir, "/home/user");
	CU_ASSERT_PTR_NULL(e->user);
	/* the id is always in the metadata: how it is found again */
	CU_ASSERT_STRING_EQUAL(
		cJSON_GetStringValue(cJSON_GetObjectItem(e->metadata,
							 "wsp-id")),
		"Dev Box 1");
	box_close(&bx);
	unsetenv("E2B_API_KEY");
	unsetenv("E2B_DOMAIN");
}

static void test_cloud_urls_from_domain(void)
{
	struct box bx;
	wsp_error err = {0};
	struct e2b *e;
	const wsp_instance_args *a;

	/* no URL option: api.DOMAIN, envd by sandbox id */
	bx.d = wsp_plugin_entry(WSP_PLUGIN_ABI_MAJOR, WSP_PLUGIN_ABI_MINOR);
	CU_ASSERT_EQUAL_FATAL(wsp_fakehost_new(&bx.fh, bx.d, &err), 0);
	unsetenv("E2B_API_URL");
	unsetenv("E2B_SANDBOX_URL");
	CU_ASSERT_EQUAL_FATAL(wsp_fakehost_options(bx.fh,
						   "api_key: " E2_KEY "\n"
						   "domain: e2b.example.test\n",
						   &err),
			      0);
	CU_ASSERT_EQUAL_FATAL(wsp_fakehost_args(&a, bx.fh, &err), 0);
	CU_ASSERT_EQUAL_FATAL(bx.d->init(&bx.self, wsp_fakehost_host(bx.fh),
					 a, &err),
			      0);
	e = bx.self;
	CU_ASSERT_STRING_EQUAL(e->api_url, "https://api.e2b.example.test");
	CU_ASSERT_PTR_NULL(e->sandbox_url);
	box_close(&bx);
}

static int try(const char *extra, int no_key, wsp_error *err)
{
	struct box bx;
	int rc = box_open(&bx, "dev-box", extra, no_key, err);

	box_close(&bx);
	return rc;
}

static void test_bad_input_refused(void)
{
	static const struct {
		const char *yaml, *says;
	} bad[] = {
		{"timeout: 1500ms\n", "whole seconds"},
		/* ranges: the option table's, refused by the core */
		{"timeout: 2d\n", "option 'timeout' is 2d; it must be 1s to 24h"},
		{"timeout: 0s\n", "option 'timeout' is 0s; it must be 1s to 24h"},
		{"max_capture: 0\n", "option 'max_capture' is 0; it must be 1 "
				     "to 256MiB"},
		{"max_capture: 257MiB\n", "it must be 1 to 256MiB"},
		{"env: {\"1X\": a}\n", "not a variable name"},
		{"metadata: {wsp-id: x}\n", "wsp's own"},
		{"working_dir: relative\n", "absolute"},
		{"env: {LEAK: " E2_KEY "}\n", "API key"},
		{"metadata: {note: \"x" E2_KEY "\"}\n", "API key"},
		{"domain: \"a/b\"\n", "not a host name"},
		{"user: \"ro ot\"\n", "not a user name"},
		{"command_timeout: 0s\n", "option 'command_timeout' is 0s; it "
					  "must be at least 1ms"},
		{"request_timeout: 0ms\n", "it must be at least 1ms"},
		{"allow_out: [\"a b\"]\n", "not a CIDR"},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		wsp_error err = {0};

		CU_ASSERT_EQUAL(try(bad[i].yaml, 0, &err), WSP_ECONFIG);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.message, bad[i].says));
		CU_ASSERT_PTR_NULL(strstr(err.message, E2_KEY));
		if (!strstr(err.message, bad[i].says))
			fprintf(stderr, "%s -> %s\n", bad[i].yaml, err.message);
	}
}

static void test_missing_key(void)
{
	wsp_error err = {0};

	unsetenv("E2B_API_KEY");
	CU_ASSERT_EQUAL(try(NULL, 1, &err), WSP_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "E2B_API_KEY"));
}

/* An envd older than CloseStdin: stdin refused, not a hang. */
static void test_old_envd(void)
{
	static const char *const old[] = {"--envd-version", "0.5.0", NULL};
	struct box bx;
	wsp_error err = {0};
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result r = {.struct_size = sizeof(r)};
	const wsp_host *h;

	CU_ASSERT_EQUAL_FATAL(e2_fake_start_with(old), 0);
	CU_ASSERT_EQUAL_FATAL(box_open(&bx, "old-envd-box", NULL, 0, &err), 0);
	h = wsp_fakehost_host(bx.fh);
	o.shell = "cat";
	o.stdin_data = "x";
	o.stdin_len = 1;
	CU_ASSERT_EQUAL(box_vt(&bx)->exec(&r, bx.self, box_call(&bx, 30000),
					  &o, &err),
			WSP_ENOTSUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "0.5.0"));
	o.stdin_data = NULL;
	o.stdin_len = 0;
	o.shell = "echo fine";
	CU_ASSERT_EQUAL_FATAL(box_vt(&bx)->exec(&r, bx.self,
						box_call(&bx, 30000), &o,
						&err),
			      0);
	CU_ASSERT_STRING_EQUAL(r.stdout_data, "fine\n");
	h->free(h, r.stdout_data);
	h->free(h, r.stderr_data);
	box_destroy(&bx);
	fake_env_stop();
}

static CU_TestInfo tests[] = {
	{"a request's Connect envelope", test_request_envelope},
	{"envd's process events", test_events},
	{"hostile events refused", test_bad_events},
	{"base64 both ways", test_base64},
	{"Go's signal names", test_signals},
	{"a command in a Start request", test_process_config},
	{"defaults from E2B_* variables", test_defaults_from_environment},
	{"cloud URLs from the domain", test_cloud_urls_from_domain},
	{"bad input refused clearly", test_bad_input_refused},
	{"no key, no instance", test_missing_key},
	{"an envd that cannot close stdin", test_old_envd},
	CU_TEST_INFO_NULL,
};

CU_MAIN("sandbox-e2b units", tests)
