/* tests/core/testutil.c - helpers for the core's tests. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cu_main.h"
#include "test_files.h"

char *tu_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *path;

	if (!base || !*base)
		base = "/tmp";
	if (asprintf(&path, "%s/wsp-test-XXXXXX", base) < 0)
		return NULL;
	if (!mkdtemp(path)) {
		free(path);
		return NULL;
	}
	return path;
}

void tu_rmrf(const char *path)
{
	if (path)
		test_remove_tree(path);
}

const char *tu_path(const char *dir, const char *name)
{
	static char bufs[8][4096];
	static int next;
	char *b = bufs[next++ % 8];

	snprintf(b, sizeof(bufs[0]), "%s/%s", dir, name);
	return b;
}

void tu_write(const char *path, const char *text)
{
	CU_ASSERT_EQUAL_FATAL(test_write_text(path, text), 0);
}

char *tu_read(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return NULL;
	do {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
		}
		n = fread(buf + len, 1, 4096, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

int tu_run(const char *const *argv, const char *const *env, const char *cwd,
	   char **out, char **err)
{
	char out_path[] = "/tmp/wsp-test-out-XXXXXX";
	char err_path[] = "/tmp/wsp-test-err-XXXXXX";
	int ofd = mkstemp(out_path), efd = mkstemp(err_path), status;
	size_t i;
	pid_t pid;

	if (ofd < 0 || efd < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		for (i = 0; env && env[i]; i++) {
			const char *eq = strchr(env[i], '=');

			if (eq) {
				char *k = strndup(env[i],
						  (size_t)(eq - env[i]));

				setenv(k, eq + 1, 1);
			} else {
				unsetenv(env[i]);
			}
		}
		if (cwd && chdir(cwd) < 0)
			_exit(126);
		dup2(ofd, 1);
		dup2(efd, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	close(ofd);
	close(efd);
	*out = tu_read(out_path);
	*err = tu_read(err_path);
	unlink(out_path);
	unlink(err_path);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

/* The assertion that needle is (want) or is not in haystack; both shown
 * when it fails. A NULL string fails either way. */
static void assert_find(const char *haystack, const char *needle, int want,
			const char *file, int line)
{
	int ok = haystack && needle && !strstr(haystack, needle) == !want;

	if (!ok)
		fprintf(stderr, "\n%s:%d: %s\n  [%s]\nin\n  [%s]\n", file, line,
			want ? "expected to find" : "did not expect",
			needle ? needle : "(null)",
			haystack ? haystack : "(null)");
	CU_assertImplementation(ok, (unsigned)line,
				want ? "contains" : "lacks", file, "",
				CU_FALSE);
}

int tu_run_wsp(const char *const *argv, const char *dir, const char *sub,
	       const char *extra_env, char **out, char **err)
{
	char state[1024], cfg[1024], cwd[1024];
	const char *env[] = {state, cfg, "WSP_CONFIG", "WSP_PLUGIN_PATH",
			     extra_env, NULL};

	snprintf(state, sizeof(state), "XDG_STATE_HOME=%s/state", dir);
	snprintf(cfg, sizeof(cfg), "XDG_CONFIG_HOME=%s/cfg", dir);
	snprintf(cwd, sizeof(cwd), "%s%s%s", dir, sub ? "/" : "",
		 sub ? sub : "");
	free(*out);
	free(*err);
	*out = *err = NULL;
	return tu_run(argv, env, cwd, out, err);
}

void tu_assert_contains(const char *haystack, const char *needle,
			const char *file, int line)
{
	assert_find(haystack, needle, 1, file, line);
}

void tu_assert_lacks(const char *haystack, const char *needle,
		     const char *file, int line)
{
	assert_find(haystack, needle, 0, file, line);
}

int tu_main(const char *suite, const CU_TestInfo *tests)
{
	CU_SuiteInfo suites[] = { { suite, NULL, NULL, NULL, NULL,
				    (CU_TestInfo *)tests },
				  CU_SUITE_INFO_NULL };

	return cu_run_suites(suites);
}

int tu_main_in_tmpdir(const char *suite, const CU_TestInfo *tests,
		      char **dir, int (*prepare)(void), char **out,
		      char **err)
{
	int rc = 2;

	*dir = tu_tmpdir();
	if (!*dir)
		return 2;
	if (!prepare || !prepare())
		rc = tu_main(suite, tests);
	tu_rmrf(*dir);
	free(*dir);
	*dir = NULL;
	if (out) {
		free(*out);
		*out = NULL;
	}
	if (err) {
		free(*err);
		*err = NULL;
	}
	return rc;
}
