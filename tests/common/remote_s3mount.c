/*
 * tests/common/remote_s3mount.c - an S3 store mounted inside a remote
 * sandbox (E2B, Blaxel: the slots mount and unmount,
 * plugins/shared/remote_mount.c), for real: the project's S3 test server
 * (tests/s3, npm s3rver), its source described by wsp-fs-s3.so, and s3fs
 * run inside the vendor fake's sandbox, whose commands share one private
 * mount namespace (the fakes' --mount-ns, root only). Built once per
 * vendor, whose rm_vendor.h says what differs.
 *
 * What wsp's S3 provider writes is read inside the sandbox through the
 * mount, and what a command writes there is read back through the
 * provider; a prefix mounts that part of the bucket; read-only refuses
 * writes; mounting the same source again is a no-op and another one there
 * is WSP_EBUSY, as is a directory that is not empty; unmount leaves
 * nothing mounted, and a second one is WSP_ENOTFOUND. The secret reaches
 * neither a command line (the fake's request log of every Start) nor
 * s3fs's environment nor the provider's log, and its file is gone once
 * s3fs has mounted.
 */
#include "rm_vendor.h"
#include "rm_util.h"
#include "s3_env.h"
#include "cu_main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* s3rver (plain) checks no signature: a secret of our own, to look for */
#define SECRET "wJalrXUtnFEMI-k7MDENG-sandbox-mount-4c1e"

static struct box bx;
static struct s3_server srv;
static struct s3fs fs;

static void own_secret(struct wsp_config *cfg)
{
	cfg->secret_access_key = SECRET;
}

static int init(void)
{
	if (s3_suite_open(&srv, "plain", &fs, own_secret))
		return -1;
	return rm_box_start(&bx, "mount-box", SECRET);
}

static int clean(void)
{
	box_destroy(&bx);
	fake_env_stop();
	s3_suite_close(&srv, &fs);
	return 0;
}

/* The store's source below rel ("." for all of it). */
static int source(wsp_mount_source *s, const char *rel)
{
	wsp_error err = {0};

	memset(s, 0, sizeof(*s));
	s->struct_size = sizeof(*s);
	return fs.fs->mount_source(s, fs.self, &s3_call, rel, 0, &err);
}

static int mount_at(const char *rel, const char *path, uint32_t flags,
		    wsp_error *err)
{
	return rm_mount_rel(&bx, source, rel, path, flags, err);
}

static int unmount_at(const char *path, wsp_error *err)
{
	return rm_unmount(&bx, path, err);
}

static int sh(const char *cmd, char **out)
{
	return rm_sh(&bx, cmd, out);
}

static void test_both_ways(void)
{
	wsp_error err = {0};
	char *got = NULL, *data = NULL;
	size_t len = 0;

	CU_ASSERT_EQUAL_FATAL(s3fs_put(&fs, "notes/hello.md", "written by S3",
				       13, NULL, NULL, &err),
			      0);
	CU_ASSERT_EQUAL_FATAL(mount_at(".", RM_HOME "/data", 0, &err), 0);
	CU_ASSERT_EQUAL(sh("mountpoint -q " RM_HOME "/data", NULL), 0);
	CU_ASSERT_EQUAL(sh("cat " RM_HOME "/data/notes/hello.md", &got), 0);
	CU_ASSERT_STRING_EQUAL(got, "written by S3");
	free(got);

	CU_ASSERT_EQUAL(sh("printf 'from the sandbox' "
			   ">" RM_HOME "/data/from-sandbox.txt",
			   NULL),
			0);
	CU_ASSERT_EQUAL(s3fs_get(&fs, "from-sandbox.txt", 0, UINT64_MAX, &data,
				 &len, &err),
			0);
	CU_ASSERT_EQUAL(len, 16);
	if (data)
		CU_ASSERT_STRING_EQUAL(data, "from the sandbox");
	free(data);

	/* the core mounts configured stores after every start: a no-op */
	CU_ASSERT_EQUAL(mount_at(".", RM_HOME "/data", 0, &err), 0);
	/* another source there is refused */
	CU_ASSERT_EQUAL(mount_at("notes", RM_HOME "/data", 0, &err), WSP_EBUSY);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "another mount"));
}

/* Nothing secret in a command line, s3fs's environment or a file left. */
static void test_secret_kept(void)
{
	static const char *const words[] = {SECRET, "S3RVER:", NULL};

	/* s3fs knows no secret but its file's name */
	rm_assert_secret_kept(&bx, "s3fs", "passwd_file=/tmp/.wsp-mounts/",
			      SECRET, words);
}

static void test_prefix_read_only(void)
{
	wsp_error err = {0};
	char *got = NULL, *data = NULL;
	size_t len = 0;

	CU_ASSERT_EQUAL_FATAL(
		mount_at("notes", RM_HOME "/ro", WSP_MOUNT_READ_ONLY, &err), 0);
	CU_ASSERT_EQUAL(sh("cat " RM_HOME "/ro/hello.md", &got), 0);
	CU_ASSERT_STRING_EQUAL(got, "written by S3");
	free(got);
	CU_ASSERT_NOT_EQUAL(sh("echo no >" RM_HOME "/ro/refused.txt", NULL), 0);
	CU_ASSERT_NOT_EQUAL(sh("rm " RM_HOME "/ro/hello.md", NULL), 0);
	CU_ASSERT_EQUAL(s3fs_get(&fs, "notes/hello.md", 0, UINT64_MAX, &data,
				 &len, &err),
			0);
	free(data);
	CU_ASSERT_NOT_EQUAL(s3fs_get(&fs, "notes/refused.txt", 0, UINT64_MAX,
				     &data, &len, &err),
			    0);
	CU_ASSERT_EQUAL(unmount_at(RM_HOME "/ro", &err), 0);
}

static void test_not_empty(void)
{
	wsp_error err = {0};

	CU_ASSERT_EQUAL_FATAL(sh("mkdir -p " RM_HOME "/full && "
				 "echo kept >" RM_HOME "/full/a.txt",
				 NULL),
			      0);
	CU_ASSERT_EQUAL(mount_at(".", RM_HOME "/full", 0, &err), WSP_EBUSY);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "not empty"));
	CU_ASSERT_EQUAL(sh("cat " RM_HOME "/full/a.txt", NULL), 0);
}

static void test_unmount(void)
{
	wsp_error err = {0};

	CU_ASSERT_EQUAL(unmount_at(RM_HOME "/data", &err), 0);
	CU_ASSERT_NOT_EQUAL(sh("mountpoint -q " RM_HOME "/data", NULL), 0);
	CU_ASSERT_NOT_EQUAL(
		sh("test -e " RM_HOME "/data/from-sandbox.txt", NULL), 0);
	CU_ASSERT_EQUAL(sh("ls -A /tmp/.wsp-mounts | wc -l | grep -qx 0", NULL),
			0);
	CU_ASSERT_EQUAL(unmount_at(RM_HOME "/data", &err), WSP_ENOTFOUND);
	/* a path wsp never mounted, though something else may be there */
	CU_ASSERT_EQUAL(unmount_at(RM_HOME, &err), WSP_ENOTFOUND);
}

/* What s3fs cannot take is refused before anything runs. */
static void test_refused_sources(void)
{
	wsp_mount_source s;
	wsp_error err = {0};
	int before = rm_count_starts(RM_START_SUFFIX);

	CU_ASSERT_EQUAL_FATAL(source(&s, "."), 0);
	snprintf(s.type, sizeof(s.type), "azure");
	CU_ASSERT_EQUAL(box_vt(&bx)->mount(bx.self, box_call(&bx, 5000), &s,
					   RM_HOME "/g", 0, &err),
			WSP_ENOTSUP);
	/* a GCS source with an S3 key pair: nothing rclone can use */
	snprintf(s.type, sizeof(s.type), "gcs");
	CU_ASSERT_EQUAL(box_vt(&bx)->mount(bx.self, box_call(&bx, 5000), &s,
					   RM_HOME "/g", 0, &err),
			WSP_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "rclone"));
	snprintf(s.type, sizeof(s.type), "s3");
	CU_ASSERT_EQUAL(wsp_mount_source_add_credential(&s, "session_token",
							"made-up-token"),
			0);
	CU_ASSERT_EQUAL(box_vt(&bx)->mount(bx.self, box_call(&bx, 5000), &s,
					   RM_HOME "/t", 0, &err),
			WSP_ENOTSUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "session token"));
	wsp_mount_source_wipe(&s);
	CU_ASSERT_EQUAL(rm_count_starts(RM_START_SUFFIX), before);
}

static CU_TestInfo tests[] = {
	{"written by S3, read inside; and back", test_both_ways},
	{"the secret reaches no command line or file", test_secret_kept},
	{"a prefix, read-only", test_prefix_read_only},
	{"a directory that is not empty", test_not_empty},
	{"unmount", test_unmount},
	{"other types, S3 keys for GCS, session tokens refused",
	 test_refused_sources},
	CU_TEST_INFO_NULL,
};

int main(void)
{
	CU_SuiteInfo suites[] = {
		{"s3 mount in a " RM_VENDOR " sandbox", init, clean, NULL, NULL,
		 tests},
		CU_SUITE_INFO_NULL,
	};

	return rm_main_root(suites);
}
