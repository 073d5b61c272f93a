/*
 * tests/gcs/test_gcs_objects.c - the GCS provider's object calls against
 * the project's GCS fake (auth bearer, rewrites of 1 KiB per call):
 * multipart uploads with CRC-32C both ways, preconditions, ranged reads
 * resumed after a connection that broke off, listing pages with prefixes,
 * rewrite token loops, an expired token mid-run, and the faults the fake
 * injects (wrong CRC-32C, 429).
 */
#include "gcs.h"
#include "cu_main.h"
#include "gcs_env.h"
#include "gcs_open.h"
#include "test_bytes.h"


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct gcs g;

static int fault(const char *json)
{
	return call("POST", "/_fake/faults", NULL, json, NULL);
}

static int suite_init(void)
{
	static const char *const extra[] = {"--rewrite-bytes-per-call", "1024",
					    NULL};

	unsetenv("GOOGLE_APPLICATION_CREDENTIALS");
	if (start_fake(extra) ||
	    gcs_test_open(&g, NULL, "", key_path, false, false))
		return -1;
	g.page_size = 2;
	return 0;
}

static int suite_clean(void)
{
	gcs_test_close(&g);
	stop_fake();
	return 0;
}

static void test_upload_read(void)
{
	size_t n = 300000;
	char *data = gcs_test_bytes(n, 1);
	struct gcs_object o, s;
	wsp_error err = {0};

	/* bytes that look like multipart framing travel as data */
	memcpy(data + 1000, "\r\n--wsp-gcs-", 12);
	CU_ASSERT_EQUAL_FATAL(gcs_upload_multipart(&o, &g, "dir/a b+é.bin",
						   data, n, NULL, -1, &err),
			      0);
	CU_ASSERT_STRING_EQUAL(o.name, "dir/a b+é.bin");
	CU_ASSERT_EQUAL(o.size, n);
	CU_ASSERT_EQUAL(o.crc32c, gcs_crc32c(0, data, n));
	CU_ASSERT_EQUAL(gcs_stat_object(&s, &g, "dir/a b+é.bin", &err), 0);
	CU_ASSERT_EQUAL(s.generation, o.generation);
	CU_ASSERT_STRING_EQUAL(s.content_type, "application/octet-stream");
	CU_ASSERT(gcs_test_reads(&g, "dir/a b+é.bin", 0, UINT64_MAX, data, n));
	CU_ASSERT(gcs_test_reads(&g, "dir/a b+é.bin", 299990, 100,
				 data + 299990, 10));
	CU_ASSERT(gcs_test_reads(&g, "dir/a b+é.bin", 5, 3, data + 5, 3));
	/* past the end: nothing */
	CU_ASSERT(gcs_test_reads(&g, "dir/a b+é.bin", n + 5, 10, "", 0));
	/* an empty object */
	CU_ASSERT_EQUAL(gcs_upload_multipart(&o, &g, "empty", "", 0,
					     "text/plain", -1, &err),
			0);
	CU_ASSERT_EQUAL(o.size, 0);
	CU_ASSERT_STRING_EQUAL(o.content_type, "text/plain");
	free(data);
}

static void test_preconditions(void)
{
	struct gcs_object o, o2;
	wsp_error err = {0};

	CU_ASSERT_EQUAL_FATAL(gcs_upload_multipart(&o, &g, "pre/x", "one", 3,
						   NULL, 0, &err),
			      0);
	/* create-only again: refused by the service, not by a racy check */
	CU_ASSERT_EQUAL(gcs_upload_multipart(&o2, &g, "pre/x", "two", 3, NULL,
					     0, &err),
			WSP_EEXIST);
	CU_ASSERT_EQUAL(err.http_status, 412);
	CU_ASSERT_EQUAL(gcs_upload_multipart(&o2, &g, "pre/x", "two", 3, NULL,
					     o.generation + 1, &err),
			WSP_ESTALE);
	CU_ASSERT_STRING_EQUAL(err.service_code, "conditionNotMet");
	CU_ASSERT_EQUAL(gcs_upload_multipart(&o2, &g, "pre/x", "two", 3, NULL,
					     o.generation, &err),
			0);
	CU_ASSERT(o2.generation > o.generation);
	CU_ASSERT_EQUAL(gcs_delete_object(&g, "pre/x", o.generation, &err),
			WSP_ESTALE);
	CU_ASSERT_EQUAL(gcs_delete_object(&g, "pre/x", o2.generation, &err), 0);
	CU_ASSERT_EQUAL(gcs_stat_object(&o, &g, "pre/x", &err), 1);
	CU_ASSERT_EQUAL(gcs_delete_object(&g, "pre/x", 0, &err), WSP_ENOTFOUND);
	CU_ASSERT_EQUAL(gcs_download(&g, "pre/x", 0, UINT64_MAX, bytes_take,
				     &(struct bytes_sink){0}, &err),
			WSP_ENOTFOUND);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "pre/x"));
}

static void test_read_resumed(void)
{
	size_t n = 400000;
	char *data = gcs_test_bytes(n, 2);
	struct gcs_object o;
	struct bytes_sink b = {0};
	wsp_error err = {0};
	cJSON *j, *r;
	int gets = 0, resumed = 0;

	CU_ASSERT_EQUAL_FATAL(gcs_upload_multipart(&o, &g, "big/r", data, n,
						   NULL, -1, &err),
			      0);
	call("DELETE", "/_fake/requests", NULL, NULL, NULL);
	/* the body stops after 100000 bytes and the connection closes */
	CU_ASSERT_EQUAL(fault("{\"kind\":\"reset\",\"afterBytes\":100000,"
			      "\"method\":\"GET\"}"),
			201);
	CU_ASSERT_EQUAL(gcs_download(&g, "big/r", 0, UINT64_MAX, bytes_take,
				     &b, &err),
			0);
	CU_ASSERT_EQUAL_FATAL(b.len, n);
	CU_ASSERT_EQUAL(memcmp(b.p, data, n), 0);
	/* resumed, not restarted: the second GET asks for the rest of the
	 * same generation */
	j = requests();
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(j, "requests"))
	{
		const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(r, "method"));
		cJSON *q = cJSON_GetObjectItem(r, "query");
		const char *range = cJSON_GetStringValue(cJSON_GetObjectItem(
			cJSON_GetObjectItem(r, "headers"), "range"));
		const char *gen = cJSON_GetStringValue(cJSON_GetObjectItem(q, "generation"));
		char want[32];

		if (!m || strcmp(m, "GET"))
			continue;
		gets++;
		snprintf(want, sizeof(want), "%lld", (long long)o.generation);
		if (range && !strcmp(range, "bytes=100000-") && gen &&
		    !strcmp(gen, want))
			resumed++;
	}
	cJSON_Delete(j);
	CU_ASSERT_EQUAL(gets, 2);
	CU_ASSERT_EQUAL(resumed, 1);
	free(b.p);
	free(data);
}

static void test_crc_faults(void)
{
	struct gcs_object o;
	struct bytes_sink b = {0};
	wsp_error err = {0};

	CU_ASSERT_EQUAL_FATAL(gcs_upload_multipart(&o, &g, "crc/a", "hello2",
						   6, NULL, -1, &err),
			      0);
	/* a download whose X-Goog-Hash disagrees with the bytes */
	CU_ASSERT_EQUAL(fault("{\"kind\":\"bad_crc32c\"}"), 201);
	CU_ASSERT_EQUAL(gcs_download(&g, "crc/a", 0, UINT64_MAX, bytes_take,
				     &b, &err),
			WSP_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "CRC-32C"));
	free(b.p);
	/* an upload answered with a wrong CRC-32C: refused and removed */
	CU_ASSERT_EQUAL(fault("{\"kind\":\"bad_crc32c\"}"), 201);
	CU_ASSERT_EQUAL(gcs_upload_multipart(&o, &g, "crc/b", "hello3", 6, NULL,
					     -1, &err),
			WSP_EIO);
	CU_ASSERT_EQUAL(gcs_stat_object(&o, &g, "crc/b", &err), 1);
}

struct names {
	char all[2048];
	int items, prefixes;
};

static int collect(const struct gcs_object *o, const char *prefix,
		   void *payload)
{
	struct names *n = payload;
	size_t l = strlen(n->all);

	snprintf(n->all + l, sizeof(n->all) - l, "%s%s;", o ? "" : "P:",
		 o ? o->name : prefix);
	if (o)
		n->items++;
	else
		n->prefixes++;
	return 0;
}

static void test_list(void)
{
	const char *names[] = {"ls/a", "ls/b", "ls/sub/c", "ls/sub/d",
			       "ls/sub2/e", "lsx"};
	struct gcs_object o;
	struct names n = {0};
	wsp_error err = {0};

	for (size_t i = 0; i < 6; i++)
		CU_ASSERT_EQUAL_FATAL(gcs_upload_multipart(&o, &g, names[i],
							   "x", 1, NULL, -1,
							   &err),
				      0);
	call("DELETE", "/_fake/requests", NULL, NULL, NULL);
	CU_ASSERT_EQUAL(gcs_list_walk(&g, "ls/", true, 0, collect, &n, &err), 0);
	CU_ASSERT_STRING_EQUAL(n.all, "ls/a;ls/b;P:ls/sub/;P:ls/sub2/;");
	/* two per page: two pages, the second with the token */
	CU_ASSERT_EQUAL(count_requests("GET", "/storage/v1/b/" BUCKET "/o"), 2);
	memset(&n, 0, sizeof(n));
	CU_ASSERT_EQUAL(gcs_list_walk(&g, "ls/", false, 0, collect, &n, &err), 0);
	CU_ASSERT_EQUAL(n.items, 5);
	CU_ASSERT_EQUAL(n.prefixes, 0);
	memset(&n, 0, sizeof(n));
	CU_ASSERT_EQUAL(gcs_list_walk(&g, "nothing/", true, 0, collect, &n, &err),
			0);
	CU_ASSERT_EQUAL(n.items + n.prefixes, 0);
}

static void test_rewrite_loop(void)
{
	size_t n = 5000;
	char *data = gcs_test_bytes(n, 3);
	struct gcs_object o, c;
	wsp_error err = {0};

	CU_ASSERT_EQUAL_FATAL(gcs_upload_multipart(&o, &g, "cp/src", data, n,
						   "image/png", -1, &err),
			      0);
	call("DELETE", "/_fake/requests", NULL, NULL, NULL);
	CU_ASSERT_EQUAL_FATAL(gcs_rewrite(&c, &g, "cp/src", "cp/dst b", 0,
					  &err),
			      0);
	CU_ASSERT_STRING_EQUAL(c.name, "cp/dst b");
	CU_ASSERT_EQUAL(c.size, n);
	CU_ASSERT_EQUAL(c.crc32c, o.crc32c);
	/* 1 KiB per call: five calls, four of them sending a token back */
	CU_ASSERT_EQUAL(count_requests("POST", "/storage/v1/b/" BUCKET
					       "/o/cp%2Fsrc/rewriteTo/*"),
			5);
	CU_ASSERT(gcs_test_reads(&g, "cp/dst b", 0, UINT64_MAX, data, n));
	/* create-only onto an existing object */
	CU_ASSERT_EQUAL(gcs_rewrite(&c, &g, "cp/src", "cp/dst b", 0, &err),
			WSP_EEXIST);
	CU_ASSERT_EQUAL(gcs_rewrite(&c, &g, "cp/none", "cp/x", -1, &err),
			WSP_ENOTFOUND);
	free(data);
}

static void test_token_expired_mid_run(void)
{
	struct gcs_object o;
	wsp_error err = {0};
	int tokens;

	CU_ASSERT_EQUAL_FATAL(gcs_upload_multipart(&o, &g, "tok/a", "x", 1,
						   NULL, -1, &err),
			      0);
	tokens = count_requests("POST", "/token");
	call("DELETE", "/_fake/requests", NULL, NULL, NULL);
	CU_ASSERT_EQUAL(call("POST", "/_fake/tokens/expire", NULL, "{}", NULL),
			200);
	/* the 401 renews the token and the call goes through */
	CU_ASSERT_EQUAL(gcs_stat_object(&o, &g, "tok/a", &err), 0);
	CU_ASSERT_EQUAL(count_requests("POST", "/token"), 1);
	CU_ASSERT_EQUAL(count_requests("GET", "/storage/v1/b/" BUCKET
					      "/o/tok%2Fa"),
			2);
	(void)tokens;
	/* an upload too (its body is sent again) */
	CU_ASSERT_EQUAL(call("POST", "/_fake/tokens/expire", NULL, "{}", NULL),
			200);
	CU_ASSERT_EQUAL(gcs_upload_multipart(&o, &g, "tok/b", "yz", 2, NULL,
					     -1, &err),
			0);
	CU_ASSERT_EQUAL(o.size, 2);
}

static void test_rate_limited(void)
{
	struct gcs_object o;
	wsp_error err = {0};

	CU_ASSERT_EQUAL(fault("{\"kind\":\"rate_limit\",\"retryAfter\":1,"
			      "\"method\":\"GET\"}"),
			201);
	call("DELETE", "/_fake/requests", NULL, NULL, NULL);
	CU_ASSERT_EQUAL(gcs_stat_object(&o, &g, "tok/a", &err), 0);
	CU_ASSERT_EQUAL(count_requests("GET", "/storage/v1/b/" BUCKET
					      "/o/tok%2Fa"),
			2);
}

/* How many resumable PUTs had a Content-Range starting with start. */
static int puts_with(const char *start)
{
	cJSON *j = requests(), *r;
	int n = 0;

	cJSON_ArrayForEach(r, cJSON_GetObjectItem(j, "requests"))
	{
		const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(r, "method"));
		const char *cr = cJSON_GetStringValue(cJSON_GetObjectItem(
			cJSON_GetObjectItem(r, "headers"), "content-range"));

		if (m && !strcmp(m, "PUT") && cr &&
		    !strncmp(cr, start, strlen(start)))
			n++;
	}
	cJSON_Delete(j);
	return n;
}

static int read_back(const char *name, const char *want, size_t n)
{
	return gcs_test_reads(&g, name, 0, UINT64_MAX, want, n);
}

static void test_resumable(void)
{
	size_t n = (1u << 20) + 123;
	char *data = gcs_test_bytes(n, 4);
	struct gcs_test_src s = {data, n, 0, 100000};
	struct gcs_object o;
	wsp_error err = {0};

	g.chunk_size = 256 << 10;
	call("DELETE", "/_fake/requests", NULL, NULL, NULL);
	CU_ASSERT_EQUAL_FATAL(gcs_upload_resumable(&o, &g, "res/a",
						   gcs_test_give, &s,
						   "text/csv", -1, &err),
			      0);
	CU_ASSERT_EQUAL(o.size, n);
	CU_ASSERT_EQUAL(o.crc32c, gcs_crc32c(0, data, n));
	CU_ASSERT_STRING_EQUAL(o.content_type, "text/csv");
	/* four full chunks, then the last with the size and X-Goog-Hash */
	CU_ASSERT_EQUAL(puts_with("bytes "), 5);
	CU_ASSERT_EQUAL(puts_with("bytes 786432-1048575/*"), 1);
	CU_ASSERT_EQUAL(puts_with("bytes 1048576-1048698/1048699"), 1);
	CU_ASSERT_TRUE(read_back("res/a", data, n));

	/* an exact multiple: the end is told by an empty PUT */
	s = (struct gcs_test_src){data, 512 << 10, 0, 1 << 20};
	call("DELETE", "/_fake/requests", NULL, NULL, NULL);
	CU_ASSERT_EQUAL(gcs_upload_resumable(&o, &g, "res/b", gcs_test_give, &s,
					     NULL, -1, &err),
			0);
	CU_ASSERT_EQUAL(o.size, 512 << 10);
	CU_ASSERT_EQUAL(puts_with("bytes */524288"), 1);
	CU_ASSERT_TRUE(read_back("res/b", data, 512 << 10));

	/* empty */
	s = (struct gcs_test_src){data, 0, 0, 1};
	CU_ASSERT_EQUAL(gcs_upload_resumable(&o, &g, "res/empty", gcs_test_give,
					     &s, NULL, -1, &err),
			0);
	CU_ASSERT_EQUAL(o.size, 0);

	/* create-only is refused at the start, before any data */
	s = (struct gcs_test_src){data, n, 0, 100000};
	call("DELETE", "/_fake/requests", NULL, NULL, NULL);
	CU_ASSERT_EQUAL(gcs_upload_resumable(&o, &g, "res/a", gcs_test_give, &s,
					     NULL, 0, &err),
			WSP_EEXIST);
	CU_ASSERT_EQUAL(puts_with("bytes "), 0);
	CU_ASSERT_EQUAL(s.at, 0);
	free(data);
}

static void test_resumable_reset(void)
{
	size_t n = (1u << 20) + 7;
	char *data = gcs_test_bytes(n, 5);
	struct gcs_test_src s = {data, n, 0, 1 << 20};
	struct gcs_object o;
	wsp_error err = {0};

	g.chunk_size = 256 << 10;
	call("DELETE", "/_fake/requests", NULL, NULL, NULL);
	/* the first chunk's connection is reset after 100000 bytes; the
	 * fake keeps them, as GCS keeps what it persisted */
	CU_ASSERT_EQUAL(fault("{\"kind\":\"reset\",\"afterBytes\":100000,"
			      "\"method\":\"PUT\",\"url\":\"upload_id\","
			      "\"count\":1}"),
			201);
	CU_ASSERT_EQUAL_FATAL(gcs_upload_resumable(&o, &g, "res/r",
						   gcs_test_give, &s, NULL, -1,
						   &err),
			      0);
	CU_ASSERT_EQUAL(o.crc32c, gcs_crc32c(0, data, n));
	/* resumed from what was stored, not restarted */
	CU_ASSERT_EQUAL(puts_with("bytes */*"), 1);
	CU_ASSERT_EQUAL(puts_with("bytes 100000-262143/*"), 1);
	CU_ASSERT_EQUAL(puts_with("bytes 0-262143/*"), 1);
	CU_ASSERT_TRUE(read_back("res/r", data, n));

	/* a 503 on a chunk: asked where to go on, then done */
	s = (struct gcs_test_src){data, n, 0, 1 << 20};
	call("DELETE", "/_fake/requests", NULL, NULL, NULL);
	CU_ASSERT_EQUAL(fault("{\"kind\":\"error\",\"status\":503,"
			      "\"method\":\"PUT\",\"url\":\"upload_id\"}"),
			201);
	CU_ASSERT_EQUAL(gcs_upload_resumable(&o, &g, "res/s", gcs_test_give, &s,
					     NULL, -1, &err),
			0);
	CU_ASSERT_TRUE(read_back("res/s", data, n));

	/* a wrong CRC-32C in the final answer: refused and removed */
	s = (struct gcs_test_src){data, n, 0, 1 << 20};
	CU_ASSERT_EQUAL(fault("{\"kind\":\"bad_crc32c\"}"), 201);
	CU_ASSERT_EQUAL(gcs_upload_resumable(&o, &g, "res/c", gcs_test_give, &s,
					     NULL, -1, &err),
			WSP_EIO);
	CU_ASSERT_EQUAL(gcs_stat_object(&o, &g, "res/c", &err), 1);
	free(data);
}

static void test_append(void)
{
	/* binary bytes, NULs and invalid UTF-8 included */
	const char a[] = {'\0', '\xff', '\xfe', 'a', '\n'};
	const char b[] = {'\x80', '\0', 'b'};
	char both[8];
	struct gcs_object o, o2;
	wsp_error err = {0};

	memcpy(both, a, 5);
	memcpy(both + 5, b, 3);
	/* missing: created */
	CU_ASSERT_EQUAL_FATAL(gcs_append(&o, &g, "app/log.bin", a, 5, NULL,
					 &err),
			      0);
	CU_ASSERT_EQUAL(o.size, 5);
	call("DELETE", "/_fake/requests", NULL, NULL, NULL);
	CU_ASSERT_EQUAL_FATAL(gcs_append(&o2, &g, "app/log.bin", b, 3, NULL,
					 &err),
			      0);
	CU_ASSERT_EQUAL(o2.size, 8);
	CU_ASSERT_EQUAL(o2.crc32c, gcs_crc32c(0, both, 8));
	/* by compose, never by reading the object back: one GET, of the
	 * metadata (the read below is the test's own) */
	CU_ASSERT_EQUAL(count_requests("POST", "/storage/v1/b/" BUCKET
					       "/o/app%2Flog.bin/compose"),
			1);
	CU_ASSERT_EQUAL(count_requests("GET", "/storage/v1/b/" BUCKET
					      "/o/app%2Flog.bin"),
			1);
	CU_ASSERT_TRUE(read_back("app/log.bin", both, 8));
	/* the temporary part is gone */
	{
		struct names n = {0};

		CU_ASSERT_EQUAL(gcs_list_walk(&g, "app/", false, 0, collect, &n,
					      &err),
				0);
		CU_ASSERT_STRING_EQUAL(n.all, "app/log.bin;");
	}
}

static void test_delete_prefix(void)
{
	struct gcs_object o;
	struct names n = {0};
	wsp_error err = {0};
	size_t removed = 0;
	char name[64];

	for (int i = 0; i < 9; i++) {
		snprintf(name, sizeof(name), "rm/%s%d", i % 2 ? "sub/" : "", i);
		CU_ASSERT_EQUAL_FATAL(gcs_upload_multipart(&o, &g, name, "x",
							   1, NULL, -1, &err),
				      0);
	}
	CU_ASSERT_EQUAL_FATAL(gcs_upload_multipart(&o, &g, "rmx", "x", 1, NULL,
						   -1, &err),
			      0);
	g.parallelism = 3;
	call("DELETE", "/_fake/requests", NULL, NULL, NULL);
	CU_ASSERT_EQUAL(gcs_delete_prefix(&g, "rm/", &removed, &err), 0);
	CU_ASSERT_EQUAL(removed, 9);
	/* one batch request, no single deletes */
	CU_ASSERT_EQUAL(count_requests("POST", "/batch/storage/v1"), 1);
	CU_ASSERT_EQUAL(count_requests("DELETE", "/storage/v1/b/" BUCKET "/o/*"),
			0);
	CU_ASSERT_EQUAL(gcs_list_walk(&g, "rm", false, 0, collect, &n, &err), 0);
	CU_ASSERT_STRING_EQUAL(n.all, "rmx;");
	CU_ASSERT_EQUAL(gcs_delete_prefix(&g, "rm/", &removed, &err), 0);
	CU_ASSERT_EQUAL(removed, 0);
}

/* n objects pre/000 .. pre/(n-1), listed 1000 a page. */
static void make_objects(const char *pre, int n)
{
	struct gcs_object o;
	wsp_error err = {0};
	char name[64];

	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s/%03d", pre, i);
		CU_ASSERT_EQUAL_FATAL(gcs_upload_multipart(&o, &g, name, "x",
							   1, NULL, -1, &err),
				      0);
	}
	g.page_size = 1000;
	call("DELETE", "/_fake/requests", NULL, NULL, NULL);
}

static int left_under(const char *pre)
{
	struct names n = {0};
	wsp_error err = {0};

	CU_ASSERT_EQUAL(gcs_list_walk(&g, pre, false, 0, collect, &n, &err),
			0);
	return n.items;
}

static void test_delete_prefix_batches(void)
{
	wsp_error err = {0};
	size_t removed = 0;
	char *armed = NULL;

	make_objects("many", 250);
	/* parts fail (503, 429) or go missing; one whole batch is refused
	 * once (503) and sent again by the core */
	CU_ASSERT_EQUAL(
		fault("[{\"kind\":\"error\",\"status\":503,\"method\":\"DELETE\","
		      "\"url\":\"many%2F01\",\"count\":10},"
		      "{\"kind\":\"batch_omit\",\"method\":\"DELETE\","
		      "\"url\":\"many%2F02[0-4]\",\"count\":5},"
		      "{\"kind\":\"rate_limit\",\"method\":\"DELETE\","
		      "\"url\":\"many%2F030\",\"retryAfter\":0},"
		      "{\"kind\":\"error\",\"status\":503,"
		      "\"path\":\"/batch/storage/v1\"}]"),
		201);
	g.parallelism = 2;
	CU_ASSERT_EQUAL(gcs_delete_prefix(&g, "many/", &removed, &err), 0);
	CU_ASSERT_EQUAL(removed, 250);
	CU_ASSERT_EQUAL(left_under("many/"), 0);
	/* 3 batches (100, 100, 50), one of them twice; the 16 parts that
	 * failed or went missing singly, and nothing else */
	CU_ASSERT_EQUAL(count_requests("POST", "/batch/storage/v1"), 4);
	CU_ASSERT_EQUAL(count_requests("DELETE", "/storage/v1/b/" BUCKET "/o/*"),
			16);
	CU_ASSERT_EQUAL(call("GET", "/_fake/faults", NULL, NULL, &armed), 200);
	CU_ASSERT_PTR_NOT_NULL(armed ? strstr(armed, "\"faults\":[]") : NULL);
	free(armed);
	CU_ASSERT_FALSE(g.no_batch);
	g.page_size = 2;
}

static void test_delete_prefix_stale(void)
{
	wsp_error err = {0};
	size_t removed = 9;

	make_objects("st", 3);
	/* someone rewrote st/001 after the listing: its part answers 412 */
	CU_ASSERT_EQUAL(fault("{\"kind\":\"error\",\"status\":412,"
			      "\"method\":\"DELETE\",\"url\":\"st%2F001\"}"),
			201);
	CU_ASSERT_EQUAL(gcs_delete_prefix(&g, "st/", &removed, &err),
			WSP_ESTALE);
	CU_ASSERT_EQUAL(removed, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "'st/001': HTTP 412"));
	CU_ASSERT_EQUAL(err.http_status, 412);
	/* the others went; st/001 is still there, and goes the next time */
	CU_ASSERT_EQUAL(left_under("st/"), 1);
	CU_ASSERT_EQUAL(gcs_delete_prefix(&g, "st/", &removed, &err), 0);
	CU_ASSERT_EQUAL(removed, 1);
	CU_ASSERT_EQUAL(left_under("st/"), 0);
	g.page_size = 2;
}

static void test_delete_prefix_no_batch(void)
{
	static const int statuses[] = {501, 404};

	for (size_t i = 0; i < 2; i++) {
		wsp_error err = {0};
		size_t removed = 0;
		char f[128];

		make_objects("nb", 7);
		/* an emulator without the batch endpoint */
		snprintf(f, sizeof(f),
			 "{\"kind\":\"error\",\"status\":%d,\"path\":"
			 "\"/batch/storage/v1\"}",
			 statuses[i]);
		CU_ASSERT_EQUAL(fault(f), 201);
		g.parallelism = 3;
		CU_ASSERT_EQUAL(gcs_delete_prefix(&g, "nb/", &removed, &err),
				0);
		CU_ASSERT_EQUAL(removed, 7);
		CU_ASSERT_EQUAL(left_under("nb/"), 0);
		CU_ASSERT_EQUAL(count_requests("POST", "/batch/storage/v1"),
				1);
		CU_ASSERT_EQUAL(count_requests("DELETE", "/storage/v1/b/" BUCKET
							 "/o/*"),
				7);
		CU_ASSERT_TRUE(g.no_batch);
		/* and not asked again */
		make_objects("nb", 3);
		CU_ASSERT_EQUAL(gcs_delete_prefix(&g, "nb/", &removed, &err),
				0);
		CU_ASSERT_EQUAL(removed, 3);
		CU_ASSERT_EQUAL(count_requests("POST", "/batch/storage/v1"),
				0);
		g.no_batch = false;
		g.page_size = 2;
	}
}

static void test_is_dir(void)
{
	struct gcs_object o;
	wsp_error err = {0};

	CU_ASSERT_EQUAL_FATAL(gcs_upload_multipart(&o, &g, "tree/sub/f", "x",
						   1, NULL, -1, &err),
			      0);
	CU_ASSERT_EQUAL_FATAL(gcs_upload_multipart(&o, &g, "marker/", "", 0,
						   "application/x-directory",
						   -1, &err),
			      0);
	call("DELETE", "/_fake/requests", NULL, NULL, NULL);
	CU_ASSERT_EQUAL(gcs_is_dir(&g, "tree", &err), 1);
	CU_ASSERT_EQUAL(gcs_is_dir(&g, "tree/sub", &err), 1);
	CU_ASSERT_EQUAL(gcs_is_dir(&g, "tree/sub/f", &err), 0);
	CU_ASSERT_EQUAL(gcs_is_dir(&g, "tre", &err), 0);
	CU_ASSERT_EQUAL(gcs_is_dir(&g, "marker", &err), 1);
	CU_ASSERT_EQUAL(gcs_is_dir(&g, "", &err), 1);
	/* one listing of one result each, whatever is below */
	CU_ASSERT_EQUAL(count_requests("GET", "/storage/v1/b/" BUCKET "/o"), 5);
	{
		cJSON *j = requests(), *r;
		int ones = 0;

		cJSON_ArrayForEach(r, cJSON_GetObjectItem(j, "requests"))
		{
			const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(
				cJSON_GetObjectItem(r, "query"), "maxResults"));

			if (m && !strcmp(m, "1"))
				ones++;
		}
		cJSON_Delete(j);
		CU_ASSERT_EQUAL(ones, 5);
	}
}

static CU_TestInfo tests[] = {
	{"multipart upload, ranged reads", test_upload_read},
	{"preconditions", test_preconditions},
	{"read resumed with a generation pin", test_read_resumed},
	{"wrong CRC-32C refused", test_crc_faults},
	{"listing pages and prefixes", test_list},
	{"rewrite token loop", test_rewrite_loop},
	{"token expired mid-run", test_token_expired_mid_run},
	{"429 retried", test_rate_limited},
	{"resumable uploads", test_resumable},
	{"resumable upload resumed", test_resumable_reset},
	{"append by compose", test_append},
	{"remove a prefix", test_delete_prefix},
	{"remove a prefix: batches, failed parts retried", test_delete_prefix_batches},
	{"remove a prefix: a stale part", test_delete_prefix_stale},
	{"remove a prefix: no batch endpoint", test_delete_prefix_no_batch},
	{"directories", test_is_dir},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("gcs_objects", suite_init, suite_clean, tests)
