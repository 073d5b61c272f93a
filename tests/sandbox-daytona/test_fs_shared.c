/*
 * tests/sandbox-daytona/test_fs_shared.c - the file rules every remote
 * sandbox keeps (fs.h), in the bodies tests/common/remote_fs_tests.c
 * shares with tests/sandbox-e2b and tests/sandbox-blaxel, run on
 * Daytona's sandbox_fs against its fake: a path under a file, and copy
 * and move with OVERWRITE over what is there. Daytona's own file tests
 * (its wire, its commands, its faults) are test_fs.c.
 */
#include "cu_main.h"
#include "dt_env.h"
#include "remote_fs_tests.h"

#include <stdio.h>

static struct box bx;

static int suite_init(void)
{
	wsp_error err = {0};
	uint32_t outcome;

	rfs_box = &bx;
	if (dt_env_start_with(NULL) ||
	    box_open(&bx, "fs-shared-box", NULL, 0, &err) ||
	    box_vt(&bx)->start(&outcome, bx.self, box_call(&bx, 60000), 0,
			       &err)) {
		fprintf(stderr, "setup: %s\n", err.message);
		return -1;
	}
	return 0;
}

static int suite_clean(void)
{
	box_destroy(&bx);
	fake_env_stop();
	return 0;
}

static CU_TestInfo tests[] = {
	{"a path under a file", rfs_test_under_a_file},
	{"copy and move over a directory", rfs_test_over_a_directory},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("sandbox-daytona files (shared)", suite_init, suite_clean,
	      tests)
