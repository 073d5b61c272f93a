/*
 * tests/gcs/test_gcs_cli.c - a workspace with a GCS mount under a
 * prefix, driven through `wsp fs` (the real CLI, core and wsp-fs-gcs.so)
 * against the project's GCS fake, authenticated with a service-account
 * key (RS256 JWT at the key's token_uri). What lands in the bucket is
 * read back through the fake's JSON API; a reset mid-upload and 503s are
 * survived.
 */
#include "gcs_env.h"

#include "cu_main.h"
#include "cli_fs_tests.h"
#include "test_run.h"
#include "fs_error_codes.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char cfg[600], out[65536];

/* Run `wsp --config cfg ARGS` in the test's directory; stdout+stderr in
 * out; the exit code. */
static int wsp(const char *args)
{
	return test_run_cli(out, sizeof(out), tmp, WSP_CLI, "", cfg, args);
}

static int suite_init(void)
{
	char options[600];

	if (start_fake(NULL))
		return -1;
	snprintf(cfg, sizeof(cfg), "%s/wsp.yaml", tmp);
	/* 256 KiB chunks above 1 MiB: a 3 MiB file is a resumable upload
	 * of twelve chunks */
	snprintf(options, sizeof(options),
		 "      bucket: " BUCKET "\n"
		 "      endpoint: http://127.0.0.1:%d\n"
		 "      prefix: agents/dev-box\n"
		 "      credentials: %s\n"
		 "      chunk_size: 256KiB\n"
		 "      resumable_threshold: 1MiB\n",
		 port, key_path);
	return cli_fs_write_config(cfg, "gcs", options);
}

static int suite_clean(void)
{
	stop_fake();
	return 0;
}

static void write_file(const char *name, size_t size)
{
	char p[600];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", tmp, name);
	f = fopen(p, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	for (size_t i = 0; i < size; i++)
		fputc((int)((i * 2654435761u) >> 13) & 0xff, f);
	fclose(f);
}

static int same_files(const char *a, const char *b)
{
	char cmd[1400];

	snprintf(cmd, sizeof(cmd), "cd '%s' && cmp -s '%s' '%s'", tmp, a, b);
	return system(cmd) == 0;
}

static void test_put_cat_ls_mv_rm(void)
{
	char *body = NULL;

	cli_fs_put_cat_ls(wsp, out, tmp, "# plan");
	/* in the bucket under the prefix, as GCS names it */
	CU_ASSERT_EQUAL(call("GET", "/_fake/requests?since=0", NULL, NULL,
			     &body),
			200);
	CU_ASSERT_PTR_NOT_NULL(body && strstr(body, "agents%2Fdev-box%2Fnotes"
						    "%2Fplan.md"));
	free(body);
	cli_fs_cp_mv_rm(wsp, out, "# plan");
	CU_ASSERT_EQUAL(wsp("fs ls /data"), 0);
	CU_ASSERT_PTR_NULL(strstr(out, "notes"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "archive"));
}

/* A 3 MiB file goes up in 256 KiB chunks; the connection is reset in
 * the middle of the third, and the upload goes on from what the server
 * kept (a status query), not from the start. Read back whole. */
static void test_resumable_survives_reset(void)
{
	char *body = NULL;
	int puts_before, puts_after;

	write_file("big.bin", 3u << 20);
	CU_ASSERT_EQUAL(call("POST", "/_fake/faults", NULL,
			     "{\"kind\":\"reset\",\"afterBytes\":100000,"
			     "\"method\":\"PUT\",\"url\":\"upload_id=\","
			     "\"count\":1}",
			     &body),
			201);
	free(body);
	puts_before = count_requests("PUT", "/upload/storage/v1/b/*");
	CU_ASSERT_EQUAL_FATAL(wsp("fs put big.bin /data/blobs/big.bin"), 0);
	puts_after = count_requests("PUT", "/upload/storage/v1/b/*");
	/* 12 chunks, the broken one and a status query besides */
	CU_ASSERT(puts_after - puts_before >= 13);
	CU_ASSERT(puts_after - puts_before < 20);
	CU_ASSERT_EQUAL(call("GET", "/_fake/faults", NULL, NULL, &body), 200);
	CU_ASSERT_PTR_NOT_NULL(body && strstr(body, "\"faults\":[]"));
	free(body);
	CU_ASSERT_EQUAL(wsp("fs get /data/blobs/big.bin back.bin"), 0);
	CU_ASSERT(same_files("big.bin", "back.bin"));
	CU_ASSERT_EQUAL(wsp("fs stat /data/blobs/big.bin"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "3145728"));
}

/* Two 503s on the read: the core's retries carry it through. */
static void test_read_survives_503(void)
{
	char *body = NULL;

	CU_ASSERT_EQUAL(call("POST", "/_fake/faults", NULL,
			     "{\"kind\":\"error\",\"status\":503,"
			     "\"method\":\"GET\",\"url\":\"alt=media\","
			     "\"count\":2}",
			     &body),
			201);
	free(body);
	CU_ASSERT_EQUAL(wsp("fs cat /data/archive/old.md"), 0);
	CU_ASSERT_STRING_EQUAL(out, "# plan");
	CU_ASSERT_EQUAL(call("GET", "/_fake/faults", NULL, NULL, &body), 200);
	CU_ASSERT_PTR_NOT_NULL(body && strstr(body, "\"faults\":[]"));
	free(body);
}

/* A missing object: the message, then what GCS said. */
static void test_error_detail(void)
{
	CU_ASSERT_NOT_EQUAL(wsp("fs cat /data/archive/no-such.md"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "no such file (HTTP 404"));
}

/* The same condition, the same code: GCS beside fs-local (issue 13). */
static void test_same_code_every_provider(void)
{
	fs_check_same_codes(wsp, out, tmp, "/data", "/local");
}

/*
 * The contentType the fake keeps for agents/dev-box/types/<file>, read
 * from its JSON API with the token wsp sent last (the fake logs its own
 * test tokens as sent): 1 when it is want.
 */
static int stored_type_is(const char *file, const char *want)
{
	cJSON *log = requests(), *r;
	char token[512] = "", path[300];
	char *body = NULL;
	const char *got;
	cJSON *obj;
	int ok;

	cJSON_ArrayForEach(r, cJSON_GetObjectItem(log, "requests"))
	{
		const char *a = cJSON_GetStringValue(cJSON_GetObjectItem(
			cJSON_GetObjectItem(r, "headers"), "authorization"));

		if (a && !strncmp(a, "Bearer ", 7))
			snprintf(token, sizeof(token), "%s", a + 7);
	}
	cJSON_Delete(log);
	snprintf(path, sizeof(path),
		 "/storage/v1/b/" BUCKET "/o/agents%%2Fdev-box%%2Ftypes%%2F%s",
		 file);
	if (!token[0] || call("GET", path, token, NULL, &body) != 200) {
		free(body);
		return 0;
	}
	obj = cJSON_Parse(body);
	free(body);
	got = cJSON_GetStringValue(cJSON_GetObjectItem(obj, "contentType"));
	ok = got && !strcmp(got, want);
	if (!ok)
		printf("\n  %s: contentType not %s", file, want);
	cJSON_Delete(obj);
	return ok;
}

/* The core's type reaches the bucket, as the fake itself keeps it. */
static void test_stored_type(void)
{
	cli_fs_stored_types(wsp, out, tmp);
	CU_ASSERT(stored_type_is("run.sh", "text/x-shellscript"));
	CU_ASSERT(stored_type_is("tool.py", "text/x-python"));
}

static CU_TestInfo tests[] = {
	{"put, cat, ls, cp, mv, rm", test_put_cat_ls_mv_rm},
	{"resumable upload survives a reset", test_resumable_survives_reset},
	{"read survives 503s", test_read_survives_503},
	{"error detail", test_error_detail},
	{"the same code on every provider", test_same_code_every_provider},
	{"the stored type is the core's", test_stored_type},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("wsp fs on a GCS mount", suite_init, suite_clean, tests)
