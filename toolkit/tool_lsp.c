/*
 * toolkit/tool_lsp.c - lsp_inspect: hover, definition and references at a
 * `<<<` cursor marker, from the file's language server (lsp.c). Exists
 * only with an lsp: section and a sandbox that keeps background
 * processes, where the servers run.
 */
#include "lsp.h"
#include "tool_schemas.h"

static int lsp_inspect(struct wsp__tool_ctx *c)
{
	const char *path = wsp__arg_str(c, "path", "");
	const char *match = wsp__arg_str(c, "match", "");
	int64_t line;

	if (wsp__arg_int(c, "line", 1, 1, 100000000, &line))
		return 0;
	return wsp__lsp_inspect(wsp__tools_lsp(c->set), c, path, line, match);
}

const struct wsp__tool_def wsp__tool_lsp_inspect = {
	.name = "lsp_inspect",
	.description =
		"Inspect code at a specific position using the Language "
		"Server Protocol. Provide the file path, line number, and a "
		"line with <<< marking the cursor position. Returns hover "
		"information (types, documentation) and definition and "
		"reference locations. Use this to understand what a symbol "
		"is, its type, or where it is defined and used.",
	.schema = wsp__schema_lsp_inspect,
	.flags = WSP__TOOL_NEEDS_FS | WSP__TOOL_NEEDS_PROCS |
		 WSP__TOOL_NEEDS_LSP,
	.numeric_text_arg = "line",
	.run = lsp_inspect,
};
