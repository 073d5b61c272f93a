/*
 * tests/common/remote_gcsmount.c - a GCS store mounted inside a remote
 * sandbox (E2B, Blaxel, Daytona: the slots mount and unmount,
 * plugins/shared/remote_mount.c), for real: the project's GCS fake
 * (tests/gcs, bearer auth, a service-account key whose token_uri is the
 * fake's), the source described by wsp-fs-gcs.so, and Debian's rclone
 * run inside the vendor fake's sandbox, whose commands share one private
 * mount namespace (the fakes' --mount-ns, root only). Built once per
 * vendor, whose rm_vendor.h says what differs.
 *
 * What wsp's GCS provider writes is read inside the sandbox through the
 * mount, and what a command writes there is read back through the
 * provider; a prefix mounts that part of the bucket; read-only refuses
 * writes; mounting the same source again is a no-op and another one
 * there is WSP_EBUSY; unmount leaves nothing mounted. The key (a line of
 * its PEM) reaches no command line (the fake's request log of every
 * command started), rclone's command line or environment, a file left
 * in the sandbox, or the provider's log (the fake host fails on it).
 */
#include "rm_vendor.h"
#include "rm_util.h"
#include "gcs_env.h"
#include "test_bytes.h"
#include "cu_main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct box bx;
static void *gcs;	/* wsp-fs-gcs on gcs_env's fake host */
static char secret[48]; /* a line of the key's PEM body */

static const wsp_fs_vtable *gvt(void)
{
	return wsp_fakehost_desc(fh)->fs;
}

static int init(void)
{
	wsp_error err = {0};
	char yaml[1024];

	unsetenv("GOOGLE_APPLICATION_CREDENTIALS");
	unsetenv("GCE_METADATA_HOST");
	if (start_fake(NULL) || gcs_key_secret(secret, sizeof(secret)))
		return -1;
	snprintf(yaml, sizeof(yaml),
		 "bucket: " BUCKET "\nendpoint: http://127.0.0.1:%d\n"
		 "credentials: %s\nprefix: agents/box\n",
		 port, key_path);
	if (wsp_fakehost_options(fh, yaml, &err) ||
	    wsp_fakehost_init(&gcs, fh, &err)) {
		fprintf(stderr, "setup: %s\n", err.message);
		return -1;
	}
	return rm_box_start(&bx, "gcs-mount-box", secret);
}

static int clean(void)
{
	box_destroy(&bx);
	fake_env_stop();
	if (gcs)
		wsp_fakehost_desc(fh)->fini(gcs);
	stop_fake();
	return 0;
}

static int put(const char *path, const char *text)
{
	wsp_fs_write_opts o = WSP_FS_WRITE_OPTS_INIT;
	struct text_src ts = {text, 0};
	wsp_error err = {0};

	return gvt()->write(NULL, gcs, wsp_fakehost_call(fh, 30000), path, &o,
			    text_give, &ts, &err);
}

/* The object's text through fs-gcs ("" when it cannot be read). */
static void get(const char *path, char *out, size_t cap)
{
	wsp_fs_read_opts o = {sizeof(o), 0, 0, UINT64_MAX};
	struct sink s = {(unsigned char *)out, 0, cap - 1, 0};
	wsp_error err = {0};

	if (gvt()->read(gcs, wsp_fakehost_call(fh, 30000), path, &o, take, &s,
			&err))
		s.len = 0;
	out[s.len] = '\0';
}

/* The store's source below rel ("." for all of it). */
static int source(wsp_mount_source *s, const char *rel)
{
	wsp_error err = {0};

	memset(s, 0, sizeof(*s));
	s->struct_size = sizeof(*s);
	return gvt()->mount_source(s, gcs, wsp_fakehost_call(fh, 30000), rel, 0,
				   &err);
}

static int mount_at(const char *rel, const char *path, uint32_t flags,
		    wsp_error *err)
{
	return rm_mount_rel(&bx, source, rel, path, flags, err);
}

static void test_both_ways(void)
{
	wsp_error err = {0};
	char *got = NULL, back[64];

	CU_ASSERT_EQUAL_FATAL(put("notes/hello.md", "written by GCS"), 0);
	CU_ASSERT_EQUAL_FATAL(mount_at(".", RM_HOME "/gdata", 0, &err), 0);
	CU_ASSERT_EQUAL(rm_sh(&bx, "mountpoint -q " RM_HOME "/gdata", NULL), 0);
	CU_ASSERT_EQUAL(
		rm_sh(&bx, "cat " RM_HOME "/gdata/notes/hello.md", &got), 0);
	CU_ASSERT_STRING_EQUAL(got, "written by GCS");
	free(got);

	CU_ASSERT_EQUAL(rm_sh(&bx,
			      "printf 'from the sandbox' "
			      ">" RM_HOME "/gdata/from-sandbox.txt",
			      NULL),
			0);
	get("from-sandbox.txt", back, sizeof(back));
	CU_ASSERT_STRING_EQUAL(back, "from the sandbox");

	/* the core mounts configured stores after every start: a no-op */
	CU_ASSERT_EQUAL(mount_at(".", RM_HOME "/gdata", 0, &err), 0);
	/* another source there is refused */
	CU_ASSERT_EQUAL(mount_at("notes", RM_HOME "/gdata", 0, &err),
			WSP_EBUSY);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "another mount"));
}

/* Nothing secret in a command line, rclone's environment or a file. */
static void test_secret_kept(void)
{
	const char *const words[] = {secret, NULL};

	/* rclone knows no key but its config file's name */
	rm_assert_secret_kept(&bx, "rclone", "/tmp/.wsp-mounts/", secret,
			      words);
}

static void test_prefix_read_only(void)
{
	wsp_error err = {0};
	char *got = NULL, back[64];

	CU_ASSERT_EQUAL_FATAL(
		mount_at("notes", RM_HOME "/gro", WSP_MOUNT_READ_ONLY, &err),
		0);
	CU_ASSERT_EQUAL(rm_sh(&bx, "cat " RM_HOME "/gro/hello.md", &got), 0);
	CU_ASSERT_STRING_EQUAL(got, "written by GCS");
	free(got);
	CU_ASSERT_NOT_EQUAL(
		rm_sh(&bx, "echo no >" RM_HOME "/gro/refused.txt", NULL), 0);
	CU_ASSERT_NOT_EQUAL(rm_sh(&bx, "rm " RM_HOME "/gro/hello.md", NULL), 0);
	get("notes/hello.md", back, sizeof(back));
	CU_ASSERT_STRING_EQUAL(back, "written by GCS");
	get("notes/refused.txt", back, sizeof(back));
	CU_ASSERT_STRING_EQUAL(back, "");
	CU_ASSERT_EQUAL(rm_unmount(&bx, RM_HOME "/gro", &err), 0);
}

static void test_unmount(void)
{
	wsp_error err = {0};

	CU_ASSERT_EQUAL(rm_unmount(&bx, RM_HOME "/gdata", &err), 0);
	CU_ASSERT_NOT_EQUAL(rm_sh(&bx, "mountpoint -q " RM_HOME "/gdata", NULL),
			    0);
	CU_ASSERT_EQUAL(
		rm_sh(&bx, "ls -A /tmp/.wsp-mounts | wc -l | grep -qx 0", NULL),
		0);
	CU_ASSERT_EQUAL(rm_unmount(&bx, RM_HOME "/gdata", &err), WSP_ENOTFOUND);
}

/* A key rclone cannot use is refused before anything runs. */
static void test_refused_key(void)
{
	wsp_mount_source s;
	wsp_error err = {0};
	int before = rm_count_starts(RM_START_SUFFIX);

	memset(&s, 0, sizeof(s));
	s.struct_size = sizeof(s);
	snprintf(s.type, sizeof(s.type), "gcs");
	snprintf(s.bucket, sizeof(s.bucket), BUCKET);
	CU_ASSERT_EQUAL(wsp_mount_source_add_credential(
				&s, "credentials_json",
				"{\"type\":\"external_account\"}"),
			0);
	CU_ASSERT_EQUAL(rm_mount(&bx, &s, RM_HOME "/k", 0, &err), WSP_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "rclone"));
	wsp_mount_source_wipe(&s);
	CU_ASSERT_EQUAL(rm_count_starts(RM_START_SUFFIX), before);
}

static CU_TestInfo tests[] = {
	{"written by GCS, read inside; and back", test_both_ways},
	{"the key reaches no command line or file", test_secret_kept},
	{"a prefix, read-only", test_prefix_read_only},
	{"unmount", test_unmount},
	{"a key rclone cannot use", test_refused_key},
	CU_TEST_INFO_NULL,
};

int main(void)
{
	CU_SuiteInfo suites[] = {
		{"gcs mount in a " RM_VENDOR " sandbox", init, clean, NULL,
		 NULL, tests},
		CU_SUITE_INFO_NULL,
	};

	return rm_main_root(suites);
}
