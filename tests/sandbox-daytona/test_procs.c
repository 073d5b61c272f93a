/*
 * tests/sandbox-daytona/test_procs.c - wsp-sandbox-daytona's background
 * processes against the project's Daytona fake: each slot (spawn, list,
 * status, read_output with offsets and tails, wait, write_stdin,
 * close_stdin, signal, release), exact output while a process runs and
 * after, a second wsp finding them through the state store, timeouts,
 * cancels, a sandbox stopped under a process, 429 and 503 retried,
 * processes one after another sharing one session. What
 * the toolbox saw is checked in the fake's request log.
 */
#include "daytona.h"
#include "dt_fake.h"

#include <cu_main.h>
#include <test_text.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const wsp_procmgr_vtable *pm(void)
{
	return dt_desc()->procmgr;
}

static int spawn(char id[WSP_PROC_ID_MAX], void *self, const char *shell,
		 uint32_t stdin_mode, int64_t timeout_ms)
{
	wsp_spawn_opts o = WSP_SPAWN_OPTS_INIT;
	wsp_error err = { 0 };
	int rc;

	o.shell = shell;
	o.stdin_mode = stdin_mode;
	o.timeout_ms = timeout_ms;
	rc = pm()->spawn(id, self, &dt_no_call, &o, &err);
	if (rc)
		fprintf(stderr, "spawn '%s': %s\n", shell, err.message);
	return rc;
}

static wsp_proc_status wait_for(void *self, const char *id)
{
	wsp_proc_status st = { .struct_size = sizeof(st) };
	wsp_error err = { 0 };

	CU_ASSERT_EQUAL(pm()->wait(&st, self, &dt_no_call, id, 15000, 0, &err),
			0);
	return st;
}

/* Read with o (NULL: all of both) into t; the slot's code. */
static int read_all(struct test_text *t, wsp_proc_status *st, void *self,
		    const char *id, const wsp_output_opts *o)
{
	wsp_output_opts all = WSP_OUTPUT_OPTS_INIT;
	wsp_error err = { 0 };

	all.streams = WSP_STDOUT | WSP_STDERR;
	memset(t, 0, sizeof(*t));
	return pm()->read_output(st, self, &dt_no_call, id, o ? o : &all,
				 test_text_output, t, &err);
}

static void release(void *self, const char *id)
{
	wsp_error err = { 0 };

	CU_ASSERT_EQUAL(pm()->release(self, &dt_no_call, id, 0, &err), 0);
}

/* The body of the last request with this method and path ending. */
static cJSON *last_body(wsp_fakehost *fh, const char *method,
			const char *tail)
{
	cJSON *j = NULL, *r, *found = NULL;

	if (dt_fake_call(fh, "GET", "/_fake/requests", NULL, &j))
		return NULL;
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(j, "requests")) {
		const char *m = cJSON_GetStringValue(
			cJSON_GetObjectItem(r, "method"));
		const char *p = cJSON_GetStringValue(
			cJSON_GetObjectItem(r, "path"));
		const char *b = cJSON_GetStringValue(
			cJSON_GetObjectItem(r, "body"));

		if (m && p && b && !strcmp(m, method) &&
		    strlen(p) >= strlen(tail) &&
		    !strcmp(p + strlen(p) - strlen(tail), tail)) {
			cJSON_Delete(found);
			found = cJSON_Parse(b);
		}
	}
	cJSON_Delete(j);
	return found;
}

/* The fake's sandboxes (an array), in *j to free; NULL on failure. */
static const cJSON *sandboxes(wsp_fakehost *fh, cJSON **j)
{
	*j = NULL;
	if (dt_fake_call(fh, "GET", "/_fake/sandboxes", NULL, j))
		return NULL;
	return cJSON_IsArray(*j) ? *j : cJSON_GetObjectItem(*j, "sandboxes");
}

static int on_list(const char *id, const char *command,
		   const wsp_proc_status *st, void *payload)
{
	const char **want = payload;

	if (!strcmp(id, want[0]) && !strcmp(command, want[1]) &&
	    st->state != 0)
		want[2] = id; /* seen */
	return 0;
}

static int listed(void *self, const char *id, const char *command)
{
	const char *want[3] = { id, command, NULL };
	wsp_error err = { 0 };

	CU_ASSERT_EQUAL(pm()->list(self, &dt_no_call, 0, on_list, want, &err),
			0);
	return want[2] != NULL;
}

/* spawn, list, status, wait, output exact by stream, offsets, tails */
static void test_output(void)
{
	wsp_fakehost *fh = NULL;
	void *a = NULL;
	wsp_error err = { 0 };
	wsp_proc_status st = { .struct_size = sizeof(st) };
	wsp_output_opts o = WSP_OUTPUT_OPTS_INIT;
	char id[WSP_PROC_ID_MAX];
	struct test_text t;
	cJSON *b;
	int busy = -1;

	CU_ASSERT_FATAL(dt_box_open(&fh, &a, NULL, &err) == 0);
	CU_ASSERT_FATAL(spawn(id, a,
			      "printf 'one\\ntwo\\nthree'; printf 'e|r' >&2; "
			      "exit 4",
			      WSP_STDIN_IGNORE, 0) == 0);
	CU_ASSERT_EQUAL(strncmp(id, "wsp-proc-", 9), 0);
	CU_ASSERT_TRUE(listed(a, id, "printf 'one\\ntwo\\nthree'; "
				     "printf 'e|r' >&2; exit 4"));
	st = wait_for(a, id);
	CU_ASSERT_EQUAL(st.state, WSP_PROC_EXITED);
	CU_ASSERT_EQUAL(st.exit_code, 4);
	CU_ASSERT_EQUAL(st.stdout_total, 13);
	CU_ASSERT_EQUAL(st.stderr_total, 3);
	CU_ASSERT_TRUE(st.started_ms > 0 && st.ended_ms >= st.started_ms);
	CU_ASSERT_EQUAL(st.stdin_open, 0);
	/* exact: no newline added to the last line, streams apart */
	CU_ASSERT_EQUAL(read_all(&t, &st, a, id, NULL), 0);
	CU_ASSERT_STRING_EQUAL(t.out, "one\ntwo\nthree");
	CU_ASSERT_STRING_EQUAL(t.err, "e|r");
	CU_ASSERT_EQUAL(st.exit_code, 4);
	/* offsets per stream, a tail of lines, a tail of bytes */
	o.streams = WSP_STDOUT | WSP_STDERR;
	o.flags = WSP_OUTPUT_STREAM_OFFSETS;
	o.offset = 4;
	o.stderr_offset = 2;
	CU_ASSERT_EQUAL(read_all(&t, NULL, a, id, &o), 0);
	CU_ASSERT_STRING_EQUAL(t.out, "two\nthree");
	CU_ASSERT_STRING_EQUAL(t.err, "r");
	o = (wsp_output_opts)WSP_OUTPUT_OPTS_INIT;
	o.streams = WSP_STDOUT;
	o.tail_lines = 2;
	CU_ASSERT_EQUAL(read_all(&t, NULL, a, id, &o), 0);
	CU_ASSERT_STRING_EQUAL(t.out, "two\nthree");
	CU_ASSERT_EQUAL(t.err_len, 0);
	o.tail_lines = 0;
	o.tail_bytes = 4;
	CU_ASSERT_EQUAL(read_all(&t, NULL, a, id, &o), 0);
	CU_ASSERT_STRING_EQUAL(t.out, "hree");
	o.tail_bytes = 0;
	o.offset = 13;
	CU_ASSERT_EQUAL(read_all(&t, NULL, a, id, &o), 0);
	CU_ASSERT_EQUAL(t.out_len, 0);

	/* one async command in a session of its own, input echo off */
	b = last_body(fh, "POST", "/exec");
	CU_ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(b, "runAsync")));
	CU_ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(b,
							"suppressInputEcho")));
	cJSON_Delete(b);
	CU_ASSERT_EQUAL(dt_fake_sessions(fh, id, NULL, &busy), 1);
	CU_ASSERT_EQUAL(busy, 0);
	/* ended: its session kept, idle, for the next command */
	release(a, id);
	CU_ASSERT_EQUAL(dt_fake_sessions(fh, id, NULL, &busy), 1);
	CU_ASSERT_EQUAL(busy, 0);
	CU_ASSERT_EQUAL(pm()->status(&st, a, &dt_no_call, id, 0, &err),
			WSP_ENOTFOUND);
	CU_ASSERT_FALSE(listed(a, id, ""));

	/* whole lines are there while it runs, with their newline */
	CU_ASSERT_FATAL(spawn(id, a, "echo live; sleep 30", WSP_STDIN_IGNORE,
			      0) == 0);
	for (int i = 0; i < 250; i++) {
		CU_ASSERT_EQUAL(read_all(&t, &st, a, id, NULL), 0);
		if (t.out_len)
			break;
		usleep(20 * 1000);
	}
	CU_ASSERT_STRING_EQUAL(t.out, "live\n");
	CU_ASSERT_EQUAL(st.state, WSP_PROC_RUNNING);
	CU_ASSERT_EQUAL(st.stdout_total, 5);
	release(a, id);

	/* a missing working directory: exit 127, nothing as output */
	{
		wsp_spawn_opts so = WSP_SPAWN_OPTS_INIT;

		so.shell = "pwd";
		so.cwd = "/no/such/dir";
		CU_ASSERT_EQUAL(pm()->spawn(id, a, &dt_no_call, &so, &err), 0);
		st = wait_for(a, id);
		CU_ASSERT_EQUAL(st.exit_code, 127);
		CU_ASSERT_EQUAL(st.stdout_total + st.stderr_total, 0);
	}
	/* destroyed with a process not released: its record goes too */
	CU_ASSERT_EQUAL(dt_desc()->sandbox->destroy(a, &dt_no_call, 0, &err),
			0);
	CU_ASSERT_FALSE(listed(a, id, "pwd"));
	CU_ASSERT_EQUAL(pm()->status(&st, a, &dt_no_call, id, 0, &err),
			WSP_ENOTFOUND);
	dt_box_close(fh, a);
}

/* stdin: exact bytes, end of file, refusals */
static void test_stdin(void)
{
	wsp_fakehost *fh = NULL;
	void *a = NULL;
	wsp_error err = { 0 };
	wsp_proc_status st = { .struct_size = sizeof(st) };
	char id[WSP_PROC_ID_MAX], big[100000];
	struct test_text t;
	size_t i;

	CU_ASSERT_FATAL(dt_box_open(&fh, &a, NULL, &err) == 0);
	CU_ASSERT_FATAL(spawn(id, a, "cat; echo eof", WSP_STDIN_PIPE, 0) == 0);
	CU_ASSERT_EQUAL(pm()->status(&st, a, &dt_no_call, id, 0, &err), 0);
	CU_ASSERT_EQUAL(st.stdin_open, 1);
	/* no newline added (the toolbox adds one to every input) */
	CU_ASSERT_EQUAL(pm()->write_stdin(a, &dt_no_call, id, "ab", 2, 0,
					  &err), 0);
	CU_ASSERT_EQUAL(pm()->write_stdin(a, &dt_no_call, id, "c\n'd", 4, 0,
					  &err), 0);
	CU_ASSERT_EQUAL(pm()->close_stdin(a, &dt_no_call, id, 0, &err), 0);
	CU_ASSERT_EQUAL(pm()->write_stdin(a, &dt_no_call, id, "x", 1, 0,
					  &err), WSP_EINVAL);
	st = wait_for(a, id);
	CU_ASSERT_EQUAL(st.state, WSP_PROC_EXITED);
	CU_ASSERT_EQUAL(st.exit_code, 0);
	CU_ASSERT_EQUAL(st.stdin_open, 0);
	CU_ASSERT_EQUAL(read_all(&t, NULL, a, id, NULL), 0);
	CU_ASSERT_STRING_EQUAL(t.out, "abc\n'deof\n");
	CU_ASSERT_EQUAL(t.err_len, 0);
	release(a, id);

	/* more than one input line's worth, counted by wc */
	for (i = 0; i < sizeof big; i++)
		big[i] = (char)('a' + i % 26);
	CU_ASSERT_FATAL(spawn(id, a, "wc -c", WSP_STDIN_PIPE, 0) == 0);
	CU_ASSERT_EQUAL(pm()->write_stdin(a, &dt_no_call, id, big, sizeof big,
					  0, &err), 0);
	CU_ASSERT_EQUAL(pm()->close_stdin(a, &dt_no_call, id, 0, &err), 0);
	wait_for(a, id);
	CU_ASSERT_EQUAL(read_all(&t, NULL, a, id, NULL), 0);
	CU_ASSERT_EQUAL(atoi(t.out), (int)sizeof big);
	/* after the exit: refused */
	CU_ASSERT_EQUAL(pm()->write_stdin(a, &dt_no_call, id, "x", 1, 0,
					  &err), WSP_EINVAL);
	release(a, id);

	/* ignored stdin: end of file at once, and no pipe to write */
	CU_ASSERT_FATAL(spawn(id, a, "cat; echo done", WSP_STDIN_IGNORE, 0) ==
			0);
	CU_ASSERT_EQUAL(pm()->write_stdin(a, &dt_no_call, id, "x", 1, 0,
					  &err), WSP_EINVAL);
	st = wait_for(a, id);
	CU_ASSERT_EQUAL(st.exit_code, 0);
	CU_ASSERT_EQUAL(read_all(&t, NULL, a, id, NULL), 0);
	CU_ASSERT_STRING_EQUAL(t.out, "done\n");
	release(a, id);
	CU_ASSERT_EQUAL(dt_desc()->sandbox->destroy(a, &dt_no_call, 0, &err),
			0);
	dt_box_close(fh, a);
}

/* SIGTERM to id once it printed something (a fixed pause is a guess a
 * loaded machine can outlast); how it ended. */
static wsp_proc_status term_once_printed(struct test_text *t, void *self,
					 const char *id)
{
	wsp_error err = {0};

	for (int i = 0; i < 1000; i++) {
		CU_ASSERT_EQUAL(read_all(t, NULL, self, id, NULL), 0);
		if (t->out_len)
			break;
		usleep(20 * 1000);
	}
	CU_ASSERT_EQUAL(pm()->signal(self, &dt_no_call, id, SIGTERM, 0, &err),
			0);
	return wait_for(self, id);
}

/* signals to the group, a timeout, nothing written on stderr by them */
static void test_signals(void)
{
	wsp_fakehost *fh = NULL;
	void *a = NULL;
	wsp_error err = { 0 };
	wsp_proc_status st = { .struct_size = sizeof(st) };
	wsp_exec_opts e = WSP_EXEC_OPTS_INIT;
	wsp_exec_result r = { .struct_size = sizeof(r) };
	char id[WSP_PROC_ID_MAX];
	struct test_text t;

	CU_ASSERT_FATAL(dt_box_open(&fh, &a, NULL, &err) == 0);
	CU_ASSERT_FATAL(spawn(id, a,
			      "(sleep 1; echo alive > mark) & echo up; "
			      "sleep 30",
			      WSP_STDIN_IGNORE, 0) == 0);
	st = term_once_printed(&t, a, id);
	CU_ASSERT_EQUAL(st.state, WSP_PROC_SIGNALED);
	CU_ASSERT_EQUAL(st.term_signal, SIGTERM);
	CU_ASSERT_EQUAL(st.timed_out, 0);
	CU_ASSERT_EQUAL(read_all(&t, NULL, a, id, NULL), 0);
	CU_ASSERT_STRING_EQUAL(t.out, "up\n");
	CU_ASSERT_EQUAL(t.err_len, 0); /* no "Terminated" from the shell */
	/* signalling one that ended is no error */
	CU_ASSERT_EQUAL(pm()->signal(a, &dt_no_call, id, SIGKILL, 0, &err), 0);
	CU_ASSERT_EQUAL(pm()->signal(a, &dt_no_call, id, 0, 0, &err),
			WSP_EINVAL);
	release(a, id);
	/* the group's child never wrote its mark */
	usleep(1200 * 1000);
	e.shell = "ls mark 2>&1 || true";
	CU_ASSERT_EQUAL(dt_desc()->sandbox->exec(&r, a, &dt_no_call, &e, &err),
			0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.stdout_data, "No such file"));
	wsp_fakehost_host(fh)->free(wsp_fakehost_host(fh), r.stdout_data);
	wsp_fakehost_host(fh)->free(wsp_fakehost_host(fh), r.stderr_data);

	/* a process that handles the signal exits as it chooses */
	CU_ASSERT_FATAL(spawn(id, a, "trap 'echo bye; exit 3' TERM; "
				     "echo ready; while :; do sleep 0.1; done",
			      WSP_STDIN_IGNORE, 0) == 0);
	st = term_once_printed(&t, a, id);
	CU_ASSERT_EQUAL(st.state, WSP_PROC_EXITED);
	CU_ASSERT_EQUAL(st.exit_code, 3);
	release(a, id);

	/* its own timeout: SIGKILL, timed_out */
	CU_ASSERT_FATAL(spawn(id, a, "sleep 30", WSP_STDIN_IGNORE, 300) == 0);
	st = wait_for(a, id);
	CU_ASSERT_EQUAL(st.state, WSP_PROC_SIGNALED);
	CU_ASSERT_EQUAL(st.term_signal, SIGKILL);
	CU_ASSERT_EQUAL(st.timed_out, 1);
	CU_ASSERT_EQUAL(read_all(&t, NULL, a, id, NULL), 0);
	CU_ASSERT_EQUAL(t.err_len, 0);
	release(a, id);
	CU_ASSERT_EQUAL(dt_desc()->sandbox->destroy(a, &dt_no_call, 0, &err),
			0);
	dt_box_close(fh, a);
}

static void *cancel_later(void *call)
{
	usleep(300 * 1000);
	wsp_fakehost_call_cancel(call);
	return NULL;
}

/*
 * Waits that run out or are canceled; another wsp (a restart) finds,
 * reads and releases a process; a sandbox stopped under it loses it.
 */
static void test_wait_restart(void)
{
	wsp_fakehost *fh = NULL;
	void *a = NULL, *b = NULL;
	wsp_error err = { 0 };
	wsp_proc_status st = { .struct_size = sizeof(st) };
	wsp_output_opts o = WSP_OUTPUT_OPTS_INIT;
	char id[WSP_PROC_ID_MAX], id2[WSP_PROC_ID_MAX], path[200];
	wsp_call *call;
	pthread_t th;
	struct test_text t;
	int64_t t0;
	cJSON *j = NULL;

	CU_ASSERT_FATAL(dt_box_open(&fh, &a, NULL, &err) == 0);
	CU_ASSERT_FATAL(spawn(id, a, "echo first; sleep 30", WSP_STDIN_IGNORE,
			      0) == 0);
	CU_ASSERT_EQUAL(pm()->wait(&st, a, &dt_no_call, id, 200, 0, &err),
			WSP_ETIMEDOUT);
	CU_ASSERT_EQUAL(st.state, WSP_PROC_RUNNING);
	call = wsp_fakehost_call(fh, 0);
	CU_ASSERT_FATAL(pthread_create(&th, NULL, cancel_later, call) == 0);
	t0 = time(NULL);
	CU_ASSERT_EQUAL(pm()->wait(&st, a, call, id, -1, 0, &err),
			WSP_ECANCELED);
	pthread_join(th, NULL);
	CU_ASSERT_TRUE(time(NULL) - t0 < 5);
	/* a read whose wait runs out still reads, and says so with success
	 * (a loaded machine may start the command late: read again, up to
	 * 10 s, until its first line is there) */
	o.wait_ms = 200;
	o.streams = WSP_STDOUT;
	memset(&t, 0, sizeof t);
	for (int i = 0; i < 50 && !t.out[0]; i++)
		CU_ASSERT_EQUAL(pm()->read_output(&st, a, &dt_no_call, id, &o,
						  test_text_output, &t, &err),
				0);
	CU_ASSERT_STRING_EQUAL(t.out, "first\n");
	CU_ASSERT_EQUAL(st.state, WSP_PROC_RUNNING);
	/* unknown ids, made-up or malformed */
	CU_ASSERT_EQUAL(pm()->status(&st, a, &dt_no_call,
				     "wsp-proc-0123456789abcdef", 0, &err),
			WSP_ENOTFOUND);
	CU_ASSERT_EQUAL(pm()->signal(a, &dt_no_call, "../x", 9, 0, &err),
			WSP_ENOTFOUND);
	CU_ASSERT_EQUAL(pm()->release(a, &dt_no_call, "", 0, &err),
			WSP_ENOTFOUND);

	/* another instance on the same state store: a wsp restarted */
	CU_ASSERT_FATAL(dt_box_again(&b, fh, &err) == 0);
	CU_ASSERT_TRUE(listed(b, id, "echo first; sleep 30"));
	CU_ASSERT_EQUAL(read_all(&t, &st, b, id, NULL), 0);
	CU_ASSERT_STRING_EQUAL(t.out, "first\n");
	CU_ASSERT_EQUAL(st.state, WSP_PROC_RUNNING);
	CU_ASSERT_EQUAL(pm()->signal(b, &dt_no_call, id, SIGKILL, 0, &err), 0);
	st = wait_for(a, id);
	CU_ASSERT_EQUAL(st.term_signal, SIGKILL);
	release(b, id);
	CU_ASSERT_EQUAL(pm()->status(&st, a, &dt_no_call, id, 0, &err),
			WSP_ENOTFOUND);
	dt_desc()->fini(b);

	/* the sandbox stops under a process (auto-stop): lost */
	CU_ASSERT_FATAL(spawn(id2, a, "sleep 30", WSP_STDIN_IGNORE, 0) == 0);
	{
		const cJSON *all = sandboxes(fh, &j), *sb;

		path[0] = '\0';
		cJSON_ArrayForEach(sb, all)
			if (!strcmp("started", cJSON_GetStringValue(
				     cJSON_GetObjectItem(sb, "state")) ?: ""))
				snprintf(path, sizeof path,
					 "/_fake/sandboxes/%s/autostop",
					 cJSON_GetStringValue(
						 cJSON_GetObjectItem(sb, "id")));
		cJSON_Delete(j);
	}
	CU_ASSERT_EQUAL(dt_fake_call(fh, "POST", path, "{}", NULL), 0);
	usleep(300 * 1000);
	CU_ASSERT_EQUAL(pm()->status(&st, a, &dt_no_call, id2, 0, &err), 0);
	CU_ASSERT_EQUAL(st.state, WSP_PROC_LOST);
	/* a fresh wsp reads it lost too, and neither started the sandbox */
	CU_ASSERT_FATAL(dt_box_again(&b, fh, &err) == 0);
	CU_ASSERT_EQUAL(pm()->status(&st, b, &dt_no_call, id2, 0, &err), 0);
	CU_ASSERT_EQUAL(st.state, WSP_PROC_LOST);
	CU_ASSERT_EQUAL(pm()->signal(b, &dt_no_call, id2, SIGTERM, 0, &err), 0);
	{
		uint32_t sst = 0;

		CU_ASSERT_EQUAL(dt_desc()->sandbox->status(&sst, b,
							   &dt_no_call, 0,
							   &err), 0);
		CU_ASSERT_EQUAL(sst, WSP_SANDBOX_STOPPED);
	}
	dt_desc()->fini(b);
	release(a, id2);
	CU_ASSERT_EQUAL(pm()->status(&st, a, &dt_no_call, id2, 0, &err),
			WSP_ENOTFOUND);
	CU_ASSERT_EQUAL(dt_desc()->sandbox->destroy(a, &dt_no_call, 0, &err),
			0);
	dt_box_close(fh, a);
}

/* The id of the one started sandbox the fake holds ("" if none). */
static void started_id(wsp_fakehost *fh, char *out, size_t cap)
{
	cJSON *j, *sb;
	const cJSON *all = sandboxes(fh, &j);

	out[0] = '\0';
	cJSON_ArrayForEach(sb, all)
		if (!strcmp("started", cJSON_GetStringValue(cJSON_GetObjectItem(
					       sb, "state")) ?: ""))
			snprintf(out, cap, "%s",
				 cJSON_GetStringValue(
					 cJSON_GetObjectItem(sb, "id")));
	cJSON_Delete(j);
}

/* 429 and 5xx on the toolbox: retried by the host, the process intact */
static void test_faults(void)
{
	wsp_fakehost *fh = NULL;
	void *a = NULL;
	wsp_error err = { 0 };
	wsp_proc_status st = { .struct_size = sizeof(st) };
	char id[WSP_PROC_ID_MAX], sbid[80], fault[400];
	uint32_t outcome = 0;
	struct test_text t;

	CU_ASSERT_FATAL(dt_box_open(&fh, &a, NULL, &err) == 0);
	CU_ASSERT_EQUAL(dt_desc()->sandbox->start(&outcome, a, &dt_no_call, 0,
						  &err), 0);
	started_id(fh, sbid, sizeof sbid);
	CU_ASSERT_EQUAL(dt_fake_call(fh, "DELETE", "/_fake/requests", NULL,
				     NULL), 0);
	/* the session's create answered 503 once: sent again */
	snprintf(fault, sizeof fault,
		 "{\"kind\":\"error\",\"status\":503,\"plane\":\"toolbox\","
		 "\"method\":\"POST\",\"path\":\"/toolbox/%s/process/session\"}",
		 sbid);
	CU_ASSERT_EQUAL(dt_fake_call(fh, "POST", "/_fake/faults", fault, NULL),
			0);
	CU_ASSERT_FATAL(spawn(id, a, "echo one; sleep 0.5; echo two",
			      WSP_STDIN_IGNORE, 0) == 0);
	CU_ASSERT_EQUAL(dt_fake_seen(fh, "POST", "/process/session"), 2);
	/* two looks throttled while it runs */
	snprintf(fault, sizeof fault,
		 "{\"kind\":\"rate_limit\",\"count\":2,\"retryAfter\":1,"
		 "\"plane\":\"toolbox\",\"method\":\"GET\","
		 "\"path\":\"/toolbox/%s/process/session/%s/*\"}",
		 sbid, id);
	CU_ASSERT_EQUAL(dt_fake_call(fh, "POST", "/_fake/faults", fault, NULL),
			0);
	st = wait_for(a, id);
	CU_ASSERT_EQUAL(st.state, WSP_PROC_EXITED);
	CU_ASSERT_EQUAL(st.exit_code, 0);
	CU_ASSERT_EQUAL(read_all(&t, NULL, a, id, NULL), 0);
	CU_ASSERT_STRING_EQUAL(t.out, "one\ntwo\n");
	{
		cJSON *left = NULL;

		/* both faults were used up */
		CU_ASSERT_EQUAL(dt_fake_call(fh, "GET", "/_fake/faults", NULL,
					     &left), 0);
		CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_IsArray(left)
				? left : cJSON_GetObjectItem(left, "faults")),
				0);
		cJSON_Delete(left);
	}
	release(a, id);
	CU_ASSERT_EQUAL(dt_desc()->sandbox->destroy(a, &dt_no_call, 0, &err),
			0);
	dt_box_close(fh, a);
}

/*
 * Processes one after another share one session (each released after
 * it ended gives it to the next); a process in a reused session is found
 * again, fed and read by another instance (a wsp restarted), which also
 * deletes it in the end.
 */
static void test_shared(void)
{
	wsp_fakehost *fh = NULL;
	void *a = NULL, *b = NULL;
	wsp_error err = { 0 };
	wsp_proc_status st = { .struct_size = sizeof(st) };
	char id[WSP_PROC_ID_MAX], cmd[64], want[64], first[80] = "",
		now[80] = "";
	uint32_t outcome = 0;
	struct test_text t;
	int i, busy = -1;

	CU_ASSERT_FATAL(dt_box_open(&fh, &a, NULL, &err) == 0);
	CU_ASSERT_EQUAL(dt_desc()->sandbox->start(&outcome, a, &dt_no_call, 0,
						  &err), 0);
	CU_ASSERT_EQUAL(dt_fake_call(fh, "DELETE", "/_fake/requests", NULL,
				     NULL), 0);
	for (i = 0; i < 4; i++) {
		snprintf(cmd, sizeof cmd, "echo run %d", i);
		snprintf(want, sizeof want, "run %d\n", i);
		CU_ASSERT_FATAL(spawn(id, a, cmd, WSP_STDIN_IGNORE, 0) == 0);
		st = wait_for(a, id);
		CU_ASSERT_EQUAL(st.state, WSP_PROC_EXITED);
		CU_ASSERT_EQUAL(read_all(&t, NULL, a, id, NULL), 0);
		CU_ASSERT_STRING_EQUAL(t.out, want);
		release(a, id);
		CU_ASSERT_EQUAL(dt_fake_sessions(fh, NULL, i ? now : first,
						 &busy), 1);
		CU_ASSERT_EQUAL(busy, 0);
	}
	/* four processes, one session: the first's */
	CU_ASSERT_EQUAL(dt_fake_seen(fh, "POST", "/process/session"), 1);
	CU_ASSERT_STRING_EQUAL(now, first);

	/* one in the reused session, its stdin a pipe */
	CU_ASSERT_FATAL(spawn(id, a, "read l; echo \"got $l\"; sleep 0.2",
			      WSP_STDIN_PIPE, 0) == 0);
	CU_ASSERT_EQUAL(dt_fake_sessions(fh, first, NULL, &busy), 1);
	CU_ASSERT_EQUAL(busy, 1);
	/* this wsp ends (no idle session to delete), another takes over */
	dt_desc()->fini(a);
	CU_ASSERT_EQUAL(dt_fake_sessions(fh, NULL, NULL, NULL), 1);
	CU_ASSERT_FATAL(dt_box_again(&b, fh, &err) == 0);
	CU_ASSERT_TRUE(listed(b, id, "read l; echo \"got $l\"; sleep 0.2"));
	CU_ASSERT_EQUAL(pm()->write_stdin(b, &dt_no_call, id, "x\n", 2, 0,
					  &err), 0);
	st = wait_for(b, id);
	CU_ASSERT_EQUAL(st.state, WSP_PROC_EXITED);
	CU_ASSERT_EQUAL(st.exit_code, 0);
	CU_ASSERT_EQUAL(read_all(&t, NULL, b, id, NULL), 0);
	CU_ASSERT_STRING_EQUAL(t.out, "got x\n");
	release(b, id);
	CU_ASSERT_EQUAL(dt_fake_seen(fh, "POST", "/process/session"), 1);
	/* its end deletes the session it kept */
	dt_desc()->fini(b);
	CU_ASSERT_EQUAL(dt_fake_sessions(fh, NULL, NULL, NULL), 0);
	CU_ASSERT_FATAL(dt_box_again(&a, fh, &err) == 0);
	CU_ASSERT_EQUAL(dt_desc()->sandbox->destroy(a, &dt_no_call, 0, &err),
			0);
	dt_box_close(fh, a);
}

static CU_TestInfo tests[] = {
	{ "429 and 503 on the toolbox retried", test_faults },
	{ "spawn, list, status, exact output, offsets, tails, release",
	  test_output },
	{ "stdin: exact bytes, close, refusals", test_stdin },
	{ "signals to the group, a handled signal, timeout", test_signals },
	{ "waits, cancel, another wsp, a stopped sandbox",
	  test_wait_restart },
	{ "processes one after another share a session, across instances",
	  test_shared },
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("sandbox-daytona processes against the fake", dt_suite_start,
	      dt_suite_stop, tests)
