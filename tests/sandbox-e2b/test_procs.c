/*
 * tests/sandbox-e2b/test_procs.c - background processes (their streams
 * held by the sandbox's keeper), against the E2B fake: spawn (Start kept open), output kept
 * with totals and read by offset and tail, stdin written and closed,
 * SIGTERM and SIGKILL by pid, waits that end or run out, the process's
 * own timeout (envd's deadline), release, and output again after a
 * pause and resume (envd drops the streams: lost meanwhile, then the
 * keeper's Connect reattaches).
 */
#include "e2_env.h"
#include "e2b.h"
#include "cu_main.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct box bx;

static const wsp_procmgr_vtable *pm(void)
{
	return bx.d->procmgr;
}

static int spawn_sh(char *id, const char *sh, uint32_t stdin_mode,
		    int64_t timeout_ms, wsp_error *err)
{
	wsp_spawn_opts o = WSP_SPAWN_OPTS_INIT;

	o.shell = sh;
	o.stdin_mode = stdin_mode;
	o.timeout_ms = timeout_ms;
	return pm()->spawn(id, bx.self, box_call(&bx, 30000), &o, err);
}

static int wait_for(wsp_proc_status *st, const char *id, int64_t ms,
		    wsp_error *err)
{
	memset(st, 0, sizeof(*st));
	st->struct_size = sizeof(*st);
	return pm()->wait(st, bx.self, box_call(&bx, 30000), id, ms, 0, err);
}

static int read_all(struct e2_text *t, const char *id, wsp_output_opts *o,
		    wsp_error *err)
{
	wsp_output_opts d = WSP_OUTPUT_OPTS_INIT;

	memset(t, 0, sizeof(*t));
	if (!o)
		o = &d;
	if (!o->streams)
		o->streams = WSP_STDOUT | WSP_STDERR;
	if (!(o->flags & WSP_OUTPUT_STREAM_OFFSETS))
		o->stderr_offset = o->offset;
	return pm()->read_output(NULL, bx.self, box_call(&bx, 30000), id, o,
				 e2_text_into, t, err);
}

static void test_output_and_exit(void)
{
	char id[WSP_PROC_ID_MAX];
	wsp_proc_status st;
	wsp_output_opts o = WSP_OUTPUT_OPTS_INIT;
	struct e2_text t;
	wsp_error err = {0};

	CU_ASSERT_EQUAL_FATAL(spawn_sh(id, "printf 'a\\nb\\nc\\n'; echo e >&2; "
					   "exit 3",
				       WSP_STDIN_IGNORE, 0, &err),
			      0);
	CU_ASSERT_EQUAL_FATAL(wait_for(&st, id, 10000, &err), 0);
	CU_ASSERT_EQUAL(st.state, WSP_PROC_EXITED);
	CU_ASSERT_EQUAL(st.exit_code, 3);
	CU_ASSERT_EQUAL(st.stdout_total, 6);
	CU_ASSERT_EQUAL(st.stderr_total, 2);
	CU_ASSERT_TRUE(st.os_pid > 0);
	CU_ASSERT_EQUAL(read_all(&t, id, NULL, &err), 0);
	CU_ASSERT_STRING_EQUAL(t.out, "a\nb\nc\n");
	CU_ASSERT_STRING_EQUAL(t.errs, "e\n");
	o.offset = 2;
	o.streams = WSP_STDOUT;
	CU_ASSERT_EQUAL(read_all(&t, id, &o, &err), 0);
	CU_ASSERT_STRING_EQUAL(t.out, "b\nc\n");
	o = (wsp_output_opts)WSP_OUTPUT_OPTS_INIT;
	o.tail_lines = 1;
	CU_ASSERT_EQUAL(read_all(&t, id, &o, &err), 0);
	CU_ASSERT_STRING_EQUAL(t.out, "c\n");
	CU_ASSERT_EQUAL(pm()->release(bx.self, box_call(&bx, 30000), id, 0,
				      &err),
			0);
	CU_ASSERT_EQUAL(pm()->status(&st, bx.self, box_call(&bx, 30000), id,
				     0, &err),
			WSP_ENOTFOUND);
}

static void test_stdin(void)
{
	char id[WSP_PROC_ID_MAX];
	wsp_proc_status st;
	struct e2_text t;
	wsp_error err = {0};

	CU_ASSERT_EQUAL_FATAL(spawn_sh(id, "cat; echo eof", WSP_STDIN_PIPE, 0,
				       &err),
			      0);
	CU_ASSERT_EQUAL(pm()->write_stdin(bx.self, box_call(&bx, 30000), id,
					  "a\nb", 3, 0, &err),
			0);
	CU_ASSERT_EQUAL(pm()->close_stdin(bx.self, box_call(&bx, 30000), id, 0,
					  &err),
			0);
	CU_ASSERT_EQUAL_FATAL(wait_for(&st, id, 10000, &err), 0);
	CU_ASSERT_EQUAL(st.exit_code, 0);
	CU_ASSERT_FALSE(st.stdin_open);
	CU_ASSERT_EQUAL(read_all(&t, id, NULL, &err), 0);
	CU_ASSERT_STRING_EQUAL(t.out, "a\nbeof\n");
	CU_ASSERT_EQUAL(pm()->write_stdin(bx.self, box_call(&bx, 30000), id,
					  "x", 1, 0, &err),
			WSP_EINVAL);
	pm()->release(bx.self, box_call(&bx, 30000), id, 0, &err);
}

static void test_signals_and_waits(void)
{
	char id[WSP_PROC_ID_MAX];
	wsp_proc_status st;
	wsp_error err = {0};

	/* at once after the start: the command may still be starting */
	CU_ASSERT_EQUAL_FATAL(spawn_sh(id, "sleep 30", WSP_STDIN_IGNORE, 0,
				       &err),
			      0);
	CU_ASSERT_EQUAL(pm()->signal(bx.self, box_call(&bx, 30000), id,
				     SIGTERM, 0, &err),
			0);
	CU_ASSERT_EQUAL_FATAL(wait_for(&st, id, 10000, &err), 0);
	CU_ASSERT_EQUAL(st.term_signal, SIGTERM);
	pm()->release(bx.self, box_call(&bx, 30000), id, 0, &err);
	CU_ASSERT_EQUAL_FATAL(spawn_sh(id, "sleep 30", WSP_STDIN_IGNORE, 0,
				       &err),
			      0);
	CU_ASSERT_EQUAL(wait_for(&st, id, 200, &err), WSP_ETIMEDOUT);
	CU_ASSERT_EQUAL(st.state, WSP_PROC_RUNNING);
	CU_ASSERT_EQUAL(pm()->signal(bx.self, box_call(&bx, 30000), id,
				     SIGTERM, 0, &err),
			0);
	CU_ASSERT_EQUAL_FATAL(wait_for(&st, id, 10000, &err), 0);
	CU_ASSERT_EQUAL(st.state, WSP_PROC_SIGNALED);
	CU_ASSERT_EQUAL(st.term_signal, SIGTERM);
	pm()->release(bx.self, box_call(&bx, 30000), id, 0, &err);
	CU_ASSERT_EQUAL_FATAL(spawn_sh(id, "sleep 30", WSP_STDIN_IGNORE, 0,
				       &err),
			      0);
	CU_ASSERT_EQUAL(pm()->signal(bx.self, box_call(&bx, 30000), id,
				     SIGKILL, 0, &err),
			0);
	CU_ASSERT_EQUAL_FATAL(wait_for(&st, id, 10000, &err), 0);
	CU_ASSERT_EQUAL(st.term_signal, SIGKILL);
	CU_ASSERT_EQUAL(pm()->signal(bx.self, box_call(&bx, 30000), id,
				     SIGHUP, 0, &err),
			0); /* ended: nothing to send */
	pm()->release(bx.self, box_call(&bx, 30000), id, 0, &err);
	/* its own timeout: envd's deadline kills it */
	CU_ASSERT_EQUAL_FATAL(spawn_sh(id, "sleep 30", WSP_STDIN_IGNORE, 700,
				       &err),
			      0);
	CU_ASSERT_EQUAL_FATAL(wait_for(&st, id, 10000, &err), 0);
	CU_ASSERT_TRUE(st.timed_out);
	CU_ASSERT_NOT_EQUAL(st.state, WSP_PROC_RUNNING);
	pm()->release(bx.self, box_call(&bx, 30000), id, 0, &err);
}

/*
 * Poll id's status until its stdout passed `than` bytes (into *st), up to
 * ms: output resumes once the reattached stream is up, which a loaded
 * machine (CI, a sanitizer build) can make slow; 1 if it grew.
 */
static int output_grows(wsp_proc_status *st, const char *id, uint64_t than,
			int ms)
{
	wsp_error err = {0};
	int waited;

	for (waited = 0; waited <= ms; waited += 50) {
		if (pm()->status(st, bx.self, box_call(&bx, 30000), id, 0,
				 &err) == 0 &&
		    st->stdout_total > than)
			return 1;
		usleep(50 * 1000);
	}
	return 0;
}

/* Poll id's state until it is `state`, up to ms; 1 if it became so. */
static int state_becomes(const char *id, uint32_t state, int ms)
{
	wsp_proc_status st = {.struct_size = sizeof(st)};
	wsp_error err = {0};

	for (int waited = 0; waited <= ms; waited += 50) {
		if (!pm()->status(&st, bx.self, box_call(&bx, 30000), id, 0,
				  &err) &&
		    st.state == state)
			return 1;
		usleep(50 * 1000);
	}
	return 0;
}

static void test_pause_resume_reattach(void)
{
	char id[WSP_PROC_ID_MAX];
	wsp_proc_status st = {.struct_size = sizeof(st)}, st2 = st;
	wsp_error err = {0};
	uint32_t outcome = 0;

	CU_ASSERT_EQUAL_FATAL(spawn_sh(id, "while :; do echo tick; sleep "
					   "0.05; done",
				       WSP_STDIN_IGNORE, 0, &err),
			      0);
	usleep(300 * 1000);
	CU_ASSERT_EQUAL_FATAL(box_vt(&bx)->pause(bx.self, box_call(&bx, 30000),
						 0, &err),
			      0);
	CU_ASSERT_EQUAL(pm()->status(&st, bx.self, box_call(&bx, 30000), id, 0,
				     &err),
			0);
	/* while nobody hears it (envd dropped the stream), it is not shown
	 * running: its keeper lets the log go once envd cannot be asked */
	CU_ASSERT_TRUE(state_becomes(id, WSP_PROC_LOST, 10000));
	CU_ASSERT_EQUAL_FATAL(box_vt(&bx)->resume(bx.self,
						  box_call(&bx, 30000), 0,
						  &err),
			      0);
	CU_ASSERT_TRUE(output_grows(&st2, id, st.stdout_total, 20000));
	CU_ASSERT_EQUAL(st2.state, WSP_PROC_RUNNING);
	/* start resumes a paused sandbox too, and reattaches the same way */
	CU_ASSERT_EQUAL_FATAL(box_vt(&bx)->pause(bx.self, box_call(&bx, 30000),
						 0, &err),
			      0);
	CU_ASSERT_EQUAL_FATAL(box_vt(&bx)->start(&outcome, bx.self,
						 box_call(&bx, 30000), 0,
						 &err),
			      0);
	CU_ASSERT_EQUAL(outcome, WSP_START_CONNECTED);
	CU_ASSERT_TRUE(output_grows(&st, id, st2.stdout_total, 20000));
	CU_ASSERT_EQUAL(st.state, WSP_PROC_RUNNING);
	CU_ASSERT_EQUAL(pm()->release(bx.self, box_call(&bx, 30000), id, 0,
				      &err),
			0);
}

static int suite_init(void)
{
	return e2_suite_start(&bx, "procs-box");
}

static int suite_clean(void)
{
	return e2_suite_stop(&bx);
}

static CU_TestInfo tests[] = {
	{"output, totals, offsets, tails, exit", test_output_and_exit},
	{"stdin written and closed", test_stdin},
	{"signals, waits, its own timeout", test_signals_and_waits},
	{"pause and resume: reattached", test_pause_resume_reattach},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("sandbox-e2b processes", suite_init, suite_clean, tests)
