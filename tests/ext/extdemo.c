/*
 * tests/ext/extdemo.c - a provider whose extension operations exercise
 * every argument type of the signature language. Built three times: as
 * the sandbox wsp-sandbox-extdemo.so; with EXT_FS as the filesystem
 * wsp-fs-extfs.so (to call operations of a mount); and with
 * EXT_BAD_SIGNATURE as wsp-sandbox-extbad.so, which the core must refuse;
 * and with EXT_PROCS as wsp-sandbox-extprocs.so, a sandbox whose
 * descriptor offers a process manager (so the tool layer lists the
 * process tools) that keeps no processes.
 *
 * Its commands are not run: exec answers "extdemo ran: COMMAND", so a
 * test can make the tool layer's first command start the sandbox.
 *
 * When $WSP_EXTDEMO_INIT_LOG names a file, every init appends its
 * instance id there, so a test can tell whether an instance was started.
 */
#include <wsp/plugin.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef EXT_NAME
#define EXT_NAME "extdemo"
#endif

struct demo {
	const wsp_host *host;
	int64_t counter;
	char id[64];
};

/* A result string allocated with host->alloc, as the ABI requires. */
static int give(char **result, struct demo *d, const char *text)
{
	size_t n = strlen(text) + 1;

	*result = d->host->alloc(d->host, n);
	if (!*result)
		return WSP_ENOMEM;
	memcpy(*result, text, n);
	return 0;
}

/* r:s  echo TEXT */
static int op_echo(char **result, void *self, const char *text,
		   wsp_error *err)
{
	(void)err;
	return give(result, self, text);
}

/* r:isdb  mix N TEXT X FLAG: every type, ints and doubles interleaved */
static int op_mix(char **result, void *self, int64_t n, const char *text,
		  double x, int flag, wsp_error *err)
{
	char buf[256];

	(void)err;
	snprintf(buf, sizeof(buf), "n=%" PRId64 " text=%s x=%.3f flag=%d", n,
		 text, x, flag);
	return give(result, self, buf);
}

/* r:iiiiiiiid  sum A..H SCALE: more arguments than registers */
static int op_sum(char **result, void *self, int64_t a, int64_t b, int64_t c,
		  int64_t d, int64_t e, int64_t f, int64_t g, int64_t h,
		  double scale, wsp_error *err)
{
	char buf[64];

	(void)err;
	snprintf(buf, sizeof(buf), "%.1f",
		 (double)(a + b + c + d + e + f + g + h) * scale);
	return give(result, self, buf);
}

/* i  bump BY: no result, state kept in the instance */
static int op_bump(void *self, int64_t by, wsp_error *err)
{
	struct demo *d = self;

	if (by < 0)
		return wsp_error_set(err, WSP_EINVAL,
				     "bump: '%" PRId64 "' is negative; "
				     "give a count of zero or more", by);
	d->counter += by;
	return 0;
}

/* r:  count: the instance's counter and id */
static int op_count(char **result, void *self, wsp_error *err)
{
	struct demo *d = self;
	char buf[128];

	(void)err;
	snprintf(buf, sizeof(buf), "%s:%" PRId64, d->id, d->counter);
	return give(result, self, buf);
}

#ifdef EXT_FS
/* r:si  tag: help without argument names (the tool layer says arg1..) */
static int op_tag(char **result, void *self, const char *label, int64_t n,
		  wsp_error *err)
{
	char buf[128];

	(void)err;
	snprintf(buf, sizeof(buf), "%s#%" PRId64, label, n);
	return give(result, self, buf);
}
#endif

/* (none)  fail: an operation failing without a message */
static int op_fail(void *self, wsp_error *err)
{
	(void)self;
	(void)err;
	return WSP_EUNAVAIL;
}

static const wsp_ext_op demo_ops[] = {
	{ sizeof(wsp_ext_op), 0, "echo", "r:s", (wsp_ext_fn)op_echo,
	  "TEXT: print TEXT back" },
	{ sizeof(wsp_ext_op), 0, "mix", "r:isdb", (wsp_ext_fn)op_mix,
	  "N TEXT X FLAG" },
	{ sizeof(wsp_ext_op), 0, "sum", "r:iiiiiiiid", (wsp_ext_fn)op_sum,
	  "A B C D E F G H SCALE" },
	{ sizeof(wsp_ext_op), 0, "bump", "i", (wsp_ext_fn)op_bump, "BY" },
	{ sizeof(wsp_ext_op), 0, "count", "r:", (wsp_ext_fn)op_count, "" },
	{ sizeof(wsp_ext_op), 0, "fail", "", (wsp_ext_fn)op_fail, "" },
#ifdef EXT_FS
	{ sizeof(wsp_ext_op), 0, "tag", "r:si", (wsp_ext_fn)op_tag,
	  "label something with a number" },
#endif
#ifdef EXT_BAD_SIGNATURE
	{ sizeof(wsp_ext_op), 0, "broken", "r:sx", (wsp_ext_fn)op_echo,
	  "TEXT" },
#endif
	WSP_EXT_END
};

static int demo_init(void **out, const wsp_host *host,
		     const wsp_instance_args *args, wsp_error *err)
{
	struct demo *d = host->alloc(host, sizeof(*d));
	const char *log = getenv("WSP_EXTDEMO_INIT_LOG");
	FILE *f;

	if (log && *log && (f = fopen(log, "a"))) {
		fprintf(f, "%s\n", args->instance_id ? args->instance_id : "");
		fclose(f);
	}
	if (!d)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	memset(d, 0, sizeof(*d));
	d->host = host;
	snprintf(d->id, sizeof(d->id), "%s",
		 args->instance_id ? args->instance_id : "");
	*out = d;
	return 0;
}

static void demo_fini(void *self)
{
	struct demo *d = self;

	if (d)
		d->host->free(d->host, d);
}

#ifdef EXT_FS
/* A filesystem with nothing in it: only its extension operations matter. */
static int fs_stat(wsp_fs_stat *out, void *self, const wsp_call *call,
		   const char *path, uint32_t flags, wsp_error *err)
{
	(void)call;
	(void)out;
	(void)self;
	(void)flags;
	return wsp_error_set(err, WSP_ENOTFOUND, "no '%s'", path);
}

static int fs_read(void *self, const wsp_call *call, const char *path,
		   const wsp_fs_read_opts *opts, wsp_sink_fn sink,
		   void *payload, wsp_error *err)
{
	(void)call;
	(void)self;
	(void)opts;
	(void)sink;
	(void)payload;
	return wsp_error_set(err, WSP_ENOTFOUND, "no '%s'", path);
}

static int fs_write(wsp_fs_stat *out, void *self, const wsp_call *call,
		    const char *path, const wsp_fs_write_opts *opts,
		    wsp_source_fn source, void *payload, wsp_error *err)
{
	(void)call;
	(void)out;
	(void)self;
	(void)opts;
	(void)source;
	(void)payload;
	return wsp_error_set(err, WSP_EROFS, "cannot write '%s'", path);
}

static int fs_list(void *self, const wsp_call *call, const char *path,
		   const wsp_fs_list_opts *opts, wsp_fs_entry_fn cb,
		   void *payload, wsp_error *err)
{
	(void)call;
	(void)self;
	(void)path;
	(void)opts;
	(void)cb;
	(void)payload;
	(void)err;
	return 0;
}

static int fs_change(void *self, const wsp_call *call, const char *path,
		     uint32_t flags, wsp_error *err)
{
	(void)call;
	(void)self;
	(void)flags;
	return wsp_error_set(err, WSP_EROFS, "cannot change '%s'", path);
}

static const wsp_fs_vtable demo_fs = {
	.struct_size = sizeof(wsp_fs_vtable),
	.stat = fs_stat,
	.read = fs_read,
	.write = fs_write,
	.list = fs_list,
	.mkdir = fs_change,
	.remove = fs_change,
	.rmdir = fs_change,
};

WSP_PLUGIN_DEFINE(WSP_KIND_FS, EXT_NAME, "0.1.0",
		  "extension operation fixture", 0, NULL, demo_init, demo_fini,
		  &demo_fs, NULL, NULL, demo_ops)
#else
/* Text allocated with host->alloc, as a result's capture must be. */
static char *host_text(const wsp_host *host, const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	char *p = host->alloc(host, na + nb + 2);

	if (!p)
		return NULL;
	memcpy(p, a, na);
	memcpy(p + na, b, nb);
	p[na + nb] = '\n';
	p[na + nb + 1] = '\0';
	return p;
}

static int demo_exec(wsp_exec_result *out, void *self, const wsp_call *call,
		     const wsp_exec_opts *opts, wsp_error *err)
{
	struct demo *d = self;

	(void)call; /* nothing runs, nothing to stop */
	if (!opts->shell)
		return wsp_error_set(err, WSP_ENOTSUP,
				     "extdemo takes shell commands only");
	out->stdout_data = host_text(d->host, "extdemo ran: ", opts->shell);
	if (!out->stdout_data)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	out->stdout_len = strlen(out->stdout_data);
	out->exit_code = 0;
	return 0;
}

static const wsp_sandbox_vtable demo_sandbox = {
	.struct_size = sizeof(wsp_sandbox_vtable),
	.exec = demo_exec,
};

#ifdef EXT_PROCS
/* A process manager that never has a process: spawn is refused. */
static int procs_spawn(char out_id[WSP_PROC_ID_MAX], void *self,
		       const wsp_call *call, const wsp_spawn_opts *opts,
		       wsp_error *err)
{
	(void)out_id;
	(void)self;
	(void)call;
	(void)opts;
	return wsp_error_set(err, WSP_ENOTSUP, "extprocs keeps no processes");
}

static int procs_list(void *self, const wsp_call *call, uint32_t flags,
		      wsp_proc_fn cb, void *payload, wsp_error *err)
{
	(void)self;
	(void)call;
	(void)flags;
	(void)cb;
	(void)payload;
	(void)err;
	return 0;
}

static int procs_status(wsp_proc_status *out, void *self,
			const wsp_call *call, const char *id, uint32_t flags,
			wsp_error *err)
{
	(void)out;
	(void)self;
	(void)call;
	(void)flags;
	return wsp_error_set(err, WSP_ENOTFOUND, "no process '%s'", id);
}

static int procs_read(wsp_proc_status *out, void *self, const wsp_call *call,
		      const char *id, const wsp_output_opts *opts,
		      wsp_output_fn sink, void *payload, wsp_error *err)
{
	(void)out;
	(void)self;
	(void)call;
	(void)opts;
	(void)sink;
	(void)payload;
	return wsp_error_set(err, WSP_ENOTFOUND, "no process '%s'", id);
}

static int procs_signal(void *self, const wsp_call *call, const char *id,
			int signum, uint32_t flags, wsp_error *err)
{
	(void)self;
	(void)call;
	(void)signum;
	(void)flags;
	return wsp_error_set(err, WSP_ENOTFOUND, "no process '%s'", id);
}

static int procs_release(void *self, const wsp_call *call, const char *id,
			 uint32_t flags, wsp_error *err)
{
	(void)self;
	(void)call;
	(void)flags;
	return wsp_error_set(err, WSP_ENOTFOUND, "no process '%s'", id);
}

static const wsp_procmgr_vtable demo_procs = {
	.struct_size = sizeof(wsp_procmgr_vtable),
	.spawn = procs_spawn,
	.list = procs_list,
	.status = procs_status,
	.read_output = procs_read,
	.signal = procs_signal,
	.release = procs_release,
};
#define DEMO_PROCS &demo_procs
#define DEMO_CAPS  WSP_CAP_PROC_BACKGROUND
#else
#define DEMO_PROCS NULL
#define DEMO_CAPS  0
#endif

WSP_PLUGIN_DEFINE(WSP_KIND_SANDBOX, EXT_NAME, "0.1.0",
		  "extension operation fixture", DEMO_CAPS, NULL, demo_init,
		  demo_fini, NULL, &demo_sandbox, DEMO_PROCS, demo_ops)
#endif
