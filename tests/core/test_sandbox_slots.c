/*
 * tests/core/test_sandbox_slots.c - the core's side of the optional
 * sandbox slots of ABI 2.0 (core/exec/sandbox_slots.c): a provider that has a
 * slot and claims its capability is reached with a full-size call and
 * result; one whose slot is NULL, whose vtable ends before the slot (an
 * older 2.0 build), or that does not claim the capability gets
 * WSP_ENOTSUP from the core; bad arguments are refused before dispatch;
 * the preview's header value comes back terminated inside its array;
 * wsp_sandbox_id() and wsp_sandbox_loaded() answer without loading.
 */
#include "testutil.h"

#include <wsp/wsp.h>

#include <stdlib.h>
#include <string.h>

#define FIX(dir) WSP_FIXTURE_DIR "/" dir

static wsp_workspace *open_text(const char *dir, const char *text)
{
	wsp_open_opts o = WSP_OPEN_OPTS_INIT;
	wsp_workspace *ws = NULL;
	wsp_error err;

	unsetenv("WSP_PLUGIN_PATH");
	o.plugin_path = dir;
	o.config_text = text;
	CU_ASSERT_EQUAL(wsp_workspace_open(&ws, &o, &err), 0);
	return ws;
}

static wsp_workspace *open_provider(const char *dir, const char *name)
{
	char text[256];

	snprintf(text, sizeof(text),
		 "sandbox:\n  provider: %s\n"
		 "  options: { root: /w, retries: 2 }\n", name);
	return open_text(dir, text);
}

/* Every slot of a provider that cannot is WSP_ENOTSUP, named. */
static void expect_enotsup(const char *dir, const char *name,
			   const char *why)
{
	wsp_workspace *ws = open_provider(dir, name);
	wsp_preview p = { .struct_size = sizeof(p) };
	wsp_error err;

	if (!ws)
		return;
	CU_ASSERT_EQUAL(wsp_sandbox_pause(ws, NULL, &err), WSP_ENOTSUP);
	TU_ASSERT_CONTAINS(err.message, "cannot pause");
	TU_ASSERT_CONTAINS(err.message, why);
	CU_ASSERT_EQUAL(wsp_sandbox_resume(ws, NULL, &err), WSP_ENOTSUP);
	CU_ASSERT_EQUAL(wsp_sandbox_set_timeout(ws, NULL, 42, 0, &err),
			WSP_ENOTSUP);
	CU_ASSERT_EQUAL(wsp_sandbox_preview(&p, ws, NULL, 80, &err),
			WSP_ENOTSUP);
	CU_ASSERT_STRING_EQUAL(p.url, "");
	wsp_workspace_close(ws);
}

static void test_no_slots(void)
{
	expect_enotsup(FIX("good"), "fixture", "no such operation");
}

static void test_short_vtable(void)
{
	/* The slots sit past its struct_size: never read, never called. */
	expect_enotsup(FIX("slots"), "short", "no such operation");
}

static void test_unclaimed(void)
{
	expect_enotsup(FIX("slots"), "unclaimed", "capability");
}

static void test_reached(void)
{
	wsp_workspace *ws = open_provider(FIX("slots"), "slots");
	wsp_error err;

	if (!ws)
		return;
	CU_ASSERT_EQUAL(wsp_sandbox_pause(ws, NULL, &err), 0);
	CU_ASSERT_EQUAL(wsp_sandbox_resume(ws, NULL, &err), 0);
	CU_ASSERT_EQUAL(wsp_sandbox_set_timeout(ws, NULL, 42, 0, &err), 0);
	/* With the keep-alive flag the provider never sees the number. */
	CU_ASSERT_EQUAL(wsp_sandbox_set_timeout(ws, NULL, 99,
						WSP_SANDBOX_KEEPALIVE, &err),
			0);
	CU_ASSERT_EQUAL(wsp_sandbox_set_timeout(ws, NULL, 42, 1u << 7, &err),
			WSP_EINVAL);
	TU_ASSERT_CONTAINS(err.message, "unknown set_timeout flags");
	wsp_workspace_close(ws);
}

static void test_preview(void)
{
	wsp_workspace *ws = open_provider(FIX("slots"), "slots");
	wsp_preview p = { .struct_size = sizeof(p) }, small;
	wsp_error err;

	if (!ws)
		return;
	CU_ASSERT_EQUAL(wsp_sandbox_preview(&p, ws, NULL, 3000, &err), 0);
	CU_ASSERT_STRING_EQUAL(p.url, "https://3000-fixture.example");
	CU_ASSERT_STRING_EQUAL(p.header_name, "X-Access");
	/* The provider left it unterminated: the core ended it. */
	CU_ASSERT_EQUAL(strlen(p.header_value), sizeof(p.header_value) - 1);
	CU_ASSERT_EQUAL(p.struct_size, sizeof(p));
	CU_ASSERT_EQUAL(wsp_sandbox_preview(&p, ws, NULL, 0, &err),
			WSP_EINVAL);
	CU_ASSERT_EQUAL(wsp_sandbox_preview(&p, ws, NULL, 65536, &err),
			WSP_EINVAL);
	/* A struct too short for the header would lose it: refused. */
	memset(&small, 0, sizeof(small));
	small.struct_size = (uint32_t)offsetof(wsp_preview, header_value);
	CU_ASSERT_EQUAL(wsp_sandbox_preview(&small, ws, NULL, 80, &err),
			WSP_EINVAL);
	TU_ASSERT_CONTAINS(err.message, "struct_size");
	CU_ASSERT_EQUAL(wsp_sandbox_preview(NULL, ws, NULL, 80, &err),
			WSP_EINVAL);
	wsp_workspace_close(ws);
}

/*
 * wsp_sandbox_id() and wsp_sandbox_loaded(): what is configured, and
 * whether a call has loaded the provider yet; asking starts nothing.
 */
static void test_id_and_loaded(void)
{
	wsp_workspace *ws;
	wsp_error err;

	ws = open_text(FIX("slots"), "sandbox:\n  provider: slots\n"
				     "  id: box-7\n"
				     "  options: { root: /w, retries: 2 }\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ws);
	CU_ASSERT_STRING_EQUAL(wsp_sandbox_id(ws), "box-7");
	CU_ASSERT_EQUAL(wsp_sandbox_loaded(ws), 0);
	CU_ASSERT_EQUAL(wsp_sandbox_loaded(ws), 0); /* asking loads nothing */
	CU_ASSERT_EQUAL(wsp_sandbox_pause(ws, NULL, &err), 0);
	CU_ASSERT_EQUAL(wsp_sandbox_loaded(ws), 1);
	wsp_workspace_close(ws);

	/* Without a sandbox: no id, never loaded; NULL is no workspace. */
	ws = open_text(FIX("good"), "mounts:\n  /: {provider: fixture, "
				    "options: {root: /w}}\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ws);
	CU_ASSERT_PTR_NULL(wsp_sandbox_id(ws));
	CU_ASSERT_EQUAL(wsp_sandbox_loaded(ws), 0);
	wsp_workspace_close(ws);
	CU_ASSERT_PTR_NULL(wsp_sandbox_id(NULL));
	CU_ASSERT_EQUAL(wsp_sandbox_loaded(NULL), 0);
}

static const CU_TestInfo tests[] = {
	{ "no slots: not supported", test_no_slots },
	{ "vtable too short: not supported", test_short_vtable },
	{ "capability unclaimed: not supported", test_unclaimed },
	{ "slots reached", test_reached },
	{ "preview result", test_preview },
	{ "sandbox id and loaded", test_id_and_loaded },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return tu_main("core_sandbox_slots", tests);
}
