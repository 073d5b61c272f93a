/*
 * tests/tools/test_tool_schemas.c - the built-in tools' input schemas as
 * compiled in from toolkit/schemas/<tool>.json (cmake/WspEmbedJson.cmake):
 * each one is a JSON object schema, named after the tool that uses it, is
 * the text that tool hands out, and every tool has exactly one.
 */
#include "cu_main.h"

#include "tool_schemas.h"
#include "tools_impl.h"

#include <stdlib.h>
#include <string.h>

#define N_FILES (sizeof(wsp__schema_files) / sizeof(wsp__schema_files[0]))

static const struct wsp__tool_def *const all_tools[] = {WSP__TOOL_LIST};
#define N_TOOLS (sizeof(all_tools) / sizeof(all_tools[0]))

static const struct wsp__tool_def *tool_named(const char *name)
{
	size_t i;

	for (i = 0; i < N_TOOLS; i++)
		if (!strcmp(all_tools[i]->name, name))
			return all_tools[i];
	return NULL;
}

/* Valid JSON to its last byte, compact, and an object schema whose
 * required names are all properties. */
static void test_each_file_is_an_object_schema(void)
{
	size_t i;

	CU_ASSERT_EQUAL(N_FILES, N_TOOLS);
	for (i = 0; i < N_FILES; i++) {
		const char *text = wsp__schema_files[i].text, *end = NULL;
		cJSON *s = cJSON_ParseWithOpts(text, &end, 1);
		const cJSON *props, *req, *r;
		char *compact;

		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		CU_ASSERT_PTR_EQUAL(end, text + strlen(text));
		CU_ASSERT_STRING_EQUAL(
			cJSON_GetStringValue(cJSON_GetObjectItem(s, "type")),
			"object");
		props = cJSON_GetObjectItem(s, "properties");
		CU_ASSERT_TRUE(cJSON_IsObject(props));
		req = cJSON_GetObjectItem(s, "required");
		cJSON_ArrayForEach(r, req)
		{
			CU_ASSERT_TRUE(cJSON_IsString(r));
			CU_ASSERT_PTR_NOT_NULL(cJSON_GetObjectItem(
				props, cJSON_GetStringValue(r)));
		}
		/* the whitespace between tokens went, nothing else did */
		compact = cJSON_PrintUnformatted(s);
		CU_ASSERT_PTR_NOT_NULL_FATAL(compact);
		CU_ASSERT_STRING_EQUAL(compact, text);
		free(compact);
		cJSON_Delete(s);
	}
}

/* schemas/<name>.json is the schema of the tool called name, and the very
 * text it hands out. */
static void test_each_file_names_its_tool(void)
{
	const struct wsp__tool_def *d;
	size_t i;

	for (i = 0; i < N_FILES; i++) {
		d = tool_named(wsp__schema_files[i].stem);
		CU_ASSERT_PTR_NOT_NULL_FATAL(d);
		CU_ASSERT_PTR_EQUAL(d->schema, wsp__schema_files[i].text);
	}
}

/* Every built-in tool has one file: no tool without a schema, none with
 * two (the table is in file-name order, so a repeat would be adjacent). */
static void test_each_tool_has_one_file(void)
{
	size_t i, j, n;

	for (i = 0; i < N_TOOLS; i++) {
		for (n = 0, j = 0; j < N_FILES; j++)
			n += !strcmp(wsp__schema_files[j].stem,
				     all_tools[i]->name);
		CU_ASSERT_EQUAL(n, 1);
	}
	for (j = 1; j < N_FILES; j++)
		CU_ASSERT_TRUE(strcmp(wsp__schema_files[j - 1].stem,
				      wsp__schema_files[j].stem) < 0);
}

static CU_TestInfo tests[] = {
	{"each file is an object schema", test_each_file_is_an_object_schema},
	{"each file names its tool", test_each_file_names_its_tool},
	{"each tool has one file", test_each_tool_has_one_file},
	CU_TEST_INFO_NULL,
};

CU_MAIN("tool_schemas", tests)
