/*
 * tests/security/test_core_secrets.c - a secret never reaches what wsp
 * prints (docs/security.md, "Inputs, secrets and plugins"). One ${VAR}
 * feeds the s3 mount's secret_access_key, its endpoint and the local
 * sandbox's env: `wsp config show` (text and --json), errors of the CLI,
 * of a tool (through `wsp tool` and `wsp mcp`), of a bad option and the
 * debug log must not hold the value.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECRET "madeupsecret0value"

static char *dir, *out, *err;

/* argv run in dir with the secret in SECRET_KEY; out, err, exit code. */
static int run(const char *const *argv)
{
	return tu_run_wsp(argv, dir, NULL, "SECRET_KEY=" SECRET, &out, &err);
}

static int wsp(const char *a1, const char *a2, const char *a3, const char *a4,
	       const char *a5)
{
	const char *argv[] = {WSP_CLI, a1, a2, a3, a4, a5, NULL};

	return run(argv);
}

static void config(const char *extra)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "sandbox:\n  provider: local\n  options:\n"
		 "    isolation: none\n"
		 "    env: {API_KEY: \"${SECRET_KEY}\"}\n"
		 "mounts:\n  /data:\n    provider: s3\n    options:\n"
		 "      bucket: made-up-bucket\n"
		 "      endpoint: \"http://${SECRET_KEY}.invalid:9\"\n"
		 "      access_key_id: MADEUPKEYID\n"
		 "      secret_access_key: \"${SECRET_KEY}\"\n%s",
		 extra);
	tu_write(tu_path(dir, "wsp.yaml"), text);
}

static void no_secret(void)
{
	TU_ASSERT_LACKS(out, SECRET);
	TU_ASSERT_LACKS(err, SECRET);
}

static void test_config_show(void)
{
	config("");
	CU_ASSERT_EQUAL(wsp("config", "show", NULL, NULL, NULL), 0);
	TU_ASSERT_CONTAINS(out, "API_KEY: \"********\"");
	TU_ASSERT_CONTAINS(out, "endpoint: \"http://********.invalid:9\"");
	no_secret();
	CU_ASSERT_EQUAL(wsp("--json", "config", "show", NULL, NULL), 0);
	TU_ASSERT_CONTAINS(out, "\"API_KEY\":\t\"********\"");
	no_secret();
	/* The sections that are no provider's options: lsp:, search:. */
	config("lsp:\n  servers:\n    gopls: {command: [gopls, "
	       "\"--token=${SECRET_KEY}\"], file_types: [go]}\n"
	       "search:\n  auto_index_paths: [\"/${SECRET_KEY}\"]\n");
	CU_ASSERT_EQUAL(wsp("config", "show", NULL, NULL, NULL), 0);
	TU_ASSERT_CONTAINS(out, "--token=********");
	TU_ASSERT_CONTAINS(out, "\"/********\"");
	no_secret();
	CU_ASSERT_EQUAL(wsp("--json", "config", "show", NULL, NULL), 0);
	TU_ASSERT_CONTAINS(out, "--token=********");
	no_secret();
}

static void test_errors(void)
{
	config("");
	/* The endpoint cannot be reached: the error names it. */
	CU_ASSERT_EQUAL(wsp("fs", "ls", "/data", NULL, NULL), 1);
	TU_ASSERT_CONTAINS(err, ".invalid");
	no_secret();
	CU_ASSERT_EQUAL(wsp("-v", "--json", "fs", "ls", "/data"), 1);
	no_secret();
	CU_ASSERT_EQUAL(
		wsp("tool", "list_files", "{\"path\":\"/data\"}", NULL, NULL),
		1);
	TU_ASSERT_CONTAINS(out, ".invalid");
	no_secret();
	/* An option that quotes its bad value. */
	config("      force_path_style: \"${SECRET_KEY}\"\n");
	CU_ASSERT_EQUAL(wsp("config", "show", NULL, NULL, NULL), 1);
	TU_ASSERT_CONTAINS(err, "force_path_style");
	no_secret();
	CU_ASSERT_EQUAL(wsp("config", "check", NULL, NULL, NULL), 1);
	TU_ASSERT_CONTAINS(err, "force_path_style");
	no_secret();
	/* The sandbox alone, with the debug log: it learns the mount's. */
	config("");
	CU_ASSERT_EQUAL(wsp("-v", "exec", "--", "true", NULL), 0);
	no_secret();
}

/*
 * Through MCP: a tool's error (the unreachable endpoint) and the debug log
 * on stderr (-v) name the endpoint's host, never the secret in it.
 */
static void test_mcp(void)
{
	const char *argv[] = {
		"/bin/sh", "-c",
		"{ printf '%s\\n' "
		"'{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
		"\"params\":{\"protocolVersion\":\"2025-06-18\","
		"\"capabilities\":{},\"clientInfo\":{\"name\":\"t\","
		"\"version\":\"1\"}}}' "
		"'{\"jsonrpc\":\"2.0\",\"method\":\"notifications/"
		"initialized\"}' "
		"'{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
		"\"params\":{\"name\":\"list_files\",\"arguments\":"
		"{\"path\":\"/data\"}}}'; "
		/* stdin open until the answer (at its end a call is canceled)
		 */
		"i=0; while [ $i -lt 150 ] && "
		"! grep -qs '\"id\":2' mcp.out; do sleep 0.1; i=$((i + 1)); "
		"done; } | \"$0\" -v mcp > mcp.out; cat mcp.out",
		WSP_CLI, NULL};

	config("");
	CU_ASSERT_EQUAL(run(argv), 0);
	TU_ASSERT_CONTAINS(out, "\"id\":2");
	TU_ASSERT_CONTAINS(out, ".invalid");
	no_secret();
}

static const CU_TestInfo tests[] = {
	{"config show masks a secret in every option", test_config_show},
	{"errors and logs never hold a secret", test_errors},
	{"MCP: tool errors and the log never hold a secret", test_mcp},
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return tu_main_in_tmpdir("security_core_secrets", tests, &dir, NULL,
				 &out, &err);
}
