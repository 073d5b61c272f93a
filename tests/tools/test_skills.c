/*
 * tests/tools/test_skills.c - workspace skills (issue 20) through the
 * public API, on the local filesystem provider: discovery under plain
 * paths and globs, bad SKILL.md files reported while the others work, the
 * skill, skill_search and skill_read tools' answers and error texts,
 * skill_search's ranking, the skills in the workspace instructions, the
 * tools renamed and disabled through tools:, a skill written through wsp
 * seen at once, configuration errors.
 */
#include "fixture.h"

#include "cu_main.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SKILLS_YAML                                                            \
	"skills:\n"                                                            \
	"  - /skills\n"                                                        \
	"  - /solo\n"                                                          \
	"  - /loose/SKILL.md\n"                                                \
	"  - \"/team/**/SKILL.md\"\n"                                          \
	"  - \"/plugins/*/skills\"\n"                                          \
	"  - /not-there\n"

static long at(const char *hay, const char *needle)
{
	const char *p = strstr(hay, needle);

	return p ? (long)(p - hay) : -1;
}

static char *call_ok(struct fixture *f, const char *tool, const char *args)
{
	int is_error = 0;
	char *out = fixture_call(f, tool, args, &is_error);

	CU_ASSERT_EQUAL(is_error, 0);
	if (is_error)
		fprintf(stderr, "%s: %s\n", tool, out);
	return out;
}

static void expect(struct fixture *f, const char *tool, const char *args,
		   const char *want)
{
	char *out = call_ok(f, tool, args);

	CU_ASSERT_STRING_EQUAL(out, want);
	if (strcmp(out, want))
		fprintf(stderr, "%s %s:\n got: [%s]\nwant: [%s]\n", tool, args,
			out, want);
	free(out);
}

static void skill_md(struct fixture *f, const char *dir, const char *name,
		     const char *desc, const char *body)
{
	char rel[512], text[4096];

	snprintf(rel, sizeof(rel), "%s/SKILL.md", dir);
	snprintf(text, sizeof(text),
		 "---\nname: %s\ndescription: %s\n---\n%s", name, desc, body);
	fixture_write(f, rel, text);
}

static void tree(struct fixture *f)
{
	/* a directory of skills */
	fixture_write(f, "skills/pdf-forms/SKILL.md",
		      "---\n"
		      "name: pdf-forms\n"
		      "description: Fill & merge PDF forms <fast>.\n"
		      "license: MIT\n"
		      "metadata: { author: Ada Example }\n"
		      "---\n"
		      "\n"
		      "# PDF forms\n"
		      "\n"
		      "Merge the pages with pdfunite.\n"
		      "Fill the fields with scripts/fill.sh.\n");
	fixture_write(f, "skills/pdf-forms/references/fields.md",
		      "Field names\nThe otter field holds the signature\n");
	fixture_write(f, "skills/pdf-forms/scripts/fill.sh",
		      "#!/bin/sh\necho fill\n");
	fixture_write(f, "skills/pdf-forms/assets/logo.txt", "logo\n");
	skill_md(f, "skills/csv-clean", "csv-clean",
		 "Clean CSV files before loading them.",
		 "Drop empty rows.\nThe otter column is a date.\n");
	/* bad ones: reported, the others still work */
	fixture_write(f, "skills/no-front/SKILL.md", "just text\n");
	skill_md(f, "skills/wrong-dir", "other-name", "A skill.", "Body.\n");
	fixture_write(f, "skills/bad-yaml/SKILL.md",
		      "---\nname: [unclosed\n---\nBody.\n");
	/* a directory that is itself a skill */
	skill_md(f, "solo", "solo", "A skill on its own.", "Solo body.\n");
	/* a SKILL.md named directly */
	skill_md(f, "loose", "loose", "Named by its file.", "Loose body.\n");
	/* globs: deep skills, one hidden */
	skill_md(f, "team/a/deep-one", "deep-one", "Deep.", "Deep body.\n");
	skill_md(f, "team/.hidden/pdf-forms", "pdf-forms", "Same name.",
		 "Hidden but globbed.\n");
	/* a glob matching directories of skills; skills-extra sorts
	 * between skills and skills/... and is not one of them */
	skill_md(f, "plugins/alpha/skills/plug-one", "plug-one", "P1.",
		 "P1.\n");
	skill_md(f, "plugins/beta/skills/plug-two", "plug-two", "P2.", "P2.\n");
	skill_md(f, "plugins/alpha/skills-extra/zeta", "zeta", "Z.", "Z.\n");
	/* not under any skills: path */
	skill_md(f, "elsewhere/away", "away", "Not found.", "Away.\n");
}

static void test_discovery_and_skill(void)
{
	struct fixture f;
	char *out;

	CU_ASSERT_EQUAL_FATAL(fixture_open(&f, SKILLS_YAML, 0), 0);
	tree(&f);
	CU_ASSERT(fixture_has_tool(&f, "skill"));
	CU_ASSERT(fixture_has_tool(&f, "skill_search"));
	CU_ASSERT(fixture_has_tool(&f, "skill_read"));

	/* two skills named pdf-forms: Mastra's disambiguation */
	expect(&f, "skill", "{\"name\":\"pdf-forms\"}",
	       "Multiple skills named \"pdf-forms\" found. Please call again "
	       "with the specific path:\n"
	       "  - \"/skills/pdf-forms\" (pdf-forms)\n"
	       "  - \"/team/.hidden/pdf-forms\" (pdf-forms)");
	/* by path, with or without /SKILL.md */
	expect(&f, "skill", "{\"name\":\"/skills/pdf-forms\"}",
	       "# PDF forms\n\nMerge the pages with pdfunite.\n"
	       "Fill the fields with scripts/fill.sh."
	       "\n\n## References\n- references/fields.md"
	       "\n\n## Scripts\n- scripts/fill.sh"
	       "\n\n## Assets\n- assets/logo.txt");
	expect(&f, "skill", "{\"name\":\"/team/.hidden/pdf-forms/SKILL.md\"}",
	       "Hidden but globbed.");
	expect(&f, "skill", "{\"name\":\"solo\"}", "Solo body.");
	expect(&f, "skill", "{\"name\":\"loose\"}", "Loose body.");
	expect(&f, "skill", "{\"name\":\"deep-one\"}", "Deep body.");
	expect(&f, "skill", "{\"name\":\"plug-two\"}", "P2.");
	expect(&f, "skill", "{\"name\":\"/plugins/alpha/skills/plug-one\"}",
	       "P1.");
	expect(&f, "skill", "{\"name\":\"csv-clean\"}",
	       "Drop empty rows.\nThe otter column is a date.");
	/* not found: the available ones, sorted by name; bad ones absent */
	expect(&f, "skill", "{\"name\":\"away\"}",
	       "Skill \"away\" not found. Available skills: csv-clean, "
	       "deep-one, loose, pdf-forms, pdf-forms, plug-one, plug-two, "
	       "solo");
	out = call_ok(&f, "skill", "{\"name\":\"other-name\"}");
	CU_ASSERT(at(out, "not found") > 0);
	free(out);
	fixture_close(&f);
}

static void test_skill_read(void)
{
	struct fixture f;
	int is_error = 0;
	char *out;

	CU_ASSERT_EQUAL_FATAL(fixture_open(&f, SKILLS_YAML, 0), 0);
	tree(&f);
	expect(&f, "skill_read",
	       "{\"skillName\":\"csv-clean\",\"path\":\"SKILL.md\","
	       "\"startLine\":5,\"endLine\":5}",
	       "Drop empty rows.");
	expect(&f, "skill_read",
	       "{\"skillName\":\"/skills/pdf-forms\",\"path\":"
	       "\"./references//fields.md\",\"startLine\":2}",
	       "The otter field holds the signature\n");
	expect(&f, "skill_read",
	       "{\"skillName\":\"/skills/pdf-forms\",\"path\":\"nope.md\"}",
	       "File \"nope.md\" not found in skill \"/skills/pdf-forms\".\n"
	       "Available files: references/fields.md, scripts/fill.sh, "
	       "assets/logo.txt");
	expect(&f, "skill_read", "{\"skillName\":\"zzz\",\"path\":\"a\"}",
	       "Skill \"zzz\" not found. Available skills: csv-clean, "
	       "deep-one, loose, pdf-forms, pdf-forms, plug-one, plug-two, "
	       "solo");
	/* out of the skill's directory: an error */
	out = fixture_call(&f, "skill_read",
			   "{\"skillName\":\"solo\",\"path\":\"../skills/"
			   "csv-clean/SKILL.md\"}",
			   &is_error);
	CU_ASSERT_EQUAL(is_error, 1);
	CU_ASSERT_STRING_EQUAL(out, "Error: Invalid reference path: "
				    "../skills/csv-clean/SKILL.md");
	free(out);
	/* binary, and a file past the 1 MiB read */
	{
		char path[600], *big;
		FILE *fp;

		snprintf(path, sizeof(path), "%s/solo/assets/x.bin", f.work);
		fixture_write(&f, "solo/assets/x.bin", "");
		fp = fopen(path, "wb");
		CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
		fwrite("ab\0cd", 1, 5, fp);
		fclose(fp);
		expect(&f, "skill_read",
		       "{\"skillName\":\"solo\",\"path\":\"assets/x.bin\"}",
		       "Binary file: /solo/assets/x.bin (5 bytes)");
		big = malloc((1u << 20) + 11);
		CU_ASSERT_PTR_NOT_NULL_FATAL(big);
		memset(big, 'a', (1u << 20) + 10);
		big[(1u << 20) - 1] = '\n';
		big[(1u << 20) + 10] = '\0';
		fixture_write(&f, "solo/references/big.md", big);
		free(big);
		out = call_ok(&f, "skill_read",
			      "{\"skillName\":\"solo\",\"path\":"
			      "\"references/big.md\",\"startLine\":2}");
		CU_ASSERT_STRING_EQUAL(out, "\n[only the first 1048576 bytes "
					    "of the file are read]");
		free(out);
	}
	out = fixture_call(&f, "skill_read",
			   "{\"skillName\":\"solo\",\"path\":\"/etc/passwd\"}",
			   &is_error);
	CU_ASSERT_EQUAL(is_error, 1);
	CU_ASSERT(at(out, "Invalid reference path") >= 0);
	free(out);
	fixture_close(&f);
}

static void test_skill_search(void)
{
	struct fixture f;
	char *out;

	CU_ASSERT_EQUAL_FATAL(fixture_open(&f, SKILLS_YAML, 0), 0);
	tree(&f);
	/* pdfunite is in one SKILL.md only, on its line 10 */
	out = call_ok(&f, "skill_search", "{\"query\":\"pdfunite\"}");
	CU_ASSERT_EQUAL(at(out, "[/skills/pdf-forms] (lines 10-10) (score: "),
			0);
	CU_ASSERT(at(out, ")\nMerge the pages with pdfunite.\n") > 0);
	CU_ASSERT_EQUAL(at(out, "\n\n["), -1); /* one result */
	free(out);
	/* otter: a reference file and another skill; the shorter text with
	 * the word ranks first (BM25's length normalisation) */
	out = call_ok(&f, "skill_search", "{\"query\":\"otter\"}");
	CU_ASSERT(at(out, "[/skills/pdf-forms] references/fields.md (lines "
			  "2-2)") >= 0);
	CU_ASSERT(at(out, "[/skills/csv-clean] (lines 6-6)") >= 0);
	CU_ASSERT(at(out, "\n\n[") > 0);
	free(out);
	out = call_ok(&f, "skill_search",
		      "{\"query\":\"otter\",\"skillNames\":[\"csv-clean\"]}");
	CU_ASSERT_EQUAL(at(out, "[/skills/csv-clean] (lines 6-6)"), 0);
	CU_ASSERT_EQUAL(at(out, "pdf-forms"), -1);
	free(out);
	out = call_ok(&f, "skill_search", "{\"query\":\"otter\",\"topK\":1}");
	CU_ASSERT_EQUAL(at(out, "\n\n["), -1);
	free(out);
	/* the front matter is not indexed; bad skills are not either */
	expect(&f, "skill_search", "{\"query\":\"Example\"}",
	       "No results found.");
	expect(&f, "skill_search", "{\"query\":\"unclosed\"}",
	       "No results found.");
	expect(&f, "skill_search", "{\"query\":\"the of\"}",
	       "No results found.");
	fixture_close(&f);
}

static void test_instructions(void)
{
	struct fixture f;
	wsp_error err;
	char *text = NULL;

	CU_ASSERT_EQUAL_FATAL(fixture_open(&f, SKILLS_YAML, 0), 0);
	tree(&f);
	CU_ASSERT_EQUAL_FATAL(wsp_tools_instructions(&text, f.ws, &err), 0);
	CU_ASSERT(at(text, "<available_skills>\n  <skill>\n    <name>"
			   "csv-clean</name>\n    <description>Clean CSV files "
			   "before loading them.</description>\n    <location>"
			   "/skills/csv-clean/SKILL.md</location>\n  </skill>"
			   "\n") > 0);
	CU_ASSERT(at(text, "<description>Fill &amp; merge PDF forms "
			   "&lt;fast&gt;.</description>") > 0);
	CU_ASSERT(at(text, "<location>/loose/SKILL.md</location>") > 0);
	CU_ASSERT(at(text, "csv-clean") < at(text, "deep-one"));
	CU_ASSERT(at(text, "deep-one") < at(text, "<name>solo"));
	CU_ASSERT(at(text, "call the `skill` tool with the skill name") > 0);
	CU_ASSERT_EQUAL(at(text, "no-front"), -1);
	CU_ASSERT_EQUAL(at(text, "away"), -1);
	wsp_tools_free(text);
	fixture_close(&f);

	/* no skills: section, nothing about skills */
	CU_ASSERT_EQUAL_FATAL(fixture_open(&f, NULL, 0), 0);
	CU_ASSERT_EQUAL_FATAL(wsp_tools_instructions(&text, f.ws, &err), 0);
	CU_ASSERT_EQUAL(at(text, "skill"), -1);
	CU_ASSERT(!fixture_has_tool(&f, "skill"));
	CU_ASSERT(!fixture_has_tool(&f, "skill_search"));
	wsp_tools_free(text);
	fixture_close(&f);
}

static void test_tools_config(void)
{
	struct fixture f;
	wsp_error err;
	char *text = NULL;

	/* with skills:, a name is taken once */
	CU_ASSERT_EQUAL(fixture_open(&f, SKILLS_YAML "tools:\n"
						 "  skill: { name: grep }\n",
				     0),
			WSP_ECONFIG);
	fixture_close(&f);
	/* without skills:, the names are free for other tools */
	CU_ASSERT_EQUAL_FATAL(fixture_open(&f, "tools:\n"
					       "  grep: { name: skill }\n",
					   0),
			      0);
	CU_ASSERT(fixture_has_tool(&f, "skill")); /* that is grep */
	fixture_close(&f);

	CU_ASSERT_EQUAL_FATAL(fixture_open(&f,
					   SKILLS_YAML
					   "tools:\n"
					   "  skill: { name: load_skill }\n"
					   "  skill_read: { enabled: false }\n",
					   0),
			      0);
	tree(&f);
	CU_ASSERT(fixture_has_tool(&f, "load_skill"));
	CU_ASSERT(!fixture_has_tool(&f, "skill"));
	CU_ASSERT(!fixture_has_tool(&f, "skill_read"));
	CU_ASSERT(fixture_has_tool(&f, "skill_search"));
	expect(&f, "load_skill", "{\"name\":\"solo\"}", "Solo body.");
	CU_ASSERT_EQUAL_FATAL(wsp_tools_instructions(&text, f.ws, &err), 0);
	CU_ASSERT(at(text, "call the `load_skill` tool") > 0);
	wsp_tools_free(text);
	fixture_close(&f);

	/* the skill tool disabled: the list stays, the advice goes */
	CU_ASSERT_EQUAL_FATAL(fixture_open(&f,
					   SKILLS_YAML
					   "tools:\n"
					   "  skill: { enabled: false }\n",
					   0),
			      0);
	tree(&f);
	CU_ASSERT_EQUAL_FATAL(wsp_tools_instructions(&text, f.ws, &err), 0);
	CU_ASSERT(at(text, "<name>solo</name>") > 0);
	CU_ASSERT_EQUAL(at(text, "IMPORTANT"), -1);
	wsp_tools_free(text);
	fixture_close(&f);
}

static void test_written_through_wsp(void)
{
	struct fixture f;
	char *out;

	CU_ASSERT_EQUAL_FATAL(fixture_open(&f, SKILLS_YAML, 0), 0);
	tree(&f);
	expect(&f, "skill", "{\"name\":\"solo\"}", "Solo body.");
	/* a new skill and a changed one, written by the agent: seen by the
	 * next call, not 30 s later */
	free(call_ok(&f, "write_file",
		     "{\"path\":\"/skills/fresh/SKILL.md\",\"content\":\"---\\n"
		     "name: fresh\\ndescription: New.\\n---\\nFresh body "
		     "kingfisher.\\n\"}"));
	expect(&f, "skill", "{\"name\":\"fresh\"}", "Fresh body kingfisher.");
	out = call_ok(&f, "skill_search", "{\"query\":\"kingfisher\"}");
	CU_ASSERT_EQUAL(at(out, "[/skills/fresh] (lines 5-5) (score: "), 0);
	CU_ASSERT(at(out, ")\nFresh body kingfisher.\n") > 0);
	free(out);
	free(call_ok(&f, "edit_file",
		     "{\"path\":\"/solo/SKILL.md\",\"old_string\":"
		     "\"Solo body\","
		     "\"new_string\":\"Solo changed\"}"));
	expect(&f, "skill", "{\"name\":\"solo\"}", "Solo changed.");
	/* a command's change: seen by the next call too */
	free(call_ok(&f, "execute_command",
		     "{\"command\":\"mkdir -p skills/by-cmd && cd "
		     "skills/by-cmd && (echo ---; echo name: by-cmd; "
		     "echo description: D.; "
		     "echo ---; echo Made by a command.) > SKILL.md\"}"));
	expect(&f, "skill", "{\"name\":\"by-cmd\"}", "Made by a command.");
	fixture_close(&f);
}

static void test_config_errors(void)
{
	char yaml[1200];

	fixture_config_error("skills: { paths: [/skills] }\n",
			     "'skills' must be a list of paths or globs");
	fixture_config_error("skills: [\"../up\"]\n", "'skills': '../up'");
	fixture_config_error("skills: [[/a]]\n",
			     "an entry of 'skills' must be a path or a glob");
	fixture_config_error("skills: [\"\"]\n",
			     "an entry of 'skills' must be a path or a glob, "
			     "not empty");
	snprintf(yaml, sizeof(yaml), "skills: [/%01030d]\n", 7);
	fixture_config_error(yaml,
			     "an entry of 'skills' is longer than 1024 bytes");
	fixture_config_error("skill: [/a]\n", "did you mean 'skills'");
}

static CU_TestInfo tests[] = {
	{"discovery and skill", test_discovery_and_skill},
	{"skill_read", test_skill_read},
	{"skill_search", test_skill_search},
	{"instructions", test_instructions},
	{"tools config", test_tools_config},
	{"written through wsp", test_written_through_wsp},
	{"config errors", test_config_errors},
	CU_TEST_INFO_NULL,
};

CU_MAIN("skills", tests)
