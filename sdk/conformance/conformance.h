/*
 * conformance.h - shared state of wsp-conformance: the provider under
 * test, the workspace opened on it, and the PASS/FAIL/SKIP tally.
 */
#ifndef WSP_CONFORMANCE_H
#define WSP_CONFORMANCE_H

#include <stddef.h>
#include <stdint.h>

#include <wsp/wsp.h>

struct conf {
	const char *so_path; /* the provider's .so as given */
	char dir[4096];	     /* its directory: the plugin path */
	char name[256];	     /* provider name from wsp-<kind>-<name>.so */
	uint32_t kind;	     /* WSP_KIND_* */
	char *options;	     /* the options YAML map, indented; never NULL */
	uint64_t caps;	     /* what the provider declares */
	int has_procmgr;
	int has_read_only_opt; /* declares a boolean "read_only" option */
	wsp_workspace *ws;
};

/* Report one check; fmt explains a failure or a skip. */
void conf_pass(const char *check);
void conf_fail(const char *check, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void conf_skip(const char *check, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Open a workspace whose sandbox, or whose root mount, is the provider
 * under test, with its options plus the extra YAML lines (may be NULL),
 * indented as the options are (6 spaces for fs, 4 for a sandbox).
 */
int conf_open(wsp_workspace **out, const struct conf *c, const char *extra,
	      wsp_error *err);

/* Name of a wsp_errcode ("WSP_ENOTFOUND"), for messages. */
const char *conf_errname(int code);

void conf_run_fs(struct conf *c);
void conf_run_sandbox(struct conf *c);

#endif /* WSP_CONFORMANCE_H */
