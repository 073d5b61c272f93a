/*
 * tests/sandbox-local/test_limits.c - resource limits are applied to the
 * command and the result says which one stopped it.
 */
#include "cu_main.h"
#include "local_box.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static struct fake_sandbox fs;

static void open_with(const char *const *opts)
{
	wsp_error err = { 0 };

	if (fake_open(&fs, opts, &err) != 0) {
		fprintf(stderr, "init: %s\n", err.message);
		CU_FAIL_FATAL("init failed");
	}
}

static void test_file_size(void)
{
	const char *const opts[] = { "isolation=none",
				     "file_size_limit=1MiB", NULL };
	wsp_exec_result res;
	wsp_error err = { 0 };
	char path[400];
	struct stat st;

	open_with(opts);
	CU_ASSERT_EQUAL_FATAL(
		fake_sh(&fs, &res, "head -c 3000000 /dev/zero > big; echo $?",
			&err), 0);
	/* the shell survives and reports head's SIGXFSZ as 128+25 */
	CU_ASSERT_STRING_EQUAL(res.stdout_data, "153\n");
	fake_result_release(&fs, &res);
	snprintf(path, sizeof(path), "%s/big", fs.workdir);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_size, 1024 * 1024);

	/* when the command itself dies of it, the result says so */
	CU_ASSERT_EQUAL_FATAL(
		fake_sh(&fs, &res, "exec head -c 3000000 /dev/zero > big2",
			&err), 0);
	CU_ASSERT_EQUAL(res.term_signal, SIGXFSZ);
	CU_ASSERT(res.flags & WSP_EXEC_LIMIT);
	CU_ASSERT_EQUAL(res.limit, WSP_LIMIT_FILE_SIZE);
	CU_ASSERT_EQUAL(res.flags & WSP_EXEC_KILLED, 0);
	fake_result_release(&fs, &res);

	/* ...also through a shell that reports 128+SIGXFSZ */
	CU_ASSERT_EQUAL_FATAL(
		fake_sh(&fs, &res, "head -c 3000000 /dev/zero > big3; "
				   "exit $?", &err), 0);
	CU_ASSERT_EQUAL(res.exit_code, 153);
	CU_ASSERT_EQUAL(res.limit, WSP_LIMIT_FILE_SIZE);
	fake_result_release(&fs, &res);

	/* a command within the limit is not blamed */
	CU_ASSERT_EQUAL_FATAL(
		fake_sh(&fs, &res, "head -c 1000 /dev/zero > small", &err), 0);
	CU_ASSERT_EQUAL(res.exit_code, 0);
	CU_ASSERT_EQUAL(res.limit, WSP_LIMIT_NONE);
	CU_ASSERT_EQUAL(res.flags, 0);
	fake_result_release(&fs, &res);
	fake_close(&fs);
}

static void test_cpu_time(void)
{
	const char *const opts[] = { "isolation=none", "cpu_time=1s",
				     "timeout=60s", NULL };
	wsp_exec_result res;
	wsp_error err = { 0 };
	long long t0, took;

	open_with(opts);
	t0 = test_now_ms();
	CU_ASSERT_EQUAL_FATAL(
		fake_sh(&fs, &res, "exec awk 'BEGIN { while (1) n++ }'", &err),
		0);
	took = test_now_ms() - t0;
	/*
	 * At least the second of CPU it was allowed; no upper bound on wall
	 * time (a loaded machine stretches it), the 60 s timeout not firing
	 * is what shows the CPU limit stopped it.
	 */
	CU_ASSERT(took >= 900);
	CU_ASSERT_EQUAL(res.term_signal, SIGXCPU);
	CU_ASSERT(res.flags & WSP_EXEC_LIMIT);
	CU_ASSERT_EQUAL(res.limit, WSP_LIMIT_CPU);
	CU_ASSERT_EQUAL(res.flags & WSP_EXEC_TIMED_OUT, 0);
	fake_result_release(&fs, &res);

	/* sleeping uses no CPU: not stopped */
	CU_ASSERT_EQUAL_FATAL(fake_sh(&fs, &res, "sleep 1.2", &err), 0);
	CU_ASSERT_EQUAL(res.exit_code, 0);
	CU_ASSERT_EQUAL(res.limit, WSP_LIMIT_NONE);
	fake_result_release(&fs, &res);
	fake_close(&fs);
}

static void test_memory(void)
{
	const char *const opts[] = { "isolation=none", "memory_limit=64MiB",
				     NULL };
	wsp_exec_result res;
	wsp_error err = { 0 };

	open_with(opts);
	CU_ASSERT_EQUAL_FATAL(
		fake_sh(&fs, &res,
			"dd if=/dev/zero of=/dev/null bs=200M count=1", &err),
		0);
	CU_ASSERT_NOT_EQUAL(res.exit_code, 0);
	CU_ASSERT(res.flags & WSP_EXEC_LIMIT);
	CU_ASSERT_EQUAL(res.limit, WSP_LIMIT_MEMORY);
	fake_result_release(&fs, &res);

	CU_ASSERT_EQUAL_FATAL(
		fake_sh(&fs, &res,
			"dd if=/dev/zero of=/dev/null bs=8M count=1 2>&1",
			&err), 0);
	CU_ASSERT_EQUAL(res.exit_code, 0);
	CU_ASSERT_EQUAL(res.limit, WSP_LIMIT_NONE);
	fake_result_release(&fs, &res);
	fake_close(&fs);
}

/*
 * RLIMIT_NPROC counts the processes of the user and is not enforced for
 * root, so when run as root the check runs in a child that became the
 * unprivileged user nobody (uid 65534).
 */
static int processes_check(void)
{
	const char *const opts[] = { "isolation=none", "max_processes=4",
				     NULL };
	wsp_exec_result res;
	wsp_error err = { 0 };
	int bad = 0;

	if (fake_sh(&fs, &res,
		    "for i in 1 2 3 4 5 6 7 8; do sleep 1 & done; wait",
		    &err) != 0)
		return 10;
	if (!(res.flags & WSP_EXEC_LIMIT) ||
	    res.limit != WSP_LIMIT_PROCESSES) {
		fprintf(stderr, "processes: exit %d limit %u stderr '%s'\n",
			res.exit_code, res.limit, res.stderr_data);
		bad = 11;
	}
	fake_result_release(&fs, &res);
	(void)opts;
	return bad;
}

static void test_processes(void)
{
	const char *const opts[] = { "isolation=none", "max_processes=4",
				     NULL };
	char cmd[400];
	pid_t pid;
	int status = -1;

	open_with(opts);
	if (geteuid() != 0) {
		CU_ASSERT_EQUAL(processes_check(), 0);
		fake_close(&fs);
		return;
	}
	snprintf(cmd, sizeof(cmd), "chown -R 65534:65534 %s", fs.tmp);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	pid = fork();
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(20);
		_exit(processes_check());
	}
	CU_ASSERT_FATAL(pid > 0);
	waitpid(pid, &status, 0);
	CU_ASSERT(WIFEXITED(status));
	CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
	fake_close(&fs);
}

static void test_start_errors_with_limits(void)
{
	const char *const opts[] = { "isolation=none", "file_size_limit=1MiB",
				     NULL };
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result res;
	wsp_error err = { 0 };

	open_with(opts);
	o.argv = (const char *const[]){ "./missing-script", NULL };
	res.struct_size = sizeof(res);
	CU_ASSERT_EQUAL(
		fs.desc->sandbox->exec(&res, fs.self, &fake_call, &o, &err),
		WSP_ENOTFOUND);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "missing-script"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "No such file"));
	fake_close(&fs);
}

static CU_TestInfo tests[] = {
	{ "file size", test_file_size },
	{ "cpu time", test_cpu_time },
	{ "memory", test_memory },
	{ "processes", test_processes },
	{ "start errors with limits", test_start_errors_with_limits },
	CU_TEST_INFO_NULL,
};

CU_MAIN("sandbox-local limits", tests)
