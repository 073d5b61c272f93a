/*
 * tests/gcs/test_gcs_interop.c - what the GCS provider writes, the
 * official @google-cloud/storage client reads back byte-identical (its
 * own CRC-32C and MD5 checks included), and the reverse, against the
 * project's GCS fake (--auth none: the SDK sends no token to a custom
 * endpoint's resumable sessions). Multipart and multi-chunk resumable
 * objects both ways, and an append by compose to an object the SDK made.
 * Needs `npm ci` in tests/gcs.
 */
#include "gcs.h"
#include "cu_main.h"
#include "gcs_env.h"
#include "gcs_open.h"
#include "test_bytes.h"


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct gcs g;

/* Run interop.mjs; its exit status. */
static int sdk(const char *op, const char *name, const char *file,
	       const char *chunk)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "'%s' '%s/interop.mjs' 'http://127.0.0.1:%d' '%s' %s '%s' "
		 "'%s' %s",
		 WSP_TEST_NODE, WSP_TEST_GCS_DIR, port, BUCKET, op, name, file,
		 chunk ? chunk : "");
	return system(cmd);
}

static int write_file(const char *path, const char *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(data, 1, n, f) == n;

	if (f)
		fclose(f);
	return ok ? 0 : -1;
}

/* The file's bytes equal data[0..n). */
static int same_file(const char *path, const char *data, size_t n)
{
	FILE *f = fopen(path, "rb");
	char *b = malloc(n + 1);
	size_t got = f ? fread(b, 1, n + 1, f) : 0;
	int same = f && got == n && !memcmp(b, data, n);

	if (f)
		fclose(f);
	free(b);
	return same;
}

static int suite_init(void)
{
	static const char *const extra[] = {"--auth", "none", NULL};
	if (access(WSP_TEST_GCS_DIR "/node_modules/@google-cloud/storage",
		   F_OK)) {
		fprintf(stderr, "@google-cloud/storage is not installed: run "
				"'npm ci' in " WSP_TEST_GCS_DIR "\n");
		return -1;
	}
	if (start_fake(extra) || gcs_test_open(&g, NULL, "", NULL, true, false))
		return -1;
	g.chunk_size = 256 << 10;
	g.parallelism = 4;
	return 0;
}

static int suite_clean(void)
{
	gcs_test_close(&g);
	stop_fake();
	return 0;
}

static void test_wsp_writes_sdk_reads(void)
{
	size_t n = 3 * (256 << 10) + 4099; /* four chunks */
	char *data = gcs_test_bytes(n, 11), out[320];
	struct gcs_test_src s = {data, n, 0, 0};
	struct gcs_object o;
	wsp_error err = {0};

	snprintf(out, sizeof(out), "%s/sdk-read.bin", tmp);
	CU_ASSERT_EQUAL_FATAL(gcs_upload_multipart(&o, &g, "io/wsp small.bin",
						   data, 70000, NULL, -1, &err),
			      0);
	CU_ASSERT_EQUAL(sdk("read", "io/wsp small.bin", out, NULL), 0);
	CU_ASSERT_TRUE(same_file(out, data, 70000));
	CU_ASSERT_EQUAL_FATAL(gcs_upload_resumable(&o, &g, "io/wsp-big.bin",
						   gcs_test_give, &s, NULL, -1,
						   &err),
			      0);
	CU_ASSERT_EQUAL(sdk("read", "io/wsp-big.bin", out, NULL), 0);
	CU_ASSERT_TRUE(same_file(out, data, n));
	free(data);
}

static void test_sdk_writes_wsp_reads(void)
{
	size_t n = 2 * (256 << 10) + 777;
	char *data = gcs_test_bytes(n, 12), in[320];

	snprintf(in, sizeof(in), "%s/sdk-write.bin", tmp);
	CU_ASSERT_EQUAL_FATAL(write_file(in, data, n), 0);
	/* resumable in 256 KiB chunks */
	CU_ASSERT_EQUAL_FATAL(sdk("write", "io/sdk-big.bin", in, "262144"), 0);
	CU_ASSERT(gcs_test_reads(&g, "io/sdk-big.bin", 0, UINT64_MAX, data, n));
	CU_ASSERT(gcs_test_reads(&g, "io/sdk-big.bin", 262140, 10,
				 data + 262140, 10));
	/* multipart */
	CU_ASSERT_EQUAL_FATAL(sdk("write", "io/sdk small.bin", in, "0"), 0);
	CU_ASSERT(gcs_test_reads(&g, "io/sdk small.bin", 0, UINT64_MAX,
				 data, n));
	free(data);
}

static void test_append_read_by_sdk(void)
{
	char *data = gcs_test_bytes(5000, 13), in[320], out[320];
	struct gcs_object o;
	wsp_error err = {0};

	snprintf(in, sizeof(in), "%s/base.bin", tmp);
	snprintf(out, sizeof(out), "%s/appended.bin", tmp);
	CU_ASSERT_EQUAL_FATAL(write_file(in, data, 3000), 0);
	CU_ASSERT_EQUAL_FATAL(sdk("write", "io/log.bin", in, "0"), 0);
	CU_ASSERT_EQUAL_FATAL(gcs_append(&o, &g, "io/log.bin", data + 3000,
					 2000, NULL, &err),
			      0);
	/* the SDK checks the composite's CRC-32C (no MD5 for composites) */
	CU_ASSERT_EQUAL(sdk("read", "io/log.bin", out, NULL), 0);
	CU_ASSERT_TRUE(same_file(out, data, 5000));
	free(data);
}

static CU_TestInfo tests[] = {
	{"wsp writes, the SDK reads", test_wsp_writes_sdk_reads},
	{"the SDK writes, wsp reads", test_sdk_writes_wsp_reads},
	{"append by compose, the SDK reads", test_append_read_by_sdk},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("gcs_interop", suite_init, suite_clean, tests)
