/*
 * tests/sandbox-blaxel/test_procs.c - background processes against the
 * Blaxel fake, beyond what the conformance kit checks: a process outlives
 * the instance that started it and another instance (a later wsp, same
 * state store) lists it and reads its output from the start; a wait
 * whose log stream a standby cuts still ends at the exit; exec's own
 * processes are never listed; a start answered 503 sent again and 429s
 * and 5xx on its looks retried; Blaxel's timer reads as timed_out; only
 * SIGTERM and SIGKILL exist.
 */
#include "bl_env.h"
#include "cu_main.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

static struct box bx;

static int suite_init(void)
{
	wsp_error err = {0};

	if (fake_start())
		return -1;
	return box_open(&bx, "procs-box", NULL, 0, &err);
}

static int suite_clean(void)
{
	box_destroy(&bx);
	fake_stop();
	return 0;
}

static const wsp_procmgr_vtable *pm(void)
{
	return bx.d->procmgr;
}

static int spawn(char id[WSP_PROC_ID_MAX], const char *shell,
		 int64_t timeout_ms)
{
	wsp_spawn_opts o = {.struct_size = sizeof(o)};
	wsp_error err = {0};

	o.shell = shell;
	o.stdin_mode = WSP_STDIN_IGNORE;
	o.timeout_ms = timeout_ms;
	return pm()->spawn(id, bx.self, box_call(&bx, 30000), &o, &err);
}

struct found {
	const char *want;
	int seen, others;
};

static int on_proc(const char *id, const char *command,
		   const wsp_proc_status *st, void *payload)
{
	struct found *f = payload;

	(void)command;
	(void)st;
	if (!strcmp(id, f->want))
		f->seen++;
	else if (!strncmp(id, "wsp-exec-", 9))
		f->others++;
	return 0;
}

static int append(uint32_t stream, const void *data, size_t len,
		  void *payload)
{
	char *buf = payload;
	size_t n = strlen(buf);

	if (stream == WSP_STDOUT && n + len < 256) {
		memcpy(buf + n, data, len);
		buf[n + len] = '\0';
	}
	return 0;
}

static void test_outlives_the_instance(void)
{
	char id[WSP_PROC_ID_MAX], text[256] = "";
	wsp_output_opts oo = {.struct_size = sizeof(oo), .streams = WSP_STDOUT | WSP_STDERR};
	wsp_proc_status st = {.struct_size = sizeof(st)};
	wsp_exec_opts eo = {.struct_size = sizeof(eo), .shell = "true"};
	wsp_exec_result r = {.struct_size = sizeof(r)};
	struct found f = {0};
	wsp_error err = {0};
	const wsp_host *h;

	CU_ASSERT_EQUAL_FATAL(spawn(id, "echo from-before; sleep 1; echo done",
				    0),
			      0);
	/* a command of exec's: never listed as a background process */
	CU_ASSERT_EQUAL(bx.d->sandbox->exec(&r, bx.self, box_call(&bx, 30000),
					    &eo, &err),
			0);
	h = wsp_fakehost_host(bx.fh);
	h->free(h, r.stdout_data);
	h->free(h, r.stderr_data);
	/* the next wsp: same store, new instance */
	CU_ASSERT_EQUAL_FATAL(box_reinit(&bx, NULL, &err), 0);
	f.want = id;
	CU_ASSERT_EQUAL(pm()->list(bx.self, box_call(&bx, 30000), 0, on_proc,
				   &f, &err),
			0);
	CU_ASSERT_EQUAL(f.seen, 1);
	CU_ASSERT_EQUAL(f.others, 0);
	CU_ASSERT_EQUAL(pm()->wait(&st, bx.self, box_call(&bx, 30000), id,
				   10000, 0, &err),
			0);
	CU_ASSERT_EQUAL(st.state, WSP_PROC_EXITED);
	CU_ASSERT_EQUAL(st.stdout_total, strlen("from-before\ndone\n"));
	CU_ASSERT_EQUAL(pm()->read_output(NULL, bx.self, box_call(&bx, 30000),
					  id, &oo, append, text, &err),
			0);
	CU_ASSERT_STRING_EQUAL(text, "from-before\ndone\n");
	CU_ASSERT_EQUAL(pm()->release(bx.self, box_call(&bx, 30000), id, 0,
				      &err),
			0);
	/* released: gone for every later instance too */
	CU_ASSERT_EQUAL_FATAL(box_reinit(&bx, NULL, &err), 0);
	CU_ASSERT_EQUAL(pm()->status(&st, bx.self, box_call(&bx, 30000), id, 0,
				     &err),
			WSP_ENOTFOUND);
}

static void test_wait_through_standby(void)
{
	char id[WSP_PROC_ID_MAX], fault[256], stream[160];
	wsp_proc_status st = {.struct_size = sizeof(st)};
	wsp_error err = {0};

	CU_ASSERT_EQUAL_FATAL(spawn(id, "echo a; sleep 1; echo b; exit 4", 0),
			      0);
	snprintf(fault, sizeof(fault),
		 "{\"kind\":\"standby\",\"afterBytes\":2,\"plane\":"
		 "\"sandbox\",\"path\":\"/process/%s/logs/stream\"}",
		 id);
	snprintf(stream, sizeof(stream), "/sbx/procs-box/process/%s/logs/stream",
		 id);
	fake_admin("DELETE", "/_fake/requests", NULL, NULL);
	CU_ASSERT_EQUAL_FATAL(fake_admin("POST", "/_fake/faults", fault, NULL),
			      201);
	CU_ASSERT_EQUAL(pm()->wait(&st, bx.self, box_call(&bx, 30000), id,
				   15000, 0, &err),
			0);
	CU_ASSERT_EQUAL(st.state, WSP_PROC_EXITED);
	CU_ASSERT_EQUAL(st.exit_code, 4);
	/* the first follow was cut by the standby, a second one ended */
	CU_ASSERT(fake_count("GET", stream) >= 2);
	fake_admin("DELETE", "/_fake/faults", NULL, NULL);
	pm()->release(bx.self, box_call(&bx, 30000), id, 0, &err);
}

/*
 * 429 and 5xx on every kind of call: the start is sent again (the name
 * shows it never ran), the looks retried by the host, the log stream
 * followed again; the process runs once and its output is whole.
 */
static void test_faults(void)
{
	char id[WSP_PROC_ID_MAX], fault[600], text[256] = "";
	wsp_output_opts oo = {.struct_size = sizeof(oo),
			      .streams = WSP_STDOUT | WSP_STDERR};
	wsp_proc_status st = {.struct_size = sizeof(st)};
	wsp_error err = {0};
	cJSON *left = NULL;

	fake_admin("DELETE", "/_fake/requests", NULL, NULL);
	CU_ASSERT_EQUAL_FATAL(
		fake_admin("POST", "/_fake/faults",
			   "{\"kind\":\"error\",\"status\":503,\"plane\":"
			   "\"sandbox\",\"method\":\"POST\",\"path\":"
			   "\"/process\"}",
			   NULL),
		201);
	CU_ASSERT_EQUAL_FATAL(spawn(id, "echo one; sleep 4; echo two >&2", 0),
			      0);
	CU_ASSERT_EQUAL(fake_count("POST", "/sbx/procs-box/process"), 2);
	snprintf(fault, sizeof(fault),
		 "[{\"kind\":\"rate_limit\",\"count\":2,\"retryAfter\":1,"
		 "\"plane\":\"sandbox\",\"method\":\"GET\",\"path\":"
		 "\"/process/%s\"},"
		 "{\"kind\":\"error\",\"status\":502,\"plane\":\"sandbox\","
		 "\"path\":\"/process/%s/logs\"},"
		 "{\"kind\":\"error\",\"status\":503,\"plane\":\"sandbox\","
		 "\"path\":\"/process/%s/logs/stream\"}]",
		 id, id, id);
	CU_ASSERT_EQUAL_FATAL(fake_admin("POST", "/_fake/faults", fault, NULL),
			      201);
	CU_ASSERT_EQUAL(pm()->wait(&st, bx.self, box_call(&bx, 30000), id,
				   15000, 0, &err),
			0);
	CU_ASSERT_EQUAL(st.state, WSP_PROC_EXITED);
	CU_ASSERT_EQUAL(st.exit_code, 0);
	CU_ASSERT_EQUAL(pm()->read_output(NULL, bx.self, box_call(&bx, 30000),
					  id, &oo, append, text, &err),
			0);
	CU_ASSERT_STRING_EQUAL(text, "one\n");
	CU_ASSERT_EQUAL(st.stderr_total, 4);
	fake_admin("GET", "/_fake/faults", NULL, &left);
	CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(left, "faults")),
			0);
	cJSON_Delete(left);
	pm()->release(bx.self, box_call(&bx, 30000), id, 0, &err);
}

static void test_timer_and_signals(void)
{
	char id[WSP_PROC_ID_MAX];
	wsp_proc_status st = {.struct_size = sizeof(st)};
	wsp_error err = {0};

	CU_ASSERT_EQUAL_FATAL(spawn(id, "sleep 30", 800), 0);
	CU_ASSERT_EQUAL(pm()->signal(bx.self, box_call(&bx, 30000), id, SIGINT,
				     0, &err),
			WSP_ENOTSUP);
	CU_ASSERT_EQUAL(pm()->wait(&st, bx.self, box_call(&bx, 30000), id,
				   10000, 0, &err),
			0);
	CU_ASSERT_EQUAL(st.state, WSP_PROC_SIGNALED);
	CU_ASSERT_EQUAL(st.term_signal, SIGKILL);
	CU_ASSERT_EQUAL(st.timed_out, 1);
	pm()->release(bx.self, box_call(&bx, 30000), id, 0, &err);
}

static CU_TestInfo tests[] = {
	{"a process outlives its instance", test_outlives_the_instance},
	{"a wait through a standby", test_wait_through_standby},
	{"429 and 5xx retried, the process run once", test_faults},
	{"Blaxel's timer; SIGTERM and SIGKILL only", test_timer_and_signals},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("sandbox-blaxel processes", suite_init, suite_clean, tests)
