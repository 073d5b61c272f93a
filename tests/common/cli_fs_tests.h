/*
 * tests/common/cli_fs_tests.h - `wsp fs` on an object store mounted at
 * /data under a prefix, the checks every store's CLI suite makes
 * (tests/gcs/test_gcs_cli.c, tests/s3/test_cli_s3.c) whatever the store:
 * the suite's wsp(args) runs the real CLI in dir and leaves its output in
 * out; what the bucket itself holds, each suite checks in its own way
 * between the two halves.
 */
#ifndef WSP_TEST_CLI_FS_TESTS_H
#define WSP_TEST_CLI_FS_TESTS_H

#include "test_files.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/*
 * The suite's config at path: the store (provider, with its option
 * lines, each "      key: value\n") mounted at /data, and a local mount
 * at /local (base_path "local", beside the config). 0, or -1.
 */
static inline int cli_fs_write_config(const char *path, const char *provider,
				      const char *options)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fprintf(f,
		"mounts:\n"
		"  /data:\n"
		"    provider: %s\n"
		"    options:\n"
		"%s"
		"  /local:\n"
		"    provider: local\n"
		"    options:\n"
		"      base_path: local\n",
		provider, options);
	return fclose(f) ? -1 : 0;
}

/* dir/plan.md holding text goes up to /data/notes/plan.md and reads
 * back; /data/empty is made; the listings show both. */
static inline void cli_fs_put_cat_ls(int (*wsp)(const char *args),
				     const char *out, const char *dir,
				     const char *text)
{
	char local[600];

	snprintf(local, sizeof(local), "%s/plan.md", dir);
	CU_ASSERT_EQUAL_FATAL(test_write_text(local, text), 0);
	CU_ASSERT_EQUAL(wsp("fs put plan.md /data/notes/plan.md"), 0);
	CU_ASSERT_EQUAL(wsp("fs cat /data/notes/plan.md"), 0);
	CU_ASSERT_STRING_EQUAL(out, text);
	CU_ASSERT_EQUAL(wsp("fs mkdir /data/empty"), 0);
	CU_ASSERT_EQUAL(wsp("fs ls /data"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "notes"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "empty"));
	CU_ASSERT_EQUAL(wsp("fs ls /data/notes"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "plan.md"));
}

/* The plan copied, the copy moved to /data/archive/old.md; /data/notes
 * removed only with -r, and its plan with it. */
static inline void cli_fs_cp_mv_rm(int (*wsp)(const char *args),
				   const char *out, const char *text)
{
	CU_ASSERT_EQUAL(wsp("fs cp /data/notes/plan.md /data/notes/copy.md"),
			0);
	CU_ASSERT_EQUAL(wsp("fs mv /data/notes/copy.md /data/archive/old.md"),
			0);
	CU_ASSERT_EQUAL(wsp("fs cat /data/archive/old.md"), 0);
	CU_ASSERT_STRING_EQUAL(out, text);
	CU_ASSERT_NOT_EQUAL(wsp("fs cat /data/notes/copy.md"), 0);
	CU_ASSERT_NOT_EQUAL(wsp("fs rm /data/notes"), 0);
	CU_ASSERT_EQUAL(wsp("fs rm -r /data/notes"), 0);
	CU_ASSERT_NOT_EQUAL(wsp("fs stat /data/notes/plan.md"), 0);
}

/*
 * The type an object is stored with is the core's (wsp_files_mime_type,
 * tests/mounts/test_mounts.c), the stores keeping no table of their own:
 * a shell script put to /data/types/run.sh, and a Python file copied
 * there from /local (streamed between the two providers by the core),
 * as the store's own stat reports them. ".sh" is the core's
 * text/x-shellscript; a store that chose itself would say
 * application/octet-stream. dir/run.sh is made and removed here.
 */
static inline void cli_fs_stored_types(int (*wsp)(const char *args),
				       const char *out, const char *dir)
{
	char local[600];

	snprintf(local, sizeof(local), "%s/run.sh", dir);
	CU_ASSERT_EQUAL_FATAL(test_write_text(local, "#!/bin/sh\necho hi\n"),
			      0);
	CU_ASSERT_EQUAL(wsp("fs put run.sh /data/types/run.sh"), 0);
	CU_ASSERT_EQUAL(wsp("fs put run.sh /local/types/tool.py"), 0);
	CU_ASSERT_EQUAL(wsp("fs cp /local/types/tool.py /data/types/tool.py"),
			0);
	CU_ASSERT_EQUAL(wsp("--json fs stat /data/types/run.sh"), 0);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(out, "\"mime_type\":\"text/x-shellscript\""));
	CU_ASSERT_EQUAL(wsp("--json fs stat /data/types/tool.py"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"mime_type\":\"text/x-python\""));
	unlink(local);
}

#endif
