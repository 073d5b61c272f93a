/*
 * tests/cli/test_cli_json.c - under the global --json every command
 * prints one JSON document on stdout when it succeeds, and a JSON error
 * on stderr (nothing on stdout) when it fails (issue 13, item 5).
 */
#include "cli_run.h"

#include <stdio.h>
#include <string.h>

/* `wsp --json ARGS` succeeds and prints exactly one JSON document. */
static cJSON *json_ok(const char *args)
{
	cJSON *doc;
	int rc = cli_run("--json %s", args);

	doc = cli_json(cli_out);
	if (rc != 0 || !doc)
		printf("\n  wsp --json %s: exit %d, stdout '%.200s', stderr "
		       "'%.200s'\n",
		       args, rc, cli_out, cli_err);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_PTR_NOT_NULL(doc);
	return doc;
}

static void check_ok(const char *args)
{
	cJSON_Delete(json_ok(args));
}

static void test_every_command(void)
{
	static const char *const plain[] = {
		"version", "plugins", "plugins info local", "config check",
		"config show", "tools", "instructions", "sandbox start",
		"sandbox status", "sandbox info", "sandbox instructions",
		"exec -- true", "sh 'echo hi'", "ps",
		"tool list_files '{\"path\":\"/\"}'", "fs mkdir -p /d",
		"fs put wsp.yaml /d/a.txt", "fs stat /d/a.txt",
		"fs cp /d/a.txt /d/b.txt", "fs mv /d/b.txt /d/c.txt",
		"fs ls /d", "fs get /d/a.txt got.txt", "fs rm /d/c.txt",
	};
	char id[64], args[128];
	cJSON *doc;
	size_t i;

	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		check_ok(plain[i]);

	doc = json_ok("spawn -- cat");
	snprintf(id, sizeof(id), "%s", cli_str(doc, "id"));
	cJSON_Delete(doc);
	CU_ASSERT_FATAL(id[0] != '\0');
	snprintf(args, sizeof(args), "send %s hello", id);
	doc = json_ok(args);
	CU_ASSERT_EQUAL(cJSON_GetObjectItem(doc, "sent")->valueint, 5);
	cJSON_Delete(doc);
	snprintf(args, sizeof(args), "send --close %s", id);
	doc = json_ok(args);
	CU_ASSERT(cJSON_IsTrue(cJSON_GetObjectItem(doc, "stdin_closed")));
	cJSON_Delete(doc);
	snprintf(args, sizeof(args), "logs %s", id);
	check_ok(args);
	snprintf(args, sizeof(args), "release %s", id);
	doc = json_ok(args);
	CU_ASSERT(cJSON_IsTrue(cJSON_GetObjectItem(doc, "released")));
	cJSON_Delete(doc);

	doc = json_ok("sandbox stop");
	CU_ASSERT_STRING_EQUAL(cli_str(doc, "state"), "stopped");
	cJSON_Delete(doc);
	doc = json_ok("sandbox destroy");
	CU_ASSERT(cJSON_IsTrue(cJSON_GetObjectItem(doc, "destroyed")));
	cJSON_Delete(doc);
}

/* Failures: stdout stays empty, stderr holds one JSON error. */
static void test_errors_are_json(void)
{
	static const char *const failing[] = {
		"fs cat /none.txt", "logs p-00000000", "release p-00000000",
		"send p-00000000 x", "tool read_file '{\"path\":\"/none\"}'",
	};
	size_t i;

	for (i = 0; i < sizeof(failing) / sizeof(failing[0]); i++) {
		cJSON *doc;

		CU_ASSERT_EQUAL(cli_run("--json %s", failing[i]), 1);
		if (strncmp(failing[i], "tool", 4)) {
			CU_ASSERT_STRING_EQUAL(cli_out, "");
			doc = cli_json(cli_err);
		} else { /* a tool's error is its result */
			doc = cli_json(cli_out);
		}
		CU_ASSERT_PTR_NOT_NULL(doc);
		if (!doc)
			printf("\n  %s: '%s' '%s'\n", failing[i], cli_out,
			       cli_err);
		cJSON_Delete(doc);
	}
}

static CU_TestInfo tests[] = {
	{"every command prints JSON", test_every_command},
	{"errors are JSON", test_errors_are_json},
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return cli_main("wsp --json", tests);
}
