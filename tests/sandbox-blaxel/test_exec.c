/*
 * tests/sandbox-blaxel/test_exec.c - foreground commands against the
 * Blaxel fake: the exact bytes of both streams (a last line without a
 * newline included), the sandbox's and the call's variables, working
 * directories, stdin, and the faults a real connection meets: lines cut
 * across chunks, a stream reset mid-line, the sandbox put on standby
 * mid-command (output completed from /logs, exit code kept), a start
 * answered 429 or 503 sent again and run once, a timeout
 * that really kills the command inside.
 */
#include "bl_env.h"
#include "cu_main.h"
#include "test_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct box bx;

static int suite_init(void)
{
	wsp_error err = {0};

	if (fake_start())
		return -1;
	return box_open(&bx, "exec-box",
			"env: {TEAM: blue}\nworking_dir: /tmp\n", 0, &err);
}

static int suite_clean(void)
{
	box_destroy(&bx);
	fake_env_stop();
	return 0;
}

static void release(wsp_exec_result *r)
{
	const wsp_host *h = wsp_fakehost_host(bx.fh);

	h->free(h, r->stdout_data);
	h->free(h, r->stderr_data);
	memset(r, 0, sizeof(*r));
}

static int run(wsp_exec_result *r, const char *shell,
	       const char *const *env, const char *cwd, struct test_text *s,
	       wsp_error *err)
{
	wsp_exec_opts o = {.struct_size = sizeof(o)};

	memset(r, 0, sizeof(*r));
	r->struct_size = sizeof(*r);
	o.shell = shell;
	o.env = env;
	o.cwd = cwd;
	if (s) {
		memset(s, 0, sizeof(*s));
		o.on_output = test_text_output;
		o.payload = s;
	}
	return bx.d->sandbox->exec(r, bx.self, box_call(&bx, 60000), &o, err);
}

static void test_exact_bytes(void)
{
	wsp_exec_result r;
	struct test_text s;
	wsp_error err = {0};

	CU_ASSERT_EQUAL_FATAL(run(&r, "printf 'a\\nb'; printf 'x\\n\\n' >&2; exit 3",
				  NULL, NULL, &s, &err),
			      0);
	CU_ASSERT_EQUAL(r.exit_code, 3);
	CU_ASSERT_STRING_EQUAL(r.stdout_data, "a\nb");
	CU_ASSERT_STRING_EQUAL(r.stderr_data, "x\n\n");
	CU_ASSERT_STRING_EQUAL(s.out, "a\nb");
	CU_ASSERT_STRING_EQUAL(s.err, "x\n\n");
	release(&r);
}

/* A growing copy of one stream, for outputs past struct test_text's. */
struct big {
	char *buf[2];
	size_t len[2];
};

static int on_big(uint32_t stream, const void *data, size_t len,
		  void *payload)
{
	struct big *g = payload;
	int i = stream == WSP_STDERR;
	char *p = realloc(g->buf[i], g->len[i] + len + 1);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memcpy(p + g->len[i], data, len);
	g->buf[i] = p;
	g->len[i] += len;
	p[g->len[i]] = '\0';
	return 0;
}

/*
 * The result inlines only the last 64 KiB of a stream, the marker first
 * (MaxInlinedLogBytes; the fake does the same): the output comes from
 * the events, exact, and the tail only says whether the last newline
 * was there. stdout ends without one; stderr, 65560 bytes, ends with
 * one and is just long enough that the tail placed at offset 0 would
 * have overlapped what the events delivered.
 */
static void test_output_past_inline_tail(void)
{
	wsp_exec_opts o = {.struct_size = sizeof(o)};
	wsp_exec_result r = {.struct_size = sizeof(r)};
	struct big g = {0};
	wsp_error err = {0};
	char *want = malloc(200000), *want_err = malloc(65561);
	size_t n = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	CU_ASSERT_PTR_NOT_NULL_FATAL(want_err);
	for (int i = 1; i <= 20000; i++)
		n += (size_t)snprintf(want + n, 200000 - n, "%d\n", i);
	n += (size_t)snprintf(want + n, 200000 - n, "end");
	for (size_t i = 0; i < 65560; i += 2)
		memcpy(want_err + i, "y\n", 2);
	o.shell = "seq 1 20000; printf end; yes y | head -c 65560 >&2; exit 5";
	o.on_output = on_big;
	o.payload = &g;
	CU_ASSERT_EQUAL_FATAL(bx.d->sandbox->exec(&r, bx.self,
						  box_call(&bx, 60000), &o,
						  &err),
			      0);
	CU_ASSERT(n > 65536);
	CU_ASSERT_EQUAL(r.exit_code, 5);
	CU_ASSERT_EQUAL(g.len[0], n);
	CU_ASSERT(g.buf[0] && !memcmp(g.buf[0], want, n));
	CU_ASSERT_EQUAL(r.stdout_len, n);
	CU_ASSERT(r.stdout_data && !memcmp(r.stdout_data, want, n));
	CU_ASSERT_EQUAL(g.len[1], 65560);
	CU_ASSERT(g.buf[1] && !memcmp(g.buf[1], want_err, 65560));
	CU_ASSERT_EQUAL(r.stderr_len, 65560);
	CU_ASSERT(r.stderr_data && !memcmp(r.stderr_data, want_err, 65560));
	release(&r);
	free(g.buf[0]);
	free(g.buf[1]);
	free(want);
	free(want_err);
}

static void test_env_and_cwd(void)
{
	static const char *const env[] = {"CALL=7", NULL};
	wsp_exec_result r;
	wsp_error err = {0};

	CU_ASSERT_EQUAL_FATAL(run(&r, "printf '%s-%s-%s' \"$TEAM\" \"$CALL\" "
				      "\"$(pwd)\"",
				  env, NULL, NULL, &err),
			      0);
	CU_ASSERT_STRING_EQUAL(r.stdout_data, "blue-7-/tmp");
	release(&r);
	CU_ASSERT_EQUAL_FATAL(run(&r, "mkdir -p sub && printf ok", NULL, NULL,
				  NULL, &err),
			      0);
	release(&r);
	CU_ASSERT_EQUAL_FATAL(run(&r, "pwd", NULL, "sub", NULL, &err), 0);
	CU_ASSERT_STRING_EQUAL(r.stdout_data, "/tmp/sub\n");
	release(&r);
	CU_ASSERT_EQUAL_FATAL(run(&r, "pwd", NULL, "/blaxel", NULL, &err), 0);
	CU_ASSERT_STRING_EQUAL(r.stdout_data, "/blaxel\n");
	release(&r);
	CU_ASSERT_EQUAL(run(&r, "pwd", NULL, "/no/such/dir", NULL, &err),
			WSP_ENOTFOUND);
	/* the key is in no command's environment */
	CU_ASSERT_EQUAL_FATAL(run(&r, "env", NULL, NULL, NULL, &err), 0);
	CU_ASSERT_PTR_NULL(strstr(r.stdout_data, BL_KEY));
	release(&r);
}

static void test_lines_cut_across_chunks(void)
{
	wsp_exec_result r;
	struct test_text s;
	wsp_error err = {0};

	CU_ASSERT_EQUAL_FATAL(
		fake_admin("POST", "/_fake/faults",
			   "{\"kind\":\"split\",\"chunkBytes\":5,\"plane\":"
			   "\"sandbox\",\"path\":\"/process\"}",
			   NULL),
		201);
	CU_ASSERT_EQUAL_FATAL(run(&r, "seq 1 200; echo done >&2", NULL, NULL,
				  &s, &err),
			      0);
	CU_ASSERT_EQUAL(r.exit_code, 0);
	CU_ASSERT_EQUAL(r.stdout_len, 692);
	CU_ASSERT_EQUAL(s.out_len, 692);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.out, "\n199\n200\n"));
	CU_ASSERT_STRING_EQUAL(r.stderr_data, "done\n");
	release(&r);
}

/* Cut mid-line or frozen by standby: the rest comes from /logs. */
static void survive(const char *fault)
{
	wsp_exec_result r;
	struct test_text s;
	wsp_error err = {0};
	char want[4096];
	size_t n = 0;

	for (int i = 1; i <= 300; i++)
		n += (size_t)snprintf(want + n, sizeof(want) - n, "%d\n", i);
	fake_admin("DELETE", "/_fake/faults", NULL, NULL);
	fake_admin("DELETE", "/_fake/requests", NULL, NULL);
	CU_ASSERT_EQUAL_FATAL(fake_admin("POST", "/_fake/faults", fault, NULL),
			      201);
	if (run(&r, "seq 1 150; sleep 1; seq 151 300; exit 5", NULL, NULL, &s,
		&err)) {
		fprintf(stderr, "%s: %s\n", fault, err.message);
		CU_FAIL_FATAL("the command did not survive the fault");
	}
	CU_ASSERT_EQUAL(r.exit_code, 5);
	/* the stream was cut: the rest came from the process's own logs */
	CU_ASSERT(fake_count("GET", "/sbx/exec-box/process/wsp-exec-*") +
			  fake_count("GET", "/process/wsp-exec-*") >=
		  2);
	CU_ASSERT_STRING_EQUAL(r.stdout_data, want);
	CU_ASSERT_STRING_EQUAL(s.out, want);
	release(&r);
}

static void test_stream_reset_mid_line(void)
{
	survive("{\"kind\":\"reset\",\"afterBytes\":300,\"plane\":\"sandbox\","
		"\"path\":\"/process\",\"method\":\"POST\"}");
}

/*
 * At a line's end: the fake goes on writing whatever the same tick writes
 * after a standby fault's byte count (its streams are cut a moment
 * later), so a cut inside a line would be followed by more lines, which
 * no real connection does; the mid-line cut is the reset's test above.
 */
static void test_standby_mid_command(void)
{
	survive("{\"kind\":\"standby\",\"afterBytes\":186,\"plane\":"
		"\"sandbox\",\"path\":\"/process\",\"method\":\"POST\"}");
}

static int faults_left(void)
{
	cJSON *left = NULL;
	int n;

	fake_admin("GET", "/_fake/faults", NULL, &left);
	n = cJSON_GetArraySize(cJSON_GetObjectItem(left, "faults"));
	cJSON_Delete(left);
	return n;
}

/*
 * A 429 and a 503 to the streamed start: nothing ran (the name says so),
 * so it is sent again after the pause asked for, and runs once.
 */
static void test_start_throttled(void)
{
	static const char *const faults[] = {
		"{\"kind\":\"rate_limit\",\"retryAfter\":1,\"plane\":"
		"\"sandbox\",\"method\":\"POST\",\"path\":\"/process\"}",
		"{\"kind\":\"error\",\"status\":503,\"count\":2,\"plane\":"
		"\"sandbox\",\"method\":\"POST\",\"path\":\"/process\"}",
	};

	for (size_t i = 0; i < 2; i++) {
		wsp_exec_result r;
		struct test_text s;
		wsp_error err = {0};

		fake_admin("DELETE", "/_fake/requests", NULL, NULL);
		CU_ASSERT_EQUAL_FATAL(fake_admin("POST", "/_fake/faults",
						 faults[i], NULL),
				      201);
		CU_ASSERT_EQUAL_FATAL(run(&r, "echo ran >> runs.txt; cat runs.txt",
					  NULL, NULL, &s, &err),
				      0);
		CU_ASSERT_EQUAL(r.exit_code, 0);
		/* ran once, whatever the number of sends */
		CU_ASSERT_STRING_EQUAL(r.stdout_data, i ? "ran\nran\n" : "ran\n");
		CU_ASSERT_STRING_EQUAL(s.out, r.stdout_data);
		CU_ASSERT_EQUAL(fake_count("POST", "/sbx/exec-box/process"), i ? 3 : 2);
		CU_ASSERT_EQUAL(faults_left(), 0);
		release(&r);
	}
	{
		wsp_exec_result r;
		wsp_error err = {0};

		/* a 400 is an answer, not a hiccup: not sent again */
		fake_admin("DELETE", "/_fake/requests", NULL, NULL);
		fake_admin("POST", "/_fake/faults",
			   "{\"kind\":\"error\",\"status\":400,\"message\":"
			   "\"bad start\",\"plane\":\"sandbox\",\"path\":"
			   "\"/process\",\"method\":\"POST\"}",
			   NULL);
		CU_ASSERT_NOT_EQUAL(run(&r, "true", NULL, NULL, NULL, &err), 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "bad start"));
		CU_ASSERT_EQUAL(fake_count("POST", "/sbx/exec-box/process"), 1);
		CU_ASSERT_EQUAL_FATAL(run(&r, "rm runs.txt", NULL, NULL, NULL,
					  &err),
				      0);
		release(&r);
	}
}

static void test_stdin(void)
{
	wsp_exec_opts o = {.struct_size = sizeof(o)};
	wsp_exec_result r = {.struct_size = sizeof(r)};
	wsp_error err = {0};

	o.shell = "wc -c; cat >/dev/null";
	o.stdin_data = "0123456789";
	o.stdin_len = 10;
	CU_ASSERT_EQUAL_FATAL(bx.d->sandbox->exec(&r, bx.self, box_call(&bx, 30000),
						  &o, &err),
			      0);
	CU_ASSERT_STRING_EQUAL(r.stdout_data, "10\n");
	release(&r);
}

/* A timeout kills the command inside, not only the wait for it. */
static void test_timeout_kills(void)
{
	wsp_exec_opts o = {.struct_size = sizeof(o)};
	wsp_exec_result r = {.struct_size = sizeof(r)};
	wsp_error err = {0};
	cJSON *sb, *p;
	int running = 0;

	o.shell = "echo started; sleep 60";
	o.timeout_ms = 500;
	CU_ASSERT_EQUAL_FATAL(bx.d->sandbox->exec(&r, bx.self, box_call(&bx, 30000),
						  &o, &err),
			      0);
	CU_ASSERT_EQUAL(r.exit_code, 124);
	CU_ASSERT(r.flags & WSP_EXEC_TIMED_OUT);
	CU_ASSERT_STRING_EQUAL(r.stdout_data, "started\n");
	CU_ASSERT(r.duration_ms < 10000);
	release(&r);
	sb = fake_sandbox("exec-box");
	cJSON_ArrayForEach(p, cJSON_GetObjectItem(sb, "processes"))
	{
		const char *st = cJSON_GetStringValue(cJSON_GetObjectItem(p, "status"));

		running += st && !strcmp(st, "running");
	}
	CU_ASSERT_EQUAL(running, 0);
	cJSON_Delete(sb);
	CU_ASSERT_EQUAL(wsp_fakehost_live_allocs(bx.fh), 0);
}

static CU_TestInfo tests[] = {
	{"exact bytes of both streams", test_exact_bytes},
	{"output past the result's inline tail", test_output_past_inline_tail},
	{"variables and working directories", test_env_and_cwd},
	{"lines cut across chunks", test_lines_cut_across_chunks},
	{"stream reset mid-line", test_stream_reset_mid_line},
	{"standby mid-command", test_standby_mid_command},
	{"a throttled start sent again, run once", test_start_throttled},
	{"stdin", test_stdin},
	{"a timeout kills the command", test_timeout_kills},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("sandbox-blaxel exec", suite_init, suite_clean, tests)
