/*
 * tests/tools/fixture.h - a throwaway workspace for tool tests: a fresh
 * directory under $TMPDIR holding the sandbox's working directory and the
 * root mount, a configuration pointing at them, and its tool set.
 */
#ifndef WSP_TEST_TOOLS_FIXTURE_H
#define WSP_TEST_TOOLS_FIXTURE_H

#include <wsp/wsp.h>

struct fixture {
	char dir[256];	/* the temporary directory */
	char work[300]; /* dir/work: working directory and root mount */
	wsp_workspace *ws;
	wsp_tools *tools;
};

/*
 * Where the workspaces fixture_reopen opens send their log lines (every
 * level), when set; NULL: the library's default (stderr).
 */
extern wsp_log_fn fixture_log;
extern void *fixture_log_payload;

/*
 * Set up with extra YAML appended to the configuration (e.g. a tools:
 * section; may be NULL) and tool-set flags. Returns 0 or a wsp_errcode.
 */
int fixture_open(struct fixture *f, const char *extra_yaml, uint32_t flags);
/*
 * Close the workspace and open it again in the same directory, as a new
 * process would (what the files hold stays). In extra_yaml, of both
 * calls, "@DIR@" stands for f->dir.
 */
int fixture_reopen(struct fixture *f, const char *extra_yaml,
		   uint32_t flags);
void fixture_close(struct fixture *f);

/* Run a tool; returns the result text (malloc'd) and sets *is_error. */
char *fixture_call(struct fixture *f, const char *name, const char *args,
		   int *is_error);

/*
 * Run a tool whose result is not looked at, checking with CUnit that it
 * succeeded (its text on stderr when it did not).
 */
void fixture_call_ok(struct fixture *f, const char *name, const char *args);

/* Whether the tool set lists a tool under this (exposed) name. */
int fixture_has_tool(struct fixture *f, const char *name);

/*
 * Open a workspace of configuration text yaml alone (no fixture) and
 * check, with CUnit, that it is refused with a message holding want.
 */
void fixture_config_error(const char *yaml, const char *want);

/* Write a file below f->work (relative path), creating directories. */
void fixture_write(struct fixture *f, const char *rel, const char *text);
/* Read a file below f->work; malloc'd, NULL if missing. */
char *fixture_read(struct fixture *f, const char *rel);

#endif
