/*
 * tests/sandbox-local/test_timeout.c - deadlines and cancel: the whole
 * process group is stopped (SIGTERM, then SIGKILL after kill_grace), exec
 * returns within the grace even when grandchildren ignore SIGTERM or keep
 * the pipes open, and nothing is left running.
 */
#include "cu_main.h"
#include "local_box.h"
#include "test_wait.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct fake_sandbox fs;

static int run_call(wsp_exec_result *res, const wsp_call *call,
		    wsp_exec_opts *o, wsp_error *err)
{
	memset(res, 0, sizeof(*res));
	res->struct_size = sizeof(*res);
	return fs.desc->sandbox->exec(res, fs.self, call, o, err);
}

static int run(wsp_exec_result *res, wsp_exec_opts *o, wsp_error *err)
{
	return run_call(res, &fake_call, o, err);
}

/*
 * True if the process whose pid a file holds still runs (a zombie waiting
 * for a reaper counts as gone), 0 if not, -1 if the file is unusable.
 */
static int pid_file_alive(const char *path)
{
	char stat_path[64], line[512], *close_paren;
	FILE *f = fopen(path, "r");
	int pid = 0;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	if (pid <= 0)
		return -1;
	snprintf(stat_path, sizeof(stat_path), "/proc/%d/stat", pid);
	f = fopen(stat_path, "r");
	if (!f)
		return 0;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	close_paren = strrchr(line, ')');
	return close_paren && close_paren[1] == ' ' && close_paren[2] != 'Z';
}

/*
 * 1 once the process whose pid a file holds is gone (within ms), 0 if it
 * still runs then or the file is unusable. A SIGKILL is delivered a moment
 * after kill() returns, so a test polls instead of checking once.
 */
static int pid_file_gone(const char *path, int ms)
{
	int waited, alive = 1;

	for (waited = 0; waited <= ms && alive == 1; waited += 10) {
		alive = pid_file_alive(path);
		if (alive == 1)
			usleep(10 * 1000);
	}
	return alive == 0;
}

static void test_default_timeout_applied(void)
{
	/* 1 s: time enough for sh to print "started" on a loaded machine */
	const char *const opts[] = { "isolation=none", "timeout=1s",
				     "kill_grace=200ms", NULL };
	wsp_exec_result res;
	wsp_error err = { 0 };
	long long t0, took;

	CU_ASSERT_EQUAL_FATAL(fake_open(&fs, opts, &err), 0);
	t0 = test_now_ms();
	CU_ASSERT_EQUAL_FATAL(fake_sh(&fs, &res, "echo started; sleep 30",
				      &err), 0);
	took = test_now_ms() - t0;
	/* stopped at the deadline, not after the 30 s sleep */
	CU_ASSERT(took >= 1000 && took < 15000);
	CU_ASSERT_EQUAL(res.exit_code, 124);
	CU_ASSERT(res.flags & WSP_EXEC_TIMED_OUT);
	CU_ASSERT(res.flags & WSP_EXEC_KILLED);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, "started\n");
	fake_result_release(&fs, &res);
	fake_close(&fs);
}

static void test_per_call_override(void)
{
	const char *const opts[] = { "isolation=none", "timeout=200ms", NULL };
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result res;
	wsp_error err = { 0 };
	long long t0;

	CU_ASSERT_EQUAL_FATAL(fake_open(&fs, opts, &err), 0);
	/* NO_TIMEOUT: runs past the configured 200ms */
	o.shell = "sleep 0.6; echo done";
	o.flags = WSP_EXEC_NO_TIMEOUT;
	CU_ASSERT_EQUAL_FATAL(run(&res, &o, &err), 0);
	CU_ASSERT_EQUAL(res.exit_code, 0);
	CU_ASSERT_EQUAL(res.flags, 0);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, "done\n");
	fake_result_release(&fs, &res);
	o.flags = 0;
	/* longer explicit deadline */
	o.timeout_ms = 30000;
	CU_ASSERT_EQUAL_FATAL(run(&res, &o, &err), 0);
	CU_ASSERT_EQUAL(res.exit_code, 0);
	fake_result_release(&fs, &res);
	/* shorter explicit deadline */
	o.shell = "sleep 30";
	o.timeout_ms = 100;
	t0 = test_now_ms();
	CU_ASSERT_EQUAL_FATAL(run(&res, &o, &err), 0);
	CU_ASSERT(test_now_ms() - t0 < 15000);
	CU_ASSERT_EQUAL(res.exit_code, 124);
	CU_ASSERT(res.flags & WSP_EXEC_TIMED_OUT);
	fake_result_release(&fs, &res);
	fake_close(&fs);
}

/*
 * sh starts two grandchildren that ignore SIGTERM (one in the background,
 * writing to the pipes), and ignores SIGTERM itself: only the SIGKILL after
 * the grace ends them, and exec returns right then. The deadline leaves
 * the grandchildren time enough to write their pid files first.
 */
static void test_grandchildren_ignoring_sigterm(void)
{
	const char *const opts[] = { "isolation=none", "timeout=1s",
				     "kill_grace=1s", NULL };
	wsp_exec_result res;
	wsp_error err = { 0 };
	char cmd[1200], pid1[400], pid2[400];
	long long t0, took;

	CU_ASSERT_EQUAL_FATAL(fake_open(&fs, opts, &err), 0);
	snprintf(pid1, sizeof(pid1), "%s/gc1.pid", fs.tmp);
	snprintf(pid2, sizeof(pid2), "%s/gc2.pid", fs.tmp);
	snprintf(cmd, sizeof(cmd),
		 "trap '' TERM; "
		 "sh -c 'trap \"\" TERM; echo $$ > %s; "
		 "while :; do echo tick; sleep 0.05; done' & "
		 "sh -c 'trap \"\" TERM; echo $$ > %s; exec sleep 30' & "
		 "wait; wait; sleep 30",
		 pid1, pid2);
	t0 = test_now_ms();
	CU_ASSERT_EQUAL_FATAL(fake_sh(&fs, &res, cmd, &err), 0);
	took = test_now_ms() - t0;
	/*
	 * deadline 1 s + grace 1 s; returns soon after, not never (the tick
	 * loop runs until killed)
	 */
	CU_ASSERT(took >= 1980);
	CU_ASSERT(took < 15000);
	CU_ASSERT_EQUAL(res.exit_code, 124);
	CU_ASSERT(res.flags & WSP_EXEC_TIMED_OUT);
	CU_ASSERT_EQUAL(res.term_signal, SIGKILL);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.stdout_data, "tick\n"));
	CU_ASSERT(pid_file_gone(pid1, 10000));
	CU_ASSERT(pid_file_gone(pid2, 10000));
	fake_result_release(&fs, &res);
	fake_close(&fs);
}

/*
 * The command ends but leaves a grandchild in a session of its own
 * holding stdout open: exec must not wait for that EOF.
 */
static void test_escaped_grandchild_does_not_hang(void)
{
	const char *const opts[] = { "isolation=none", "timeout=60s", NULL };
	wsp_exec_result res;
	wsp_error err = { 0 };
	char cmd[1200], pidf[400];
	long long t0;
	FILE *f;
	int pid = 0;

	CU_ASSERT_EQUAL_FATAL(fake_open(&fs, opts, &err), 0);
	snprintf(pidf, sizeof(pidf), "%s/escaped.pid", fs.tmp);
	/* main waits for the pid file so the test can clean up after it */
	snprintf(cmd, sizeof(cmd),
		 "setsid sh -c 'echo $$ > %s; exec sleep 60' & "
		 "while [ ! -s %s ]; do sleep 0.01; done; echo main done",
		 pidf, pidf);
	t0 = test_now_ms();
	CU_ASSERT_EQUAL_FATAL(fake_sh(&fs, &res, cmd, &err), 0);
	/* not the escaped sleep's 60 s (nor the 60 s timeout) */
	CU_ASSERT(test_now_ms() - t0 < 20000);
	CU_ASSERT_EQUAL(res.exit_code, 0);
	CU_ASSERT_EQUAL(res.flags, 0);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, "main done\n");
	fake_result_release(&fs, &res);
	/* it escaped our group on purpose; clean it up ourselves */
	f = fopen(pidf, "r");
	if (f) {
		if (fscanf(f, "%d", &pid) == 1 && pid > 0)
			kill(pid, SIGKILL);
		fclose(f);
	}
	CU_ASSERT(pid > 0);
	fake_close(&fs);
}

/* Background children in the command's group die with it. */
static void test_leftovers_killed(void)
{
	const char *const opts[] = { "isolation=none", NULL };
	wsp_exec_result res;
	wsp_error err = { 0 };
	char cmd[1200], pidf[400];

	CU_ASSERT_EQUAL_FATAL(fake_open(&fs, opts, &err), 0);
	snprintf(pidf, sizeof(pidf), "%s/bg.pid", fs.tmp);
	snprintf(cmd, sizeof(cmd),
		 "sh -c 'echo $$ > %s; exec sleep 30' >/dev/null 2>&1 & "
		 "while [ ! -s %s ]; do sleep 0.01; done",
		 pidf, pidf);
	CU_ASSERT_EQUAL_FATAL(fake_sh(&fs, &res, cmd, &err), 0);
	CU_ASSERT_EQUAL(res.exit_code, 0);
	CU_ASSERT(pid_file_gone(pidf, 10000));
	fake_result_release(&fs, &res);
	fake_close(&fs);
}

struct canceler {
	wsp_call *call;
	const char *ready;    /* fire once the command wrote this file */
	long long fired_at;   /* test_now_ms() when it fired */
};

static void *cancel_when_ready(void *arg)
{
	struct canceler *k = arg;

	test_wait_file(k->ready, 30000);
	k->fired_at = test_now_ms();
	wsp_fakehost_call_cancel(k->call);
	return NULL;
}

static void test_cancel(void)
{
	const char *const opts[] = { "isolation=none", "kill_grace=300ms",
				     NULL };
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_call *call;
	char ready[400], cmd[600];
	struct canceler k = { NULL, ready, 0 };
	wsp_exec_result res;
	wsp_error err = { 0 };
	pthread_t t;
	long long t0, end;

	CU_ASSERT_EQUAL_FATAL(fake_open(&fs, opts, &err), 0);
	/* a call of the fake host: the core's own cancel token */
	k.call = call = fake_call_new(&fs);
	/* canceled once the trap is set and "waiting" is out */
	snprintf(ready, sizeof(ready), "%s/ready", fs.tmp);
	snprintf(cmd, sizeof(cmd),
		 "trap '' TERM; echo waiting; echo > %s; sleep 30", ready);
	o.shell = cmd;
	t0 = test_now_ms();
	pthread_create(&t, NULL, cancel_when_ready, &k);
	CU_ASSERT_EQUAL_FATAL(run_call(&res, call, &o, &err), 0);
	end = test_now_ms();
	pthread_join(t, NULL);
	/* SIGTERM ignored: the 300 ms grace, then SIGKILL; not the sleep */
	CU_ASSERT(end - k.fired_at >= 290);
	CU_ASSERT(end - t0 < 15000);
	CU_ASSERT(res.flags & WSP_EXEC_CANCELED);
	CU_ASSERT(res.flags & WSP_EXEC_KILLED);
	CU_ASSERT_EQUAL(res.flags & WSP_EXEC_TIMED_OUT, 0);
	CU_ASSERT_EQUAL(res.exit_code, 130);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, "waiting\n");
	fake_result_release(&fs, &res);

	/* already canceled: refused, the command never starts */
	unlink(ready);
	CU_ASSERT_EQUAL(run_call(&res, call, &o, &err), WSP_ECANCELED);
	CU_ASSERT_PTR_NULL(res.stdout_data);
	CU_ASSERT_NOT_EQUAL(access(ready, F_OK), 0);
	fake_close(&fs);
}

/*
 * The call's deadline ends the command as its own timeout does, whichever
 * comes first; one passed already starts nothing.
 */
static void test_call_deadline(void)
{
	const char *const opts[] = {"isolation=none", "timeout=30s", NULL};
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_call call = {sizeof(call), 0, NULL, 0};
	wsp_exec_result res;
	wsp_error err = {0};
	char mark[400], cmd[600];
	long long t0;

	CU_ASSERT_EQUAL_FATAL(fake_open(&fs, opts, &err), 0);
	o.shell = "echo started; sleep 30";
	call.deadline_ms = test_now_ms() + 300;
	t0 = test_now_ms();
	CU_ASSERT_EQUAL_FATAL(run_call(&res, &call, &o, &err), 0);
	CU_ASSERT(test_now_ms() - t0 >= 290);
	CU_ASSERT(test_now_ms() - t0 < 15000);
	CU_ASSERT(res.flags & WSP_EXEC_TIMED_OUT);
	CU_ASSERT_EQUAL(res.exit_code, 124);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, "started\n");
	fake_result_release(&fs, &res);

	/* its own, shorter timeout still wins */
	o.timeout_ms = 100;
	call.deadline_ms = test_now_ms() + 20000;
	t0 = test_now_ms();
	CU_ASSERT_EQUAL_FATAL(run_call(&res, &call, &o, &err), 0);
	CU_ASSERT(test_now_ms() - t0 < 10000);
	CU_ASSERT(res.flags & WSP_EXEC_TIMED_OUT);
	fake_result_release(&fs, &res);

	snprintf(mark, sizeof(mark), "%s/ran", fs.tmp);
	snprintf(cmd, sizeof(cmd), "echo > %s", mark);
	o.shell = cmd;
	call.deadline_ms = test_now_ms() - 1;
	CU_ASSERT_EQUAL(run_call(&res, &call, &o, &err), WSP_ETIMEDOUT);
	CU_ASSERT_NOT_EQUAL(access(mark, F_OK), 0);
	fake_close(&fs);
}

static CU_TestInfo tests[] = {
	{"default timeout applied", test_default_timeout_applied},
	{"per-call override", test_per_call_override},
	{"grandchildren ignoring SIGTERM", test_grandchildren_ignoring_sigterm},
	{"escaped grandchild does not hang",
	 test_escaped_grandchild_does_not_hang},
	{"leftovers of the group are killed", test_leftovers_killed},
	{"cancel", test_cancel},
	{"call deadline", test_call_deadline},
	CU_TEST_INFO_NULL,
};

CU_MAIN("sandbox-local timeouts", tests)
