/*
 * tests/ext/test_ext.c - extension operations through the public API
 * (wsp_workspace_ext_list, wsp_workspace_ext_call): every argument type,
 * more arguments than registers, state kept in the instance, sandbox and
 * mount targets, listing without starting the provider, and each refusal
 * with its message.
 *
 * usage: test_ext FIXTURE_DIR   (wsp-sandbox-extdemo.so, wsp-fs-extfs.so,
 *                                wsp-sandbox-extbad.so)
 */
#include <wsp/wsp.h>

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cu_main.h"
#include "test_files.h"

static const char *fixture_dir;
static wsp_workspace *ws;

static const char config[] = "sandbox:\n"
			     "  provider: extdemo\n"
			     "  id: dev-box\n"
			     "mounts:\n"
			     "  /:\n"
			     "    provider: extfs\n"
			     "  /data:\n"
			     "    provider: extfs\n";

static int open_ws(wsp_workspace **out, const char *text, wsp_error *err)
{
	wsp_open_opts opts = WSP_OPEN_OPTS_INIT;

	opts.config_text = text;
	opts.config_name = "<test>";
	opts.plugin_path = fixture_dir;
	return wsp_workspace_open(out, &opts, err);
}

/* Call op on target; returns the status, *result the text (or NULL). */
static int call(char **result, const char *target, const char *op,
		const char *const *argv, wsp_error *err)
{
	size_t argc = 0;

	while (argv && argv[argc])
		argc++;
	memset(err, 0, sizeof(*err));
	return wsp_workspace_ext_call(result, ws, target, op, argc, argv, err);
}

static void expect_result(const char *target, const char *op,
			  const char *const *argv, const char *want)
{
	wsp_error err;
	char *result = NULL;
	int rc = call(&result, target, op, argv, &err);

	CU_ASSERT_EQUAL(rc, 0);
	if (rc)
		fprintf(stderr, "\n%s %s: %s\n", target, op, err.message);
	CU_ASSERT_PTR_NOT_NULL_FATAL(result);
	CU_ASSERT_STRING_EQUAL(result, want);
	wsp_ext_result_free(result);
}

static void expect_refusal(const char *target, const char *op,
			   const char *const *argv, int code,
			   const char *needle)
{
	wsp_error err;
	char *result = (char *)"untouched";
	int rc = call(&result, target, op, argv, &err);

	CU_ASSERT_EQUAL(rc, code);
	CU_ASSERT_EQUAL(err.code, code);
	CU_ASSERT_PTR_NULL(result);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, needle));
	if (!strstr(err.message, needle))
		fprintf(stderr, "\nmessage: %s\nwanted: %s\n", err.message,
			needle);
}

static void test_types(void)
{
	const char *echo[] = { "team-data", NULL };
	const char *mix[] = { "-42", "hello world", "2.5e-1", "yes", NULL };
	const char *mix2[] = { "9223372036854775807", "", "-1", "off", NULL };
	const char *sum[] = { "1", "2", "3", "4", "5", "6", "7", "8", "0.5",
			      NULL };

	expect_result("extdemo", "echo", echo, "team-data");
	expect_result("extdemo", "mix", mix,
		      "n=-42 text=hello world x=0.250 flag=1");
	expect_result("extdemo", "mix", mix2,
		      "n=9223372036854775807 text= x=-1.000 flag=0");
	expect_result("extdemo", "sum", sum, "18.0");
}

static void test_state_and_no_result(void)
{
	const char *by3[] = { "3", NULL };
	const char *by4[] = { "4", NULL };
	wsp_error err;
	char *result = (char *)"untouched";

	CU_ASSERT_EQUAL(call(&result, "extdemo", "bump", by3, &err), 0);
	CU_ASSERT_PTR_NULL(result);
	CU_ASSERT_EQUAL(call(&result, "extdemo", "bump", by4, &err), 0);
	expect_result("extdemo", "count", NULL, "dev-box:7");
}

static void test_mount_targets(void)
{
	const char *by2[] = { "2", NULL };
	wsp_error err;
	char *result = NULL;

	/* Each mount is its own instance of the same provider. */
	CU_ASSERT_EQUAL(call(&result, "/data", "bump", by2, &err), 0);
	expect_result("/data", "count", NULL, "/data:2");
	expect_result("/", "count", NULL, "/:0");
	expect_refusal("extfs", "count", NULL, WSP_EINVAL,
		       "provider 'extfs' serves 2 mounts; name the mount by "
		       "its path");
	expect_refusal("nowhere", "count", NULL, WSP_ENOTFOUND,
		       "no sandbox or mount uses 'nowhere'");
}

static void test_wrong_count(void)
{
	const char *two[] = { "a", "b", NULL };

	expect_refusal("extdemo", "echo", two, WSP_EINVAL,
		       "extension 'echo' of provider 'extdemo' takes 1 "
		       "argument (TEXT: print TEXT back), not 2");
	expect_refusal("extdemo", "echo", NULL, WSP_EINVAL, "not 0");
	expect_refusal("extdemo", "count", two, WSP_EINVAL,
		       "takes 0 arguments");
}

static void test_wrong_type(void)
{
	/* mix takes an integer, a text, a number and a boolean */
	static const struct {
		const char *argv[5];
		const char *needle;
	} cases[] = {
		{ { "12abc", "t", "1", "true", NULL },
		  "argument 1 of 'mix' of provider 'extdemo' must be an "
		  "integer, not '12abc'" },
		{ { "9223372036854775808", "t", "1", "true", NULL },
		  "must be an integer" },
		{ { "", "t", "1", "true", NULL }, "must be an integer, not ''" },
		{ { "1", "t", "fast", "true", NULL },
		  "argument 3 of 'mix' of provider 'extdemo' must be a "
		  "number, not 'fast'" },
		{ { "1", "t", "inf", "true", NULL },
		  "must be a number, not 'inf'" },
		/* strtoll() and strtod() took these; the documentation
		 * does not */
		{ { "\t7", "t", "1", "true", NULL }, "must be an integer" },
		{ { "+7", "t", "1", "true", NULL },
		  "must be an integer, not '+7'" },
		{ { "1", "t", "0x1p3", "true", NULL },
		  "must be a number, not '0x1p3'" },
		{ { "1", "t", " 2.5", "true", NULL },
		  "must be a number, not ' 2.5'" },
		{ { "1", "t", "1", "maybe", NULL },
		  "argument 4 of 'mix' of provider 'extdemo' must be a "
		  "boolean (true or false), not 'maybe'" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		expect_refusal("extdemo", "mix", cases[i].argv, WSP_EINVAL,
			       cases[i].needle);
}

static void test_unknown_op(void)
{
	expect_refusal("extdemo", "restore", NULL, WSP_ENOTFOUND,
		       "provider 'extdemo' has no extension 'restore'; it "
		       "has: echo, mix, sum, bump, count, fail");
}

static void test_op_errors(void)
{
	const char *neg[] = { "-1", NULL };

	/* The operation's own message and code come back as they are. */
	expect_refusal("extdemo", "bump", neg, WSP_EINVAL,
		       "bump: '-1' is negative");
	/* No message from the operation: the core names it. */
	expect_refusal("extdemo", "fail", NULL, WSP_EUNAVAIL,
		       "extension 'fail' of provider 'extdemo' failed: "
		       "service unavailable");
}

struct listing {
	char text[512];
};

static int collect(const char *name, const char *signature, const char *help,
		   void *payload)
{
	struct listing *l = payload;
	size_t n = strlen(l->text);

	snprintf(l->text + n, sizeof(l->text) - n, "%s(%s)%s;", name,
		 signature, help);
	return 0;
}

static int stop_early(const char *name, const char *signature,
		      const char *help, void *payload)
{
	(void)name;
	(void)signature;
	(void)help;
	(*(int *)payload)++;
	return WSP_ECANCELED;
}

static void test_list(void)
{
	struct listing l = { "" };
	wsp_error err;
	int calls = 0;

	CU_ASSERT_EQUAL(wsp_workspace_ext_list(ws, "extdemo", collect, &l,
					       &err), 0);
	CU_ASSERT_STRING_EQUAL(l.text,
			       "echo(r:s)TEXT: print TEXT back;"
			       "mix(r:isdb)N TEXT X FLAG;"
			       "sum(r:iiiiiiiid)A B C D E F G H SCALE;"
			       "bump(i)BY;count(r:);fail();");
	CU_ASSERT_EQUAL(wsp_workspace_ext_list(ws, "extdemo", stop_early,
					       &calls, &err), WSP_ECANCELED);
	CU_ASSERT_EQUAL(calls, 1);
}

/* Listing reads the descriptor: nothing starts until an operation runs. */
static void test_list_does_not_start(void)
{
	struct listing l = { "" };
	wsp_workspace *own = NULL;
	char log[64], seen[256];
	wsp_error err;
	char *result = NULL;
	int fd;

	snprintf(log, sizeof(log), "/tmp/wsp-ext-XXXXXX");
	fd = mkstemp(log);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	setenv("WSP_EXTDEMO_INIT_LOG", log, 1);
	CU_ASSERT_EQUAL_FATAL(open_ws(&own, config, &err), 0);
	CU_ASSERT_EQUAL(wsp_workspace_ext_list(own, "extdemo", collect, &l,
					       &err), 0);
	CU_ASSERT_EQUAL(wsp_workspace_ext_list(own, "/data", collect, &l,
					       &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(l.text, "tag(r:si)"));
	test_read_text(log, seen, sizeof(seen));
	CU_ASSERT_STRING_EQUAL(seen, "");
	CU_ASSERT_EQUAL(wsp_workspace_ext_call(&result, own, "extdemo", "count",
					       0, NULL, &err), 0);
	CU_ASSERT_STRING_EQUAL(result ? result : "", "dev-box:0");
	wsp_ext_result_free(result);
	test_read_text(log, seen, sizeof(seen));
	CU_ASSERT_STRING_EQUAL(seen, "dev-box\n");
	wsp_workspace_close(own);
	unsetenv("WSP_EXTDEMO_INIT_LOG");
	unlink(log);
}

static void test_bad_signature(void)
{
	static const char bad_config[] = "sandbox:\n"
					 "  provider: extbad\n";
	wsp_workspace *bad = NULL;
	wsp_error err;
	char *result = NULL;
	const char *arg[] = { "x", NULL };
	int rc;

	CU_ASSERT_EQUAL_FATAL(open_ws(&bad, bad_config, &err), 0);
	memset(&err, 0, sizeof(err));
	rc = wsp_workspace_ext_call(&result, bad, "extbad", "echo", 1, arg,
				    &err);
	/* The whole provider is refused: nothing of it is ever called. */
	CU_ASSERT_EQUAL(rc, WSP_EABI);
	CU_ASSERT_PTR_NULL(result);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "extension 'broken'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "signature"));
	wsp_workspace_close(bad);
}

/*
 * extprocs has a process manager without WSP_CAP_PROC_FOLLOW: a follow
 * is answered by the core (WSP_ENOTSUP, naming the provider) and never
 * reaches it, while a plain read does (its "no process").
 */
static void test_follow_needs_the_capability(void)
{
	wsp_output_opts oo = WSP_OUTPUT_OPTS_INIT;
	wsp_workspace *procs;
	wsp_error err = {0};

	CU_ASSERT_EQUAL_FATAL(open_ws(&procs, "sandbox:\n"
					      "  provider: extprocs\n",
				      &err),
			      0);
	oo.flags = WSP_OUTPUT_FOLLOW;
	CU_ASSERT_EQUAL(wsp_proc_read_output(NULL, procs, NULL, "p-1", &oo,
					     NULL, NULL, &err),
			WSP_ENOTSUP);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(err.message, "'extprocs' cannot follow"));
	oo.flags = 0;
	CU_ASSERT_EQUAL(wsp_proc_read_output(NULL, procs, NULL, "p-1", &oo,
					     NULL, NULL, &err),
			WSP_ENOTFOUND);
	wsp_workspace_close(procs);
}

static int suite_init(void)
{
	wsp_error err;

	if (open_ws(&ws, config, &err)) {
		fprintf(stderr, "open: %s\n", err.message);
		return -1;
	}
	return 0;
}

static int suite_clean(void)
{
	wsp_workspace_close(ws);
	return 0;
}

static CU_TestInfo tests[] = {
	{"argument types", test_types},
	{"state and no result", test_state_and_no_result},
	{"mount targets", test_mount_targets},
	{"wrong number of arguments", test_wrong_count},
	{"argument of the wrong type", test_wrong_type},
	{"unknown op", test_unknown_op},
	{"errors of the operation", test_op_errors},
	{"list", test_list},
	{"listing does not start", test_list_does_not_start},
	{"bad signature", test_bad_signature},
	{"follow needs the capability", test_follow_needs_the_capability},
	CU_TEST_INFO_NULL,
};

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s FIXTURE_DIR\n", argv[0]);
		return 2;
	}
	fixture_dir = argv[1];
	return cu_run_suite("ext", suite_init, suite_clean, tests);
}
