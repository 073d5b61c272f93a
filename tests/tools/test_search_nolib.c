/*
 * tests/tools/test_search_nolib.c - search without SQLite at run time.
 * libwsp loads libsqlite3 on search's first use (core/search_libs.c);
 * when the library is not there, opening the index must fail with a
 * message naming it, and everything else must go on working. The real
 * `wsp` CLI runs under bubblewrap with /dev/null mounted over the very
 * file the dynamic loader finds for libsqlite3.so.0 (asked of the loader
 * itself, dlinfo), so the library is gone for that process only; the
 * same search without bubblewrap is the control. Needs bwrap (fails
 * without it); ctest runs it as root and as uid 65534.
 */
#include "cu_main.h"
#include "test_files.h"
#include "test_run.h"

#include <CUnit/Basic.h>
#include <dlfcn.h> /* dlinfo: _GNU_SOURCE, as every target has it */
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SQLITE_SONAME "libsqlite3.so.0"

static char dir[PATH_MAX], cfg[PATH_MAX + 16], lib[PATH_MAX], out[16384];

/* The path the dynamic loader opens for SQLITE_SONAME into lib: 0, or -1
 * (no such library here: the control would fail too). */
static int find_sqlite(void)
{
	struct link_map *lm = NULL;
	void *h = dlopen(SQLITE_SONAME, RTLD_LAZY | RTLD_LOCAL);
	int rc = -1;

	if (!h) {
		fprintf(stderr, "test_search_nolib: %s\n", dlerror());
		return -1;
	}
	if (dlinfo(h, RTLD_DI_LINKMAP, &lm) == 0 && lm && lm->l_name &&
	    lm->l_name[0] == '/' && strlen(lm->l_name) < sizeof(lib)) {
		snprintf(lib, sizeof(lib), "%s", lm->l_name);
		rc = 0;
	}
	dlclose(h);
	return rc;
}

static int suite_init(void)
{
	char path[PATH_MAX + 32];
	const char *tmp = getenv("TMPDIR");
	FILE *f;

	if (find_sqlite())
		return -1;
	snprintf(dir, sizeof(dir), "%s/wsp-nolib.XXXXXX",
		 tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/files", dir);
	if (mkdir(path, 0700))
		return -1;
	snprintf(path, sizeof(path), "%s/files/notes.md", dir);
	if (test_write_text(path, "intro\nthe otter swims\n"))
		return -1;
	snprintf(cfg, sizeof(cfg), "%s/wsp.yaml", dir);
	f = fopen(cfg, "w");
	if (!f)
		return -1;
	fprintf(f,
		"mounts:\n"
		"  /work:\n"
		"    provider: local\n"
		"    options:\n"
		"      base_path: files\n"
		"search:\n"
		"  auto_index_paths: [/work]\n"
		"  index_path: %s/index.sqlite\n",
		dir);
	return fclose(f) ? -1 : 0;
}

static int suite_clean(void)
{
	if (dir[0])
		test_remove_tree(dir);
	return 0;
}

/* `wsp --config cfg ARGS` in dir, with SQLite hidden (under bubblewrap)
 * or not; stdout and stderr in out; the exit status. */
static int wsp(int hidden, const char *args)
{
	char flags[PATH_MAX + 128] = "";
	char cmd[4 * PATH_MAX];

	if (hidden)
		snprintf(flags, sizeof(flags),
			 "'%s' --bind / / --ro-bind /dev/null '%s' ", WSP_BWRAP,
			 lib);
	snprintf(cmd, sizeof(cmd), "cd '%s' && %s'%s' --config '%s' %s 2>&1",
		 dir, flags, WSP_CLI, cfg, args);
	return test_run_capture(cmd, out, sizeof(out));
}

static void test_search_fails_reads_work(void)
{
	/* SQLite hidden: the search fails, naming the library */
	CU_ASSERT_NOT_EQUAL(wsp(1, "search otter"), 0);
	if (!strstr(out, "cannot load " SQLITE_SONAME))
		printf("\n  hidden %s: %s", lib, out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "cannot open the search index"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "cannot load " SQLITE_SONAME ": "));
	/* the same process setup reads a file as ever */
	CU_ASSERT_EQUAL(wsp(1, "fs cat /work/notes.md"), 0);
	CU_ASSERT_STRING_EQUAL(out, "intro\nthe otter swims\n");
	/* the control: with the library the same search finds the line */
	CU_ASSERT_EQUAL(wsp(0, "search otter"), 0);
	CU_ASSERT_STRING_EQUAL(out, "/work/notes.md:2-2: the otter swims\n"
				    "---\n1 result (bm25 search)\n");
}

static CU_TestInfo tests[] = {
	{"no SQLite: search fails, reads work", test_search_fails_reads_work},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("search without libsqlite3", suite_init, suite_clean, tests)
