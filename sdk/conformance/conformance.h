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
	/*
	 * The provider's own descriptor, read from the .so, so checks of an
	 * optional slot are skipped when the provider leaves it NULL.
	 */
	const wsp_plugin_desc *desc;
	wsp_workspace *ws;
	/* --only sandbox-fs: only that group (for a fixture built for it) */
	int only_sandbox_fs;
};

/*
 * Report one check; fmt explains a failure or a skip. Names get the
 * prefix last set (none at first), e.g. "sandbox-fs/" while the fs
 * checks run through a sandbox's sandbox_fs.
 */
void conf_set_prefix(const char *prefix);
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

/*
 * Report an operation's outcome: pass when rc is want, skip when the
 * provider answers WSP_ENOTSUP (it lacks the operation), fail otherwise.
 * Returns 1 when it passed.
 */
int conf_expect(const char *check, int rc, int want, const wsp_error *err);

/* A wsp_sink_fn adding the length of what it gets to *(size_t *)payload. */
int conf_count_bytes(const void *data, size_t len, void *payload);

/*
 * Both streams of a process's output as text, each NUL-ended; what does
 * not fit is cut (the check then fails on the text it compares).
 */
struct conf_text {
	char out[256], err[256];
	size_t out_len, err_len;
};

/* Add what stream got to its text in t. */
void conf_text_add(struct conf_text *t, uint32_t stream, const void *data,
		   size_t len);

/* A wsp_output_fn adding to the struct conf_text payload points to. */
int conf_text_output(uint32_t stream, const void *data, size_t len,
		     void *payload);

/* Milliseconds on the monotonic clock, for durations. */
int64_t conf_now_ms(void);

/*
 * Spawn a shell command in the background; 0 with id filled, or the
 * check reported (skipped for WSP_ENOTSUP, failed otherwise).
 */
int conf_spawn(char id[WSP_PROC_ID_MAX], const char *check, wsp_workspace *ws,
	       const char *shell, uint32_t stdin_mode);

/* 1 when the process manager lists id (0 when not, or on error). */
int conf_proc_listed(wsp_workspace *ws, const char *id);

/* Pass when the sandbox's status is want, fail otherwise (the state
 * names, or status's error, in the message). */
void conf_expect_state(const char *check, wsp_workspace *ws, uint32_t want);

/* Name of a wsp_errcode ("WSP_ENOTFOUND"), for messages. */
const char *conf_errname(int code);

void conf_run_fs(struct conf *c);
void conf_run_sandbox(struct conf *c);
void conf_run_procs(struct conf *c);	 /* background processes */
void conf_run_follow(struct conf *c); /* following output, its history */
void conf_run_lifecycle(struct conf *c); /* start/stop/reconnect/destroy */
void conf_run_slots(struct conf *c); /* pause/resume, set_timeout, preview */
void conf_run_sandbox_mount(struct conf *c); /* mount/unmount */
void conf_run_sandbox_fs(struct conf *c);    /* the descriptor's sandbox_fs */

#endif /* WSP_CONFORMANCE_H */
