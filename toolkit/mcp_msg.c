/*
 * toolkit/mcp_msg.c - one JSON-RPC 2.0 message of MCP's stdio transport:
 * parse and classify a line from the client, build the answers.
 *
 * Everything from the client is untrusted: any byte sequence must give a
 * classification and an error code, never a crash (tests/fuzz/fuzz_mcp.c).
 */
#include "json_num.h"
#include "mcp_impl.h"

#include <stdlib.h>
#include <string.h>

static const char *const versions[] = {
	"2025-06-18", /* newest first */
	"2025-03-26",
	"2024-11-05",
};

const char *wsp__mcp_negotiate(const char *requested)
{
	size_t i;

	for (i = 0; requested && i < sizeof(versions) / sizeof(versions[0]);
	     i++)
		if (!strcmp(requested, versions[i]))
			return versions[i];
	return versions[0];
}

static void invalid(struct wsp__mcp_msg *m, int code, const char *why)
{
	m->kind = WSP__MCP_INVALID;
	m->error_code = code;
	m->error_text = why;
}

/*
 * A string in UTF-8, or a number that is an integer of 64 bits exactly.
 * Answers echo the id as it came: bytes that are not UTF-8 would make
 * them invalid JSON (RFC 8259, 8.1).
 */
static int valid_id(const cJSON *id)
{
	int64_t i;

	return (cJSON_IsString(id) && wsp__utf8_valid(id->valuestring)) ||
	       (cJSON_IsNumber(id) &&
		!wsp__num_to_int(id->valuedouble, INT64_MIN, INT64_MAX, &i) &&
		(double)i == id->valuedouble);
}

void wsp__mcp_parse(struct wsp__mcp_msg *m, const char *line, size_t len)
{
	const cJSON *v, *method, *id;
	int has_id;

	memset(m, 0, sizeof(*m));
	m->root = wsp__json_parse_exact(line, len);
	if (!m->root) {
		invalid(m, WSP__RPC_PARSE_ERROR, "Parse error");
		return;
	}
	if (!cJSON_IsObject(m->root)) {
		invalid(m, WSP__RPC_INVALID_REQUEST,
			cJSON_IsArray(m->root)
				? "Invalid Request: batches are not supported"
				: "Invalid Request: not a JSON-RPC object");
		return;
	}
	id = cJSON_GetObjectItemCaseSensitive(m->root, "id");
	has_id = id != NULL;
	if (has_id && valid_id(id))
		m->id = id;
	v = cJSON_GetObjectItemCaseSensitive(m->root, "jsonrpc");
	if (!cJSON_IsString(v) || strcmp(v->valuestring, "2.0")) {
		invalid(m, WSP__RPC_INVALID_REQUEST,
			"Invalid Request: jsonrpc must be \"2.0\"");
		return;
	}
	if (has_id && !m->id) {
		invalid(m, WSP__RPC_INVALID_REQUEST,
			"Invalid Request: id must be a string or an integer");
		return;
	}
	/* cJSON would cut the string there: "in.txt\u0000/../.." */
	if (wsp__json_has_nul(line, len)) {
		invalid(m, WSP__RPC_INVALID_PARAMS,
			"Invalid params: a string holds a NUL character "
			"(\\u0000)");
		return;
	}
	method = cJSON_GetObjectItemCaseSensitive(m->root, "method");
	if (!method) {
		m->result = cJSON_GetObjectItemCaseSensitive(m->root, "result");
		m->error = cJSON_GetObjectItemCaseSensitive(m->root, "error");
		if (m->id && (m->result != NULL) != (m->error != NULL)) {
			m->kind = WSP__MCP_RESPONSE;
			return;
		}
		invalid(m, WSP__RPC_INVALID_REQUEST,
			"Invalid Request: no method");
		return;
	}
	if (!cJSON_IsString(method)) {
		invalid(m, WSP__RPC_INVALID_REQUEST,
			"Invalid Request: method must be a string");
		return;
	}
	m->method = method->valuestring;
	v = cJSON_GetObjectItemCaseSensitive(m->root, "params");
	if (v && !cJSON_IsObject(v)) {
		/* MCP's params are always objects; arrays are JSON-RPC's only
		 */
		invalid(m,
			m->id ? WSP__RPC_INVALID_PARAMS
			      : WSP__RPC_INVALID_REQUEST,
			"Invalid params: params must be an object");
		return;
	}
	m->params = v;
	m->kind = m->id ? WSP__MCP_REQUEST : WSP__MCP_NOTIFICATION;
}

void wsp__mcp_msg_free(struct wsp__mcp_msg *m)
{
	cJSON_Delete(m->root);
	memset(m, 0, sizeof(*m));
}

static char *finish(cJSON *o)
{
	char *s = o ? cJSON_PrintUnformatted(o) : NULL;
	char *line = NULL;
	size_t n;

	cJSON_Delete(o);
	if (!s)
		return NULL;
	n = strlen(s);
	line = realloc(s, n + 2);
	if (!line) {
		free(s);
		return NULL;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	return line;
}

static cJSON *envelope(const cJSON *id)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "jsonrpc", "2.0");
	cJSON_AddItemToObject(o, "id",
			      id ? cJSON_Duplicate(id, 0) : cJSON_CreateNull());
	return o;
}

char *wsp__mcp_result(const cJSON *id, cJSON *result)
{
	cJSON *o = envelope(id);

	if (!o || !result) {
		cJSON_Delete(o);
		cJSON_Delete(result);
		return NULL;
	}
	cJSON_AddItemToObject(o, "result", result);
	return finish(o);
}

char *wsp__mcp_error(const cJSON *id, int code, const char *message)
{
	cJSON *o = envelope(id), *e;
	char *clean;

	if (!o)
		return NULL;
	e = cJSON_AddObjectToObject(o, "error");
	clean = wsp__utf8_clean(message, strlen(message));
	if (!e || !clean) {
		free(clean);
		cJSON_Delete(o);
		return NULL;
	}
	cJSON_AddNumberToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", clean);
	free(clean);
	return finish(o);
}
