/*
 * tests/common/remote_s3missing.c - mounting a store in a remote sandbox
 * (E2B, Blaxel, Daytona; rm_vendor.h says what differs) that cannot:
 * s3fs or rclone missing from the image (the fake hides them: --hide) is
 * WSP_ENOTSUP naming both ways out, unless install_mount_tools asks for
 * apt-get, whose failure (the fake's sandbox has no network and no apt
 * state) is WSP_EUNAVAIL; a user that is neither root nor has sudo
 * (E2B's and Daytona's default user in the fakes) is WSP_EPERM. Runs as
 * root and as uid 65534 (the fake under bubblewrap either way); no
 * store's server is needed, nothing gets that far.
 */
#include "rm_vendor.h"
#include "cu_main.h"

#include <stdio.h>
#include <string.h>

#define SECRET "made-up-secret-for-missing-s3fs-93d2"

static struct box bx;

static int init(void)
{
	static const char *const extra[] = {"--hide", "s3fs", "--hide",
					    "rclone", NULL};

	return RM_FAKE_START(extra);
}

static int clean(void)
{
	fake_env_stop();
	return 0;
}

/* An S3 source (gcs 0) or a GCS one with a key (1). */
static void a_source(wsp_mount_source *s, int gcs)
{
	memset(s, 0, sizeof(*s));
	s->struct_size = sizeof(*s);
	snprintf(s->bucket, sizeof(s->bucket), "team-data");
	snprintf(s->endpoint, sizeof(s->endpoint), "http://127.0.0.1:9");
	if (gcs) {
		snprintf(s->type, sizeof(s->type), "gcs");
		wsp_mount_source_add_credential(s, "credentials_json",
						"{\"type\":\"service_account\","
						"\"private_key\":\"" SECRET
						"\"}");
		return;
	}
	s->flags = WSP_MOUNT_PATH_STYLE;
	snprintf(s->type, sizeof(s->type), "s3");
	wsp_mount_source_add_credential(s, "access_key_id", "AKIDEXAMPLE");
	wsp_mount_source_add_credential(s, "secret_access_key", SECRET);
}

/* Open an instance with extra options, mount, close: the code. */
static int mount_gcs_with(const char *extra, int gcs, wsp_error *err)
{
	wsp_mount_source s;
	uint32_t outcome;
	int rc;

	CU_ASSERT_EQUAL_FATAL(box_open(&bx, "missing-box", extra, 0, err), 0);
	CU_ASSERT_EQUAL(wsp_fakehost_add_secret(bx.fh, SECRET, err), 0);
	rc = box_vt(&bx)->start(&outcome, bx.self, box_call(&bx, 30000), 0,
				err);
	if (!rc) {
		a_source(&s, gcs);
		rc = box_vt(&bx)->mount(bx.self, box_call(&bx, 60000), &s,
					RM_HOME "/data", 0, err);
		wsp_mount_source_wipe(&s);
	}
	box_destroy(&bx);
	CU_ASSERT_PTR_NULL(strstr(err->message, SECRET));
	return rc;
}

static int mount_with(const char *extra, wsp_error *err)
{
	return mount_gcs_with(extra, 0, err);
}

static void test_missing(void)
{
	wsp_error err = {0};

	CU_ASSERT_EQUAL(mount_with(RM_ROOT_OPTS, &err), WSP_ENOTSUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message,
				      "s3fs is not installed "
				      "in the " RM_VENDOR " sandbox"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "install_mount_tools"));
}

static void test_rclone_missing(void)
{
	wsp_error err = {0};

	CU_ASSERT_EQUAL(mount_gcs_with(RM_ROOT_OPTS, 1, &err), WSP_ENOTSUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message,
				      "rclone is not installed "
				      "in the " RM_VENDOR " sandbox"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "install_mount_tools"));
}

static void test_install_fails(void)
{
	wsp_error err = {0};

	CU_ASSERT_EQUAL(
		mount_with(RM_ROOT_OPTS "install_mount_tools: true\n", &err),
		WSP_EUNAVAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "installing it with "
						   "apt-get failed"));
}

#ifdef RM_NO_ROOT_OPTS
static void test_no_root(void)
{
	wsp_error err = {0};

	CU_ASSERT_EQUAL(mount_with(RM_NO_ROOT_OPTS, &err), WSP_EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "root or sudo"));
}
#endif

static CU_TestInfo tests[] = {
	{"s3fs missing", test_missing},
	{"s3fs missing, its install failing", test_install_fails},
	{"rclone missing", test_rclone_missing},
#ifdef RM_NO_ROOT_OPTS
	{"neither root nor sudo", test_no_root},
#endif
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("s3fs and rclone missing in a " RM_VENDOR " sandbox", init, clean,
	      tests)
