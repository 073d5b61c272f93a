/*
 * tests/s3/test_fs_s3_faults.c - what the npm S3 servers cannot show:
 * conditional writes (they ignore If-None-Match / If-Match), the abort
 * of a failed multipart upload (they answer AbortMultipartUpload with
 * 405) and races between a HEAD and the write after it. The provider
 * talks to the HTTP fault server's S3 look-alike (tests/http/fault_s3.c),
 * which answers as S3 does, and the test checks what was sent.
 */
#include "fault_server.h"
#include "s3_env.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct fault_server *fsrv;
static struct s3fs fs;

static int suite_init(void)
{
	static char endpoint[64];
	struct wsp_config cfg = {
		.bucket = TEST_BUCKET,
		.region = "us-east-1",
		.endpoint = endpoint,
		.access_key_id = "AKIDEXAMPLE",
		.secret_access_key = "fault-secret",
		.force_path_style = -1,
	};
	wsp_error err = {0};

	fsrv = fault_server_start();
	if (!fsrv)
		return -1;
	snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d",
		 fault_server_port(fsrv));
	if (s3fs_open(&fs, &cfg, &err)) {
		fprintf(stderr, "open: %s\n", err.message);
		return -1;
	}
	return 0;
}

static int suite_clean(void)
{
	s3fs_close(&fs);
	fault_server_stop(fsrv);
	return 0;
}

static void last_head(char *head, size_t cap)
{
	char body[16];

	fault_server_last(fsrv, head, cap, body, sizeof(body));
}

static void test_no_overwrite(void)
{
	wsp_fs_write_opts o = WSP_FS_WRITE_OPTS_INIT;
	wsp_error err = {0};
	char head[8192];

	o.flags = WSP_FS_WRITE_NO_OVERWRITE;
	CU_ASSERT_EQUAL(s3fs_put(&fs, "exists.txt", "new", 3, &o, NULL, &err),
			WSP_EEXIST);
	last_head(head, sizeof(head));
	CU_ASSERT_PTR_NOT_NULL(strstr(head, "PUT /team-data/exists.txt "));
	CU_ASSERT_PTR_NOT_NULL(strcasestr(head, "If-None-Match: *\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strcasestr(head, "Content-MD5: "));
	CU_ASSERT_PTR_NOT_NULL(strcasestr(head, "Content-Type: text/plain"));
}

static void test_expected_version(void)
{
	wsp_fs_write_opts o = WSP_FS_WRITE_OPTS_INIT;
	wsp_error err = {0};
	char head[8192];

	o.expected_version = "\"9b2cf535f27731c974343645a3985328\"";
	CU_ASSERT_EQUAL(s3fs_put(&fs, "stale.txt", "v2", 2, &o, NULL, &err),
			WSP_ESTALE);
	last_head(head, sizeof(head));
	CU_ASSERT_PTR_NOT_NULL(strcasestr(
		head, "If-Match: \"9b2cf535f27731c974343645a3985328\"\r\n"));
	CU_ASSERT_PTR_NULL(strcasestr(head, "If-None-Match"));
}

static void test_failed_part_aborts(void)
{
	const size_t n = 20 << 20;
	char *data = test_bytes(n, 3);
	wsp_error err = {0};

	/* part 1 is accepted, part 2 refused: the upload must be aborted */
	CU_ASSERT_EQUAL(
		s3fs_put(&fs, "fail-big.bin", data, n, NULL, NULL, &err),
		WSP_EAUTH);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "part refused"));
	CU_ASSERT_EQUAL(
		fault_server_hits(fsrv, "/team-data/fail-big.bin?uploads="), 1);
	CU_ASSERT_EQUAL(fault_server_hits(fsrv,
					  "DELETE /team-data/fail-big.bin?"
					  "uploadId=upl-1"),
			1);
	/* no completion was attempted */
	CU_ASSERT_EQUAL(fault_server_hits(
				fsrv, "/team-data/fail-big.bin?uploadId=upl-1"),
			1);
	free(data);
}

/* Last-Modified of the "raced" objects of the fault server */
#define RACED_MTIME_NS (1793527200ll * 1000000000)

/*
 * expected_mtime: the HEAD agrees, but the object changes before the PUT
 * arrives. The PUT carries the HEAD's ETag as If-Match, so the change is
 * a 412 and the write is refused as stale instead of overwriting it.
 */
static void test_expected_mtime_race(void)
{
	wsp_fs_write_opts o = WSP_FS_WRITE_OPTS_INIT;
	wsp_error err = {0};
	char head[8192];

	o.expected_mtime_ns = RACED_MTIME_NS;
	CU_ASSERT_EQUAL(s3fs_put(&fs, "raced.txt", "v2", 2, &o, NULL, &err),
			WSP_ESTALE);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(err.message, "changed since it was read"));
	last_head(head, sizeof(head));
	CU_ASSERT_PTR_NOT_NULL(strstr(head, "PUT /team-data/raced.txt "));
	CU_ASSERT_PTR_NOT_NULL(strcasestr(head, "If-Match: \"r1\"\r\n"));
	CU_ASSERT_EQUAL(fault_server_hits(fsrv, "/team-data/raced.txt"), 2);

	/* a wrong mtime is refused after the HEAD, with no PUT */
	o.expected_mtime_ns = RACED_MTIME_NS - 5000000000ll;
	CU_ASSERT_EQUAL(s3fs_put(&fs, "raced.txt", "v2", 2, &o, NULL, &err),
			WSP_ESTALE);
	CU_ASSERT_EQUAL(fault_server_hits(fsrv, "/team-data/raced.txt"), 3);
}

/* The same race on a multipart upload: the completion carries If-Match. */
static void test_expected_mtime_race_multipart(void)
{
	const size_t n = 20 << 20;
	char *data = test_bytes(n, 4);
	wsp_fs_write_opts o = WSP_FS_WRITE_OPTS_INIT;
	wsp_error err = {0};
	char head[8192];

	o.expected_mtime_ns = RACED_MTIME_NS;
	CU_ASSERT_EQUAL(s3fs_put(&fs, "raced-big.bin", data, n, &o, NULL, &err),
			WSP_ESTALE);
	CU_ASSERT_EQUAL(fault_server_hits(fsrv, "/team-data/raced-big.bin?"
						"partNumber=3&uploadId=upl-1"),
			1);
	/* the completion was refused, then the upload aborted */
	CU_ASSERT_EQUAL(fault_server_hits(fsrv,
					  "DELETE /team-data/raced-big.bin"
					  "?uploadId=upl-1"),
			1);
	CU_ASSERT_EQUAL(
		fault_server_hits(fsrv,
				  "/team-data/raced-big.bin?uploadId=upl-1"),
		2);
	last_head(head, sizeof(head));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(head, "DELETE /team-data/raced-big.bin?"));
	free(data);
}

static void test_anonymous_unsigned(void)
{
	static char endpoint[64];
	struct wsp_config cfg = {
		.bucket = TEST_BUCKET,
		.endpoint = endpoint,
		.anonymous = 1,
		.force_path_style = -1,
	};
	struct s3fs anon;
	wsp_error err = {0};
	wsp_fs_write_opts o = WSP_FS_WRITE_OPTS_INIT;
	char head[8192];

	snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d",
		 fault_server_port(fsrv));
	CU_ASSERT_EQUAL_FATAL(s3fs_open(&anon, &cfg, &err), 0);
	o.flags = WSP_FS_WRITE_NO_OVERWRITE;
	CU_ASSERT_EQUAL(s3fs_put(&anon, "exists.txt", "x", 1, &o, NULL, &err),
			WSP_EEXIST);
	last_head(head, sizeof(head));
	CU_ASSERT_PTR_NOT_NULL(strstr(head, "PUT /team-data/exists.txt "));
	CU_ASSERT_PTR_NULL(strcasestr(head, "Authorization:"));
	CU_ASSERT_PTR_NULL(strcasestr(head, "x-amz-date:"));
	s3fs_close(&anon);
}

int main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("fs-s3 vs the fault server", suite_init, suite_clean);
	if (!s || !CU_add_test(s, "no overwrite", test_no_overwrite) ||
	    !CU_add_test(s, "expected version", test_expected_version) ||
	    !CU_add_test(s, "failed part aborts", test_failed_part_aborts) ||
	    !CU_add_test(s, "expected mtime: a change after the HEAD",
			 test_expected_mtime_race) ||
	    !CU_add_test(s, "expected mtime: the same on a multipart upload",
			 test_expected_mtime_race_multipart) ||
	    !CU_add_test(s, "anonymous is unsigned", test_anonymous_unsigned)) {
		CU_cleanup_registry();
		return 1;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failed =
		CU_get_number_of_failures() + CU_get_number_of_suites_failed();

	CU_cleanup_registry();
	return failed ? 1 : 0;
}
