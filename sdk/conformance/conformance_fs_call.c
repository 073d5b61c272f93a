/*
 * conformance_fs_call.c - the call context (wsp_call) of every file
 * operation: a call whose token has fired is refused with WSP_ECANCELED,
 * one past its deadline with WSP_ETIMEDOUT, and neither changes anything;
 * a token fired while the operation runs (by a read's sink, a listing's
 * callback or a write's source) stops it with WSP_ECANCELED.
 *
 * The refusals up front are the core's (it checks the call before any
 * provider sees it); the ones mid-way are the provider's own: it checks
 * the call between the chunks, entries and pages of its loops.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance_fs.h"

/* The operations, each run once with an expired call. */
enum op {
	OP_STAT,
	OP_EXISTS,
	OP_READ,
	OP_WRITE,
	OP_LIST,
	OP_MKDIR,
	OP_REMOVE,
	OP_RMDIR,
	OP_COPY,
	OP_MOVE,
	OP_HOST_PATH,
	OP_COUNT
};

static const char *const op_names[OP_COUNT] = {
	"stat",	  "exists", "read", "write", "list",	  "mkdir",
	"remove", "rmdir",  "copy", "move",  "host-path",
};

/* What the operations work on (made by the basic checks before). */
#define FILE_TEXT "0123456789abcdef"

static int run_op(wsp_workspace *ws, const wsp_call *call, enum op op,
		  wsp_error *err)
{
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	char pbuf[256], qbuf[256], host[4096];
	size_t n = 0;
	int there = 0;

	switch (op) {
	case OP_STAT:
		return wsp_files_stat(&st, ws, call, P("range.txt"), 0, err);
	case OP_EXISTS:
		return wsp_files_exists(&there, ws, call, P("range.txt"), err);
	case OP_READ:
		return wsp_files_read(ws, call, P("range.txt"), NULL,
				      conf_count_bytes, &n, err);
	case OP_WRITE:
		return wsp_files_write_buf(NULL, ws, call, P("expired.txt"),
					   NULL, "never", 5, err);
	case OP_LIST:
		return wsp_files_list(ws, call, P("notes"), NULL,
				      conf_count_entries, &n, err);
	case OP_MKDIR:
		return wsp_files_mkdir(ws, call, P("expired-dir"),
				       WSP_FS_RECURSIVE, err);
	case OP_REMOVE:
		return wsp_files_remove(ws, call, P("range.txt"), 0, err);
	case OP_RMDIR:
		return wsp_files_rmdir(ws, call, P("notes"), WSP_FS_RECURSIVE,
				       err);
	case OP_COPY:
		return wsp_files_copy(ws, call, P("range.txt"),
				      Q("expired-copy.txt"), 0, err);
	case OP_MOVE:
		return wsp_files_move(ws, call, P("range.txt"),
				      Q("expired-move.txt"), 0, err);
	case OP_HOST_PATH:
		return wsp_files_host_path(host, sizeof(host), ws, call,
					   P("notes"), err);
	default:
		return WSP_EINVAL;
	}
}

/* Nothing an expired call was given changed anything. */
static void expect_untouched(wsp_workspace *ws, const char *check)
{
	static const char *const never[] = {"expired.txt", "expired-dir",
					    "expired-copy.txt",
					    "expired-move.txt"};
	char pbuf[256];
	size_t i;

	if (!conf_holds(ws, P("range.txt"), FILE_TEXT)) {
		conf_fail(check, "range.txt changed or went");
		return;
	}
	if (conf_there(ws, P("notes")) != 1) {
		conf_fail(check, "the directory 'notes' went");
		return;
	}
	for (i = 0; i < sizeof(never) / sizeof(never[0]); i++)
		if (conf_there(ws, P(never[i])) != 0) {
			conf_fail(check, "'%s' was made", never[i]);
			return;
		}
	conf_pass(check);
}

/* Every operation with call; each must fail with want. */
static void expired_everywhere(wsp_workspace *ws, const wsp_call *call,
			       const char *prefix, int want)
{
	char check[64];
	wsp_error err;
	int op, rc;

	for (op = 0; op < OP_COUNT; op++) {
		memset(&err, 0, sizeof(err));
		snprintf(check, sizeof(check), "fs.%s-%s", prefix,
			 op_names[op]);
		rc = run_op(ws, call, (enum op)op, &err);
		if (rc == want)
			conf_pass(check);
		else if (rc)
			conf_fail(check, "got %s, want %s: %s",
				  conf_errname(rc), conf_errname(want),
				  err.message);
		else
			conf_fail(check, "succeeded, want %s",
				  conf_errname(want));
	}
	snprintf(check, sizeof(check), "fs.%s-nothing-changed", prefix);
	expect_untouched(ws, check);
}

/* A sink, callback or source that fires the call's token when called. */
struct firing {
	wsp_cancel *cancel;
	int calls;
	int given; /* the source: bytes handed out so far */
};

static int fire_sink(const void *data, size_t len, void *payload)
{
	struct firing *f = payload;

	(void)data, (void)len;
	f->calls++;
	wsp_cancel_fire(f->cancel);
	return 0;
}

static int fire_entry(const wsp_fs_entry *e, void *payload)
{
	(void)e;
	return fire_sink(NULL, 0, payload);
}

/* Gives 4 KiB, firing the token on the first call; then the end. */
static int fire_source(void *buf, size_t cap, size_t *out_n, void *payload)
{
	struct firing *f = payload;
	size_t n = cap < 4096 ? cap : 4096;

	f->calls++;
	wsp_cancel_fire(f->cancel);
	if (f->given) {
		*out_n = 0;
		return 0;
	}
	memset(buf, 'x', n);
	f->given = (int)n;
	*out_n = n;
	return 0;
}

/* Fresh token and call for one check; 0, or the check fails. */
static int fresh_call(wsp_call *call, struct firing *f, const char *check)
{
	wsp_error err = {0};

	memset(f, 0, sizeof(*f));
	if (wsp_cancel_new(&f->cancel, &err)) {
		conf_fail(check, "cannot make a token: %s", err.message);
		return -1;
	}
	memset(call, 0, sizeof(*call));
	call->struct_size = sizeof(*call);
	call->cancel = f->cancel;
	return 0;
}

static void fired_midway(wsp_workspace *ws)
{
	wsp_fs_list_opts lo = WSP_FS_LIST_OPTS_INIT;
	struct firing f;
	char pbuf[256];
	wsp_call call;
	wsp_error err;
	int rc;

	if (!fresh_call(&call, &f, "fs.call-fired-by-sink")) {
		memset(&err, 0, sizeof(err));
		rc = wsp_files_read(ws, &call, P("range.txt"), NULL, fire_sink,
				    &f, &err);
		if (conf_expect("fs.call-fired-by-sink", rc, WSP_ECANCELED,
				&err) &&
		    f.calls != 1)
			conf_fail("fs.call-fired-by-sink",
				  "the sink was called %d times", f.calls);
		wsp_cancel_free(f.cancel);
	}
	if (!fresh_call(&call, &f, "fs.call-fired-by-list-callback")) {
		memset(&err, 0, sizeof(err));
		lo.flags = WSP_FS_RECURSIVE;
		rc = wsp_files_list(ws, &call, conf_fs_root, &lo, fire_entry,
				    &f, &err);
		if (conf_expect("fs.call-fired-by-list-callback", rc,
				WSP_ECANCELED, &err) &&
		    f.calls != 1)
			conf_fail("fs.call-fired-by-list-callback",
				  "the callback was called %d times", f.calls);
		wsp_cancel_free(f.cancel);
	}
	if (!fresh_call(&call, &f, "fs.call-fired-by-source")) {
		memset(&err, 0, sizeof(err));
		rc = wsp_files_write(NULL, ws, &call, P("fired.txt"), NULL,
				     fire_source, &f, &err);
		conf_expect("fs.call-fired-by-source", rc, WSP_ECANCELED, &err);
		if (conf_there(ws, P("fired.txt")) != 0)
			conf_fail("fs.call-fired-by-source-nothing",
				  "the file was made");
		else
			conf_pass("fs.call-fired-by-source-nothing");
		wsp_cancel_free(f.cancel);
	}
}

void conf_fs_run_call(struct conf *c)
{
	wsp_error err = {0};
	wsp_cancel *cancel = NULL;
	wsp_call call = {.struct_size = sizeof(call)};

	if (wsp_cancel_new(&cancel, &err)) {
		conf_fail("fs.call", "cannot make a token: %s", err.message);
		return;
	}
	wsp_cancel_fire(cancel);
	call.cancel = cancel;
	expired_everywhere(c->ws, &call, "call-canceled", WSP_ECANCELED);
	wsp_cancel_free(cancel);

	/* 1 ms after the monotonic clock's start: long past. */
	call.cancel = NULL;
	call.deadline_ms = 1;
	expired_everywhere(c->ws, &call, "call-deadline", WSP_ETIMEDOUT);

	fired_midway(c->ws);
}
