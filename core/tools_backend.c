/*
 * core/tools_backend.c - the tools' way to the workspace's providers.
 *
 * Sandbox: foreground commands through the exec API (<wsp/exec.h>),
 * background processes through the process-manager slots. Files: the
 * mount table's file API (<wsp/files.h>).
 */
#include "tools_backend.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static int sandbox(wsp__instance **out, wsp_workspace *ws, wsp_error *err)
{
	return wsp__workspace_sandbox(out, ws, err);
}

static int procmgr(wsp__instance **out, wsp_workspace *ws, wsp_error *err)
{
	int rc = sandbox(out, ws, err);

	if (rc)
		return rc;
	if (!(*out)->prov->has_procmgr)
		return wsp_error_set(err, WSP_ENOTSUP,
				     "sandbox '%s' cannot run background "
				     "processes",
				     (*out)->id ? (*out)->id : "default");
	return 0;
}

int wsp__tb_exec(wsp_exec_result *res, wsp_workspace *ws,
		 const wsp_exec_opts *opts, wsp_error *err)
{
	return wsp_sandbox_exec(res, ws, opts, err);
}

void wsp__tb_exec_release(wsp_workspace *ws, wsp_exec_result *res)
{
	wsp_exec_result_release(ws, res);
}

int wsp__tb_spawn(char id[WSP_PROC_ID_MAX], wsp_workspace *ws,
		  const wsp_spawn_opts *opts, wsp_error *err)
{
	wsp__instance *sb;
	int rc = procmgr(&sb, ws, err);

	return rc ? rc : sb->prov->procmgr.spawn(id, sb->self, opts, err);
}

int wsp__tb_status(wsp_proc_status *out, wsp_workspace *ws, const char *id,
		   wsp_error *err)
{
	wsp__instance *sb;
	int rc = procmgr(&sb, ws, err);

	return rc ? rc : sb->prov->procmgr.status(out, sb->self, id, err);
}

int wsp__tb_read_output(wsp_proc_status *out, wsp_workspace *ws, const char *id,
			const wsp_output_opts *opts, wsp_output_fn sink,
			void *payload, wsp_error *err)
{
	wsp__instance *sb;
	int rc = procmgr(&sb, ws, err);

	return rc ? rc
		  : sb->prov->procmgr.read_output(out, sb->self, id, opts, sink,
						  payload, err);
}

int wsp__tb_signal(wsp_workspace *ws, const char *id, int sig, wsp_error *err)
{
	wsp__instance *sb;
	int rc = procmgr(&sb, ws, err);

	return rc ? rc : sb->prov->procmgr.signal(sb->self, id, sig, err);
}

int wsp__tb_wait(wsp_proc_status *out, wsp_workspace *ws, const char *id,
		 int64_t timeout_ms, const wsp_cancel *cancel, wsp_error *err)
{
	wsp__instance *sb;
	wsp_output_opts oo = WSP_OUTPUT_OPTS_INIT;
	int rc = procmgr(&sb, ws, err);

	if (rc)
		return rc;
	if (sb->prov->procmgr.wait)
		return sb->prov->procmgr.wait(out, sb->self, id, timeout_ms,
					      cancel, err);
	/* no wait slot: read nothing, waiting for exit first */
	oo.wait_ms = timeout_ms;
	oo.tail_bytes = 1;
	oo.cancel = cancel;
	return sb->prov->procmgr.read_output(out, sb->self, id, &oo, NULL, NULL,
					     err);
}

int wsp__tb_release(wsp_workspace *ws, const char *id, wsp_error *err)
{
	wsp__instance *sb;
	int rc = procmgr(&sb, ws, err);

	return rc ? rc : sb->prov->procmgr.release(sb->self, id, err);
}

/* ---- files ------------------------------------------------------------ */

int wsp__tb_have_files(void)
{
	return 1;
}

int wsp__tb_stat(wsp_fs_stat *out, wsp_workspace *ws, const char *path,
		 uint32_t flags, wsp_error *err)
{
	return wsp_files_stat(out, ws, path, flags, err);
}

struct reader {
	struct wsp__tbuf *b;
	uint64_t max;
};

static int collect(const void *data, size_t len, void *payload)
{
	struct reader *r = payload;

	if (r->b->len + len > r->max)
		return WSP_ETOOBIG;
	wsp__tbuf_add(r->b, data, len);
	return r->b->oom ? WSP_ENOMEM : 0;
}

int wsp__tb_read(struct wsp__tbuf *b, wsp_workspace *ws, const char *path,
		 uint64_t max, const wsp_cancel *cancel, wsp_error *err)
{
	wsp_fs_read_opts ro = WSP_FS_READ_OPTS_INIT;
	struct reader r = {b, max};
	int rc;

	ro.cancel = cancel;
	rc = wsp_files_read(ws, path, &ro, collect, &r, err);
	if (rc == WSP_ETOOBIG)
		return wsp_error_set(err, rc,
				     "'%s' is larger than %llu bytes, the most "
				     "a tool reads",
				     path, (unsigned long long)max);
	if (rc == WSP_ENOMEM)
		return wsp_error_set(err, rc, "out of memory");
	if (!rc && !b->p)
		wsp__tbuf_add(b, "", 0);
	return rc;
}

int wsp__tb_write(wsp_fs_stat *out, wsp_workspace *ws, const char *path,
		  const void *data, size_t len, uint32_t flags,
		  const char *expected, const wsp_cancel *cancel,
		  wsp_error *err)
{
	wsp_fs_write_opts wo = WSP_FS_WRITE_OPTS_INIT;

	wo.flags = flags;
	wo.cancel = cancel;
	wo.size_hint = (int64_t)len;
	/* the tools' version tokens: "v:<version>" or "m:<mtime ns>" */
	if (expected && !strncmp(expected, "v:", 2))
		wo.expected_version = expected + 2;
	else if (expected && !strncmp(expected, "m:", 2))
		wo.expected_mtime_ns = strtoll(expected + 2, NULL, 10);
	return wsp_files_write_buf(out, ws, path, &wo, data, len, err);
}

int wsp__tb_list(wsp_workspace *ws, const char *path,
		 const wsp_fs_list_opts *opts, wsp_fs_entry_fn cb,
		 void *payload, wsp_error *err)
{
	return wsp_files_list(ws, path, opts, cb, payload, err);
}

int wsp__tb_mkdir(wsp_workspace *ws, const char *path, uint32_t flags,
		  wsp_error *err)
{
	return wsp_files_mkdir(ws, path, flags, err);
}

int wsp__tb_remove(wsp_workspace *ws, const char *path, uint32_t flags,
		   wsp_error *err)
{
	return wsp_files_remove(ws, path, flags, err);
}

int wsp__tb_rmdir(wsp_workspace *ws, const char *path, uint32_t flags,
		  wsp_error *err)
{
	return wsp_files_rmdir(ws, path, flags, err);
}
