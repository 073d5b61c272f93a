/*
 * tests/sandbox-e2b/test_fs.c - the sandbox's disk as a filesystem (the
 * descriptor's sandbox_fs) against the E2B fake: a streamed write lands
 * under a temporary name and is renamed into place (what a command then
 * reads), reads whole and by range, names that need escaping, stat,
 * listings to a depth, mkdir, remove and rmdir with wsp's rules, move and
 * copy (cp in the sandbox), and the refusals (no overwrite, a missing
 * parent, append, a path under a file, a file moved over a directory):
 * the bodies tests/common/remote_fs_tests.c shares with
 * tests/sandbox-blaxel, with E2B's own wire checks here, and its own
 * answer for a directory moved over a directory.
 */
#include "e2_env.h"
#include "e2b.h"
#include "cu_main.h"
#include "remote_fs_tests.h"
#include "test_bytes.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static struct box bx;

/* uploaded chunked under a temporary name, then renamed */
static void wire_write(cJSON *log)
{
	cJSON *up = fake_log_find(log, "POST", "/files");

	CU_ASSERT_PTR_NOT_NULL_FATAL(up);
	CU_ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(up, "chunked")));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(cJSON_GetStringValue(cJSON_GetObjectItem(
			       cJSON_GetObjectItem(up, "query"), "path")),
		       "/home/user/data/.wsp-upload-"));
	CU_ASSERT_PTR_NOT_NULL(
		fake_log_find(log, "POST", "/filesystem.Filesystem/Move"));
}

/* a range: a GET of /files */
static void wire_range(cJSON *log)
{
	CU_ASSERT_PTR_NOT_NULL(fake_log_find(log, "GET", "/files"));
}

static void test_streamed_write_and_read(void)
{
	static const struct rfs_wire_checks wire = {wire_write, wire_range};

	rfs_streamed_write_and_read(&bx, &wire);
}

/* E2B's own (fs.h leaves it to the provider): a directory moved with
 * OVERWRITE replaces an empty directory only, as rename(2) does, though
 * envd's Move refuses every directory there. */
static void test_directory_over_directory(void)
{
	const wsp_fs_vtable *fs = bx.d->sandbox_fs;
	const wsp_call *call = box_call(&bx, 60000);
	wsp_error err = {0};
	int there = -1;

	CU_ASSERT_EQUAL_FATAL(rfs_put_text(&bx, "m/a/f.txt", "a", 0, &err), 0);
	CU_ASSERT_EQUAL_FATAL(rfs_put_text(&bx, "m/full/g.txt", "g", 0, &err),
			      0);
	CU_ASSERT_EQUAL_FATAL(fs->mkdir(bx.self, call, "m/empty", 0, &err), 0);
	CU_ASSERT_EQUAL(fs->move(bx.self, call, "m/a", "m/full",
				 WSP_FS_OVERWRITE, &err),
			WSP_ENOTEMPTY);
	CU_ASSERT_STRING_EQUAL(rfs_get_text(&bx, "m/full/g.txt"), "g");
	CU_ASSERT_STRING_EQUAL(rfs_get_text(&bx, "m/a/f.txt"), "a");
	CU_ASSERT_EQUAL(fs->move(bx.self, call, "m/a", "m/empty", 0, &err),
			WSP_EEXIST);
	CU_ASSERT_EQUAL(fs->move(bx.self, call, "m/a", "m/empty",
				 WSP_FS_OVERWRITE, &err),
			0);
	CU_ASSERT_STRING_EQUAL(rfs_get_text(&bx, "m/empty/f.txt"), "a");
	CU_ASSERT_EQUAL(fs->exists(&there, bx.self, call, "m/a", 0, &err), 0);
	CU_ASSERT_EQUAL(there, 0);
	CU_ASSERT_EQUAL(fs->rmdir(bx.self, call, "m", WSP_FS_RECURSIVE, &err),
			0);
}

static long peak_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static int count_only(const void *data, size_t len, void *payload)
{
	(void)data;
	*(size_t *)payload += len;
	return 0;
}

/* 64 MiB up and down: this process's peak grows by far less than that */
static void test_bounded_memory(void)
{
	size_t total = 64u << 20, got = 0;
	struct src s = {.total = total, .piece = 1 << 20};
	wsp_fs_write_opts wo = WSP_FS_WRITE_OPTS_INIT;
	wsp_fs_read_opts ro = WSP_FS_READ_OPTS_INIT;
	wsp_error err = {0};
	long before = peak_kib();

	CU_ASSERT_EQUAL_FATAL(
		bx.d->sandbox_fs->write(NULL, bx.self, box_call(&bx, 120000),
					"huge.bin", &wo, give, &s, &err),
		0);
	CU_ASSERT_EQUAL_FATAL(
		bx.d->sandbox_fs->read(bx.self, box_call(&bx, 120000),
				       "huge.bin", &ro, count_only, &got, &err),
		0);
	CU_ASSERT_EQUAL(got, total);
	CU_ASSERT_TRUE(peak_kib() - before < 16 * 1024);
	if (peak_kib() - before >= 16 * 1024)
		fprintf(stderr, "peak grew by %ld KiB\n", peak_kib() - before);
	CU_ASSERT_EQUAL(bx.d->sandbox_fs->remove(bx.self, box_call(&bx, 30000),
						 "huge.bin", 0, &err),
			0);
}

static int fake_is(const cJSON *r, const char *method, const char *path)
{
	const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(r, "method"));
	const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(r, "path"));

	return m && p && !strcmp(m, method) && !strcmp(p, path);
}

/* user: root reaches root's files through /files too (its query) */
static void test_as_root(void)
{
	struct box rb;
	wsp_error err = {0};
	uint32_t outcome;
	struct text_src ts = {"secret\n", 0};
	wsp_fs_write_opts o = WSP_FS_WRITE_OPTS_INIT;
	wsp_fs_stat st = {.struct_size = sizeof(st)};

	CU_ASSERT_EQUAL_FATAL(box_open(&rb, "root-box",
				       "user: root\nworking_dir: /root\n", 0,
				       &err),
			      0);
	CU_ASSERT_EQUAL_FATAL(box_vt(&rb)->start(&outcome, rb.self,
						 box_call(&rb, 30000), 0, &err),
			      0);
	CU_ASSERT_EQUAL(
		rb.d->sandbox_fs->write(&st, rb.self, box_call(&rb, 30000),
					"notes.txt", &o, text_give, &ts, &err),
		0);
	CU_ASSERT_EQUAL(st.size, 7);
	{
		cJSON *log = fake_requests(), *r = NULL, *it;
		const char *u;

		/* the last upload: it named the user */
		cJSON_ArrayForEach(
			it, cJSON_GetObjectItem(
				    log, "requests")) if (fake_is(it, "POST",
								  "/files")) r =
			it;
		u = cJSON_GetStringValue(cJSON_GetObjectItem(
			cJSON_GetObjectItem(r, "query"), "username"));

		CU_ASSERT_PTR_NOT_NULL(u);
		if (u)
			CU_ASSERT_STRING_EQUAL(u, "root");
		cJSON_Delete(log);
	}
	box_destroy(&rb);
}

static int suite_init(void)
{
	rfs_box = &bx;
	return e2_suite_start(&bx, "fs-box");
}

static int suite_clean(void)
{
	return e2_suite_stop(&bx);
}

static CU_TestInfo tests[] = {
	{"a streamed write renamed into place; reads",
	 test_streamed_write_and_read},
	{"the disk the commands see", rfs_test_same_disk_as_commands},
	{"names that need escaping", rfs_test_names_to_escape},
	{"tree operations and refusals", rfs_test_tree_operations},
	{"a path under a file", rfs_test_under_a_file},
	{"copy and move over a directory", rfs_test_over_a_directory},
	{"a directory moved over a directory", test_directory_over_directory},
	{"64 MiB in a bounded memory", test_bounded_memory},
	{"files as the configured user", test_as_root},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("sandbox-e2b files", suite_init, suite_clean, tests)
