/*
 * tests/sandbox-local/test_timeout.c - deadlines and cancel: the whole
 * process group is stopped (SIGTERM, then SIGKILL after kill_grace), exec
 * returns within the grace even when grandchildren ignore SIGTERM or keep
 * the pipes open, and nothing is left running.
 */
#include "cu_main.h"
#include "fake_host.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct fake_sandbox fs;

static int run(wsp_exec_result *res, wsp_exec_opts *o, wsp_error *err)
{
	memset(res, 0, sizeof(*res));
	res->struct_size = sizeof(*res);
	return fs.desc->sandbox->exec(res, fs.self, o, err);
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

static void test_default_timeout_applied(void)
{
	const char *const opts[] = { "isolation=none", "timeout=300ms",
				     "kill_grace=200ms", NULL };
	wsp_exec_result res;
	wsp_error err = { 0 };
	long long t0, took;

	CU_ASSERT_EQUAL_FATAL(fake_open(&fs, opts, &err), 0);
	t0 = fake_now_ms();
	CU_ASSERT_EQUAL_FATAL(fake_sh(&fs, &res, "echo started; sleep 20",
				      &err), 0);
	took = fake_now_ms() - t0;
	CU_ASSERT(took >= 300 && took < 3000);
	CU_ASSERT_EQUAL(res.exit_code, 124);
	CU_ASSERT(res.flags & WSP_EXEC_TIMED_OUT);
	CU_ASSERT(res.flags & WSP_EXEC_KILLED);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, "started\n");
	fake_result_release(&res);
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
	/* NONE: runs past the configured 200ms */
	o.shell = "sleep 0.6; echo done";
	o.timeout_ms = WSP_TIMEOUT_NONE;
	CU_ASSERT_EQUAL_FATAL(run(&res, &o, &err), 0);
	CU_ASSERT_EQUAL(res.exit_code, 0);
	CU_ASSERT_EQUAL(res.flags, 0);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, "done\n");
	fake_result_release(&res);
	/* longer explicit deadline */
	o.timeout_ms = 5000;
	CU_ASSERT_EQUAL_FATAL(run(&res, &o, &err), 0);
	CU_ASSERT_EQUAL(res.exit_code, 0);
	fake_result_release(&res);
	/* shorter explicit deadline */
	o.shell = "sleep 10";
	o.timeout_ms = 100;
	t0 = fake_now_ms();
	CU_ASSERT_EQUAL_FATAL(run(&res, &o, &err), 0);
	CU_ASSERT(fake_now_ms() - t0 < 3000);
	CU_ASSERT_EQUAL(res.exit_code, 124);
	CU_ASSERT(res.flags & WSP_EXEC_TIMED_OUT);
	fake_result_release(&res);
	fake_close(&fs);
}

/*
 * sh starts two grandchildren that ignore SIGTERM (one in the background,
 * writing to the pipes), and ignores SIGTERM itself: only the SIGKILL after
 * the grace ends them, and exec returns right then.
 */
static void test_grandchildren_ignoring_sigterm(void)
{
	const char *const opts[] = { "isolation=none", "timeout=300ms",
				     "kill_grace=500ms", NULL };
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
	t0 = fake_now_ms();
	CU_ASSERT_EQUAL_FATAL(fake_sh(&fs, &res, cmd, &err), 0);
	took = fake_now_ms() - t0;
	/* deadline 300 + grace 500 = 800ms; returns soon after */
	CU_ASSERT(took >= 780);
	CU_ASSERT(took < 2500);
	CU_ASSERT_EQUAL(res.exit_code, 124);
	CU_ASSERT(res.flags & WSP_EXEC_TIMED_OUT);
	CU_ASSERT_EQUAL(res.term_signal, SIGKILL);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.stdout_data, "tick\n"));
	usleep(100 * 1000);
	CU_ASSERT_EQUAL(pid_file_alive(pid1), 0);
	CU_ASSERT_EQUAL(pid_file_alive(pid2), 0);
	fake_result_release(&res);
	fake_close(&fs);
}

/*
 * The command ends but leaves a grandchild in a session of its own
 * holding stdout open: exec must not wait for that EOF.
 */
static void test_escaped_grandchild_does_not_hang(void)
{
	const char *const opts[] = { "isolation=none", "timeout=20s", NULL };
	wsp_exec_result res;
	wsp_error err = { 0 };
	char cmd[600], pidf[400];
	long long t0;
	FILE *f;
	int pid = 0;

	CU_ASSERT_EQUAL_FATAL(fake_open(&fs, opts, &err), 0);
	snprintf(pidf, sizeof(pidf), "%s/escaped.pid", fs.tmp);
	snprintf(cmd, sizeof(cmd),
		 "setsid sh -c 'echo $$ > %s; exec sleep 30' & "
		 "sleep 0.2; echo main done",
		 pidf);
	t0 = fake_now_ms();
	CU_ASSERT_EQUAL_FATAL(fake_sh(&fs, &res, cmd, &err), 0);
	CU_ASSERT(fake_now_ms() - t0 < 3000);
	CU_ASSERT_EQUAL(res.exit_code, 0);
	CU_ASSERT_EQUAL(res.flags, 0);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, "main done\n");
	fake_result_release(&res);
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
	char cmd[600], pidf[400];

	CU_ASSERT_EQUAL_FATAL(fake_open(&fs, opts, &err), 0);
	snprintf(pidf, sizeof(pidf), "%s/bg.pid", fs.tmp);
	snprintf(cmd, sizeof(cmd),
		 "sh -c 'echo $$ > %s; exec sleep 30' >/dev/null 2>&1 & "
		 "sleep 0.1",
		 pidf);
	CU_ASSERT_EQUAL_FATAL(fake_sh(&fs, &res, cmd, &err), 0);
	CU_ASSERT_EQUAL(res.exit_code, 0);
	usleep(100 * 1000);
	CU_ASSERT_EQUAL(pid_file_alive(pidf), 0);
	fake_result_release(&res);
	fake_close(&fs);
}

struct canceler {
	struct wsp_cancel *c;
	int delay_ms;
};

static void *cancel_later(void *arg)
{
	struct canceler *k = arg;

	usleep((useconds_t)k->delay_ms * 1000);
	fake_cancel_fire(k->c);
	return NULL;
}

static void test_cancel(void)
{
	const char *const opts[] = { "isolation=none", "kill_grace=300ms",
				     NULL };
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	struct wsp_cancel c;
	struct canceler k = { &c, 200 };
	wsp_exec_result res;
	wsp_error err = { 0 };
	pthread_t t;
	long long t0, took;

	CU_ASSERT_EQUAL_FATAL(fake_open(&fs, opts, &err), 0);
	fake_cancel_init(&c);
	o.shell = "trap '' TERM; echo waiting; sleep 20";
	o.cancel = &c;
	t0 = fake_now_ms();
	pthread_create(&t, NULL, cancel_later, &k);
	CU_ASSERT_EQUAL_FATAL(run(&res, &o, &err), 0);
	took = fake_now_ms() - t0;
	pthread_join(t, NULL);
	CU_ASSERT(took >= 450 && took < 2500);
	CU_ASSERT(res.flags & WSP_EXEC_CANCELED);
	CU_ASSERT(res.flags & WSP_EXEC_KILLED);
	CU_ASSERT_EQUAL(res.flags & WSP_EXEC_TIMED_OUT, 0);
	CU_ASSERT_EQUAL(res.exit_code, 130);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, "waiting\n");
	fake_result_release(&res);

	/* already canceled: stopped at once */
	t0 = fake_now_ms();
	CU_ASSERT_EQUAL_FATAL(run(&res, &o, &err), 0);
	CU_ASSERT(fake_now_ms() - t0 < 2000);
	CU_ASSERT(res.flags & WSP_EXEC_CANCELED);
	fake_result_release(&res);
	fake_cancel_destroy(&c);
	fake_close(&fs);
}

static CU_TestInfo tests[] = {
	{ "default timeout applied", test_default_timeout_applied },
	{ "per-call override", test_per_call_override },
	{ "grandchildren ignoring SIGTERM",
	  test_grandchildren_ignoring_sigterm },
	{ "escaped grandchild does not hang",
	  test_escaped_grandchild_does_not_hang },
	{ "leftovers of the group are killed", test_leftovers_killed },
	{ "cancel", test_cancel },
	CU_TEST_INFO_NULL,
};

CU_MAIN("sandbox-local timeouts", tests)
