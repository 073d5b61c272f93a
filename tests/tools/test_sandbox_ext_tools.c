/*
 * tests/tools/test_sandbox_ext_tools.c - the local sandbox's extension
 * operations (checkpoint, checkpoints, restore) as agent tools, through
 * the real provider: absent until configured, a checkpoint that the
 * listing then shows, a restore that needs approval and brings the files
 * back, and the provider's refusals as tool errors.
 */
#include "fixture.h"

#include <CUnit/CUnit.h>
#include <cu_main.h>
#include <stdlib.h>
#include <string.h>

static const char tools_yaml[] = "tools:\n"
				 "  checkpoint:\n"
				 "    target: local\n"
				 "    op: checkpoint\n"
				 "  list_checkpoints:\n"
				 "    target: local\n"
				 "    op: checkpoints\n"
				 "  restore:\n"
				 "    target: local\n"
				 "    op: restore\n"
				 "    require_approval: true\n";

static void test_absent_unless_configured(void)
{
	struct fixture f;
	char *text;
	int is_error;

	CU_ASSERT_EQUAL_FATAL(fixture_open(&f, NULL, 0), 0);
	CU_ASSERT(fixture_has_tool(&f, "execute_command"));
	CU_ASSERT(!fixture_has_tool(&f, "checkpoint"));
	CU_ASSERT(!fixture_has_tool(&f, "restore"));
	text = fixture_call(&f, "checkpoint", "{\"name\":\"x\"}", &is_error);
	CU_ASSERT_EQUAL(is_error, -1);
	CU_ASSERT_STRING_EQUAL(text, "unknown tool 'checkpoint'; 'wsp tools' "
				     "lists them");
	free(text);
	fixture_close(&f);
}

static int approve_yes(const char *name, const char *args, void *payload)
{
	(void)name;
	(void)args;
	(void)payload;
	return 1;
}

static void test_checkpoint_and_restore(void)
{
	wsp_tool_call_opts o = WSP_TOOL_CALL_OPTS_INIT;
	wsp_tool_result r = { .struct_size = sizeof(r) };
	struct fixture f;
	wsp_error err;
	char *text;
	int is_error;

	CU_ASSERT_EQUAL_FATAL(fixture_open(&f, tools_yaml, 0), 0);
	CU_ASSERT(fixture_has_tool(&f, "checkpoint"));
	CU_ASSERT(fixture_has_tool(&f, "list_checkpoints"));
	fixture_write(&f, "notes/plan.txt", "first draft\n");

	text = fixture_call(&f, "checkpoint", "{\"name\":\"before-edit\"}",
			    &is_error);
	CU_ASSERT_EQUAL(is_error, 0);
	CU_ASSERT_STRING_EQUAL(text, "checkpoint 'before-edit': 1 files, "
				     "12 bytes");
	free(text);
	text = fixture_call(&f, "list_checkpoints", "{}", &is_error);
	CU_ASSERT_EQUAL(is_error, 0);
	CU_ASSERT_EQUAL(strncmp(text, "before-edit\t", 12), 0);
	free(text);

	/* the provider's refusals are the tool's errors, its message kept */
	text = fixture_call(&f, "checkpoint", "{\"name\":\"before-edit\"}",
			    &is_error);
	CU_ASSERT_EQUAL(is_error, 1);
	CU_ASSERT_STRING_EQUAL(text, "checkpoint 'before-edit' already "
				     "exists; pick another name");
	free(text);

	fixture_write(&f, "notes/plan.txt", "second draft, much longer\n");
	/* restore replaces the files: not without approval */
	text = fixture_call(&f, "restore", "{\"name\":\"before-edit\"}",
			    &is_error);
	CU_ASSERT_EQUAL(is_error, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "requires approval"));
	free(text);
	text = fixture_read(&f, "notes/plan.txt");
	CU_ASSERT_STRING_EQUAL(text, "second draft, much longer\n");
	free(text);

	o.approve = approve_yes;
	CU_ASSERT_EQUAL(wsp_tool_call(&r, f.tools, "restore",
				      "{\"name\":\"before-edit\"}", &o, &err),
			0);
	CU_ASSERT_EQUAL(r.is_error, 0);
	CU_ASSERT_STRING_EQUAL(r.text, "restored 'before-edit': 1 files, "
				       "12 bytes");
	wsp_tool_result_release(&r);
	text = fixture_read(&f, "notes/plan.txt");
	CU_ASSERT_STRING_EQUAL(text, "first draft\n");
	free(text);

	CU_ASSERT_EQUAL(wsp_tool_call(&r, f.tools, "restore",
				      "{\"name\":\"never-made\"}", &o, &err),
			0);
	CU_ASSERT_EQUAL(r.is_error, 1);
	CU_ASSERT_STRING_EQUAL(r.text, "no checkpoint named 'never-made'; "
				       "list them with 'wsp ext local "
				       "checkpoints'");
	wsp_tool_result_release(&r);
	fixture_close(&f);
}

static CU_TestInfo tests[] = {
	{ "absent unless configured", test_absent_unless_configured },
	{ "checkpoint, list, restore", test_checkpoint_and_restore },
	CU_TEST_INFO_NULL,
};

CU_MAIN("sandbox_ext_tools", tests)
