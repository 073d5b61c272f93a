/*
 * core/tools_backend.h - what the tools need from the workspace, in one
 * place: the sandbox (foreground commands, background processes) and the
 * files (through the mount table). Each function routes to the workspace's
 * providers and fills the caller's wsp_error on failure.
 */
#ifndef WSP_CORE_TOOLS_BACKEND_H
#define WSP_CORE_TOOLS_BACKEND_H

#include "tools_impl.h"

/* ---- sandbox ---------------------------------------------------------- */

/* Run a command to completion; release res with wsp__tb_exec_release. */
WSP_INTERNAL int wsp__tb_exec(wsp_exec_result *res, wsp_workspace *ws,
			      const wsp_exec_opts *opts, wsp_error *err);
WSP_INTERNAL void wsp__tb_exec_release(wsp_workspace *ws, wsp_exec_result *res);

WSP_INTERNAL int wsp__tb_spawn(char id[WSP_PROC_ID_MAX], wsp_workspace *ws,
			       const wsp_spawn_opts *opts, wsp_error *err);
WSP_INTERNAL int wsp__tb_status(wsp_proc_status *out, wsp_workspace *ws,
				const char *id, wsp_error *err);
WSP_INTERNAL int wsp__tb_read_output(wsp_proc_status *out, wsp_workspace *ws,
				     const char *id,
				     const wsp_output_opts *opts,
				     wsp_output_fn sink, void *payload,
				     wsp_error *err);
WSP_INTERNAL int wsp__tb_signal(wsp_workspace *ws, const char *id, int sig,
				wsp_error *err);
WSP_INTERNAL int wsp__tb_wait(wsp_proc_status *out, wsp_workspace *ws,
			      const char *id, int64_t timeout_ms,
			      const wsp_cancel *cancel, wsp_error *err);
WSP_INTERNAL int wsp__tb_release(wsp_workspace *ws, const char *id,
				 wsp_error *err);

/* ---- files ------------------------------------------------------------ */

/* Whether the file tools can work in this build (the file API is in). */
WSP_INTERNAL int wsp__tb_have_files(void);

WSP_INTERNAL int wsp__tb_stat(wsp_fs_stat *out, wsp_workspace *ws,
			      const char *path, uint32_t flags, wsp_error *err);
/* The whole file into b; WSP_ETOOBIG past max bytes. */
WSP_INTERNAL int wsp__tb_read(struct wsp__tbuf *b, wsp_workspace *ws,
			      const char *path, uint64_t max,
			      const wsp_cancel *cancel, wsp_error *err);
/* Write data (atomically); expected_version NULL = no check. */
WSP_INTERNAL int wsp__tb_write(wsp_fs_stat *out, wsp_workspace *ws,
			       const char *path, const void *data, size_t len,
			       uint32_t flags, const char *expected_version,
			       const wsp_cancel *cancel, wsp_error *err);
/* Entries below path (recursively with WSP_FS_RECURSIVE), one pass. */
WSP_INTERNAL int wsp__tb_list(wsp_workspace *ws, const char *path,
			      const wsp_fs_list_opts *opts, wsp_fs_entry_fn cb,
			      void *payload, wsp_error *err);
WSP_INTERNAL int wsp__tb_mkdir(wsp_workspace *ws, const char *path,
			       uint32_t flags, wsp_error *err);
WSP_INTERNAL int wsp__tb_remove(wsp_workspace *ws, const char *path,
				uint32_t flags, wsp_error *err);
WSP_INTERNAL int wsp__tb_rmdir(wsp_workspace *ws, const char *path,
			       uint32_t flags, wsp_error *err);

#endif /* WSP_CORE_TOOLS_BACKEND_H */
