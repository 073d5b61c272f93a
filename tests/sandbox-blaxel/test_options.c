/*
 * tests/sandbox-blaxel/test_options.c - the provider's options: defaults
 * from Blaxel's variables, clear refusals of bad input that never quote
 * the key, and wsp ids turned into Blaxel names. No server is needed:
 * init makes no request.
 */
#include "bl_env.h"
#include "blaxel.h"
#include "cu_main.h"

#include <stdlib.h>
#include <string.h>


/* init's code for these options (the key given unless no_key). */
static int try(const char *extra, int no_key, wsp_error *err)
{
	struct box bx;
	int rc = box_open(&bx, "dev-box", extra, no_key, err);

	box_close(&bx);
	return rc;
}

static void test_defaults_from_environment(void)
{
	struct box bx;
	wsp_error err = {0};
	struct bl *b;

	setenv("BL_API_KEY", BL_KEY, 1);
	setenv("BL_REGION", "us-pdx-1", 1);
	CU_ASSERT_EQUAL_FATAL(box_open(&bx, "Dev Box_1", NULL, 1, &err), 0);
	b = bx.self;
	CU_ASSERT_STRING_EQUAL(b->api_key, BL_KEY);
	CU_ASSERT_STRING_EQUAL(b->region, "us-pdx-1");
	CU_ASSERT_STRING_EQUAL(b->name, "dev-box-1");
	CU_ASSERT_STRING_EQUAL(b->image, "blaxel/base-image:latest");
	CU_ASSERT_EQUAL(b->memory_mb, 4096);
	CU_ASSERT_STRING_EQUAL(b->working_dir, "/blaxel");
	CU_ASSERT_EQUAL(b->timeout_ms, 30000);
	CU_ASSERT_PTR_NULL(b->ttl);
	/* the id is always a label, so the sandbox can be found by it */
	CU_ASSERT_STRING_EQUAL(
		cJSON_GetStringValue(cJSON_GetObjectItem(b->labels, "wsp-id")),
		"Dev Box_1");
	box_close(&bx);
	unsetenv("BL_API_KEY");
	unsetenv("BL_REGION");
}

static void test_options_on_the_wire_form(void)
{
	struct box bx;
	wsp_error err = {0};
	struct bl *b;
	char *ports;

	CU_ASSERT_EQUAL_FATAL(
		box_open(&bx, "dev-box",
			 "name: team-box-7\nmemory: 2GiB\nttl: 1h\n"
			 "ports: [\"web:3000\", \"5432/tcp\"]\n"
			 "env: {TEAM: blue}\nlabels: {owner: ci}\n",
			 0, &err),
		0);
	b = bx.self;
	CU_ASSERT_STRING_EQUAL(b->name, "team-box-7");
	CU_ASSERT_EQUAL(b->memory_mb, 2048);
	CU_ASSERT_STRING_EQUAL(b->ttl, "3600s");
	ports = cJSON_PrintUnformatted(b->ports);
	CU_ASSERT_STRING_EQUAL(ports,
			       "[{\"name\":\"web\",\"target\":3000,\"protocol\":"
			       "\"HTTP\"},{\"name\":\"port-5432\",\"target\":"
			       "5432,\"protocol\":\"TCP\"}]");
	free(ports);
	CU_ASSERT_STRING_EQUAL(
		cJSON_GetStringValue(cJSON_GetObjectItem(
			cJSON_GetArrayItem(b->envs, 0), "value")),
		"blue");
	CU_ASSERT_STRING_EQUAL(
		cJSON_GetStringValue(cJSON_GetObjectItem(b->labels, "owner")),
		"ci");
	box_close(&bx);
}

/* Each bad input: refused with ECONFIG, the message saying why. */
static void test_bad_input_refused(void)
{
	static const struct {
		const char *yaml, *says;
	} bad[] = {
		{"ports: [\"80\"]\n", "reserved"},
		{"ports: [\"web:http\"]\n", "[NAME:]PORT"},
		{"ports: [\"3000/udp\"]\n", "HTTP or TCP"},
		{"ttl: 1500ms\n", "whole seconds"},
		/* ranges: the option table's, refused by the core */
		{"memory: 100MiB\n",
		 "option 'memory' is 100MiB; it must be 512MiB to 256GiB"},
		{"memory: 257GiB\n", "it must be 512MiB to 256GiB"},
		{"memory: 1000000KiB\n", "whole MiB"},
		{"ttl: 0s\n", "option 'ttl' is 0s; it must be at least 1s"},
		{"timeout: 0s\n", "option 'timeout' is 0s; it must be at least "
				  "1ms"},
		{"start_timeout: 0s\n", "it must be at least 1ms"},
		{"max_capture: 300MiB\n",
		 "option 'max_capture' is 300MiB; it must be 1 to 256MiB"},
		{"name: Dev_Box\n", "[a-z0-9-]"},
		{"env: {\"1X\": a}\n", "not a variable name"},
		{"labels: {wsp-id: x}\n", "wsp's own"},
		{"working_dir: relative\n", "absolute"},
		{"env: {LEAK: " BL_KEY "}\n", "API key"},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		wsp_error err = {0};

		CU_ASSERT_EQUAL(try(bad[i].yaml, 0, &err), WSP_ECONFIG);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.message, bad[i].says));
		CU_ASSERT_PTR_NULL(strstr(err.message, BL_KEY));
		if (!strstr(err.message, bad[i].says))
			fprintf(stderr, "%s -> %s\n", bad[i].yaml, err.message);
	}
}

/*
 * api_url: refused unless an http(s) URL without query, fragment, space
 * or control character (plugins/shared's rmt_url_ok, E2B's rule too),
 * trailing '/' dropped. Set through the fake host directly: box_open
 * writes its own api_url.
 */
static int try_url(const char *url, struct box *bx, wsp_error *err)
{
	char yaml[512];
	const wsp_instance_args *a;
	int rc;

	memset(bx, 0, sizeof(*bx));
	bx->d = wsp_plugin_entry(WSP_PLUGIN_ABI_MAJOR, WSP_PLUGIN_ABI_MINOR);
	if ((rc = wsp_fakehost_new(&bx->fh, bx->d, err)))
		return rc;
	snprintf(yaml, sizeof(yaml),
		 "api_url: \"%s\"\nworkspace: " BL_WS "\napi_key: " BL_KEY
		 "\n",
		 url);
	if ((rc = wsp_fakehost_options(bx->fh, yaml, err)) ||
	    (rc = wsp_fakehost_args(&a, bx->fh, err)))
		return rc;
	return bx->d->init(&bx->self, wsp_fakehost_host(bx->fh), a, err);
}

static void test_api_url_checked(void)
{
	static const char *const bad[] = {
		"ftp://api.example.test/v0",
		"https://api.example.test/v0?region=eu",
		"https://api.example.test/v0#top",
		"https://api.example.test/v0\\tx", /* YAML's \t: a tab */
		"https://api.example test/v0",
	};
	struct box bx;
	wsp_error err = {0};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(try_url(bad[i], &bx, &err), WSP_ECONFIG);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "api_url '"));
		CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "is not an http(s) "
							   "URL without query"));
		box_close(&bx);
	}
	CU_ASSERT_EQUAL_FATAL(try_url("https://api.example.test/v0//", &bx,
				      &err),
			      0);
	CU_ASSERT_STRING_EQUAL(((struct bl *)bx.self)->api_url,
			       "https://api.example.test/v0");
	box_close(&bx);
}

static void test_missing_credentials(void)
{
	wsp_error err = {0};

	unsetenv("BL_API_KEY");
	CU_ASSERT_EQUAL(try(NULL, 1, &err), WSP_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "BL_API_KEY"));
}

static void test_names_from_ids(void)
{
	char n[BL_NAME_MAX + 1];

	CU_ASSERT_EQUAL(bl_name_from_id(n, sizeof(n), "Dev Box_1"), 0);
	CU_ASSERT_STRING_EQUAL(n, "dev-box-1");
	CU_ASSERT_EQUAL(bl_name_from_id(n, sizeof(n), "agent-7--"), 0);
	CU_ASSERT_STRING_EQUAL(n, "agent-7");
	/* cut to Blaxel's 49 characters */
	CU_ASSERT_EQUAL(bl_name_from_id(n, sizeof(n),
					"a23456789012345678901234567890123456789"
					"01234567890123"),
			0);
	CU_ASSERT_EQUAL(strlen(n), BL_NAME_MAX);
	CU_ASSERT_EQUAL(bl_name_from_id(n, sizeof(n), "!!!"), WSP_EINVAL);
	CU_ASSERT_EQUAL(bl_name_from_id(n, sizeof(n), "-x"), WSP_EINVAL);
}

static void test_argv_quoting(void)
{
	static const char *const argv[] = {"printf", "%s", "it's", NULL};
	wsp_exec_opts o = {.struct_size = sizeof(o), .argv = argv};
	char *cmd = NULL;

	CU_ASSERT_EQUAL_FATAL(bl_command_text(&cmd, &o), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cmd, "exec 'printf' '%s' 'it'\\''s'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cmd, "command -v -- 'printf'"));
	free(cmd);
	CU_ASSERT_TRUE(bl_missing_program("wsp-blaxel: no such program\n",
					  28));
	CU_ASSERT_FALSE(bl_missing_program("sh: x: not found\n", 17));
}

static CU_TestInfo tests[] = {
	{"defaults from BL_* variables", test_defaults_from_environment},
	{"options in the API's form", test_options_on_the_wire_form},
	{"bad input refused clearly", test_bad_input_refused},
	{"api_url checked, trailing slashes dropped", test_api_url_checked},
	{"no key, no instance", test_missing_credentials},
	{"wsp ids to Blaxel names", test_names_from_ids},
	{"argv quoted for sh -c", test_argv_quoting},
	CU_TEST_INFO_NULL,
};

CU_MAIN("sandbox-blaxel options", tests)
