/*
 * tests/fuzz/fuzz_mcp.c - the MCP server's message parser and answer
 * builders on arbitrary bytes: classification must always succeed, and
 * every answer must be one line of valid JSON.
 */
#include "mcp_impl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wsp__mcp_msg m;
	char *line = NULL, *clean;
	cJSON *check;

	wsp__mcp_parse(&m, (const char *)data, size);
	switch (m.kind) {
	case WSP__MCP_INVALID:
		line = wsp__mcp_error(m.id, m.error_code, m.error_text);
		break;
	case WSP__MCP_REQUEST:
		wsp__mcp_negotiate(m.method);
		line = wsp__mcp_error(m.id, WSP__RPC_METHOD_NOT_FOUND,
				      m.method);
		break;
	case WSP__MCP_NOTIFICATION:
	case WSP__MCP_RESPONSE:
		line = wsp__mcp_result(m.id, cJSON_CreateObject());
		break;
	default:
		abort();
	}
	if (line) {
		size_t n = strlen(line);

		if (!n || line[n - 1] != '\n' || memchr(line, '\n', n - 1))
			abort();
		check = cJSON_Parse(line);
		if (!check)
			abort();
		cJSON_Delete(check);
		free(line);
	}
	wsp__mcp_msg_free(&m);

	clean = wsp__utf8_clean((const char *)data, size);
	if (clean && strlen(clean) < size / 4)
		abort(); /* every byte becomes at least one character */
	free(clean);
	return 0;
}
