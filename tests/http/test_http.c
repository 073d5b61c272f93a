/*
 * tests/http/test_http.c - the HTTP service against a local fault server:
 * retries with Retry-After, resets, stalls, truncation, error mapping with
 * the server's message, secret masking in the debug log, cancellation and
 * connection reuse.
 */
#include "fault_server.h"
#include "http.h"
#include "test_host.h"

#include <CUnit/Basic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cu_main.h"

int register_unit_suites(void);

static struct fault_server *fs;
static char base[64];

static int suite_init(void)
{
	wsp__http_settings s = {
		.connect_timeout_ms = 2000,
		.low_speed_time_ms = 1000,
		.low_speed_limit = 200, /* the stall route sends 10 bytes */
		.max_attempts = 3,
		.backoff_base_ms = 10,
		/* long: a cancel must visibly cut a Retry-After wait short */
		.backoff_max_ms = 30000,
	};

	if (wsp__http_configure(&s, NULL))
		return -1;
	fs = fault_server_start();
	if (!fs)
		return -1;
	snprintf(base, sizeof(base), "http://127.0.0.1:%d",
		 fault_server_port(fs));
	return 0;
}

static int suite_clean(void)
{
	wsp__http_shutdown();
	fault_server_stop(fs);
	return 0;
}

static void url_of(char *out, size_t cap, const char *target)
{
	snprintf(out, cap, "%s%s", base, target);
}

static wsp_http_request make_req(const char *method, const char *url)
{
	wsp_http_request r = {
		.struct_size = sizeof(r),
		.method = method,
		.url = url,
	};

	return r;
}

static wsp_http_response make_resp(void)
{
	wsp_http_response r = {.struct_size = sizeof(r)};

	return r;
}

/* A sink collecting into a fixed buffer. */
struct sink {
	char data[200000];
	size_t len;
	int fail_with; /* return this after the first call */
	int calls;
};

static int sink_fn(const void *data, size_t len, void *payload)
{
	struct sink *s = payload;

	s->calls++;
	if (s->fail_with && s->calls > 1)
		return s->fail_with;
	if (s->len + len > sizeof(s->data))
		return WSP_ETOOBIG;
	memcpy(s->data + s->len, data, len);
	s->len += len;
	return 0;
}

static bool pattern_ok(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != (char)('a' + i % 26))
			return false;
	return true;
}

static void test_get_collects_body(void)
{
	char url[128];
	wsp_http_request r;
	wsp_http_response resp = make_resp();
	wsp_error err = {0};

	url_of(url, sizeof(url), "/ok?t=collect");
	r = make_req("GET", url);
	CU_ASSERT_EQUAL_FATAL(wsp__http_request(&resp, test_host(), &r, &err),
			      0);
	CU_ASSERT_EQUAL(resp.status, 200);
	CU_ASSERT_EQUAL(resp.attempts, 1);
	CU_ASSERT_EQUAL(resp.body_len, 5);
	CU_ASSERT_STRING_EQUAL(resp.body, "hello");
	wsp__http_response_release(test_host(), &resp);
	CU_ASSERT_PTR_NULL(resp.body);
}

static int on_header(const char *name, const char *value, void *payload)
{
	if (!strcasecmp(name, "ETag"))
		snprintf(payload, 64, "%s", value);
	return 0;
}

static void test_head_and_headers(void)
{
	char url[128], etag[64] = "";
	wsp_http_request r;
	wsp_http_response resp = make_resp();
	wsp_error err = {0};

	url_of(url, sizeof(url), "/ok?t=head");
	r = make_req("HEAD", url);
	r.on_header = on_header;
	r.header_payload = etag;
	CU_ASSERT_EQUAL_FATAL(wsp__http_request(&resp, test_host(), &r, &err),
			      0);
	CU_ASSERT_EQUAL(resp.status, 200);
	CU_ASSERT_EQUAL(resp.body_len, 0);
	CU_ASSERT_STRING_EQUAL(etag, "\"abc\"");
	wsp__http_response_release(test_host(), &resp);
}

static void test_connection_reuse(void)
{
	char url[128];
	int before = fault_server_accepts(fs);

	for (int i = 0; i < 10; i++) {
		wsp_http_request r;
		wsp_http_response resp = make_resp();

		url_of(url, sizeof(url), "/ok?t=reuse");
		r = make_req("GET", url);
		CU_ASSERT_EQUAL(wsp__http_request(&resp, test_host(), &r, NULL),
				0);
		wsp__http_response_release(test_host(), &resp);
	}
	CU_ASSERT_EQUAL(fault_server_hits(fs, "/ok?t=reuse"), 10);
	/* ten requests, at most one new connection */
	CU_ASSERT(fault_server_accepts(fs) - before <= 1);
}

static void *thread_main(void *arg)
{
	char url[128];
	int *failures = arg;

	url_of(url, sizeof(url), "/ok?t=threads");
	for (int i = 0; i < 20; i++) {
		wsp_http_request r = make_req("GET", url);
		wsp_http_response resp = make_resp();

		if (wsp__http_request(&resp, test_host(), &r, NULL) ||
		    strcmp(resp.body, "hello"))
			(*failures)++;
		wsp__http_response_release(test_host(), &resp);
	}
	return NULL;
}

static void test_threads_share_connections(void)
{
	pthread_t t[4];
	int failures[4] = {0};
	int before = fault_server_accepts(fs);

	for (int i = 0; i < 4; i++)
		CU_ASSERT_EQUAL_FATAL(
			pthread_create(&t[i], NULL, thread_main, &failures[i]),
			0);
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CU_ASSERT_EQUAL(failures[i], 0);
	}
	CU_ASSERT_EQUAL(fault_server_hits(fs, "/ok?t=threads"), 80);
	/* 80 requests from 4 threads: connections come from the cache */
	CU_ASSERT(fault_server_accepts(fs) - before <= 8);
}

static void test_503_retry_after(void)
{
	char url[128];
	wsp_http_request r;
	wsp_http_response resp = make_resp();
	wsp_error err = {0};
	struct sink *s = calloc(1, sizeof(*s));
	int64_t t0 = test_now_ms();

	url_of(url, sizeof(url), "/flaky?fail=1&ra=1&t=503");
	r = make_req("GET", url);
	r.response_sink = sink_fn;
	r.response_payload = s;
	CU_ASSERT_EQUAL_FATAL(wsp__http_request(&resp, test_host(), &r, &err),
			      0);
	CU_ASSERT(test_now_ms() - t0 >= 990); /* Retry-After: 1 honoured */
	CU_ASSERT_EQUAL(resp.attempts, 2);
	CU_ASSERT_EQUAL(resp.status, 200);
	CU_ASSERT_EQUAL(fault_server_hits(fs, "/flaky?fail=1&ra=1&t=503"), 2);
	/* the sink saw the final body only, never the 503's */
	CU_ASSERT_EQUAL(s->len, 9);
	CU_ASSERT_EQUAL(memcmp(s->data, "recovered", 9), 0);
	CU_ASSERT_PTR_NULL(resp.body);
	wsp__http_response_release(test_host(), &resp);
	free(s);
}

static int attempt_header(const char *name, const char *value, void *p)
{
	if (!strcasecmp(name, "X-Attempt"))
		strcat(p, value);
	return 0;
}

static void test_429_retry_after_date(void)
{
	char url[128], seen[64] = "";
	wsp_http_request r;
	wsp_http_response resp = make_resp();
	wsp_error err = {0};
	int64_t t0 = test_now_ms();

	url_of(url, sizeof(url), "/ra-date?fail=1");
	r = make_req("GET", url);
	r.on_header = attempt_header;
	r.header_payload = seen;
	CU_ASSERT_EQUAL_FATAL(wsp__http_request(&resp, test_host(), &r, &err),
			      0);
	/* an HTTP-date 2 s ahead, at one-second resolution: 1 to 2 s */
	CU_ASSERT(test_now_ms() - t0 >= 900);
	CU_ASSERT_EQUAL(resp.attempts, 2);
	CU_ASSERT_STRING_EQUAL(resp.body, "ok");
	wsp__http_response_release(test_host(), &resp);
}

static void test_429_headers_of_final_attempt(void)
{
	char url[128], seen[64] = "";
	wsp_http_request r;
	wsp_http_response resp = make_resp();

	url_of(url, sizeof(url), "/flaky?fail=2&code=429&t=hdr");
	r = make_req("GET", url);
	r.on_header = attempt_header;
	r.header_payload = seen;
	CU_ASSERT_EQUAL_FATAL(wsp__http_request(&resp, test_host(), &r, NULL),
			      0);
	CU_ASSERT_EQUAL(resp.attempts, 3);
	/* only the third attempt's headers reached the caller */
	CU_ASSERT_STRING_EQUAL(seen, "3");
	wsp__http_response_release(test_host(), &resp);
}

static void test_retry_after_too_long(void)
{
	char url[128];
	wsp_http_request r;
	wsp_http_response resp = make_resp();
	wsp_error err = {0};
	int64_t t0 = test_now_ms();

	url_of(url, sizeof(url), "/flaky?fail=5&ra=60&code=429&t=long");
	r = make_req("GET", url);
	CU_ASSERT_EQUAL(wsp__http_request(&resp, test_host(), &r, &err),
			WSP_ERATELIMIT);
	CU_ASSERT_EQUAL(err.code, WSP_ERATELIMIT);
	/* gave up at once, not after the 60 s it asked for */
	CU_ASSERT(test_now_ms() - t0 < 20000);
	CU_ASSERT_EQUAL(resp.attempts, 1);
	CU_ASSERT_EQUAL(resp.status, 429);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "HTTP 429"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "please slow down"));
}

static void test_bounded_attempts(void)
{
	char url[128];
	wsp_http_request r;
	wsp_http_response resp = make_resp();
	wsp_error err = {0};

	url_of(url, sizeof(url), "/always503?t=bounded");
	r = make_req("GET", url);
	r.max_attempts = 4;
	CU_ASSERT_EQUAL(wsp__http_request(&resp, test_host(), &r, &err),
			WSP_EUNAVAIL);
	CU_ASSERT_EQUAL(resp.attempts, 4);
	CU_ASSERT_EQUAL(fault_server_hits(fs, "/always503?t=bounded"), 4);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "503"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "busy"));
}

static void test_post_not_retried(void)
{
	char url[128];
	wsp_http_request r;
	wsp_http_response resp = make_resp();
	wsp_error err = {0};

	url_of(url, sizeof(url), "/always503?t=post");
	r = make_req("POST", url);
	r.body = "x";
	r.body_len = 1;
	CU_ASSERT_EQUAL(wsp__http_request(&resp, test_host(), &r, &err),
			WSP_EUNAVAIL);
	CU_ASSERT_EQUAL(resp.attempts, 1);
	CU_ASSERT_EQUAL(fault_server_hits(fs, "/always503?t=post"), 1);

	/* ... unless the caller flags it idempotent */
	url_of(url, sizeof(url), "/flaky?fail=1&t=postidem");
	r = make_req("POST", url);
	r.flags = WSP_HTTP_IDEMPOTENT;
	CU_ASSERT_EQUAL(wsp__http_request(&resp, test_host(), &r, &err), 0);
	CU_ASSERT_EQUAL(resp.attempts, 2);
	wsp__http_response_release(test_host(), &resp);

	/* and NO_RETRY wins over everything */
	url_of(url, sizeof(url), "/always503?t=noretry");
	r = make_req("GET", url);
	r.flags = WSP_HTTP_NO_RETRY | WSP_HTTP_IDEMPOTENT;
	CU_ASSERT_EQUAL(wsp__http_request(&resp, test_host(), &r, &err),
			WSP_EUNAVAIL);
	CU_ASSERT_EQUAL(resp.attempts, 1);
}

/* A streamed request body: 300000 bytes of the pattern, rewindable. */
struct source {
	size_t pos, total;
	int rewinds;
	bool no_rewind;
};

static int source_fn(void *buf, size_t cap, size_t *out_n, void *payload)
{
	struct source *s = payload;
	size_t n = s->total - s->pos;

	if (n > cap)
		n = cap;
	for (size_t i = 0; i < n; i++)
		((char *)buf)[i] = (char)('a' + (s->pos + i) % 26);
	s->pos += n;
	*out_n = n;
	return 0;
}

static int rewind_fn(void *payload)
{
	struct source *s = payload;

	if (s->no_rewind)
		return WSP_ENOTSUP;
	s->rewinds++;
	s->pos = 0;
	return 0;
}

static void test_streamed_put_retried(void)
{
	char url[128], head[4096];
	char *body = malloc(400000);
	struct source src = {.total = 300000};
	wsp_http_request r;
	wsp_http_response resp = make_resp();
	wsp_error err = {0};
	size_t n;

	url_of(url, sizeof(url), "/flaky?fail=1&t=put");
	r = make_req("PUT", url);
	r.body_source = source_fn;
	r.body_payload = &src;
	r.body_rewind = rewind_fn;
	r.body_size = (int64_t)src.total;
	CU_ASSERT_EQUAL_FATAL(wsp__http_request(&resp, test_host(), &r, &err),
			      0);
	CU_ASSERT_EQUAL(resp.attempts, 2);
	CU_ASSERT(src.rewinds >= 1);
	n = fault_server_last(fs, head, sizeof(head), body, 400000);
	CU_ASSERT_EQUAL(n, 300000);
	CU_ASSERT(pattern_ok(body, n));
	wsp__http_response_release(test_host(), &resp);

	/* chunked (unknown size) works too */
	src = (struct source){.total = 70000};
	url_of(url, sizeof(url), "/echo?t=chunked");
	r = make_req("PUT", url);
	r.body_source = source_fn;
	r.body_payload = &src;
	r.body_rewind = rewind_fn;
	r.body_size = -1;
	CU_ASSERT_EQUAL_FATAL(wsp__http_request(&resp, test_host(), &r, &err),
			      0);
	CU_ASSERT_EQUAL(resp.body_len, 70000);
	CU_ASSERT(pattern_ok(resp.body, resp.body_len));
	fault_server_last(fs, head, sizeof(head), body, 400000);
	CU_ASSERT_PTR_NOT_NULL(strcasestr(head, "Transfer-Encoding: chunked"));
	wsp__http_response_release(test_host(), &resp);

	/* a body that cannot be replayed is not retried */
	src = (struct source){.total = 1000, .no_rewind = true};
	url_of(url, sizeof(url), "/flaky?fail=1&t=norewind");
	r = make_req("PUT", url);
	r.body_source = source_fn;
	r.body_payload = &src;
	r.body_rewind = rewind_fn;
	r.body_size = 1000;
	CU_ASSERT_EQUAL(wsp__http_request(&resp, test_host(), &r, &err),
			WSP_EUNAVAIL);
	CU_ASSERT_EQUAL(resp.attempts, 1);
	CU_ASSERT_EQUAL(fault_server_hits(fs, "/flaky?fail=1&t=norewind"), 1);
	free(body);
}

/* The head the server saw for one upload of `size` bytes (-1: chunked). */
static void upload_head(const char *method, const char *target, int64_t size,
			const wsp_http_header *h, size_t n_h, char *head,
			size_t cap)
{
	char url[128];
	static char body[3 << 20];
	struct source src = {.total = size < 0 ? 1000 : (size_t)size};
	wsp_http_request r;
	wsp_http_response resp = make_resp();
	wsp_error err = {0};

	url_of(url, sizeof(url), target);
	r = make_req(method, url);
	r.headers = h;
	r.n_headers = n_h;
	r.body_source = source_fn;
	r.body_payload = &src;
	r.body_rewind = rewind_fn;
	r.body_size = size;
	CU_ASSERT_EQUAL_FATAL(wsp__http_request(&resp, test_host(), &r, &err),
			      0);
	CU_ASSERT_EQUAL(resp.body_len, src.total);
	fault_server_last(fs, head, cap, body, sizeof(body));
	wsp__http_response_release(test_host(), &resp);
}

/* "Expect: 100-continue" (a round trip more) on a POST only where a
 * refusal saves sending much: 1 MiB and more, or a size not known
 * beforehand; a PUT keeps libcurl's rule (always) */
static void test_expect_only_for_large_bodies(void)
{
	const wsp_http_header own[] = {{"Expect", "100-continue"}};
	char head[4096];

	upload_head("POST", "/echo?t=expect-small", 41, NULL, 0, head,
		    sizeof(head));
	CU_ASSERT_PTR_NULL(strcasestr(head, "Expect:"));
	upload_head("PATCH", "/echo?t=expect-below", (1 << 20) - 1, NULL, 0,
		    head, sizeof(head));
	CU_ASSERT_PTR_NULL(strcasestr(head, "Expect:"));
	upload_head("POST", "/echo?t=expect-large", 2 << 20, NULL, 0, head,
		    sizeof(head));
	CU_ASSERT_PTR_NOT_NULL(strcasestr(head, "Expect: 100-continue"));
	upload_head("POST", "/echo?t=expect-chunked", -1, NULL, 0, head,
		    sizeof(head));
	CU_ASSERT_PTR_NOT_NULL(strcasestr(head, "Expect: 100-continue"));
	upload_head("PUT", "/echo?t=expect-put", 41, NULL, 0, head,
		    sizeof(head));
	CU_ASSERT_PTR_NOT_NULL(strcasestr(head, "Expect: 100-continue"));
	/* a caller that asks for it keeps it */
	upload_head("POST", "/echo?t=expect-own", 41, own, 1, head,
		    sizeof(head));
	CU_ASSERT_PTR_NOT_NULL(strcasestr(head, "Expect: 100-continue"));
}

static void test_reset_mid_body(void)
{
	char url[128];
	wsp_http_request r;
	wsp_http_response resp = make_resp();
	wsp_error err = {0};
	struct sink *s = calloc(1, sizeof(*s));

	/* collected: the reset attempt is thrown away and retried */
	url_of(url, sizeof(url), "/reset?fail=1&t=collect");
	r = make_req("GET", url);
	CU_ASSERT_EQUAL_FATAL(wsp__http_request(&resp, test_host(), &r, &err),
			      0);
	CU_ASSERT_EQUAL(resp.attempts, 2);
	CU_ASSERT_EQUAL(resp.body_len, 100000);
	CU_ASSERT(pattern_ok(resp.body, resp.body_len));
	wsp__http_response_release(test_host(), &resp);

	/* streamed: bytes reached the sink, so a clean error, no retry */
	url_of(url, sizeof(url), "/reset?fail=1&t=stream");
	r = make_req("GET", url);
	r.response_sink = sink_fn;
	r.response_payload = s;
	CU_ASSERT_EQUAL(wsp__http_request(&resp, test_host(), &r, &err),
			WSP_EUNAVAIL);
	CU_ASSERT_EQUAL(resp.attempts, 1);
	CU_ASSERT_EQUAL(fault_server_hits(fs, "/reset?fail=1&t=stream"), 1);
	CU_ASSERT(s->len > 0 && s->len <= 1000);
	CU_ASSERT(pattern_ok(s->data, s->len));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "bytes of the body"));
	free(s);
}

static void test_truncated(void)
{
	char url[128];
	wsp_http_request r;
	wsp_http_response resp = make_resp();
	wsp_error err = {0};

	url_of(url, sizeof(url), "/truncated?t=1");
	r = make_req("GET", url);
	CU_ASSERT_EQUAL(wsp__http_request(&resp, test_host(), &r, &err),
			WSP_EPROTO);
	CU_ASSERT_EQUAL(resp.attempts, 3); /* retried, then gave up */
	CU_ASSERT_PTR_NULL(resp.body);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "/truncated'"));
	CU_ASSERT_PTR_NULL(strstr(err.message, "?t=1"));
}

static void test_stalled_body(void)
{
	char url[128];
	wsp_http_request r;
	wsp_http_response resp = make_resp();
	wsp_error err = {0};
	int64_t t0 = test_now_ms();

	url_of(url, sizeof(url), "/stall?t=low-speed");
	r = make_req("GET", url);
	r.max_attempts = 2;
	CU_ASSERT_EQUAL(wsp__http_request(&resp, test_host(), &r, &err),
			WSP_ETIMEDOUT);
	CU_ASSERT_EQUAL(resp.attempts, 2);
	/* two stalls of the 1 s low-speed window, not the server's 30 s */
	CU_ASSERT(test_now_ms() - t0 >= 1800);
	CU_ASSERT(test_now_ms() - t0 < 15000);

	/*
	 * the whole-request timeout covers all attempts: 400 ms, not ten
	 * attempts of the 1 s low-speed window
	 */
	t0 = test_now_ms();
	url_of(url, sizeof(url), "/stall?t=total");
	r = make_req("GET", url);
	r.timeout_ms = 400;
	r.max_attempts = 10;
	CU_ASSERT_EQUAL(wsp__http_request(&resp, test_host(), &r, &err),
			WSP_ETIMEDOUT);
	CU_ASSERT(test_now_ms() - t0 < 5000);
}

static void test_error_mapping(void)
{
	char url[128];
	const char *secrets[] = {"k-0123456789abcdef", NULL};
	wsp_http_header h[] = {{"X-Api-Key", "k-0123456789abcdef"}};
	wsp_http_request r;
	wsp_http_response resp = make_resp();
	wsp_error err = {0};

	url_of(url, sizeof(url), "/notfound?t=1");
	r = make_req("GET", url);
	CU_ASSERT_EQUAL(wsp__http_request(&resp, test_host(), &r, &err),
			WSP_ENOTFOUND);
	CU_ASSERT_EQUAL(resp.status, 404);
	CU_ASSERT_EQUAL(resp.attempts, 1);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(err.message, "The specified key does not exist."));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "404"));

	/* 403: the server echoes the key; the message masks it */
	url_of(url, sizeof(url), "/forbidden");
	r = make_req("GET", url);
	r.headers = h;
	r.n_headers = 1;
	r.secrets = secrets;
	CU_ASSERT_EQUAL(wsp__http_request(&resp, test_host(), &r, &err),
			WSP_EAUTH);
	CU_ASSERT_EQUAL(resp.status, 403);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "is not allowed here"));
	CU_ASSERT_PTR_NULL(strstr(err.message, "0123456789"));

	/* NO_ERROR_MAP: the caller gets the status and the body */
	url_of(url, sizeof(url), "/notfound?t=2");
	r = make_req("GET", url);
	r.flags = WSP_HTTP_NO_ERROR_MAP;
	CU_ASSERT_EQUAL_FATAL(wsp__http_request(&resp, test_host(), &r, &err),
			      0);
	CU_ASSERT_EQUAL(resp.status, 404);
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.body, "<Code>NoSuchKey</Code>"));
	wsp__http_response_release(test_host(), &resp);

	/* connection refused: unavailable, after the bounded retries */
	r = make_req("GET", "http://127.0.0.1:1/nothing-listens");
	CU_ASSERT_EQUAL(wsp__http_request(&resp, test_host(), &r, &err),
			WSP_EUNAVAIL);
	CU_ASSERT_EQUAL(resp.attempts, 3);

	/* invalid requests never reach the network */
	r = make_req("GET", "ftp://127.0.0.1/x");
	CU_ASSERT_EQUAL(wsp__http_request(&resp, test_host(), &r, &err),
			WSP_EINVAL);
	h[0].value = "a\r\nInjected: yes";
	url_of(url, sizeof(url), "/ok?t=inject");
	r = make_req("GET", url);
	r.headers = h;
	r.n_headers = 1;
	CU_ASSERT_EQUAL(wsp__http_request(&resp, test_host(), &r, &err),
			WSP_EINVAL);
	CU_ASSERT_EQUAL(fault_server_hits(fs, "/ok?t=inject"), 0);
}

static void test_sink_error_stops(void)
{
	char url[128];
	wsp_http_request r;
	wsp_http_response resp = make_resp();
	wsp_error err = {0};
	struct sink *s = calloc(1, sizeof(*s));

	s->fail_with = WSP_EIO;
	url_of(url, sizeof(url), "/reset?fail=0&t=sinkerr");
	r = make_req("GET", url);
	r.response_sink = sink_fn;
	r.response_payload = s;
	CU_ASSERT_EQUAL(wsp__http_request(&resp, test_host(), &r, &err),
			WSP_EIO);
	CU_ASSERT_EQUAL(resp.attempts, 1);
	free(s);
}

static void test_debug_log_masks_secrets(void)
{
	const char *secrets[] = {"hunter2-custom-secret", NULL};
	wsp_http_header h[] = {
		{"Authorization",
		 "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
		 "s3/aws4_request, SignedHeaders=host;x-amz-date, "
		 "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400"
		 "e06b5924a6f2b5d7"},
		{"X-Amz-Security-Token", "FQoGZXIvYXdzEXAMPLETOKEN"},
		{"x-api-key", "xak-live-EXAMPLEKEY1"},
		{"X-API-Key", "xak-live-EXAMPLEKEY2"},
		{"X-Custom", "prefix hunter2-custom-secret suffix"},
		{"Content-Type", "text/plain"},
	};
	char url[512];
	wsp_http_request r;
	wsp_http_response resp = make_resp();
	char *log;

	snprintf(url, sizeof(url),
		 "%s/ok?t=mask&api_key=qk-EXAMPLEQUERYKEY&X-Amz-Signature="
		 "feedface0badc0ffee&X-Amz-Security-Token=QTOKENEXAMPLE&"
		 "token=bearerEXAMPLE&keep=visible",
		 base);
	test_host_log_clear();
	r = make_req("GET", url);
	r.headers = h;
	r.n_headers = sizeof(h) / sizeof(h[0]);
	r.secrets = secrets;
	CU_ASSERT_EQUAL_FATAL(wsp__http_request(&resp, test_host(), &r, NULL),
			      0);
	wsp__http_response_release(test_host(), &resp);
	log = test_host_log();
	/* the log is there... */
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "> GET http://127.0.0.1:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "keep=visible"));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "Content-Type: text/plain"));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "Authorization: AWS4-HMAC-SHA256"));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "< 200"));
	/* ...and none of the secrets is */
	CU_ASSERT_PTR_NULL(strstr(log, "5d672d79c15b"));
	CU_ASSERT_PTR_NULL(strstr(log, "AKIDEXAMPLE"));
	CU_ASSERT_PTR_NULL(strstr(log, "FQoGZXIvYXdzEXAMPLETOKEN"));
	CU_ASSERT_PTR_NULL(strstr(log, "EXAMPLEKEY1"));
	CU_ASSERT_PTR_NULL(strstr(log, "EXAMPLEKEY2"));
	CU_ASSERT_PTR_NULL(strstr(log, "hunter2"));
	CU_ASSERT_PTR_NULL(strstr(log, "EXAMPLEQUERYKEY"));
	CU_ASSERT_PTR_NULL(strstr(log, "feedface"));
	CU_ASSERT_PTR_NULL(strstr(log, "QTOKENEXAMPLE"));
	CU_ASSERT_PTR_NULL(strstr(log, "bearerEXAMPLE"));
	free(log);
}

static void test_cancel(void)
{
	char url[128];
	struct test_cancel c;
	wsp_call call;
	wsp_http_request r;
	wsp_http_response resp = make_resp();
	wsp_error err = {0};
	int64_t t0 = test_now_ms();

	/*
	 * during a transfer, in one of its silent gaps; the trickle keeps
	 * the 1 s low-speed timeout from racing a late cancel on a loaded
	 * machine, and lasts 30 s if the cancel is not seen
	 */
	test_cancel_init(&c, 200);
	url_of(url, sizeof(url), "/trickle?t=cancel");
	r = make_req("GET", url);
	call = test_call(&c, 0);
	r.call = &call;
	CU_ASSERT_EQUAL(wsp__http_request(&resp, test_host(), &r, &err),
			WSP_ECANCELED);
	CU_ASSERT_EQUAL(err.code, WSP_ECANCELED);
	CU_ASSERT_EQUAL(resp.attempts, 1);
	CU_ASSERT(test_now_ms() - t0 < 15000);

	/* while waiting out a Retry-After: not its 20 s */
	t0 = test_now_ms();
	test_cancel_init(&c, 200);
	url_of(url, sizeof(url), "/flaky?fail=1&ra=20&t=cancel");
	r = make_req("GET", url);
	call = test_call(&c, 0);
	r.call = &call;
	CU_ASSERT_EQUAL(wsp__http_request(&resp, test_host(), &r, &err),
			WSP_ECANCELED);
	CU_ASSERT(test_now_ms() - t0 < 10000);
	CU_ASSERT_EQUAL(fault_server_hits(fs, "/flaky?fail=1&ra=20&t=cancel"),
			1);

	/* already canceled: nothing is sent */
	test_cancel_init(&c, 0);
	atomic_store(&c.fired, 1);
	url_of(url, sizeof(url), "/ok?t=precancel");
	r = make_req("GET", url);
	call = test_call(&c, 0);
	r.call = &call;
	CU_ASSERT_EQUAL(wsp__http_request(&resp, test_host(), &r, &err),
			WSP_ECANCELED);
	CU_ASSERT_EQUAL(fault_server_hits(fs, "/ok?t=precancel"), 0);
}

/* One failed request to /detail?k=N, with no retries. */
static int detail_get(int k, const char *const *secrets, wsp_error *err,
		      wsp_http_response *resp)
{
	char url[128], target[64];
	wsp_http_request r;

	snprintf(target, sizeof(target), "/detail?k=%d", k);
	url_of(url, sizeof(url), target);
	r = make_req("GET", url);
	r.flags = WSP_HTTP_NO_RETRY;
	r.secrets = secrets;
	*resp = make_resp();
	return wsp__http_request(resp, test_host(), &r, err);
}

/* The service's own code, status and retryability reach wsp_error. */
static void test_error_detail_codes(void)
{
	const char *secrets[] = {"sk-live-0123456789", NULL};
	wsp_http_response resp;
	wsp_error err;
	char url[128];
	wsp_http_request r;

	/* S3's XML <Code> */
	url_of(url, sizeof(url), "/notfound?t=detail");
	r = make_req("GET", url);
	resp = make_resp();
	CU_ASSERT_EQUAL(wsp__http_request(&resp, test_host(), &r, &err),
			WSP_ENOTFOUND);
	CU_ASSERT_EQUAL(err.http_status, 404);
	CU_ASSERT_STRING_EQUAL(err.service_code, "NoSuchKey");
	CU_ASSERT_EQUAL(err.flags, 0);

	/* JSON "code" */
	CU_ASSERT_EQUAL(detail_get(0, NULL, &err, &resp), WSP_ENOTFOUND);
	CU_ASSERT_EQUAL(err.http_status, 404);
	CU_ASSERT_STRING_EQUAL(err.service_code, "sandbox.not_found");
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no sandbox sbx-1"));
	/* Google's numeric error.code is no code: error.status is */
	CU_ASSERT_EQUAL(detail_get(1, NULL, &err, &resp), WSP_EAUTH);
	CU_ASSERT_STRING_EQUAL(err.service_code, "PERMISSION_DENIED");
	CU_ASSERT_EQUAL(err.http_status, 403);
	/* errorCode, with every character a code may hold */
	CU_ASSERT_EQUAL(detail_get(2, NULL, &err, &resp), WSP_EINVAL);
	CU_ASSERT_STRING_EQUAL(err.service_code, "Bad.Request/x:1");
	/* garbage: control characters, an escape sequence, spaces dropped */
	CU_ASSERT_EQUAL(detail_get(3, NULL, &err, &resp), WSP_EINVAL);
	CU_ASSERT_STRING_EQUAL(err.service_code, "Evil31mCodexy");
	/* overlong: cut to 63 bytes */
	CU_ASSERT_EQUAL(detail_get(4, NULL, &err, &resp), WSP_EINVAL);
	CU_ASSERT_EQUAL(strlen(err.service_code), 63);
	CU_ASSERT_EQUAL(strspn(err.service_code, "A"), 63);
	/* a secret in the code is masked like in the message */
	CU_ASSERT_EQUAL(detail_get(5, secrets, &err, &resp), WSP_EINVAL);
	CU_ASSERT_STRING_EQUAL(err.service_code, "key-********");
	/* a transport failure has no status but may be retried */
	url_of(url, sizeof(url), "/truncated?t=detail");
	r = make_req("GET", url);
	r.flags = WSP_HTTP_NO_RETRY;
	CU_ASSERT_NOT_EQUAL(wsp__http_request(&resp, test_host(), &r, &err),
			    0);
	CU_ASSERT_EQUAL(err.http_status, 0);
	CU_ASSERT_STRING_EQUAL(err.service_code, "");
	CU_ASSERT(err.flags & WSP_ERROR_RETRYABLE);
}

static void test_error_detail_retry_after(void)
{
	wsp_http_response resp;
	wsp_error err;
	char url[128];
	wsp_http_request r;
	int64_t t0 = test_now_ms();

	/* delta seconds, after the retries ran out */
	url_of(url, sizeof(url), "/flaky?fail=9&ra=0&code=429&t=ra");
	r = make_req("GET", url);
	r.max_attempts = 2;
	resp = make_resp();
	CU_ASSERT_EQUAL(wsp__http_request(&resp, test_host(), &r, &err),
			WSP_ERATELIMIT);
	CU_ASSERT_EQUAL(resp.attempts, 2);
	CU_ASSERT_EQUAL(err.http_status, 429);
	CU_ASSERT_STRING_EQUAL(err.service_code, "SlowDown");
	CU_ASSERT_EQUAL(err.flags,
			WSP_ERROR_RETRYABLE | WSP_ERROR_HAS_RETRY_AFTER);
	CU_ASSERT_EQUAL(err.retry_after_ms, 0);
	url_of(url, sizeof(url), "/flaky?fail=9&ra=7&code=503&t=ra7");
	r = make_req("GET", url);
	r.flags = WSP_HTTP_NO_RETRY;
	CU_ASSERT_EQUAL(wsp__http_request(&resp, test_host(), &r, &err),
			WSP_EUNAVAIL);
	CU_ASSERT_EQUAL(err.retry_after_ms, 7000);
	CU_ASSERT(err.flags & WSP_ERROR_HAS_RETRY_AFTER);
	/* an HTTP-date two seconds ahead */
	url_of(url, sizeof(url), "/ra-date?fail=9&t=detail");
	r = make_req("GET", url);
	r.flags = WSP_HTTP_NO_RETRY;
	CU_ASSERT_EQUAL(wsp__http_request(&resp, test_host(), &r, &err),
			WSP_ERATELIMIT);
	CU_ASSERT(err.flags & WSP_ERROR_HAS_RETRY_AFTER);
	CU_ASSERT(err.retry_after_ms >= 0 && err.retry_after_ms <= 3000);
	/* garbage is ignored; retryable all the same */
	CU_ASSERT_EQUAL(detail_get(6, NULL, &err, &resp), WSP_EUNAVAIL);
	CU_ASSERT_EQUAL(err.flags, WSP_ERROR_RETRYABLE);
	CU_ASSERT_EQUAL(err.retry_after_ms, 0);
	CU_ASSERT_STRING_EQUAL(err.service_code, "Busy");
	CU_ASSERT_EQUAL(detail_get(9, NULL, &err, &resp), WSP_EUNAVAIL);
	CU_ASSERT_EQUAL(err.flags, WSP_ERROR_RETRYABLE);
	CU_ASSERT_STRING_EQUAL(err.service_code, "");
	/* a day is cut to an hour */
	CU_ASSERT_EQUAL(detail_get(7, NULL, &err, &resp), WSP_ERATELIMIT);
	CU_ASSERT_EQUAL(err.retry_after_ms, 3600 * 1000);
	/* 408 is worth another try */
	CU_ASSERT_EQUAL(detail_get(8, NULL, &err, &resp), WSP_ETIMEDOUT);
	CU_ASSERT_EQUAL(err.http_status, 408);
	CU_ASSERT_EQUAL(err.flags, WSP_ERROR_RETRYABLE);
	CU_ASSERT(test_now_ms() - t0 < 10000);
}

/* A status the provider maps itself still comes with its detail. */
static void test_error_detail_no_error_map(void)
{
	wsp_http_response resp = make_resp();
	wsp_error err;
	char url[128];
	wsp_http_request r;

	url_of(url, sizeof(url), "/flaky?fail=9&ra=3&code=503&t=nomap");
	r = make_req("GET", url);
	r.flags = WSP_HTTP_NO_ERROR_MAP | WSP_HTTP_NO_RETRY;
	CU_ASSERT_EQUAL_FATAL(wsp__http_request(&resp, test_host(), &r, &err),
			      0);
	CU_ASSERT_EQUAL(resp.status, 503);
	CU_ASSERT_STRING_EQUAL(resp.service_code, "SlowDown");
	CU_ASSERT_EQUAL(resp.error_flags,
			WSP_ERROR_RETRYABLE | WSP_ERROR_HAS_RETRY_AFTER);
	CU_ASSERT_EQUAL(resp.retry_after_ms, 3000);
	wsp_error_set(&err, WSP_EUNAVAIL, "cannot stat 'x': busy");
	wsp_http_error_detail(&err, &resp);
	CU_ASSERT_EQUAL(err.http_status, 503);
	CU_ASSERT_STRING_EQUAL(err.service_code, "SlowDown");
	CU_ASSERT_EQUAL(err.retry_after_ms, 3000);
	wsp__http_response_release(test_host(), &resp);
}

/* The caller's deadline bounds retries, their waits and each attempt. */
static void test_call_deadline(void)
{
	wsp_http_response resp = make_resp();
	wsp_error err;
	wsp_call call;
	char url[128];
	wsp_http_request r;
	int64_t t0;

	/* Retry-After 2 s, deadline in 500 ms: no wait that cannot end */
	t0 = test_now_ms();
	url_of(url, sizeof(url), "/flaky?fail=9&ra=2&t=deadline");
	r = make_req("GET", url);
	call = test_call(NULL, 500);
	r.call = &call;
	CU_ASSERT_EQUAL(wsp__http_request(&resp, test_host(), &r, &err),
			WSP_ETIMEDOUT);
	CU_ASSERT(test_now_ms() - t0 < 1500);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "caller's deadline"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "SlowDown") ||
			       strstr(err.message, "please slow down"));
	CU_ASSERT_EQUAL(fault_server_hits(fs, "/flaky?fail=9&ra=2&t=deadline"),
			1);
	/* the last answer's detail stays */
	CU_ASSERT_EQUAL(err.http_status, 503);

	/* backoff without Retry-After: attempts stop at the deadline */
	t0 = test_now_ms();
	url_of(url, sizeof(url), "/always503?t=deadline");
	r = make_req("GET", url);
	r.max_attempts = 100;
	call = test_call(NULL, 700);
	r.call = &call;
	CU_ASSERT_EQUAL(wsp__http_request(&resp, test_host(), &r, &err),
			WSP_ETIMEDOUT);
	CU_ASSERT(test_now_ms() - t0 < 2000);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "caller's deadline"));

	/* during a transfer that would last 30 s */
	t0 = test_now_ms();
	url_of(url, sizeof(url), "/trickle?t=deadline");
	r = make_req("GET", url);
	call = test_call(NULL, 300);
	r.call = &call;
	CU_ASSERT_EQUAL(wsp__http_request(&resp, test_host(), &r, &err),
			WSP_ETIMEDOUT);
	CU_ASSERT(test_now_ms() - t0 < 5000);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "caller's deadline"));

	/* already past: nothing is sent */
	url_of(url, sizeof(url), "/ok?t=pastdeadline");
	r = make_req("GET", url);
	call = test_call(NULL, 0);
	call.deadline_ms = test_now_ms() - 1;
	r.call = &call;
	CU_ASSERT_EQUAL(wsp__http_request(&resp, test_host(), &r, &err),
			WSP_ETIMEDOUT);
	CU_ASSERT_EQUAL(fault_server_hits(fs, "/ok?t=pastdeadline"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "caller's deadline"));
}

static CU_TestInfo tests[] = {
	{"GET collects the body", test_get_collects_body},
	{"HEAD and headers", test_head_and_headers},
	{"connection reuse", test_connection_reuse},
	{"threads share connections", test_threads_share_connections},
	{"503 with Retry-After", test_503_retry_after},
	{"429 with HTTP-date Retry-After", test_429_retry_after_date},
	{"headers of the final attempt", test_429_headers_of_final_attempt},
	{"Retry-After beyond the cap", test_retry_after_too_long},
	{"bounded attempts", test_bounded_attempts},
	{"POST not retried", test_post_not_retried},
	{"streamed PUT retried", test_streamed_put_retried},
	{"Expect only for large bodies", test_expect_only_for_large_bodies},
	{"reset mid-body", test_reset_mid_body},
	{"truncated response", test_truncated},
	{"stalled body", test_stalled_body},
	{"error mapping", test_error_mapping},
	{"sink error stops", test_sink_error_stops},
	{"debug log masks secrets", test_debug_log_masks_secrets},
	{"cancel", test_cancel},
	{"error detail: service codes", test_error_detail_codes},
	{"error detail: Retry-After", test_error_detail_retry_after},
	{"error detail without error mapping", test_error_detail_no_error_map},
	{"the caller's deadline", test_call_deadline},
	CU_TEST_INFO_NULL,
};

/* The units of test_http_units.c, then the service against the server. */
int main(void)
{
	CU_SuiteInfo suites[] = {{"http service vs fault server", suite_init,
				  suite_clean, NULL, NULL, tests},
				 CU_SUITE_INFO_NULL};

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	if (register_unit_suites() ||
	    CU_register_suites(suites) != CUE_SUCCESS) {
		CU_cleanup_registry();
		return 1;
	}
	return cu_run_registry();
}
