/*
 * tests/sandbox-e2b/test_exec.c - foreground commands against the E2B
 * fake, which runs them for real under bubblewrap: exact bytes of both
 * streams and the exit code, argv without quoting, a missing program or
 * directory refused, cwd and variables, stdin through SendInput and
 * CloseStdin, output streamed to the callback as it comes, the newest
 * bytes kept, the command's timeout and the call's deadline and cancel
 * (killed by pid, 124/130) with Connect-Timeout-Ms set from them or not
 * at all, a callback that stops the command, and faults: the sandbox
 * killed mid-command, a stream cut or stalled, envd's 503.
 */
#include "e2_env.h"
#include "e2b.h"
#include "cu_main.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "test_output.h"
#include "test_wait.h"

static struct box bx;
static char sandbox_id[64];

static int exec_on(wsp_exec_result *r, const wsp_call *call,
		   const wsp_exec_opts *o, wsp_error *err)
{
	memset(r, 0, sizeof(*r));
	r->struct_size = sizeof(*r);
	return box_vt(&bx)->exec(r, bx.self, call, o, err);
}

static int sh(wsp_exec_result *r, const char *cmd, wsp_error *err)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;

	o.shell = cmd;
	return exec_on(r, box_call(&bx, 60000), &o, err);
}

static void release(wsp_exec_result *r)
{
	const wsp_host *h = wsp_fakehost_host(bx.fh);

	h->free(h, r->stdout_data);
	h->free(h, r->stderr_data);
	r->stdout_data = r->stderr_data = NULL;
}

/* The headers of the last Start request, or NULL (a copy). */
static cJSON *last_start_headers(void)
{
	cJSON *log = fake_requests(), *r, *hit = NULL, *out = NULL;

	cJSON_ArrayForEach(r, cJSON_GetObjectItem(log, "requests"))
	{
		const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(r, "path"));

		if (p && !strcmp(p, "/process.Process/Start"))
			hit = r;
	}
	if (hit)
		out = cJSON_Duplicate(cJSON_GetObjectItem(hit, "headers"), 1);
	cJSON_Delete(log);
	return out;
}

static const char *header(cJSON *h, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItem(h, name));
}

static void test_streams_and_exit_code(void)
{
	wsp_exec_result r;
	wsp_error err = {0};
	cJSON *h;

	CU_ASSERT_EQUAL_FATAL(sh(&r, "printf 'out\\n'; printf err >&2; "
				     "printf 'no newline'; exit 7",
				 &err),
			      0);
	CU_ASSERT_EQUAL(r.exit_code, 7);
	CU_ASSERT_EQUAL(r.term_signal, 0);
	CU_ASSERT_STRING_EQUAL(r.stdout_data, "out\nno newline");
	CU_ASSERT_STRING_EQUAL(r.stderr_data, "err");
	CU_ASSERT_EQUAL(r.flags, 0);
	release(&r);
	/* the wire: the routing headers, the token, Connect's own */
	h = last_start_headers();
	CU_ASSERT_STRING_EQUAL(header(h, "e2b-sandbox-id"), sandbox_id);
	CU_ASSERT_STRING_EQUAL(header(h, "e2b-sandbox-port"), "49983");
	CU_ASSERT_PTR_NOT_NULL(header(h, "x-access-token"));
	CU_ASSERT_STRING_EQUAL(header(h, "content-type"),
			       "application/connect+json");
	CU_ASSERT_STRING_EQUAL(header(h, "connect-protocol-version"), "1");
	/* the configured 30 s, plus envd's margin: never the SDK's 60 s */
	CU_ASSERT_STRING_EQUAL(header(h, "connect-timeout-ms"), "35000");
	CU_ASSERT_PTR_NULL(header(h, "x-api-key"));
	cJSON_Delete(h);
	/* binary output, every byte value */
	CU_ASSERT_EQUAL_FATAL(sh(&r, "printf '\\000\\377\\001'", &err), 0);
	CU_ASSERT_EQUAL(r.stdout_len, 3);
	CU_ASSERT_EQUAL(memcmp(r.stdout_data, "\0\377\1", 3), 0);
	release(&r);
	/* killed by a signal: 128 + N */
	CU_ASSERT_EQUAL_FATAL(sh(&r, "kill -9 $$", &err), 0);
	CU_ASSERT_EQUAL(r.exit_code, 137);
	release(&r);
}

static void test_argv_cwd_env(void)
{
	static const char *const argv[] = {"printf", "%s|", "it's", "a b",
					   "$HOME", NULL};
	static const char *const env[] = {"TEAM=blue", NULL};
	static const char *const missing[] = {"wsp-no-such-program", NULL};
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result r;
	wsp_error err = {0};

	o.argv = argv;
	CU_ASSERT_EQUAL_FATAL(exec_on(&r, box_call(&bx, 60000), &o, &err), 0);
	CU_ASSERT_STRING_EQUAL(r.stdout_data, "it's|a b|$HOME|");
	CU_ASSERT_EQUAL(r.exit_code, 0);
	release(&r);
	o.argv = missing;
	if (exec_on(&r, box_call(&bx, 60000), &o, &err) == 0) {
		release(&r);
		CU_FAIL("a missing program ran");
	} else {
		CU_ASSERT_EQUAL(err.code, WSP_ENOTFOUND);
	}
	/* a directory that is not there: refused before anything runs */
	o = (wsp_exec_opts)WSP_EXEC_OPTS_INIT;
	o.shell = "echo ran";
	o.cwd = "no-such-dir";
	CU_ASSERT_TRUE(exec_on(&r, box_call(&bx, 60000), &o, &err) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no-such-dir"));
	CU_ASSERT_EQUAL_FATAL(sh(&r, "mkdir -p sub/dir", &err), 0);
	release(&r);
	o.shell = "pwd; echo $TEAM";
	o.cwd = "sub/dir";
	o.env = env;
	CU_ASSERT_EQUAL_FATAL(exec_on(&r, box_call(&bx, 60000), &o, &err), 0);
	CU_ASSERT_STRING_EQUAL(r.stdout_data, "/home/user/sub/dir\nblue\n");
	release(&r);
	/* the variable was this command's only */
	CU_ASSERT_EQUAL_FATAL(sh(&r, "echo ${TEAM:-unset}", &err), 0);
	CU_ASSERT_STRING_EQUAL(r.stdout_data, "unset\n");
	release(&r);
}

static void test_stdin(void)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result r;
	wsp_error err = {0};
	size_t big = 3u << 20;
	char *data = malloc(big), want[64];

	o.shell = "cat";
	o.stdin_data = "piped\ninput";
	o.stdin_len = 11;
	CU_ASSERT_EQUAL_FATAL(exec_on(&r, box_call(&bx, 60000), &o, &err), 0);
	CU_ASSERT_STRING_EQUAL(r.stdout_data, "piped\ninput");
	release(&r);
	/* none: end of file at once, never a hang */
	CU_ASSERT_EQUAL_FATAL(sh(&r, "cat; echo eof", &err), 0);
	CU_ASSERT_STRING_EQUAL(r.stdout_data, "eof\n");
	release(&r);
	/* more than one SendInput piece, every byte there */
	for (size_t i = 0; i < big; i++)
		data[i] = (char)(i * 7 + i / 4099);
	o.shell = "wc -c; ";
	o.stdin_data = data;
	o.stdin_len = big;
	CU_ASSERT_EQUAL_FATAL(exec_on(&r, box_call(&bx, 60000), &o, &err), 0);
	snprintf(want, sizeof(want), "%zu\n", big);
	CU_ASSERT_STRING_EQUAL(r.stdout_data, want);
	release(&r);
	/* a command that reads none of it still ends */
	o.shell = "echo done";
	CU_ASSERT_EQUAL_FATAL(exec_on(&r, box_call(&bx, 60000), &o, &err), 0);
	CU_ASSERT_STRING_EQUAL(r.stdout_data, "done\n");
	release(&r);
	free(data);
}

struct seen {
	char text[256];
	int64_t first_ms;
};

static int on_output(uint32_t stream, const void *data, size_t len,
		     void *payload)
{
	struct seen *s = payload;
	size_t n = strlen(s->text);

	if (!s->first_ms)
		s->first_ms = test_now_ms();
	snprintf(s->text + n, sizeof(s->text) - n, "%c%.*s",
		 stream == WSP_STDOUT ? 'o' : 'e', (int)len,
		 (const char *)data);
	return 0;
}

static void test_streamed_output(void)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result r;
	wsp_error err = {0};
	struct seen s = {"", 0};
	int64_t t0 = test_now_ms();

	o.shell = "echo one; sleep 1; echo two >&2";
	o.on_output = on_output;
	o.payload = &s;
	CU_ASSERT_EQUAL_FATAL(exec_on(&r, box_call(&bx, 60000), &o, &err), 0);
	/* the first line came while the command still ran */
	CU_ASSERT_TRUE(s.first_ms - t0 < 900);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.text, "oone"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s.text, "etwo"));
	release(&r);
	/* only the newest bytes kept, the rest counted */
	o = (wsp_exec_opts)WSP_EXEC_OPTS_INIT;
	o.shell = "head -c 100000 /dev/zero | tr '\\0' a; printf END";
	o.max_capture = 1000;
	CU_ASSERT_EQUAL_FATAL(exec_on(&r, box_call(&bx, 60000), &o, &err), 0);
	CU_ASSERT_EQUAL(r.stdout_len, 1000);
	CU_ASSERT_EQUAL(r.stdout_dropped, 100003 - 1000);
	CU_ASSERT_EQUAL(memcmp(r.stdout_data + 997, "END", 3), 0);
	release(&r);
}

static void test_timeouts(void)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result r;
	wsp_error err = {0};
	wsp_call *call;
	int64_t t0 = test_now_ms();
	cJSON *h;

	o.shell = "echo started; sleep 30";
	o.timeout_ms = 1000;
	CU_ASSERT_EQUAL_FATAL(exec_on(&r, box_call(&bx, 60000), &o, &err), 0);
	CU_ASSERT_EQUAL(r.exit_code, 124);
	CU_ASSERT_TRUE(r.flags & WSP_EXEC_TIMED_OUT);
	CU_ASSERT_TRUE(r.flags & WSP_EXEC_KILLED);
	CU_ASSERT_STRING_EQUAL(r.stdout_data, "started\n");
	CU_ASSERT_TRUE(test_now_ms() - t0 < 5000);
	release(&r);
	/* killed by pid: nothing of it is left running */
	CU_ASSERT_TRUE(fake_count("POST", "/process.Process/SendSignal") >=
		       1);
	h = last_start_headers();
	CU_ASSERT_STRING_EQUAL(header(h, "connect-timeout-ms"), "6000");
	cJSON_Delete(h);
	/* no timeout and no deadline: no Connect-Timeout-Ms at all */
	o.flags = WSP_EXEC_NO_TIMEOUT;
	o.shell = "echo free";
	CU_ASSERT_EQUAL_FATAL(exec_on(&r, box_call(&bx, 0), &o, &err), 0);
	release(&r);
	h = last_start_headers();
	CU_ASSERT_PTR_NULL(header(h, "connect-timeout-ms"));
	cJSON_Delete(h);
	/* the call's deadline ends it as its own timeout would */
	o.shell = "sleep 30";
	t0 = test_now_ms();
	CU_ASSERT_EQUAL_FATAL(exec_on(&r, box_call(&bx, 1500), &o, &err), 0);
	CU_ASSERT_EQUAL(r.exit_code, 124);
	CU_ASSERT_TRUE(test_now_ms() - t0 < 5000);
	release(&r);
	/* a call expired before: refused, nothing runs */
	call = box_call(&bx, 60000);
	wsp_fakehost_call_cancel(call);
	CU_ASSERT_EQUAL(exec_on(&r, call, &o, &err), WSP_ECANCELED);
}

struct canceler {
	wsp_call *call;
};

static void *cancel_later(void *p)
{
	struct canceler *c = p;

	usleep(700 * 1000);
	wsp_fakehost_call_cancel(c->call);
	return NULL;
}

static void test_cancel_and_callback_stop(void)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result r;
	wsp_error err = {0};
	struct canceler c = {box_call(&bx, 60000)};
	pthread_t t;
	int stop = WSP_EPROTO;
	int64_t t0 = test_now_ms();

	o.shell = "sleep 30";
	pthread_create(&t, NULL, cancel_later, &c);
	CU_ASSERT_EQUAL_FATAL(exec_on(&r, c.call, &o, &err), 0);
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(r.exit_code, 130);
	CU_ASSERT_TRUE(r.flags & WSP_EXEC_CANCELED);
	CU_ASSERT_TRUE(test_now_ms() - t0 < 5000);
	release(&r);
	o.shell = "echo first; sleep 30";
	o.on_output = test_output_stop;
	o.payload = &stop;
	t0 = test_now_ms();
	CU_ASSERT_EQUAL(exec_on(&r, box_call(&bx, 60000), &o, &err),
			WSP_EPROTO);
	CU_ASSERT_TRUE(test_now_ms() - t0 < 5000);
}

static void test_faults(void)
{
	wsp_exec_result r;
	wsp_error err = {0};
	int64_t t0 = test_now_ms();
	uint32_t outcome;

	/* a stream cut mid-command: an error naming it, never a hang */
	fake_admin("POST", "/_fake/faults",
		       "{\"kind\":\"reset\",\"afterEnvelopes\":2,"
		       "\"path\":\"/process.Process/Start\"}",
		       NULL);
	CU_ASSERT_TRUE(sh(&r, "echo a; sleep 1; echo b", &err) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "broke off"));
	CU_ASSERT_TRUE(test_now_ms() - t0 < 10000);
	/* a stream that stalls: the command's timeout still ends it */
	fake_admin("POST", "/_fake/faults",
		     "{\"kind\":\"stall\",\"afterEnvelopes\":2,"
		     "\"path\":\"/process.Process/Start\"}",
		     NULL);
	{
		wsp_exec_opts o = WSP_EXEC_OPTS_INIT;

		o.shell = "echo a; sleep 1; echo b; sleep 30";
		o.timeout_ms = 2000;
		t0 = test_now_ms();
		CU_ASSERT_EQUAL_FATAL(exec_on(&r, box_call(&bx, 60000), &o,
					      &err),
				      0);
		CU_ASSERT_EQUAL(r.exit_code, 124);
		CU_ASSERT_STRING_EQUAL(r.stdout_data, "a\n");
		CU_ASSERT_TRUE(test_now_ms() - t0 < 6000);
		release(&r);
	}
	/* envd's 5xx before the stream: a clear error */
	fake_admin("POST", "/_fake/faults",
		       "{\"kind\":\"error\",\"status\":503,\"plane\":\"envd\","
		       "\"message\":\"overloaded\"}",
		       NULL);
	CU_ASSERT_TRUE(sh(&r, "echo a", &err) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "overloaded"));
	/* the sandbox killed mid-command: said so, then start replaces it */
	fake_admin("POST", "/_fake/faults",
		       "{\"kind\":\"kill_sandbox\",\"afterEnvelopes\":1}",
		       NULL);
	t0 = test_now_ms();
	CU_ASSERT_TRUE(sh(&r, "echo a; sleep 5", &err) < 0);
	CU_ASSERT_TRUE(test_now_ms() - t0 < 10000);
	CU_ASSERT_EQUAL(sh(&r, "echo a", &err), WSP_EUNAVAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "is gone"));
	CU_ASSERT_EQUAL_FATAL(box_vt(&bx)->start(&outcome, bx.self,
						 box_call(&bx, 30000), 0,
						 &err),
			      0);
	CU_ASSERT_EQUAL(outcome, WSP_START_CREATED);
	box_kept_id(sandbox_id, sizeof(sandbox_id), &bx);
	CU_ASSERT_EQUAL_FATAL(sh(&r, "echo back", &err), 0);
	CU_ASSERT_STRING_EQUAL(r.stdout_data, "back\n");
	release(&r);
	fake_admin("DELETE", "/_fake/faults", NULL, NULL);
	CU_ASSERT_EQUAL(wsp_fakehost_leaks(bx.fh), 0);
	CU_ASSERT_EQUAL(wsp_fakehost_live_allocs(bx.fh), 0);
}

static int suite_init(void)
{
	int rc = e2_suite_start(&bx, "exec-box");

	box_kept_id(sandbox_id, sizeof(sandbox_id), &bx);
	return rc;
}

static int suite_clean(void)
{
	return e2_suite_stop(&bx);
}

static CU_TestInfo tests[] = {
	{"both streams and the exit code", test_streams_and_exit_code},
	{"argv, cwd and variables", test_argv_cwd_env},
	{"stdin through SendInput and CloseStdin", test_stdin},
	{"output streamed, newest kept", test_streamed_output},
	{"timeout and deadline: killed, 124", test_timeouts},
	{"cancel and a stopping callback", test_cancel_and_callback_stop},
	{"faults: cut, stall, 5xx, sandbox killed", test_faults},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("sandbox-e2b exec", suite_init, suite_clean, tests)
