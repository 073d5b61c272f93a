/*
 * tests/cli/cli_run.h - what the CLI suites share: a workspace in a
 * temporary directory (the local sandbox, unisolated, and two local
 * mounts, "/" writable and "/ro" read-only) and a way to run the real
 * wsp binary on it with its stdout and stderr kept apart, as a program
 * driving wsp would read them.
 */
#ifndef WSP_TEST_CLI_RUN_H
#define WSP_TEST_CLI_RUN_H

#include <CUnit/Basic.h>
#include <cjson/cJSON.h>
#include <wsp/common.h>

/* The temporary directory and what the last cli_run() printed. */
extern char cli_dir[256];
extern char cli_out[1 << 16], cli_err[1 << 16];

/* Make the directory and its wsp.yaml; 0 or -1 (a suite init). */
int cli_setup(void);
/* Remove it all (a suite cleanup); 0. */
int cli_teardown(void);

/*
 * Run `wsp --config CFG ARGS` in cli_dir through /bin/sh (ARGS is a shell
 * fragment, so it may redirect); its exit status, -1 when it did not
 * exit normally.
 */
int cli_run(const char *fmt, ...) WSP_PRINTF(1, 2);

/* cli_dir/rel, in one of four rotating buffers. */
const char *cli_path(const char *rel);

/*
 * The one JSON document text holds (NULL when it is not exactly one);
 * the caller deletes it.
 */
cJSON *cli_json(const char *text);

/* A string member of o, "" when absent or not a string. */
const char *cli_str(const cJSON *o, const char *name);

/*
 * A suite's main(): the workspace made, the tests run as procs_main()
 * runs them (a subreaper reaps the monitors wsp leaves), then removed.
 */
int cli_main(const char *suite, CU_TestInfo *tests);

/* `wsp spawn ARGS`, the id it printed into id; 0 or -1. */
int cli_spawn(char *id, size_t cap, const char *args);

#endif
