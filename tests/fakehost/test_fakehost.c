/*
 * tests/fakehost/test_fakehost.c - the fake host of <wsp/fakehost.h>:
 * options checked by the core's rules with FILE:LINE:COL errors, a
 * provider that logs a secret caught (by the handler, and by abort()
 * without one), the call's cancel and deadline reaching a provider's
 * wait, the real state store and allocation count behind the table.
 */
#include "cu_main.h"
#include "probe_provider.h"

#include <wsp/fakehost.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define GOOD_OPTS "endpoint: http://127.0.0.1:1/\ntoken: made-up-token-8812\n"

static wsp_fakehost *open_probe(void)
{
	wsp_fakehost *fh = NULL;
	wsp_error err = { 0 };

	CU_ASSERT_EQUAL_FATAL(wsp_fakehost_new(&fh, probe_descriptor(), &err),
			      0);
	return fh;
}

static void test_options_valid(void)
{
	wsp_fakehost *fh = open_probe();
	const wsp_instance_args *args;
	const wsp_host *h = wsp_fakehost_host(fh);
	wsp_error err = { 0 };
	const char *s;
	int64_t n;

	CU_ASSERT_EQUAL(wsp_fakehost_options(fh, GOOD_OPTS "retries: 7\n",
					     &err), 0);
	CU_ASSERT_EQUAL_FATAL(wsp_fakehost_args(&args, fh, &err), 0);
	CU_ASSERT_EQUAL(h->opt_int(&n, h, args->options, "retries", &err), 0);
	CU_ASSERT_EQUAL(n, 7);
	/* Defaults are the core's: "30s" is 30000 ms, mode "fast". */
	CU_ASSERT_EQUAL(h->opt_duration(&n, h, args->options, "wait", &err),
			0);
	CU_ASSERT_EQUAL(n, 30000);
	CU_ASSERT_EQUAL(h->opt_string(&s, h, args->options, "mode", &err), 0);
	CU_ASSERT_STRING_EQUAL(s, "fast");
	/* A getter of the wrong type is refused as in production. */
	CU_ASSERT_EQUAL(h->opt_int(&n, h, args->options, "mode", &err),
			WSP_EINVAL);
	CU_ASSERT_STRING_EQUAL(args->instance_id, "test");
	CU_ASSERT_PTR_NOT_NULL(args->state);
	wsp_fakehost_free(fh);
}

static void test_options_errors_have_positions(void)
{
	wsp_fakehost *fh = open_probe();
	wsp_error err = { 0 };

	/* A bad integer on line 2, column 10. */
	CU_ASSERT_EQUAL(wsp_fakehost_options(fh, "endpoint: x\nretries: many\n",
					     &err), WSP_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "options.yaml:2:10:"));
	CU_ASSERT_EQUAL(wsp_fakehost_log_find(fh, WSP_LOG_ERROR,
					      "options.yaml:2:10:"), 1);
	/* A choice outside the list, an unknown name with a suggestion. */
	CU_ASSERT_EQUAL(wsp_fakehost_options(fh,
					     "endpoint: x\nmode: sloppy\n"
					     "retires: 2\n", &err),
			WSP_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "options.yaml:2:7:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "and 1 more"));
	CU_ASSERT_EQUAL(wsp_fakehost_log_find(fh, WSP_LOG_ERROR,
					      "options.yaml:3:1:"), 1);
	CU_ASSERT_EQUAL(wsp_fakehost_log_find(fh, WSP_LOG_ERROR,
					      "did you mean 'retries'"),
			1);
	/* A required option missing; not a mapping; broken YAML. */
	CU_ASSERT_EQUAL(wsp_fakehost_options(fh, "retries: 2\n", &err),
			WSP_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "endpoint"));
	CU_ASSERT_EQUAL(wsp_fakehost_options(fh, "- a\n- b\n", &err),
			WSP_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "options.yaml:1:1:"));
	CU_ASSERT_EQUAL(wsp_fakehost_options(fh, "endpoint: [x\n", &err),
			WSP_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "options.yaml:"));
	wsp_fakehost_free(fh);
}

static void test_bad_descriptor_refused(void)
{
	wsp_plugin_desc bad = *probe_descriptor();
	wsp_fakehost *fh = NULL;
	wsp_error err = { 0 };

	bad.magic = 0;
	CU_ASSERT_NOT_EQUAL(wsp_fakehost_new(&fh, &bad, &err), 0);
	CU_ASSERT_PTR_NULL(fh);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "magic"));
}

struct leaks {
	int n;
	char line[512];
};

static void record_leak(const char *line, int level, void *payload)
{
	struct leaks *l = payload;

	(void)level;
	l->n++;
	snprintf(l->line, sizeof(l->line), "%s", line);
}

static void test_secret_in_log_detected(void)
{
	wsp_fakehost *fh = open_probe();
	struct leaks l = { 0 };
	wsp_error err = { 0 };
	void *self = NULL;

	wsp_fakehost_on_leak(fh, record_leak, &l);
	CU_ASSERT_EQUAL(wsp_fakehost_options(fh, GOOD_OPTS "log_token: true\n",
					     &err), 0);
	CU_ASSERT_EQUAL_FATAL(wsp_fakehost_init(&self, fh, &err), 0);
	CU_ASSERT_EQUAL(l.n, 1);
	CU_ASSERT_EQUAL(wsp_fakehost_leaks(fh), 1);
	/* The report itself does not repeat the value. */
	CU_ASSERT_PTR_NULL(strstr(l.line, "made-up-token-8812"));
	CU_ASSERT_PTR_NOT_NULL(strstr(l.line, "using token ********"));
	/* The recorded line is raw (the core did not mask it away). */
	CU_ASSERT_EQUAL(wsp_fakehost_log_find(fh, WSP_LOG_DEBUG,
					      "made-up-token-8812"), 1);
	/* A value the test declares counts too. */
	CU_ASSERT_EQUAL(wsp_fakehost_add_secret(fh, "127.0.0.1:1", &err), 0);
	wsp_fakehost_host(fh)->log(wsp_fakehost_host(fh), WSP_LOG_INFO,
				   "again http://127.0.0.1:1/");
	CU_ASSERT_EQUAL(l.n, 2);
	CU_ASSERT_TRUE(wsp_fakehost_text_leaks(fh, "x made-up-token-8812 y"));
	CU_ASSERT_FALSE(wsp_fakehost_text_leaks(fh, "nothing here"));
	probe_descriptor()->fini(self);
	wsp_fakehost_free(fh);
}

static void test_clean_log_passes(void)
{
	wsp_fakehost *fh = open_probe();
	wsp_error err = { 0 };
	void *self = NULL;

	CU_ASSERT_EQUAL(wsp_fakehost_options(fh, GOOD_OPTS, &err), 0);
	CU_ASSERT_EQUAL_FATAL(wsp_fakehost_init(&self, fh, &err), 0);
	CU_ASSERT_EQUAL(wsp_fakehost_leaks(fh), 0);
	CU_ASSERT_EQUAL(wsp_fakehost_log_find(fh, WSP_LOG_INFO,
					      "probe: talking to http://"), 1);
	probe_descriptor()->fini(self);
	wsp_fakehost_free(fh);
}

/* Without a handler a leak ends the test program: run it in a child. */
static void test_secret_in_log_aborts(void)
{
	pid_t pid = fork();
	int status = 0;

	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		wsp_fakehost *fh = NULL;
		wsp_error err = { 0 };
		void *self = NULL;

		/* Keep the child's report off the test's output. */
		if (!freopen("/dev/null", "w", stderr))
			_exit(3);
		if (wsp_fakehost_new(&fh, probe_descriptor(), &err) ||
		    wsp_fakehost_options(fh, GOOD_OPTS "log_token: true\n",
					 &err))
			_exit(2);
		wsp_fakehost_init(&self, fh, &err);
		_exit(0); /* not reached when the leak is caught */
	}
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(WIFSIGNALED(status));
	CU_ASSERT_EQUAL(WTERMSIG(status), SIGABRT);
}

static int exec_with(wsp_fakehost *fh, void *self, const wsp_call *call,
		     wsp_error *err)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result r = { 0 };

	r.struct_size = sizeof(r);
	o.shell = "true";
	return probe_descriptor()->sandbox->exec(&r, self, call, &o, err);
}

struct firing {
	wsp_call *call;
	int expire;
};

static void *fire_later(void *p)
{
	struct firing *f = p;

	usleep(100 * 1000);
	if (f->expire)
		wsp_fakehost_call_expire(f->call);
	else
		wsp_fakehost_call_cancel(f->call);
	return NULL;
}

static void test_cancel_and_deadline_reach_provider(void)
{
	wsp_fakehost *fh = open_probe();
	wsp_error err = { 0 };
	void *self = NULL;
	struct firing f;
	pthread_t t;
	wsp_call *call;

	CU_ASSERT_EQUAL(wsp_fakehost_options(fh, GOOD_OPTS "wait: 20s\n",
					     &err), 0);
	CU_ASSERT_EQUAL_FATAL(wsp_fakehost_init(&self, fh, &err), 0);
	/* Fired before the call: refused at once. */
	call = wsp_fakehost_call(fh, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(call);
	wsp_fakehost_call_cancel(call);
	CU_ASSERT_EQUAL(exec_with(fh, self, call, &err), WSP_ECANCELED);
	call = wsp_fakehost_call(fh, 0);
	wsp_fakehost_call_expire(call);
	CU_ASSERT_EQUAL(exec_with(fh, self, call, &err), WSP_ETIMEDOUT);
	/* Fired while the provider waits (another thread, as a user would). */
	f.call = wsp_fakehost_call(fh, 0);
	f.expire = 0;
	CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, fire_later, &f), 0);
	CU_ASSERT_EQUAL(exec_with(fh, self, f.call, &err), WSP_ECANCELED);
	pthread_join(t, NULL);
	f.call = wsp_fakehost_call(fh, 0);
	f.expire = 1;
	CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, fire_later, &f), 0);
	CU_ASSERT_EQUAL(exec_with(fh, self, f.call, &err), WSP_ETIMEDOUT);
	pthread_join(t, NULL);
	/* A deadline set up front ends the wait by itself. */
	call = wsp_fakehost_call(fh, 150);
	CU_ASSERT_EQUAL(exec_with(fh, self, call, &err), WSP_ETIMEDOUT);
	/* The host's own view of a fresh call. */
	call = wsp_fakehost_call(fh, 0);
	CU_ASSERT_EQUAL(wsp_fakehost_host(fh)->call_expired(
				wsp_fakehost_host(fh), call), 0);
	CU_ASSERT_EQUAL(wsp_fakehost_host(fh)->call_remaining_ms(
				wsp_fakehost_host(fh), call), -1);
	CU_ASSERT(wsp_fakehost_host(fh)->call_fd(wsp_fakehost_host(fh),
						 call) >= 0);
	probe_descriptor()->fini(self);
	wsp_fakehost_free(fh);
}

/* The table's services are the core's: state store, HTTP, allocation. */
static void test_real_services(void)
{
	wsp_fakehost *fh = open_probe();
	const wsp_host *h = wsp_fakehost_host(fh);
	const wsp_instance_args *args;
	wsp_http_request req = { 0 };
	wsp_http_response resp = { 0 };
	wsp_error err = { 0 };
	char dir[4200];
	struct stat st;
	void *self = NULL, *p;
	char *v = NULL;
	size_t len = 0;

	CU_ASSERT_EQUAL(wsp_fakehost_options(fh, GOOD_OPTS, &err), 0);
	CU_ASSERT_EQUAL_FATAL(wsp_fakehost_init(&self, fh, &err), 0);
	CU_ASSERT_EQUAL_FATAL(wsp_fakehost_args(&args, fh, &err), 0);
	/* init wrote through the real store, under the scratch directory. */
	CU_ASSERT_EQUAL(h->state_get(&v, &len, h, args->state, "endpoint",
				     &err), 0);
	CU_ASSERT_EQUAL(len, strlen("http://127.0.0.1:1/"));
	h->free(h, v);
	snprintf(dir, sizeof(dir), "%s/state/store", wsp_fakehost_dir(fh));
	CU_ASSERT_EQUAL(stat(dir, &st), 0);
	/* The HTTP service: nothing listens on port 1, and it says so. */
	req.struct_size = sizeof(req);
	resp.struct_size = sizeof(resp);
	req.method = "GET";
	req.url = "http://127.0.0.1:1/";
	req.max_attempts = 1;
	CU_ASSERT(h->http_request(&resp, h, &req, &err) < 0);
	CU_ASSERT_PTR_NOT_NULL(h->http_stream_open);
	/* Buffers from host->alloc are counted until freed. */
	CU_ASSERT_EQUAL(wsp_fakehost_live_allocs(fh), 0);
	p = h->alloc(h, 10);
	CU_ASSERT_EQUAL(wsp_fakehost_live_allocs(fh), 1);
	h->free(h, p);
	CU_ASSERT_EQUAL(wsp_fakehost_live_allocs(fh), 0);
	probe_descriptor()->fini(self);
	snprintf(dir, sizeof(dir), "%s", wsp_fakehost_dir(fh));
	wsp_fakehost_free(fh);
	CU_ASSERT_NOT_EQUAL(stat(dir, &st), 0); /* scratch removed */
}

/* A provider's .so loads as the core loads it; anything else is refused. */
static void test_load(void)
{
	wsp_fakehost *fh = NULL;
	wsp_error err = { 0 };

	CU_ASSERT_EQUAL_FATAL(wsp_fakehost_load(&fh, WSP_TEST_PLUGIN_SO, &err),
			      0);
	CU_ASSERT_STRING_EQUAL(wsp_fakehost_desc(fh)->name, "local");
	CU_ASSERT_PTR_NOT_NULL(wsp_fakehost_desc(fh)->fs);
	wsp_fakehost_free(fh);

	/* a shared library without wsp_plugin_entry */
	CU_ASSERT_EQUAL(wsp_fakehost_load(&fh, WSP_TEST_NOT_PLUGIN_SO, &err),
			WSP_ENOTPLUGIN);
	CU_ASSERT_PTR_NULL(fh);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "wsp_plugin_entry"));
	CU_ASSERT_EQUAL(wsp_fakehost_load(&fh, "/nonexistent/wsp-fs-x.so",
					  &err),
			WSP_ENOTPLUGIN);
	CU_ASSERT_PTR_NULL(fh);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "/nonexistent/wsp-fs-x.so"));
}

static CU_TestInfo tests[] = {
	{ "load a provider's .so", test_load },
	{ "options: valid, defaults and getters", test_options_valid },
	{ "options: errors at FILE:LINE:COL", test_options_errors_have_positions },
	{ "a bad descriptor is refused", test_bad_descriptor_refused },
	{ "a secret in the log is detected", test_secret_in_log_detected },
	{ "a clean log passes", test_clean_log_passes },
	{ "a secret in the log aborts by default", test_secret_in_log_aborts },
	{ "cancel and deadline reach the provider",
	  test_cancel_and_deadline_reach_provider },
	{ "the services are the core's", test_real_services },
	CU_TEST_INFO_NULL
};

CU_MAIN("fakehost", tests)
