/*
 * tests/s3/test_fs_s3_faults.c - what the npm S3 servers cannot show:
 * conditional writes (they ignore If-None-Match / If-Match), the abort
 * of a failed multipart upload (they answer AbortMultipartUpload with
 * 405) and races between a HEAD and the write after it. The provider
 * talks to the HTTP fault server's S3 look-alike (tests/http/fault_s3.c),
 * which answers as S3 does, and the test checks what was sent.
 */
#include "fault_server.h"
#include "http.h"
#include "s3_env.h"

#include "cu_main.h"
#include "test_bytes.h"

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
	/* stalled bodies are given up after a second, as in tests/http */
	wsp__http_settings hs = {
		.connect_timeout_ms = 2000,
		.low_speed_time_ms = 1000,
		.low_speed_limit = 200,
		.max_attempts = 3,
		.backoff_base_ms = 10,
		.backoff_max_ms = 2500,
	};

	if (wsp__http_configure(&hs, NULL))
		return -1;
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
	o.mime_type = "text/plain";
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

/* --- copies in parts (UploadPartCopy) --- */

/* An instance that copies objects above 5 MiB in 5 MiB parts. */
static int open_part_copier(struct s3fs *f)
{
	static char endpoint[64];
	struct wsp_config cfg = {
		.bucket = TEST_BUCKET,
		.endpoint = endpoint,
		.access_key_id = "AKIDEXAMPLE",
		.secret_access_key = "fault-secret",
		.force_path_style = -1,
		.multipart_copy_threshold = 5 << 20,
		.part_size = 5 << 20,
	};
	wsp_error err = {0};

	snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d",
		 fault_server_port(fsrv));
	return s3fs_open(f, &cfg, &err);
}

/*
 * The look-alike refuses a part whose source, source ETag or range is
 * not what S3 wants, so a completed copy shows the parts were right.
 */
static void test_copy_parts_name_their_ranges(void)
{
	struct s3fs f;
	wsp_error err = {0};
	char head[8192], body[4096];
	size_t n;

	CU_ASSERT_EQUAL_FATAL(open_part_copier(&f), 0);
	CU_ASSERT_EQUAL(f.fs->copy(f.self, &s3_call, "copy-src.csv",
				   "copy-dst.csv", 0, &err),
			0);
	for (int part = 1; part <= 3; part++) {
		char target[128];

		snprintf(target, sizeof(target),
			 "/team-data/copy-dst.csv?partNumber=%d&uploadId=upl-1",
			 part);
		CU_ASSERT_EQUAL(fault_server_hits(fsrv, target), 1);
	}
	n = fault_server_last(fsrv, head, sizeof(head), body, sizeof(body) - 1);
	body[n < sizeof(body) ? n : sizeof(body) - 1] = '\0';
	CU_ASSERT_PTR_NOT_NULL(
		strstr(head, "POST /team-data/copy-dst.csv?uploadId=upl-1 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "<PartNumber>3</PartNumber><ETag>"
					    "&quot;cp3&quot;</ETag>"));
	CU_ASSERT_PTR_NULL(strstr(body, "<PartNumber>4</PartNumber>"));
	s3fs_close(&f);
}

/* A refused part aborts the upload: no completion, so no object. */
static void test_failed_copy_part_aborts(void)
{
	struct s3fs f;
	wsp_error err = {0};

	CU_ASSERT_EQUAL_FATAL(open_part_copier(&f), 0);
	CU_ASSERT_EQUAL(f.fs->copy(f.self, &s3_call, "copy-src.csv",
				   "fail-copy.csv", 0, &err),
			WSP_EAUTH);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "part refused"));
	CU_ASSERT_EQUAL(
		fault_server_hits(fsrv, "/team-data/fail-copy.csv?uploads="),
		1);
	CU_ASSERT_EQUAL(fault_server_hits(fsrv, "DELETE /team-data/"
						"fail-copy.csv?uploadId=upl-1"),
			1);
	/* the one request to the upload itself was the abort */
	CU_ASSERT_EQUAL(
		fault_server_hits(fsrv,
				  "/team-data/fail-copy.csv?uploadId=upl-1"),
		1);
	s3fs_close(&f);
}

/* A source that changes once the copy started fails it as stale. */
static void test_copy_of_a_changing_source(void)
{
	struct s3fs f;
	wsp_error err = {0};
	char head[8192];

	CU_ASSERT_EQUAL_FATAL(open_part_copier(&f), 0);
	CU_ASSERT_EQUAL(f.fs->copy(f.self, &s3_call, "copy-src-raced.csv",
				   "copy-raced.csv", 0, &err),
			WSP_ESTALE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "changed during the copy"));
	CU_ASSERT_EQUAL(fault_server_hits(fsrv,
					  "DELETE /team-data/"
					  "copy-raced.csv?uploadId=upl-1"),
			1);
	CU_ASSERT_EQUAL(
		fault_server_hits(fsrv,
				  "/team-data/copy-raced.csv?uploadId=upl-1"),
		1);
	last_head(head, sizeof(head));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(head, "DELETE /team-data/copy-raced.csv"));
	s3fs_close(&f);
}

/* --- reads resumed where the body broke off --- */

#define READ_SIZE 100000 /* of the read-* objects */

/* The fault server's pattern: byte i of an object is 'a' + i % 26. */
static bool is_pattern(const char *b, size_t len, uint64_t from)
{
	for (size_t i = 0; i < len; i++)
		if (b[i] != (char)('a' + (from + i) % 26))
			return false;
	return true;
}

static int read_into(struct bytes_sink *g, const char *path, uint64_t off,
		     uint64_t len, wsp_error *err)
{
	wsp_fs_read_opts o = WSP_FS_READ_OPTS_INIT;

	memset(g, 0, sizeof(*g));
	o.offset = off;
	o.length = len;
	return fs.fs->read(fs.self, &s3_call, path, &o, bytes_take, g, err);
}

static int gets_of(const char *key)
{
	char target[128];

	snprintf(target, sizeof(target), "/team-data/%s", key);
	return fault_server_hits(fsrv, target);
}

/* A body that breaks off (mode in the name) is finished by a 2nd GET. */
static void check_resumed(const char *key)
{
	struct bytes_sink g;
	wsp_error err = {0};
	char head[8192];

	CU_ASSERT_EQUAL(read_into(&g, key, 0, UINT64_MAX, &err), 0);
	CU_ASSERT_EQUAL(g.len, READ_SIZE);
	CU_ASSERT(is_pattern(g.p, g.len, 0));
	CU_ASSERT_EQUAL(gets_of(key), 2);
	last_head(head, sizeof(head));
	CU_ASSERT_PTR_NOT_NULL(strcasestr(head, "If-Match: \"v1\"\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strcasestr(head, "Range: bytes="));
	CU_ASSERT_PTR_NULL(strcasestr(head, "Range: bytes=0-"));
	free(g.p);
}

static void test_resume_after_reset(void)
{
	check_resumed("read-reset.bin");
}

static void test_resume_after_truncation(void)
{
	check_resumed("read-truncated.bin");
}

static void test_resume_after_stall(void)
{
	check_resumed("read-stall.bin");
}

/* The caller's own range is kept: the rest of it, not of the object. */
static void test_resume_within_range(void)
{
	struct bytes_sink g;
	wsp_error err = {0};
	char head[8192];

	CU_ASSERT_EQUAL(read_into(&g, "read-reset-range.bin", 500, 5000, &err),
			0);
	CU_ASSERT_EQUAL(g.len, 5000);
	CU_ASSERT(is_pattern(g.p, g.len, 500));
	CU_ASSERT_EQUAL(gets_of("read-reset-range.bin"), 2);
	last_head(head, sizeof(head));
	CU_ASSERT_PTR_NOT_NULL(strstr(head, "-5499\r\n"));
	CU_ASSERT_PTR_NULL(strcasestr(head, "Range: bytes=500-"));
	free(g.p);
}

/* Changed between the two GETs: If-Match fails, nothing is spliced. */
static void test_resume_refuses_changed_object(void)
{
	struct bytes_sink g;
	wsp_error err = {0};

	CU_ASSERT_EQUAL(read_into(&g, "read-changed.bin", 0, UINT64_MAX, &err),
			WSP_ESTALE);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(err.message, "changed while it was read"));
	CU_ASSERT_EQUAL(gets_of("read-changed.bin"), 2);
	/* what came before is the old object's prefix, once */
	CU_ASSERT(g.len < READ_SIZE);
	CU_ASSERT(is_pattern(g.p, g.len, 0));
	free(g.p);
}

/* A server that ignores Range on the resumed GET: refused, not spliced. */
static void test_resume_needs_the_right_range(void)
{
	struct bytes_sink g;
	wsp_error err = {0};

	CU_ASSERT_EQUAL(read_into(&g, "read-norange.bin", 0, UINT64_MAX, &err),
			WSP_EPROTO);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(err.message, "is not the rest from byte"));
	CU_ASSERT_EQUAL(gets_of("read-norange.bin"), 2);
	CU_ASSERT(g.len < READ_SIZE);
	CU_ASSERT(is_pattern(g.p, g.len, 0));
	free(g.p);
}

/* A body that always breaks off: a bounded number of GETs, then an error. */
static void test_resume_gives_up(void)
{
	struct bytes_sink g;
	wsp_error err = {0};
	int rc = read_into(&g, "read-always.bin", 0, UINT64_MAX, &err);

	CU_ASSERT(rc < 0);
	CU_ASSERT_NOT_EQUAL(rc, WSP_ESTALE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "gave up after 4 broken"));
	CU_ASSERT_EQUAL(gets_of("read-always.bin"), 4);
	CU_ASSERT(g.len >= 1 && g.len < READ_SIZE);
	CU_ASSERT(is_pattern(g.p, g.len, 0));
	free(g.p);
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

static CU_TestInfo tests[] = {
	{"no overwrite", test_no_overwrite},
	{"expected version", test_expected_version},
	{"failed part aborts", test_failed_part_aborts},
	{"expected mtime: a change after the HEAD", test_expected_mtime_race},
	{"expected mtime: the same on a multipart upload",
	 test_expected_mtime_race_multipart},
	{"copy parts name their ranges", test_copy_parts_name_their_ranges},
	{"failed copy part aborts", test_failed_copy_part_aborts},
	{"copy of a source that changes", test_copy_of_a_changing_source},
	{"read resumed after a reset", test_resume_after_reset},
	{"read resumed after a truncation", test_resume_after_truncation},
	{"read resumed after a stall", test_resume_after_stall},
	{"read resumed within the caller's range", test_resume_within_range},
	{"read refuses an object changed meanwhile",
	 test_resume_refuses_changed_object},
	{"read refuses a resumed answer that does not fit",
	 test_resume_needs_the_right_range},
	{"read gives up after a bound", test_resume_gives_up},
	{"anonymous is unsigned", test_anonymous_unsigned},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("fs-s3 vs the fault server", suite_init, suite_clean, tests)
