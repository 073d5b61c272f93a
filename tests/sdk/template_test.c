/*
 * tests/sdk/template_test.c - the SDK's template provider, as built out of
 * tree by a third party (with CMake or with plain pkg-config).
 *
 * usage: sdk_template_test PATH/wsp-sandbox-template.so
 *
 * The provider is dlopen()ed and driven through its descriptor on the
 * SDK's fake host (<wsp/fakehost.h>), so its behaviour is tested apart
 * from the core's loader but with the core's option checks and call
 * contexts: real commands through /bin/sh, capture, clean environment,
 * working directory confinement, stdin, timeouts, the call's deadline and
 * cancel token, and that every buffer it hands over comes from
 * host->alloc.
 */
#include <wsp/fakehost.h>

#include <CUnit/Basic.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cu_main.h"
#include "test_output.h"
#include "test_wait.h"

static const char *plugin_path;
static void *dl;
static const wsp_plugin_desc *desc;
static char workdir[PATH_MAX]; /* resolved temporary working directory */
static const char *opt_working_dir = workdir; /* option working_dir */
static int64_t opt_timeout_ms = 5000;           /* option timeout */
static wsp_fakehost *fh;  /* the host every instance runs on */
static const wsp_host *host;
/* The call every slot gets: full size, no cancel; a test sets a deadline. */
static wsp_call call = { sizeof(wsp_call), 0, NULL, 0 };

/* ---- helpers ---------------------------------------------------------- */

/*
 * The options of opt_working_dir and opt_timeout_ms, checked by the
 * core's rules, as init gets them (the instance id the tests expect).
 */
static int options(wsp_instance_args *args, wsp_error *err)
{
	const wsp_instance_args *checked;
	char yaml[PATH_MAX + 64];
	int rc;

	/* the directory comes from mkdtemp: no quote to escape */
	snprintf(yaml, sizeof(yaml), "working_dir: '%s'\ntimeout: %lldms\n",
		 opt_working_dir, (long long)opt_timeout_ms);
	rc = wsp_fakehost_options(fh, yaml, err);
	if (!rc)
		rc = wsp_fakehost_args(&checked, fh, err);
	if (rc)
		return rc;
	*args = *checked;
	args->instance_id = "dev-box";
	return 0;
}

static void *new_instance(void)
{
	wsp_instance_args args;
	wsp_error err = { 0 };
	void *self = NULL;

	CU_ASSERT_EQUAL_FATAL(options(&args, &err), 0);
	CU_ASSERT_EQUAL_FATAL(desc->init(&self, host, &args, &err), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(self);
	return self;
}

static void release(wsp_exec_result *res)
{
	host->free(host, res->stdout_data);
	host->free(host, res->stderr_data);
	memset(res, 0, sizeof(*res));
}

/* Run a shell command in a fresh instance with call c; fini after. */
static int run_call(wsp_exec_result *res, const wsp_call *c,
		    wsp_exec_opts *opts, wsp_error *err)
{
	void *self = new_instance();
	int ret;

	memset(res, 0, sizeof(*res));
	res->struct_size = sizeof(*res);
	ret = desc->sandbox->exec(res, self, c, opts, err);
	desc->fini(self);
	return ret;
}

static int run(wsp_exec_result *res, wsp_exec_opts *opts, wsp_error *err)
{
	return run_call(res, &call, opts, err);
}

/* ---- tests ------------------------------------------------------------ */

static void test_descriptor(void)
{
	const wsp_option_spec *o;
	int have_dir = 0, have_timeout = 0;

	CU_ASSERT_EQUAL(desc->magic, WSP_PLUGIN_MAGIC);
	CU_ASSERT_EQUAL(desc->abi_major, WSP_PLUGIN_ABI_MAJOR);
	CU_ASSERT(desc->abi_minor <= WSP_PLUGIN_ABI_MINOR);
	CU_ASSERT(desc->struct_size >= offsetof(wsp_plugin_desc, ext_ops));
	CU_ASSERT_EQUAL(desc->kind, WSP_KIND_SANDBOX);
	CU_ASSERT_STRING_EQUAL(desc->name, "template");
	CU_ASSERT_PTR_NOT_NULL(desc->init);
	CU_ASSERT_PTR_NOT_NULL(desc->fini);
	CU_ASSERT_PTR_NULL(desc->fs);
	CU_ASSERT_PTR_NOT_NULL_FATAL(desc->sandbox);
	CU_ASSERT_PTR_NOT_NULL(desc->sandbox->exec);
	CU_ASSERT_PTR_NOT_NULL_FATAL(desc->options);
	for (o = desc->options; o->name; o++) {
		if (!strcmp(o->name, "working_dir"))
			have_dir = o->type == WSP_OPT_STRING;
		if (!strcmp(o->name, "timeout"))
			have_timeout = o->type == WSP_OPT_DURATION;
	}
	CU_ASSERT(have_dir);
	CU_ASSERT(have_timeout);
}

static void test_exec_captures_both_streams(void)
{
	wsp_exec_opts opts = WSP_EXEC_OPTS_INIT;
	wsp_exec_result res;
	wsp_error err = { 0 };

	opts.shell = "echo team-data; echo oops >&2; exit 3";
	CU_ASSERT_EQUAL_FATAL(run(&res, &opts, &err), 0);
	CU_ASSERT_EQUAL(res.exit_code, 3);
	CU_ASSERT_EQUAL(res.flags, 0);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, "team-data\n");
	CU_ASSERT_EQUAL(res.stdout_len, 10);
	CU_ASSERT_STRING_EQUAL(res.stderr_data, "oops\n");
	release(&res);
	CU_ASSERT_EQUAL(wsp_fakehost_live_allocs(fh), 0);
}

static void test_exec_argv(void)
{
	const char *argv[] = { "printf", "%s|%s", "a b", "$HOME", NULL };
	wsp_exec_opts opts = WSP_EXEC_OPTS_INIT;
	wsp_exec_result res;
	wsp_error err = { 0 };

	opts.argv = argv;
	CU_ASSERT_EQUAL_FATAL(run(&res, &opts, &err), 0);
	CU_ASSERT_EQUAL(res.exit_code, 0);
	/* Arguments are passed as they are: no word splitting, no $ */
	CU_ASSERT_STRING_EQUAL(res.stdout_data, "a b|$HOME");
	release(&res);
}

static void test_signal_exit_code(void)
{
	wsp_exec_opts opts = WSP_EXEC_OPTS_INIT;
	wsp_exec_result res;
	wsp_error err = { 0 };

	opts.shell = "kill -TERM $$";
	CU_ASSERT_EQUAL_FATAL(run(&res, &opts, &err), 0);
	CU_ASSERT_EQUAL(res.term_signal, 15);
	CU_ASSERT_EQUAL(res.exit_code, 128 + 15);
	release(&res);
}

static void test_clean_environment(void)
{
	const char *env[] = { "GREETING=hello there", NULL };
	wsp_exec_opts opts = WSP_EXEC_OPTS_INIT;
	wsp_exec_result res;
	wsp_error err = { 0 };
	char expect[PATH_MAX + 64];

	setenv("WSP_SDK_TEST_LEAK", "must-not-be-seen", 1);
	opts.shell = "env | grep -v '^PWD=' | grep -v '^SHLVL=' | "
		     "grep -v '^_=' | sort";
	opts.env = env;
	CU_ASSERT_EQUAL_FATAL(run(&res, &opts, &err), 0);
	snprintf(expect, sizeof(expect),
		 "GREETING=hello there\nHOME=%s\n"
		 "PATH=/usr/local/bin:/usr/bin:/bin\n", workdir);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, expect);
	release(&res);
	unsetenv("WSP_SDK_TEST_LEAK");
}

static void test_bad_env_entry(void)
{
	const char *env[] = { "NOEQUALS", NULL };
	wsp_exec_opts opts = WSP_EXEC_OPTS_INIT;
	wsp_exec_result res;
	wsp_error err = { 0 };

	opts.shell = "true";
	opts.env = env;
	CU_ASSERT_EQUAL(run(&res, &opts, &err), WSP_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "'NOEQUALS'"));
	CU_ASSERT_EQUAL(wsp_fakehost_live_allocs(fh), 0);
}

static void test_cwd(void)
{
	wsp_exec_opts opts = WSP_EXEC_OPTS_INIT;
	wsp_exec_result res;
	wsp_error err = { 0 };
	char sub[PATH_MAX + 8], expect[PATH_MAX + 16];

	snprintf(sub, sizeof(sub), "%s/src", workdir);
	CU_ASSERT_EQUAL_FATAL(mkdir(sub, 0700) == 0 || access(sub, F_OK) == 0,
			      1);

	opts.shell = "pwd";
	CU_ASSERT_EQUAL_FATAL(run(&res, &opts, &err), 0);
	snprintf(expect, sizeof(expect), "%s\n", workdir);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, expect);
	release(&res);

	opts.cwd = "src";
	CU_ASSERT_EQUAL_FATAL(run(&res, &opts, &err), 0);
	snprintf(expect, sizeof(expect), "%s/src\n", workdir);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, expect);
	release(&res);

	opts.cwd = "src/../..";
	CU_ASSERT_EQUAL(run(&res, &opts, &err), WSP_EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "outside the working"));

	opts.cwd = "/";
	CU_ASSERT_EQUAL(run(&res, &opts, &err), WSP_EPERM);

	opts.cwd = "no-such-dir";
	CU_ASSERT_EQUAL(run(&res, &opts, &err), WSP_ENOTFOUND);
	CU_ASSERT_EQUAL(wsp_fakehost_live_allocs(fh), 0);
}

static void test_stdin(void)
{
	wsp_exec_opts opts = WSP_EXEC_OPTS_INIT;
	wsp_exec_result res;
	wsp_error err = { 0 };

	opts.shell = "tr a-z A-Z";
	opts.stdin_data = "dev-box\n";
	opts.stdin_len = 8;
	CU_ASSERT_EQUAL_FATAL(run(&res, &opts, &err), 0);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, "DEV-BOX\n");
	release(&res);

	/* A command that never reads stdin must not hang or raise SIGPIPE. */
	opts.shell = "exit 0";
	opts.stdin_data = calloc(1, 1 << 20);
	opts.stdin_len = 1 << 20;
	CU_ASSERT_EQUAL_FATAL(run(&res, &opts, &err), 0);
	CU_ASSERT_EQUAL(res.exit_code, 0);
	release(&res);
	free((void *)opts.stdin_data);

	/* No stdin: the command reads EOF at once. */
	opts.shell = "cat; echo done";
	opts.stdin_data = NULL;
	opts.stdin_len = 0;
	CU_ASSERT_EQUAL_FATAL(run(&res, &opts, &err), 0);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, "done\n");
	release(&res);
}

static void test_capture_keeps_newest(void)
{
	wsp_exec_opts opts = WSP_EXEC_OPTS_INIT;
	wsp_exec_result res;
	wsp_error err = { 0 };

	opts.shell = "printf 0123456789abcdef";
	opts.max_capture = 10;
	CU_ASSERT_EQUAL_FATAL(run(&res, &opts, &err), 0);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, "6789abcdef");
	CU_ASSERT_EQUAL(res.stdout_dropped, 6);
	release(&res);
}

struct seen {
	size_t out, err;
};

static int count_output(uint32_t stream, const void *data, size_t len,
			void *payload)
{
	struct seen *s = payload;

	(void)data;
	if (stream == WSP_STDOUT)
		s->out += len;
	else if (stream == WSP_STDERR)
		s->err += len;
	return 0;
}

static void test_streaming_without_capture(void)
{
	wsp_exec_opts opts = WSP_EXEC_OPTS_INIT;
	wsp_exec_result res;
	wsp_error err = { 0 };
	struct seen seen = { 0, 0 };

	/* 200000 bytes on stdout, 3 on stderr */
	opts.shell = "head -c 200000 /dev/zero; printf abc >&2";
	opts.flags = WSP_EXEC_NO_CAPTURE;
	opts.on_output = count_output;
	opts.payload = &seen;
	CU_ASSERT_EQUAL_FATAL(run(&res, &opts, &err), 0);
	CU_ASSERT_EQUAL(seen.out, 200000);
	CU_ASSERT_EQUAL(seen.err, 3);
	CU_ASSERT_EQUAL(res.stdout_len, 0);
	release(&res);
}

static void test_callback_cancels(void)
{
	wsp_exec_opts opts = WSP_EXEC_OPTS_INIT;
	wsp_exec_result res;
	wsp_error err = { 0 };
	int stop = WSP_ECANCELED;
	int64_t t0 = test_now_ms();

	opts.shell = "echo first; sleep 30";
	opts.on_output = test_output_stop;
	opts.payload = &stop;
	CU_ASSERT_EQUAL(run(&res, &opts, &err), WSP_ECANCELED);
	CU_ASSERT(test_now_ms() - t0 < 10000);
	CU_ASSERT_EQUAL(wsp_fakehost_live_allocs(fh), 0);
}

static void test_timeout(void)
{
	wsp_exec_opts opts = WSP_EXEC_OPTS_INIT;
	wsp_exec_result res;
	wsp_error err = { 0 };
	int64_t t0 = test_now_ms(), took;

	/*
	 * The child's own child holds the pipes: the group must be killed.
	 * 1 s gives sh time to print "started" on a loaded machine.
	 */
	opts.shell = "echo started; sleep 30 & sleep 30";
	opts.timeout_ms = 1000;
	CU_ASSERT_EQUAL_FATAL(run(&res, &opts, &err), 0);
	took = test_now_ms() - t0;
	CU_ASSERT(took >= 1000);
	CU_ASSERT(took < 10000);
	CU_ASSERT(res.flags & WSP_EXEC_TIMED_OUT);
	CU_ASSERT_EQUAL(res.exit_code, 124);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, "started\n");
	release(&res);

	/* The configured default applies to 0 (WSP_TIMEOUT_DEFAULT). */
	opt_timeout_ms = 200;
	opts.shell = "sleep 30";
	opts.timeout_ms = WSP_TIMEOUT_DEFAULT;
	t0 = test_now_ms();
	CU_ASSERT_EQUAL_FATAL(run(&res, &opts, &err), 0);
	CU_ASSERT(test_now_ms() - t0 < 10000);
	CU_ASSERT(res.flags & WSP_EXEC_TIMED_OUT);
	release(&res);
	opt_timeout_ms = 5000;

	/* And WSP_EXEC_NO_TIMEOUT overrides it. */
	opt_timeout_ms = 100;
	opts.shell = "sleep 0.5; echo finished";
	opts.flags = WSP_EXEC_NO_TIMEOUT;
	CU_ASSERT_EQUAL_FATAL(run(&res, &opts, &err), 0);
	CU_ASSERT_EQUAL(res.flags, 0);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, "finished\n");
	release(&res);
	opt_timeout_ms = 5000;
}

/* The call's deadline ends the command as its own timeout would. */
static void test_call_deadline(void)
{
	wsp_exec_opts opts = WSP_EXEC_OPTS_INIT;
	wsp_exec_result res;
	wsp_error err = { 0 };
	int64_t t0 = test_now_ms();
	char mark[PATH_MAX + 16];

	snprintf(mark, sizeof(mark), "%s/ran-anyway", workdir);
	opts.shell = "echo started; sleep 30";
	opts.flags = WSP_EXEC_NO_TIMEOUT; /* only the call bounds it */
	call.deadline_ms = test_now_ms() + 1000;
	CU_ASSERT_EQUAL_FATAL(run(&res, &opts, &err), 0);
	CU_ASSERT(test_now_ms() - t0 < 10000);
	CU_ASSERT(res.flags & WSP_EXEC_TIMED_OUT);
	CU_ASSERT_EQUAL(res.exit_code, 124);
	CU_ASSERT_STRING_EQUAL(res.stdout_data, "started\n");
	release(&res);

	/* Passed already: refused, nothing runs (no file is made). */
	opts.flags = 0;
	opts.shell = "touch ran-anyway";
	call.deadline_ms = test_now_ms() - 1;
	CU_ASSERT_EQUAL(run(&res, &opts, &err), WSP_ETIMEDOUT);
	CU_ASSERT_NOT_EQUAL(access(mark, F_OK), 0);
	call.deadline_ms = 0;
	CU_ASSERT_EQUAL(wsp_fakehost_live_allocs(fh), 0);
}

/* A canceled call (the core's token) is refused; nothing runs. */
static void test_call_canceled(void)
{
	wsp_exec_opts opts = WSP_EXEC_OPTS_INIT;
	wsp_exec_result res;
	wsp_error err = { 0 };
	wsp_call *c = wsp_fakehost_call(fh, 0);
	char mark[PATH_MAX + 16];

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	snprintf(mark, sizeof(mark), "%s/ran-canceled", workdir);
	wsp_fakehost_call_cancel(c);
	opts.shell = "touch ran-canceled";
	CU_ASSERT_EQUAL(run_call(&res, c, &opts, &err), WSP_ECANCELED);
	CU_ASSERT_NOT_EQUAL(access(mark, F_OK), 0);
	CU_ASSERT_PTR_NULL(res.stdout_data);
	CU_ASSERT_EQUAL(wsp_fakehost_live_allocs(fh), 0);
}

static int collect_kv(const char *key, const char *value, void *payload)
{
	char *buf = payload;
	size_t n = strlen(buf);

	snprintf(buf + n, 4096 - n, "%s=%s;", key, value);
	return 0;
}

static void test_info(void)
{
	void *self = new_instance();
	wsp_error err = { 0 };
	char buf[4096] = "", expect[PATH_MAX + 128];

	CU_ASSERT_PTR_NOT_NULL_FATAL(desc->sandbox->info);
	CU_ASSERT_EQUAL(
		desc->sandbox->info(self, &call, 0, collect_kv, buf, &err), 0);
	snprintf(expect, sizeof(expect),
		 "id=dev-box;provider=template;isolation=none;"
		 "working_dir=%s;", workdir);
	CU_ASSERT_STRING_EQUAL(buf, expect);
	desc->fini(self);
	CU_ASSERT_EQUAL(wsp_fakehost_live_allocs(fh), 0);
}

static void test_missing_working_dir(void)
{
	char absent[PATH_MAX + 16];
	wsp_instance_args args;
	wsp_error err = { 0 };
	void *self = NULL;

	snprintf(absent, sizeof(absent), "%s/absent", workdir);
	opt_working_dir = absent;
	CU_ASSERT_EQUAL_FATAL(options(&args, &err), 0);
	CU_ASSERT_EQUAL(desc->init(&self, host, &args, &err), WSP_ENOTFOUND);
	opt_working_dir = workdir;
	CU_ASSERT_PTR_NULL(self);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "absent"));
	CU_ASSERT_EQUAL(wsp_fakehost_live_allocs(fh), 0);
}

/* ---- main --------------------------------------------------------------- */

static int suite_init(void)
{
	char tmpl[] = "/tmp/wsp-sdk-template-XXXXXX";
	wsp_plugin_entry_fn entry;
	wsp_error err = { 0 };

	if (!mkdtemp(tmpl) || !realpath(tmpl, workdir))
		return -1;
	dl = dlopen(plugin_path, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		fprintf(stderr, "cannot load '%s': %s\n", plugin_path,
			dlerror());
		return -1;
	}
	*(void **)&entry = dlsym(dl, WSP_PLUGIN_ENTRY_SYMBOL);
	if (!entry)
		return -1;
	desc = entry(WSP_PLUGIN_ABI_MAJOR, WSP_PLUGIN_ABI_MINOR);
	if (!desc || wsp_fakehost_new(&fh, desc, &err)) {
		fprintf(stderr, "fake host: %s\n", err.message);
		return -1;
	}
	host = wsp_fakehost_host(fh);
	return 0;
}

static int suite_clean(void)
{
	char cmd[PATH_MAX + 32];

	wsp_fakehost_free(fh);
	if (dl)
		dlclose(dl);
	if (workdir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", workdir);
		if (system(cmd) != 0)
			return -1;
	}
	return 0;
}

static CU_TestInfo tests[] = {
	{"descriptor", test_descriptor},
	{"exec captures both streams", test_exec_captures_both_streams},
	{"argv form", test_exec_argv},
	{"signal exit code", test_signal_exit_code},
	{"clean environment", test_clean_environment},
	{"bad env entry", test_bad_env_entry},
	{"cwd confined", test_cwd},
	{"stdin", test_stdin},
	{"capture keeps newest", test_capture_keeps_newest},
	{"streaming without capture", test_streaming_without_capture},
	{"callback cancels", test_callback_cancels},
	{"timeout", test_timeout},
	{"call deadline", test_call_deadline},
	{"call canceled", test_call_canceled},
	{"info", test_info},
	{"missing working dir", test_missing_working_dir},
	CU_TEST_INFO_NULL,
};

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH/wsp-sandbox-template.so\n",
			argv[0]);
		return 2;
	}
	plugin_path = argv[1];
	return cu_run_suite("sdk-template", suite_init, suite_clean, tests);
}
