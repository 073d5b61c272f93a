/*
 * tests/ext/test_ext_tools.c - extension operations as tools (the
 * `tools:` section's target/op entries): the schema each signature gives,
 * calls of every argument type, the provider's own failures as tool
 * errors, refused arguments, approval, configuration errors, and that
 * opening, listing and the instructions never start a provider (the
 * sandbox's process tools come from its descriptor); the first call that
 * needs one does, once.
 *
 * usage: test_ext_tools FIXTURE_DIR   (the fixtures of test_ext)
 */
#include <wsp/wsp.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cu_main.h"
#include "test_files.h"

static const char *fixture_dir;

/* An extdemo sandbox and an extfs root mount, then the tools section. */
static const char base[] = "sandbox:\n"
			   "  provider: extdemo\n"
			   "  id: dev-box\n"
			   "mounts:\n"
			   "  /:\n"
			   "    provider: extfs\n";

static const char exposed[] = "tools:\n"
			      "  echo_text:\n"
			      "    target: extdemo\n"
			      "    op: echo\n"
			      "  mix_all:\n"
			      "    target: extdemo\n"
			      "    op: mix\n"
			      "  add_up:\n"
			      "    target: extdemo\n"
			      "    op: sum\n"
			      "  bump:\n"
			      "    target: extdemo\n"
			      "    op: bump\n"
			      "    require_approval: true\n"
			      "  count:\n"
			      "    target: extdemo\n"
			      "    op: count\n"
			      "  fail_op:\n"
			      "    target: extdemo\n"
			      "    op: fail\n"
			      "  tag:\n"
			      "    target: /\n"
			      "    op: tag\n"
			      "    name: tag_root\n"
			      "  unused:\n"
			      "    target: extdemo\n"
			      "    op: echo\n"
			      "    enabled: false\n";

struct env {
	wsp_workspace *ws;
	wsp_tools *tools;
};

/* Open head + tools_yaml; 0 or the failing call's code (err says why). */
static int env_open_with(struct env *e, const char *head,
			 const char *tools_yaml, wsp_error *err)
{
	wsp_open_opts opts = WSP_OPEN_OPTS_INIT;
	char text[4096];
	int rc;

	memset(e, 0, sizeof(*e));
	memset(err, 0, sizeof(*err));
	snprintf(text, sizeof(text), "%s%s", head, tools_yaml);
	opts.config_text = text;
	opts.config_name = "<test>";
	opts.plugin_path = fixture_dir;
	rc = wsp_workspace_open(&e->ws, &opts, err);
	if (!rc)
		rc = wsp_tools_open(&e->tools, e->ws, NULL, err);
	return rc;
}

static int env_open(struct env *e, const char *tools_yaml, wsp_error *err)
{
	return env_open_with(e, base, tools_yaml, err);
}

static void env_close(struct env *e)
{
	wsp_tools_close(e->tools);
	wsp_workspace_close(e->ws);
	memset(e, 0, sizeof(*e));
}

/* The listed entry of tool name (owned by list), or NULL. */
static cJSON *listed(cJSON *list, const char *name)
{
	cJSON *t;

	cJSON_ArrayForEach(t, list)
	{
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(t, "name");

		if (cJSON_IsString(n) && !strcmp(n->valuestring, name))
			return t;
	}
	return NULL;
}

static void expect_schema(cJSON *list, const char *name, const char *schema,
			  const char *description)
{
	cJSON *t = listed(list, name), *want = cJSON_Parse(schema);
	const cJSON *got = cJSON_GetObjectItemCaseSensitive(t, "inputSchema");
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(t, "description");
	char *text;

	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	CU_ASSERT_PTR_NOT_NULL(t);
	CU_ASSERT(cJSON_Compare(got, want, 1));
	if (got && !cJSON_Compare(got, want, 1)) {
		text = cJSON_PrintUnformatted(got);
		fprintf(stderr, "\n%s: schema %s\n", name, text);
		free(text);
	}
	CU_ASSERT(cJSON_IsString(d));
	if (cJSON_IsString(d))
		CU_ASSERT_STRING_EQUAL(d->valuestring, description);
	cJSON_Delete(want);
}

#define INT_BOUNDS "\"minimum\":-9e15,\"maximum\":9e15"
#define NUM_BOUNDS "\"minimum\":-1e308,\"maximum\":1e308"
#define STR "{\"type\":\"string\",\"maxLength\":1048576}"
#define INT "{\"type\":\"integer\"," INT_BOUNDS "}"

static void test_schemas(void)
{
	struct env e;
	wsp_error err;
	wsp_tool_info info;
	cJSON *list;
	char *json = NULL;
	size_t i;
	int found = 0;

	CU_ASSERT_EQUAL_FATAL(env_open(&e, exposed, &err), 0);
	CU_ASSERT_EQUAL_FATAL(wsp_tools_list_json(&json, e.tools, &err), 0);
	list = cJSON_Parse(json);
	CU_ASSERT_PTR_NOT_NULL_FATAL(list);

	/* names from the help text ("TEXT: print TEXT back") */
	expect_schema(list, "echo_text",
		      "{\"type\":\"object\",\"properties\":{\"text\":" STR
		      "},\"required\":[\"text\"],"
		      "\"additionalProperties\":false}",
		      "Print TEXT back (extension operation 'echo' of "
		      "provider 'extdemo')");
	/* every type, bounded as the C type is */
	expect_schema(list, "mix_all",
		      "{\"type\":\"object\",\"properties\":{"
		      "\"n\":" INT ",\"text\":" STR ","
		      "\"x\":{\"type\":\"number\"," NUM_BOUNDS "},"
		      "\"flag\":{\"type\":\"boolean\"}},"
		      "\"required\":[\"n\",\"text\",\"x\",\"flag\"],"
		      "\"additionalProperties\":false}",
		      "Extension operation 'mix' of provider 'extdemo'.");
	/* no arguments: an empty object, and nothing else */
	expect_schema(list, "count",
		      "{\"type\":\"object\",\"properties\":{},"
		      "\"required\":[],\"additionalProperties\":false}",
		      "Extension operation 'count' of provider 'extdemo'.");
	/* help without names: arg1..argN; a mount target; renamed */
	expect_schema(list, "tag_root",
		      "{\"type\":\"object\",\"properties\":{"
		      "\"arg1\":" STR ",\"arg2\":" INT "},"
		      "\"required\":[\"arg1\",\"arg2\"],"
		      "\"additionalProperties\":false}",
		      "Label something with a number (extension operation "
		      "'tag' of provider 'extfs')");
	CU_ASSERT_PTR_NULL(listed(list, "tag"));
	CU_ASSERT_PTR_NULL(listed(list, "unused"));
	CU_ASSERT_PTR_NOT_NULL(listed(list, "add_up"));
	CU_ASSERT_PTR_NOT_NULL(listed(list, "fail_op"));
	cJSON_Delete(list);
	wsp_tools_free(json);

	/* wsp_tools_get: own name, exposed name, approval flag */
	for (i = 0; i < wsp_tools_count(e.tools); i++) {
		info.struct_size = sizeof(info);
		CU_ASSERT_EQUAL(wsp_tools_get(&info, e.tools, i), 0);
		if (!strcmp(info.name, "tag_root")) {
			CU_ASSERT_STRING_EQUAL(info.tool, "tag");
			CU_ASSERT_EQUAL(info.flags, 0);
			found++;
		} else if (!strcmp(info.name, "bump")) {
			CU_ASSERT_EQUAL(info.flags, WSP_TOOL_REQUIRE_APPROVAL);
			CU_ASSERT_PTR_NOT_NULL(strstr(info.input_schema,
						      "\"by\""));
			found++;
		}
	}
	CU_ASSERT_EQUAL(found, 2);
	env_close(&e);
}

/* Nothing is exposed unless the configuration names it. */
static void test_not_exposed_by_default(void)
{
	static const char *const ops[] = { "echo", "mix", "sum", "bump",
					   "count", "fail", "tag", NULL };
	wsp_tool_result r = { .struct_size = sizeof(r) };
	wsp_tool_info info;
	struct env e;
	wsp_error err;
	size_t i, j;

	CU_ASSERT_EQUAL_FATAL(env_open(&e, "", &err), 0);
	CU_ASSERT(wsp_tools_count(e.tools) > 0);
	for (i = 0; i < wsp_tools_count(e.tools); i++) {
		info.struct_size = sizeof(info);
		CU_ASSERT_EQUAL(wsp_tools_get(&info, e.tools, i), 0);
		for (j = 0; ops[j]; j++)
			CU_ASSERT_NOT_EQUAL(strcmp(info.tool, ops[j]), 0);
	}
	CU_ASSERT_EQUAL(wsp_tool_call(&r, e.tools, "echo", "{\"text\":\"x\"}",
				      NULL, &err),
			WSP_ENOTFOUND);
	env_close(&e);
}

/* Call name with args; the text (malloc'd), *is_error set; NULL if the
 * call itself was refused (*rc says how, err why). */
static char *run(struct env *e, const char *name, const char *args,
		 const wsp_tool_call_opts *o, int *is_error, int *rc,
		 wsp_error *err)
{
	wsp_tool_result r = { .struct_size = sizeof(r) };
	char *text = NULL;

	memset(err, 0, sizeof(*err));
	*rc = wsp_tool_call(&r, e->tools, name, args, o, err);
	*is_error = r.is_error;
	if (!*rc)
		text = strdup(r.text);
	wsp_tool_result_release(&r);
	return text;
}

static void expect_text(struct env *e, const char *name, const char *args,
			const wsp_tool_call_opts *o, int want_error,
			const char *want)
{
	wsp_error err;
	int is_error = -1, rc;
	char *text = run(e, name, args, o, &is_error, &rc, &err);

	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(is_error, want_error);
	CU_ASSERT_PTR_NOT_NULL(text);
	if (text)
		CU_ASSERT_STRING_EQUAL(text, want);
	if (rc || !text || strcmp(text, want))
		fprintf(stderr, "\n%s %s: rc %d, '%s' / '%s'\n", name, args,
			rc, text ? text : "", err.message);
	free(text);
}

static void expect_refused(struct env *e, const char *name, const char *args,
			   const char *message)
{
	wsp_error err;
	int is_error, rc;
	char *text = run(e, name, args, NULL, &is_error, &rc, &err);

	CU_ASSERT_EQUAL(rc, WSP_EINVAL);
	CU_ASSERT_PTR_NULL(text);
	CU_ASSERT_STRING_EQUAL(err.message, message);
	if (strcmp(err.message, message))
		fprintf(stderr, "\n%s %s: rc %d, '%s'\n", name, args, rc,
			err.message);
	free(text);
}

static int approve_answer;
static char approve_seen[256];

static int approve(const char *name, const char *args, void *payload)
{
	(void)payload;
	snprintf(approve_seen, sizeof(approve_seen), "%s %s", name, args);
	return approve_answer;
}

static void test_calls(void)
{
	wsp_tool_call_opts o = WSP_TOOL_CALL_OPTS_INIT;
	struct env e;
	wsp_error err;

	CU_ASSERT_EQUAL_FATAL(env_open(&e, exposed, &err), 0);
	expect_text(&e, "echo_text", "{\"text\":\"hello from dev-box\"}",
		    NULL, 0, "hello from dev-box");
	expect_text(&e, "mix_all",
		    "{\"flag\":true,\"x\":-0.25,\"text\":\"a b\","
		    "\"n\":-9000000000000000}",
		    NULL, 0, "n=-9000000000000000 text=a b x=-0.250 flag=1");
	/* more arguments than registers */
	expect_text(&e, "add_up",
		    "{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,"
		    "\"g\":7,\"h\":8,\"scale\":0.5}",
		    NULL, 0, "18.0");
	expect_text(&e, "tag_root", "{\"arg1\":\"release\",\"arg2\":42}", NULL,
		    0, "release#42");
	expect_text(&e, "count", "{}", NULL, 0, "dev-box:0");
	expect_text(&e, "count", NULL, NULL, 0, "dev-box:0");

	/* a failure is the tool's error, with the provider's message */
	expect_text(&e, "fail_op", "{}", NULL, 1,
		    "extension 'fail' of provider 'extdemo' failed: "
		    "service unavailable");

	/* approval: none available, refused, granted */
	expect_text(&e, "bump", "{\"by\":5}", NULL, 1,
		    "Tool 'bump' requires approval and no approver is "
		    "available; it did not run.");
	o.approve = approve;
	approve_answer = 0;
	expect_text(&e, "bump", "{\"by\":5}", &o, 1,
		    "Tool 'bump' was not approved by the user; it did not "
		    "run.");
	CU_ASSERT_STRING_EQUAL(approve_seen, "bump {\"by\":5}");
	expect_text(&e, "count", "{}", NULL, 0, "dev-box:0");
	approve_answer = 1;
	expect_text(&e, "bump", "{\"by\":5}", &o, 0, "ok");
	expect_text(&e, "count", "{}", NULL, 0, "dev-box:5");
	expect_text(&e, "bump", "{\"by\":-1}", &o, 1,
		    "bump: '-1' is negative; give a count of zero or more");
	expect_text(&e, "count", "{}", NULL, 0, "dev-box:5");
	env_close(&e);
}

/* Arguments the schema refuses: tool, arguments, message. */
static const char *const refusals[][3] = {
	{ "echo_text", "{\"text\":5}",
	  "'text' must be a string, not number" },
	{ "echo_text", "{}", "'text' is required" },
	{ "echo_text", "{\"text\":\"a\",\"more\":1}",
	  "'more' is not a known property" },
	{ "count", "{\"n\":1}", "'n' is not a known property" },
	{ "mix_all", "{\"n\":1.5,\"text\":\"\",\"x\":0,\"flag\":false}",
	  "'n' must be an integer, not number" },
	{ "mix_all", "{\"n\":1,\"text\":\"\",\"x\":0,\"flag\":\"yes\"}",
	  "'flag' must be a boolean, not string" },
	/* beyond what a JSON number holds exactly, or a double at all */
	{ "mix_all",
	  "{\"n\":9000000000000001,\"text\":\"\",\"x\":0,\"flag\":false}",
	  "'n' must be at most 9e+15" },
	{ "mix_all", "{\"n\":0,\"text\":\"\",\"x\":-1e400,\"flag\":false}",
	  "'x' must be at least -1e+308" },
	{ "tag_root", "{\"arg1\":\"x\",\"arg2\":null}",
	  "'arg2' must be an integer, not null" },
};

static void test_refused_arguments(void)
{
	struct env e;
	wsp_error err;
	char *big, message[256];
	size_t i, n = 1024 * 1024 + 1;

	CU_ASSERT_EQUAL_FATAL(env_open(&e, exposed, &err), 0);
	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		snprintf(message, sizeof(message),
			 "invalid arguments for '%s': %s", refusals[i][0],
			 refusals[i][2]);
		expect_refused(&e, refusals[i][0], refusals[i][1], message);
	}

	/* a string longer than the core takes */
	big = malloc(n + 16);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memcpy(big, "{\"text\":\"", 9);
	memset(big + 9, 'a', n);
	memcpy(big + 9 + n, "\"}", 3);
	{
		wsp_error e2;
		int is_error, rc;
		char *text = run(&e, "echo_text", big, NULL, &is_error, &rc,
				 &e2);

		CU_ASSERT_EQUAL(rc, WSP_EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(e2.message, "'text'"));
		free(text);
	}
	free(big);
	expect_text(&e, "count", "{}", NULL, 0, "dev-box:0");
	env_close(&e);
}

static void expect_config_error(const char *tools_yaml, int want_rc,
				const char *message)
{
	struct env e;
	wsp_error err;
	int rc = env_open(&e, tools_yaml, &err);

	CU_ASSERT_EQUAL(rc, want_rc);
	CU_ASSERT_PTR_NULL(e.tools);
	CU_ASSERT_STRING_EQUAL(err.message, message);
	env_close(&e);
}

static void test_config_errors(void)
{
	/* found when the tool set is built (the descriptor is read) */
	expect_config_error("tools:\n"
			    "  snap:\n"
			    "    target: extdemo\n"
			    "    op: chekpoint\n",
			    WSP_ECONFIG,
			    "<test>:8:3: tool 'snap': provider 'extdemo' has no "
			    "extension 'chekpoint'; it has: echo, mix, sum, "
			    "bump, count, fail");
	expect_config_error("tools:\n"
			    "  snap:\n"
			    "    target: dev-box\n"
			    "    op: echo\n",
			    WSP_ECONFIG,
			    "<test>:8:3: tool 'snap': no sandbox or mount uses "
			    "'dev-box'; name the sandbox's provider, a mount's "
			    "provider or a mount path (see 'wsp config show')");
	expect_config_error("tools:\n"
			    "  find_text:\n"
			    "    target: extdemo\n"
			    "    op: echo\n"
			    "    name: read_file\n",
			    WSP_ECONFIG,
			    "tools 'read_file' and 'find_text' are both named "
			    "'read_file'; rename one of them in the tools: "
			    "section");
	/* found when the configuration is read */
	expect_config_error("tools:\n"
			    "  snap:\n"
			    "    target: extdemo\n",
			    WSP_ECONFIG,
			    "<test>:8:3: tool 'snap' has no 'op'; name one of "
			    "the provider's extension operations ('wsp ext "
			    "TARGET' lists them)");
	expect_config_error("tools:\n"
			    "  snap:\n"
			    "    op: echo\n",
			    WSP_ECONFIG,
			    "<test>:8:3: tool 'snap' has no 'target'; name the "
			    "sandbox's provider, a mount's provider or a mount "
			    "path");
	expect_config_error("tools:\n"
			    "  snap:\n"
			    "    target: extdemo\n"
			    "    op: Echo It\n",
			    WSP_ECONFIG,
			    "<test>:10:9: bad extension operation name 'Echo "
			    "It'; 'wsp plugins' lists a provider's operations");
	expect_config_error("tools:\n"
			    "  read_file:\n"
			    "    target: extdemo\n"
			    "    op: echo\n",
			    WSP_ECONFIG,
			    "<test>:9:5: unknown key 'target' in tool "
			    "'read_file' (and 1 more)");
}

/* A bad signature: the provider is refused, so is the tool set. */
static void test_bad_signature(void)
{
	static const char cfg[] = "sandbox:\n"
				  "  provider: extbad\n"
				  "tools:\n"
				  "  echo:\n"
				  "    target: extbad\n"
				  "    op: echo\n";
	wsp_open_opts opts = WSP_OPEN_OPTS_INIT;
	wsp_workspace *ws = NULL;
	wsp_tools *tools = NULL;
	wsp_error err;

	opts.config_text = cfg;
	opts.config_name = "<test>";
	opts.plugin_path = fixture_dir;
	CU_ASSERT_EQUAL_FATAL(wsp_workspace_open(&ws, &opts, &err), 0);
	CU_ASSERT_EQUAL(wsp_tools_open(&tools, ws, NULL, &err), WSP_ECONFIG);
	CU_ASSERT_PTR_NULL(tools);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "<test>:4:3: tool 'echo'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "signature"));
	wsp_workspace_close(ws);
}

static void collect_line(const char *line, void *payload)
{
	char *all = payload;
	size_t n = strlen(all);

	snprintf(all + n, 4096 - n, "%s\n", line);
}

static size_t count_of(const char *text, const char *what)
{
	size_t n = 0;

	for (; (text = strstr(text, what)); text++)
		n++;
	return n;
}

/*
 * `wsp config check`: a provider that fails to load is one problem, at
 * the provider, not one more for each tool naming it; a tool's own
 * mistake is still reported.
 */
static void test_check_reports_provider_once(void)
{
	static const char cfg[] = "sandbox:\n"
				  "  provider: extbad\n"
				  "mounts:\n"
				  "  /:\n"
				  "    provider: extfs\n"
				  "tools:\n"
				  "  echo:\n"
				  "    target: extbad\n"
				  "    op: echo\n"
				  "  echo_again:\n"
				  "    target: extbad\n"
				  "    op: mix\n"
				  "  snap:\n"
				  "    target: /\n"
				  "    op: chekpoint\n";
	wsp_open_opts opts = WSP_OPEN_OPTS_INIT;
	char lines[4096] = "";
	wsp_error err;

	opts.config_text = cfg;
	opts.config_name = "<test>";
	opts.plugin_path = fixture_dir;
	CU_ASSERT_EQUAL(wsp_config_check(&opts, 0, collect_line, lines, &err),
			WSP_ECONFIG);
	CU_ASSERT_EQUAL(count_of(lines, "\n"), 2);
	CU_ASSERT_EQUAL(count_of(lines, "signature"), 1);
	CU_ASSERT_EQUAL(strncmp(lines, "<test>:2:13: ", 13), 0);
	CU_ASSERT_EQUAL(count_of(lines, "tool 'echo"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(lines, "<test>:13:3: tool 'snap': "
					     "provider 'extfs' has no "
					     "extension 'chekpoint'"));
	if (count_of(lines, "\n") != 2)
		fprintf(stderr, "\n%s", lines);
}

/* A fresh init log in log (cap bytes), named in $WSP_EXTDEMO_INIT_LOG. */
static void init_log_start(char *log, size_t cap)
{
	int fd;

	snprintf(log, cap, "/tmp/wsp-ext-tools-XXXXXX");
	fd = mkstemp(log);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	setenv("WSP_EXTDEMO_INIT_LOG", log, 1);
}

static void init_log_end(const char *log)
{
	unsetenv("WSP_EXTDEMO_INIT_LOG");
	unlink(log);
}

/* The instances started so far, one id a line, is exactly want. */
static void expect_started(const char *log, const char *want)
{
	char seen[256];

	test_read_text(log, seen, sizeof(seen));
	CU_ASSERT_STRING_EQUAL(seen, want);
	if (strcmp(seen, want))
		fprintf(stderr, "\nstarted '%s', expected '%s'\n", seen, want);
}

/* Every name of the set (tools/list and wsp_tools_get), as "a,b,". */
static void tool_names(struct env *e, char *out, size_t cap)
{
	wsp_tool_info info;
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; i < wsp_tools_count(e->tools) && len < cap; i++) {
		info.struct_size = sizeof(info);
		if (wsp_tools_get(&info, e->tools, i))
			break;
		len += (size_t)snprintf(out + len, cap - len, "%s,", info.name);
	}
}

/*
 * Opening the set, listing it and the instructions only read
 * descriptors: neither the sandbox nor the mount starts. The first
 * command starts the sandbox, once; the mount waits for its own first
 * call.
 */
static void test_listing_does_not_start(void)
{
	char log[64], names[1024];
	struct env e;
	wsp_error err;
	char *json = NULL, *text = NULL;

	init_log_start(log, sizeof(log));
	CU_ASSERT_EQUAL_FATAL(env_open(&e, exposed, &err), 0);
	CU_ASSERT_EQUAL(wsp_tools_list_json(&json, e.tools, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(json && strstr(json, "\"echo_text\""));
	wsp_tools_free(json);
	tool_names(&e, names, sizeof(names));
	CU_ASSERT_PTR_NOT_NULL(strstr(names, "execute_command,"));
	CU_ASSERT_EQUAL(wsp_tools_instructions(&text, e.ws, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(
		text && strstr(text, "Commands run in the 'dev-box' sandbox "
				     "(provider 'extdemo'), started by the "
				     "first command."));
	CU_ASSERT_PTR_NOT_NULL(text && strstr(text, "\n- /\n"));
	wsp_tools_free(text);
	expect_started(log, "");

	expect_text(&e, "execute_command", "{\"command\":\"echo hi\"}", NULL, 0,
		    "extdemo ran: echo hi");
	expect_started(log, "dev-box\n");
	/* started: the provider's own words (here the core's default) */
	CU_ASSERT_EQUAL(wsp_tools_instructions(&text, e.ws, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(
		text && strstr(text, "Commands run in the 'dev-box' sandbox "
				     "(provider 'extdemo').\n"));
	wsp_tools_free(text);
	expect_text(&e, "execute_command", "{\"command\":\"ls\"}", NULL, 0,
		    "extdemo ran: ls");
	expect_text(&e, "echo_text", "{\"text\":\"again\"}", NULL, 0, "again");
	expect_started(log, "dev-box\n");

	expect_text(&e, "tag_root", "{\"arg1\":\"v\",\"arg2\":1}", NULL, 0,
		    "v#1");
	expect_started(log, "dev-box\n/\n");
	env_close(&e);
	init_log_end(log);
}

/* An extension tool of the sandbox is what starts it, when called first. */
static void test_ext_tool_starts_sandbox(void)
{
	char log[64];
	struct env e;
	wsp_error err;

	init_log_start(log, sizeof(log));
	CU_ASSERT_EQUAL_FATAL(env_open(&e, exposed, &err), 0);
	expect_started(log, "");
	expect_text(&e, "count", "{}", NULL, 0, "dev-box:0");
	expect_started(log, "dev-box\n");
	expect_text(&e, "execute_command", "{\"command\":\"true\"}", NULL, 0,
		    "extdemo ran: true");
	expect_started(log, "dev-box\n");
	env_close(&e);
	init_log_end(log);
}

static void expect_background(struct env *e, int want)
{
	cJSON *list, *exec, *bg;
	wsp_error err;
	char *json = NULL;

	CU_ASSERT_EQUAL_FATAL(wsp_tools_list_json(&json, e->tools, &err), 0);
	list = cJSON_Parse(json);
	wsp_tools_free(json);
	exec = listed(list, "execute_command");
	CU_ASSERT_PTR_NOT_NULL_FATAL(exec);
	bg = cJSON_GetObjectItem(
		cJSON_GetObjectItem(cJSON_GetObjectItem(exec, "inputSchema"),
				    "properties"),
		"background");
	CU_ASSERT_EQUAL(bg != NULL, want);
	cJSON_Delete(list);
}

/*
 * The process tools follow the sandbox's descriptor (a process manager
 * or none), read without starting it.
 */
static void test_process_tools_from_descriptor(void)
{
	static const char procs[] = "sandbox:\n"
				    "  provider: extprocs\n"
				    "  id: proc-box\n"
				    "mounts:\n"
				    "  /:\n"
				    "    provider: extfs\n";
	char log[64], names[1024];
	struct env e;
	wsp_error err;

	init_log_start(log, sizeof(log));
	CU_ASSERT_EQUAL_FATAL(env_open_with(&e, procs, "", &err), 0);
	tool_names(&e, names, sizeof(names));
	CU_ASSERT_PTR_NOT_NULL(strstr(names, "execute_command,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(names, "get_process_output,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(names, "kill_process,"));
	expect_background(&e, 1);
	expect_started(log, "");
	/* the call reaches the provider: started now, refused by it */
	expect_text(&e, "get_process_output", "{\"pid\":\"7\"}", NULL, 0,
		    "No background process found with PID 7.");
	expect_started(log, "proc-box\n");
	env_close(&e);

	CU_ASSERT_EQUAL_FATAL(env_open(&e, "", &err), 0);
	tool_names(&e, names, sizeof(names));
	CU_ASSERT_PTR_NOT_NULL(strstr(names, "execute_command,"));
	CU_ASSERT_PTR_NULL(strstr(names, "get_process_output,"));
	CU_ASSERT_PTR_NULL(strstr(names, "kill_process,"));
	expect_background(&e, 0);
	expect_started(log, "proc-box\n");
	env_close(&e);
	init_log_end(log);
}

static CU_TestInfo tests[] = {
	{ "schemas from signatures and help", test_schemas },
	{ "not exposed unless configured", test_not_exposed_by_default },
	{ "calls, failures and approval", test_calls },
	{ "refused arguments", test_refused_arguments },
	{ "configuration errors", test_config_errors },
	{ "bad signature", test_bad_signature },
	{ "config check reports a provider once",
	  test_check_reports_provider_once },
	{ "listing does not start the provider", test_listing_does_not_start },
	{ "an extension tool starts the sandbox",
	  test_ext_tool_starts_sandbox },
	{ "process tools from the descriptor",
	  test_process_tools_from_descriptor },
	CU_TEST_INFO_NULL,
};

int main(int argc, char **argv)
{
	CU_SuiteInfo suites[] = { { "ext_tools", NULL, NULL, NULL, NULL,
				    tests },
				  CU_SUITE_INFO_NULL };

	if (argc != 2) {
		fprintf(stderr, "usage: %s FIXTURE_DIR\n", argv[0]);
		return 2;
	}
	fixture_dir = argv[1];
	return cu_run_suites(suites);
}
