/*
 * tests/tools/test_search_vector.c - vector and hybrid search (issue 20)
 * through the public API against tests/embeddings/embed-server.mjs, a
 * real OpenAI-compatible embeddings server on 127.0.0.1 (hashed bag of
 * words with a synonym table, so "automobile" is close to "car" while
 * BM25 sees no shared word). Checked: rankings that differ from bm25
 * where they should, hybrid's weight, vectors made incrementally and kept
 * across a reopen, the fallback to bm25 without an endpoint, clear errors
 * when the endpoint fails or answers garbage, and the api_key in no
 * output (results, errors, logs, `config show`).
 */
#include "fixture.h"
#include "node_fake.h"

#include "cu_main.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY "sk-wsptest-Qm4Zr8Kc2Vn7"

static struct node_fake server;
static char logs[65536]; /* every log line of the fixtures, appended */

static void on_log(int level, const char *line, void *payload)
{
	size_t n = strlen(logs);

	(void)level, (void)payload;
	snprintf(logs + n, sizeof(logs) - n, "%s\n", line);
}

/* One command to the server; its "ok..." answer into out. */
static void server_say(const char *cmd, char *out, size_t cap)
{
	char line[256];

	dprintf(server.stdin_fd, "%s\n", cmd);
	CU_ASSERT_PTR_NOT_NULL_FATAL(
		fgets(line, sizeof(line), server.stdout_f));
	CU_ASSERT_EQUAL(strncmp(line, "ok", 2), 0);
	if (out)
		snprintf(out, cap, "%s", line);
}

/* A number of the server's stats ("inputs", "requests"): how many it
 * embedded, how many requests it took so far. */
static long stat_of(const char *name)
{
	char line[256], key[32];
	const char *p;

	server_say("stats", line, sizeof(line));
	snprintf(key, sizeof(key), "%s=", name);
	p = strstr(line, key);
	return p ? atol(p + strlen(key)) : -1;
}

static long inputs(void)
{
	return stat_of("inputs");
}

static long requests(void)
{
	return stat_of("requests");
}

/* The search section pointing at the server, extra lines appended. */
static const char *yaml(const char *extra)
{
	static char y[2048];

	snprintf(y, sizeof(y),
		 "search:\n"
		 "  auto_index_paths: [/docs]\n"
		 "  index_path: @DIR@/index.sqlite\n"
		 "  embeddings:\n"
		 "    url: http://127.0.0.1:%d/v1/\n"
		 "    model: wsp-test-embed-1\n"
		 "    api_key: ${WSP_TEST_EMBED_KEY}\n"
		 "    batch_size: 2\n"
		 "%s",
		 server.port, extra ? extra : "");
	return y;
}

static long at(const char *hay, const char *needle)
{
	const char *p = strstr(hay, needle);

	return p ? (long)(p - hay) : -1;
}

static char *search(struct fixture *f, const char *args)
{
	int is_error = 0;
	char *out = fixture_call(f, "search", args, &is_error);

	CU_ASSERT_EQUAL(is_error, 0);
	if (is_error)
		fprintf(stderr, "search %s: %s\n", args, out);
	CU_ASSERT_EQUAL(at(out, KEY), -1);
	return out;
}

/* A search that must fail; its message (malloc'd). */
static char *search_fails(struct fixture *f, const char *args)
{
	int is_error = 0;
	char *out = fixture_call(f, "search", args, &is_error);

	CU_ASSERT_EQUAL(is_error, 1);
	CU_ASSERT_EQUAL(at(out, KEY), -1);
	return out;
}

/* The search tool's input schema as wsp_tools_get gives it. */
static const char *schema_of(struct fixture *f)
{
	wsp_tool_info info;
	size_t i;

	for (i = 0; i < wsp_tools_count(f->tools); i++) {
		info.struct_size = sizeof(info);
		if (!wsp_tools_get(&info, f->tools, i) &&
		    !strcmp(info.tool, "search"))
			return info.input_schema;
	}
	return "";
}

static void tree(struct fixture *f)
{
	fixture_write(f, "docs/cars.md",
		      "Our sedan and the truck need a repair.\n"
		      "The car dealer says every vehicle gets one.\n");
	fixture_write(f, "docs/bikes.md",
		      "Bike repair: repair the chain, repair the gears.\n");
	fixture_write(f, "docs/pets.md",
		      "The puppy chased a kitten around the yard.\n");
	fixture_write(f, "docs/kernel.md",
		      "the kernel scheduler runs tasks on every core\n");
}

/* A fixture with the search section (extra lines appended) over tree(). */
static void open_tree(struct fixture *f, const char *extra)
{
	CU_ASSERT_EQUAL_FATAL(fixture_open(f, yaml(extra), 0), 0);
	tree(f);
}

static void test_modes_rank(void)
{
	struct fixture f;
	char *out;

	open_tree(&f, NULL);
	/* bm25 sees no word of "automobile"; the vectors see a car */
	out = search(&f, "{\"query\":\"automobile\",\"mode\":\"bm25\"}");
	CU_ASSERT_STRING_EQUAL(out, "---\n0 results (bm25 search)");
	free(out);
	out = search(&f, "{\"query\":\"automobile\",\"mode\":\"vector\","
			 "\"topK\":2}");
	CU_ASSERT_EQUAL(at(out, "/docs/cars.md:1-2: Our sedan"), 0);
	CU_ASSERT(at(out, "---\n2 results (vector search)") > 0);
	free(out);
	/* no mode: hybrid, Mastra's choice when vectors are there */
	out = search(&f, "{\"query\":\"automobile\",\"topK\":1}");
	CU_ASSERT_STRING_EQUAL(out, "/docs/cars.md:1-2: Our sedan and the "
				    "truck need a repair.\nThe car dealer "
				    "says every vehicle gets one.\n---\n1 "
				    "result (hybrid search)");
	free(out);

	/* "automobile repair": bm25 ranks the text saying repair three
	 * times first, the vectors the one about vehicles */
	out = search(&f, "{\"query\":\"automobile repair\",\"mode\":\"bm25\"}");
	CU_ASSERT_EQUAL(at(out, "/docs/bikes.md:1-1:"), 0);
	CU_ASSERT(at(out, "/docs/cars.md:1-1:") > 0);
	CU_ASSERT(at(out, "2 results (bm25 search)") > 0);
	free(out);
	out = search(&f, "{\"query\":\"automobile repair\","
			 "\"mode\":\"vector\"}");
	CU_ASSERT_EQUAL(at(out, "/docs/cars.md:1-1:"), 0);
	CU_ASSERT(at(out, "/docs/bikes.md") > 0);
	free(out);
	/* minScore is the cosine in vector mode */
	out = search(&f, "{\"query\":\"automobile\",\"mode\":\"vector\","
			 "\"minScore\":0.99}");
	CU_ASSERT_STRING_EQUAL(out, "---\n0 results (vector search)");
	free(out);
	/* a query of stopwords alone still has a meaning to embed; a
	 * blank one has none and asks the endpoint nothing */
	out = search(&f, "{\"query\":\"  \",\"mode\":\"vector\"}");
	CU_ASSERT_STRING_EQUAL(out, "---\n0 results (vector search)");
	free(out);
	fixture_close(&f);

	/* the weight: 1 ranks as the vectors, 0 as bm25 */
	open_tree(&f, "  vector_weight: 1\n");
	out = search(&f, "{\"query\":\"automobile repair\"}");
	CU_ASSERT_EQUAL(at(out, "/docs/cars.md:1-1:"), 0);
	CU_ASSERT(at(out, "(hybrid search)") > 0);
	free(out);
	fixture_close(&f);
	open_tree(&f, "  vector_weight: 0\n");
	out = search(&f, "{\"query\":\"automobile repair\"}");
	CU_ASSERT_EQUAL(at(out, "/docs/bikes.md:1-1:"), 0);
	CU_ASSERT(at(out, "/docs/cars.md") > 0);
	/* chunks bm25 did not find score 0 and come last */
	CU_ASSERT(at(out, "/docs/pets.md") > at(out, "/docs/cars.md"));
	free(out);
	fixture_close(&f);
}

static void test_incremental(void)
{
	struct fixture f;
	long before, reqs;
	char *out;

	open_tree(&f, NULL);
	before = inputs();
	free(search(&f, "{\"query\":\"kernel\",\"mode\":\"bm25\"}"));
	/* four one-chunk files, embedded as they were indexed */
	CU_ASSERT_EQUAL(inputs() - before, 4);
	/* a file written through wsp: its one chunk, at once */
	before = inputs();
	fixture_call_ok(&f, "write_file",
			"{\"path\":\"docs/vet.md\",\"content\":\"Ask the "
			"physician about the hound.\\n\"}");
	CU_ASSERT_EQUAL(inputs() - before, 1);
	out = search(&f, "{\"query\":\"doctor for my dog\","
			 "\"mode\":\"vector\",\"topK\":1}");
	CU_ASSERT_STRING_EQUAL(out, "/docs/vet.md:1-1: Ask the physician "
				    "about the hound.\n---\n1 result (vector "
				    "search)");
	free(out);
	/* the index tool's documents get vectors too */
	fixture_call_ok(&f, "index",
			"{\"path\":\"kb/faq\",\"content\":\"a rapid "
			"feline\"}");
	out = search(&f, "{\"query\":\"fast cat\",\"mode\":\"vector\","
			 "\"topK\":1}");
	CU_ASSERT_EQUAL(at(out, "kb/faq:1-1: a rapid feline"), 0);
	free(out);
	/* reopened: the vectors are in the file; only queries are sent */
	CU_ASSERT_EQUAL_FATAL(fixture_reopen(&f, yaml(NULL), 0), 0);
	before = inputs();
	reqs = requests();
	out = search(&f, "{\"query\":\"automobile\",\"mode\":\"vector\","
			 "\"topK\":1}");
	CU_ASSERT_EQUAL(at(out, "/docs/cars.md:"), 0);
	free(out);
	CU_ASSERT_EQUAL(inputs() - before, 1);
	CU_ASSERT_EQUAL(requests() - reqs, 1);
	fixture_close(&f);
}

static void test_fallback(void)
{
	struct fixture f;
	char *out;
	int is_error;

	CU_ASSERT_EQUAL_FATAL(fixture_open(&f,
					   "search:\n"
					   "  auto_index_paths: [/docs]\n"
					   "  mode: hybrid\n",
					   0),
			      0);
	tree(&f);
	logs[0] = '\0';
	out = search(&f, "{\"query\":\"repair\"}");
	CU_ASSERT_EQUAL(at(out, "/docs/bikes.md:1-1:"), 0);
	CU_ASSERT(at(out, "2 results (bm25 search)") > 0);
	free(out);
	CU_ASSERT(at(logs, "mode 'hybrid' needs search.embeddings; queries "
			   "are answered by bm25") >= 0);
	/* the schema lists only the mode there is */
	CU_ASSERT(at(schema_of(&f), "\"enum\":[\"bm25\"]") > 0);
	out = fixture_call(&f, "search",
			   "{\"query\":\"x\",\"mode\":\"vector\"}", &is_error);
	CU_ASSERT_EQUAL(is_error, -1);
	CU_ASSERT(at(out, "mode") >= 0);
	free(out);
	fixture_close(&f);
}

static void test_endpoint_errors(void)
{
	static const struct {
		const char *cmd, *why;
	} unusable[] = {
		{"bad nan",
		 "unusable: entry 0: a number is not finite or out of float "
		 "range"},
		{"bad count", "0 embeddings for 1 inputs"},
		{"bad dims", "entry 0: 63 numbers, not 64"},
		{"bad json", "the answer is not JSON"},
		{"bad huge", "answered more than 33554432 bytes"},
	};
	struct fixture f;
	char *out;

	/* one attempt per request: each failure below is one answer */
	open_tree(&f, "http:\n  max_attempts: 1\n");
	free(search(&f, "{\"query\":\"kernel\"}"));

	server_say("fail 500 1", NULL, 0);
	out = search_fails(&f, "{\"query\":\"kernel\",\"mode\":\"vector\"}");
	CU_ASSERT(at(out, "Error: vector search: ") == 0);
	CU_ASSERT(at(out, "/v1/embeddings") > 0);
	CU_ASSERT(at(out, "HTTP 500") > 0);
	CU_ASSERT(at(out, "test 500") > 0); /* the server's own message */
	free(out);
	/* bm25 does not need the endpoint */
	out = search(&f, "{\"query\":\"kernel\",\"mode\":\"bm25\"}");
	CU_ASSERT(at(out, "/docs/kernel.md") == 0);
	free(out);

	/* a server that quotes the key back: masked */
	server_say("leak 1", NULL, 0);
	out = search_fails(&f, "{\"query\":\"kernel\",\"mode\":\"hybrid\"}");
	CU_ASSERT(at(out, "Error: hybrid search: ") == 0);
	CU_ASSERT(at(out, "HTTP 401") > 0);
	CU_ASSERT(at(out, "********") > 0);
	free(out);

	/* answers that are no embeddings: the server's command, the words
	 * of the refusal */
	for (size_t i = 0; i < sizeof(unusable) / sizeof(*unusable); i++) {
		server_say(unusable[i].cmd, NULL, 0);
		out = search_fails(
			&f, "{\"query\":\"kernel\",\"mode\":\"vector\"}");
		CU_ASSERT(at(out, unusable[i].why) > 0);
		if (at(out, unusable[i].why) <= 0)
			fprintf(stderr, "\n%s: %s\n", unusable[i].cmd, out);
		free(out);
	}

	/* indexing while the endpoint fails: the write succeeds, a warning
	 * says the vectors wait, and the next vector search makes them */
	logs[0] = '\0';
	server_say("fail 503 1", NULL, 0);
	fixture_call_ok(&f, "write_file",
			"{\"path\":\"docs/late.md\",\"content\":\"a swift "
			"automobile\\n\"}");
	CU_ASSERT(at(logs, "search: vectors for the chunks indexed since the "
			   "last fill are not made yet") >= 0);
	out = search(&f, "{\"query\":\"quick car\",\"mode\":\"vector\","
			 "\"topK\":1}");
	CU_ASSERT_EQUAL(at(out, "/docs/late.md:1-1: a swift automobile"), 0);
	free(out);
	fixture_close(&f);

	/* a retry (the service's default attempts) hides one 500 */
	open_tree(&f, NULL);
	free(search(&f, "{\"query\":\"kernel\"}"));
	server_say("fail 500 1", NULL, 0);
	out = search(&f, "{\"query\":\"automobile\",\"mode\":\"vector\","
			 "\"topK\":1}");
	CU_ASSERT_EQUAL(at(out, "/docs/cars.md:"), 0);
	free(out);
	fixture_close(&f);

	/* a wrong key, a size the endpoint does not give */
	setenv("WSP_TEST_EMBED_KEY", "sk-not-the-right-one", 1);
	CU_ASSERT_EQUAL_FATAL(fixture_open(&f, yaml(NULL), 0), 0);
	out = search_fails(&f, "{\"query\":\"kernel\",\"mode\":\"vector\"}");
	CU_ASSERT(at(out, "HTTP 401") > 0);
	CU_ASSERT(at(out, "Incorrect API key provided") > 0);
	CU_ASSERT_EQUAL(at(out, "sk-not-the-right-one"), -1);
	free(out);
	fixture_close(&f);
	setenv("WSP_TEST_EMBED_KEY", KEY, 1);
	CU_ASSERT_EQUAL_FATAL(fixture_open(&f, yaml("    dimensions: 32\n"), 0),
			      0);
	out = search_fails(&f, "{\"query\":\"kernel\",\"mode\":\"vector\"}");
	CU_ASSERT(at(out, "64 numbers, not 32") > 0);
	free(out);
	fixture_close(&f);
	CU_ASSERT_EQUAL(at(logs, KEY), -1);
}

static int sink_buf(const void *data, size_t len, void *payload)
{
	char *buf = payload;
	size_t n = strlen(buf);

	if (n + len + 1 > 8192)
		len = 8192 - n - 1;
	memcpy(buf + n, data, len);
	buf[n + len] = '\0';
	return 0;
}

static void test_config(void)
{
	struct fixture f;
	char shown[8192] = "";
	wsp_error err;
	char *out;

	CU_ASSERT_EQUAL_FATAL(
		fixture_open(&f, yaml("  vector_weight: 0.3\n"), 0), 0);
	CU_ASSERT_EQUAL(
		wsp_workspace_config_show(f.ws, 0, sink_buf, shown, &err), 0);
	CU_ASSERT(at(shown, "  mode: hybrid\n") > 0);
	CU_ASSERT(at(shown, "  vector_weight: 0.3\n") > 0);
	CU_ASSERT(at(shown, "    api_key: \"********\"\n") > 0);
	CU_ASSERT(at(shown, "    batch_size: 2\n") > 0);
	CU_ASSERT_EQUAL(at(shown, KEY), -1);
	/* every mode in the schema, as listed and as wsp_tools_get says */
	CU_ASSERT_EQUAL(wsp_tools_list_json(&out, f.tools, &err), 0);
	CU_ASSERT(at(out, "\"enum\":[\"bm25\",\"vector\",\"hybrid\"]") > 0);
	wsp_tools_free(out);
	CU_ASSERT(at(schema_of(&f), "[\"bm25\",\"vector\",\"hybrid\"]") > 0);
	fixture_close(&f);

	fixture_config_error("search:\n  mode: fuzzy\n",
			     "must be 'bm25', 'vector' or 'hybrid'");
	fixture_config_error("search:\n  vector_weight: 1.5\n",
			     "'vector_weight' of 'search' must be a number "
			     "from 0 to 1");
	fixture_config_error("search:\n  embeddings:\n    url: "
			     "http://127.0.0.1:9/v1\n",
			     "'search.embeddings' needs a 'url'");
	fixture_config_error("search:\n  embeddings:\n    url: "
			     "ftp://example.net/v1\n    model: m\n",
			     "must start with http:// or https://");
	fixture_config_error("search:\n  embeddings:\n    url: "
			     "http://127.0.0.1:9/v1\n    model: m\n"
			     "    batch_size: 1000\n",
			     "'batch_size' of 'search.embeddings' must be a "
			     "whole number from 1 to 256");
	fixture_config_error("search:\n  embeddings:\n    url: "
			     "http://127.0.0.1:9/v1\n    model: m\n"
			     "    dimensions: 0\n",
			     "'dimensions' of 'search.embeddings' must be a "
			     "whole number from 1 to 8192");
	/* a key with a line break is refused without being quoted */
	fixture_config_error("search:\n  embeddings:\n    url: "
			     "http://127.0.0.1:9/v1\n    model: m\n"
			     "    api_key: \"sk-bad\\nInjected: 1\"\n",
			     "'api_key' of 'search.embeddings' must be 1 to "
			     "4096 bytes of printable ASCII without spaces");
	fixture_config_error("search:\n  embeddings:\n    urll: x\n",
			     "did you mean 'url'");
}

static int suite_init(void)
{
	const char *argv[] = {
		WSP_TEST_EMBED_SERVER, "--key", KEY, "--dim", "64", NULL};

	setenv("WSP_TEST_EMBED_KEY", KEY, 1);
	fixture_log = on_log;
	if (node_fake_start(&server, "wsp-embed", argv)) {
		fprintf(stderr, "the embeddings test server did not start "
				"(node, tests/embeddings)\n");
		node_fake_stop(&server);
		return 1;
	}
	return 0;
}

static int suite_clean(void)
{
	node_fake_stop(&server);
	return 0;
}

static CU_TestInfo tests[] = {
	{"modes rank", test_modes_rank},
	{"incremental", test_incremental},
	{"fallback", test_fallback},
	{"endpoint errors", test_endpoint_errors},
	{"config", test_config},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("search_vector", suite_init, suite_clean, tests)
