/*
 * tests/tools/test_proc_tools.c - execute_command with background: true,
 * get_process_output and kill_process against the local sandbox's
 * process manager: ids, output, tail, wait (streamed, canceled), kill with
 * the last 50 lines, unknown ids.
 */
#include "cu_main.h"
#include "fixture.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct fixture fx;
static int e;

static char *run(const char *tool, const char *args)
{
	return fixture_call(&fx, tool, args, &e);
}

/* Start a background command; its id into id. */
static void start_bg(const char *cmd, char *id, size_t cap)
{
	char args[512], *out;
	const char *p;

	snprintf(args, sizeof(args), "{\"command\":\"%s\",\"background\":true}",
		 cmd);
	out = run("execute_command", args);
	CU_ASSERT_EQUAL(e, 0);
	CU_ASSERT_NSTRING_EQUAL(out, "Started background process (PID: ", 33);
	p = out + 33;
	snprintf(id, cap, "%.*s", (int)strcspn(p, ")"), p);
	CU_ASSERT(strlen(id) > 0);
	CU_ASSERT_STRING_EQUAL(p + strlen(id), ")");
	free(out);
}

static char *output(const char *id, const char *extra)
{
	char args[256];

	snprintf(args, sizeof(args), "{\"pid\":\"%s\"%s}", id, extra);
	return run("get_process_output", args);
}

/* 1 once the output holds want (polled for up to 20 s), else 0. */
static int output_holds(const char *id, const char *want)
{
	char *out;
	int i, found = 0;

	for (i = 0; i < 400 && !found; i++) {
		out = output(id, "");
		found = strstr(out, want) != NULL;
		free(out);
		if (!found)
			usleep(50000);
	}
	return found;
}

static void test_background_output(void)
{
	char id[80], args[128], *out;

	CU_ASSERT_EQUAL_FATAL(fixture_open(&fx, NULL, 0), 0);
	start_bg("sleep 30", id, sizeof(id));
	out = output(id, "");
	CU_ASSERT_STRING_EQUAL(out, "(no output yet)");
	free(out);
	/* tests leave no process behind */
	snprintf(args, sizeof(args), "{\"pid\":\"%s\"}", id);
	out = run("kill_process", args);
	CU_ASSERT_NSTRING_EQUAL(out, "Process ", 8);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, " has been killed."));
	free(out);

	start_bg("seq 1 5; echo warn >&2; exit 7", id, sizeof(id));
	out = output(id, ",\"wait\":true");
	CU_ASSERT_STRING_EQUAL(out,
			       "stdout:\n1\n2\n3\n4\n5\n\nstderr:\nwarn\n\n"
			       "Exit code: 7");
	free(out);
	out = output(id, ",\"tail\":2");
	CU_ASSERT_STRING_EQUAL(out, "stdout:\n[showing last 2 of 5 lines]\n4\n5"
				    "\n\nstderr:\nwarn\n\nExit code: 7");
	free(out);
	out = output(id, ",\"tail\":\"-1\"");
	CU_ASSERT_STRING_EQUAL(out, "stdout:\n[showing last 1 of 5 lines]\n5"
				    "\n\nstderr:\nwarn\n\nExit code: 7");
	free(out);
	out = output("no-such-id", "");
	CU_ASSERT_STRING_EQUAL(out, "No background process found with PID "
				    "no-such-id.");
	free(out);
	fixture_close(&fx);
}

static void test_kill(void)
{
	char id[80], args[128], want[256], *out;

	CU_ASSERT_EQUAL_FATAL(fixture_open(&fx, NULL, 0), 0);
	start_bg("seq 1 100; sleep 60", id, sizeof(id));
	CU_ASSERT(output_holds(id, "\n100"));
	snprintf(args, sizeof(args), "{\"pid\":\"%s\"}", id);
	out = run("kill_process", args);
	snprintf(want, sizeof(want),
		 "Process %s has been killed.\n\n--- stdout (last output) ---\n"
		 "[showing last 50 of 100 lines]\n51\n52\n",
		 id);
	CU_ASSERT_NSTRING_EQUAL(out, want, strlen(want));
	CU_ASSERT_STRING_EQUAL(out + strlen(out) - 5, "\n100\n");
	free(out);
	/* killed and released: gone */
	out = run("kill_process", args);
	snprintf(want, sizeof(want),
		 "Process %s was not found or had already exited.", id);
	CU_ASSERT_STRING_EQUAL(out, want);
	free(out);
	out = output(id, "");
	snprintf(want, sizeof(want),
		 "No background process found with PID "
		 "%s.",
		 id);
	CU_ASSERT_STRING_EQUAL(out, want);
	free(out);
	fixture_close(&fx);
}

struct streamed {
	char text[256];
	size_t len;
};

static int on_out(uint32_t stream, const void *data, size_t len, void *p)
{
	struct streamed *s = p;

	(void)stream;
	if (s->len + len < sizeof(s->text)) {
		memcpy(s->text + s->len, data, len);
		s->len += len;
		s->text[s->len] = '\0';
	}
	return 0;
}

static void *fire_later(void *arg)
{
	usleep(500000);
	wsp_cancel_fire(arg);
	return NULL;
}

static void test_wait_streams_and_cancel(void)
{
	wsp_tool_call_opts o = WSP_TOOL_CALL_OPTS_INIT;
	wsp_tool_result r = {.struct_size = sizeof(r)};
	struct streamed s = {"", 0};
	char id[80], args[160];
	wsp_cancel *cancel;
	wsp_error err;
	pthread_t th;

	CU_ASSERT_EQUAL_FATAL(fixture_open(&fx, NULL, 0), 0);
	/* the first line comes well after the wait begins, even on a loaded
	 * machine: the stream carries what is written during the wait */
	start_bg("sleep 1.5; echo late; sleep 0.3; echo later", id, sizeof(id));
	snprintf(args, sizeof(args), "{\"pid\":\"%s\",\"wait\":true}", id);
	o.on_output = on_out;
	o.output_payload = &s;
	CU_ASSERT_EQUAL(wsp_tool_call(&r, fx.tools, "get_process_output", args,
				      &o, &err),
			0);
	CU_ASSERT_STRING_EQUAL(r.text, "late\nlater\n\nExit code: 0");
	CU_ASSERT_STRING_EQUAL(s.text, "late\nlater\n");
	wsp_tool_result_release(&r);

	/* a canceled wait kills the process, and says so */
	start_bg("echo begun; sleep 60", id, sizeof(id));
	CU_ASSERT(output_holds(id, "begun"));
	snprintf(args, sizeof(args), "{\"pid\":\"%s\",\"wait\":true}", id);
	CU_ASSERT_EQUAL_FATAL(wsp_cancel_new(&cancel, &err), 0);
	o.cancel = cancel;
	s.len = 0;
	pthread_create(&th, NULL, fire_later, cancel);
	CU_ASSERT_EQUAL(wsp_tool_call(&r, fx.tools, "get_process_output", args,
				      &o, &err),
			0);
	pthread_join(th, NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.text, "begun\n\nProcess aborted: the "
					      "run that started or was "
					      "waiting on this process was "
					      "cancelled"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.text, "\nExit code: 137"));
	wsp_tool_result_release(&r);
	wsp_cancel_free(cancel);
	fixture_close(&fx);
}

static CU_TestInfo tests[] = {
	{"background output, tail and exit code", test_background_output},
	{"kill_process: last 50 lines, then gone", test_kill},
	{"wait streams output; a cancel kills the process",
	 test_wait_streams_and_cancel},
	CU_TEST_INFO_NULL,
};

CU_MAIN("proc_tools", tests)
