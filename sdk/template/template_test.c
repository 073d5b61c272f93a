/*
 * template_test.c - a unit test of the template provider on the SDK's
 * fake host (<wsp/fakehost.h>, libwsp-fakehost.a): the provider's own
 * source compiled into the test, given the core's real host services,
 * options written as in wsp.yaml. Keep it when you copy the template and
 * grow it with your provider (`ctest` in the build directory runs it).
 */
#include <wsp/fakehost.h>

#include <stdio.h>
#include <string.h>

static int failures;

#define CHECK(cond)                                                     \
	do {                                                            \
		if (!(cond)) {                                          \
			fprintf(stderr, "%s:%d: check failed: %s\n",    \
				__FILE__, __LINE__, #cond);             \
			failures++;                                     \
		}                                                       \
	} while (0)

/* The provider's entry point, defined in sandbox_template.c. */
const wsp_plugin_desc *wsp_plugin_entry(uint32_t host_major,
					uint32_t host_minor);

static int run(wsp_exec_result *r, const wsp_plugin_desc *d, void *self,
	       const wsp_call *call, const char *sh, wsp_error *err)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;

	memset(r, 0, sizeof(*r));
	r->struct_size = sizeof(*r);
	o.shell = sh;
	return d->sandbox->exec(r, self, call, &o, err);
}

static void release(wsp_fakehost *fh, wsp_exec_result *r)
{
	const wsp_host *h = wsp_fakehost_host(fh);

	h->free(h, r->stdout_data);
	h->free(h, r->stderr_data);
}

int main(void)
{
	const wsp_plugin_desc *d =
		wsp_plugin_entry(WSP_PLUGIN_ABI_MAJOR, WSP_PLUGIN_ABI_MINOR);
	wsp_error err = { 0 };
	wsp_exec_result r;
	wsp_fakehost *fh;
	wsp_call *call;
	void *self = NULL;
	char yaml[4200];

	if (wsp_fakehost_new(&fh, d, &err)) {
		fprintf(stderr, "fake host: %s\n", err.message);
		return 1;
	}
	/* Options are checked as wsp.yaml's are, positions included. */
	CHECK(wsp_fakehost_options(fh, "timeout: soon\n", &err) ==
	      WSP_ECONFIG);
	CHECK(strstr(err.message, "options.yaml:1:10:") != NULL);
	snprintf(yaml, sizeof(yaml), "working_dir: %s\ntimeout: 5s\n",
		 wsp_fakehost_dir(fh));
	CHECK(wsp_fakehost_options(fh, yaml, &err) == 0);
	if (wsp_fakehost_init(&self, fh, &err)) {
		fprintf(stderr, "init: %s\n", err.message);
		wsp_fakehost_free(fh);
		return 1;
	}

	call = wsp_fakehost_call(fh, 10000);
	CHECK(run(&r, d, self, call, "echo hello; echo oops >&2; exit 3",
		  &err) == 0);
	CHECK(r.exit_code == 3);
	CHECK(r.stdout_len == 6 && !memcmp(r.stdout_data, "hello\n", 6));
	CHECK(r.stderr_len == 5 && !memcmp(r.stderr_data, "oops\n", 5));
	release(fh, &r);

	/* A call canceled before exec runs nothing. */
	call = wsp_fakehost_call(fh, 0);
	wsp_fakehost_call_cancel(call);
	CHECK(run(&r, d, self, call, "touch ran", &err) == WSP_ECANCELED);
	release(fh, &r);
	/* A deadline that fires ends the command like its timeout. */
	call = wsp_fakehost_call(fh, 300);
	CHECK(run(&r, d, self, call, "sleep 5", &err) == 0);
	CHECK(r.exit_code == 124);
	release(fh, &r);

	d->fini(self);
	/* Every buffer the provider handed over went back to the host. */
	CHECK(wsp_fakehost_live_allocs(fh) == 0);
	CHECK(wsp_fakehost_leaks(fh) == 0);
	wsp_fakehost_free(fh);
	if (failures)
		fprintf(stderr, "template_test: %d check(s) failed\n",
			failures);
	else
		printf("template_test: all checks passed\n");
	return failures ? 1 : 0;
}
