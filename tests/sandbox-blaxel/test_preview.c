/*
 * tests/sandbox-blaxel/test_preview.c - `wsp sandbox url PORT` against the
 * Blaxel fake: a server inside the sandbox reached through the preview's
 * URL with its token header (refused without it), one preview per port
 * made once and found again, a fresh token per call, bad ports refused.
 */
#include "bl_env.h"
#include "cu_main.h"
#include "test_port.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct box bx;
static unsigned port;

static int suite_init(void)
{
	char opts[64];
	wsp_error err = {0};
	int free_port;

	if (fake_start())
		return -1;
	/* the fake forwards only a declared port; its servers share the
	 * host's network, so take one the kernel says is free */
	free_port = test_free_port();
	if (free_port < 0)
		return -1;
	port = (unsigned)free_port;
	snprintf(opts, sizeof(opts), "ports: [\"web:%u\"]\n", port);
	return box_open(&bx, "preview-box", opts, 0, &err);
}

static int suite_clean(void)
{
	box_destroy(&bx);
	fake_env_stop();
	return 0;
}

/* GET url (with the header when name is set): the status, the body. */
static int get(const char *url, const char *name, const char *value,
	       char *body, size_t cap)
{
	const wsp_host *h = wsp_fakehost_host(bx.fh);
	wsp_http_header hd = {name, value};
	wsp_http_request req = {.struct_size = sizeof(req),
				.flags = WSP_HTTP_NO_ERROR_MAP |
					 WSP_HTTP_NO_RETRY,
				.method = "GET",
				.url = url,
				.headers = &hd,
				.n_headers = name ? 1 : 0,
				.timeout_ms = 5000};
	wsp_http_response resp = {.struct_size = sizeof(resp)};
	wsp_error err = {0};
	int status;

	if (h->http_request(&resp, h, &req, &err))
		return -1;
	status = resp.status;
	snprintf(body, cap, "%s", resp.body ? resp.body : "");
	h->http_response_release(h, &resp);
	return status;
}

static void test_preview(void)
{
	wsp_preview p = {.struct_size = sizeof(p)}, again = p;
	wsp_spawn_opts so = {.struct_size = sizeof(so)};
	char id[WSP_PROC_ID_MAX], cmd[300], url[WSP_PREVIEW_URL_MAX + 8],
		body[256] = "", path[128];
	wsp_error err = {0};
	int status = 0;

	snprintf(cmd, sizeof(cmd),
		 "exec node -e \"require('http').createServer((q,s)=>"
		 "s.end('hello '+q.url)).listen(%u,'127.0.0.1')\"",
		 port);
	so.shell = cmd;
	so.stdin_mode = WSP_STDIN_IGNORE;
	CU_ASSERT_EQUAL_FATAL(bx.d->procmgr->spawn(id, bx.self,
						   box_call(&bx, 30000), &so,
						   &err),
			      0);
	fake_admin("DELETE", "/_fake/requests", NULL, NULL);
	CU_ASSERT_EQUAL_FATAL(bx.d->sandbox->preview(&p, bx.self,
						     box_call(&bx, 30000), port,
						     0, &err),
			      0);
	CU_ASSERT_EQUAL(strncmp(p.url, "http://127.0.0.1:", 17), 0);
	CU_ASSERT_STRING_EQUAL(p.header_name, "X-Blaxel-Preview-Token");
	CU_ASSERT(strlen(p.header_value) >= 16);
	CU_ASSERT_PTR_NULL(strstr(p.url, p.header_value));
	snprintf(url, sizeof(url), "%s/hi", p.url);
	/* node may take seconds to listen on a loaded machine; the fake
	 * answers 502 until it does */
	for (int i = 0; i < 300; i++) {
		status = get(url, p.header_name, p.header_value, body,
			     sizeof(body));
		if (status == 200)
			break;
		usleep(100 * 1000);
	}
	if (status != 200)
		fprintf(stderr, "preview answered %d: %s\n", status, body);
	CU_ASSERT_EQUAL(status, 200);
	CU_ASSERT_STRING_EQUAL(body, "hello /hi");
	/* private: nothing without the token */
	CU_ASSERT_EQUAL(get(url, NULL, NULL, body, sizeof(body)), 401);

	/* a second call: the same preview, a token of its own */
	CU_ASSERT_EQUAL(bx.d->sandbox->preview(&again, bx.self,
					       box_call(&bx, 30000), port, 0,
					       &err),
			0);
	CU_ASSERT_STRING_EQUAL(again.url, p.url);
	CU_ASSERT_STRING_NOT_EQUAL(again.header_value, p.header_value);
	CU_ASSERT_EQUAL(fake_count("POST", "/v0/sandboxes/preview-box/previews"),
			1);
	snprintf(path, sizeof(path),
		 "/v0/sandboxes/preview-box/previews/wsp-port-%u/tokens", port);
	CU_ASSERT_EQUAL(fake_count("POST", path), 2);
	CU_ASSERT_EQUAL(get(url, again.header_name, again.header_value, body,
			    sizeof(body)),
			200);

	CU_ASSERT_EQUAL(bx.d->sandbox->preview(&again, bx.self,
					       box_call(&bx, 30000), 0, 0,
					       &err),
			WSP_EINVAL);
	CU_ASSERT_EQUAL(bx.d->sandbox->preview(&again, bx.self,
					       box_call(&bx, 30000), 65536, 0,
					       &err),
			WSP_EINVAL);
	bx.d->procmgr->release(bx.self, box_call(&bx, 30000), id, 0, &err);
}

static CU_TestInfo tests[] = {
	{"a port through its preview and token", test_preview},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("sandbox-blaxel previews", suite_init, suite_clean, tests)
