/*
 * tests/sandbox-daytona/dt_fake.c - see dt_fake.h.
 */
#include "dt_fake.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

const wsp_plugin_desc *wsp_plugin_entry(uint32_t, uint32_t);

const wsp_call dt_no_call = { sizeof(wsp_call), 0, NULL, 0 };

static pid_t fake_pid;
static int fake_in = -1;
static char fake_tmp[256], fake_url[160];

const char *dt_fake_url(void)
{
	return fake_url;
}

const wsp_plugin_desc *dt_desc(void)
{
	return wsp_plugin_entry(WSP_PLUGIN_ABI_MAJOR, WSP_PLUGIN_ABI_MINOR);
}

int dt_fake_start(const char *const *extra)
{
	const char *argv[16] = { WSP_TEST_NODE,
				 WSP_TEST_DAYTONA_DIR "/fake-daytona.mjs" };
	int in[2], out[2], n = 2;
	char line[128];
	FILE *f;

	snprintf(fake_tmp, sizeof fake_tmp, "%s/wsp-dt-test-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(fake_tmp) || pipe(in) || pipe(out))
		return -1;
	while (extra && *extra && n < 15)
		argv[n++] = *extra++;
	argv[n] = NULL;
	fake_pid = fork();
	if (fake_pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		setenv("TMPDIR", fake_tmp, 1);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	fake_in = in[1];
	fcntl(fake_in, F_SETFD, FD_CLOEXEC);
	f = fdopen(out[0], "r");
	if (!f || !fgets(line, sizeof line, f) ||
	    strncmp(line, "listening 127.0.0.1:", 20)) {
		if (f)
			fclose(f);
		return -1;
	}
	line[strcspn(line, "\n")] = '\0';
	snprintf(fake_url, sizeof fake_url, "http://%s", line + 10);
	fclose(f); /* the fake prints nothing more on stdout */
	return 0;
}

void dt_fake_stop(void)
{
	char cmd[300];

	if (fake_in >= 0)
		close(fake_in); /* its signal to exit */
	fake_in = -1;
	if (fake_pid > 0)
		waitpid(fake_pid, NULL, 0);
	fake_pid = 0;
	if (fake_tmp[0]) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", fake_tmp);
		if (system(cmd))
			fprintf(stderr, "could not remove %s\n", fake_tmp);
	}
}

int dt_fake_call(wsp_fakehost *fh, const char *method, const char *path,
		 const char *body, cJSON **out)
{
	const wsp_host *h = wsp_fakehost_host(fh);
	char url[1024];
	wsp_http_header hdr[] = {
		{ "Authorization", "Bearer " DT_TEST_KEY },
		{ "X-Daytona-SDK-Version", "0.218.0" },
		{ "Content-Type", "application/json" },
	};
	wsp_http_response resp = { .struct_size = sizeof resp };
	wsp_http_request req = { .struct_size = sizeof req,
				 .method = method, .url = url,
				 .headers = hdr, .n_headers = 3,
				 .body = body,
				 .body_len = body ? strlen(body) : 0 };
	wsp_error err = { 0 };
	int rc;

	snprintf(url, sizeof url, "%s%s", fake_url, path);
	rc = h->http_request(&resp, h, &req, &err);
	if (!rc && out)
		*out = resp.body ? cJSON_Parse(resp.body) : NULL;
	h->http_response_release(h, &resp);
	return rc;
}

int dt_box_open(wsp_fakehost **fh, void **self, const char *more_yaml,
		wsp_error *err)
{
	char yaml[2048];
	int rc;

	*self = NULL;
	if ((rc = wsp_fakehost_new(fh, dt_desc(), err)))
		return rc;
	snprintf(yaml, sizeof yaml,
		 "api_url: %s/api\napi_key: %s\n%s", fake_url, DT_TEST_KEY,
		 more_yaml ? more_yaml : "");
	if ((rc = wsp_fakehost_options(*fh, yaml, err)))
		return rc;
	return wsp_fakehost_init(self, *fh, err);
}

int dt_box_again(void **self, wsp_fakehost *fh, wsp_error *err)
{
	return wsp_fakehost_init(self, fh, err);
}

void dt_box_close(wsp_fakehost *fh, void *self)
{
	if (self)
		dt_desc()->fini(self);
	if (fh)
		wsp_fakehost_free(fh);
}
