/*
 * toolkit/tools_backend.h - file reads and writes shaped for the tools (a
 * bounded whole-file read; a write guarded by the tools' version token).
 * The tools reach everything else through the public embedding API.
 */
#ifndef WSP_CORE_TOOLS_BACKEND_H
#define WSP_CORE_TOOLS_BACKEND_H

#include "tools_impl.h"

/* The whole file into b; WSP_ETOOBIG past max bytes. */
WSP_INTERNAL int wsp__tb_read(struct wsp__tbuf *b, wsp_workspace *ws,
			      const wsp_call *call, const char *path,
			      uint64_t max, wsp_error *err);
/* Write data (atomically); expected_version NULL = no check. */
WSP_INTERNAL int wsp__tb_write(wsp_fs_stat *out, wsp_workspace *ws,
			       const wsp_call *call, const char *path,
			       const void *data, size_t len, uint32_t flags,
			       const char *expected_version, wsp_error *err);

#endif /* WSP_CORE_TOOLS_BACKEND_H */
