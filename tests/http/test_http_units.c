/*
 * tests/http/test_http_units.c - the HTTP service's pure parts: retry
 * decisions, Retry-After, backoff bounds, masking, error messages.
 */
#include "http.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <wsp/wsp.h>
#include <string.h>

int register_unit_suites(void);

static void test_idempotent_methods(void)
{
	CU_ASSERT(wsp__http_idempotent_method("GET"));
	CU_ASSERT(wsp__http_idempotent_method("HEAD"));
	CU_ASSERT(wsp__http_idempotent_method("PUT"));
	CU_ASSERT(wsp__http_idempotent_method("DELETE"));
	CU_ASSERT(wsp__http_idempotent_method("OPTIONS"));
	CU_ASSERT(!wsp__http_idempotent_method("POST"));
	CU_ASSERT(!wsp__http_idempotent_method("PATCH"));
	CU_ASSERT(!wsp__http_idempotent_method("get"));
}

static void test_retryable_status(void)
{
	const long yes[] = {408, 429, 500, 502, 503, 504};
	const long no[] = {200, 301, 400, 401, 403, 404, 409, 412, 501, 505};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		CU_ASSERT(wsp__http_retryable_status(yes[i]));
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		CU_ASSERT(!wsp__http_retryable_status(no[i]));
}

static void test_retry_after(void)
{
	/* 1994-11-06 08:49:37 UTC */
	const int64_t t = 784111777;

	CU_ASSERT_EQUAL(wsp__http_parse_retry_after("3", t), 3000);
	CU_ASSERT_EQUAL(wsp__http_parse_retry_after(" 120 ", t), 120000);
	CU_ASSERT_EQUAL(wsp__http_parse_retry_after("0", t), 0);
	CU_ASSERT_EQUAL(wsp__http_parse_retry_after(
				"Sun, 06 Nov 1994 08:49:37 GMT", t - 5),
			5000);
	CU_ASSERT_EQUAL(wsp__http_parse_retry_after(
				"Sun, 06 Nov 1994 08:49:37 GMT", t + 60),
			0);
	CU_ASSERT_EQUAL(
		wsp__http_parse_retry_after("Thu, 01 Jan 1970 00:00:10 GMT", 0),
		10000);
	CU_ASSERT_EQUAL(
		wsp__http_parse_retry_after("Tue, 29 Feb 2028 12:00:00 GMT",
					    1835438400 - 1),
		1000);
	CU_ASSERT_EQUAL(wsp__http_parse_retry_after("", t), -1);
	CU_ASSERT_EQUAL(wsp__http_parse_retry_after("soon", t), -1);
	CU_ASSERT_EQUAL(wsp__http_parse_retry_after("-3", t), -1);
	CU_ASSERT_EQUAL(wsp__http_parse_retry_after("3s", t), -1);
	CU_ASSERT_EQUAL(
		wsp__http_parse_retry_after("Sun, 06 Nov 1994 08:49:37 PST", t),
		-1);
	CU_ASSERT_EQUAL(
		wsp__http_parse_retry_after("Sun, 06 Foo 1994 08:49:37 GMT", t),
		-1);
	CU_ASSERT_EQUAL(wsp__http_parse_retry_after("99999999999999999", t),
			-1);
	/* %2d took a space, a sign or one digit where two belong */
	CU_ASSERT_EQUAL(
		wsp__http_parse_retry_after("Sun,  6 Nov 2033 08:49:37 GMT", t),
		-1);
	CU_ASSERT_EQUAL(
		wsp__http_parse_retry_after("Sun, 06 Nov 2033 -8:49:37 GMT", t),
		-1);
	CU_ASSERT_EQUAL(
		wsp__http_parse_retry_after("Sun, 06 Nov 2033 08:+9:37 GMT", t),
		-1);
	CU_ASSERT_EQUAL(
		wsp__http_parse_retry_after("Sun, 06 Nov -033 08:49:37 GMT", t),
		-1);
	/* the date is util/httpdate.c's: RFC 9110's day-names only, a day
	 * that exists, an instant in int64_t ns; a readable date in the past,
	 * before 1970 too, is no wait */
	CU_ASSERT_EQUAL(
		wsp__http_parse_retry_after("Xyz, 06 Nov 1994 08:49:42 GMT", t),
		-1);
	CU_ASSERT_EQUAL(
		wsp__http_parse_retry_after("Thu, 31 Feb 2033 08:49:37 GMT", t),
		-1);
	CU_ASSERT_EQUAL(
		wsp__http_parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", t),
		-1);
	CU_ASSERT_EQUAL(
		wsp__http_parse_retry_after("Wed, 31 Dec 1969 23:59:59 GMT", t),
		0);
	CU_ASSERT_EQUAL(wsp__http_parse_retry_after(
				"Wed, 31 Dec 1969 23:59:59 GMT", -5),
			4000);
}

static void test_backoff_full_jitter(void)
{
	int64_t max_seen[6] = {0};

	for (int i = 0; i < 2000; i++) {
		for (uint32_t a = 2; a < 8; a++) {
			int64_t d = wsp__http_backoff_ms(a, 100, 1000);
			int64_t ceil = 100 << (a - 2);

			if (ceil > 1000)
				ceil = 1000;
			CU_ASSERT(d >= 0 && d <= ceil);
			if (d > max_seen[a - 2])
				max_seen[a - 2] = d;
		}
	}
	/* Full jitter spreads over the whole range, and the range grows. */
	CU_ASSERT(max_seen[0] > 80);
	CU_ASSERT(max_seen[1] > 160);
	CU_ASSERT(max_seen[2] > 320);
	CU_ASSERT(max_seen[4] > 800);
	CU_ASSERT(max_seen[5] <= 1000);
	CU_ASSERT_EQUAL(wsp__http_backoff_ms(40, 100, 1000) <= 1000, 1);
}

static void test_status_codes(void)
{
	CU_ASSERT_EQUAL(wsp__http_status_code(401), WSP_EAUTH);
	CU_ASSERT_EQUAL(wsp__http_status_code(403), WSP_EAUTH);
	CU_ASSERT_EQUAL(wsp__http_status_code(404), WSP_ENOTFOUND);
	CU_ASSERT_EQUAL(wsp__http_status_code(409), WSP_ESTALE);
	CU_ASSERT_EQUAL(wsp__http_status_code(412), WSP_ESTALE);
	CU_ASSERT_EQUAL(wsp__http_status_code(429), WSP_ERATELIMIT);
	CU_ASSERT_EQUAL(wsp__http_status_code(500), WSP_EUNAVAIL);
	CU_ASSERT_EQUAL(wsp__http_status_code(503), WSP_EUNAVAIL);
	CU_ASSERT_EQUAL(wsp__http_status_code(504), WSP_EUNAVAIL);
	CU_ASSERT_EQUAL(wsp__http_status_code(400), WSP_EINVAL);
	CU_ASSERT_EQUAL(wsp__http_status_code(413), WSP_ETOOBIG);
	CU_ASSERT_EQUAL(wsp__http_status_code(418), WSP_ERROR);
}

static void test_mask_url(void)
{
	const char *secrets[] = {"s3cr3t-value", NULL};
	char out[512];

	wsp__http_mask_url(out, sizeof(out),
			   "https://b.example.com/k?X-Amz-Algorithm=AWS4"
			   "&X-Amz-Credential=AKID%2F20150830&X-Amz-Signature="
			   "abcdef0123&X-Amz-Security-Token=tok&list-type=2",
			   NULL);
	CU_ASSERT_STRING_EQUAL(out, "https://b.example.com/k?X-Amz-Algorithm="
				    "AWS4&X-Amz-Credential=********&X-Amz-"
				    "Signature=********&X-Amz-Security-Token=********"
				    "&list-type=2");
	wsp__http_mask_url(out, sizeof(out),
			   "http://user:pw@h/p?api_key=k1&key=k2&apikey=k3&"
			   "access_token=k4&sig=k5&q=s3cr3t-value#frag",
			   secrets);
	CU_ASSERT_STRING_EQUAL(out, "http://********@h/p?api_key=********&key=********&"
				    "apikey=********&access_token=********&sig=********&"
				    "q=********");
	wsp__http_mask_url(out, sizeof(out), "http://h/plain", NULL);
	CU_ASSERT_STRING_EQUAL(out, "http://h/plain");
	/* a cut output never holds half a masked value */
	wsp__http_mask_url(out, 20, "http://h/p?token=abcdefghijkl", NULL);
	CU_ASSERT_PTR_NULL(strstr(out, "abc"));
}

static void test_mask_header(void)
{
	static const char *const secrets[] = {"pa55word", NULL};
	static const struct {
		const char *name, *value;
		const char *const *secrets;
		const char *want;
	} cases[] = {
		{"Authorization",
		 "AWS4-HMAC-SHA256 Credential=AKID/x, SignedHeaders=host, "
		 "Signature=abc123",
		 NULL, "Authorization: AWS4-HMAC-SHA256 ********"},
		{"authorization", "opaque", NULL, "authorization: ********"},
		{"X-Amz-Security-Token", "tok", NULL,
		 "X-Amz-Security-Token: ********"},
		{"x-api-key", "k", NULL, "x-api-key: ********"},
		{"X-API-Key", "k", NULL, "X-API-Key: ********"},
		{"Cookie", "a=b", NULL, "Cookie: ********"},
		{"X-Custom", "user:pa55word", secrets,
		 "X-Custom: user:********"},
		{"Content-Type", "text/plain", secrets,
		 "Content-Type: text/plain"},
	};
	char out[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		wsp__http_mask_header(out, sizeof(out), cases[i].name,
				      cases[i].value, cases[i].secrets);
		CU_ASSERT_STRING_EQUAL(out, cases[i].want);
	}
}

static void test_mask_secrets(void)
{
	const char *secrets[] = {"abc", "abcdef", "", NULL};
	char out[64];

	/* the longest match wins; empty secrets are ignored */
	wsp__http_mask_secrets(out, sizeof(out), "x abcdef y abc z", secrets);
	CU_ASSERT_STRING_EQUAL(out, "x ******** y ******** z");
	wsp__http_mask_secrets(out, sizeof(out), "nothing", NULL);
	CU_ASSERT_STRING_EQUAL(out, "nothing");
	wsp__http_mask_secrets(out, 4, "abcdef", secrets);
	CU_ASSERT_STRING_EQUAL(out, "***");
}

static void test_server_message(void)
{
	const char *secrets[] = {"sk-live-0123456789", NULL};
	char out[256];
	const char *xml = "<?xml version=\"1.0\"?>\n<Error><Code>NoSuchKey"
			  "</Code><Message>The specified\n\tkey does not "
			  "exist.</Message></Error>";
	const char *xml_code = "<Error><Code>SlowDown</Code></Error>";
	const char *json = "{\"error\":{\"code\":7,\"message\":\"key "
			   "sk-live-0123456789 revoked\"}}";
	const char *plain = "  upstream\x01 timed\r\n out  ";
	const char *split = "key sk-live\x01-0123456789";

	wsp__http_server_message(out, sizeof(out), xml, strlen(xml), NULL);
	CU_ASSERT_STRING_EQUAL(out, "The specified key does not exist.");
	wsp__http_server_message(out, sizeof(out), xml_code, strlen(xml_code),
				 NULL);
	CU_ASSERT_STRING_EQUAL(out, "SlowDown");
	wsp__http_server_message(out, sizeof(out), json, strlen(json), secrets);
	CU_ASSERT_STRING_EQUAL(out, "key ******** revoked");
	wsp__http_server_message(out, sizeof(out), plain, strlen(plain), NULL);
	CU_ASSERT_STRING_EQUAL(out, "upstream timed out");
	/* a secret cut by the bound is still masked, not half shown */
	wsp__http_server_message(out, 12, json, strlen(json), secrets);
	CU_ASSERT_PTR_NULL(strstr(out, "sk-"));
	/* cleaning must not join a secret up after masking missed it */
	wsp__http_server_message(out, sizeof(out), split, strlen(split),
				 secrets);
	CU_ASSERT_STRING_EQUAL(out, "key ********");
	wsp__http_server_message(out, sizeof(out), NULL, 0, NULL);
	CU_ASSERT_STRING_EQUAL(out, "");
}

static void test_service_code(void)
{
	const char *secrets[] = {"sk-live-0123456789", "ab$cd%ef", NULL};
	char msg[256], code[WSP_ERROR_CODE_MAX];
	const char *s3 = "<Error><Code>NoSuchKey</Code><Message>gone"
			 "</Message></Error>";
	const char *json = "{\"code\":\"x\\u0001y\",\"message\":\"m\"}";
	const char *numeric = "{\"code\":404,\"message\":\"m\"}";
	const char *joined = "{\"code\":\"id-ab$cd%ef\"}";
	const char *split = "{\"code\":\"sk-live\\u0001-0123456789\"}";

	wsp__http_error_body(msg, sizeof(msg), code, sizeof(code), s3,
			     strlen(s3), NULL);
	CU_ASSERT_STRING_EQUAL(msg, "gone");
	CU_ASSERT_STRING_EQUAL(code, "NoSuchKey");
	wsp__http_error_body(msg, sizeof(msg), code, sizeof(code), json,
			     strlen(json), NULL);
	CU_ASSERT_STRING_EQUAL(msg, "m");
	CU_ASSERT_STRING_EQUAL(code, "xy");
	wsp__http_error_body(NULL, 0, code, sizeof(code), numeric,
			     strlen(numeric), NULL);
	CU_ASSERT_STRING_EQUAL(code, "");
	/* a secret the filter joins up is masked all the same */
	wsp__http_error_body(NULL, 0, code, sizeof(code), joined,
			     strlen(joined), secrets);
	CU_ASSERT_STRING_EQUAL(code, "id-********");
	wsp__http_error_body(NULL, 0, code, sizeof(code), split,
			     strlen(split), secrets);
	CU_ASSERT_STRING_EQUAL(code, "********");
	/* a short buffer cuts, always terminated */
	wsp__http_error_body(NULL, 0, code, 5, s3, strlen(s3), NULL);
	CU_ASSERT_STRING_EQUAL(code, "NoSu");
	wsp__http_error_body(NULL, 0, code, sizeof(code), "", 0, NULL);
	CU_ASSERT_STRING_EQUAL(code, "");
	/* Retry-After as reported: at most an hour */
	CU_ASSERT_EQUAL(wsp__http_retry_after_ms("7", 0), 7000);
	CU_ASSERT_EQUAL(wsp__http_retry_after_ms("86400", 0), 3600 * 1000);
	CU_ASSERT_EQUAL(wsp__http_retry_after_ms("soon", 0), -1);
}

/* One formatter for the detail after a message (CLI, tools). */
static void test_error_detail_format(void)
{
	wsp_error err;
	char out[128];

	wsp_error_set(&err, WSP_ENOTFOUND, "cannot read 'a': no such file");
	CU_ASSERT_EQUAL(wsp_error_detail(out, sizeof(out), &err), 0);
	CU_ASSERT_STRING_EQUAL(out, "");
	err.http_status = 404;
	snprintf(err.service_code, sizeof(err.service_code), "NoSuchKey");
	wsp_error_detail(out, sizeof(out), &err);
	CU_ASSERT_STRING_EQUAL(out, " (HTTP 404, NoSuchKey)");
	/* what the message says already is not said twice */
	snprintf(err.message, sizeof(err.message), "cannot GET 'u': HTTP 404");
	wsp_error_detail(out, sizeof(out), &err);
	CU_ASSERT_STRING_EQUAL(out, " (NoSuchKey)");
	snprintf(err.message, sizeof(err.message), "HTTP 404 NoSuchKey: gone");
	CU_ASSERT_EQUAL(wsp_error_detail(out, sizeof(out), &err), 0);
	/* a provider's own code never prints an escape sequence */
	snprintf(err.message, sizeof(err.message), "failed");
	err.http_status = 0;
	snprintf(err.service_code, sizeof(err.service_code), "a\x1b[2Jb c");
	wsp_error_detail(out, sizeof(out), &err);
	CU_ASSERT_STRING_EQUAL(out, " (a2Jbc)");
	/* cut to the buffer */
	CU_ASSERT_EQUAL(wsp_error_detail(out, 4, &err), 3);
	CU_ASSERT_STRING_EQUAL(out, " (a");
}

int register_unit_suites(void)
{
	CU_pSuite s = CU_add_suite("http units", NULL, NULL);

	if (!s)
		return -1;
	if (!CU_add_test(s, "idempotent methods", test_idempotent_methods) ||
	    !CU_add_test(s, "retryable statuses", test_retryable_status) ||
	    !CU_add_test(s, "Retry-After", test_retry_after) ||
	    !CU_add_test(s, "service code", test_service_code) ||
	    !CU_add_test(s, "error detail format", test_error_detail_format) ||
	    !CU_add_test(s, "full-jitter backoff", test_backoff_full_jitter) ||
	    !CU_add_test(s, "status to wsp code", test_status_codes) ||
	    !CU_add_test(s, "mask url", test_mask_url) ||
	    !CU_add_test(s, "mask header", test_mask_header) ||
	    !CU_add_test(s, "mask secrets", test_mask_secrets) ||
	    !CU_add_test(s, "server message", test_server_message))
		return -1;
	return 0;
}
