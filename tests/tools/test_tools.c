/*
 * tests/tools/test_tools.c - the tool set through the public embedding
 * API against a real workspace (local sandbox): listing, argument
 * validation, configuration (rename, disable, approval, read-only), and
 * execute_command's output, limits, streaming, timeouts and cancellation.
 */
#include "cu_main.h"
#include "fixture.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct fixture fx;

static void open_fx(const char *yaml, uint32_t flags)
{
	CU_ASSERT_EQUAL_FATAL(fixture_open(&fx, yaml, flags), 0);
}

static char *run(const char *tool, const char *args, int *is_error)
{
	return fixture_call(&fx, tool, args, is_error);
}

/* execute_command with args: its is_error and its whole text. */
static void expect_exec(const char *args, int want_error, const char *want)
{
	int e;
	char *out = run("execute_command", args, &e);

	CU_ASSERT_EQUAL(e, want_error);
	CU_ASSERT_STRING_EQUAL(out, want);
	if (e != want_error || strcmp(out, want))
		fprintf(stderr, "\n%s got (is_error %d):\n%s\n", args, e,
			out);
	free(out);
}

static int has_tool(const char *name)
{
	wsp_tool_info info;
	size_t i;

	for (i = 0; i < wsp_tools_count(fx.tools); i++) {
		info.struct_size = sizeof(info);
		CU_ASSERT_EQUAL(wsp_tools_get(&info, fx.tools, i), 0);
		if (!strcmp(info.name, name))
			return 1;
	}
	return 0;
}

static void test_list(void)
{
	wsp_error err;
	cJSON *arr, *t;
	char *json;
	int found = 0;

	open_fx(NULL, 0);
	CU_ASSERT(has_tool("execute_command"));
	CU_ASSERT(has_tool("get_process_output"));
	CU_ASSERT(has_tool("kill_process"));
	CU_ASSERT(has_tool("read_file"));
	CU_ASSERT(has_tool("write_file"));
	CU_ASSERT(has_tool("grep"));
	CU_ASSERT_EQUAL(wsp_tools_count(fx.tools), 11);
	CU_ASSERT_EQUAL(wsp_tools_list_json(&json, fx.tools, &err), 0);
	arr = cJSON_Parse(json);
	CU_ASSERT_TRUE_FATAL(cJSON_IsArray(arr));
	cJSON_ArrayForEach(t, arr)
	{
		const cJSON *name = cJSON_GetObjectItem(t, "name");
		const cJSON *schema = cJSON_GetObjectItem(t, "inputSchema");

		CU_ASSERT(
			cJSON_IsString(cJSON_GetObjectItem(t, "description")));
		CU_ASSERT_STRING_EQUAL(
			cJSON_GetObjectItem(schema, "type")->valuestring,
			"object");
		if (!strcmp(name->valuestring, "execute_command")) {
			const cJSON *req =
				cJSON_GetObjectItem(schema, "required");

			found = 1;
			CU_ASSERT_STRING_EQUAL(
				cJSON_GetArrayItem(req, 0)->valuestring,
				"command");
		}
	}
	CU_ASSERT(found);
	cJSON_Delete(arr);
	wsp_tools_free(json);
	fixture_close(&fx);
}

static void test_validation(void)
{
	wsp_tool_result r = {.struct_size = sizeof(r)};
	wsp_error err;

	open_fx(NULL, 0);
	CU_ASSERT_EQUAL(wsp_tool_call(&r, fx.tools, "execute_command",
				      "{\"command\":5}", NULL, &err),
			WSP_EINVAL);
	CU_ASSERT_STRING_EQUAL(err.message,
			       "invalid arguments for 'execute_command': "
			       "'command' must be a string, not number");
	CU_ASSERT_EQUAL(wsp_tool_call(&r, fx.tools, "execute_command", "{}",
				      NULL, &err),
			WSP_EINVAL);
	CU_ASSERT_STRING_EQUAL(err.message,
			       "invalid arguments for 'execute_command': "
			       "'command' is required");
	CU_ASSERT_EQUAL(wsp_tool_call(&r, fx.tools, "execute_command",
				      "{\"command\":\"true\",\"shell\":1}",
				      NULL, &err),
			WSP_EINVAL);
	CU_ASSERT_STRING_EQUAL(err.message,
			       "invalid arguments for 'execute_command': "
			       "'shell' is not a known property");
	CU_ASSERT_EQUAL(wsp_tool_call(&r, fx.tools, "execute_command",
				      "{\"command\":", NULL, &err),
			WSP_EINVAL);
	CU_ASSERT_STRING_EQUAL(err.message, "arguments of 'execute_command' "
					    "are not valid JSON");
	/* Text after the object is not ignored. */
	CU_ASSERT_EQUAL(wsp_tool_call(&r, fx.tools, "execute_command",
				      "{\"command\":\"true\"} x", NULL, &err),
			WSP_EINVAL);
	CU_ASSERT_STRING_EQUAL(err.message, "arguments of 'execute_command' "
					    "are not valid JSON");
	CU_ASSERT_EQUAL(
		wsp_tool_call(&r, fx.tools, "no_such_tool", "{}", NULL, &err),
		WSP_ENOTFOUND);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "unknown tool "
						   "'no_such_tool'"));
	CU_ASSERT_PTR_NULL(r.text);
	fixture_close(&fx);
}

static void test_exec_output(void)
{
	int e;
	char *out;

	open_fx(NULL, 0);
	expect_exec("{\"command\":\"echo hi\"}", 0, "hi");
	expect_exec("{\"command\":\"true\"}", 0, "(no output)");
	expect_exec("{\"command\":\"echo hi; echo oops >&2; exit 3\"}", 1,
		    "stdout:\nhi\n\nstderr:\noops\nExit code: 3");
	expect_exec("{\"command\":\"echo only >&2\"}", 0, "stderr:\nonly");
	out = run("execute_command",
		  "{\"command\":\"printf '\\\\033[31mred\\\\033[0m\\\\n'\"}",
		  &e);
	CU_ASSERT_STRING_EQUAL(out, "red");
	free(out);
	fixture_close(&fx);
}

static void test_exec_tail(void)
{
	int e;
	char *out;

	open_fx(NULL, 0);
	/* default: the last 200 lines */
	out = run("execute_command", "{\"command\":\"seq 1 300\"}", &e);
	CU_ASSERT_EQUAL(e, 0);
	CU_ASSERT_NSTRING_EQUAL(out, "[showing last 200 of 300 lines]\n101\n",
				36);
	CU_ASSERT(strlen(out) > 6 && !strcmp(out + strlen(out) - 4, "\n300"));
	free(out);
	out = run("execute_command", "{\"command\":\"seq 1 300\",\"tail\":0}",
		  &e);
	CU_ASSERT_NSTRING_EQUAL(out, "1\n2\n3\n", 6);
	free(out);
	out = run("execute_command", "{\"command\":\"seq 1 10\",\"tail\":-2}",
		  &e);
	CU_ASSERT_STRING_EQUAL(out, "[showing last 2 of 10 lines]\n9\n10");
	free(out);
	fixture_close(&fx);
}

struct stream_count {
	size_t bytes;
	int calls;
};

static int count_output(uint32_t stream, const void *data, size_t len,
			void *payload)
{
	struct stream_count *s = payload;

	(void)stream, (void)data;
	s->bytes += len;
	s->calls++;
	return 0;
}

static void test_exec_tail_pipe_streams(void)
{
	wsp_tool_call_opts o = WSP_TOOL_CALL_OPTS_INIT;
	wsp_tool_result r = {.struct_size = sizeof(r)};
	struct stream_count sc = {0, 0};
	wsp_error err;

	open_fx(NULL, 0);
	o.on_output = count_output;
	o.output_payload = &sc;
	CU_ASSERT_EQUAL(
		wsp_tool_call(&r, fx.tools, "execute_command",
			      "{\"command\":\"seq 1 1000 | tail -n 3\"}", &o,
			      &err),
		0);
	/* the pipe was taken off: all 1000 lines streamed (3893 bytes) */
	CU_ASSERT_EQUAL(sc.bytes, 3893);
	CU_ASSERT_STRING_EQUAL(
		r.text, "[showing last 3 of 1000 lines]\n998\n999\n1000");
	wsp_tool_result_release(&r);
	fixture_close(&fx);
}

static void test_exec_sandwich(void)
{
	int e;
	char *out;

	open_fx(NULL, 0);
	/* 150 lines of ~120 bytes: ~4500 tokens, over the 2000 budget */
	out = run("execute_command",
		  "{\"command\":\"for i in $(seq 1 150); do printf 'line %03d "
		  "%0110d\\\\n' $i 0; done\"}",
		  &e);
	CU_ASSERT_EQUAL(e, 0);
	CU_ASSERT_NSTRING_EQUAL(out, "line 001", 8);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "line 150"));
	CU_ASSERT_PTR_NULL(strstr(out, "line 060"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "lines truncated \xe2\x80\x94 "
					   "showing first ~"));
	free(out);
	fixture_close(&fx);
}

static void test_exec_timeout_cwd(void)
{
	int e;
	char *out, want[400];

	open_fx(NULL, 0);
	/* 1.5 s: time enough for the echo on a loaded machine */
	expect_exec("{\"command\":\"echo started; sleep 30\","
		    "\"timeout\":\"1.5\"}",
		    1,
		    "started\nError: the command timed out after 1.5 "
		    "seconds\nExit code: 124");
	fixture_write(&fx, "sub/dir/keep", "");
	out = run("execute_command",
		  "{\"command\":\"pwd\",\"cwd\":\"sub/dir\"}", &e);
	snprintf(want, sizeof(want), "%s/sub/dir", fx.work);
	CU_ASSERT_STRING_EQUAL(out, want);
	free(out);
	expect_exec("{\"command\":\"\"}", 1, "Error: the command is empty");
	fixture_close(&fx);
}

static void *fire_later(void *arg)
{
	struct timespec ts = {0, 300 * 1000000L};

	nanosleep(&ts, NULL);
	wsp_cancel_fire(arg);
	return NULL;
}

static void test_exec_cancel(void)
{
	wsp_tool_call_opts o = WSP_TOOL_CALL_OPTS_INIT;
	wsp_tool_result r = {.struct_size = sizeof(r)};
	struct timespec t0, t1;
	wsp_cancel *cancel;
	wsp_error err;
	pthread_t th;

	open_fx(NULL, 0);
	CU_ASSERT_EQUAL_FATAL(wsp_cancel_new(&cancel, &err), 0);
	o.cancel = cancel;
	pthread_create(&th, NULL, fire_later, cancel);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CU_ASSERT_EQUAL(wsp_tool_call(&r, fx.tools, "execute_command",
				      "{\"command\":\"sleep 30\"}", &o, &err),
			0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pthread_join(th, NULL);
	CU_ASSERT(t1.tv_sec - t0.tv_sec < 10);
	CU_ASSERT_EQUAL(r.is_error, 1);
	CU_ASSERT_PTR_NOT_NULL(r.text && strstr(r.text, "canceled"));
	wsp_tool_result_release(&r);
	wsp_cancel_free(cancel);
	fixture_close(&fx);
}

struct approval {
	int answer, asked;
	char name[64], args[256];
};

static int approve(const char *name, const char *args, void *payload)
{
	struct approval *a = payload;

	a->asked++;
	snprintf(a->name, sizeof(a->name), "%s", name);
	snprintf(a->args, sizeof(a->args), "%s", args);
	return a->answer;
}

static void test_config_approval_rename(void)
{
	wsp_tool_call_opts o = WSP_TOOL_CALL_OPTS_INIT;
	wsp_tool_result r = {.struct_size = sizeof(r)};
	struct approval a = {0, 0, "", ""};
	wsp_tool_info info;
	wsp_error err;
	size_t i;
	int e;
	char *out;

	open_fx("tools:\n"
		"  execute_command:\n"
		"    name: run\n"
		"    require_approval: true\n"
		"  grep:\n"
		"    enabled: false\n",
		0);
	CU_ASSERT(has_tool("run"));
	CU_ASSERT(!has_tool("execute_command"));
	CU_ASSERT(!has_tool("grep"));
	CU_ASSERT(has_tool("read_file"));
	for (i = 0; i < wsp_tools_count(fx.tools); i++) {
		info.struct_size = sizeof(info);
		wsp_tools_get(&info, fx.tools, i);
		if (!strcmp(info.name, "run")) {
			CU_ASSERT_STRING_EQUAL(info.tool, "execute_command");
			CU_ASSERT(info.flags & WSP_TOOL_REQUIRE_APPROVAL);
		}
	}
	/* no approver: refused, saying approval is required */
	out = run("run", "{\"command\":\"touch ran\"}", &e);
	CU_ASSERT_EQUAL(e, 1);
	CU_ASSERT_STRING_EQUAL(out, "Tool 'run' requires approval and no "
				    "approver is available; it did not run.");
	free(out);
	/* denied */
	o.approve = approve;
	o.approve_payload = &a;
	CU_ASSERT_EQUAL(wsp_tool_call(&r, fx.tools, "run",
				      "{\"command\":\"touch ran\"}", &o, &err),
			0);
	CU_ASSERT_EQUAL(a.asked, 1);
	CU_ASSERT_STRING_EQUAL(a.name, "run");
	CU_ASSERT_STRING_EQUAL(a.args, "{\"command\":\"touch ran\"}");
	CU_ASSERT_EQUAL(r.is_error, 1);
	CU_ASSERT_STRING_EQUAL(r.text, "Tool 'run' was not approved by the "
				       "user; it did not run.");
	wsp_tool_result_release(&r);
	out = fixture_read(&fx, "ran");
	CU_ASSERT_PTR_NULL(out);
	free(out);
	/* approved */
	a.answer = 1;
	CU_ASSERT_EQUAL(wsp_tool_call(&r, fx.tools, "run",
				      "{\"command\":\"touch ran\"}", &o, &err),
			0);
	CU_ASSERT_EQUAL(r.is_error, 0);
	wsp_tool_result_release(&r);
	out = fixture_read(&fx, "ran");
	CU_ASSERT_PTR_NOT_NULL(out);
	free(out);
	fixture_close(&fx);
}

static void test_config_conflicts_and_read_only(void)
{
	CU_ASSERT_EQUAL(fixture_open(&fx,
				     "tools:\n"
				     "  grep:\n"
				     "    name: find\n"
				     "  list_files:\n"
				     "    name: find\n",
				     0),
			WSP_ECONFIG);
	fixture_close(&fx);

	CU_ASSERT_EQUAL_FATAL(fixture_open(&fx, NULL, 0), 0);
	fixture_close(&fx);
}

/*
 * Before the first command the sandbox is not started, so the text comes
 * from the configuration (no working directory yet); once a command
 * started it, the provider's own words (its working directory) are used.
 */
static void test_instructions(void)
{
	wsp_error err;
	char *text;
	int is_error;

	open_fx(NULL, 0);
	CU_ASSERT_EQUAL(wsp_tools_instructions(&text, fx.ws, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "(provider 'local'), started by "
					    "the first command."));
	CU_ASSERT_PTR_NULL(strstr(text, fx.work));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n- /\n"));
	wsp_tools_free(text);

	free(run("execute_command", "{\"command\":\"true\"}", &is_error));
	CU_ASSERT_EQUAL(is_error, 0);
	CU_ASSERT_EQUAL(wsp_tools_instructions(&text, fx.ws, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, fx.work));
	CU_ASSERT_PTR_NULL(strstr(text, "started by the first command"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n- /\n"));
	wsp_tools_free(text);
	fixture_close(&fx);
}

static CU_TestInfo tests[] = {
	{"tools are listed with JSON Schemas", test_list},
	{"arguments are validated against the schema", test_validation},
	{"execute_command output text", test_exec_output},
	{"execute_command keeps the last lines", test_exec_tail},
	{"| tail -N is applied after streaming", test_exec_tail_pipe_streams},
	{"long output becomes a head+tail sandwich", test_exec_sandwich},
	{"execute_command timeout and cwd", test_exec_timeout_cwd},
	{"a cancel token stops the command", test_exec_cancel},
	{"tools: rename, disable, require_approval",
	 test_config_approval_rename},
	{"tools: two tools with one name are refused",
	 test_config_conflicts_and_read_only},
	{"instructions: the sandbox's own words once it started",
	 test_instructions},
	CU_TEST_INFO_NULL,
};

CU_MAIN("tools", tests)
