/*
 * tests/sandbox-blaxel/test_procs.c - background processes against the
 * Blaxel fake, beyond what the conformance kit checks: a process outlives
 * the instance that started it and another instance (a later wsp, same
 * state store) lists it and reads its output from the start; a wait
 * whose log stream a standby cuts still ends at the exit; exec's own
 * processes are never listed; a start answered 503 sent again and 429s
 * and 5xx on its looks retried; a follow live and exact through lines
 * cut across chunks and a stream cut mid-line; Blaxel's timer reads as
 * timed_out; only
 * SIGTERM and SIGKILL exist.
 */
#include "bl_env.h"
#include "cu_main.h"
#include "test_text.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "test_wait.h"

static struct box bx;
static wsp_error err_none;

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
	fake_env_stop();
	return 0;
}

static const wsp_procmgr_vtable *pm(void)
{
	return bx.d->procmgr;
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

static void test_outlives_the_instance(void)
{
	char id[WSP_PROC_ID_MAX];
	struct test_text text = {0};
	wsp_output_opts oo = {.struct_size = sizeof(oo), .streams = WSP_STDOUT | WSP_STDERR};
	wsp_proc_status st = {.struct_size = sizeof(st)};
	wsp_exec_opts eo = {.struct_size = sizeof(eo), .shell = "true"};
	wsp_exec_result r = {.struct_size = sizeof(r)};
	struct found f = {0};
	wsp_error err = {0};
	const wsp_host *h;

	CU_ASSERT_EQUAL_FATAL(
		box_spawn(&bx, id, "echo from-before; sleep 1; echo done", 0),
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
	/* startedAt and completedAt, HTTP dates (whole seconds): the run
	 * took a second, within the last ten minutes */
	CU_ASSERT_TRUE(st.started_ms > (int64_t)(time(NULL) - 600) * 1000);
	CU_ASSERT_TRUE(st.started_ms <= (int64_t)time(NULL) * 1000);
	CU_ASSERT_TRUE(st.started_ms % 1000 == 0 &&
		       st.ended_ms >= st.started_ms + 1000);
	CU_ASSERT_EQUAL(pm()->read_output(NULL, bx.self, box_call(&bx, 30000),
					  id, &oo, test_text_output, &text,
					  &err),
			0);
	CU_ASSERT_STRING_EQUAL(text.out, "from-before\ndone\n");
	CU_ASSERT_EQUAL(pm()->release(bx.self, box_call(&bx, 30000), id, 0,
				      &err),
			0);
	/* released: gone for every later instance too */
	CU_ASSERT_EQUAL_FATAL(box_reinit(&bx, NULL, &err), 0);
	CU_ASSERT_EQUAL(pm()->status(&st, bx.self, box_call(&bx, 30000), id, 0,
				     &err),
			WSP_ENOTFOUND);
}

/* Arm a fault (its kind and numbers) on id's log stream, with the
 * request log emptied; stream: that stream's path as logged. */
static void arm_log_fault(char *stream, size_t cap, const char *id,
			  const char *kind)
{
	char fault[300];

	snprintf(fault, sizeof(fault),
		 "{%s,\"plane\":\"sandbox\",\"path\":"
		 "\"/process/%s/logs/stream\"}",
		 kind, id);
	snprintf(stream, cap, "/sbx/procs-box/process/%s/logs/stream", id);
	fake_admin("DELETE", "/_fake/requests", NULL, NULL);
	CU_ASSERT_EQUAL_FATAL(fake_admin("POST", "/_fake/faults", fault, NULL),
			      201);
}

static void test_wait_through_standby(void)
{
	char id[WSP_PROC_ID_MAX], stream[160];
	wsp_proc_status st = {.struct_size = sizeof(st)};
	wsp_error err = {0};

	CU_ASSERT_EQUAL_FATAL(
		box_spawn(&bx, id, "echo a; sleep 1; echo b; exit 4", 0), 0);
	arm_log_fault(stream, sizeof(stream), id,
		      "\"kind\":\"standby\",\"afterBytes\":2");
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
	char id[WSP_PROC_ID_MAX], fault[600];
	struct test_text text = {0};
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
	CU_ASSERT_EQUAL_FATAL(
		box_spawn(&bx, id, "echo one; sleep 4; echo two >&2", 0), 0);
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
					  id, &oo, test_text_output, &text,
					  &err),
			0);
	CU_ASSERT_STRING_EQUAL(text.out, "one\n");
	CU_ASSERT_EQUAL(st.stderr_total, 4);
	fake_admin("GET", "/_fake/faults", NULL, &left);
	CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(left, "faults")),
			0);
	cJSON_Delete(left);
	pm()->release(bx.self, box_call(&bx, 30000), id, 0, &err);
}

struct followed {
	struct test_text text;
	int chunks;
	int64_t first_ms; /* when the first output came */
};

static int on_follow(uint32_t stream, const void *data, size_t len,
		     void *payload)
{
	struct followed *f = payload;

	if (!f->chunks++)
		f->first_ms = test_now_ms();
	return test_text_add(&f->text, stream, data, len);
}

static int follow(wsp_proc_status *st, struct followed *f, const char *id,
		  uint64_t out_off, uint64_t err_off)
{
	wsp_output_opts oo = {.struct_size = sizeof(oo),
			      .streams = WSP_STDOUT | WSP_STDERR,
			      .flags = WSP_OUTPUT_FOLLOW |
				       WSP_OUTPUT_STREAM_OFFSETS,
			      .offset = out_off,
			      .stderr_offset = err_off};
	wsp_error err = {0};
	int rc;

	memset(f, 0, sizeof(*f));
	memset(st, 0, sizeof(*st));
	st->struct_size = sizeof(*st);
	rc = pm()->read_output(st, bx.self, box_call(&bx, 30000), id, &oo,
			       on_follow, f, &err);
	if (rc)
		fprintf(stderr, "follow: %s\n", err.message);
	return rc;
}

#define SCRIPT "for i in 1 2 3; do echo line$i; sleep 0.3; done; " \
	       "printf tail; sleep 0.4; printf ' end' >&2"
#define WANT_OUT "line1\nline2\nline3\ntail"

/*
 * Follow: lines cut across 5-byte chunks arrive whole and as they are
 * written, an unfinished line too, each byte once; the newline the log
 * stream adds to a last line without one is not delivered; offsets per
 * stream resume in the middle.
 */
static void test_follow(void)
{
	char id[WSP_PROC_ID_MAX], fault[300];
	wsp_proc_status st;
	struct followed f;

	CU_ASSERT_EQUAL_FATAL(box_spawn(&bx, id, SCRIPT, 0), 0);
	snprintf(fault, sizeof(fault),
		 "{\"kind\":\"split\",\"chunkBytes\":5,\"plane\":"
		 "\"sandbox\",\"path\":\"/process/%s/logs/stream\"}",
		 id);
	CU_ASSERT_EQUAL_FATAL(fake_admin("POST", "/_fake/faults", fault, NULL),
			      201);
	CU_ASSERT_EQUAL_FATAL(follow(&st, &f, id, 0, 0), 0);
	CU_ASSERT_STRING_EQUAL(f.text.out, WANT_OUT);
	CU_ASSERT_STRING_EQUAL(f.text.err, " end");
	CU_ASSERT_EQUAL(st.state, WSP_PROC_EXITED);
	CU_ASSERT_EQUAL(st.stdout_total, strlen(WANT_OUT));
	CU_ASSERT_EQUAL(st.stderr_total, 4);
	/* live: the first line long before the end (the script writes for
	 * 1.3 s after it), in pieces; relative, so a slow machine passes */
	CU_ASSERT(test_now_ms() - f.first_ms >= 800);
	CU_ASSERT(f.chunks >= 4);
	/* from the middle of each stream, after the end */
	CU_ASSERT_EQUAL(follow(&st, &f, id, 6, 1), 0);
	CU_ASSERT_STRING_EQUAL(f.text.out, "line2\nline3\ntail");
	CU_ASSERT_STRING_EQUAL(f.text.err, "end");
	CU_ASSERT_EQUAL(follow(&st, &f, id, strlen(WANT_OUT), 4), 0);
	CU_ASSERT_EQUAL(f.chunks, 0);
	fake_admin("DELETE", "/_fake/faults", NULL, NULL);
	pm()->release(bx.self, box_call(&bx, 30000), id, 0, &err_none);
}

/* The log stream cut mid-line: followed again, nothing twice. */
static void test_follow_cut(void)
{
	char id[WSP_PROC_ID_MAX], stream[160];
	wsp_proc_status st;
	struct followed f;

	CU_ASSERT_EQUAL_FATAL(box_spawn(&bx, id, SCRIPT, 0), 0);
	arm_log_fault(stream, sizeof(stream), id,
		      "\"kind\":\"reset\",\"afterBytes\":17");
	CU_ASSERT_EQUAL_FATAL(follow(&st, &f, id, 0, 0), 0);
	CU_ASSERT_STRING_EQUAL(f.text.out, WANT_OUT);
	CU_ASSERT_STRING_EQUAL(f.text.err, " end");
	CU_ASSERT_EQUAL(st.state, WSP_PROC_EXITED);
	CU_ASSERT(fake_count("GET", stream) >= 2);
	fake_admin("DELETE", "/_fake/faults", NULL, NULL);
	pm()->release(bx.self, box_call(&bx, 30000), id, 0, &err_none);
}

static void test_timer_and_signals(void)
{
	char id[WSP_PROC_ID_MAX];
	wsp_proc_status st = {.struct_size = sizeof(st)};
	wsp_error err = {0};

	CU_ASSERT_EQUAL_FATAL(box_spawn(&bx, id, "sleep 30", 800), 0);
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
	{"follow: live, whole, offsets", test_follow},
	{"follow through a cut log stream", test_follow_cut},
	{"Blaxel's timer; SIGTERM and SIGKILL only", test_timer_and_signals},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("sandbox-blaxel processes", suite_init, suite_clean, tests)
