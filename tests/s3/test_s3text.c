/*
 * tests/s3/test_s3text.c - the S3 provider's small text parsers: numbers,
 * dates, Content-Range and ETags from servers. Each hostile case here
 * was a bug once (a sign or space accepted, a date whose nanoseconds
 * overflowed, a fraction misread).
 */
#include "../../plugins/fs-s3/s3.h"

#include "cu_main.h"

#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>

static void test_u64(void)
{
	uint64_t v = 7;

	CU_ASSERT_EQUAL(s3_parse_u64(&v, "0"), 0);
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_EQUAL(s3_parse_u64(&v, "18446744073709551615"), 0);
	CU_ASSERT_EQUAL(v, UINT64_MAX);
	v = 7;
	/* what strtoull() took: a sign, spaces, overflow, a tail */
	CU_ASSERT_EQUAL(s3_parse_u64(&v, "-1"), -1);
	CU_ASSERT_EQUAL(s3_parse_u64(&v, "+5"), -1);
	CU_ASSERT_EQUAL(s3_parse_u64(&v, " 5"), -1);
	CU_ASSERT_EQUAL(s3_parse_u64(&v, "5 "), -1);
	CU_ASSERT_EQUAL(s3_parse_u64(&v, "18446744073709551616"), -1);
	CU_ASSERT_EQUAL(s3_parse_u64(&v, "99999999999999999999"), -1);
	CU_ASSERT_EQUAL(s3_parse_u64(&v, ""), -1);
	CU_ASSERT_EQUAL(s3_parse_u64(&v, "12abc"), -1);
	CU_ASSERT_EQUAL(v, 7);
}

static void test_iso_time(void)
{
	CU_ASSERT_EQUAL(s3_parse_time("1970-01-01T00:00:01.000Z"),
			1000000000);
	CU_ASSERT_EQUAL(s3_parse_time("2024-01-02T03:04:05.000Z"),
			1704164645000000000);
	/* a fraction is a fraction, whatever its length */
	CU_ASSERT_EQUAL(s3_parse_time("2024-01-02T03:04:05.5Z"),
			1704164645500000000);
	CU_ASSERT_EQUAL(s3_parse_time("2024-01-02T03:04:05.123456Z"),
			1704164645123456000);
	CU_ASSERT_EQUAL(s3_parse_time("2024-01-02T03:04:05Z"),
			1704164645000000000);
	CU_ASSERT_EQUAL(s3_parse_time("2024-02-29T00:00:00Z"),
			1709164800000000000);
	/* ns since 1970 overflow int64_t outside 1678..2261: unknown */
	CU_ASSERT_EQUAL(s3_parse_time("9999-12-31T23:59:59.000Z"), 0);
	CU_ASSERT_EQUAL(s3_parse_time("0000-01-01T00:00:00.000Z"), 0);
	CU_ASSERT_EQUAL(s3_parse_time("2262-05-01T00:00:00Z"), 0);
	/* not dates */
	CU_ASSERT_EQUAL(s3_parse_time("2023-02-29T00:00:00Z"), 0);
	CU_ASSERT_EQUAL(s3_parse_time("2024-13-01T00:00:00Z"), 0);
	CU_ASSERT_EQUAL(s3_parse_time("2024-01-02T24:00:00Z"), 0);
	CU_ASSERT_EQUAL(s3_parse_time("2024-01-02T03:04:05+02:00"), 0);
	CU_ASSERT_EQUAL(s3_parse_time("2024-1-02T03:04:05Z"), 0);
	CU_ASSERT_EQUAL(s3_parse_time("2024-01-02T03:04:05.-5Z"), 0);
	CU_ASSERT_EQUAL(s3_parse_time(""), 0);
}

static void test_http_date(void)
{
	CU_ASSERT_EQUAL(s3_parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
			784111777000000000);
	CU_ASSERT_EQUAL(s3_parse_http_date("Thu, 01 Jan 1970 00:00:10 GMT"),
			10000000000);
	/* strptime() took these, and the ns count overflowed */
	CU_ASSERT_EQUAL(s3_parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT"),
			0);
	CU_ASSERT_EQUAL(s3_parse_http_date("Sat, 01 Jan 0000 00:00:00 GMT"),
			0);
	CU_ASSERT_EQUAL(s3_parse_http_date("Sun, 06 Nov 1994 8:49:37 GMT"),
			0);
	CU_ASSERT_EQUAL(s3_parse_http_date("Sun, 31 Nov 1994 08:49:37 GMT"),
			0);
	CU_ASSERT_EQUAL(s3_parse_http_date("Sun, 06 Nov 1994 08:49:37 UTC"),
			0);
	CU_ASSERT_EQUAL(s3_parse_http_date("Sun, 06 Xyz 1994 08:49:37 GMT"),
			0);
	CU_ASSERT_EQUAL(
		s3_parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT trailing"),
		0);
}

static void test_content_range(void)
{
	uint64_t a, b, n;

	CU_ASSERT_EQUAL(s3_parse_content_range(&a, &b, &n, "bytes 5-9/10"),
			0);
	CU_ASSERT(a == 5 && b == 9 && n == 10);
	CU_ASSERT_EQUAL(s3_parse_content_range(
				&a, &b, &n,
				"bytes 0-18446744073709551614/"
				"18446744073709551615"),
			0);
	CU_ASSERT_EQUAL(b, UINT64_MAX - 1);
	/* sscanf("%" SCNu64) took signs, spaces and overflow */
	CU_ASSERT_EQUAL(s3_parse_content_range(&a, &b, &n, "bytes 5-9/-1"),
			-1);
	CU_ASSERT_EQUAL(s3_parse_content_range(&a, &b, &n, "bytes +5-9/10"),
			-1);
	CU_ASSERT_EQUAL(s3_parse_content_range(&a, &b, &n, "bytes  5-9/10"),
			-1);
	CU_ASSERT_EQUAL(s3_parse_content_range(&a, &b, &n, "bytes 5- 9/10"),
			-1);
	CU_ASSERT_EQUAL(s3_parse_content_range(
				&a, &b, &n, "bytes 5-9/99999999999999999999"),
			-1);
	CU_ASSERT_EQUAL(s3_parse_content_range(&a, &b, &n, "bytes 9-5/10"),
			-1);
	CU_ASSERT_EQUAL(s3_parse_content_range(&a, &b, &n, "bytes 5-10/10"),
			-1);
	CU_ASSERT_EQUAL(s3_parse_content_range(&a, &b, &n, "bytes 5-9/*"),
			-1);
	CU_ASSERT_EQUAL(s3_parse_content_range(&a, &b, &n, "bytes */10"),
			-1);
	CU_ASSERT_EQUAL(s3_parse_content_range(&a, &b, &n, "bytes 5-9/10 "),
			-1);
}

static void test_etag(void)
{
	char big[WSP_FS_VERSION_MAX + 1];

	CU_ASSERT_TRUE(s3_etag_ok("\"9a0364b9e99bb480dd25e1f0284c8555\""));
	CU_ASSERT_TRUE(s3_etag_ok("W/\"abc-2\""));
	/* sent back as If-Match: no line breaks, nothing cut short */
	CU_ASSERT_FALSE(s3_etag_ok("\"abc\"\rX-Injected: 1"));
	CU_ASSERT_FALSE(s3_etag_ok("\"abc\"\n"));
	CU_ASSERT_FALSE(s3_etag_ok("\"a\tb\""));
	CU_ASSERT_FALSE(s3_etag_ok(""));
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CU_ASSERT_FALSE(s3_etag_ok(big));
	big[WSP_FS_VERSION_MAX - 1] = '\0';
	CU_ASSERT_TRUE(s3_etag_ok(big));
}

static CU_TestInfo tests[] = {
	{"decimal numbers", test_u64},
	{"ISO 8601 times", test_iso_time},
	{"HTTP dates", test_http_date},
	{"Content-Range", test_content_range},
	{"ETags", test_etag},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("s3text", NULL, NULL, tests)
