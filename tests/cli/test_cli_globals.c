/*
 * tests/cli/test_cli_globals.c - global options after the command
 * (issue 18, item 6): `wsp plugins --json` as `wsp --json plugins`, but
 * never out of the arguments of the program a command runs.
 */
#include "cli_run.h"

#include <wsp/plugin.h>
#include <wsp/version.h>

#include <stdio.h>
#include <string.h>

#define STR_(x)	 #x
#define STR(x)	 STR_(x)
/* This tree's plugin ABI, as `wsp version` prints it ("2.1"). */
#define CLI_ABI STR(WSP_PLUGIN_ABI_MAJOR) "." STR(WSP_PLUGIN_ABI_MINOR)

static char before[sizeof(cli_out)];

static void test_after_the_command(void)
{
	CU_ASSERT_EQUAL(cli_run("--json plugins"), 0);
	snprintf(before, sizeof(before), "%s", cli_out);
	CU_ASSERT_EQUAL(cli_run("plugins --json"), 0);
	CU_ASSERT_STRING_EQUAL(cli_out, before);
	CU_ASSERT_EQUAL(cli_run("version --json"), 0);
	CU_ASSERT_STRING_EQUAL(cli_out,
			       "{\"version\":\"" WSP_VERSION_STRING
			       "\",\"plugin_abi\":\"" CLI_ABI "\"}\n");
	CU_ASSERT_EQUAL(cli_run("ps --json"), 0);
	CU_ASSERT_STRING_EQUAL(cli_out, "[]\n");
	/* -v and a valued one, in any order with the command's own */
	CU_ASSERT_EQUAL(cli_run("fs mkdir -v -p a/b --log-file wsp.log"), 0);
	CU_ASSERT_EQUAL(cli_run("fs stat a/b --json"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_out, "\"type\":\"directory\""));
	/* a global option's value is still required */
	CU_ASSERT_EQUAL(cli_run("ps --config"), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_err, "'--config' needs a value"));
	/* what is neither global nor the command's is still refused */
	CU_ASSERT_EQUAL(cli_run("kill --frob"), 2);
}

static void test_program_arguments_untouched(void)
{
	/* after the program's name, every word is the program's */
	CU_ASSERT_EQUAL(cli_run("exec echo -v --json"), 0);
	CU_ASSERT_STRING_EQUAL(cli_out, "-v --json\n");
	CU_ASSERT_EQUAL(cli_run("exec -- echo --config x"), 0);
	CU_ASSERT_STRING_EQUAL(cli_out, "--config x\n");
	/* before it, -v is global and --json stays exec's own */
	CU_ASSERT_EQUAL(cli_run("sh -v --json 'echo hi'"), 0);
	{
		cJSON *doc = cli_json(cli_out);

		CU_ASSERT_STRING_EQUAL(cli_str(doc, "stdout"), "hi\n");
		cJSON_Delete(doc);
	}
	/* a tool's JSON arguments are the tool's */
	CU_ASSERT_EQUAL(cli_run("tool list_files -v"), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_err, "JSON"));
}

static CU_TestInfo tests[] = {
	{"global options after the command", test_after_the_command},
	{"a program's arguments stay its own", test_program_arguments_untouched},
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return cli_main("wsp global options anywhere", tests);
}
