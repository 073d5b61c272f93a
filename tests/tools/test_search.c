/*
 * tests/tools/test_search.c - workspace search (issue 20) through the
 * public API: the search and index tools over a real SQLite index of a
 * real tree on the local filesystem provider; ranking and line ranges
 * with known answers, the index kept current by writes, edits, moves and
 * deletes made through wsp, changes made by commands seen on reopen, the
 * tools renamed and disabled through tools:, configuration errors.
 */
#include "fixture.h"

#include "cu_main.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SEARCH_YAML                                                            \
	"search:\n"                                                            \
	"  auto_index_paths: [/docs, \"/src/**/*.c\"]\n"                       \
	"  index_path: @DIR@/index.sqlite\n"                                   \
	"  max_chunk_chars: 200\n"                                             \
	"  overlap_lines: 2\n"

static char *search(struct fixture *f, const char *args)
{
	int is_error = 0;
	char *out = fixture_call(f, "search", args, &is_error);

	CU_ASSERT_EQUAL(is_error, 0);
	if (is_error)
		fprintf(stderr, "search: %s\n", out);
	return out;
}

/* Position of needle in hay, or -1. */
static long at(const char *hay, const char *needle)
{
	const char *p = strstr(hay, needle);

	return p ? (long)(p - hay) : -1;
}

/* A file with a NUL in it (fixture_write stops at the first). */
static void write_binary(struct fixture *f, const char *rel)
{
	char path[600];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->work, rel);
	fp = fopen(path, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	fwrite("kernel\0binary", 1, 13, fp);
	fclose(fp);
}

static void tree(struct fixture *f)
{
	char big[4096];
	size_t n = 0;
	int i;

	fixture_write(f, "docs/a.md",
		      "alpha beta\ngamma delta\nthe kernel scheduler runs "
		      "tasks\nmore lines\n");
	fixture_write(f, "docs/b.md", "kernel kernel kernel scheduler\n");
	fixture_write(f, "docs/.hidden.md", "kernel secret\n");
	write_binary(f, "docs/bin.dat");
	fixture_write(f, "src/main.c", "int main(void)\n{\n\t/* scheduler "
				       "loop */\n\treturn 0;\n}\n");
	fixture_write(f, "src/main.h", "scheduler in a header\n");
	fixture_write(f, "notes/other.md", "kernel elsewhere\n");
	/* 60 lines, 'needle' on line 47: the chunk of 200 bytes holding it
	 * starts far below line 1 */
	for (i = 1; i <= 60; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n,
				      i == 47 ? "line %02d with a needle\n"
					      : "line %02d filler text\n",
				      i);
	fixture_write(f, "docs/long.md", big);
}

/* A library whose file name holds needle is mapped in this process. */
static int mapped(const char *needle)
{
	char line[1024];
	FILE *fp = fopen("/proc/self/maps", "r");
	int found = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	while (!found && fgets(line, sizeof(line), fp))
		found = strstr(line, needle) != NULL;
	fclose(fp);
	return found;
}

/*
 * libwsp does not link SQLite (core/search_libs.c): a workspace that
 * writes files and runs commands never loads it, the first search does.
 * First in the table: nothing before it may have searched.
 */
static void test_sqlite_on_first_use(void)
{
	struct fixture f;
	char *out;
	int is_error;

	CU_ASSERT_EQUAL_FATAL(fixture_open(&f, "", 0), 0);
	fixture_write(&f, "docs/a.md", "the kernel scheduler runs tasks\n");
	out = fixture_call(&f, "execute_command",
			   "{\"command\":\"cat docs/a.md\"}", &is_error);
	CU_ASSERT_EQUAL(is_error, 0);
	free(out);
	CU_ASSERT(!mapped("libsqlite3.so"));
	fixture_close(&f);

	CU_ASSERT_EQUAL_FATAL(fixture_open(&f, SEARCH_YAML, 0), 0);
	fixture_write(&f, "docs/a.md", "the kernel scheduler runs tasks\n");
	out = search(&f, "{\"query\":\"scheduler\"}");
	CU_ASSERT(at(out, "/docs/a.md:1-1: the kernel scheduler") == 0);
	free(out);
	CU_ASSERT(mapped("libsqlite3.so"));
	fixture_close(&f);
}

static void test_index_and_rank(void)
{
	struct fixture f;
	char *out;

	CU_ASSERT_EQUAL_FATAL(fixture_open(&f, SEARCH_YAML, 0), 0);
	tree(&f);
	out = search(&f, "{\"query\":\"kernel scheduler\"}");
	/* b.md says kernel three times in one short line: first */
	CU_ASSERT_EQUAL(at(out, "/docs/b.md:1-1: kernel kernel kernel "
				"scheduler\n"),
			0);
	CU_ASSERT(at(out, "/docs/a.md:3-3: the kernel scheduler runs tasks\n") >
		  0);
	CU_ASSERT(at(out, "/src/main.c:3-3: \t/* scheduler loop */\n") > 0);
	CU_ASSERT(at(out, "/docs/b.md") < at(out, "/docs/a.md"));
	/* not wanted: hidden, binary, a header outside the glob, another
	 * directory */
	CU_ASSERT_EQUAL(at(out, "hidden"), -1);
	CU_ASSERT_EQUAL(at(out, "bin.dat"), -1);
	CU_ASSERT_EQUAL(at(out, "main.h"), -1);
	CU_ASSERT_EQUAL(at(out, "notes/"), -1);
	CU_ASSERT(at(out, "---\n3 results (bm25 search)") > 0);
	free(out);

	/* a term deep in a chunked file points at its own line */
	out = search(&f, "{\"query\":\"needle\"}");
	CU_ASSERT_STRING_EQUAL(out, "/docs/long.md:47-47: line 47 with a "
				    "needle\n---\n1 result (bm25 search)");
	free(out);

	/* topK and minScore bound the answer; stopwords find nothing */
	out = search(&f, "{\"query\":\"kernel\",\"topK\":1}");
	CU_ASSERT(at(out, "/docs/b.md:1-1:") == 0);
	CU_ASSERT(at(out, "1 result (bm25 search)") > 0);
	free(out);
	out = search(&f, "{\"query\":\"kernel\",\"minScore\":1000}");
	CU_ASSERT_STRING_EQUAL(out, "---\n0 results (bm25 search)");
	free(out);
	out = search(&f, "{\"query\":\"the and of \\\" * NEAR(\"}");
	CU_ASSERT_STRING_EQUAL(out, "---\n0 results (bm25 search)");
	free(out);
	fixture_close(&f);
}

static void test_changes_through_wsp(void)
{
	struct fixture f;
	wsp_error err;
	char *out;

	CU_ASSERT_EQUAL_FATAL(fixture_open(&f, SEARCH_YAML, 0), 0);
	tree(&f);
	free(search(&f, "{\"query\":\"kernel\"}")); /* opens the index */

	/* write_file: a new file is found at once */
	fixture_call_ok(&f, "write_file",
			"{\"path\":\"docs/new.md\",\"content\":\"one\\n"
			"two\\nquokka here\\n\"}");
	out = search(&f, "{\"query\":\"quokka\"}");
	CU_ASSERT_STRING_EQUAL(out, "/docs/new.md:3-3: quokka here\n---\n"
				    "1 result (bm25 search)");
	free(out);

	/* edit_file: the old word is gone, the new one found */
	fixture_call_ok(&f, "edit_file",
			"{\"path\":\"docs/new.md\",\"old_string\":\"quokka\","
			"\"new_string\":\"wombat\"}");
	out = search(&f, "{\"query\":\"quokka\"}");
	CU_ASSERT_STRING_EQUAL(out, "---\n0 results (bm25 search)");
	free(out);
	out = search(&f, "{\"query\":\"wombat\"}");
	CU_ASSERT(at(out, "/docs/new.md:3-3: wombat here") == 0);
	free(out);

	/* a move: found under its new path only */
	CU_ASSERT_EQUAL(wsp_files_move(f.ws, NULL, "/docs/new.md",
				       "/docs/moved.md", 0, &err),
			0);
	out = search(&f, "{\"query\":\"wombat\"}");
	CU_ASSERT(at(out, "/docs/moved.md:3-3: wombat here") == 0);
	CU_ASSERT_EQUAL(at(out, "new.md"), -1);
	free(out);

	/* moved out of the indexed paths: gone */
	CU_ASSERT_EQUAL(wsp_files_move(f.ws, NULL, "/docs/moved.md",
				       "/notes/moved.md", 0, &err),
			0);
	out = search(&f, "{\"query\":\"wombat\"}");
	CU_ASSERT_STRING_EQUAL(out, "---\n0 results (bm25 search)");
	free(out);

	/* delete: gone; a directory removed takes its files along */
	fixture_call_ok(&f, "delete", "{\"path\":\"docs/b.md\"}");
	out = search(&f, "{\"query\":\"kernel\"}");
	CU_ASSERT_EQUAL(at(out, "b.md"), -1);
	CU_ASSERT(at(out, "/docs/a.md:3-3:") == 0);
	free(out);
	CU_ASSERT_EQUAL(wsp_files_copy(f.ws, NULL, "/src", "/src2",
				       WSP_FS_RECURSIVE, &err),
			0);
	fixture_call_ok(&f, "delete", "{\"path\":\"src\",\"recursive\":true}");
	out = search(&f, "{\"query\":\"scheduler\"}");
	CU_ASSERT_EQUAL(at(out, "/src/"), -1);
	free(out);
	/* a copied tree that lands under an indexed glob is indexed */
	CU_ASSERT_EQUAL(wsp_files_move(f.ws, NULL, "/src2", "/src", 0, &err),
			0);
	out = search(&f, "{\"query\":\"scheduler\"}");
	CU_ASSERT(at(out, "/src/main.c:3-3:") >= 0);
	free(out);
	fixture_close(&f);
}

static void test_changes_by_commands(void)
{
	struct fixture f;
	char *out;

	CU_ASSERT_EQUAL_FATAL(fixture_open(&f, SEARCH_YAML, 0), 0);
	tree(&f);
	free(search(&f, "{\"query\":\"kernel\"}"));
	/* a command changes, adds and removes files behind wsp's back */
	fixture_call_ok(&f, "execute_command",
			"{\"command\":\"printf 'platypus\\\\n' > docs/a.md "
			"&& printf 'x\\\\nnumbat\\\\n' > docs/c.md && rm "
			"docs/b.md\"}");
	/* the tool set marked the index stale: this session sees it */
	out = search(&f, "{\"query\":\"platypus numbat kernel\"}");
	CU_ASSERT(at(out, "/docs/a.md:1-1: platypus") >= 0);
	CU_ASSERT(at(out, "/docs/c.md:2-2: numbat") >= 0);
	CU_ASSERT_EQUAL(at(out, "b.md"), -1);
	CU_ASSERT_EQUAL(at(out, "scheduler runs"), -1);
	free(out);
	/* a change by another program (no tool ran here): a new process
	 * (reopen) re-checks sizes and mtimes */
	fixture_write(&f, "docs/d.md", "echidna\n");
	CU_ASSERT_EQUAL_FATAL(fixture_reopen(&f, SEARCH_YAML, 0), 0);
	out = search(&f, "{\"query\":\"echidna platypus\"}");
	CU_ASSERT(at(out, "/docs/d.md:1-1: echidna") >= 0);
	CU_ASSERT(at(out, "/docs/a.md:1-1: platypus") >= 0);
	free(out);
	fixture_close(&f);
}

static void test_index_tool(void)
{
	struct fixture f;
	int is_error;
	char *out;

	CU_ASSERT_EQUAL_FATAL(fixture_open(&f, SEARCH_YAML, 0), 0);
	out = fixture_call(&f, "index",
			   "{\"path\":\"kb/faq-7\",\"content\":\"first\\n"
			   "the answer is capybara\",\"metadata\":{\"k\":1}}",
			   &is_error);
	CU_ASSERT_EQUAL(is_error, 0);
	CU_ASSERT_STRING_EQUAL(out, "Indexed kb/faq-7");
	free(out);
	out = search(&f, "{\"query\":\"capybara\"}");
	CU_ASSERT_STRING_EQUAL(out, "kb/faq-7:2-2: the answer is capybara\n"
				    "---\n1 result (bm25 search)");
	free(out);
	/* kept across a reopen: it is no file the re-check could drop */
	CU_ASSERT_EQUAL_FATAL(fixture_reopen(&f, SEARCH_YAML, 0), 0);
	out = search(&f, "{\"query\":\"capybara\"}");
	CU_ASSERT(at(out, "kb/faq-7:2-2:") == 0);
	free(out);
	/* schema: mode is bm25 only, query required */
	out = fixture_call(&f, "search",
			   "{\"query\":\"x\",\"mode\":\"vector\"}", &is_error);
	CU_ASSERT_EQUAL(is_error, -1);
	CU_ASSERT(at(out, "mode") >= 0);
	free(out);
	out = fixture_call(&f, "search", "{}", &is_error);
	CU_ASSERT_EQUAL(is_error, -1);
	free(out);
	fixture_close(&f);
}

static void test_tools_config(void)
{
	struct fixture f;
	int is_error;
	char *out;

	/* no search: section, no search tools; grep may take the name */
	CU_ASSERT_EQUAL_FATAL(fixture_open(&f,
					   "tools:\n"
					   "  grep: { name: search }\n",
					   0),
			      0);
	CU_ASSERT(fixture_has_tool(&f, "search")); /* that is grep */
	CU_ASSERT(!fixture_has_tool(&f, "index"));
	fixture_close(&f);

	CU_ASSERT_EQUAL_FATAL(fixture_open(&f,
					   SEARCH_YAML "tools:\n"
						       "  search: { name: "
						       "find_text }\n"
						       "  index: { enabled: "
						       "false }\n",
					   0),
			      0);
	CU_ASSERT(fixture_has_tool(&f, "find_text"));
	CU_ASSERT(!fixture_has_tool(&f, "search"));
	CU_ASSERT(!fixture_has_tool(&f, "index"));
	tree(&f);
	out = fixture_call(&f, "find_text", "{\"query\":\"needle\"}",
			   &is_error);
	CU_ASSERT_EQUAL(is_error, 0);
	CU_ASSERT(at(out, "/docs/long.md:47-47:") == 0);
	free(out);
	fixture_close(&f);
}

static void test_config_errors(void)
{
	fixture_config_error("search:\n  mode: fuzzy\n", "must be 'bm25'");
	fixture_config_error("search:\n  max_chunk_chars: 5\n",
			     "'max_chunk_chars' of 'search' is out of range");
	fixture_config_error("search:\n  overlap_lines: -1\n",
			     "'overlap_lines' of 'search' is out of range");
	fixture_config_error("search:\n  max_file_size: 1GiB\n",
			     "1KiB to 256MiB");
	fixture_config_error("search:\n  auto_index_path: [/]\n",
			     "did you mean 'auto_index_paths'");
	fixture_config_error("search:\n  auto_index_paths: [\"../up\"]\n",
			     "'auto_index_paths': '../up'");
	fixture_config_error("search:\n  auto_index_paths: { a: b }\n",
			     "must be a list of paths or globs");
	fixture_config_error("search: [1]\n", "'search' must be a mapping");
}

static CU_TestInfo tests[] = {
	{"SQLite loaded on first use", test_sqlite_on_first_use},
	{"index and rank", test_index_and_rank},
	{"changes through wsp", test_changes_through_wsp},
	{"changes by commands", test_changes_by_commands},
	{"index tool", test_index_tool},
	{"tools config", test_tools_config},
	{"config errors", test_config_errors},
	CU_TEST_INFO_NULL,
};

CU_MAIN("search", tests)
