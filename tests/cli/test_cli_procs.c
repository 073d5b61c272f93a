/*
 * tests/cli/test_cli_procs.c - the background-process commands as a
 * program drives them (issue 13, item 5): `wsp ps ID` for one process,
 * `wsp kill` on one that has ended, JSON errors with stable codes.
 */
#include "cli_run.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void test_ps_one(void)
{
	char id[64], other[64];
	cJSON *doc;

	CU_ASSERT_FATAL(cli_spawn(id, sizeof(id), "-c 'echo hi'") == 0);
	CU_ASSERT_FATAL(cli_spawn(other, sizeof(other),
				  "--no-stdin -- sleep 30") == 0);
	CU_ASSERT_EQUAL(cli_run("logs -f %s", id), 0);
	CU_ASSERT_EQUAL(cli_run("ps %s", id), 0);
	/* a header and exactly its row */
	CU_ASSERT(!strncmp(cli_out, "ID ", 3));
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_out, id));
	CU_ASSERT_PTR_NULL(strstr(cli_out, other));
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_out, "exited"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_out, "echo hi"));
	CU_ASSERT_EQUAL(cli_run("--json ps %s", id), 0);
	doc = cli_json(cli_out);
	CU_ASSERT_FATAL(cJSON_IsObject(doc));
	CU_ASSERT_STRING_EQUAL(cli_str(doc, "id"), id);
	CU_ASSERT_STRING_EQUAL(cli_str(doc, "command"), "echo hi");
	CU_ASSERT_STRING_EQUAL(cli_str(doc, "state"), "exited");
	CU_ASSERT_EQUAL(cJSON_GetObjectItem(doc, "exit_code")->valueint, 0);
	cJSON_Delete(doc);
	CU_ASSERT_EQUAL(cli_run("--json ps %s", other), 0);
	doc = cli_json(cli_out);
	CU_ASSERT_STRING_EQUAL(cli_str(doc, "state"), "running");
	CU_ASSERT(cJSON_IsNull(cJSON_GetObjectItem(doc, "exit_code")));
	cJSON_Delete(doc);
	/* an unknown id: exit 1, a JSON error with its stable code */
	CU_ASSERT_EQUAL(cli_run("ps p-00000000"), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_err, "p-00000000"));
	CU_ASSERT_EQUAL(cli_run("--json ps p-00000000"), 1);
	CU_ASSERT_STRING_EQUAL(cli_out, "");
	doc = cli_json(cli_err);
	CU_ASSERT_STRING_EQUAL(cli_str(doc, "code"), "ENOENT");
	cJSON_Delete(doc);
	CU_ASSERT_EQUAL(cli_run("ps a b"), 2);
	CU_ASSERT_EQUAL(cli_run("ps --frob"), 2);
	CU_ASSERT_EQUAL(cli_run("ps --help"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_out, "usage: wsp ps [ID]"));
	CU_ASSERT_EQUAL(cli_run("release %s", id), 0);
	CU_ASSERT_EQUAL(cli_run("release %s", other), 0);
}

static void test_kill_ended(void)
{
	char id[64];
	cJSON *doc;

	CU_ASSERT_FATAL(cli_spawn(id, sizeof(id), "--no-stdin -- true") == 0);
	CU_ASSERT_EQUAL(cli_run("logs -f %s", id), 0);
	CU_ASSERT_EQUAL(cli_run("kill %s", id), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_err, "already ended"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_err, "exit code 0"));
	CU_ASSERT_EQUAL(cli_run("--json kill --signal KILL %s", id), 1);
	CU_ASSERT_STRING_EQUAL(cli_out, "");
	doc = cli_json(cli_err);
	CU_ASSERT_STRING_EQUAL(cli_str(doc, "code"), "ESRCH");
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_str(doc, "error"), id));
	cJSON_Delete(doc);
	/* still there, still exited: the failed kill changed nothing */
	CU_ASSERT_EQUAL(cli_run("--json ps %s", id), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_out, "\"state\":\"exited\""));
	CU_ASSERT_EQUAL(cli_run("release %s", id), 0);

	/* a running one: signalled, {"id", "signal"}; then it has ended */
	CU_ASSERT_FATAL(cli_spawn(id, sizeof(id), "--no-stdin -- sleep 30") ==
			0);
	CU_ASSERT_EQUAL(cli_run("--json kill %s", id), 0);
	doc = cli_json(cli_out);
	CU_ASSERT_STRING_EQUAL(cli_str(doc, "id"), id);
	CU_ASSERT_EQUAL(cJSON_GetObjectItem(doc, "signal")->valueint, 15);
	cJSON_Delete(doc);
	CU_ASSERT_EQUAL(cli_run("logs -f %s", id), 128 + 15);
	CU_ASSERT_EQUAL(cli_run("kill %s", id), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_err, "killed by"));
	CU_ASSERT_EQUAL(cli_run("kill p-00000000"), 1);
	CU_ASSERT_EQUAL(cli_run("--json kill p-00000000"), 1);
	doc = cli_json(cli_err);
	CU_ASSERT_STRING_EQUAL(cli_str(doc, "code"), "ENOENT");
	cJSON_Delete(doc);
	CU_ASSERT_EQUAL(cli_run("release %s", id), 0);
}

static CU_TestInfo tests[] = {
	{"ps ID, --json ps ID", test_ps_one},
	{"kill on an ended process", test_kill_ended},
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return cli_main("wsp ps ID, kill", tests);
}
