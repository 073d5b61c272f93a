/*
 * toolkit/lsp.h - language servers for the tool layer (docs/lsp.md): the
 * diagnostics appended to write_file and edit_file results, and
 * lsp_inspect's hover, definition and references (never installed).
 */
#ifndef WSP_CORE_LSP_H
#define WSP_CORE_LSP_H

#include "tools_impl.h"

struct wsp__lsp;

/* The servers of a tool set (none run yet); NULL without an lsp: section
 * or out of memory. */
WSP_INTERNAL struct wsp__lsp *wsp__lsp_new(wsp_workspace *ws);
/* Shut every server down and release its process. */
WSP_INTERNAL void wsp__lsp_free(struct wsp__lsp *l);

/*
 * Append the diagnostics of workspace file path, whose text is now text,
 * as Mastra does ("\n\nLSP Diagnostics:\nErrors:\n  3:5 - ... [clangd]"),
 * at most max_diagnostic_chars. Nothing when no server takes the file,
 * none are reported, or the server fails or is late: a write's result
 * never depends on the server.
 */
WSP_INTERNAL void wsp__lsp_diagnostics(struct wsp__lsp *l,
				       struct wsp__tool_ctx *c,
				       const char *path, const char *text);

/* lsp_inspect: the result (JSON text) or an error into c. */
WSP_INTERNAL int wsp__lsp_inspect(struct wsp__lsp *l, struct wsp__tool_ctx *c,
				  const char *path, int64_t line,
				  const char *match);

#endif /* WSP_CORE_LSP_H */
