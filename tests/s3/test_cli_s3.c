/*
 * tests/s3/test_cli_s3.c - a workspace with an S3 mount under a prefix,
 * driven through `wsp fs` (the real CLI, core and plugin), against the
 * signature-verifying s3rver; what lands in the bucket is checked with
 * the aws CLI.
 */
#include "s3_env.h"

#include "cu_main.h"
#include "cli_fs_tests.h"
#include "test_run.h"
#include "fs_error_codes.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct s3_server srv;
static char *top, cfg[512], out[65536];

/* Run `wsp --config cfg ARGS` in top; stdout+stderr in out; exit code. */
static int wsp(const char *args)
{
	return test_run_cli(out, sizeof(out), top, WSP_CLI, "", cfg, args);
}

static int suite_init(void)
{
	char options[600];

	if (s3_server_start(&srv, "verify"))
		return -1;
	top = test_tmpdir();
	if (!top)
		return -1;
	snprintf(cfg, sizeof(cfg), "%s/wsp.yaml", top);
	snprintf(options, sizeof(options),
		 "      bucket: " TEST_BUCKET "\n"
		 "      endpoint: %s\n"
		 "      prefix: agents/dev-box\n"
		 "      region: us-east-1\n"
		 "      access_key_id: S3RVER\n"
		 "      secret_access_key: S3RVER\n",
		 srv.endpoint);
	return cli_fs_write_config(cfg, "s3", options);
}

static int suite_clean(void)
{
	char cmd[600];

	s3_server_stop(&srv);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (strstr(top, "/wsp-s3-") && system(cmd))
		return -1;
	free(top);
	return 0;
}

#define TEXT "# plan\nship the s3 mount\n"

static void test_put_cat_ls(void)
{
	char local[600], fetched[600];

	snprintf(local, sizeof(local), "%s/plan.md", top);
	cli_fs_put_cat_ls(wsp, out, top, TEXT);

	/* in the bucket, under the prefix, byte for byte */
	snprintf(fetched, sizeof(fetched), "%s/fetched.md", top);
	CU_ASSERT_EQUAL(aws_cli(&srv,
				"s3 cp --only-show-errors s3://" TEST_BUCKET
				"/agents/dev-box/notes/"
				"plan.md '%s'",
				fetched),
			0);
	{
		char cmd[1300];

		snprintf(cmd, sizeof(cmd), "cmp -s '%s' '%s'", local, fetched);
		CU_ASSERT_EQUAL(system(cmd), 0);
	}
	CU_ASSERT_EQUAL(aws_cli(&srv, "s3api head-object --bucket " TEST_BUCKET
				      " --key agents/dev-box/"
				      "empty/ > /dev/null"),
			0);

	/* copy, move and remove through the CLI */
	cli_fs_cp_mv_rm(wsp, out, TEXT);
	CU_ASSERT_NOT_EQUAL(aws_cli(&srv,
				    "s3api head-object --bucket " TEST_BUCKET
				    " --key agents/dev-box/"
				    "notes/plan.md > /dev/null 2>&1"),
			    0);
	unlink(local);
	unlink(fetched);
}

/* A missing key: the message, then what S3 said; --json as fields. */
static void test_error_detail(void)
{
	CU_ASSERT_NOT_EQUAL(wsp("fs cat /data/notes/no-such-key.md"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "no such file (HTTP 404, NoSuchKey)\n"));
	CU_ASSERT_NOT_EQUAL(wsp("--json fs cat /data/notes/no-such-key.md"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"http_status\":404"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"service_code\":\"NoSuchKey\""));
	/* the stable code, the same as a missing local file's */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"code\":\"ENOENT\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"reason\":\"not found\""));
	CU_ASSERT_PTR_NULL(strstr(out, "retryable"));
}

/* The same condition, the same code: S3 beside fs-local (issue 13). */
static void test_same_code_every_provider(void)
{
	fs_check_same_codes(wsp, out, top, "/data", "/local");
}

/* S3 writes objects whole: `fs append` rewrites one, old bytes first. */
static void test_append_rewrites(void)
{
	CU_ASSERT_EQUAL(wsp("fs append wsp.yaml /data/log/a.txt"), 0);
	CU_ASSERT_EQUAL(wsp("fs append - /data/log/a.txt < wsp.yaml"), 0);
	CU_ASSERT_EQUAL(wsp("fs cat /data/log/a.txt"), 0);
	CU_ASSERT(!strncmp(out, "mounts:\n", 8));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "base_path: local\nmounts:\n"));
	CU_ASSERT_EQUAL(wsp("--json fs append wsp.yaml /data/log"), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"code\":\"EISDIR\""));
}

/*
 * Workspace search (issue 20) over the S3 mount: the index is built
 * through the file API from the bucket, and a change made behind wsp's
 * back (the aws CLI) is seen by the next process's re-check.
 */
static void test_search(void)
{
	char main_cfg[sizeof(cfg)], local[600];
	FILE *f;

	memcpy(main_cfg, cfg, sizeof(cfg));
	snprintf(cfg, sizeof(cfg), "%s/search.yaml", top);
	snprintf(local, sizeof(local), "%s/%s", top, "wsp.yaml");
	/* the same mounts, and a search: section */
	{
		char cmd[3000];

		snprintf(cmd, sizeof(cmd),
			 "cp '%s' '%s' && printf 'search:\\n  "
			 "auto_index_paths: [/data/kb]\\n  index_path: "
			 "%s/index.sqlite\\n' >> '%s'",
			 local, cfg, top, cfg);
		CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	}
	snprintf(local, sizeof(local), "%s/a.md", top);
	f = fopen(local, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("intro\nthe otter swims\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(wsp("fs put a.md /data/kb/a.md"), 0);
	CU_ASSERT_EQUAL(wsp("fs put a.md /data/other/a.md"), 0);
	CU_ASSERT_EQUAL(wsp("search otter"), 0);
	CU_ASSERT_STRING_EQUAL(out, "/data/kb/a.md:2-2: the otter swims\n"
				    "---\n1 result (bm25 search)\n");
	CU_ASSERT_EQUAL(wsp("search --json otter"), 0);
	CU_ASSERT_STRING_EQUAL(out, "{\"results\":[{\"path\":\"/data/kb/"
				    "a.md\",\"start\":2,\"end\":2,\"lines\":"
				    "[\"the otter swims\"]}],\"mode\":\"bm25\"}"
				    "\n");
	/* behind wsp's back: a new object, the old one gone */
	CU_ASSERT_EQUAL(aws_cli(&srv,
				"s3 cp --only-show-errors '%s' s3://" TEST_BUCKET
				"/agents/dev-box/kb/sub/b.md",
				local),
			0);
	CU_ASSERT_EQUAL(aws_cli(&srv, "s3 rm --only-show-errors s3://"
				      TEST_BUCKET "/agents/dev-box/kb/a.md"),
			0);
	CU_ASSERT_EQUAL(wsp("search otter"), 0);
	CU_ASSERT_STRING_EQUAL(out, "/data/kb/sub/b.md:2-2: the otter swims"
				    "\n---\n1 result (bm25 search)\n");
	/* a move through wsp, seen by the next search */
	CU_ASSERT_EQUAL(wsp("fs mv /data/kb/sub/b.md /data/kb/c.md"), 0);
	CU_ASSERT_EQUAL(wsp("search -k 3 otter swims"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "/data/kb/c.md:2-2:"));
	CU_ASSERT_PTR_NULL(strstr(out, "sub/b.md"));
	unlink(local);
	memcpy(cfg, main_cfg, sizeof(cfg));
}

/*
 * Skills (issue 20 item 2) on the S3 mount: found by a glob through the
 * file API's listing of the bucket, read, searched and listed in the
 * instructions, as on the local disk.
 */
static void test_skills(void)
{
	char main_cfg[sizeof(cfg)], local[600], cmd[3000];
	FILE *f;

	memcpy(main_cfg, cfg, sizeof(cfg));
	snprintf(cfg, sizeof(cfg), "%s/skills.yaml", top);
	snprintf(local, sizeof(local), "%s/%s", top, "wsp.yaml");
	snprintf(cmd, sizeof(cmd),
		 "cp '%s' '%s' && printf 'skills:\\n  - "
		 "\"/data/skills/**/SKILL.md\"\\n' >> '%s'",
		 local, cfg, cfg);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	/* markers at every level: s3rver lists no common prefix whose keys
	 * all sit deeper (tests/s3/README.md) */
	CU_ASSERT_EQUAL(wsp("fs mkdir -p /data/skills/team/otter-care/"
			    "references"),
			0);
	snprintf(local, sizeof(local), "%s/SKILL.md", top);
	f = fopen(local, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("---\nname: otter-care\ndescription: Care for otters.\n---\n"
	      "Feed the otter.\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(wsp("fs put SKILL.md /data/skills/team/otter-care/"
			    "SKILL.md"),
			0);
	f = fopen(local, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("Diet\nSmelt twice a day\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(wsp("fs put SKILL.md /data/skills/team/otter-care/"
			    "references/diet.md"),
			0);
	CU_ASSERT_EQUAL(wsp("tool skill '{\"name\":\"otter-care\"}'"), 0);
	CU_ASSERT_STRING_EQUAL(out, "Feed the otter.\n\n## References\n"
				    "- references/diet.md\n");
	CU_ASSERT_EQUAL(wsp("tool skill_read '{\"skillName\":\"otter-care\","
			    "\"path\":\"references/diet.md\","
			    "\"startLine\":2}'"),
			0);
	CU_ASSERT_STRING_EQUAL(out, "Smelt twice a day\n");
	CU_ASSERT_EQUAL(wsp("tool skill_search '{\"query\":\"smelt\"}'"), 0);
	{
		static const char want[] = "[/data/skills/team/otter-care] "
					   "references/diet.md (lines 2-2) "
					   "(score: ";

		CU_ASSERT(!strncmp(out, want, sizeof(want) - 1));
		CU_ASSERT_PTR_NOT_NULL(strstr(out, ")\nSmelt twice a day\n"));
	}
	CU_ASSERT_EQUAL(wsp("instructions"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<location>/data/skills/team/"
					   "otter-care/SKILL.md</location>"));
	unlink(local);
	memcpy(cfg, main_cfg, sizeof(cfg));
}

/* The core's type reaches the bucket: what the aws CLI reads back. */
static void test_stored_type(void)
{
	cli_fs_stored_types(wsp, out, top);
	CU_ASSERT_EQUAL(aws_cli(&srv, "s3api head-object --bucket " TEST_BUCKET
				      " --key agents/dev-box/types/run.sh "
				      "--query ContentType --output text | "
				      "grep -qx text/x-shellscript"),
			0);
	CU_ASSERT_EQUAL(aws_cli(&srv, "s3api head-object --bucket " TEST_BUCKET
				      " --key agents/dev-box/types/tool.py "
				      "--query ContentType --output text | "
				      "grep -qx text/x-python"),
			0);
}

static CU_TestInfo tests[] = {
	{"put, cat, ls, cp, mv, rm", test_put_cat_ls},
	{"error detail", test_error_detail},
	{"the same code on every provider", test_same_code_every_provider},
	{"append rewrites the object", test_append_rewrites},
	{"the stored type is the core's", test_stored_type},
	{"search over the S3 mount", test_search},
	{"skills on the S3 mount", test_skills},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("wsp fs on an S3 mount", suite_init, suite_clean, tests)
