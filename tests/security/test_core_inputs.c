/*
 * tests/security/test_core_inputs.c - untrusted input through the real
 * CLI (`wsp tool`, `wsp fs`) and MCP (`wsp mcp`) (docs/security.md,
 * "Inputs, secrets and plugins"): a NUL in a JSON string is refused, not
 * truncated; quoted paths carry no terminal escapes; a regex cut short by
 * the engine's limit says so; a link out of the workspace can be deleted
 * (never its target); a move across mounts that cannot finish changes
 * nothing.
 */
#include "testutil.h"
#include "test_files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dir, *out, *err;

static int run(const char *const *argv)
{
	return tu_run_wsp(argv, dir, "ws", NULL, &out, &err);
}

static int tool(const char *name, const char *args)
{
	const char *argv[] = { WSP_CLI, "tool", name, args, NULL };

	return run(argv);
}

static const char *at(const char *rel)
{
	static char buf[4][1024];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, rel);
	return buf[i];
}

static void test_nul_refused(void)
{
	CU_ASSERT_EQUAL(tool("read_file", "{\"path\":\"in.txt\\u0000/../..\"}"),
			2);
	TU_ASSERT_CONTAINS(err, "NUL character");
	TU_ASSERT_LACKS(out, "inside");
	CU_ASSERT_EQUAL(tool("write_file", "{\"path\":\"new.txt\\u0000.sh\","
				       "\"content\":\"x\"}"),
			2);
	CU_ASSERT_EQUAL(access(at("ws/files/new.txt"), F_OK), -1);
}

static void test_mcp_nul_refused(void)
{
	const char *argv[] = {
		"/bin/sh", "-c",
		"printf '%s\\n' "
		"'{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
		"\"params\":{\"protocolVersion\":\"2025-06-18\","
		"\"capabilities\":{},\"clientInfo\":{\"name\":\"t\","
		"\"version\":\"1\"}}}' "
		"'{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}' "
		"'{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
		"\"params\":{\"name\":\"read_file\",\"arguments\":"
		"{\"path\":\"in.txt\\u0000/../..\"}}}' "
		"'{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\","
		"\"params\":{\"name\":\"read_file\",\"arguments\":"
		"{\"path\":\"x\\u001b[31m\"}}}' | \"$0\" mcp",
		WSP_CLI, NULL
	};

	CU_ASSERT_EQUAL(run(argv), 0);
	TU_ASSERT_CONTAINS(out, "\"id\":2,\"error\":{\"code\":-32602");
	TU_ASSERT_CONTAINS(out, "NUL character");
	TU_ASSERT_LACKS(out, "inside");
	TU_ASSERT_CONTAINS(out, "x\\\\x1b[31m");
	TU_ASSERT_LACKS(out, "\\u001b");
}

static void test_escapes_escaped(void)
{
	CU_ASSERT_EQUAL(tool("read_file", "{\"path\":\"a\\u001b]0;owned\\u0007"
					  "\\u001b[2J\"}"),
			1);
	TU_ASSERT_CONTAINS(out, "a\\x1b]0;owned\\x07\\x1b[2J");
	CU_ASSERT_PTR_NULL(strchr(out, '\033'));
	CU_ASSERT_PTR_NULL(strchr(err, '\033'));
	CU_ASSERT_PTR_NULL(strchr(out, '\a'));
}

static void test_grep_cut_short(void)
{
	tu_write(at("ws/files/re.txt"),
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!c\n");
	CU_ASSERT_EQUAL(tool("grep", "{\"pattern\":\"^(a|a)*c\","
				     "\"path\":\"re.txt\"}"),
			0);
	TU_ASSERT_CONTAINS(out, "search cut short");
	TU_ASSERT_CONTAINS(out, "backtracking limit on 1 line");
}

static void test_delete_link_out(void)
{
	tu_write(at("outside.txt"), "keep\n");
	CU_ASSERT_EQUAL(symlink(at("outside.txt"), at("ws/files/out-link")), 0);
	CU_ASSERT_EQUAL(symlink(dir, at("ws/files/out-dir")), 0);
	CU_ASSERT_EQUAL(tool("delete", "{\"path\":\"out-link\"}"), 0);
	TU_ASSERT_CONTAINS(out, "Deleted out-link");
	CU_ASSERT_EQUAL(tool("delete", "{\"path\":\"out-dir\","
				       "\"recursive\":true}"),
			0);
	CU_ASSERT_EQUAL(access(at("outside.txt"), F_OK), 0);
	CU_ASSERT_EQUAL(access(at("ws/files/in.txt"), F_OK), 0);
	CU_ASSERT_EQUAL(access(at("ws/files/out-dir"), F_OK), -1);
	/* Reading through the link stays refused (containment). */
	CU_ASSERT_EQUAL(symlink(at("outside.txt"), at("ws/files/out-link")), 0);
	CU_ASSERT_EQUAL(tool("read_file", "{\"path\":\"out-link\"}"), 1);
	TU_ASSERT_LACKS(out, "keep");
	CU_ASSERT_EQUAL(unlink(at("ws/files/out-link")), 0);
}

static void test_move_all_or_nothing(void)
{
	const char *mv[] = { WSP_CLI, "fs", "mv", "/tree", "/other/tree",
			     NULL };

	CU_ASSERT_EQUAL(mkdir(at("ws/files/tree"), 0755), 0);
	CU_ASSERT_EQUAL(mkdir(at("ws/files/tree/sub"), 0755), 0);
	tu_write(at("ws/files/tree/a.txt"), "a\n");
	tu_write(at("ws/files/tree/sub/b.txt"), "b\n");
	tu_write(at("ws/files/tree/zz.txt"), "z\n");
	CU_ASSERT_EQUAL(symlink(at("outside.txt"), at("ws/files/tree/m-link")),
			0);
	CU_ASSERT_EQUAL(run(mv), 1);
	TU_ASSERT_CONTAINS(err, "nothing was changed");
	CU_ASSERT_EQUAL(access(at("ws/other/tree"), F_OK), -1);
	CU_ASSERT_EQUAL(access(at("ws/files/tree/zz.txt"), F_OK), 0);
	CU_ASSERT_EQUAL(access(at("ws/files/tree/sub/b.txt"), F_OK), 0);
	CU_ASSERT_EQUAL(tool("delete", "{\"path\":\"tree/m-link\"}"), 0);
	CU_ASSERT_EQUAL(access(at("outside.txt"), F_OK), 0);
	CU_ASSERT_EQUAL(run(mv), 0);
	CU_ASSERT_EQUAL(access(at("ws/other/tree/sub/b.txt"), F_OK), 0);
	CU_ASSERT_EQUAL(access(at("ws/files/tree"), F_OK), -1);
}

static const CU_TestInfo tests[] = {
	{ "a NUL in a JSON path is refused", test_nul_refused },
	{ "MCP: a NUL is refused, escapes escaped", test_mcp_nul_refused },
	{ "terminal escapes in a quoted path are escaped",
	  test_escapes_escaped },
	{ "grep cut short by the regex limit says so", test_grep_cut_short },
	{ "a link out of the workspace is deleted, not its target",
	  test_delete_link_out },
	{ "a move across mounts is all or nothing",
	  test_move_all_or_nothing },
	CU_TEST_INFO_NULL,
};

/* The workspace the tests use: two local mounts, a file in the first. */
static int prepare(void)
{
	return mkdir(at("ws"), 0755) || mkdir(at("ws/files"), 0755) ||
	       mkdir(at("ws/other"), 0755) ||
	       test_write_text(
		       at("ws/wsp.yaml"),
		       "mounts:\n"
		       "  /: {provider: local, options: {base_path: ./files}}\n"
		       "  /other: {provider: local, options: {base_path: "
		       "./other}}\n") ||
	       test_write_text(at("ws/files/in.txt"), "inside\n");
}

int main(void)
{
	return tu_main_in_tmpdir("security_core_inputs", tests, &dir, prepare,
				 &out, &err);
}
