/*
 * tests/tools/test_lsp_tools.c - language servers of the tool layer
 * (docs/lsp.md) with Debian's real clangd and pylsp: diagnostics appended
 * to write_file and edit_file, lsp_inspect's hover, definition and
 * references, a killed server started again, the lsp: section's tools
 * renamed or disabled, a run under bubblewrap; and with fake_lsp.py the
 * bounds: a server that never answers, one that floods diagnostics.
 */
#include "cu_main.h"
#include "fixture.h"

#include <cjson/cJSON.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "test_wait.h"

#define FAKE WSP_TEST_SRC_DIR "/fake_lsp.py"

static struct fixture fx;
static int e;

static const char lsp_yaml[] = "lsp:\n  servers: [clangd, pylsp]\n";

static const char bad_c[] =
	"int add(int a, int b) { return a + b; }\\n"
	"int main(void) { return add(1, undeclared_x); }\\n";

static char *run(const char *tool, const char *args)
{
	return fixture_call(&fx, tool, args, &e);
}

/* out starts with lit (printed when not, to see what came instead) */
static int starts(const char *out, const char *lit)
{
	if (out && !strncmp(out, lit, strlen(lit)))
		return 1;
	fprintf(stderr, "got: [%s]\n", out ? out : "(null)");
	return 0;
}

static void test_clangd_diagnostics(void)
{
	char args[512], *out;

	CU_ASSERT_EQUAL_FATAL(fixture_open(&fx, lsp_yaml, 0), 0);
	snprintf(args, sizeof(args),
		 "{\"path\":\"src/main.c\",\"content\":\"%s\"}", bad_c);
	out = run("write_file", args);
	CU_ASSERT_EQUAL(e, 0);
	CU_ASSERT(starts(out, "Wrote 88 bytes to src/main.c\n\n"
			      "LSP Diagnostics:\nErrors:\n  2:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out,
				      "2:32 - Use of undeclared identifier "
				      "'undeclared_x' [clang]"));
	free(out);
	/* fixed: no diagnostics, nothing appended */
	out = run("edit_file", "{\"path\":\"src/main.c\",\"old_string\":"
			       "\"undeclared_x\",\"new_string\":\"2\"}");
	CU_ASSERT_EQUAL(e, 0);
	CU_ASSERT_STRING_EQUAL(
		out, "Replaced 1 occurrence in src/main.c (lines 2-2)");
	free(out);
	/* a file no server takes */
	out = run("write_file", "{\"path\":\"notes.txt\",\"content\":\"x\"}");
	CU_ASSERT_STRING_EQUAL(out, "Wrote 1 bytes to notes.txt");
	free(out);
	fixture_close(&fx);
}

static void test_pylsp_diagnostics(void)
{
	char *out;

	CU_ASSERT_EQUAL_FATAL(fixture_open(&fx, lsp_yaml, 0), 0);
	out = run("write_file",
		  "{\"path\":\"app/b.py\",\"content\":\"import os\\n\\n"
		  "def f(x):\\n    return x + undefined_name\\n\"}");
	CU_ASSERT_EQUAL(e, 0);
	starts(out, "Wrote 51 bytes to app/b.py\n\nLSP Diagnostics:\n");
	CU_ASSERT_STRING_EQUAL(
		out, "Wrote 51 bytes to app/b.py\n\nLSP Diagnostics:\n"
		     "Errors:\n  4:16 - undefined name 'undefined_name' "
		     "[pyflakes]\nWarnings:\n  1:1 - 'os' imported but unused "
		     "[pyflakes]");
	free(out);
	out = run("edit_file", "{\"path\":\"app/b.py\",\"old_string\":"
			       "\"import os\\n\",\"new_string\":\"\"}");
	CU_ASSERT_EQUAL(e, 0);
	CU_ASSERT_STRING_EQUAL(
		out, "Replaced 1 occurrence in app/b.py (lines 1-1)\n\n"
		     "LSP Diagnostics:\nErrors:\n  3:16 - undefined name "
		     "'undefined_name' [pyflakes]");
	free(out);
	fixture_close(&fx);
}

static void test_inspect(void)
{
	char *out;

	CU_ASSERT_EQUAL_FATAL(fixture_open(&fx, lsp_yaml, 0), 0);
	fixture_write(&fx, "src/m.c",
		      "int add(int a, int b) { return a + b; }\n"
		      "int main(void) { return add(1, 2) + add(3, 4); }\n");
	out = run("lsp_inspect",
		  "{\"path\":\"src/m.c\",\"line\":2,\"match\":\"int main(void) "
		  "{ return <<<add(1, 2) + add(3, 4); }\"}");
	CU_ASSERT_EQUAL(e, 0);
	CU_ASSERT(starts(out, "{\"path\":\"/src/m.c\",\"hover\":{"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "int add(int a, int b)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out,
				      "\"definition\":[{\"path\":\"/src/m.c\","
				      "\"line\":1,\"character\":5}]"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(out, "\"references\":[{\"path\":\"/src/m.c\","
			    "\"line\":2,\"character\":25},{\"path\":"
			    "\"/src/m.c\",\"line\":2,\"character\":37}]"));
	free(out);
	/* Python, the marker in the middle of the name */
	fixture_write(&fx, "p.py",
		      "def greet(name):\n    return name\n\n"
		      "greet('x')\n");
	out = run("lsp_inspect", "{\"path\":\"p.py\",\"line\":4,"
				 "\"match\":\"gre<<<et('x')\"}");
	CU_ASSERT_EQUAL(e, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "greet(name)"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(out, "\"definition\":[{\"path\":\"/p.py\",\"line\":1,"
			    "\"character\":5}]"));
	free(out);
	out = run("lsp_inspect",
		  "{\"path\":\"p.py\",\"line\":4,\"match\":\"greet('x')\"}");
	CU_ASSERT_EQUAL(e, 1);
	CU_ASSERT_STRING_EQUAL(out, "No <<< cursor marker found in match");
	free(out);
	out = run("lsp_inspect", "{\"path\":\"p.py\",\"line\":4,"
				 "\"match\":\"<<<greet(<<<'x')\"}");
	CU_ASSERT_STRING_EQUAL(
		out, "Multiple <<< markers found (found 2, expected 1)");
	free(out);
	fixture_write(&fx, "n.txt", "hello\n");
	out = run("lsp_inspect",
		  "{\"path\":\"n.txt\",\"line\":1,\"match\":\"<<<hello\"}");
	CU_ASSERT_EQUAL(e, 1);
	CU_ASSERT_STRING_EQUAL(out, "No language server available for files "
				    "of this type: n.txt");
	free(out);
	out = run("lsp_inspect",
		  "{\"path\":\"p.py\",\"line\":9,\"match\":\"<<<x\"}");
	CU_ASSERT_STRING_EQUAL(out, "Error: line 9 is past the end of 'p.py'");
	free(out);
	fixture_close(&fx);
}

struct found {
	char id[WSP_PROC_ID_MAX];
	int n;
};

static int find_clangd(const char *id, const char *command,
		       const wsp_proc_status *st, void *p)
{
	struct found *f = p;

	if (strstr(command, "clangd") && st->state == WSP_PROC_RUNNING) {
		snprintf(f->id, sizeof(f->id), "%s", id);
		f->n++;
	}
	return 0;
}

static void test_restart(void)
{
	struct found a = {"", 0}, b = {"", 0};
	wsp_proc_status st;
	char args[512], *out;
	wsp_error err;

	CU_ASSERT_EQUAL_FATAL(fixture_open(&fx, lsp_yaml, 0), 0);
	snprintf(args, sizeof(args), "{\"path\":\"k.c\",\"content\":\"%s\"}",
		 bad_c);
	out = run("write_file", args);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "undeclared_x"));
	free(out);
	CU_ASSERT_EQUAL(wsp_proc_list(fx.ws, NULL, find_clangd, &a, &err), 0);
	CU_ASSERT_EQUAL_FATAL(a.n, 1);
	CU_ASSERT_EQUAL(wsp_proc_signal(fx.ws, NULL, a.id, SIGKILL, &err), 0);
	memset(&st, 0, sizeof(st));
	st.struct_size = sizeof(st);
	CU_ASSERT_EQUAL(wsp_proc_wait(&st, fx.ws, NULL, a.id, 10000, &err), 0);
	CU_ASSERT_EQUAL(st.state, WSP_PROC_SIGNALED);
	/* the next write starts it again and still gets the diagnostics */
	out = run("write_file", args);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "Use of undeclared identifier"));
	free(out);
	CU_ASSERT_EQUAL(wsp_proc_list(fx.ws, NULL, find_clangd, &b, &err), 0);
	CU_ASSERT_EQUAL(b.n, 1);
	CU_ASSERT_STRING_NOT_EQUAL(a.id, b.id);
	/* closing the tool set released the server */
	CU_ASSERT_EQUAL_FATAL(fixture_reopen(&fx, lsp_yaml, 0), 0);
	memset(&b, 0, sizeof(b));
	CU_ASSERT_EQUAL(wsp_proc_list(fx.ws, NULL, find_clangd, &b, &err), 0);
	CU_ASSERT_EQUAL(b.n, 0);
	fixture_close(&fx);
}

static void test_hang_bounded(void)
{
	int64_t t0;
	char *out;

	CU_ASSERT_EQUAL_FATAL(
		fixture_open(&fx,
			     "lsp:\n  init_timeout: 1s\n"
			     "  diagnostic_timeout: 1s\n  servers:\n"
			     "    hang: { command: [python3, " FAKE ", hang], "
			     "file_types: [hang] }\n",
			     0),
		0);
	t0 = test_now_ms();
	out = run("write_file", "{\"path\":\"x.hang\",\"content\":\"abc\"}");
	CU_ASSERT_EQUAL(e, 0);
	CU_ASSERT_STRING_EQUAL(out, "Wrote 3 bytes to x.hang");
	CU_ASSERT(test_now_ms() - t0 < 4000);
	free(out);
	out = run("lsp_inspect",
		  "{\"path\":\"x.hang\",\"line\":1,\"match\":\"<<<abc\"}");
	CU_ASSERT_EQUAL(e, 1);
	CU_ASSERT_STRING_EQUAL(out, "LSP query failed: hang did not answer "
				    "in time");
	free(out);
	CU_ASSERT(test_now_ms() - t0 < 8000);
	fixture_close(&fx);
}

static void test_flood_bounded(void)
{
	char *out, *tail;

	CU_ASSERT_EQUAL_FATAL(
		fixture_open(&fx,
			     "lsp:\n  max_diagnostic_chars: 500\n  servers:\n"
			     "    flood: { command: [python3, " FAKE
			     ", flood], "
			     "file_types: [fl] }\n",
			     0),
		0);
	out = run("write_file", "{\"path\":\"x.fl\",\"content\":\"abc\"}");
	CU_ASSERT_EQUAL(e, 0);
	CU_ASSERT(starts(out, "Wrote 3 bytes to x.fl\n\nLSP Diagnostics:"
			      "\nErrors:\n  1:1 - problem number 0 [fake]\n"));
	tail = "\n  ... (truncated)";
	CU_ASSERT(strlen(out) <= 21 + 500 + strlen(tail));
	CU_ASSERT(strlen(out) > 21 + 400);
	CU_ASSERT_STRING_EQUAL(out + strlen(out) - strlen(tail), tail);
	free(out);
	fixture_close(&fx);
}

static void test_tools_config(void)
{
	CU_ASSERT_EQUAL_FATAL(fixture_open(&fx, NULL, 0), 0);
	CU_ASSERT(!fixture_has_tool(&fx, "lsp_inspect"));
	CU_ASSERT_EQUAL_FATAL(fixture_reopen(&fx, lsp_yaml, 0), 0);
	CU_ASSERT(fixture_has_tool(&fx, "lsp_inspect"));
	CU_ASSERT_EQUAL_FATAL(
		fixture_reopen(&fx,
			       "lsp: { servers: [pylsp] }\n"
			       "tools:\n  lsp_inspect: { name: inspect }\n",
			       0),
		0);
	CU_ASSERT(!fixture_has_tool(&fx, "lsp_inspect"));
	CU_ASSERT(fixture_has_tool(&fx, "inspect"));
	CU_ASSERT_EQUAL_FATAL(
		fixture_reopen(&fx,
			       "lsp: { servers: [pylsp] }\n"
			       "tools:\n  lsp_inspect: { enabled: false }\n",
			       0),
		0);
	CU_ASSERT(!fixture_has_tool(&fx, "lsp_inspect"));
	/* the name is free without an lsp: section, taken with one */
	CU_ASSERT_EQUAL(
		fixture_reopen(&fx, "tools:\n  grep: { name: lsp_inspect }\n",
			       0),
		0);
	CU_ASSERT(fixture_has_tool(&fx, "lsp_inspect"));
	CU_ASSERT_EQUAL(
		fixture_reopen(&fx,
			       "lsp: { servers: [pylsp] }\n"
			       "tools:\n  grep: { name: lsp_inspect }\n",
			       0),
		WSP_ECONFIG);
	fixture_close(&fx);
}

static void test_config_errors(void)
{
	wsp_open_opts o = WSP_OPEN_OPTS_INIT;
	wsp_workspace *ws = NULL;
	wsp_error err;

	o.config_text = "lsp:\n  servers: [clangd, mystery]\n"
			"  diagnostic_timeout: forever\n";
	o.config_name = "<test>";
	o.plugin_path = WSP_TEST_PLUGIN_DIR;
	CU_ASSERT_EQUAL(wsp_workspace_open(&ws, &o, &err), WSP_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "<test>:2:"));
	wsp_workspace_close(ws);
}

static int collect(const void *data, size_t len, void *p)
{
	char **s = p;
	size_t have = *s ? strlen(*s) : 0;
	char *n = realloc(*s, have + len + 1);

	if (!n)
		return WSP_ENOMEM;
	memcpy(n + have, data, len);
	n[have + len] = '\0';
	*s = n;
	return 0;
}

/* config show: presets expanded, defaults filled in, overrides kept. */
static void test_config_show(void)
{
	wsp_error err;
	char *json = NULL;
	cJSON *root, *want;

	CU_ASSERT_EQUAL_FATAL(
		fixture_open(&fx,
			     "lsp:\n  diagnostic_timeout: 2s\n  servers:\n"
			     "    pylsp: {}\n"
			     "    mine: { command: my-ls --stdio, file_types: "
			     "[.foo], language_id: foo }\n",
			     0),
		0);
	CU_ASSERT_EQUAL(wsp_workspace_config_show(fx.ws, WSP_SHOW_JSON, collect,
						  &json, &err),
			0);
	root = cJSON_Parse(json ? json : "");
	want = cJSON_Parse(
		"{\"servers\":{\"pylsp\":{\"command\":[\"pylsp\"],"
		"\"file_types\":[\"py\",\"pyi\"]},\"mine\":{\"command\":"
		"[\"my-ls\",\"--stdio\"],\"file_types\":[\"foo\"],"
		"\"language_id\":\"foo\"}},\"init_timeout\":\"15s\","
		"\"diagnostic_timeout\":\"2s\",\"max_diagnostic_chars\":2000}");
	CU_ASSERT(cJSON_Compare(cJSON_GetObjectItem(root, "lsp"), want, 1));
	cJSON_Delete(root);
	cJSON_Delete(want);
	free(json);
	fixture_close(&fx);
}

/* Under bubblewrap: the server sees the files at the same paths. */
static void test_bwrap(void)
{
	wsp_tools_opts to = WSP_TOOLS_OPTS_INIT;
	wsp_error err;
	char *out;

	CU_ASSERT_EQUAL_FATAL(fixture_open(&fx, lsp_yaml, 0), 0);
	wsp_tools_close(fx.tools);
	fx.tools = NULL;
	if (wsp_sandbox_set_option(fx.ws, "isolation", "bwrap", &err)) {
		CU_FAIL("cannot choose bwrap");
		fixture_close(&fx);
		return;
	}
	CU_ASSERT_EQUAL_FATAL(wsp_tools_open(&fx.tools, fx.ws, &to, &err), 0);
	out = run("write_file",
		  "{\"path\":\"q.py\",\"content\":\"print(missing)\\n\"}");
	CU_ASSERT_STRING_EQUAL(out, "Wrote 15 bytes to q.py\n\nLSP Diagnostics:"
				    "\nErrors:\n  1:7 - undefined name "
				    "'missing' [pyflakes]");
	free(out);
	wsp_tools_close(fx.tools);
	fx.tools = NULL;
	wsp_sandbox_stop(fx.ws, NULL, &err);
	fixture_close(&fx);
}

static CU_TestInfo tests[] = {
	{"clangd diagnostics after write and edit", test_clangd_diagnostics},
	{"pylsp diagnostics after write and edit", test_pylsp_diagnostics},
	{"lsp_inspect hover, definition, references", test_inspect},
	{"a killed server is started again", test_restart},
	{"a server that never answers costs a bounded wait", test_hang_bounded},
	{"diagnostics text is bounded", test_flood_bounded},
	{"tools: rename and disable lsp_inspect", test_tools_config},
	{"lsp: section errors", test_config_errors},
	{"config show prints the lsp: section", test_config_show},
	{"under bubblewrap", test_bwrap},
	CU_TEST_INFO_NULL,
};

CU_MAIN("lsp_tools", tests)
