/*
 * tests/core/testutil.h - what the core's tests share: temporary
 * directories, files, and running the CLI as a child process.
 */
#ifndef WSP_TESTS_CORE_TESTUTIL_H
#define WSP_TESTS_CORE_TESTUTIL_H

#include <CUnit/Basic.h>
#include <stddef.h>

/* A new directory under $TMPDIR (or /tmp); free() it after tu_rmrf(). */
char *tu_tmpdir(void);

/* Remove a tree (best effort). */
void tu_rmrf(const char *path);

/* path = dir + "/" + name, in a static rotating buffer. */
const char *tu_path(const char *dir, const char *name);

/* Write text to a file (creating it); CU_FAIL on error. */
void tu_write(const char *path, const char *text);

/* Whole file as a string (malloc'd), or NULL. */
char *tu_read(const char *path);

/*
 * Run argv with the environment changed by env ("K=V" sets, "K" unsets),
 * in directory cwd (NULL: ours). Captures stdout and stderr (malloc'd,
 * NUL-terminated) and returns the exit status, or 128+N if killed by
 * signal N.
 */
int tu_run(const char *const *argv, const char *const *env, const char *cwd,
	   char **out, char **err);

/*
 * tu_run of wsp's argv for a suite in the scratch directory dir: in
 * dir/sub (NULL: dir itself), with dir/state and dir/cfg as its XDG
 * state and config homes, WSP_CONFIG and WSP_PLUGIN_PATH unset, and
 * extra_env ("K=V", NULL: none) set too. *out and *err (the last run's,
 * or NULL) are freed first and then hold this run's.
 */
int tu_run_wsp(const char *const *argv, const char *dir, const char *sub,
	       const char *extra_env, char **out, char **err);

/* Run the suite's tests; returns the process exit status. */
int tu_main(const char *suite, const CU_TestInfo *tests);

/*
 * tu_main in a scratch directory of the suite's own: *dir is a new
 * tu_tmpdir(), then prepare (NULL: nothing) fills it, the tests run, and
 * the tree is removed and *dir freed (set to NULL), with the last
 * tu_run() output the suite kept in *out and *err (NULL: none). 2 when
 * the directory cannot be made or prepare returns nonzero (the tests then
 * do not run).
 */
int tu_main_in_tmpdir(const char *suite, const CU_TestInfo *tests,
		      char **dir, int (*prepare)(void), char **out,
		      char **err);

/* CU_ASSERT that haystack contains needle, printing both if not. */
#define TU_ASSERT_CONTAINS(haystack, needle) \
	tu_assert_contains((haystack), (needle), __FILE__, __LINE__)
#define TU_ASSERT_LACKS(haystack, needle) \
	tu_assert_lacks((haystack), (needle), __FILE__, __LINE__)
void tu_assert_contains(const char *haystack, const char *needle,
			const char *file, int line);
void tu_assert_lacks(const char *haystack, const char *needle,
		     const char *file, int line);

#endif
