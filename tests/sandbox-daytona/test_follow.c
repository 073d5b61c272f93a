/*
 * tests/sandbox-daytona/test_follow.c - wsp-sandbox-daytona's foreground
 * exec following the command's log over the toolbox's WebSocket (issue
 * 15), against the project's Daytona fake: bytes that are not UTF-8 exact,
 * 10 MiB streamed (no snapshot fetched, the result keeping its newest
 * max_capture bytes), stdout and stderr apart, the connection dropped
 * mid-stream (plain and by a reset: polling resumes from the bytes
 * already delivered), an upgrade the toolbox refuses (polling, said
 * at info level), a ping answered, and a background process followed.
 */
#include "dt_fake.h"

#include <cu_main.h>
#include <test_text.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const wsp_sandbox_vtable *sb(void)
{
	return dt_desc()->sandbox;
}



/* What on_output saw: bytes per stream, and whether all were 'x'. */
struct seen {
	size_t n[2];
	int not_x;
	char *keep[2]; /* the whole output, when small */
	size_t cap;
};

static int on_out(uint32_t stream, const void *data, size_t n,
		  void *payload)
{
	const char *p = data;
	struct seen *s = payload;
	int i = stream == WSP_STDERR;
	size_t k;

	for (k = 0; k < n && !s->not_x; k++)
		s->not_x = p[k] != 'x';
	if (s->keep[i] && s->n[i] + n <= s->cap)
		memcpy(s->keep[i] + s->n[i], p, n);
	s->n[i] += n;
	return 0;
}




/* Log requests since the last clear: upgrades and plain GETs of logs. */
static void log_gets(wsp_fakehost *fh, int *upgrades, int *snapshots)
{
	cJSON *j = NULL, *r;

	*upgrades = *snapshots = 0;
	CU_ASSERT_EQUAL_FATAL(dt_fake_call(fh, "GET", "/_fake/requests",
					   NULL, &j), 0);
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(j, "requests")) {
		const char *p = cJSON_GetStringValue(
			cJSON_GetObjectItem(r, "path"));
		size_t n = p ? strlen(p) : 0;

		if (n < 5 || strcmp(p + n - 5, "/logs"))
			continue;
		if (cJSON_IsTrue(cJSON_GetObjectItem(r, "upgrade")))
			(*upgrades)++;
		else
			(*snapshots)++;
	}
	cJSON_Delete(j);
}

static void forget_requests(wsp_fakehost *fh)
{
	CU_ASSERT_EQUAL(dt_fake_call(fh, "DELETE", "/_fake/requests", NULL,
				     NULL), 0);
}

static void fault(wsp_fakehost *fh, const char *spec)
{
	CU_ASSERT_EQUAL(dt_fake_call(fh, "POST", "/_fake/faults", spec, NULL),
			0);
}

static void open_box(wsp_fakehost **fh, void **a)
{
	wsp_error err = { 0 };
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	struct dt_run x;

	CU_ASSERT_FATAL(dt_box_open(fh, a, NULL, &err) == 0);
	o.shell = "true"; /* created and started before the checks */
	dt_run(&x, *a, NULL, &o);
	CU_ASSERT_EQUAL(x.rc, 0);
	dt_run_release(*fh, &x);
	forget_requests(*fh);
}

static void close_box(wsp_fakehost *fh, void *a)
{
	wsp_error err = { 0 };

	CU_ASSERT_EQUAL(sb()->destroy(a, &dt_no_call, 0, &err), 0);
	dt_box_close(fh, a);
}

static void test_exact(void)
{
	wsp_fakehost *fh = NULL;
	void *a = NULL;
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	struct dt_run x;
	int up, snap;

	open_box(&fh, &a);
	/*
	 * Bytes that are not UTF-8 (the JSON snapshot turned them into
	 * U+FFFD), 01 bytes short of a marker, no newline at the end, exact.
	 * NUL bytes are dropped by the daemon's own labeler (a bash `read`
	 * loop, as the fake's), before any client sees the log.
	 */
	o.shell = "printf 'a\\000b\\377\\376'; printf 'e\\201r\\001\\001' >&2;"
		  " exit 7";
	dt_run(&x, a, NULL, &o);
	CU_ASSERT_EQUAL(x.rc, 0);
	CU_ASSERT_EQUAL(x.r.exit_code, 7);
	CU_ASSERT_EQUAL(x.r.stdout_len, 4);
	CU_ASSERT_EQUAL(memcmp(x.r.stdout_data, "ab\377\376", 4), 0);
	CU_ASSERT_EQUAL(x.r.stderr_len, 5);
	CU_ASSERT_EQUAL(memcmp(x.r.stderr_data, "e\201r\1\1", 5), 0);
	dt_run_release(fh, &x);
	log_gets(fh, &up, &snap);
	CU_ASSERT_EQUAL(up, 1);
	CU_ASSERT_EQUAL(snap, 0); /* the follow alone: no snapshot */

	/* The streams apart and in order, interleaved in the log. */
	o.shell = "for i in 1 2 3; do echo o$i; echo e$i >&2; done; "
		  "printf tail";
	dt_run(&x, a, NULL, &o);
	CU_ASSERT_EQUAL(x.rc, 0);
	CU_ASSERT_EQUAL(x.r.exit_code, 0);
	CU_ASSERT_STRING_EQUAL(x.r.stdout_data, "o1\no2\no3\ntail");
	CU_ASSERT_STRING_EQUAL(x.r.stderr_data, "e1\ne2\ne3\n");
	dt_run_release(fh, &x);

	/* A cwd that is not there is still told apart from exit 1. */
	o.shell = "echo x";
	o.cwd = "/no/such/dir";
	dt_run(&x, a, NULL, &o);
	CU_ASSERT_EQUAL(x.rc, WSP_ENOTFOUND);
	CU_ASSERT_PTR_NOT_NULL(strstr(x.err.message, "/no/such/dir"));
	close_box(fh, a);
}

static void test_big(void)
{
	wsp_fakehost *fh = NULL;
	void *a = NULL;
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	struct seen s = { { 0, 0 }, 0, { NULL, NULL }, 0 };
	struct dt_run x;
	size_t k;
	int up, snap, all_x = 1;

	open_box(&fh, &a);
	/* 10 MiB in one line: held back only by the trailer's length */
	o.shell = "head -c 10485760 /dev/zero | tr '\\0' x";
	o.on_output = on_out;
	o.payload = &s;
	o.timeout_ms = 120000;
	dt_run(&x, a, NULL, &o);
	CU_ASSERT_EQUAL(x.rc, 0);
	CU_ASSERT_EQUAL(x.r.exit_code, 0);
	CU_ASSERT_EQUAL(s.n[0], 10485760u);
	CU_ASSERT_EQUAL(s.n[1], 0);
	CU_ASSERT_FALSE(s.not_x);
	/* the result keeps the newest max_capture (1 MiB) */
	CU_ASSERT_EQUAL(x.r.stdout_len, 1u << 20);
	CU_ASSERT_EQUAL(x.r.stdout_dropped, 10485760u - (1u << 20));
	for (k = 0; k < x.r.stdout_len; k++)
		all_x &= x.r.stdout_data[k] == 'x';
	CU_ASSERT_TRUE(all_x);
	dt_run_release(fh, &x);
	log_gets(fh, &up, &snap);
	CU_ASSERT_EQUAL(up, 1);
	CU_ASSERT_EQUAL(snap, 0);
	close_box(fh, a);
}

/* The follow breaks after some frames: polling ends the job exactly. */
static void dropped(const char *spec)
{
	wsp_fakehost *fh = NULL;
	void *a = NULL;
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	struct seen s = { { 0, 0 }, 0, { NULL, NULL }, 1 << 20 };
	struct dt_run x;
	char *want;
	size_t wn = 0;
	int i, up, snap;

	open_box(&fh, &a);
	want = malloc(1 << 20);
	s.keep[0] = malloc(1 << 20);
	s.keep[1] = malloc(1 << 20);
	CU_ASSERT_FATAL(want && s.keep[0] && s.keep[1]);
	for (i = 1; i <= 30000; i++)
		wn += (size_t)sprintf(want + wn, "%d\n", i);
	fault(fh, spec);
	o.shell = "seq 1 30000; echo done >&2";
	o.on_output = on_out;
	o.payload = &s;
	dt_run(&x, a, NULL, &o);
	CU_ASSERT_EQUAL(x.rc, 0);
	CU_ASSERT_EQUAL(x.r.exit_code, 0);
	/* every byte once, in order: the callback and the result agree */
	CU_ASSERT_EQUAL(s.n[0], wn);
	CU_ASSERT_EQUAL(x.r.stdout_len, wn);
	CU_ASSERT_EQUAL(memcmp(s.keep[0], want, wn), 0);
	CU_ASSERT_EQUAL(memcmp(x.r.stdout_data, want, wn), 0);
	CU_ASSERT_STRING_EQUAL(x.r.stderr_data, "done\n");
	dt_run_release(fh, &x);
	log_gets(fh, &up, &snap);
	CU_ASSERT_EQUAL(up, 1);
	CU_ASSERT_TRUE(snap >= 1); /* polling took over */
	CU_ASSERT_TRUE(wsp_fakehost_log_find(fh, WSP_LOG_INFO,
					     "polling the log from there") >=
		       1);
	free(want);
	free(s.keep[0]);
	free(s.keep[1]);
	close_box(fh, a);
}

static void test_dropped(void)
{
	dropped("{\"kind\":\"drop\",\"plane\":\"toolbox\",\"method\":\"GET\","
		"\"afterFrames\":5}");
}

static void test_reset(void)
{
	dropped("{\"kind\":\"drop\",\"plane\":\"toolbox\",\"method\":\"GET\","
		"\"afterFrames\":40,\"rst\":true}");
}

/*
 * One exec on a fresh box with a fault armed: its output and exit code,
 * then how the log was read (one upgrade; polled or not) and how often
 * the info log names needle.
 */
struct faulted {
	const char *spec, *shell, *out, *err;
	int exit_code, polled;
	const char *needle;
	size_t needles;
};

static void run_faulted(const struct faulted *f)
{
	wsp_fakehost *fh = NULL;
	void *a = NULL;
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	struct dt_run x;
	int up, snap;

	open_box(&fh, &a);
	fault(fh, f->spec);
	o.shell = f->shell;
	dt_run(&x, a, NULL, &o);
	CU_ASSERT_EQUAL(x.rc, 0);
	CU_ASSERT_EQUAL(x.r.exit_code, f->exit_code);
	CU_ASSERT_STRING_EQUAL(x.r.stdout_data, f->out);
	CU_ASSERT_STRING_EQUAL(x.r.stderr_data, f->err);
	dt_run_release(fh, &x);
	log_gets(fh, &up, &snap);
	CU_ASSERT_EQUAL(up, 1);
	CU_ASSERT_EQUAL(snap > 0, f->polled);
	CU_ASSERT_EQUAL(wsp_fakehost_log_find(fh, WSP_LOG_INFO, f->needle),
			f->needles);
	close_box(fh, a);
}

/* A proxy in front of the toolbox that answers the upgrade 502. */
static void test_refused(void)
{
	static const struct faulted f = {
		"{\"kind\":\"error\",\"status\":502,\"plane\":\"toolbox\","
		"\"method\":\"GET\",\"message\":\"bad gateway\"}",
		"echo out; echo err >&2; exit 4", "out\n", "err\n", 4, 1,
		"refused the log follow's WebSocket (HTTP 502", 1
	};

	run_faulted(&f);
}

/*
 * The toolbox (or a proxy) pings mid-follow, and drops the connection
 * unless the pong comes within a second: the pong keeps it open.
 */
static void test_ping(void)
{
	static const struct faulted f = {
		"{\"kind\":\"ping\",\"plane\":\"toolbox\",\"method\":\"GET\","
		"\"afterFrames\":1}",
		"echo a; sleep 1.5; echo b", "a\nb\n", "", 0, 0, "polling", 0
	};

	run_faulted(&f);
}

/* A background process's output as a follow hands it over. */
struct pfollow {
	struct test_text text;
	void *self;
	const char *id;
	int first_running; /* -1 unknown */
};

static int on_pf(uint32_t stream, const void *data, size_t n, void *payload)
{
	struct pfollow *f = payload;

	if (f->first_running < 0) {
		wsp_proc_status st = { .struct_size = sizeof(st) };
		wsp_error err = { 0 };

		if (!dt_desc()->procmgr->status(&st, f->self, &dt_no_call,
						f->id, 0, &err))
			f->first_running = st.state == WSP_PROC_RUNNING;
	}
	return test_text_add(&f->text, stream, data, n);
}

static void test_proc_follow(void)
{
	const wsp_procmgr_vtable *pm = dt_desc()->procmgr;
	wsp_fakehost *fh = NULL;
	void *a = NULL;
	wsp_spawn_opts so = WSP_SPAWN_OPTS_INIT;
	wsp_output_opts oo = WSP_OUTPUT_OPTS_INIT;
	wsp_proc_status st = { .struct_size = sizeof(st) };
	struct pfollow f = { .first_running = -1 };
	char id[WSP_PROC_ID_MAX];
	wsp_error err = { 0 };
	int up, snap, rc;

	open_box(&fh, &a);
	CU_ASSERT_TRUE(dt_desc()->caps & WSP_CAP_PROC_FOLLOW);
	so.shell = "echo one; sleep 1; echo two >&2; sleep 0.3; echo three";
	so.stdin_mode = WSP_STDIN_IGNORE;
	CU_ASSERT_FATAL(pm->spawn(id, a, &dt_no_call, &so, &err) == 0);
	f.self = a;
	f.id = id;
	oo.streams = WSP_STDOUT | WSP_STDERR; /* the core's default */
	oo.flags = WSP_OUTPUT_FOLLOW;
	rc = pm->read_output(&st, a, &dt_no_call, id, &oo, on_pf, &f, &err);
	CU_ASSERT_EQUAL(rc, 0);
	if (rc)
		fprintf(stderr, "follow: %s\n", err.message);
	CU_ASSERT_STRING_EQUAL(f.text.out, "one\nthree\n");
	CU_ASSERT_STRING_EQUAL(f.text.err, "two\n");
	CU_ASSERT_EQUAL(f.first_running, 1); /* live, not after the exit */
	CU_ASSERT_EQUAL(st.state, WSP_PROC_EXITED);
	CU_ASSERT_EQUAL(st.stdout_total, 10);
	CU_ASSERT_EQUAL(st.stderr_total, 4);
	log_gets(fh, &up, &snap);
	CU_ASSERT_EQUAL(up, 1);

	/* Again from each stream's own offset, once it ended: the rest. */
	memset(&f, 0, sizeof f);
	oo.flags = WSP_OUTPUT_FOLLOW | WSP_OUTPUT_STREAM_OFFSETS;
	oo.offset = 4;
	oo.stderr_offset = 0;
	CU_ASSERT_EQUAL(pm->read_output(&st, a, &dt_no_call, id, &oo, on_pf,
					&f, &err), 0);
	CU_ASSERT_STRING_EQUAL(f.text.out, "three\n");
	CU_ASSERT_STRING_EQUAL(f.text.err, "two\n");
	CU_ASSERT_EQUAL(pm->release(a, &dt_no_call, id, 0, &err), 0);
	close_box(fh, a);
}

static CU_TestInfo tests[] = {
	{ "follow: bytes exact, streams apart, cwd refusal", test_exact },
	{ "follow: 10 MiB streamed, no snapshot", test_big },
	{ "follow: dropped mid-stream, polling resumes", test_dropped },
	{ "follow: reset mid-stream, polling resumes", test_reset },
	{ "follow: upgrade refused, polling", test_refused },
	{ "follow: a ping answered, the follow kept", test_ping },
	{ "follow: a background process's output, live", test_proc_follow },
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("sandbox-daytona's log follow against the fake",
	      dt_suite_start, dt_suite_stop, tests)
