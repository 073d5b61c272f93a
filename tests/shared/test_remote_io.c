/*
 * tests/shared/test_remote_io.c - rio_fs_run (plugins/shared/remote_io.c),
 * the command on files that Blaxel's, Daytona's and E2B's copy, move and
 * remove run in the sandbox: the argv it builds, the options it runs it
 * with, and what a failing command becomes (WSP_EIO with what it wrote on
 * stderr, bounded). Its exec here is a made-up one that records what it
 * was asked and answers as told, so every outcome is reachable: a real
 * sandbox's cp rarely fails once the core's checks have passed.
 */
#include "remote_io.h"

#include "cu_main.h"

#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>

/* What the made-up exec was asked, and what it answers. */
static struct {
	int calls;
	const char *argv[10];
	uint32_t flags;
	uint64_t max_capture;
	const wsp_call *call;
	int rc;           /* returned as the exec's own error when not 0 */
	int exit_code;    /* of the command */
	const char *said; /* its stderr; NULL: none captured */
	int freed;        /* captures the caller gave back */
} fake;

static void host_free(const wsp_host *h, void *p)
{
	(void)h;
	if (p)
		fake.freed++;
	free(p);
}

static const wsp_host host = {
	.struct_size = sizeof(wsp_host),
	.free = host_free,
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int fake_exec(wsp_exec_result *out, void *self, const wsp_call *call,
		     const wsp_exec_opts *opts, wsp_error *err)
{
	size_t i;

	(void)self;
	fake.calls++;
	for (i = 0; i < 9 && opts->argv[i]; i++)
		fake.argv[i] = opts->argv[i];
	fake.argv[i] = opts->argv[i];
	fake.flags = opts->flags;
	fake.max_capture = opts->max_capture;
	fake.call = call;
	if (fake.rc)
		return wsp_error_set(err, fake.rc, "the sandbox is gone");
	out->exit_code = fake.exit_code;
	out->stdout_data = strdup("");
	out->stderr_data = dup_or_null(fake.said);
	return 0;
}

static const char *const cp_r[] = {"cp", "-R", "--", NULL};

static void reset(void)
{
	memset(&fake, 0, sizeof(fake));
}

/* The prefix, then a and b, as one argv; no timeout of its own; 1 KiB. */
static void test_argv_and_options(void)
{
	const wsp_call call = {.struct_size = sizeof(call)};
	const char *const rm[] = {"rm", "-rf", "--", NULL};
	wsp_error err = {0};

	reset();
	CU_ASSERT_EQUAL(rio_fs_run(fake_exec, NULL, &host, &call, cp_r,
				   "/work/a b", "/work/c", &err),
			0);
	CU_ASSERT_EQUAL(fake.calls, 1);
	CU_ASSERT_STRING_EQUAL(fake.argv[0], "cp");
	CU_ASSERT_STRING_EQUAL(fake.argv[1], "-R");
	CU_ASSERT_STRING_EQUAL(fake.argv[2], "--");
	CU_ASSERT_STRING_EQUAL(fake.argv[3], "/work/a b");
	CU_ASSERT_STRING_EQUAL(fake.argv[4], "/work/c");
	CU_ASSERT_PTR_NULL(fake.argv[5]);
	CU_ASSERT(fake.flags & WSP_EXEC_NO_TIMEOUT);
	CU_ASSERT_EQUAL(fake.max_capture, 1024);
	CU_ASSERT_PTR_EQUAL(fake.call, &call);
	CU_ASSERT_EQUAL(fake.freed, 1); /* stdout; no stderr was captured */

	/* b may be NULL: the argv ends after a */
	reset();
	CU_ASSERT_EQUAL(rio_fs_run(fake_exec, NULL, &host, &call, rm,
				   "/work/old", NULL, &err),
			0);
	CU_ASSERT_STRING_EQUAL(fake.argv[0], "rm");
	CU_ASSERT_STRING_EQUAL(fake.argv[3], "/work/old");
	CU_ASSERT_PTR_NULL(fake.argv[4]);
}

/* A non-zero exit: WSP_EIO naming the command, its status and its words. */
static void test_failure_says_why(void)
{
	wsp_error err = {0};

	reset();
	fake.exit_code = 1;
	fake.said = "cp: cannot open '/work/a' for reading: Permission denied";
	CU_ASSERT_EQUAL(rio_fs_run(fake_exec, NULL, &host, NULL, cp_r,
				   "/work/a", "/work/b", &err),
			WSP_EIO);
	CU_ASSERT_EQUAL(err.code, WSP_EIO);
	CU_ASSERT_STRING_EQUAL(err.message,
			       "cp in the sandbox exited 1: cp: cannot open "
			       "'/work/a' for reading: Permission denied");
	CU_ASSERT_EQUAL(fake.freed, 2); /* both captures given back */

	/* nothing on stderr: the status alone */
	reset();
	fake.exit_code = 2;
	memset(&err, 0, sizeof(err));
	CU_ASSERT_EQUAL(rio_fs_run(fake_exec, NULL, &host, NULL, cp_r,
				   "/work/a", "/work/b", &err),
			WSP_EIO);
	CU_ASSERT_STRING_EQUAL(err.message, "cp in the sandbox exited 2: ");
}

/* What the command said is cut at 200 bytes: it is the sandbox's text. */
static void test_failure_bounded(void)
{
	char said[1024], want[300];
	wsp_error err = {0};

	reset();
	memset(said, 'x', sizeof(said) - 1);
	said[sizeof(said) - 1] = '\0';
	fake.exit_code = 1;
	fake.said = said;
	CU_ASSERT_EQUAL(rio_fs_run(fake_exec, NULL, &host, NULL, cp_r,
				   "/work/a", "/work/b", &err),
			WSP_EIO);
	snprintf(want, sizeof(want), "cp in the sandbox exited 1: %.200s",
		 said);
	CU_ASSERT_STRING_EQUAL(err.message, want);
	CU_ASSERT_EQUAL(strlen(err.message), strlen("cp in the sandbox exited "
						    "1: ") + 200);
}

/* The exec's own error passes through, and nothing is freed twice. */
static void test_exec_error_passes(void)
{
	wsp_error err = {0};

	reset();
	fake.rc = WSP_ENOTFOUND;
	CU_ASSERT_EQUAL(rio_fs_run(fake_exec, NULL, &host, NULL, cp_r,
				   "/work/a", "/work/b", &err),
			WSP_ENOTFOUND);
	CU_ASSERT_STRING_EQUAL(err.message, "the sandbox is gone");
	CU_ASSERT_EQUAL(fake.freed, 0);
}

static CU_TestInfo tests[] = {
	{"argv and options of the command", test_argv_and_options},
	{"a failing command says why", test_failure_says_why},
	{"what it said is bounded", test_failure_bounded},
	{"the exec's own error passes through", test_exec_error_passes},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("remote file commands", NULL, NULL, tests)
