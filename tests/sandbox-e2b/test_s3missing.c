/*
 * tests/sandbox-e2b/test_s3missing.c - mounting a store in an E2B sandbox
 * that cannot: s3fs missing from the image (the fake hides it: --hide
 * s3fs) is WSP_ENOTSUP naming both ways out, unless install_mount_tools
 * asks for apt-get, whose failure (the fake's sandbox has no network and
 * no apt state) is WSP_EUNAVAIL; a user that is neither root nor has
 * sudo is WSP_EPERM. Runs as root and as uid 65534 (the fake under
 * bubblewrap either way); no S3 server is needed, nothing gets that far.
 */
#include "e2_env.h"
#include "cu_main.h"

#include <stdio.h>
#include <string.h>

#define SECRET "made-up-secret-for-missing-s3fs-93d2"

static struct box bx;

static int init(void)
{
	static const char *const extra[] = {"--hide", "s3fs", NULL};

	return e2_fake_start_with(extra);
}

static int clean(void)
{
	fake_env_stop();
	return 0;
}

static void a_source(wsp_mount_source *s)
{
	memset(s, 0, sizeof(*s));
	s->struct_size = sizeof(*s);
	s->flags = WSP_MOUNT_PATH_STYLE;
	snprintf(s->type, sizeof(s->type), "s3");
	snprintf(s->bucket, sizeof(s->bucket), "team-data");
	snprintf(s->endpoint, sizeof(s->endpoint), "http://127.0.0.1:9");
	wsp_mount_source_add_credential(s, "access_key_id", "AKIDEXAMPLE");
	wsp_mount_source_add_credential(s, "secret_access_key", SECRET);
}

/* Open an instance with extra options, mount, close: the code. */
static int mount_with(const char *extra, wsp_error *err)
{
	wsp_mount_source s;
	uint32_t outcome;
	int rc;

	CU_ASSERT_EQUAL_FATAL(box_open(&bx, "missing-box", extra, 0, err), 0);
	CU_ASSERT_EQUAL(wsp_fakehost_add_secret(bx.fh, SECRET, err), 0);
	rc = box_vt(&bx)->start(&outcome, bx.self, box_call(&bx, 30000), 0,
				err);
	if (!rc) {
		a_source(&s);
		rc = box_vt(&bx)->mount(bx.self, box_call(&bx, 60000), &s,
					"/home/user/data", 0, err);
		wsp_mount_source_wipe(&s);
	}
	box_destroy(&bx);
	CU_ASSERT_PTR_NULL(strstr(err->message, SECRET));
	return rc;
}

static void test_missing(void)
{
	wsp_error err = {0};

	CU_ASSERT_EQUAL(mount_with("user: root\n", &err), WSP_ENOTSUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "s3fs is not installed "
						   "in the E2B sandbox"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "install_mount_tools"));
}

static void test_install_fails(void)
{
	wsp_error err = {0};

	CU_ASSERT_EQUAL(
		mount_with("user: root\ninstall_mount_tools: true\n", &err),
		WSP_EUNAVAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "installing it with "
						   "apt-get failed"));
}

static void test_no_root(void)
{
	wsp_error err = {0};

	/* the fake's 'user' has no sudo */
	CU_ASSERT_EQUAL(mount_with(NULL, &err), WSP_EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "root or sudo"));
}

static CU_TestInfo tests[] = {
	{"s3fs missing", test_missing},
	{"s3fs missing, its install failing", test_install_fails},
	{"neither root nor sudo", test_no_root},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("sandbox-e2b s3fs missing", init, clean, tests)
