/*
 * core/json_input.c - JSON text from outside (an MCP line, tool
 * arguments) parsed whole or not at all.
 */
#include "internal.h"

#include <cjson/cJSON.h>

cJSON *wsp__json_parse_exact(const char *json, size_t len)
{
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, 0);

	if (!root)
		return NULL;
	/*
	 * cJSON stops after the first value: `{"a":1} garbage` would pass
	 * as `{"a":1}`. What follows may only be whitespace.
	 */
	for (; end < json + len; end++) {
		if (*end != ' ' && *end != '\t' && *end != '\r' &&
		    *end != '\n') {
			cJSON_Delete(root);
			return NULL;
		}
	}
	return root;
}
