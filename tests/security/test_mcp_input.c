/*
 * tests/security/test_mcp_input.c - malformed MCP input (docs/security.md,
 * "Tests"): whatever a client sends, `wsp mcp` neither crashes nor writes
 * a line that is not JSON-RPC 2.0 JSON in UTF-8, answers what has an id,
 * and keeps answering: after every case a ping must get its result.
 *
 * One table of lines, sent one after the other to one server; the large
 * ones (over 1 MiB, over the server's 4 MiB bound in toolkit/mcp_server.c,
 * 10000 levels of nesting) are built at run time. Runs as the invoking
 * user and as uid 65534 (run-unprivileged.sh).
 */
#include "mcp_client.h"
#include "testutil.h"
#include "test_files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ANY  1 /* an answer, result or error */
#define NONE 2 /* no answer (checked by the ping after it) */

/* The server's bound on one message (DEFAULT_MAX_MESSAGE). */
#define MAX_MESSAGE (4u << 20)

struct input {
	const char *name;
	const char *line; /* NULL: built by make_line() */
	size_t len;	  /* 0: strlen(line) */
	const char *id;	  /* the id of the answer, as JSON */
	int code;	  /* its error code, 0 for a result, ANY or NONE */
};

#define RQ "{\"jsonrpc\":\"2.0\","
#define CALL_HEAD(id) RQ "\"id\":" id ",\"method\":\"tools/call\",\"params\":{"
#define CALL(id, rest) CALL_HEAD(id) rest "}}"

static struct input inputs[] = {
	/* not JSON, or not a request */
	{ "not JSON", "not json at all", 0, "null", -32700 },
	{ "an open brace", "{", 0, "null", -32700 },
	{ "an empty line", "", 0, NULL, NONE },
	{ "a carriage return", "\r", 0, NULL, NONE },
	{ "blanks", "   \t ", 0, "null", -32700 },
	{ "a number", "42", 0, "null", -32600 },
	{ "a string", "\"ping\"", 0, "null", -32600 },
	{ "null", "null", 0, "null", -32600 },
	/* a parser that stops after the first value must not win */
	{ "trailing garbage", RQ "\"id\":1,\"method\":\"ping\"} }}", 0, "null",
	  -32700 },
	{ "two requests on a line", RQ "\"id\":1,\"method\":\"ping\"}" RQ
	  "\"id\":2,\"method\":\"ping\"}", 0, "null", -32700 },
	{ "trailing blanks", RQ "\"id\":3,\"method\":\"ping\"} \t\r", 0, "3",
	  0 },
	/* batches */
	{ "an empty batch", "[]", 0, "null", -32600 },
	{ "a batch", "[" RQ "\"id\":2,\"method\":\"ping\"}]", 0, "null",
	  -32600 },
	{ "a batch of junk", "[1,\"x\",null,[]]", 0, "null", -32600 },
	/* wrong types for the envelope's members */
	{ "id true", RQ "\"id\":true,\"method\":\"ping\"}", 0, "null", -32600 },
	{ "id an object", RQ "\"id\":{},\"method\":\"ping\"}", 0, "null",
	  -32600 },
	{ "id an array", RQ "\"id\":[1],\"method\":\"ping\"}", 0, "null",
	  -32600 },
	{ "id null", RQ "\"id\":null,\"method\":\"ping\"}", 0, "null", -32600 },
	{ "id a fraction", RQ "\"id\":1.5,\"method\":\"ping\"}", 0, "null",
	  -32600 },
	{ "id 1e308", RQ "\"id\":1e308,\"method\":\"ping\"}", 0, "null",
	  -32600 },
	{ "id -1e308", RQ "\"id\":-1e308,\"method\":\"ping\"}", 0, "null",
	  -32600 },
	{ "id 3.3e102", RQ "\"id\":3.3e102,\"method\":\"ping\"}", 0, "null",
	  -32600 },
	{ "id 1e999 (infinite)", RQ "\"id\":1e999,\"method\":\"ping\"}", 0,
	  "null", -32600 },
	{ "id -0", RQ "\"id\":-0,\"method\":\"ping\"}", 0, NULL, ANY },
	{ "method a number", RQ "\"id\":3,\"method\":5}", 0, "3", -32600 },
	{ "method null", RQ "\"id\":4,\"method\":null}", 0, "4", -32600 },
	{ "method an object", RQ "\"id\":5,\"method\":{}}", 0, "5", -32600 },
	{ "no method", RQ "\"id\":6}", 0, "6", -32600 },
	{ "params an array", RQ "\"id\":7,\"method\":\"ping\",\"params\":[]}",
	  0, "7", -32602 },
	{ "params a string", RQ "\"id\":8,\"method\":\"tools/list\","
	  "\"params\":\"x\"}", 0, "8", -32602 },
	{ "params a number, no id", RQ "\"method\":\"ping\",\"params\":1e308}",
	  0, "null", -32600 },
	{ "jsonrpc 1.0", "{\"jsonrpc\":\"1.0\",\"id\":9,\"method\":\"ping\"}",
	  0, "9", -32600 },
	{ "jsonrpc a number", "{\"jsonrpc\":2.0,\"id\":10,\"method\":\"ping\"}",
	  0, "10", -32600 },
	{ "no jsonrpc", "{\"id\":11,\"method\":\"ping\"}", 0, "11", -32600 },
	{ "duplicate ids", RQ "\"id\":12,\"id\":\"x\",\"method\":\"ping\"}", 0,
	  NULL, ANY },
	/* methods */
	{ "an unknown method", RQ "\"id\":13,\"method\":\"no/such\"}", 0,
	  "13", -32601 },
	{ "a notification with an id",
	  RQ "\"id\":14,\"method\":\"notifications/initialized\"}", 0, "14",
	  -32601 },
	{ "a cancellation with an id", RQ "\"id\":15,\"method\":"
	  "\"notifications/cancelled\",\"params\":{\"requestId\":1e308}}", 0,
	  "15", -32601 },
	{ "a cancellation of nothing", RQ "\"method\":"
	  "\"notifications/cancelled\",\"params\":{\"requestId\":[[{}]]}}",
	  0, NULL, NONE },
	{ "an unknown notification", RQ "\"method\":\"no/such\"}", 0, NULL,
	  NONE },
	{ "a response to nothing", RQ "\"id\":\"wsp-1\",\"result\":{}}", 0,
	  NULL, NONE },
	{ "a response with both", RQ "\"id\":16,\"result\":{},\"error\":{}}",
	  0, "16", -32600 },
	{ "initialize again, wrong types", RQ "\"id\":17,\"method\":"
	  "\"initialize\",\"params\":{\"protocolVersion\":1e308,"
	  "\"capabilities\":\"x\",\"clientInfo\":[]}}", 0, "17", 0 },
	/* tools/call */
	{ "tools/call without params",
	  RQ "\"id\":20,\"method\":\"tools/call\"}", 0, "20", -32602 },
	{ "tools/call without a name", CALL("21", "\"arguments\":{}"), 0,
	  "21", -32602 },
	{ "tools/call, name a number", CALL("22", "\"name\":1e308"), 0, "22",
	  -32602 },
	{ "tools/call, name null", CALL("23", "\"name\":null"), 0, "23",
	  -32602 },
	{ "tools/call, an unknown tool", CALL("24", "\"name\":\"no_such\""),
	  0, "24", -32602 },
	{ "tools/call, arguments a string",
	  CALL("25", "\"name\":\"read_file\",\"arguments\":\"x\""), 0, "25",
	  -32602 },
	{ "tools/call, arguments an array",
	  CALL("26", "\"name\":\"read_file\",\"arguments\":[]"), 0, "26",
	  -32602 },
	{ "tools/call, arguments a number",
	  CALL("27", "\"name\":\"read_file\",\"arguments\":1e308"), 0, "27",
	  -32602 },
	{ "tools/call, path a number", CALL("28", "\"name\":\"read_file\","
	  "\"arguments\":{\"path\":1e308}"), 0, "28", -32602 },
	/* huge numbers in integer fields */
	{ "read_file offset 1e308", CALL("30", "\"name\":\"read_file\","
	  "\"arguments\":{\"path\":\"in.txt\",\"offset\":1e308}"), 0, "30",
	  ANY },
	{ "read_file limit -1e308", CALL("31", "\"name\":\"read_file\","
	  "\"arguments\":{\"path\":\"in.txt\",\"limit\":-1e308}"), 0, "31",
	  ANY },
	{ "read_file offset 3.3e102", CALL("32", "\"name\":\"read_file\","
	  "\"arguments\":{\"path\":\"in.txt\",\"offset\":3.3e102,"
	  "\"limit\":3.3e102}"), 0, "32", ANY },
	{ "read_file offset 1e999", CALL("33", "\"name\":\"read_file\","
	  "\"arguments\":{\"path\":\"in.txt\",\"offset\":1e999}"), 0, "33",
	  ANY },
	{ "list_files maxDepth 1e308", CALL("34", "\"name\":\"list_files\","
	  "\"arguments\":{\"maxDepth\":1e308}"), 0, "34", ANY },
	{ "list_files maxDepth -1e308", CALL("35", "\"name\":\"list_files\","
	  "\"arguments\":{\"maxDepth\":-1e308}"), 0, "35", ANY },
	{ "grep contextLines 1e308", CALL("36", "\"name\":\"grep\","
	  "\"arguments\":{\"pattern\":\"x\",\"contextLines\":1e308,"
	  "\"maxCount\":-1e308}"), 0, "36", ANY },
	{ "grep maxCount 3.3e102", CALL("37", "\"name\":\"grep\","
	  "\"arguments\":{\"pattern\":\"x\",\"maxCount\":3.3e102}"), 0, "37",
	  ANY },
	{ "progressToken 1e308", CALL("38", "\"name\":\"file_stat\","
	  "\"arguments\":{\"path\":\"in.txt\"},\"_meta\":"
	  "{\"progressToken\":1e308}"), 0, "38", 0 },
	/* bytes that are not UTF-8 */
	{ "raw 0xff bytes", "\xff\xfe\xfd", 0, "null", -32700 },
	{ "an id not UTF-8", RQ "\"id\":\"a\xff\xfe\",\"method\":\"ping\"}",
	  0, "null", -32600 },
	{ "a method not UTF-8", RQ "\"id\":40,\"method\":\"pi\xffng\"}", 0,
	  "40", -32601 },
	{ "a tool name not UTF-8", CALL("41", "\"name\":\"read\xc3\x28\""), 0,
	  "41", -32602 },
	{ "a path not UTF-8", CALL("42", "\"name\":\"read_file\","
	  "\"arguments\":{\"path\":\"in\xed\xa0\x80.txt\"}"), 0, "42", ANY },
	{ "an overlong slash", CALL("43", "\"name\":\"read_file\","
	  "\"arguments\":{\"path\":\"..\xc0\xaf..\xc0\xafoutside\"}"), 0, "43",
	  ANY },
	{ "a content not UTF-8", CALL("44", "\"name\":\"write_file\","
	  "\"arguments\":{\"path\":\"bin.txt\",\"content\":\"\xff\x80\"}"), 0,
	  "44", ANY },
	/* NUL */
	{ "an escaped NUL in a path", CALL("50", "\"name\":\"read_file\","
	  "\"arguments\":{\"path\":\"in.txt\\u0000/../..\"}"), 0, "50",
	  -32602 },
	{ "a raw NUL in a path", CALL("51", "\"name\":\"write_file\","
	  "\"arguments\":{\"path\":\"raw.txt\0.sh\",\"content\":\"x\"}"),
	  sizeof(CALL("51", "\"name\":\"write_file\",\"arguments\":{\"path\":"
			    "\"raw.txt\0.sh\",\"content\":\"x\"}")) - 1,
	  "51", -32602 },
	{ "a raw NUL after the object", RQ "\"id\":52,\"method\":\"ping\"}\0x",
	  sizeof(RQ "\"id\":52,\"method\":\"ping\"}\0x") - 1, "null", -32700 },
	{ "a raw NUL in an id", RQ "\"id\":\"a\0b\",\"method\":\"ping\"}",
	  sizeof(RQ "\"id\":\"a\0b\",\"method\":\"ping\"}") - 1, NULL,
	  ANY },
	{ "an escaped NUL in an id", RQ "\"id\":\"\\u0000\",\"method\":\"ping\"}",
	  0, NULL, ANY },
	/* control characters unescaped, escapes broken */
	{ "a raw escape in a path", CALL("53", "\"name\":\"read_file\","
	  "\"arguments\":{\"path\":\"a\x1b[2Jb\"}"), 0, "53", ANY },
	{ "a broken escape", CALL("54", "\"name\":\"read_file\","
	  "\"arguments\":{\"path\":\"\\u12\"}"), 0, "null", -32700 },
	{ "a lone surrogate", CALL("55", "\"name\":\"read_file\","
	  "\"arguments\":{\"path\":\"\\ud800\"}"), 0, NULL, ANY },
	/* built at run time */
	{ "a 1.5 MiB ping", NULL, 0, "60", 0 },
	{ "1.5 MiB of junk", NULL, 0, "null", -32700 },
	{ "a 1.5 MiB path", NULL, 0, "61", ANY },
	{ "a line one byte over the bound", NULL, 0, "null", -32700 },
	{ "a 9 MiB line", NULL, 0, "null", -32700 },
	{ "10000 nested arrays", NULL, 0, "null", -32700 },
	{ "10000 nested arrays as arguments", NULL, 0, "null", -32700 },
	{ "10000 open brackets", NULL, 0, "null", -32700 },
	{ "900 nested objects as arguments", NULL, 0, "62", -32602 },
	{ "a 100 KiB method", NULL, 0, "63", -32601 },
	{ "a 100 KiB id", NULL, 0, NULL, 0 },
};

static char *dir;

/* s = prefix + n copies of fill + suffix; its length in *len. */
static char *repeat(const char *prefix, const char *fill, size_t n,
		    const char *suffix, size_t *len)
{
	size_t p = strlen(prefix), f = strlen(fill), s = strlen(suffix);
	char *out = malloc(p + f * n + s + 1), *w = out;
	size_t i;

	if (!out)
		abort();
	memcpy(w, prefix, p);
	w += p;
	for (i = 0; i < n; i++, w += f)
		memcpy(w, fill, f);
	memcpy(w, suffix, s + 1);
	*len = p + f * n + s;
	return out;
}

/* prefix, open n times, inner, close n times, suffix: n levels deep. */
static char *nest(const char *prefix, const char *open, size_t n,
		  const char *inner, const char *close, const char *suffix,
		  size_t *len)
{
	size_t opened;
	char *a = repeat(prefix, open, n, inner, &opened);
	char *b = repeat(a, close, n, suffix, len);

	free(a);
	return b;
}

/* The run-time lines, by name; NULL when the name is not one of them. */
static char *make_line(const char *name, size_t *len)
{
	size_t mib = 1u << 20;
	char *r;

	if (!strcmp(name, "a 1.5 MiB ping"))
		return repeat(RQ "\"id\":60,\"method\":\"ping\",\"params\":"
				 "{\"pad\":\"", "x", mib + mib / 2, "\"}}", len);
	if (!strcmp(name, "1.5 MiB of junk"))
		return repeat("", "\x01{", mib * 3 / 4, "", len);
	if (!strcmp(name, "a 1.5 MiB path"))
		return repeat(CALL_HEAD("61") "\"name\":\"read_file\","
					 "\"arguments\":{\"path\":\"", "../", mib / 2,
			      "x\"}}}", len);
	if (!strcmp(name, "a line one byte over the bound")) {
		r = repeat(RQ "\"id\":64,\"method\":\"ping\",\"params\":"
			      "{\"pad\":\"", "x", MAX_MESSAGE, "\"}}", len);
		/* cut to MAX_MESSAGE + 1 bytes, still a whole request */
		memcpy(r + MAX_MESSAGE + 1 - 3, "\"}}", 4);
		*len = MAX_MESSAGE + 1;
		return r;
	}
	if (!strcmp(name, "a 9 MiB line"))
		return repeat(RQ "\"id\":65,\"method\":\"ping\",\"params\":"
				 "{\"pad\":\"", "y", 9 * mib, "\"}}", len);
	if (!strcmp(name, "10000 nested arrays"))
		return nest("", "[", 10000, "", "]", "", len);
	if (!strcmp(name, "10000 nested arrays as arguments"))
		return nest(CALL_HEAD("66") "\"name\":\"read_file\","
					"\"arguments\":{\"path\":",
			    "[", 10000, "", "]", "}}}", len);
	if (!strcmp(name, "10000 open brackets"))
		return repeat(RQ "\"id\":67,\"method\":\"ping\",\"params\":",
			      "[", 10000, "", len);
	if (!strcmp(name, "900 nested objects as arguments"))
		return nest(CALL_HEAD("62") "\"name\":\"read_file\","
					"\"arguments\":{\"path\":",
			    "{\"a\":", 900, "1", "}", "}}}", len);
	if (!strcmp(name, "a 100 KiB method"))
		return repeat(RQ "\"id\":63,\"method\":\"", "m", 100 * 1024,
			      "\"}", len);
	if (!strcmp(name, "a 100 KiB id"))
		return repeat(RQ "\"method\":\"ping\",\"id\":\"", "i",
			      100 * 1024, "\"}", len);
	return NULL;
}

static const char *const *env(void)
{
	static char state[600], cfg[600];
	static const char *e[] = { state, cfg, "WSP_CONFIG", "WSP_PLUGIN_PATH",
				   NULL };

	snprintf(state, sizeof(state), "XDG_STATE_HOME=%s/state", dir);
	snprintf(cfg, sizeof(cfg), "XDG_CONFIG_HOME=%s/cfg", dir);
	return e;
}

/* A ping with this id gets its result. */
static int pings(struct mcp *m, int n)
{
	char line[128], id[32];
	cJSON *a;
	int ok;

	snprintf(id, sizeof(id), "\"ping-%d\"", n);
	snprintf(line, sizeof(line), RQ "\"id\":%s,\"method\":\"ping\"}", id);
	if (mcp_send(m, line, strlen(line)))
		return 0;
	a = mcp_answer(m, id, 30000);
	ok = a && mcp_code(a) == 0;
	cJSON_Delete(a);
	return ok;
}

static void test_before_initialize(void)
{
	static const char list[] = RQ "\"id\":1,\"method\":\"tools/list\"}";
	struct mcp m;
	cJSON *a;

	CU_ASSERT_EQUAL_FATAL(mcp_start(&m, tu_path(dir, "ws"), env()), 0);
	CU_ASSERT_EQUAL(mcp_send(&m, list, strlen(list)), 0);
	a = mcp_answer(&m, "1", 30000);
	CU_ASSERT_PTR_NOT_NULL(a);
	cJSON_Delete(a);
	CU_ASSERT(pings(&m, 0));
	CU_ASSERT_EQUAL(mcp_initialize(&m), 0);
	CU_ASSERT(pings(&m, 1));
	CU_ASSERT_EQUAL(mcp_stop(&m), 0);
	CU_ASSERT_EQUAL(m.bad, 0);
	CU_ASSERT(m.lines >= 4);
}

static void test_malformed(void)
{
	size_t i;
	struct mcp m;
	int answered = 0;

	CU_ASSERT_EQUAL_FATAL(mcp_start(&m, tu_path(dir, "ws"), env()), 0);
	CU_ASSERT_EQUAL_FATAL(mcp_initialize(&m), 0);
	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		const struct input *c = &inputs[i];
		size_t len = c->len ? c->len : c->line ? strlen(c->line) : 0;
		char *built = c->line ? NULL : make_line(c->name, &len);
		int sent, ok = 1, code = 0;

		sent = mcp_send(&m, c->line ? c->line : built, len);
		free(built);
		CU_ASSERT_EQUAL(sent, 0);
		if (c->id) {
			cJSON *a = mcp_answer(&m, c->id, 60000);

			code = a ? mcp_code(a) : 1;
			ok = a && (c->code == ANY || code == c->code);
			answered += a != NULL;
			cJSON_Delete(a);
		}
		CU_ASSERT(ok);
		if (!ok)
			fprintf(stderr, "case '%s': wanted the answer %s with "
					"code %d, got code %d\n",
				c->name, c->id, c->code, code);
		ok = pings(&m, (int)i + 100);
		CU_ASSERT(ok);
		if (!ok)
			fprintf(stderr, "case '%s': no answer to the ping "
					"after it\n", c->name);
		if (m.eof)
			break; /* the server died: the rest cannot run */
	}
	CU_ASSERT_EQUAL(i, sizeof(inputs) / sizeof(inputs[0]));
	CU_ASSERT_EQUAL(mcp_stop(&m), 0);
	CU_ASSERT_EQUAL(m.bad, 0);
	/* A raw NUL never truncates a path into a real one. */
	CU_ASSERT_EQUAL(access(tu_path(dir, "ws/files/raw.txt"), F_OK), -1);
	fprintf(stderr, "security_mcp_input: %zu inputs, %d answers checked, "
			"%d lines read\n",
		i, answered, m.lines);
}

static const CU_TestInfo tests[] = {
	{ "a request before initialize is answered", test_before_initialize },
	{ "malformed input: valid answers, the server goes on",
	  test_malformed },
	CU_TEST_INFO_NULL,
};

/* The workspace the tests use: one local mount, a file in it (tu_write()
 * asserts: outside a test, write plainly). */
static int prepare(void)
{
	return mkdir(tu_path(dir, "ws"), 0755) ||
	       mkdir(tu_path(dir, "ws/files"), 0755) ||
	       test_write_text(tu_path(dir, "ws/wsp.yaml"),
			       "mounts:\n  /: {provider: local, options: "
			       "{base_path: ./files}}\n") ||
	       test_write_text(tu_path(dir, "ws/files/in.txt"), "inside\n");
}

int main(void)
{
	return tu_main_in_tmpdir("security_mcp_input", tests, &dir, prepare,
				 NULL, NULL);
}
