/*
 * tests/sandbox-daytona/test_pause.c - wsp-sandbox-daytona's pause and
 * resume, archive_on_stop and volumes against the project's Daytona fake:
 * a background process frozen by a pause and running on after the resume
 * (its memory kept), its status as last seen meanwhile, commands and new
 * processes refused while paused (by this wsp and by another on the same
 * state store), a sandbox paused outside wsp refused too, a class that
 * cannot pause stopped instead (status still paused), stop from paused,
 * the archive after a stop, the volumes in the create request, a wait's
 * progress on a terminal or in the log; the routes checked in the fake's
 * request log.
 */
#include "dt_fake.h"

#include <cu_main.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "test_wait.h"

static const wsp_sandbox_vtable *sb(void)
{
	return dt_desc()->sandbox;
}

/* The code of one `sh -c cmd` (its stdout in out when not NULL). */
static int run(void *self, const char *cmd, char *out, size_t cap,
	       wsp_fakehost *fh, wsp_error *err)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	struct dt_run x;

	o.shell = cmd;
	dt_run(&x, self, NULL, &o);
	if (out)
		snprintf(out, cap, "%s", x.r.stdout_data);
	if (err)
		*err = x.err;
	dt_run_release(fh, &x);
	return x.rc;
}

/* The counter the background process keeps in its shell's memory. */
static long count(void *self, wsp_fakehost *fh)
{
	char out[64] = "";

	if (run(self, "cat /tmp/count", out, sizeof out, fh, NULL))
		return -1;
	return atol(out);
}

/*
 * The counter once it reached at least want, or what it last was after
 * 30 s: each look is a command through the toolbox, which a loaded
 * machine can make take a second, so the bound is time, not tries.
 */
static long count_until(void *self, wsp_fakehost *fh, long want)
{
	long long end = test_now_ms() + 30000;
	long n;

	while ((n = count(self, fh)) < want && test_now_ms() < end)
		usleep(50 * 1000);
	return n;
}

/* The process's stdout total once it reached want, or after 30 s. */
static uint64_t stdout_until(void *self, const char *pid, uint64_t want)
{
	wsp_proc_status st = {.struct_size = sizeof st};
	long long end = test_now_ms() + 30000;
	wsp_error err = {0};

	for (;;) {
		if (dt_desc()->procmgr->status(&st, self, &dt_no_call, pid, 0,
					       &err))
			return 0;
		if (st.stdout_total >= want || test_now_ms() >= end)
			return st.stdout_total;
		usleep(50 * 1000);
	}
}

static void test_pause_resume(void)
{
	wsp_fakehost *fh = NULL;
	void *a = NULL, *b = NULL;
	wsp_error err = {0};
	wsp_spawn_opts so = WSP_SPAWN_OPTS_INIT;
	wsp_proc_status st = {.struct_size = sizeof st};
	char id[128], state[32], pid[WSP_PROC_ID_MAX];
	long before, after;
	uint64_t ticks, seen;
	char pid2[WSP_PROC_ID_MAX];

	CU_ASSERT_FATAL(dt_box_open(&fh, &a, NULL, &err) == 0);
	/* counts below are this test's */
	dt_fake_call(fh, "DELETE", "/_fake/requests", NULL, NULL);
	/* Nothing to pause yet. */
	CU_ASSERT_EQUAL(sb()->pause(a, &dt_no_call, 0, &err), WSP_ENOTFOUND);
	/* each count written whole and renamed into place: `>` truncates
	 * first, so a pause between that and the write would show a reader
	 * an empty file after the resume (seen once under ASan in CI) */
	so.shell = "n=0; while :; do n=$((n+1)); echo $n > /tmp/count.new; "
		   "mv -f /tmp/count.new /tmp/count; echo tick; sleep 0.05; "
		   "done";
	CU_ASSERT_FATAL(
		dt_desc()->procmgr->spawn(pid, a, &dt_no_call, &so, &err) == 0);
	dt_stored_id(fh, id, sizeof id);
	CU_ASSERT_TRUE(count_until(a, fh, 3) >= 3);
	/* a look before the pause: what a paused status answers (the log
	 * may lag the file the loop writes) */
	seen = stdout_until(a, pid, 5);
	CU_ASSERT_TRUE(seen >= 5);

	CU_ASSERT_EQUAL(sb()->pause(a, &dt_no_call, 0, &err), 0);
	CU_ASSERT_EQUAL(dt_box_state(a), WSP_SANDBOX_PAUSED);
	dt_fake_state(fh, id, state, sizeof state);
	CU_ASSERT_STRING_EQUAL(state, "paused");
	CU_ASSERT_EQUAL(dt_fake_seen(fh, "POST", "/pause"), 1);
	CU_ASSERT_EQUAL(dt_fake_seen(fh, "POST", "/stop"), 0);
	/* pausing again changes nothing */
	CU_ASSERT_EQUAL(sb()->pause(a, &dt_no_call, 0, &err), 0);

	/* Refused, not resumed by the way: commands, new processes. */
	CU_ASSERT_EQUAL(run(a, "true", NULL, 0, fh, &err), WSP_EBUSY);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "resume"));
	CU_ASSERT_EQUAL(
		dt_desc()->procmgr->spawn(pid2, a, &dt_no_call, &so, &err),
		WSP_EBUSY);
	/* Its status: frozen as last seen, no output growing. */
	CU_ASSERT_EQUAL(
		dt_desc()->procmgr->status(&st, a, &dt_no_call, pid, 0, &err),
		0);
	CU_ASSERT_EQUAL(st.state, WSP_PROC_RUNNING);
	ticks = st.stdout_total;
	CU_ASSERT_EQUAL(ticks, seen);
	usleep(300 * 1000);
	CU_ASSERT_EQUAL(
		dt_desc()->procmgr->status(&st, a, &dt_no_call, pid, 0, &err),
		0);
	CU_ASSERT_EQUAL(st.stdout_total, ticks);
	/* but it cannot be signalled until the resume */
	CU_ASSERT_EQUAL(
		dt_desc()->procmgr->signal(a, &dt_no_call, pid, 15, 0, &err),
		WSP_EBUSY);
	/* another wsp on this machine sees the hold */
	CU_ASSERT_FATAL(dt_box_again(&b, fh, &err) == 0);
	CU_ASSERT_EQUAL(run(b, "true", NULL, 0, fh, &err), WSP_EBUSY);
	CU_ASSERT_EQUAL(dt_box_state(b), WSP_SANDBOX_PAUSED);
	CU_ASSERT_EQUAL(dt_fake_seen(fh, "POST", "/start"), 0);
	dt_fake_state(fh, id, state, sizeof state);
	CU_ASSERT_STRING_EQUAL(state, "paused");

	/* Resumed (by the other wsp): the same process counts on. */
	CU_ASSERT_EQUAL(sb()->resume(b, &dt_no_call, 0, &err), 0);
	CU_ASSERT_EQUAL(dt_box_state(a), WSP_SANDBOX_RUNNING);
	CU_ASSERT_EQUAL(dt_fake_seen(fh, "POST", "/start"), 1);
	CU_ASSERT_EQUAL(
		dt_desc()->procmgr->status(&st, a, &dt_no_call, pid, 0, &err),
		0);
	CU_ASSERT_EQUAL(st.state, WSP_PROC_RUNNING);
	CU_ASSERT_TRUE(st.stdout_total >= ticks);
	before = count(a, fh);
	CU_ASSERT_TRUE(before >= 3);
	after = count_until(a, fh, before + 3);
	CU_ASSERT_TRUE(after >= before + 3);
	/* resuming a running sandbox leaves it as it is */
	CU_ASSERT_EQUAL(sb()->resume(a, &dt_no_call, 0, &err), 0);
	CU_ASSERT_EQUAL(dt_fake_seen(fh, "POST", "/start"), 1);
	dt_desc()->fini(b);

	/* Stop works on a paused sandbox and ends the pause: a command
	 * starts it again, as after any stop. */
	CU_ASSERT_EQUAL(sb()->pause(a, &dt_no_call, 0, &err), 0);
	CU_ASSERT_EQUAL(sb()->stop(a, &dt_no_call, 0, &err), 0);
	CU_ASSERT_EQUAL(dt_box_state(a), WSP_SANDBOX_STOPPED);
	CU_ASSERT_EQUAL(run(a, "true", NULL, 0, fh, &err), 0);
	CU_ASSERT_EQUAL(dt_box_state(a), WSP_SANDBOX_RUNNING);
	CU_ASSERT_EQUAL(dt_fake_seen(fh, "POST", "/archive"), 0);
	CU_ASSERT_EQUAL(sb()->destroy(a, &dt_no_call, 0, &err), 0);
	dt_box_close(fh, a);
}

static void test_pause_elsewhere(void)
{
	wsp_fakehost *fh = NULL;
	void *a = NULL;
	wsp_error err = {0};
	uint32_t outcome;
	char id[128], path[200], body[400];
	size_t lines;

	CU_ASSERT_FATAL(dt_box_open(&fh, &a, NULL, &err) == 0);
	CU_ASSERT_EQUAL(run(a, "true", NULL, 0, fh, &err), 0);
	dt_stored_id(fh, id, sizeof id);

	/* Paused by another client (or auto-pause): refused, not resumed. */
	snprintf(path, sizeof path, "/api/sandbox/%s/pause", id);
	CU_ASSERT_EQUAL(dt_fake_call(fh, "POST", path, NULL, NULL), 0);
	usleep(300 * 1000);
	CU_ASSERT_EQUAL(run(a, "true", NULL, 0, fh, &err), WSP_EBUSY);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "outside this wsp"));
	CU_ASSERT_EQUAL(dt_box_state(a), WSP_SANDBOX_PAUSED);
	/* an explicit start resumes it */
	CU_ASSERT_EQUAL(sb()->start(&outcome, a, &dt_no_call, 0, &err), 0);
	CU_ASSERT_EQUAL(outcome, WSP_START_CONNECTED);
	CU_ASSERT_EQUAL(run(a, "true", NULL, 0, fh, &err), 0);

	/* A class that cannot pause (Daytona refuses, 400): stopped in its
	 * place, said at info level; still paused to wsp until resumed. */
	wsp_fakehost_log_clear(fh);
	snprintf(body, sizeof body,
		 "{\"kind\":\"error\",\"status\":400,\"path\":\"%s\","
		 "\"message\":\"Sandbox class does not support pausing\"}",
		 path);
	CU_ASSERT_EQUAL(dt_fake_call(fh, "POST", "/_fake/faults", body, NULL),
			0);
	CU_ASSERT_EQUAL(sb()->pause(a, &dt_no_call, 0, &err), 0);
	lines = wsp_fakehost_log_find(fh, WSP_LOG_INFO, "cannot pause");
	CU_ASSERT_EQUAL(lines, 1);
	dt_fake_state(fh, id, body, sizeof body);
	CU_ASSERT_STRING_EQUAL(body, "stopped");
	CU_ASSERT_EQUAL(dt_box_state(a), WSP_SANDBOX_PAUSED);
	CU_ASSERT_EQUAL(run(a, "true", NULL, 0, fh, &err), WSP_EBUSY);
	CU_ASSERT_EQUAL(sb()->resume(a, &dt_no_call, 0, &err), 0);
	CU_ASSERT_EQUAL(dt_box_state(a), WSP_SANDBOX_RUNNING);
	CU_ASSERT_EQUAL(run(a, "true", NULL, 0, fh, &err), 0);

	/* Destroyed while paused: gone, the hold with it. */
	CU_ASSERT_EQUAL(sb()->pause(a, &dt_no_call, 0, &err), 0);
	CU_ASSERT_EQUAL(sb()->destroy(a, &dt_no_call, 0, &err), 0);
	CU_ASSERT_EQUAL(dt_box_state(a), WSP_SANDBOX_ABSENT);
	CU_ASSERT_EQUAL(run(a, "true", NULL, 0, fh, &err), 0); /* a new one */
	CU_ASSERT_EQUAL(sb()->destroy(a, &dt_no_call, 0, &err), 0);
	dt_box_close(fh, a);
}

static void test_archive_on_stop(void)
{
	wsp_fakehost *fh = NULL;
	void *a = NULL;
	wsp_error err = {0};
	char id[128], state[32], out[64];

	CU_ASSERT_FATAL(dt_box_open(&fh, &a, "archive_on_stop: true\n", &err) ==
			0);
	/* counts below are this test's */
	dt_fake_call(fh, "DELETE", "/_fake/requests", NULL, NULL);
	CU_ASSERT_EQUAL(run(a, "echo kept > k.txt", NULL, 0, fh, &err), 0);
	dt_stored_id(fh, id, sizeof id);
	CU_ASSERT_EQUAL(sb()->stop(a, &dt_no_call, 0, &err), 0);
	dt_fake_state(fh, id, state, sizeof state);
	CU_ASSERT_STRING_EQUAL(state, "archived");
	CU_ASSERT_EQUAL(dt_fake_seen(fh, "POST", "/stop"), 1);
	CU_ASSERT_EQUAL(dt_fake_seen(fh, "POST", "/archive"), 1);
	CU_ASSERT_EQUAL(dt_box_state(a), WSP_SANDBOX_STOPPED);
	/* stopping it again: already archived, nothing sent */
	CU_ASSERT_EQUAL(sb()->stop(a, &dt_no_call, 0, &err), 0);
	CU_ASSERT_EQUAL(dt_fake_seen(fh, "POST", "/archive"), 1);
	/* a command starts it from the archive, its files there */
	CU_ASSERT_EQUAL(run(a, "cat k.txt", out, sizeof out, fh, &err), 0);
	CU_ASSERT_STRING_EQUAL(out, "kept\n");
	/* a pause is no stop: never archived */
	CU_ASSERT_EQUAL(sb()->pause(a, &dt_no_call, 0, &err), 0);
	dt_fake_state(fh, id, state, sizeof state);
	CU_ASSERT_STRING_EQUAL(state, "paused");
	CU_ASSERT_EQUAL(sb()->destroy(a, &dt_no_call, 0, &err), 0);
	dt_box_close(fh, a);

	/* Daytona deletes such a sandbox at stop: refused when read. */
	CU_ASSERT_NOT_EQUAL(dt_box_open(&fh, &a,
					"archive_on_stop: true\n"
					"ephemeral: true\n",
					&err),
			    0);
	CU_ASSERT_EQUAL(err.code, WSP_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "archive_on_stop"));
	dt_box_close(fh, a);
}

/* The body of the last POST /api/sandbox the fake saw (NULL: none). */
static cJSON *create_body(wsp_fakehost *fh)
{
	cJSON *j = NULL, *r, *body = NULL;
	const char *m, *p, *b;

	if (dt_fake_call(fh, "GET", "/_fake/requests", NULL, &j))
		return NULL;
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(j, "requests"))
	{
		m = cJSON_GetStringValue(cJSON_GetObjectItem(r, "method"));
		p = cJSON_GetStringValue(cJSON_GetObjectItem(r, "path"));
		b = cJSON_GetStringValue(cJSON_GetObjectItem(r, "body"));
		if (m && p && b && !strcmp(m, "POST") &&
		    !strcmp(p, "/api/sandbox")) {
			cJSON_Delete(body);
			body = cJSON_Parse(b);
		}
	}
	cJSON_Delete(j);
	return body;
}

static void refused(const char *yaml, const char *needle)
{
	wsp_fakehost *fh = NULL;
	void *a = NULL;
	wsp_error err = {0};

	CU_ASSERT_NOT_EQUAL(dt_box_open(&fh, &a, yaml, &err), 0);
	CU_ASSERT_EQUAL(err.code, WSP_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, needle));
	if (!strstr(err.message, needle))
		fprintf(stderr, "'%s': %s\n", yaml, err.message);
	dt_box_close(fh, a);
}

static void test_volumes(void)
{
	wsp_fakehost *fh = NULL;
	void *a = NULL;
	wsp_error err = {0};
	cJSON *body, *v, *want;
	char *got = NULL, *exp = NULL;

	CU_ASSERT_FATAL(dt_box_open(&fh, &a,
				    "volumes:\n"
				    "  - team-datasets:/data\n"
				    "  - 3fa85f64-5717-4562-b3fc-2c963f66afa6:"
				    "/mnt/cache:builds/ci\n",
				    &err) == 0);
	CU_ASSERT_EQUAL(run(a, "true", NULL, 0, fh, &err), 0);
	body = create_body(fh);
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	v = cJSON_GetObjectItem(body, "volumes");
	want = cJSON_Parse("[{\"volumeId\":\"team-datasets\","
			   "\"mountPath\":\"/data\"},"
			   "{\"volumeId\":\"3fa85f64-5717-4562-b3fc-"
			   "2c963f66afa6\",\"mountPath\":\"/mnt/cache\","
			   "\"subpath\":\"builds/ci\"}]");
	got = cJSON_PrintUnformatted(v);
	exp = cJSON_PrintUnformatted(want);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_STRING_EQUAL(got, exp);
	cJSON_free(got);
	cJSON_free(exp);
	cJSON_Delete(want);
	cJSON_Delete(body);
	CU_ASSERT_EQUAL(sb()->destroy(a, &dt_no_call, 0, &err), 0);
	dt_box_close(fh, a);

	/* Without the option, no volumes member at all. */
	CU_ASSERT_FATAL(dt_box_open(&fh, &a, NULL, &err) == 0);
	CU_ASSERT_EQUAL(run(a, "true", NULL, 0, fh, &err), 0);
	body = create_body(fh);
	CU_ASSERT_PTR_NOT_NULL(body);
	CU_ASSERT_PTR_NULL(cJSON_GetObjectItem(body, "volumes"));
	cJSON_Delete(body);
	CU_ASSERT_EQUAL(sb()->destroy(a, &dt_no_call, 0, &err), 0);
	dt_box_close(fh, a);

	refused("volumes: [ /data ]\n", "VOLUME:/MOUNT/PATH");
	refused("volumes: [ 'bad name:/data' ]\n", "VOLUME:/MOUNT/PATH");
	refused("volumes: [ 'vol:data' ]\n", "must be absolute");
	refused("volumes: [ 'vol:/' ]\n", "must be absolute");
	refused("volumes: [ 'vol:/a/../etc' ]\n", "must be absolute");
	refused("volumes: [ 'vol:/data/' ]\n", "must be absolute");
	refused("volumes: [ 'vol:/data:/abs' ]\n", "must be relative");
	refused("volumes: [ 'vol:/data:a/../..' ]\n", "must be relative");
	refused("volumes: [ 'a:/data', 'b:/data' ]\n", "two volumes");
}

/* Standard error on a new pseudo-terminal; its master, -1 on failure. */
static int stderr_to_pty(int *saved)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY), s;

	*saved = -1;
	if (m < 0 || grantpt(m) || unlockpt(m) ||
	    (s = open(ptsname(m), O_RDWR | O_NOCTTY)) < 0) {
		if (m >= 0)
			close(m);
		return -1;
	}
	fflush(stderr);
	*saved = dup(STDERR_FILENO);
	dup2(s, STDERR_FILENO);
	close(s);
	return m;
}

static void stderr_back(int saved)
{
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
}

/* What the pseudo-terminal got so far (non-blocking reads). */
static void pty_read(int m, char *out, size_t cap)
{
	size_t n = 0;
	ssize_t k;

	fcntl(m, F_SETFL, O_NONBLOCK);
	while (n + 1 < cap && (k = read(m, out + n, cap - 1 - n)) > 0)
		n += (size_t)k;
	out[n] = '\0';
}

static void test_progress(void)
{
	wsp_fakehost *fh = NULL;
	void *a = NULL;
	wsp_error err = {0};
	uint32_t outcome;
	char tty[4096];
	int m, saved;

	/* Not a terminal: info log lines, state by state. */
	CU_ASSERT_FATAL(dt_box_open(&fh, &a, NULL, &err) == 0);
	CU_ASSERT_EQUAL(dt_fake_call(fh, "POST", "/_fake/faults",
				     "{\"kind\":\"slow_start\",\"ms\":1200}",
				     NULL),
			0);
	CU_ASSERT_EQUAL(sb()->start(&outcome, a, &dt_no_call, 0, &err), 0);
	CU_ASSERT_EQUAL(wsp_fakehost_log_find(fh, WSP_LOG_INFO,
					      "sandbox 'test' creating ("),
			1);
	CU_ASSERT_EQUAL(wsp_fakehost_log_find(fh, WSP_LOG_INFO,
					      "sandbox 'test' started ("),
			1);
	/* a wait that was not needed shows nothing */
	wsp_fakehost_log_clear(fh);
	CU_ASSERT_EQUAL(sb()->start(&outcome, a, &dt_no_call, 0, &err), 0);
	CU_ASSERT_EQUAL(wsp_fakehost_log_find(fh, WSP_LOG_INFO, "started ("),
			0);

	/* A terminal: the lines there, not in the log. */
	CU_ASSERT_EQUAL(sb()->stop(a, &dt_no_call, 0, &err), 0);
	wsp_fakehost_log_clear(fh);
	m = stderr_to_pty(&saved);
	CU_ASSERT_FATAL(m >= 0);
	CU_ASSERT_EQUAL(sb()->start(&outcome, a, &dt_no_call, 0, &err), 0);
	stderr_back(saved);
	pty_read(m, tty, sizeof tty);
	close(m);
	CU_ASSERT_PTR_NOT_NULL(strstr(tty, "wsp: daytona: sandbox 'test' "
					   "starting ("));
	CU_ASSERT_PTR_NOT_NULL(strstr(tty, "sandbox 'test' started ("));
	CU_ASSERT_PTR_NULL(strstr(tty, DT_TEST_KEY));
	CU_ASSERT_EQUAL(wsp_fakehost_log_find(fh, WSP_LOG_INFO, "started ("),
			0);
	CU_ASSERT_EQUAL(sb()->destroy(a, &dt_no_call, 0, &err), 0);
	dt_box_close(fh, a);
}

static CU_TestInfo tests[] = {
	{"pause freezes a process, resume runs it on; refusals meanwhile",
	 test_pause_resume},
	{"paused elsewhere; a class without pause; destroy while paused",
	 test_pause_elsewhere},
	{"archive_on_stop: stop, then archive; refused with ephemeral",
	 test_archive_on_stop},
	{"volumes: in the create request; bad entries refused", test_volumes},
	{"progress: info lines, or on a terminal", test_progress},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("sandbox-daytona: pause, resume, archive, volumes",
	      dt_suite_start, dt_suite_stop, tests)
