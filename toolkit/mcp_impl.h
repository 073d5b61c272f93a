/*
 * toolkit/mcp_impl.h - the MCP server's modules (never installed).
 *
 * mcp_msg.c     parse one JSON-RPC line, build answers (the fuzzed part)
 * mcp_server.c  the loop: read lines, dispatch, workers, shutdown
 */
#ifndef WSP_TOOLKIT_MCP_IMPL_H
#define WSP_TOOLKIT_MCP_IMPL_H

#include "internal.h"
#include "utf8.h"

#include <cjson/cJSON.h>

/* JSON-RPC error codes */
#define WSP__RPC_PARSE_ERROR	  (-32700)
#define WSP__RPC_INVALID_REQUEST  (-32600)
#define WSP__RPC_METHOD_NOT_FOUND (-32601)
#define WSP__RPC_INVALID_PARAMS	  (-32602)
#define WSP__RPC_INTERNAL_ERROR	  (-32603)

enum wsp__mcp_kind {
	WSP__MCP_INVALID = 0,  /* error_code and error say why */
	WSP__MCP_REQUEST,      /* method, id, params */
	WSP__MCP_NOTIFICATION, /* method, params */
	WSP__MCP_RESPONSE      /* id, result or error (from the client) */
};

struct wsp__mcp_msg {
	int kind;    /* wsp__mcp_kind */
	cJSON *root; /* owns everything below */
	const char *method;
	const cJSON *id;     /* string or number; NULL if absent/invalid */
	const cJSON *params; /* object or NULL */
	const cJSON *result;
	const cJSON *error;
	int error_code; /* for WSP__MCP_INVALID */
	const char *error_text;
};

/*
 * Parse one line (not NUL-terminated, any bytes). Always fills msg; the
 * caller releases it with wsp__mcp_msg_free.
 */
WSP_INTERNAL void wsp__mcp_parse(struct wsp__mcp_msg *msg, const char *line,
				 size_t len);
WSP_INTERNAL void wsp__mcp_msg_free(struct wsp__mcp_msg *msg);

/* Answers as a line ("...}\n"), malloc'd; NULL when out of memory. */
WSP_INTERNAL char *wsp__mcp_result(const cJSON *id, cJSON *result);
WSP_INTERNAL char *wsp__mcp_error(const cJSON *id, int code,
				  const char *message);

/* The protocol version to answer for the one the client asked. */
WSP_INTERNAL const char *wsp__mcp_negotiate(const char *requested);

#endif /* WSP_TOOLKIT_MCP_IMPL_H */
