/*
 * tests/common/test_run.h - running the real CLI (or any command) from a
 * test through the shell and keeping what it printed, for the suites
 * that drive `wsp` as a user would (tests/gcs, tests/s3,
 * tests/sandbox-mount, tests/sandbox-e2b's keeper, tests/cli,
 * tests/sandbox-local).
 */
#ifndef WSP_TEST_RUN_H
#define WSP_TEST_RUN_H

#include "test_files.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

/* `sh -c cmd`: its stdout in out (at most cap - 1 bytes, NUL-ended), and
 * its exit status, or -1 when it could not run or did not exit. */
static inline int test_run_capture(const char *cmd, char *out, size_t cap)
{
	FILE *p = popen(cmd, "r");
	size_t n;
	int rc;

	if (!p)
		return -1;
	n = fread(out, 1, cap - 1, p);
	out[n] = '\0';
	rc = pclose(p);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* `cli FLAGS --config cfg ARGS` run in dir, its stdout and stderr in out
 * as test_run_capture keeps them; flags may be "". */
static inline int test_run_cli(char *out, size_t cap, const char *dir,
			       const char *cli, const char *flags,
			       const char *cfg, const char *args)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' %s --config '%s' %s 2>&1",
		 dir, cli, flags, cfg, args);
	return test_run_capture(cmd, out, cap);
}

/* `cli --config cfg ARGS` run in dir with its stdout and stderr apart:
 * each through a file of dir (out.txt, err.txt) into out and err as
 * test_read_text keeps them. Its exit status, or -1 when it did not exit. */
static inline int test_run_cli_apart(const char *dir, const char *cli,
				     const char *cfg, const char *args,
				     char *out, size_t out_cap, char *err,
				     size_t err_cap)
{
	char cmd[4096], path[1024];
	int st;

	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && '%s' --config '%s' %s >out.txt 2>err.txt", dir,
		 cli, cfg, args);
	st = system(cmd);
	snprintf(path, sizeof(path), "%s/out.txt", dir);
	test_read_text(path, out, out_cap);
	snprintf(path, sizeof(path), "%s/err.txt", dir);
	test_read_text(path, err, err_cap);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#endif
