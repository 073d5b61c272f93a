/*
 * plugins/sandbox-blaxel/json.c - the two readers of the API's JSON that
 * every module uses (blaxel.h), on their own so that the fuzz targets
 * compile in what they read with (tests/fuzz/fuzz_blfs) and not the
 * requests of request.c.
 */
#include "blaxel.h"

cJSON *bl_parse(const char *text, size_t len)
{
	if (!text || !len || len > BL_JSON_MAX)
		return NULL;
	return cJSON_ParseWithLength(text, len);
}

const char *bl_str(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}
