/*
 * tests/security/test_core_loader.c - the loader refuses a plugin another
 * user could replace (docs/loader.md, docs/security.md): ssh's StrictModes
 * for the file and every directory above it. Through the real CLI, with a
 * copy of the build tree's wsp-fs-local.so placed first on the plugin path.
 * As root and (security_core_loader_unprivileged) as uid 65534, which
 * finds another user's directory and file left by run-unprivileged.sh.
 */
#include "testutil.h"
#include "test_files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dir, *out, *err;

/* `wsp --plugin-path PLUGINS fs ls /` in dir/ws, a local mount. */
static int ls_with(const char *plugins)
{
	const char *argv[] = {
		WSP_CLI, "--plugin-path", plugins, "fs", "ls", "/", NULL};

	return tu_run_wsp(argv, dir, "ws", NULL, &out, &err);
}

/* dir/NAME (mode) holding plugins/ (0755) with a copy of fs-local. */
static const char *place(const char *name, mode_t mode, char *buf, size_t cap)
{
	char parent[1024], cmd[4096];

	snprintf(parent, sizeof(parent), "%s/%s", dir, name);
	CU_ASSERT_EQUAL(mkdir(parent, 0755), 0);
	CU_ASSERT_EQUAL(chmod(parent, mode), 0);
	snprintf(buf, cap, "%s/plugins", parent);
	CU_ASSERT_EQUAL(mkdir(buf, 0755), 0);
	snprintf(cmd, sizeof(cmd), "cp '%s/wsp-fs-local.so' '%s/'",
		 WSP_BUILD_PLUGINS, buf);
	CU_ASSERT_EQUAL(system(cmd), 0);
	return buf;
}

static char *file_in(const char *plugins)
{
	static char path[2048];

	snprintf(path, sizeof(path), "%s/wsp-fs-local.so", plugins);
	return path;
}

/*
 * As root the test gives the file, then its directory, to uid 65534. An
 * unprivileged caller cannot: run-unprivileged.sh leaves it a directory
 * and a file of uid 1001 (WSP_TEST_FOREIGN_DIR, WSP_TEST_FOREIGN_FILE).
 */
static void test_file_of_another_user(void)
{
	const char *foreign = getenv("WSP_TEST_FOREIGN_DIR"),
		   *file = getenv("WSP_TEST_FOREIGN_FILE");
	char p[1100], cmd[4096], why[1200], *slash;

	if (geteuid() == 0) {
		place("owned", 0755, p, sizeof(p));
		CU_ASSERT_EQUAL(ls_with(p), 0);
		CU_ASSERT_EQUAL(chown(file_in(p), 65534, 65534), 0);
		CU_ASSERT_EQUAL(ls_with(p), 1);
		TU_ASSERT_CONTAINS(err, file_in(p));
		TU_ASSERT_CONTAINS(err, "the file belongs to uid 65534");
		CU_ASSERT_EQUAL(chown(file_in(p), 0, 0), 0);
		CU_ASSERT_EQUAL(chown(p, 65534, 65534), 0);
		CU_ASSERT_EQUAL(ls_with(p), 1);
		snprintf(why, sizeof(why),
			 "the directory '%s' belongs to uid "
			 "65534, not to root or to the caller (uid 0)",
			 p);
		TU_ASSERT_CONTAINS(err, why);
		return;
	}
	if (!foreign || !file) {
		fprintf(stderr, "not run by run-unprivileged.sh: no file of "
				"another user to check ownership with\n");
		return;
	}
	/* The caller's plugins/ below a directory of uid 1001. */
	snprintf(p, sizeof(p), "%s/plugins", foreign);
	snprintf(cmd, sizeof(cmd), "cp '%s/wsp-fs-local.so' '%s/'",
		 WSP_BUILD_PLUGINS, p);
	CU_ASSERT_EQUAL(system(cmd), 0);
	CU_ASSERT_EQUAL(ls_with(p), 1);
	TU_ASSERT_CONTAINS(err, file_in(p));
	snprintf(why, sizeof(why),
		 "the directory '%s' belongs to uid 1001, "
		 "not to root or to the caller (uid %u)",
		 foreign, (unsigned)geteuid());
	TU_ASSERT_CONTAINS(err, why);
	/* A plugin file of uid 1001 in the caller's own directory. */
	snprintf(p, sizeof(p), "%s", file);
	slash = strrchr(p, '/');
	CU_ASSERT_PTR_NOT_NULL_FATAL(slash);
	snprintf(slash + 1, sizeof(p) - (size_t)(slash + 1 - p),
		 "wsp-fs-local.so");
	CU_ASSERT_EQUAL(rename(file, p), 0);
	*slash = '\0';
	CU_ASSERT_EQUAL(ls_with(p), 1);
	TU_ASSERT_CONTAINS(err, "wsp-fs-local.so' is not loaded: the file "
				"belongs to uid 1001");
}

/* The plugin directory itself writable by its group, or by every user. */
static void test_plugin_dir_writable(void)
{
	static const struct {
		mode_t mode;
		const char *writers;
	} cases[] = {{0775, "its group"}, {0757, "every user"}};
	char p[1100], why[1200];
	size_t i;

	place("gw", 0755, p, sizeof(p));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL(chmod(p, cases[i].mode), 0);
		CU_ASSERT_EQUAL(ls_with(p), 1);
		TU_ASSERT_CONTAINS(err, file_in(p));
		snprintf(why, sizeof(why),
			 "the directory '%s' is writable by %s (mode %04o, "
			 "not sticky)",
			 p, cases[i].writers, (unsigned)cases[i].mode);
		TU_ASSERT_CONTAINS(err, why);
	}
	CU_ASSERT_EQUAL(chmod(p, 0755), 0);
	CU_ASSERT_EQUAL(ls_with(p), 0);
	TU_ASSERT_CONTAINS(out, "marker");
}

static void test_file_writable_by_all(void)
{
	char p[1100];

	place("mode", 0755, p, sizeof(p));
	CU_ASSERT_EQUAL(chmod(file_in(p), 0666), 0);
	CU_ASSERT_EQUAL(ls_with(p), 1);
	TU_ASSERT_CONTAINS(err, file_in(p));
	TU_ASSERT_CONTAINS(err, "the file is writable by its group and every "
				"user (mode 0666)");
}

static void test_parent_open_to_all(void)
{
	char p[1100], parent[1100];

	place("open", 0777, p, sizeof(p));
	snprintf(parent, sizeof(parent),
		 "the directory '%s/open' is "
		 "writable by its group and every user (mode 0777, not "
		 "sticky)",
		 dir);
	CU_ASSERT_EQUAL(ls_with(p), 1);
	TU_ASSERT_CONTAINS(err, file_in(p));
	TU_ASSERT_CONTAINS(err, parent);
}

static void test_under_sticky_dir(void)
{
	char p[1100];

	place("sticky", 01777, p, sizeof(p));
	CU_ASSERT_EQUAL(ls_with(p), 0);
	TU_ASSERT_CONTAINS(out, "marker");
	TU_ASSERT_LACKS(err, "not loaded");
}

static const CU_TestInfo tests[] = {
	{"a plugin file or directory of another user is refused",
	 test_file_of_another_user},
	{"a plugin directory writable by group or all is refused",
	 test_plugin_dir_writable},
	{"a plugin file mode 0666 is refused", test_file_writable_by_all},
	{"a plugin below a 0777 directory is refused", test_parent_open_to_all},
	{"a plugin below a sticky 1777 directory loads", test_under_sticky_dir},
	CU_TEST_INFO_NULL,
};

/* The workspace the tests use: one local mount holding a marker file. */
static int prepare(void)
{
	char ws[1024];

	snprintf(ws, sizeof(ws), "%s/ws", dir);
	mkdir(ws, 0755);
	snprintf(ws, sizeof(ws), "%s/ws/files", dir);
	mkdir(ws, 0755);
	snprintf(ws, sizeof(ws), "%s/ws/wsp.yaml", dir);
	if (test_write_text(ws, "mounts:\n  /: {provider: local, options: "
				"{base_path: ./files}}\n"))
		return 2;
	snprintf(ws, sizeof(ws), "%s/ws/files/marker", dir);
	return test_write_text(ws, "x\n");
}

int main(void)
{
	return tu_main_in_tmpdir("security_core_loader", tests, &dir, prepare,
				 &out, &err);
}
