/*
 * tests/tools/test_tools_units.c - the tool layer's internal pieces on
 * their own: schema validation, output shaping, the tail-pipe rule,
 * globs, .gitignore, the write guard, and the MCP message parser.
 */
#include "cu_main.h"

#include "mcp_impl.h"
#include "tools_impl.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static int check(const char *schema, const char *value, char *why)
{
	cJSON *s = cJSON_Parse(schema), *v = cJSON_Parse(value);
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	why[0] = '\0';
	rc = wsp__schema_check(s, v, why, 256);
	cJSON_Delete(s);
	cJSON_Delete(v);
	return rc;
}

static const char schema[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"path\":{\"type\":\"string\"},"
	"\"offset\":{\"type\":\"integer\",\"minimum\":1},"
	"\"timeout\":{\"type\":[\"number\",\"null\"]},"
	"\"enc\":{\"type\":\"string\",\"enum\":[\"hex\",\"base64\"]},"
	"\"pattern\":{\"type\":[\"string\",\"array\"],"
	"\"items\":{\"type\":\"string\"}}},"
	"\"required\":[\"path\"],\"additionalProperties\":false}";

static void test_schema(void)
{
	char why[256];

	CU_ASSERT_EQUAL(check(schema, "{\"path\":\"a\",\"offset\":3}", why), 0);
	CU_ASSERT_EQUAL(check(schema, "{\"path\":\"a\",\"timeout\":null}", why),
			0);
	CU_ASSERT_EQUAL(
		check(schema, "{\"path\":\"a\",\"pattern\":[\"x\"]}", why), 0);

	CU_ASSERT_EQUAL(check(schema, "{}", why), WSP_EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "'path' is required");
	CU_ASSERT_EQUAL(check(schema, "{\"path\":5}", why), WSP_EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "'path' must be a string, not number");
	CU_ASSERT_EQUAL(check(schema, "{\"path\":\"a\",\"offset\":1.5}", why),
			WSP_EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "'offset' must be an integer, not number");
	CU_ASSERT_EQUAL(check(schema, "{\"path\":\"a\",\"offset\":0}", why),
			WSP_EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "'offset' must be at least 1");
	CU_ASSERT_EQUAL(check(schema, "{\"path\":\"a\",\"bogus\":1}", why),
			WSP_EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "'bogus' is not a known property");
	CU_ASSERT_EQUAL(
		check(schema, "{\"path\":\"a\",\"enc\":\"utf16\"}", why),
		WSP_EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "'enc' must be one of the listed values");
	CU_ASSERT_EQUAL(
		check(schema, "{\"path\":\"a\",\"timeout\":\"x\"}", why),
		WSP_EINVAL);
	CU_ASSERT_STRING_EQUAL(why,
			       "'timeout' must be number or null, not string");
	CU_ASSERT_EQUAL(check(schema, "{\"path\":\"a\",\"pattern\":[1]}", why),
			WSP_EINVAL);
	CU_ASSERT_STRING_EQUAL(why,
			       "'pattern[0]' must be a string, not number");
	CU_ASSERT_EQUAL(check(schema, "[1,2]", why), WSP_EINVAL);
	CU_ASSERT_STRING_EQUAL(why,
			       "arguments must be a JSON object, not array");
}

static char *truncate_text(const char *s, size_t tail, size_t tokens)
{
	struct wsp__tbuf b = {0};

	wsp__text_truncate(&b, s, strlen(s), tail, tokens);
	return wsp__tbuf_take(&b);
}

static void test_tail_and_sandwich(void)
{
	struct wsp__tbuf in = {0};
	char *out;
	int i;

	out = truncate_text("1\n2\n3\n4\n5\n", 2, 2000);
	CU_ASSERT_STRING_EQUAL(out, "[showing last 2 of 5 lines]\n4\n5\n");
	free(out);
	out = truncate_text("1\n2\n3", 0, 2000);
	CU_ASSERT_STRING_EQUAL(out, "1\n2\n3");
	free(out);
	out = truncate_text("1\n2\n3", 3, 2000);
	CU_ASSERT_STRING_EQUAL(out, "1\n2\n3");
	free(out);

	/* 100 lines of 40 bytes (10 tokens each) in a 200-token budget */
	for (i = 0; i < 100; i++)
		wsp__tbuf_addf(
			&in, "line %03d ................................\n", i);
	out = truncate_text(in.p, 0, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "line 000"));
	CU_ASSERT_PTR_NULL(strstr(out, "line 050"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "line 099"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "lines truncated \xe2\x80\x94 "
					   "showing first ~"));
	CU_ASSERT(wsp__text_tokens(out, strlen(out)) < 260);
	free(out);
	wsp__tbuf_free(&in);
}

/*
 * Over the budget in two lines, each too long to leave out: the text
 * comes back as it is, not one byte longer (fuzz_tools found the last
 * newline counted twice: a NUL in the result, a read past the input).
 */
static void test_sandwich_long_lines(void)
{
	struct wsp__tbuf b = {0};
	size_t len = 202;
	char *s = malloc(len); /* no NUL after it: ASan sees an overread */

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	memset(s, 'a', len);
	s[100] = '\n';
	s[len - 1] = '\n';
	wsp__text_truncate(&b, s, len, 0, 10);
	CU_ASSERT_EQUAL(b.len, len);
	CU_ASSERT(b.p && !memcmp(b.p, s, len));
	wsp__tbuf_free(&b);
	wsp__text_truncate(&b, s, len, 5, 10); /* fewer lines than tail */
	CU_ASSERT_EQUAL(b.len, len);
	CU_ASSERT(b.p && !memcmp(b.p, s, len));
	wsp__tbuf_free(&b);
	free(s);
}

static void test_limit(void)
{
	struct wsp__tbuf in = {0}, out = {0};
	int i;

	for (i = 0; i < 100; i++)
		wsp__tbuf_addf(
			&in, "row %03d ....................................\n",
			i);
	wsp__text_limit(&out, in.p, in.len, 100);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.p, "row 000"));
	CU_ASSERT_PTR_NULL(strstr(out.p, "row 099"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.p, "\n[output truncated: showing "
					     "first ~"));
	wsp__tbuf_free(&out);
	wsp__text_limit(&out, "short", 5, 100);
	CU_ASSERT_STRING_EQUAL(out.p, "short");
	wsp__tbuf_free(&out);
	wsp__tbuf_free(&in);
}

static void test_strip_ansi(void)
{
	struct wsp__tbuf b = {0};
	const char *s =
		"\x1b[31mred\x1b[0m \x1b]8;;http://x\x07link\x1b]8;;\x07!";

	wsp__text_strip_ansi(&b, s, strlen(s));
	CU_ASSERT_STRING_EQUAL(b.p, "red link!");
	wsp__tbuf_free(&b);
	/* a stream a command left empty is (NULL, 0): no NULL + 0, which
	 * the sanitizer build traps (fuzz_tools found it) */
	wsp__text_strip_ansi(&b, NULL, 0);
	CU_ASSERT_EQUAL(b.len, 0);
	wsp__tbuf_free(&b);
}

/* The one conversion of JSON numbers to integers: range first. */
static void test_num_to_int(void)
{
	int64_t i = 42;

	/* what fuzzing sent, infinities, NaN: refused, *out untouched */
	CU_ASSERT_EQUAL(wsp__num_to_int(3.3e102, INT64_MIN, INT64_MAX, &i),
			-1);
	CU_ASSERT_EQUAL(wsp__num_to_int(5.8e105, 0, INT64_MAX, &i), -1);
	CU_ASSERT_EQUAL(wsp__num_to_int(-5.8e105, INT64_MIN, 0, &i), -1);
	CU_ASSERT_EQUAL(wsp__num_to_int(HUGE_VAL, INT64_MIN, INT64_MAX, &i),
			-1);
	CU_ASSERT_EQUAL(wsp__num_to_int(-HUGE_VAL, INT64_MIN, INT64_MAX, &i),
			-1);
	CU_ASSERT_EQUAL(wsp__num_to_int(NAN, INT64_MIN, INT64_MAX, &i), -1);
	CU_ASSERT_EQUAL(i, 42);
	/* 2^63 is one past INT64_MAX; -2^63 is INT64_MIN itself */
	CU_ASSERT_EQUAL(wsp__num_to_int(0x1p63, INT64_MIN, INT64_MAX, &i), -1);
	CU_ASSERT_EQUAL(wsp__num_to_int(-0x1p63, INT64_MIN, INT64_MAX, &i), 0);
	CU_ASSERT_EQUAL(i, INT64_MIN);
	CU_ASSERT_EQUAL(wsp__num_to_int(0x1p62, INT64_MIN, INT64_MAX, &i), 0);
	CU_ASSERT_EQUAL(i, INT64_C(1) << 62);
	/* fractions drop toward zero, then the bounds apply */
	CU_ASSERT_EQUAL(wsp__num_to_int(2.9, 0, 10, &i), 0);
	CU_ASSERT_EQUAL(i, 2);
	CU_ASSERT_EQUAL(wsp__num_to_int(-2.9, -10, 10, &i), 0);
	CU_ASSERT_EQUAL(i, -2);
	CU_ASSERT_EQUAL(wsp__num_to_int(-0.5, 0, 10, &i), 0);
	CU_ASSERT_EQUAL(i, 0);
	CU_ASSERT_EQUAL(wsp__num_to_int(11, 0, 10, &i), -1);
	CU_ASSERT_EQUAL(wsp__num_to_int(-1, 0, 10, &i), -1);
	CU_ASSERT_EQUAL(i, 0);
	CU_ASSERT_EQUAL(wsp__num_to_int(9e15, -WSP__JSON_INT_MAX,
					WSP__JSON_INT_MAX, &i),
			0);
	CU_ASSERT_EQUAL(i, WSP__JSON_INT_MAX);
}

static void test_tail_pipe(void)
{
	size_t cut = 0;

	CU_ASSERT_EQUAL(wsp__strip_tail_pipe("ls -la | tail -5", &cut), 5);
	CU_ASSERT_EQUAL(cut, 6);
	CU_ASSERT_EQUAL(wsp__strip_tail_pipe("make 2>&1 | tail -n 20  ", &cut),
			20);
	CU_ASSERT_EQUAL(cut, 9);
	CU_ASSERT_EQUAL(wsp__strip_tail_pipe("seq 9|tail 3", &cut), 3);
	CU_ASSERT_EQUAL(cut, 5);
	CU_ASSERT_EQUAL(wsp__strip_tail_pipe("false || tail -5", &cut), 0);
	CU_ASSERT_EQUAL(wsp__strip_tail_pipe("tail -5 log.txt", &cut), 0);
	CU_ASSERT_EQUAL(wsp__strip_tail_pipe("ls | tail -0", &cut), 0);
	CU_ASSERT_EQUAL(wsp__strip_tail_pipe("ls | tail -f x", &cut), 0);
	CU_ASSERT_EQUAL(wsp__strip_tail_pipe("| tail -5", &cut), 0);
}

static void test_glob(void)
{
	CU_ASSERT(wsp__glob_match("**/*.ts", "a.ts", 0));
	CU_ASSERT(wsp__glob_match("**/*.ts", "src/lib/a.ts", 0));
	CU_ASSERT(!wsp__glob_match("**/*.ts", "src/a.tsx", 0));
	CU_ASSERT(!wsp__glob_match("*.ts", "src/a.ts", 0));
	CU_ASSERT(wsp__glob_match("./src/*.ts", "src/a.ts", 0));
	CU_ASSERT(wsp__glob_match("{src,lib}/**/*.ts", "lib/x/y.ts", 0));
	CU_ASSERT(!wsp__glob_match("{src,lib}/**/*.ts", "test/y.ts", 0));
	CU_ASSERT(wsp__glob_match("*.config.{js,ts}", "vite.config.ts", 0));
	CU_ASSERT(wsp__glob_match("**/*.{ts,tsx,js}", "a/b.tsx", 0));
	CU_ASSERT(!wsp__glob_match("**/*.ts", ".hidden/a.ts", 0));
	CU_ASSERT(wsp__glob_match("**/*.ts", ".hidden/a.ts", 1));
	CU_ASSERT(wsp__glob_match("[ab].c", "b.c", 0));
	CU_ASSERT(!wsp__glob_match("[!ab].c", "b.c", 0));
	CU_ASSERT(wsp__glob_match("src/**", "src/a/b", 0));
	CU_ASSERT(wsp__glob_match("a?c", "abc", 0));
	CU_ASSERT(!wsp__glob_match("a?c", "a/c", 0));
	CU_ASSERT(wsp__glob_has_magic("src/**/*.ts"));
	CU_ASSERT(!wsp__glob_has_magic("src/index.ts"));
}

static void test_gitignore(void)
{
	static const char text[] = "# comment\nnode_modules/\n*.log\n"
				   "!keep.log\n/build\ndocs/*.md\n";
	struct wsp__gitignore *gi = wsp__gitignore_parse(text, strlen(text));

	CU_ASSERT_PTR_NOT_NULL_FATAL(gi);
	CU_ASSERT(wsp__gitignore_match(gi, "node_modules", 1));
	CU_ASSERT(wsp__gitignore_match(gi, "web/node_modules/x.js", 0));
	CU_ASSERT(!wsp__gitignore_match(gi, "node_modules", 0));
	CU_ASSERT(wsp__gitignore_match(gi, "a/b/debug.log", 0));
	CU_ASSERT(!wsp__gitignore_match(gi, "keep.log", 0));
	CU_ASSERT(wsp__gitignore_match(gi, "build", 1));
	CU_ASSERT(!wsp__gitignore_match(gi, "src/build", 1));
	CU_ASSERT(wsp__gitignore_match(gi, "docs/a.md", 0));
	CU_ASSERT(!wsp__gitignore_match(gi, "docs/sub/a.md", 0));
	CU_ASSERT(!wsp__gitignore_match(gi, "src/main.c", 0));
	wsp__gitignore_free(gi);
}

static void test_path_key(void)
{
	char k[64];

	wsp__tools_path_key(k, sizeof(k), "./src//a.txt/");
	CU_ASSERT_STRING_EQUAL(k, "/src/a.txt");
	wsp__tools_path_key(k, sizeof(k), "/data/../x");
	CU_ASSERT_STRING_EQUAL(k, "/x");
	wsp__tools_path_key(k, sizeof(k), "../../etc");
	CU_ASSERT_STRING_EQUAL(k, "/etc");
	wsp__tools_path_key(k, sizeof(k), ".");
	CU_ASSERT_STRING_EQUAL(k, "/");
}

struct locker {
	struct wsp__guard *g;
	int rc;
};

static void *try_lock(void *arg)
{
	struct locker *l = arg;

	l->rc = wsp__guard_lock(l->g, "/a", 100);
	if (!l->rc)
		wsp__guard_unlock(l->g, "/a");
	return NULL;
}

static void test_guard(void)
{
	struct wsp__guard *g = wsp__guard_new();
	struct locker l = {g, 1};
	pthread_t th;
	char v[32];

	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	CU_ASSERT_FALSE(wsp__guard_last_read(g, "/a", v, sizeof(v)));
	wsp__guard_note_read(g, "/a", "v:1");
	CU_ASSERT_TRUE(wsp__guard_last_read(g, "/a", v, sizeof(v)));
	CU_ASSERT_STRING_EQUAL(v, "v:1");

	/* a second writer times out while the first holds the path */
	CU_ASSERT_EQUAL(wsp__guard_lock(g, "/a", 1000), 0);
	pthread_create(&th, NULL, try_lock, &l);
	pthread_join(th, NULL);
	CU_ASSERT_EQUAL(l.rc, WSP_ETIMEDOUT);
	/* another path is independent */
	CU_ASSERT_EQUAL(wsp__guard_lock(g, "/b", 100), 0);
	wsp__guard_unlock(g, "/b");
	wsp__guard_unlock(g, "/a");
	pthread_create(&th, NULL, try_lock, &l);
	pthread_join(th, NULL);
	CU_ASSERT_EQUAL(l.rc, 0);

	wsp__guard_forget(g, "/a");
	CU_ASSERT_FALSE(wsp__guard_last_read(g, "/a", v, sizeof(v)));
	wsp__guard_free(g);
}

static int parse_kind(const char *line, int *code)
{
	struct wsp__mcp_msg m;
	int kind;

	wsp__mcp_parse(&m, line, strlen(line));
	kind = m.kind;
	*code = m.error_code;
	wsp__mcp_msg_free(&m);
	return kind;
}

static void test_mcp_parse(void)
{
	struct wsp__mcp_msg m;
	int code;

	CU_ASSERT_EQUAL(parse_kind("{not json", &code), WSP__MCP_INVALID);
	CU_ASSERT_EQUAL(code, WSP__RPC_PARSE_ERROR);
	CU_ASSERT_EQUAL(parse_kind("[{\"jsonrpc\":\"2.0\"}]", &code),
			WSP__MCP_INVALID);
	CU_ASSERT_EQUAL(code, WSP__RPC_INVALID_REQUEST);
	CU_ASSERT_EQUAL(parse_kind("{\"id\":1,\"method\":\"ping\"}", &code),
			WSP__MCP_INVALID);
	CU_ASSERT_EQUAL(code, WSP__RPC_INVALID_REQUEST);
	CU_ASSERT_EQUAL(parse_kind("{\"jsonrpc\":\"2.0\",\"id\":{},"
				   "\"method\":\"ping\"}",
				   &code),
			WSP__MCP_INVALID);
	CU_ASSERT_EQUAL(code, WSP__RPC_INVALID_REQUEST);
	CU_ASSERT_EQUAL(parse_kind("{\"jsonrpc\":\"2.0\",\"id\":2,"
				   "\"method\":\"x\",\"params\":[1]}",
				   &code),
			WSP__MCP_INVALID);
	CU_ASSERT_EQUAL(code, WSP__RPC_INVALID_PARAMS);
	CU_ASSERT_EQUAL(parse_kind("{\"jsonrpc\":\"2.0\",\"method\":"
				   "\"notifications/initialized\"}",
				   &code),
			WSP__MCP_NOTIFICATION);
	CU_ASSERT_EQUAL(parse_kind("{\"jsonrpc\":\"2.0\",\"id\":\"e1\","
				   "\"result\":{}}",
				   &code),
			WSP__MCP_RESPONSE);
	/* ids: integers of 64 bits; fuzz_mcp found 3.3e102 made a long
	 * long (undefined behaviour) before it was refused */
	CU_ASSERT_EQUAL(parse_kind("{\"jsonrpc\":\"2.0\",\"id\":3.3e102,"
				   "\"method\":\"ping\"}",
				   &code),
			WSP__MCP_INVALID);
	CU_ASSERT_EQUAL(code, WSP__RPC_INVALID_REQUEST);
	CU_ASSERT_EQUAL(parse_kind("{\"jsonrpc\":\"2.0\",\"id\":-1e400,"
				   "\"method\":\"ping\"}",
				   &code),
			WSP__MCP_INVALID);
	CU_ASSERT_EQUAL(parse_kind("{\"jsonrpc\":\"2.0\",\"id\":1.5,"
				   "\"method\":\"ping\"}",
				   &code),
			WSP__MCP_INVALID);
	CU_ASSERT_EQUAL(parse_kind("{\"jsonrpc\":\"2.0\",\"id\":-1e18,"
				   "\"method\":\"ping\"}",
				   &code),
			WSP__MCP_REQUEST);

	wsp__mcp_parse(&m,
		       "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":"
		       "\"tools/list\",\"params\":{}}",
		       58);
	CU_ASSERT_EQUAL(m.kind, WSP__MCP_REQUEST);
	CU_ASSERT_STRING_EQUAL(m.method, "tools/list");
	CU_ASSERT_EQUAL(m.id->valueint, 7);
	wsp__mcp_msg_free(&m);
}

static void test_mcp_replies(void)
{
	cJSON *id = cJSON_CreateNumber(3);
	char *s;

	s = wsp__mcp_error(id, WSP__RPC_METHOD_NOT_FOUND, "nope \xff");
	CU_ASSERT_STRING_EQUAL(s, "{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":"
				  "{\"code\":-32601,\"message\":\"nope "
				  "\xef\xbf\xbd\"}}\n");
	free(s);
	s = wsp__mcp_error(NULL, WSP__RPC_PARSE_ERROR, "Parse error");
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "\"id\":null"));
	free(s);
	cJSON_Delete(id);

	CU_ASSERT_STRING_EQUAL(wsp__mcp_negotiate("2024-11-05"), "2024-11-05");
	CU_ASSERT_STRING_EQUAL(wsp__mcp_negotiate("2025-03-26"), "2025-03-26");
	CU_ASSERT_STRING_EQUAL(wsp__mcp_negotiate("2025-11-25"), "2025-06-18");
	CU_ASSERT_STRING_EQUAL(wsp__mcp_negotiate(NULL), "2025-06-18");

	s = wsp__utf8_clean("a\0b\xc3\xa9\xe2\x82", 7);
	CU_ASSERT_STRING_EQUAL(s, "a\xef\xbf\xbd"
				  "b\xc3\xa9\xef\xbf\xbd"
				  "\xef\xbf\xbd");
	free(s);
}

static CU_TestInfo tests[] = {
	{"schema validation messages", test_schema},
	{"tail lines and head+tail sandwich", test_tail_and_sandwich},
	{"token limit keeps the start", test_limit},
	{"ANSI escapes are stripped", test_strip_ansi},
	{"two lines over the budget come back as they are",
	 test_sandwich_long_lines},
	{"JSON numbers become integers only within range", test_num_to_int},
	{"trailing | tail -N is recognised", test_tail_pipe},
	{"glob patterns", test_glob},
	{".gitignore rules", test_gitignore},
	{"path keys are normalised", test_path_key},
	{"write locks and the read tracker", test_guard},
	{"MCP message classification", test_mcp_parse},
	{"MCP replies, versions and UTF-8 cleaning", test_mcp_replies},
	CU_TEST_INFO_NULL,
};

CU_MAIN("tools_units", tests)
