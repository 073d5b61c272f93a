/*
 * toolkit/lsp_impl.h - what the LSP modules share (never installed).
 *
 * lsp_frame.c   Content-Length framing (the parser; fuzzed)
 * lsp_client.c  one language server: a background process of the sandbox,
 *               JSON-RPC over its stdin and stdout, documents, waits
 * lsp.c         the servers of a tool set: which server for a file, lazy
 *               start, restart, diagnostics text, inspect
 * tool_lsp.c    the lsp_inspect tool
 */
#ifndef WSP_CORE_LSP_IMPL_H
#define WSP_CORE_LSP_IMPL_H

#include "config.h"
#include "lsp_frame.h"
#include "tools_impl.h"

#include <cjson/cJSON.h>

/* A message larger than this ends the server (a protocol error). */
#define WSP__LSP_MAX_BODY (8u << 20)

struct wsp__lsp_doc {
	char *uri;
	int version;
};

struct wsp__lsp_server {
	const struct wsp__lsp_server_cfg *cfg;
	char *root_ws;		  /* workspace path of the root ("/") */
	char *root_host;	  /* where the sandbox sees it */
	char id[WSP_PROC_ID_MAX]; /* background process, "" when none */
	uint64_t out_off;	  /* stdout read so far */
	struct wsp__lsp_frame fr;
	int next_id;
	struct wsp__lsp_doc *docs;
	size_t n_docs;
	int inited;
};

/*
 * Start srv (spawn + initialize) unless it runs; a server that died is
 * released and started again. 0, or a wsp_errcode with why.
 */
WSP_INTERNAL int wsp__lsp_server_ensure(struct wsp__lsp_server *srv,
					wsp_workspace *ws,
					const wsp_cancel *cancel,
					int64_t init_timeout_ms, char *why,
					size_t why_cap);
/* Ask it to shut down, then release the process. */
WSP_INTERNAL void wsp__lsp_server_stop(struct wsp__lsp_server *srv,
				       wsp_workspace *ws);
/* Kill and forget the process (it misbehaved): the next use restarts. */
WSP_INTERNAL void wsp__lsp_server_drop(struct wsp__lsp_server *srv,
				       wsp_workspace *ws);

/*
 * Open the document (or send its new text) and return its version. The
 * server's messages already received are handled first, so a stale
 * publication is not taken for this version's.
 */
WSP_INTERNAL int wsp__lsp_server_sync(struct wsp__lsp_server *srv,
				      wsp_workspace *ws, const wsp_call *call,
				      const char *uri, const char *language_id,
				      const char *text, size_t len,
				      int *version, char *why, size_t why_cap);

/*
 * Wait until call's deadline for the diagnostics of uri published after
 * the last sync (*out: the diagnostics array, owned by the caller).
 */
WSP_INTERNAL int
wsp__lsp_server_diagnostics(struct wsp__lsp_server *srv, wsp_workspace *ws,
			    const wsp_call *call, const char *uri, int version,
			    cJSON **out, char *why, size_t why_cap);

/*
 * A request and its result (*out, owned by the caller; JSON null when the
 * server had none). params is consumed.
 */
WSP_INTERNAL int
wsp__lsp_server_request(struct wsp__lsp_server *srv, wsp_workspace *ws,
			const wsp_call *call, const char *method, cJSON *params,
			cJSON **out, char *why, size_t why_cap);

/* file:// URI of a host path (percent-encoded), malloc'd or NULL. */
WSP_INTERNAL char *wsp__lsp_uri(const char *host_path);
/* The host path of a file:// URI (malloc'd), or NULL for another one. */
WSP_INTERNAL char *wsp__lsp_uri_path(const char *uri);

#endif /* WSP_CORE_LSP_IMPL_H */
