/*
 * tests/s3/test_fs_s3_copy.c - copies above multipart_copy_threshold
 * (UploadPartCopy parts) against npm fauxqs, the one npm S3 server that
 * implements UploadPartCopy (the s3rver versions answer it 501). The
 * threshold and part size are set to 5 MiB so that a 12 MiB object is
 * copied in 3 parts; fauxqs gives a completed multipart object the ETag
 * "<md5>-<parts>" that S3 gives, which shows how the copy was made.
 * A failing part (abort, no object) is in test_fs_s3_faults.
 */
#include "s3_env.h"

#include "cu_main.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BIG (12u << 20)

static struct s3_server srv;
static struct s3fs fs;

/* objects above 5 MiB are copied in 5 MiB parts */
static void small_parts(struct wsp_config *cfg)
{
	cfg->multipart_copy_threshold = 5 << 20;
	cfg->part_size = 5 << 20;
}

static int suite_init(void)
{
	return s3_suite_open(&srv, "fauxqs", &fs, small_parts);
}

static int suite_clean(void)
{
	s3_suite_close(&srv, &fs);
	return 0;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && !strcmp(s + n - t, tail);
}

/* A write's options naming its type, as the core fills them (the
 * provider is driven here without the core). */
static wsp_fs_write_opts typed(const char *mime)
{
	wsp_fs_write_opts o = WSP_FS_WRITE_OPTS_INIT;

	o.mime_type = mime;
	return o;
}

/* path holds exactly data; its stat in *st. */
static void check_object(const char *path, const char *data, size_t n,
			 wsp_fs_stat *st)
{
	wsp_error err = {0};
	char *got = NULL;
	size_t len = 0;

	CU_ASSERT_EQUAL_FATAL(
		s3fs_get(&fs, path, 0, UINT64_MAX, &got, &len, &err), 0);
	CU_ASSERT_EQUAL(len, n);
	CU_ASSERT(len == n && !memcmp(got, data, n));
	free(got);
	CU_ASSERT_EQUAL(fs.fs->stat(st, fs.self, &s3_call, path, 0, &err), 0);
	CU_ASSERT_EQUAL(st->size, n);
}

static void test_copy_in_parts(void)
{
	char *data = test_bytes(BIG, 11);
	wsp_fs_write_opts csv = typed("text/csv");
	wsp_error err = {0};
	wsp_fs_stat st;

	CU_ASSERT_EQUAL_FATAL(
		s3fs_put(&fs, "data/big.csv", data, BIG, &csv, NULL, &err), 0);
	CU_ASSERT_EQUAL_FATAL(fs.fs->copy(fs.self, &s3_call, "data/big.csv",
					  "copies/big.csv", 0, &err),
			      0);
	check_object("copies/big.csv", data, BIG, &st);
	CU_ASSERT(ends_with(st.version, "-3\""));
	CU_ASSERT_STRING_EQUAL(st.mime_type, "text/csv");
	/* the source is untouched */
	check_object("data/big.csv", data, BIG, &st);
	free(data);
}

static void test_small_copy_is_one_request(void)
{
	char *data = test_bytes(1 << 20, 12);
	wsp_fs_write_opts o = typed("application/json");
	wsp_error err = {0};
	wsp_fs_stat src, st;

	CU_ASSERT_EQUAL_FATAL(
		s3fs_put(&fs, "data/small.json", data, 1 << 20, &o, &src, &err),
		0);
	CU_ASSERT_EQUAL_FATAL(fs.fs->copy(fs.self, &s3_call, "data/small.json",
					  "copies/small.json", 0, &err),
			      0);
	check_object("copies/small.json", data, 1 << 20, &st);
	/* CopyObject keeps the MD5 ETag; a multipart one would end "-N" */
	CU_ASSERT_STRING_EQUAL(st.version, src.version);
	CU_ASSERT_PTR_NULL(strchr(st.version, '-'));
	CU_ASSERT_STRING_EQUAL(st.mime_type, "application/json");
	free(data);
}

static void test_move_in_parts(void)
{
	char *data = test_bytes(BIG, 13);
	wsp_fs_write_opts csv = typed("text/csv");
	wsp_error err = {0};
	wsp_fs_stat st;
	int ex = -1;

	CU_ASSERT_EQUAL_FATAL(
		s3fs_put(&fs, "data/move.csv", data, BIG, &csv, NULL, &err), 0);
	CU_ASSERT_EQUAL_FATAL(fs.fs->move(fs.self, &s3_call, "data/move.csv",
					  "moved/move.csv", 0, &err),
			      0);
	check_object("moved/move.csv", data, BIG, &st);
	CU_ASSERT(ends_with(st.version, "-3\""));
	CU_ASSERT_STRING_EQUAL(st.mime_type, "text/csv");
	CU_ASSERT_EQUAL(
		fs.fs->exists(&ex, fs.self, &s3_call, "data/move.csv", 0, &err),
		0);
	CU_ASSERT_EQUAL(ex, 0);
	free(data);
}

/* In a directory copy the type comes from a HEAD (listings lack it). */
static void test_tree_copy_in_parts(void)
{
	char *data = test_bytes(BIG, 14);
	wsp_fs_write_opts o = WSP_FS_WRITE_OPTS_INIT;
	wsp_error err = {0};
	wsp_fs_stat st;

	o.mime_type = "application/x-team-data";
	CU_ASSERT_EQUAL_FATAL(
		s3fs_put(&fs, "tree/sub/big.bin", data, BIG, &o, NULL, &err),
		0);
	CU_ASSERT_EQUAL_FATAL(
		s3fs_put(&fs, "tree/note.txt", "n", 1, NULL, NULL, &err), 0);
	CU_ASSERT_EQUAL_FATAL(fs.fs->copy(fs.self, &s3_call, "tree", "tree2",
					  WSP_FS_RECURSIVE, &err),
			      0);
	check_object("tree2/sub/big.bin", data, BIG, &st);
	CU_ASSERT(ends_with(st.version, "-3\""));
	CU_ASSERT_STRING_EQUAL(st.mime_type, "application/x-team-data");
	check_object("tree2/note.txt", "n", 1, &st);
	free(data);
}

static CU_TestInfo tests[] = {
	{"copy in parts", test_copy_in_parts},
	{"small copy is one request", test_small_copy_is_one_request},
	{"move in parts", test_move_in_parts},
	{"directory copy in parts", test_tree_copy_in_parts},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("fs-s3 copies vs fauxqs", suite_init, suite_clean, tests)
