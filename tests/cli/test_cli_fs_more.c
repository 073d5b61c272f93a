/*
 * tests/cli/test_cli_fs_more.c - what `wsp fs` gained for programs
 * (issue 13, item 5): append, rmdir beside rm -r, ls --ext, JSON errors
 * with stable codes, "not found" before "read-only" on a read-only
 * mount, and a refused write through a symlinked ancestor that says it
 * escapes.
 */
#include "cli_run.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The "code" of the JSON error on stderr ("" when none). */
static const char *err_code(void)
{
	static char code[32];
	cJSON *doc = cli_json(cli_err);

	snprintf(code, sizeof(code), "%s", cli_str(doc, "code"));
	cJSON_Delete(doc);
	return code;
}

static void test_append(void)
{
	char text[64];
	cJSON *doc;

	CU_ASSERT_EQUAL(cli_run("fs append wsp.yaml /logs/run.log"), 0);
	CU_ASSERT_EQUAL(cli_run("fs append - /logs/run.log < wsp.yaml"), 0);
	CU_ASSERT_EQUAL(cli_run("fs cat /logs/run.log"), 0);
	CU_ASSERT(!strncmp(cli_out, "sandbox:\n", 9));
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_out + 9, "base_path: shared\n"
						   "sandbox:\n"));
	CU_ASSERT_EQUAL(cli_run("--json fs append wsp.yaml /logs/run.log"), 0);
	doc = cli_json(cli_out);
	CU_ASSERT_STRING_EQUAL(cli_str(doc, "path"), "/logs/run.log");
	snprintf(text, sizeof(text), "%d",
		 cJSON_GetObjectItem(doc, "size")->valueint);
	cJSON_Delete(doc);
	CU_ASSERT_EQUAL(cli_run("--json fs stat /logs/run.log"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_out, text));
	/* a directory is refused, not appended into */
	CU_ASSERT_EQUAL(cli_run("--json fs append wsp.yaml /logs"), 1);
	CU_ASSERT_STRING_EQUAL(err_code(), "EISDIR");
	CU_ASSERT_EQUAL(cli_run("--json fs append wsp.yaml /ro/x.log"), 1);
	CU_ASSERT_STRING_EQUAL(err_code(), "EROFS");
	CU_ASSERT_EQUAL(cli_run("fs append --help"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_out, "usage: wsp fs append"));
}

static void test_rmdir(void)
{
	CU_ASSERT_EQUAL(cli_run("fs mkdir -p /t/empty"), 0);
	CU_ASSERT_EQUAL(cli_run("fs put wsp.yaml /t/full/f.txt"), 0);
	CU_ASSERT_EQUAL(cli_run("--json fs rmdir /t/full"), 1);
	CU_ASSERT_STRING_EQUAL(err_code(), "ENOTEMPTY");
	CU_ASSERT_EQUAL(access(cli_path("root/t/full/f.txt"), F_OK), 0);
	CU_ASSERT_EQUAL(cli_run("--json fs rmdir /t/full/f.txt"), 1);
	CU_ASSERT_STRING_EQUAL(err_code(), "ENOTDIR");
	CU_ASSERT_EQUAL(cli_run("--json fs rmdir /t/none"), 1);
	CU_ASSERT_STRING_EQUAL(err_code(), "ENOENT");
	CU_ASSERT_EQUAL(cli_run("--json fs rmdir /t/empty"), 0);
	CU_ASSERT_STRING_EQUAL(cli_out, "{\"ok\":true}\n");
	CU_ASSERT_EQUAL(access(cli_path("root/t/empty"), F_OK), -1);
	/* rm -r takes what rmdir refuses */
	CU_ASSERT_EQUAL(cli_run("fs rm -r /t/full"), 0);
	CU_ASSERT_EQUAL(access(cli_path("root/t/full"), F_OK), -1);
	CU_ASSERT_EQUAL(cli_run("fs rmdir -r /t"), 2);
	CU_ASSERT_EQUAL(cli_run("fs rmdir --help"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_out, "usage: wsp fs rmdir PATH"));
}

static void test_ls_ext(void)
{
	cJSON *doc, *it;
	int n = 0;

	CU_ASSERT_EQUAL(cli_run("fs put wsp.yaml /e/a.txt"), 0);
	CU_ASSERT_EQUAL(cli_run("fs put wsp.yaml /e/b.md"), 0);
	CU_ASSERT_EQUAL(cli_run("fs put wsp.yaml /e/sub/c.txt"), 0);
	CU_ASSERT_EQUAL(cli_run("fs ls --ext .txt /e"), 0);
	CU_ASSERT_STRING_EQUAL(cli_out, "a.txt\nsub/\n");
	CU_ASSERT_EQUAL(cli_run("fs ls -R --ext txt /e"), 0);
	CU_ASSERT_STRING_EQUAL(cli_out, "a.txt\nsub/\nsub/c.txt\n");
	CU_ASSERT_EQUAL(cli_run("--json fs ls --ext=.md --ext .txt /e"), 0);
	doc = cli_json(cli_out);
	cJSON_ArrayForEach(it, doc)
		n++;
	CU_ASSERT_EQUAL(n, 3); /* a.txt, b.md, sub */
	cJSON_Delete(doc);
	CU_ASSERT_EQUAL(cli_run("fs ls --ext"), 2);
	CU_ASSERT_EQUAL(cli_run("fs cat --ext .txt /e/a.txt"), 2);
	CU_ASSERT_EQUAL(cli_run("fs ls --help"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_out, "--ext EXT"));
}

/* POSIX order: a path that does not exist is "not found", read-only or not. */
static void test_read_only_missing(void)
{
	FILE *f = fopen(cli_path("shared/kept.txt"), "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("kept\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(cli_run("--json fs rm /ro/none.txt"), 1);
	CU_ASSERT_STRING_EQUAL(err_code(), "ENOENT");
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_err, "/ro/none.txt"));
	CU_ASSERT_EQUAL(cli_run("fs rm -f /ro/none.txt"), 0);
	CU_ASSERT_EQUAL(cli_run("--json fs rmdir /ro/none"), 1);
	CU_ASSERT_STRING_EQUAL(err_code(), "ENOENT");
	CU_ASSERT_EQUAL(cli_run("--json fs rm /ro/kept.txt"), 1);
	CU_ASSERT_STRING_EQUAL(err_code(), "EROFS");
	CU_ASSERT_EQUAL(access(cli_path("shared/kept.txt"), F_OK), 0);
	/* a copy onto the read-only mount: the source is checked first,
	 * and the refusal names the destination only when it exists */
	CU_ASSERT_EQUAL(cli_run("--json fs cp /none.txt /ro/x.txt"), 1);
	CU_ASSERT_STRING_EQUAL(err_code(), "ENOENT");
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_err, "'/none.txt'"));
	CU_ASSERT_PTR_NULL(strstr(cli_err, "read-only"));
	CU_ASSERT_EQUAL(cli_run("--json fs cp /none.txt /ro"), 1);
	CU_ASSERT_STRING_EQUAL(err_code(), "ENOENT");
	CU_ASSERT_EQUAL(cli_run("fs put wsp.yaml /src.txt"), 0);
	CU_ASSERT_EQUAL(cli_run("--json fs cp /src.txt /ro/x.txt"), 1);
	CU_ASSERT_STRING_EQUAL(err_code(), "EROFS");
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_err, "/ro/x.txt"));
	/* moving out of it: a missing source is not found, a present one
	 * cannot leave */
	CU_ASSERT_EQUAL(cli_run("--json fs mv /ro/none.txt /y.txt"), 1);
	CU_ASSERT_STRING_EQUAL(err_code(), "ENOENT");
	CU_ASSERT_EQUAL(cli_run("--json fs mv /ro/kept.txt /y.txt"), 1);
	CU_ASSERT_STRING_EQUAL(err_code(), "EROFS");
	CU_ASSERT_EQUAL(access(cli_path("root/y.txt"), F_OK), -1);
	/* creating is refused as read-only, as mkdir(2) does */
	CU_ASSERT_EQUAL(cli_run("--json fs mkdir /ro/new"), 1);
	CU_ASSERT_STRING_EQUAL(err_code(), "EROFS");
}

/* A symlinked ancestor leading out: the write is refused as escaping. */
static void test_write_through_symlink(void)
{
	CU_ASSERT_EQUAL(symlink("/etc", cli_path("root/out")), 0);
	CU_ASSERT_EQUAL(cli_run("--json fs put wsp.yaml /out/x.conf"), 1);
	CU_ASSERT_STRING_EQUAL(err_code(), "EACCES");
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_err, "cannot write '/out/x.conf'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_err, "escapes"));
	CU_ASSERT_EQUAL(cli_run("fs append wsp.yaml /out/deeper/x.conf"), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_err, "escapes"));
	CU_ASSERT_PTR_NULL(strstr(cli_err, "cannot stat"));
	/* the agent tool says the same */
	CU_ASSERT_EQUAL(cli_run("tool write_file "
				"'{\"path\":\"/out/x.conf\",\"content\":\"x\"}'"),
			1);
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_out, "cannot write '/out/x.conf'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_out, "escapes"));
	CU_ASSERT_PTR_NULL(strstr(cli_out, "cannot stat"));
	CU_ASSERT_EQUAL(access("/etc/x.conf", F_OK), -1);
}

static CU_TestInfo tests[] = {
	{"fs append", test_append},
	{"fs rmdir beside rm -r", test_rmdir},
	{"fs ls --ext", test_ls_ext},
	{"read-only mount: not found first", test_read_only_missing},
	{"write through a symlinked ancestor", test_write_through_symlink},
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return cli_main("wsp fs for programs", tests);
}
