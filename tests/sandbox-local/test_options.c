/*
 * tests/sandbox-local/test_options.c - option values are checked when the
 * instance is created, with messages that name the option and the fix.
 */
#include "cu_main.h"
#include "local_box.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct fake_sandbox fs;

/* init must fail with code, and the message must contain each needle. */
static void refused(const char *const *opts, int code, const char *needle1,
		    const char *needle2)
{
	wsp_error err = { 0 };
	int rc = fake_open(&fs, opts, &err);

	CU_ASSERT_EQUAL(rc, code);
	if (rc == 0)
		fprintf(stderr, "accepted: %s\n", opts[0]);
	else if (!strstr(err.message, needle1) ||
		 (needle2 && !strstr(err.message, needle2)))
		fprintf(stderr, "message: %s\n", err.message);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, needle1));
	if (needle2)
		CU_ASSERT_PTR_NOT_NULL(strstr(err.message, needle2));
	CU_ASSERT_PTR_NULL(fs.self);
	fake_close(&fs);
}

static void test_bad_values(void)
{
	/* the core's duration rule refuses a sign before the plugin sees it */
	refused((const char *const[]){ "timeout=-5s", NULL }, WSP_ECONFIG,
		"'timeout'", "not a duration");
	/* ranges: the option table's, refused by the core with a position */
	refused((const char *const[]){ "kill_grace=11m", NULL }, WSP_ECONFIG,
		"option 'kill_grace' is 11m; it must be at most 10m",
		"options.yaml:");
	refused((const char *const[]){ "isolation=docker", NULL },
		WSP_ECONFIG, "'isolation'", "docker");
	refused((const char *const[]){ "max_capture=0", NULL }, WSP_ECONFIG,
		"option 'max_capture' is 0; it must be 1 to 1GiB", NULL);
	refused((const char *const[]){ "max_capture=2GiB", NULL }, WSP_ECONFIG,
		"option 'max_capture' is 2GiB; it must be 1 to 1GiB", NULL);
	refused((const char *const[]){ "memory_limit=1MiB", NULL },
		WSP_ECONFIG, "'memory_limit'", "16MiB");
	refused((const char *const[]){ "max_processes=-1", NULL },
		WSP_ECONFIG, "option 'max_processes' is -1; it must be at least 0",
		NULL);
	refused((const char *const[]){ "cpu_time=-1s", NULL }, WSP_ECONFIG,
		"'cpu_time'", NULL);
	refused((const char *const[]){ "env=BAD-NAME:x", NULL }, WSP_ECONFIG,
		"'env'", "'BAD-NAME'");
	refused((const char *const[]){ "read_only_paths=/no/such/dir", NULL },
		WSP_ECONFIG, "'read_only_paths'", "/no/such/dir");
	refused((const char *const[]){ "read_write_paths=/", NULL },
		WSP_ECONFIG, "'read_write_paths'", NULL);
	refused((const char *const[]){ "working_dir=/", NULL }, WSP_ECONFIG,
		"'working_dir'", NULL);
	refused((const char *const[]){ "working_dir=/proc/1/nope/ws", NULL },
		WSP_ECONFIG, "working directory", NULL);
}

/*
 * The environment cannot choose the isolation (finding 9 of the security
 * review): WSP_LOCAL_ISOLATION used to override the configuration. With
 * `isolation: bwrap` and no bwrap to be found, commands must still fail
 * rather than run unisolated, whatever the variable says.
 */
static void test_isolation_ignores_env(void)
{
	wsp_error err = { 0 };
	wsp_exec_result res;

	setenv("WSP_LOCAL_ISOLATION", "none", 1);
	CU_ASSERT_EQUAL_FATAL(
		fake_open(&fs, (const char *const[]){ "isolation=bwrap",
						      "path=/nonexistent",
						      NULL },
			  &err),
		0);
	CU_ASSERT_EQUAL(fake_sh(&fs, &res, "exit 0", &err), WSP_EUNAVAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "bwrap"));
	fake_close(&fs);
	/* nor is a value it does not know an error any more */
	setenv("WSP_LOCAL_ISOLATION", "sometimes", 1);
	CU_ASSERT_EQUAL_FATAL(
		fake_open(&fs, (const char *const[]){ "isolation=none", NULL },
			  &err),
		0);
	fake_close(&fs);
	unsetenv("WSP_LOCAL_ISOLATION");
}

static void test_defaults_and_relative_dirs(void)
{
	wsp_error err = { 0 };
	wsp_exec_result res;
	char expect[600];

	/* working_dir relative to the config directory (fs.tmp) */
	CU_ASSERT_EQUAL_FATAL(
		fake_open(&fs, (const char *const[]){ "isolation=none",
						      "working_dir=./proj/ws",
						      NULL },
			  &err),
		0);
	CU_ASSERT_EQUAL_FATAL(fake_sh(&fs, &res, "pwd; echo $PATH", &err), 0);
	snprintf(expect, sizeof(expect), "%s/proj/ws\n%s\n", fs.tmp,
		 "/usr/local/bin:/usr/bin:/bin");
	CU_ASSERT_STRING_EQUAL(res.stdout_data, expect);
	fake_result_release(&fs, &res);
	fake_close(&fs);
}

static void test_bad_id(void)
{
	/* the id names the state directory: no separators */
	wsp_instance_args args = { sizeof(args), 0, "../escape", NULL, "/tmp",
				   "/tmp", NULL };
	wsp_error err = { 0 };
	void *self = (void *)1;

	CU_ASSERT_EQUAL_FATAL(fake_open(&fs, NULL, &err), 0);
	args.options = NULL;
	CU_ASSERT_EQUAL(fs.desc->init(&self, fs.host, &args, &err),
			WSP_ECONFIG);
	CU_ASSERT_PTR_NULL(self);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "'../escape'"));
	fake_close(&fs);
}

static CU_TestInfo tests[] = {
	{ "bad values refused", test_bad_values },
	{ "isolation is not taken from the environment",
	  test_isolation_ignores_env },
	{ "defaults and relative directories",
	  test_defaults_and_relative_dirs },
	{ "bad id refused", test_bad_id },
	CU_TEST_INFO_NULL,
};

CU_MAIN("sandbox-local options", tests)
