/*
 * tests/gcs/test_gcs_units.c - the GCS provider's modules that need no
 * server: CRC-32C (both paths, published check values), base64url and
 * the text forms, the JSON readers on good and hostile answers, the
 * batch delete body and the reader of batch answers, and the options as the core checks and hands them (on the SDK's fake host).
 */
#include "cu_main.h"
#include "gcs.h"
#include "objfs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wsp/fakehost.h>

/* --- crc32c --- */

static void test_crc_vectors(void)
{
	unsigned char buf[32];
	char b64[9];

	/* RFC 3720 B.4 and the check value of the Castagnoli CRC */
	CU_ASSERT_EQUAL(gcs_crc32c(0, "123456789", 9), 0xE3069283u);
	CU_ASSERT_EQUAL(gcs_crc32c_sw(0, "123456789", 9), 0xE3069283u);
	memset(buf, 0, sizeof(buf));
	CU_ASSERT_EQUAL(gcs_crc32c(0, buf, 32), 0x8A9136AAu);
	memset(buf, 0xff, sizeof(buf));
	CU_ASSERT_EQUAL(gcs_crc32c(0, buf, 32), 0x62A8AB43u);
	for (int i = 0; i < 32; i++)
		buf[i] = (unsigned char)i;
	CU_ASSERT_EQUAL(gcs_crc32c(0, buf, 32), 0x46DD794Eu);
	for (int i = 0; i < 32; i++)
		buf[i] = (unsigned char)(31 - i);
	CU_ASSERT_EQUAL(gcs_crc32c_sw(0, buf, 32), 0x113FDB5Cu);
	CU_ASSERT_EQUAL(gcs_crc32c(0, "", 0), 0u);
	/* what the fake and the SDK agree on (reference §4.2) */
	gcs_crc32c_b64(b64, gcs_crc32c(0, "hello2", 6));
	CU_ASSERT_STRING_EQUAL(b64, "jwfJwA==");
	gcs_crc32c_b64(b64, 0xE3069283u);
	CU_ASSERT_STRING_EQUAL(b64, "4waSgw==");
}

static void test_crc_paths_agree(void)
{
	size_t n = 1 << 20;
	unsigned char *b = malloc(n + 16);
	unsigned seed = 7;

	CU_ASSERT_FATAL(b != NULL);
	for (size_t i = 0; i < n + 16; i++) {
		seed = seed * 1103515245u + 12345u;
		b[i] = (unsigned char)(seed >> 16);
	}
	/* every alignment and odd lengths; pieces extend a running CRC */
	for (size_t off = 0; off < 9; off++)
		for (size_t len = 0; len < 80; len += 7) {
			uint32_t s = gcs_crc32c_sw(0, b + off, len);

			CU_ASSERT_EQUAL(gcs_crc32c_hw(0, b + off, len), s);
			CU_ASSERT_EQUAL(gcs_crc32c(gcs_crc32c(0, b + off,
							      len / 3),
						   b + off + len / 3,
						   len - len / 3),
					s);
		}
	CU_ASSERT_EQUAL(gcs_crc32c_hw(0, b + 3, n), gcs_crc32c_sw(0, b + 3, n));
#if defined(__x86_64__)
	{
		FILE *f = fopen("/proc/cpuinfo", "r");
		char line[4096];
		bool sse42 = false;

		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "flags", 5) && strstr(line, " sse4_2"))
				sse42 = true;
		if (f)
			fclose(f);
		/* the run-time check sees what the kernel reports */
		CU_ASSERT_EQUAL(gcs_crc32c_hw_available(), sse42);
	}
#endif
	free(b);
}

static void test_crc_b64_parse(void)
{
	uint32_t v = 0;

	CU_ASSERT_EQUAL(gcs_crc32c_from_b64(&v, "4waSgw=="), 0);
	CU_ASSERT_EQUAL(v, 0xE3069283u);
	CU_ASSERT_EQUAL(gcs_crc32c_from_b64(&v, "AAAAAA=="), 0);
	CU_ASSERT_EQUAL(v, 0u);
	CU_ASSERT_EQUAL(gcs_crc32c_from_b64(&v, "4waSgw="), -1);
	CU_ASSERT_EQUAL(gcs_crc32c_from_b64(&v, "4waSgw==="), -1);
	CU_ASSERT_EQUAL(gcs_crc32c_from_b64(&v, "4waS*w=="), -1);
	/* non-canonical: the last character carries unused bits */
	CU_ASSERT_EQUAL(gcs_crc32c_from_b64(&v, "4waSgx=="), -1);
	CU_ASSERT_EQUAL(gcs_crc32c_from_b64(&v, ""), -1);
}

/* --- text --- */

static void test_b64url(void)
{
	char *e = gcs_b64url("\xfb\xff\xfe", 3);
	unsigned char *d;
	size_t dl;

	CU_ASSERT_STRING_EQUAL(e, "-__-");
	free(e);
	e = gcs_b64url("ab", 2);
	CU_ASSERT_STRING_EQUAL(e, "YWI");
	free(e);
	e = gcs_b64url("a", 1);
	CU_ASSERT_STRING_EQUAL(e, "YQ");
	free(e);
	CU_ASSERT_EQUAL(gcs_b64url_decode(&d, &dl, "YWI", 3), 0);
	CU_ASSERT_EQUAL(dl, 2);
	CU_ASSERT_EQUAL(memcmp(d, "ab", 2), 0);
	free(d);
	CU_ASSERT_EQUAL(gcs_b64url_decode(&d, &dl, "YWI=", 4), 0);
	CU_ASSERT_EQUAL(dl, 2);
	free(d);
	CU_ASSERT_EQUAL(gcs_b64url_decode(&d, &dl, "Y+I", 3), -1);
	CU_ASSERT_EQUAL(gcs_b64url_decode(&d, &dl, "YWIxY", 5), -1);
}

static void test_text(void)
{
	uint64_t v;
	char out[32];

	CU_ASSERT_EQUAL(gcs_parse_u64(&v, "18446744073709551615"), 0);
	CU_ASSERT_EQUAL(v, UINT64_MAX);
	CU_ASSERT_EQUAL(gcs_parse_u64(&v, "18446744073709551616"), -1);
	CU_ASSERT_EQUAL(gcs_parse_u64(&v, "-1"), -1);
	CU_ASSERT_EQUAL(gcs_parse_u64(&v, " 1"), -1);
	CU_ASSERT_EQUAL(gcs_parse_u64(&v, ""), -1);
	gcs_printable(out, sizeof(out), "a\nb\x1b", 4);
	CU_ASSERT_STRING_EQUAL(out, "a\\x0ab\\x1b");
	gcs_printable(out, 8, "abcdefghijkl", 12);
	CU_ASSERT_STRING_EQUAL(out, "abc"); /* cut, room kept for an escape */
	CU_ASSERT_TRUE(gcs_name_ok("dir/f\xc3\xa9.txt", 9));
	CU_ASSERT_FALSE(gcs_name_ok("a\nb", 3));
	CU_ASSERT_FALSE(gcs_name_ok("a\rb", 3));
	CU_ASSERT_FALSE(gcs_name_ok("", 0));
	CU_ASSERT_FALSE(gcs_name_ok("\xc3", 1));    /* truncated */
	CU_ASSERT_FALSE(gcs_name_ok("\xc0\xaf", 2)); /* overlong */
	CU_ASSERT_FALSE(gcs_name_ok("\xed\xa0\x80", 3)); /* surrogate */
	CU_ASSERT_FALSE(gcs_name_ok("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	CU_ASSERT_TRUE(gcs_name_ok("\xf0\x9f\x98\x80", 4));
}

/* --- JSON --- */

#define OBJ                                                                  \
	"{\"kind\":\"storage#object\",\"name\":\"dir/a.txt\","              \
	"\"bucket\":\"team-data\",\"generation\":\"1733400000000001\","     \
	"\"metageneration\":\"2\",\"size\":\"6\",\"contentType\":"          \
	"\"text/plain\",\"md5Hash\":\"boCcvaBzKsSEWRalkBb5VA==\","           \
	"\"crc32c\":\"jwfJwA==\",\"etag\":\"CIHo\",\"updated\":"             \
	"\"2026-12-05T12:00:00.000Z\"}"

static void test_object(void)
{
	struct gcs_object o;
	wsp_error err = {0};
	const char *bad[] = {
		"{\"name\":\"a\",\"size\":\"6\",\"generation\":\"1\"}",
		"{\"name\":\"a\",\"size\":6,\"generation\":\"1\","
		"\"metageneration\":\"1\"}",
		"{\"name\":\"a\",\"size\":\"-6\",\"generation\":\"1\","
		"\"metageneration\":\"1\"}",
		"{\"name\":\"a\",\"size\":\"6\",\"generation\":\"0\","
		"\"metageneration\":\"1\"}",
		"{\"name\":\"a\\nb\",\"size\":\"6\",\"generation\":\"1\","
		"\"metageneration\":\"1\"}",
		"{\"name\":\"a\",\"size\":\"6\",\"generation\":\"1\","
		"\"metageneration\":\"1\",\"crc32c\":\"xyz\"}",
		"{\"name\":\"a\",\"size\":\"6\",\"generation\":"
		"\"9223372036854775808\",\"metageneration\":\"1\"}",
		OBJ "x",
		"[" OBJ "]",
		"",
	};

	CU_ASSERT_EQUAL(gcs_parse_object(&o, OBJ, strlen(OBJ), &err), 0);
	CU_ASSERT_STRING_EQUAL(o.name, "dir/a.txt");
	CU_ASSERT_EQUAL(o.size, 6);
	CU_ASSERT_EQUAL(o.generation, 1733400000000001LL);
	CU_ASSERT_EQUAL(o.metageneration, 2);
	CU_ASSERT_TRUE(o.has_crc32c);
	CU_ASSERT_EQUAL(o.crc32c, gcs_crc32c(0, "hello2", 6));
	CU_ASSERT_STRING_EQUAL(o.md5, "boCcvaBzKsSEWRalkBb5VA==");
	CU_ASSERT_STRING_EQUAL(o.content_type, "text/plain");
	CU_ASSERT_EQUAL(o.mtime_ns, 1796472000000000000LL);
	/* trailing white space is fine */
	CU_ASSERT_EQUAL(gcs_parse_object(&o, OBJ "\n ", strlen(OBJ) + 2, &err),
			0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(gcs_parse_object(&o, bad[i], strlen(bad[i]),
						 &err),
				WSP_EPROTO);
	/* an embedded NUL is refused, not cut */
	CU_ASSERT_EQUAL(gcs_parse_object(&o, OBJ "\0", strlen(OBJ) + 1, &err),
			WSP_EPROTO);
}

struct seen {
	char names[8][GCS_NAME_MAX + 8];
	int n_items, n_prefixes, stop_at;
};

static int on_item(const struct gcs_object *o, const char *prefix,
		   void *payload)
{
	struct seen *s = payload;
	int i = s->n_items + s->n_prefixes;

	if (i < 8)
		snprintf(s->names[i], sizeof(s->names[i]), "%s%s", o ? "o:" : "p:",
			 o ? o->name : prefix);
	if (o)
		s->n_items++;
	else
		s->n_prefixes++;
	return s->stop_at && i + 1 == s->stop_at ? 42 : 0;
}

static void test_list(void)
{
	const char *page = "{\"kind\":\"storage#objects\",\"items\":[" OBJ
			   "],\"prefixes\":[\"dir/sub/\",\"dir/x/\"],"
			   "\"nextPageToken\":\"CgRkaXIv\"}";
	const char *last = "{\"kind\":\"storage#objects\"}";
	struct seen s = {0};
	char *tok = NULL;
	wsp_error err = {0};

	CU_ASSERT_EQUAL(gcs_parse_list(page, strlen(page), on_item, &s, &tok,
				       &err),
			0);
	CU_ASSERT_EQUAL(s.n_items, 1);
	CU_ASSERT_EQUAL(s.n_prefixes, 2);
	CU_ASSERT_STRING_EQUAL(s.names[0], "o:dir/a.txt");
	CU_ASSERT_STRING_EQUAL(s.names[2], "p:dir/x/");
	CU_ASSERT_STRING_EQUAL(tok, "CgRkaXIv");
	free(tok);
	memset(&s, 0, sizeof(s));
	CU_ASSERT_EQUAL(gcs_parse_list(last, strlen(last), on_item, &s, &tok,
				       &err),
			0);
	CU_ASSERT_PTR_NULL(tok);
	CU_ASSERT_EQUAL(s.n_items + s.n_prefixes, 0);
	/* the callback stops the walk */
	memset(&s, 0, sizeof(s));
	s.stop_at = 2;
	CU_ASSERT_EQUAL(gcs_parse_list(page, strlen(page), on_item, &s, &tok,
				       &err),
			42);
	CU_ASSERT_PTR_NULL(tok);
	/* hostile shapes */
	{
		const char *bad[] = {
			"{\"items\":{}}",
			"{\"prefixes\":[1]}",
			"{\"prefixes\":[\"a\\nb\"]}",
			"{\"items\":[{\"name\":\"a\"}]}",
			"{\"nextPageToken\":7}",
			"{\"nextPageToken\":\"\"}",
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			CU_ASSERT_EQUAL(gcs_parse_list(bad[i], strlen(bad[i]),
						       on_item, &s, &tok,
						       &err),
					WSP_EPROTO);
			CU_ASSERT_PTR_NULL(tok);
		}
	}
}

static void test_rewrite(void)
{
	const char *more = "{\"kind\":\"storage#rewriteResponse\","
			   "\"totalBytesRewritten\":\"8388608\","
			   "\"objectSize\":\"20971520\",\"done\":false,"
			   "\"rewriteToken\":\"tok-1\"}";
	const char *done = "{\"kind\":\"storage#rewriteResponse\","
			   "\"totalBytesRewritten\":\"6\",\"objectSize\":"
			   "\"6\",\"done\":true,\"resource\":" OBJ "}";
	const char *notoken = "{\"done\":false}";
	const char *nores = "{\"done\":true}";
	struct gcs_rewrite r;
	wsp_error err = {0};

	CU_ASSERT_EQUAL(gcs_parse_rewrite(&r, more, strlen(more), &err), 0);
	CU_ASSERT_FALSE(r.done);
	CU_ASSERT_STRING_EQUAL(r.token, "tok-1");
	CU_ASSERT_EQUAL(r.total, 20971520);
	CU_ASSERT_EQUAL(r.rewritten, 8388608);
	gcs_rewrite_free(&r);
	CU_ASSERT_EQUAL(gcs_parse_rewrite(&r, done, strlen(done), &err), 0);
	CU_ASSERT_TRUE(r.done);
	CU_ASSERT_STRING_EQUAL(r.resource.name, "dir/a.txt");
	gcs_rewrite_free(&r);
	CU_ASSERT_EQUAL(gcs_parse_rewrite(&r, notoken, strlen(notoken), &err),
			WSP_EPROTO);
	CU_ASSERT_EQUAL(gcs_parse_rewrite(&r, nores, strlen(nores), &err),
			WSP_EPROTO);
}

static void test_error_body(void)
{
	const char *g = "{\"error\":{\"code\":412,\"message\":\"At least one "
			"of the pre-conditions you specified did not hold."
			"\\u001b[31m\",\"errors\":[{\"message\":\"x\","
			"\"domain\":\"global\",\"reason\":\"conditionNotMet\"}]}}";
	const char *oauth = "{\"error\":\"invalid_grant\","
			    "\"error_description\":\"Invalid JWT\"}";
	char reason[64], msg[128];

	gcs_parse_error(reason, sizeof(reason), msg, sizeof(msg), g,
			strlen(g));
	CU_ASSERT_STRING_EQUAL(reason, "conditionNotMet");
	/* the server's escape sequence arrives printable */
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "did not hold.\\x1b[31m"));
	gcs_parse_error(reason, sizeof(reason), msg, sizeof(msg), oauth,
			strlen(oauth));
	CU_ASSERT_STRING_EQUAL(reason, "invalid_grant");
	CU_ASSERT_STRING_EQUAL(msg, "Invalid JWT");
	gcs_parse_error(reason, sizeof(reason), msg, sizeof(msg),
			"<html>502</html>", 16);
	CU_ASSERT_STRING_EQUAL(reason, "");
	CU_ASSERT_STRING_EQUAL(msg, "");
	gcs_parse_error(reason, sizeof(reason), msg, sizeof(msg), NULL, 0);
	CU_ASSERT_STRING_EQUAL(reason, "");
}

static void test_token_body(void)
{
	const char *ok = "{\"access_token\":\"ya29.fake-1\",\"expires_in\":"
			 "3599,\"token_type\":\"Bearer\"}";
	const char *oauth = "{\"error\":\"invalid_grant\","
			    "\"error_description\":\"Invalid JWT "
			    "Signature.\"}";
	const char *bad[] = {
		"{\"expires_in\":3599}",
		"{\"access_token\":\"a b\"}",
		"{\"access_token\":\"a\",\"token_type\":\"MAC\"}",
		"{\"access_token\":\"a\",\"expires_in\":0}",
		"{\"access_token\":\"a\",\"expires_in\":\"60\"}",
		"{\"access_token\":\"\"}",
	};
	struct gcs_token t;
	wsp_error err = {0};

	CU_ASSERT_EQUAL(gcs_parse_token(&t, ok, strlen(ok), &err), 0);
	CU_ASSERT_STRING_EQUAL(t.access_token, "ya29.fake-1");
	CU_ASSERT_EQUAL(t.expires_in, 3599);
	gcs_token_free(&t);
	CU_ASSERT_EQUAL(gcs_parse_token(&t, oauth, strlen(oauth), &err),
			WSP_EAUTH);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "invalid_grant"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "Invalid JWT Signature."));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(gcs_parse_token(&t, bad[i], strlen(bad[i]),
						&err),
				WSP_EPROTO);
		CU_ASSERT_PTR_NULL(t.access_token);
	}
}

static void test_key(void)
{
	const char *sa = "{\"type\":\"service_account\",\"project_id\":"
			 "\"demo-project\",\"private_key_id\":\"k1\","
			 "\"private_key\":\"-----BEGIN PRIVATE KEY-----\\n"
			 "xx\\n-----END PRIVATE KEY-----\\n\",\"client_email\":"
			 "\"robot@demo-project.iam.gserviceaccount.com\","
			 "\"token_uri\":\"http://127.0.0.1:9/token\"}";
	const char *user = "{\"type\":\"authorized_user\",\"client_id\":"
			   "\"cid\",\"client_secret\":\"csecret-123\","
			   "\"refresh_token\":\"1//rt-456\"}";
	const char *ext = "{\"type\":\"external_account\\u001b\"}";
	const char *noemail = "{\"type\":\"service_account\","
			      "\"private_key\":\"x\"}";
	const char *badurl = "{\"type\":\"authorized_user\",\"client_id\":"
			     "\"c\",\"client_secret\":\"s\",\"refresh_token\":"
			     "\"r\",\"token_uri\":\"file:///etc/passwd\"}";
	struct gcs_key k;
	wsp_error err = {0};

	CU_ASSERT_EQUAL(gcs_parse_key(&k, sa, strlen(sa), "key file 'k'",
				      &err),
			0);
	CU_ASSERT_EQUAL(k.type, GCS_KEY_SERVICE_ACCOUNT);
	CU_ASSERT_STRING_EQUAL(k.token_uri, "http://127.0.0.1:9/token");
	CU_ASSERT_STRING_EQUAL(k.private_key_id, "k1");
	CU_ASSERT_STRING_EQUAL(k.project_id, "demo-project");
	gcs_key_free(&k);
	CU_ASSERT_EQUAL(gcs_parse_key(&k, user, strlen(user), "f", &err), 0);
	CU_ASSERT_EQUAL(k.type, GCS_KEY_USER);
	CU_ASSERT_STRING_EQUAL(k.refresh_token, "1//rt-456");
	/* Google's default token URI when the file names none */
	CU_ASSERT_STRING_EQUAL(k.token_uri,
			       "https://oauth2.googleapis.com/token");
	gcs_key_free(&k);
	CU_ASSERT_EQUAL(gcs_parse_key(&k, ext, strlen(ext), "f", &err),
			WSP_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "external_account\\x1b"));
	CU_ASSERT_EQUAL(gcs_parse_key(&k, noemail, strlen(noemail), "f", &err),
			WSP_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "client_email"));
	CU_ASSERT_EQUAL(gcs_parse_key(&k, badurl, strlen(badurl), "f", &err),
			WSP_ECONFIG);
	/* no secret of a refused file reaches the message */
	CU_ASSERT_PTR_NULL(strstr(err.message, "passwd"));
	CU_ASSERT_EQUAL(gcs_parse_key(&k, "{", 1, "f", &err), WSP_ECONFIG);
}

/* --- options --- */

/*
 * The options go through the SDK's fake host for wsp-fs-gcs.so's
 * descriptor: checked against the provider's schema as wsp.yaml is, then
 * read by gcs_open through the core's option services. A value may be
 * refused by either; both are WSP_ECONFIG.
 */
static wsp_fakehost *fh;

static int units_init(void)
{
	wsp_error err = {0};

	if (wsp_fakehost_load(&fh, WSP_FS_GCS_SO, &err)) {
		fprintf(stderr, "%s\n", err.message);
		return -1;
	}
	return 0;
}

static int units_clean(void)
{
	wsp_fakehost_free(fh);
	return 0;
}

/* gcs_open on yaml as the core checked it; 0, or the refusal's code. */
static int open_yaml(struct gcs **out, const char *yaml, wsp_error *err)
{
	const wsp_instance_args *args;
	int rc;

	*out = NULL;
	rc = wsp_fakehost_options(fh, yaml, err);
	if (!rc)
		rc = wsp_fakehost_args(&args, fh, err);
	if (!rc)
		rc = gcs_open(out, wsp_fakehost_host(fh), args->options, err);
	return rc;
}

static int open_with(const char *yaml, wsp_error *err)
{
	struct gcs *g = NULL;
	int rc = open_yaml(&g, yaml, err);

	gcs_close(g);
	return rc;
}

#define OK_YAML "bucket: team-data\nanonymous: true\n"

static void test_options(void)
{
	struct gcs *g = NULL;
	wsp_error err = {0};
	char yaml[512];

	CU_ASSERT_EQUAL_FATAL(open_yaml(&g, OK_YAML "prefix: /team//\n"
					"endpoint: http://127.0.0.1:4443/\n"
					"chunk_size: 262144\nparallelism: 8\n"
					"read_only: true\n"
					"project_id: demo-project\n",
					&err),
			      0);
	CU_ASSERT_STRING_EQUAL(g->prefix, "team/");
	CU_ASSERT_STRING_EQUAL(g->endpoint, "http://127.0.0.1:4443");
	CU_ASSERT_EQUAL(g->chunk_size, 256 << 10);
	CU_ASSERT_EQUAL(g->parallelism, 8);
	CU_ASSERT_TRUE(g->read_only);
	CU_ASSERT_EQUAL(g->auth.kind, GCS_AUTH_ANONYMOUS);
	CU_ASSERT_STRING_EQUAL(g->project_id, "demo-project");
	gcs_close(g);
	CU_ASSERT_EQUAL_FATAL(open_yaml(&g, OK_YAML, &err), 0);
	CU_ASSERT_STRING_EQUAL(g->endpoint, "https://storage.googleapis.com");
	CU_ASSERT_STRING_EQUAL(g->prefix, "");
	CU_ASSERT_EQUAL(g->chunk_size, 8 << 20);
	CU_ASSERT_EQUAL(g->parallelism, 4);
	CU_ASSERT_FALSE(g->read_only);
	gcs_close(g);

	/* buckets */
	const char *good[] = {"abc", "a_b-c.d", "my.bucket.example.com"};
	const char *bad[] = {"ab", "Team", "-ab", "ab-", "a..b", "a b",
			     ("0123456789012345678901234567890123456789"
			      "012345678901234567890123")};

	for (size_t i = 0; i < 3; i++)
		CU_ASSERT_TRUE(gcs_bucket_ok(good[i]));
	for (size_t i = 0; i < 7; i++)
		CU_ASSERT_FALSE(gcs_bucket_ok(bad[i]));
	CU_ASSERT_EQUAL(open_with("bucket: \"bad\\e[2Jbucket\"\n"
				  "anonymous: true\n", &err),
			WSP_ECONFIG);
	/* quoted input is printable */
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "bad\\x1b[2Jbucket"));
	CU_ASSERT_EQUAL(open_with("anonymous: true\n", &err), WSP_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "bucket"));

	/* sizes: chunks are multiples of 256 KiB, parallelism at most 64;
	 * the ranges are the option table's, refused by the core at their
	 * position */
	CU_ASSERT_EQUAL(open_with(OK_YAML "chunk_size: 307200\n", &err),
			WSP_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "a multiple of 256KiB"));
	CU_ASSERT_EQUAL(open_with(OK_YAML "chunk_size: 131072\n", &err),
			WSP_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message,
				      "options.yaml:3:13: option 'chunk_size' "
				      "is 131072; it must be 256KiB to 1GiB"));
	CU_ASSERT_EQUAL(open_with(OK_YAML "parallelism: 65\n", &err),
			WSP_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message,
				      "option 'parallelism' is 65; it must be "
				      "1 to 64"));
	CU_ASSERT_EQUAL(open_with(OK_YAML "resumable_threshold: 6TiB\n", &err),
			WSP_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message,
				      "option 'resumable_threshold' is 6TiB; "
				      "it must be at most 5TiB"));
	CU_ASSERT_EQUAL(open_with(OK_YAML "chunk_size: 1GiB\n"
				  "resumable_threshold: 5TiB\n"
				  "parallelism: 1\n", &err),
			0);

	/* endpoints */
	const char *bad_ep[] = {"ftp://x", "http://", "http://a/b",
				"http://u@h", "127.0.0.1:80", "http://a?b"};

	for (size_t i = 0; i < 6; i++) {
		snprintf(yaml, sizeof(yaml), OK_YAML "endpoint: '%s'\n",
			 bad_ep[i]);
		CU_ASSERT_EQUAL(open_with(yaml, &err), WSP_ECONFIG);
	}

	/* prefixes */
	const char *bad_pre[] = {"a/../b", "./a", "a//b", "\"a\\nb\""};

	for (size_t i = 0; i < 4; i++) {
		snprintf(yaml, sizeof(yaml), OK_YAML "prefix: %s\n",
			 bad_pre[i]);
		CU_ASSERT_EQUAL(open_with(yaml, &err), WSP_ECONFIG);
		CU_ASSERT_PTR_NULL(strchr(err.message, '\n'));
	}
	/* the rule fs-s3 shares (plugins/shared/objfs.c): one '/' after,
	 * none before; the root stays "" */
	const char *pre_in[] = {"/team/data//", "team", "", "///"};
	const char *pre_out[] = {"team/data/", "team/", "", ""};

	for (size_t i = 0; i < 4; i++) {
		char *pre = NULL;

		CU_ASSERT_EQUAL(gcs_normalise_prefix(&pre, pre_in[i], &err), 0);
		CU_ASSERT_STRING_EQUAL(pre ? pre : "(null)", pre_out[i]);
		free(pre);
	}
	CU_ASSERT_EQUAL(gcs_normalise_prefix(&(char *){NULL}, "a/./b", &err),
			WSP_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "'a/./b'"));

	/* credentials are never quoted, file path or key */
	CU_ASSERT_EQUAL(
		open_with("bucket: team-data\ncredentials: '{\"type\":"
			  "\"service_account\",\"client_email\":\"robot@demo-"
			  "project.iam.gserviceaccount.com\",\"private_key\":"
			  "\"NOT-A-KEY-4f9e\"}'\n",
			  &err),
		WSP_ECONFIG);
	CU_ASSERT_PTR_NULL(strstr(err.message, "NOT-A-KEY-4f9e"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "'credentials' option"));
	/* nor logged: the fake host fails the test on a SECRET's value */
	CU_ASSERT_EQUAL(wsp_fakehost_leaks(fh), 0);
}

/* --- paths --- */

static void test_paths(void)
{
	struct gcs g = {.prefix = (char *)"team/"};
	struct gcs root = {.prefix = (char *)""};
	char name[GCS_NAME_MAX + 2], longp[1100];
	struct gcs_object o = {.size = 7, .generation = 1733400000000001LL,
			       .mtime_ns = 5, .content_type = "text/plain"};
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	wsp_error err = {0};
	int64_t gen;

	CU_ASSERT_EQUAL(gcs_name(name, sizeof(name), &g, "a/b.txt", &err), 0);
	CU_ASSERT_STRING_EQUAL(name, "team/a/b.txt");
	CU_ASSERT_EQUAL(gcs_name(name, sizeof(name), &g, ".", &err), 0);
	CU_ASSERT_STRING_EQUAL(name, "team/");
	CU_ASSERT_EQUAL(gcs_name(name, sizeof(name), &root, ".", &err), 0);
	CU_ASSERT_STRING_EQUAL(name, "");
	CU_ASSERT_EQUAL(gcs_name(name, sizeof(name), &g, "a\nb", &err),
			WSP_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "a\\x0ab"));
	memset(longp, 'x', 1020);
	longp[1020] = '\0';
	CU_ASSERT_EQUAL(gcs_name(name, sizeof(name), &g, longp, &err),
			WSP_ETOOBIG);
	CU_ASSERT_EQUAL(gcs_name(name, sizeof(name), &root, longp, &err), 0);

	gcs_object_stat(&st, &o);
	CU_ASSERT_EQUAL(st.type, WSP_FS_TYPE_FILE);
	CU_ASSERT_EQUAL(st.size, 7);
	CU_ASSERT_EQUAL(st.mtime_ns, 5);
	CU_ASSERT_STRING_EQUAL(st.version, "1733400000000001");
	CU_ASSERT_STRING_EQUAL(st.mime_type, "text/plain");
	CU_ASSERT_EQUAL(gcs_parse_version(&gen, st.version, &err), 0);
	CU_ASSERT_EQUAL(gen, 1733400000000001LL);
	CU_ASSERT_EQUAL(gcs_parse_version(&gen, "W/\"etag\"", &err),
			WSP_EINVAL);
	CU_ASSERT_EQUAL(gcs_parse_version(&gen, "0", &err), WSP_EINVAL);
}

/* The type an upload stores: the write's own (the core fills it from its
 * table, tests/gcs/test_gcs_cli.c), else octet-stream; never guessed from
 * the name here. */
static void test_upload_type(void)
{
	wsp_fs_write_opts o = WSP_FS_WRITE_OPTS_INIT;

	CU_ASSERT_STRING_EQUAL(objfs_upload_type(&o),
			       "application/octet-stream");
	o.mime_type = "";
	CU_ASSERT_STRING_EQUAL(objfs_upload_type(&o),
			       "application/octet-stream");
	o.mime_type = "text/x-python";
	CU_ASSERT_STRING_EQUAL(objfs_upload_type(&o), "text/x-python");
}

/* --- batch deletes: the body, and the reader of answers --- */

static void test_batch_body(void)
{
	struct gcs g = {.bucket = "team-data"};
	const char *names[] = {"docs/a b.txt", "r\xc3\xa9sum\xc3\xa9~.md"};
	const int64_t gens[] = {1700000000000001, 0};
	char *body = NULL;
	size_t len = 0;

	CU_ASSERT_EQUAL_FATAL(gcs_batch_delete_body(&body, &len, &g, "wsp_b",
						    names, gens, 2),
			      0);
	CU_ASSERT_EQUAL(len, strlen(body));
	CU_ASSERT_STRING_EQUAL(
		body,
		"--wsp_b\r\nContent-Type: application/http\r\n"
		"Content-Transfer-Encoding: binary\r\nContent-ID: <1>\r\n\r\n"
		"DELETE /storage/v1/b/team-data/o/docs%2Fa%20b.txt"
		"?ifGenerationMatch=1700000000000001 HTTP/1.1\r\n\r\n"
		"--wsp_b\r\nContent-Type: application/http\r\n"
		"Content-Transfer-Encoding: binary\r\nContent-ID: <2>\r\n\r\n"
		"DELETE /storage/v1/b/team-data/o/r%C3%A9sum%C3%A9~.md "
		"HTTP/1.1\r\n\r\n--wsp_b--\r\n");
	free(body);
	/* requester pays: userProject on every nested request */
	g.project_id = "demo-project";
	CU_ASSERT_EQUAL_FATAL(gcs_batch_delete_body(&body, &len, &g, "x",
						    names, gens, 2),
			      0);
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "?ifGenerationMatch="
					    "1700000000000001&userProject="
					    "demo-project HTTP/1.1\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "~.md?userProject=demo-project "
					    "HTTP/1.1\r\n"));
	free(body);
}

static void test_batch_boundary(void)
{
	char b[GCS_BOUNDARY_MAX + 1];
	char long_ct[160];

	CU_ASSERT_EQUAL(gcs_batch_boundary(b, "multipart/mixed; "
					      "boundary=batch_pK7J-E=_AA5"),
			0);
	CU_ASSERT_STRING_EQUAL(b, "batch_pK7J-E=_AA5");
	CU_ASSERT_EQUAL(gcs_batch_boundary(b, "Multipart/Mixed;charset=x;"
					      " BOUNDARY=\"a b'c\""),
			0);
	CU_ASSERT_STRING_EQUAL(b, "a b'c");
	CU_ASSERT_EQUAL(gcs_batch_boundary(b, "multipart/mixed; x=\"a;b\"; "
					      "boundary=z"),
			0);
	CU_ASSERT_STRING_EQUAL(b, "z");
	snprintf(long_ct, sizeof(long_ct), "multipart/mixed; boundary=%070d",
		 7);
	CU_ASSERT_EQUAL(gcs_batch_boundary(b, long_ct), 0);
	CU_ASSERT_EQUAL(strlen(b), 70);
	snprintf(long_ct, sizeof(long_ct), "multipart/mixed; boundary=%071d",
		 7);
	CU_ASSERT_EQUAL(gcs_batch_boundary(b, long_ct), -1);
	const char *bad[] = {NULL,
			     "",
			     "application/json",
			     "multipart/related; boundary=x",
			     "multipart/mixed",
			     "multipart/mixed; boundary=",
			     "multipart/mixed; boundary=\"\"",
			     "multipart/mixed; boundary=\"a \"",
			     "multipart/mixed; boundary=\"open",
			     "multipart/mixed; boundary=a\"b",
			     "multipart/mixed; boundary=a b",
			     "multipart/mixedx; boundary=a",
			     "multipart/mixed; boundary"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(gcs_batch_boundary(b, bad[i]), -1);
}

#define OK_PART(id)                                                          \
	"--B\r\nContent-Type: application/http\r\nContent-ID: <response-" id \
	">\r\n\r\nHTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n\r\n"
#define ERR_BODY "{\"error\":{\"code\":412,\"message\":\"no\"}}"

static size_t parse(struct gcs_batch_part *p, size_t n, const char *body)
{
	return gcs_batch_parse(p, n, "B", body, strlen(body));
}

static void test_batch_parse(void)
{
	struct gcs_batch_part p[GCS_BATCH_MAX];
	/* Google's shape, answers out of order, a preamble and an epilogue */
	const char *good =
		"preamble\r\n" OK_PART("3")
		"--B  \r\ncontent-type: application/http\r\n"
		"content-id:  <response-1> \r\n\r\n"
		"HTTP/1.1 412 Precondition Failed\r\nContent-Type: "
		"application/json\r\n\r\n" ERR_BODY "\r\n"
		"--B\r\nContent-Type: application/http\r\nContent-ID: "
		"response-2\r\n\r\nHTTP/1.1 404 Not Found\r\n\r\n\r\n"
		"--B--\r\nepilogue";

	CU_ASSERT_EQUAL(parse(p, 3, good), 3);
	CU_ASSERT_EQUAL(p[0].status, 412);
	CU_ASSERT_EQUAL(p[0].body_len, strlen(ERR_BODY));
	CU_ASSERT_EQUAL(memcmp(p[0].body, ERR_BODY, p[0].body_len), 0);
	CU_ASSERT_EQUAL(p[1].status, 404);
	CU_ASSERT_EQUAL(p[1].body_len, 0);
	CU_ASSERT_EQUAL(p[2].status, 204);
	CU_ASSERT_EQUAL(p[2].body_len, 0);

	/* a part missing, one cut off: those stay unanswered */
	CU_ASSERT_EQUAL(parse(p, 3, OK_PART("2") OK_PART("1")), 1);
	CU_ASSERT_EQUAL(p[0].status, 0);
	CU_ASSERT_EQUAL(p[1].status, 204);
	CU_ASSERT_EQUAL(p[2].status, 0);
	/* the close delimiter is what ends the last part */
	CU_ASSERT_EQUAL(parse(p, 2, OK_PART("2") OK_PART("1") "--B--"), 2);

	/* garbled parts: each leaves its request unanswered */
	const char *garbled[] = {
		/* no Content-ID, or one that is not response-N in range */
		"--B\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 204 "
		"OK\r\n\r\n\r\n--B--",
		OK_PART("0") "--B--",
		OK_PART("2") "--B--",
		OK_PART("01") "--B--",
		OK_PART("1x") "--B--",
		OK_PART("1000") "--B--",
		"--B\r\nContent-ID: <1>\r\n\r\nHTTP/1.1 204 OK\r\n\r\n\r\n"
		"--B--",
		/* two Content-IDs in one part */
		"--B\r\nContent-ID: <response-1>\r\nContent-ID: "
		"<response-1>\r\n\r\nHTTP/1.1 204 OK\r\n\r\n\r\n--B--",
		/* no headers at all */
		"--B\r\n\r\nHTTP/1.1 204 OK\r\n\r\n\r\n--B--",
		/* status lines that are not one */
		"--B\r\nContent-ID: <response-1>\r\n\r\nHTTP/2 204 OK\r\n\r\n"
		"\r\n--B--",
		"--B\r\nContent-ID: <response-1>\r\n\r\nHTTP/1.1 20 OK\r\n\r\n"
		"\r\n--B--",
		"--B\r\nContent-ID: <response-1>\r\n\r\nHTTP/1.1 2045 OK\r\n"
		"\r\n\r\n--B--",
		"--B\r\nContent-ID: <response-1>\r\n\r\nHTTP/1.1 999 OK\r\n"
		"\r\n\r\n--B--",
		"--B\r\nContent-ID: <response-1>\r\n\r\n\r\n--B--",
		/* headers that never end */
		"--B\r\nContent-ID: <response-1>\r\n\r\nHTTP/1.1 204 OK\r\n"
		"X: y\r\n--B--",
		/* the part's headers never end */
		"--B\r\nContent-ID: <response-1>\r\n--B--",
		/* a delimiter that is not one ("--BX"), then no more */
		"--BX\r\nContent-ID: <response-1>\r\n\r\nHTTP/1.1 204 OK\r\n"
		"\r\n\r\n--BX--",
		/* cut off before the next delimiter */
		"--B\r\nContent-ID: <response-1>\r\n\r\nHTTP/1.1 204 OK\r\n",
		"",
		"--B--\r\n",
	};
	for (size_t i = 0; i < sizeof(garbled) / sizeof(garbled[0]); i++) {
		CU_ASSERT_EQUAL(parse(p, 1, garbled[i]), 0);
		CU_ASSERT_EQUAL(p[0].status, 0);
	}
	/* answered twice: neither answer is believed, even a later third */
	CU_ASSERT_EQUAL(parse(p, 2, OK_PART("1") OK_PART("2") OK_PART("1")
					    OK_PART("1") "--B--"),
			1);
	CU_ASSERT_EQUAL(p[0].status, 0);
	CU_ASSERT_EQUAL(p[1].status, 204);
	/* a part beyond n is ignored, not written */
	CU_ASSERT_EQUAL(parse(p, 1, OK_PART("2") OK_PART("1") "--B--"), 1);
	/* the boundary of the answer, not another one */
	CU_ASSERT_EQUAL(gcs_batch_parse(p, 1, "C", OK_PART("1") "--B--",
					strlen(OK_PART("1") "--B--")),
			0);
	/* n above the limit is cut to it */
	CU_ASSERT_EQUAL(gcs_batch_parse(p, 1000, "B", OK_PART("100") "--B--",
					strlen(OK_PART("100") "--B--")),
			1);
	CU_ASSERT_EQUAL(p[99].status, 204);
}

static CU_TestInfo tests[] = {
	{"crc32c check values", test_crc_vectors},
	{"crc32c hardware and table agree", test_crc_paths_agree},
	{"crc32c base64 form", test_crc_b64_parse},
	{"base64url", test_b64url},
	{"numbers, times, names, printable", test_text},
	{"object resource", test_object},
	{"list pages", test_list},
	{"rewrite answers", test_rewrite},
	{"error bodies", test_error_body},
	{"token answers", test_token_body},
	{"credential files", test_key},
	{"options", test_options},
	{"paths, stat, versions", test_paths},
	{"an upload's type", test_upload_type},
	{"batch delete body", test_batch_body},
	{"batch answer boundary", test_batch_boundary},
	{"batch answer parts", test_batch_parse},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("gcs_units", units_init, units_clean, tests)
