/*
 * tests/tools/test_skills_units.c - a SKILL.md's front matter
 * (core/skill_parse.c): name, description and every other key kept, the
 * body's place, and the reason given for each kind of bad file.
 */
#include "skills.h"

#include "cu_main.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parse text for directory dir; on success *doc is filled. */
static int parse(struct wsp__skill_doc *doc, const char *text,
		 const char *dir, char *why, size_t cap)
{
	return wsp__skill_parse(doc, text, strlen(text), "/s/x/SKILL.md", dir,
				why, cap);
}

/* A bad file: WSP_EINVAL and a reason holding want. */
static void bad(const char *text, const char *dir, const char *want)
{
	struct wsp__skill_doc doc;
	char why[1024];
	int rc = parse(&doc, text, dir, why, sizeof(why));

	CU_ASSERT_EQUAL(rc, WSP_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, want));
	if (rc != WSP_EINVAL || !strstr(why, want))
		fprintf(stderr, "rc %d, why: %s\n(want: %s)\n", rc, why, want);
	if (!rc)
		wsp__skill_doc_free(&doc);
}

static void test_fields_kept(void)
{
	static const char text[] =
		"---\n"
		"name: pdf-forms\n"
		"description: \"Fill: forms\"\n"
		"license: MIT\n"
		"user-invocable: false\n"
		"version: 3\n"
		"compatibility: ~\n"
		"metadata:\n"
		"  author: Ada Example\n"
		"  tags: [a, b]\n"
		"---\n"
		"\n"
		"# Body\n";
	struct wsp__skill_doc doc;
	char why[256], *json;

	CU_ASSERT_EQUAL_FATAL(parse(&doc, text, "pdf-forms", why, sizeof(why)),
			      0);
	CU_ASSERT_STRING_EQUAL(doc.name, "pdf-forms");
	CU_ASSERT_STRING_EQUAL(doc.description, "Fill: forms");
	CU_ASSERT_EQUAL(doc.body_line, 12);
	CU_ASSERT_STRING_EQUAL(text + doc.body_off, "\n# Body\n");
	json = cJSON_PrintUnformatted(doc.front);
	CU_ASSERT_STRING_EQUAL(json,
			       "{\"name\":\"pdf-forms\",\"description\":"
			       "\"Fill: forms\",\"license\":\"MIT\","
			       "\"user-invocable\":false,\"version\":3,"
			       "\"compatibility\":null,\"metadata\":{"
			       "\"author\":\"Ada Example\",\"tags\":[\"a\","
			       "\"b\"]}}");
	cJSON_free(json);
	wsp__skill_doc_free(&doc);
}

/* A quoted number is text, so a name it may be. */
static void test_quoted_number(void)
{
	struct wsp__skill_doc doc;
	char why[256];

	CU_ASSERT_EQUAL_FATAL(parse(&doc, "---\nname: \"222\"\ndescription: "
					  "'1.5'\n---\n",
				    "222", why, sizeof(why)),
			      0);
	CU_ASSERT_STRING_EQUAL(doc.name, "222");
	CU_ASSERT_STRING_EQUAL(doc.description, "1.5");
	CU_ASSERT(cJSON_IsString(cJSON_GetObjectItem(doc.front, "name")));
	wsp__skill_doc_free(&doc);
}

static void test_line_endings_and_bom(void)
{
	static const char crlf[] = "\xEF\xBB\xBF---\r\nname: a\r\n"
				   "description: b\r\n---  \r\nbody\r\n";
	static const char dots[] = "---\nname: a\ndescription: b\n...\nx\n";
	static const char bare[] = "---\nname: a\ndescription: b\n---";
	struct wsp__skill_doc doc;
	char why[256];

	CU_ASSERT_EQUAL_FATAL(parse(&doc, crlf, "a", why, sizeof(why)), 0);
	CU_ASSERT_STRING_EQUAL(crlf + doc.body_off, "body\r\n");
	CU_ASSERT_EQUAL(doc.body_line, 5);
	wsp__skill_doc_free(&doc);
	CU_ASSERT_EQUAL_FATAL(parse(&doc, dots, "a", why, sizeof(why)), 0);
	CU_ASSERT_STRING_EQUAL(dots + doc.body_off, "x\n");
	wsp__skill_doc_free(&doc);
	/* the closing line may end the file */
	CU_ASSERT_EQUAL_FATAL(parse(&doc, bare, "a", why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(doc.body_off, strlen(bare));
	wsp__skill_doc_free(&doc);
}

static void test_bad_files(void)
{
	char big[WSP__SKILL_FRONT_MAX + 200];
	size_t n;

	bad("", "a", "no front matter");
	bad("# Title\n---\nname: a\n---\n", "a", "no front matter");
	bad("---\nname: a\ndescription: b\n", "a",
	    "not closed by a '---' line");
	bad("---\nname: [a\ndescription: b\n---\n", "a",
	    "invalid YAML front matter: /s/x/SKILL.md:");
	bad("---\n- a\n- b\n---\n", "a",
	    "must be a mapping of keys (name, description, ...), not a list");
	bad("---\n---\nbody\n", "a", "not empty");
	bad("---\ndescription: b\n---\n", "a", "name: Required");
	bad("---\nname: a\n---\n", "a", "description: Required");
	bad("---\nname: [a]\ndescription: b\n---\n", "a",
	    "name: Expected string, received a list");
	/* YAML reads these as a number and a boolean, as Mastra's does */
	bad("---\nname: 222\ndescription: b\n---\n", "222",
	    "name: Expected string, received number");
	bad("---\nname: a\ndescription: true\n---\n", "a",
	    "description: Expected string, received boolean");
	bad("---\nname: a\ndescription: ~\n---\n", "a",
	    "description: Expected string, received null");
	bad("---\nname: A_b\ndescription: b\n---\n", "A_b",
	    "name: Skill name must contain only lowercase letters, numbers, "
	    "and hyphens");
	bad("---\nname: -a\ndescription: b\n---\n", "-a",
	    "must not start or end with a hyphen");
	bad("---\nname: a--b\ndescription: b\n---\n", "a--b",
	    "must not contain consecutive hyphens");
	bad("---\nname: a\ndescription: b\n---\n", "dir",
	    "Skill name \"a\" must match directory name \"dir\"");
	bad("---\nname: a\ndescription: \"  \"\n---\n", "a",
	    "cannot be only whitespace");
	bad("---\nname: a\ndescription: ''\n---\n", "a",
	    "description: Skill description cannot be empty");
	/* several problems, all said */
	bad("---\nname: Bad\n---\n", "x",
	    "description: Required; name: Skill name must contain only");
	/* aliases are refused (no billion laughs) */
	bad("---\nname: &n a\ndescription: *n\n---\n", "a",
	    "invalid YAML front matter");
	/* bounds */
	n = (size_t)snprintf(big, sizeof(big), "---\nname: a\ndescription: ");
	memset(big + n, 'd', WSP__SKILL_DESC_MAX + 1);
	strcpy(big + n + WSP__SKILL_DESC_MAX + 1, "\n---\n");
	bad(big, "a", "must be 2048 characters or less");
	n = (size_t)snprintf(big, sizeof(big), "---\nname: a\nx: ");
	memset(big + n, 'x', WSP__SKILL_FRONT_MAX);
	strcpy(big + n + WSP__SKILL_FRONT_MAX, "\n---\n");
	bad(big, "a", "the front matter is longer than 65536 bytes");
	{
		struct wsp__skill_doc doc;
		char why[256];

		CU_ASSERT_EQUAL(wsp__skill_parse(&doc, "---\0\n", 5, "f", "a",
						 why, sizeof(why)),
				WSP_EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(why, "NUL byte"));
		CU_ASSERT_EQUAL(wsp__skill_parse(&doc, "---\n",
						 WSP__SKILL_FILE_MAX + 1, "f",
						 "a", why, sizeof(why)),
				WSP_EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(why, "larger than"));
	}
}

/* A tiny reason buffer cuts, never overflows. */
static void test_small_buffer(void)
{
	struct wsp__skill_doc doc;
	char why[8];

	memset(why, 'z', sizeof(why));
	CU_ASSERT_EQUAL(parse(&doc, "nothing", "a", why, sizeof(why)),
			WSP_EINVAL);
	CU_ASSERT(memchr(why, '\0', sizeof(why)) != NULL);
}

static CU_TestInfo tests[] = {
	{"fields kept", test_fields_kept},
	{"line endings and BOM", test_line_endings_and_bom},
	{"quoted number", test_quoted_number},
	{"bad files", test_bad_files},
	{"small buffer", test_small_buffer},
	CU_TEST_INFO_NULL,
};

CU_MAIN("skills_units", tests)
