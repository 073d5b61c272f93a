/*
 * wsp/mcp.h - embedding API: serve a tool set over the Model Context
 * Protocol (JSON-RPC 2.0, one message per line), as `wsp mcp` does on
 * stdio.
 *
 * Protocol versions 2024-11-05, 2025-03-26 and 2025-06-18: initialize
 * answers the client's version when it is one of these, else the newest.
 * Methods: initialize, ping, tools/list, tools/call; notifications
 * initialized and cancelled. tools/call runs on a worker thread, so
 * several calls are in flight at once and answers may come out of order;
 * with a progressToken, command output streams as notifications/progress
 * (the text in `message`); notifications/cancelled fires the call's cancel
 * token, which stops its command. A tool that requires approval is put to
 * the user through elicitation/create when the client declared the
 * elicitation capability, and refused otherwise.
 *
 * Malformed input never ends the session: a line that is not JSON gets
 * -32700, a message that is not a request -32600, an unknown method
 * -32601, bad parameters -32602; a line over the size bound is skipped
 * and answered with -32700.
 */
#ifndef WSP_MCP_H
#define WSP_MCP_H

#include <wsp/common.h>
#include <wsp/tools.h>

#ifdef __cplusplus
extern "C" {
#endif

/* wsp_mcp_opts.flags */
#define WSP_MCP_KILL_BACKGROUND (1u << 0) /* at the end, kill what it started  \
					   */

typedef struct wsp_mcp_opts {
	uint32_t struct_size;
	uint32_t flags;		/* WSP_MCP_* */
	int in_fd;		/* messages from the client (stdin: 0) */
	int out_fd;		/* messages to the client (stdout: 1) */
	size_t max_message;	/* bytes per line; 0 = 4 MiB */
	uint32_t max_in_flight; /* concurrent tools/call; 0 = 32 */
	uint32_t reserved;
	const char *instructions; /* initialize's text; NULL = none */
	/* Fired (e.g. from a SIGTERM handler): stop serving. NULL = never. */
	const wsp_cancel *stop;
} wsp_mcp_opts;

#define WSP_MCP_OPTS_INIT                                                      \
	{                                                                      \
		sizeof(wsp_mcp_opts), 0, 0, 1, 0, 0, 0, NULL, NULL             \
	}

/*
 * Deprecated since wsp 0.5.0: the spelling before every options struct
 * was wsp_*_opts. Kept so that code written for 0.3 and 0.4 still
 * compiles (same type, same layout: nothing changes for binaries); define
 * WSP_NO_DEPRECATED to make sure a program no longer uses it. It goes with
 * the next major.
 */
#ifndef WSP_NO_DEPRECATED
typedef wsp_mcp_opts wsp_mcp_options;
#define WSP_MCP_OPTIONS_INIT WSP_MCP_OPTS_INIT
#endif

/*
 * Serve tools until the input ends or opts->stop fires. Calls still
 * running then are canceled (their foreground commands killed) and
 * waited for; background processes keep running unless
 * WSP_MCP_KILL_BACKGROUND is set. Returns 0, or a
 * negative code when the input or output failed (err says which).
 */
WSP_EXTERN int wsp_mcp_serve(wsp_tools *tools, const wsp_mcp_opts *opts,
			     wsp_error *err);

#ifdef __cplusplus
}
#endif
#endif /* WSP_MCP_H */
