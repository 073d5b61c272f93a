/*
 * tests/sandbox-daytona/dt_fake.c - see dt_fake.h.
 */
#include "dt_fake.h"
#include "node_fake.h"

#include <stdio.h>
#include <string.h>

const wsp_plugin_desc *wsp_plugin_entry(uint32_t, uint32_t);

const wsp_call dt_no_call = {sizeof(wsp_call), 0, NULL, 0};

static struct node_fake fake;
static char fake_url[160];

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
	const char *argv[16] = {WSP_TEST_DAYTONA_DIR "/fake-daytona.mjs"};
	int n = 1;

	while (extra && *extra && n < 15)
		argv[n++] = *extra++;
	argv[n] = NULL;
	if (node_fake_start(&fake, "wsp-dt-test", argv))
		return -1;
	snprintf(fake_url, sizeof fake_url, "http://127.0.0.1:%d", fake.port);
	return 0;
}

void dt_fake_stop(void)
{
	node_fake_stop(&fake);
}

int dt_fake_call(wsp_fakehost *fh, const char *method, const char *path,
		 const char *body, cJSON **out)
{
	const wsp_host *h = wsp_fakehost_host(fh);
	char url[1024];
	wsp_http_header hdr[] = {
		{"Authorization", "Bearer " DT_TEST_KEY},
		{"X-Daytona-SDK-Version", "0.218.0"},
		{"Content-Type", "application/json"},
	};
	wsp_http_response resp = {.struct_size = sizeof resp};
	wsp_http_request req = {.struct_size = sizeof req,
				.method = method,
				.url = url,
				.headers = hdr,
				.n_headers = 3,
				.body = body,
				.body_len = body ? strlen(body) : 0};
	wsp_error err = {0};
	int rc;

	snprintf(url, sizeof url, "%s%s", fake_url, path);
	rc = h->http_request(&resp, h, &req, &err);
	if (!rc && out)
		*out = resp.body ? cJSON_Parse(resp.body) : NULL;
	h->http_response_release(h, &resp);
	return rc;
}

/* Requests the fake saw with this method and path ending. */
int dt_fake_seen(wsp_fakehost *fh, const char *method, const char *tail)
{
	cJSON *j = NULL, *r;
	int n = 0;

	if (dt_fake_call(fh, "GET", "/_fake/requests", NULL, &j))
		return -1;
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(j, "requests"))
	{
		const char *m =
			cJSON_GetStringValue(cJSON_GetObjectItem(r, "method"));
		const char *p =
			cJSON_GetStringValue(cJSON_GetObjectItem(r, "path"));

		if (m && p && !strcmp(m, method) && strlen(p) >= strlen(tail) &&
		    !strcmp(p + strlen(p) - strlen(tail), tail))
			n++;
	}
	cJSON_Delete(j);
	return n;
}

int dt_fake_sessions(wsp_fakehost *fh, const char *only, char first[80],
		     int *busy)
{
	cJSON *l = NULL, *sbx, *s, *c, *arr;
	int n = 0;

	if (busy)
		*busy = 0;
	if (dt_fake_call(fh, "GET", "/_fake/sandboxes", NULL, &l))
		return -1;
	arr = cJSON_IsArray(l) ? l : cJSON_GetObjectItem(l, "sandboxes");
	cJSON_ArrayForEach(sbx, arr)
	{
		cJSON_ArrayForEach(s, cJSON_GetObjectItem(sbx, "sessions"))
		{
			const char *id = cJSON_GetStringValue(
				cJSON_GetObjectItem(s, "sessionId"));

			if (only && (!id || strcmp(id, only)))
				continue;
			if (!n++ && first)
				snprintf(first, 80, "%s", id ? id : "");
			cJSON_ArrayForEach(c, cJSON_GetObjectItem(s,
								  "commands"))
				if (busy && !cJSON_GetObjectItem(c, "exitCode"))
					(*busy)++;
		}
	}
	cJSON_Delete(l);
	return n;
}

int dt_box_open(wsp_fakehost **fh, void **self, const char *more_yaml,
		wsp_error *err)
{
	char yaml[2048];
	int rc;

	*self = NULL;
	if ((rc = wsp_fakehost_new(fh, dt_desc(), err)))
		return rc;
	snprintf(yaml, sizeof yaml, "api_url: %s/api\napi_key: %s\n%s",
		 fake_url, DT_TEST_KEY, more_yaml ? more_yaml : "");
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

int dt_suite_start(void)
{
	return dt_fake_start(NULL);
}

int dt_suite_stop(void)
{
	dt_fake_stop();
	return 0;
}

void dt_run(struct dt_run *x, void *self, const wsp_call *call,
	    const wsp_exec_opts *o)
{
	memset(x, 0, sizeof(*x));
	x->r.struct_size = sizeof x->r;
	x->rc = dt_desc()->sandbox->exec(&x->r, self, call ? call : &dt_no_call,
					 o, &x->err);
	if (x->rc) {
		fprintf(stderr, "exec: %s\n", x->err.message);
		x->r.stdout_data = x->r.stderr_data = (char *)"";
	}
}

void dt_run_release(wsp_fakehost *fh, struct dt_run *x)
{
	const wsp_host *h = wsp_fakehost_host(fh);

	if (!x->rc) {
		h->free(h, x->r.stdout_data);
		h->free(h, x->r.stderr_data);
	}
}

uint32_t dt_box_state(void *self)
{
	uint32_t st = WSP_SANDBOX_UNKNOWN;
	wsp_error err = {0};

	if (dt_desc()->sandbox->status(&st, self, &dt_no_call, 0, &err))
		return WSP_SANDBOX_UNKNOWN;
	return st;
}

void dt_stored_id(wsp_fakehost *fh, char *out, size_t cap)
{
	char path[1400];
	FILE *f;
	size_t n = 0;

	snprintf(path, sizeof path,
		 "%s/state/store/sandbox-daytona/test/remote-id",
		 wsp_fakehost_dir(fh));
	out[0] = '\0';
	f = fopen(path, "r");
	if (f) {
		n = fread(out, 1, cap - 1, f);
		fclose(f);
	}
	out[n] = '\0';
}

void dt_fake_state(wsp_fakehost *fh, const char *id, char *out, size_t cap)
{
	char path[200];
	cJSON *j = NULL;
	const char *s;

	snprintf(path, sizeof path, "/api/sandbox/%s", id);
	out[0] = '\0';
	if (!dt_fake_call(fh, "GET", path, NULL, &j) &&
	    (s = cJSON_GetStringValue(cJSON_GetObjectItem(j, "state"))))
		snprintf(out, cap, "%s", s);
	cJSON_Delete(j);
}
