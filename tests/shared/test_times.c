/*
 * tests/shared/test_times.c - the providers' two time stamp readers
 * (util/rfc3339.c and httpdate.c), each on a table of what
 * servers send, what the readers they replaced were tested with, and
 * what must be refused. Where a case comes from an old suite its origin
 * is named: s3 (tests/s3/test_s3text.c), gcs (tests/gcs/test_gcs_units.c).
 */
#include "httpdate.h"
#include "rfc3339.h"

#include "cu_main.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>

#define REFUSED 0, 0

struct rcase {
	const char *in;
	int ok; /* 1 accepted, with ns; 0 refused */
	int64_t ns;
};

static const struct rcase rfc3339_cases[] = {
	/* what servers send */
	{"2024-01-02T03:04:05.000Z", 1, 1704164645000000000}, /* S3 (s3) */
	{"2024-01-02T03:04:05.123Z", 1, 1704164645123000000}, /* GCS */
	/* Go's time.Time (gcs) */
	{"2026-12-05T12:00:00.123456789Z", 1, 1796472000123456789},
	{"2024-01-02T03:04:05Z", 1, 1704164645000000000}, /* Go, whole (s3) */
	{"2024-01-02T03:04:05.123456Z", 1, 1704164645123456000}, /* envd (s3) */
	/* Go drops a fraction's trailing zeros (s3) */
	{"2024-01-02T03:04:05.5Z", 1, 1704164645500000000},
	/* the epoch and around it; before 1970 the fraction still counts
	 * forward from its second */
	{"1970-01-01T00:00:00Z", 1, 0},
	{"1970-01-01T00:00:01.000Z", 1, 1000000000}, /* s3 */
	{"1970-01-01T00:00:01.5Z", 1, 1500000000},   /* gcs */
	{"1969-12-31T23:59:59.5Z", 1, -500000000},
	{"1779-01-02T03:04:05.123Z", 1, -6027252954877000000}, /* s3 */
	/* offsets: east is ahead of UTC; -00:00 is UTC */
	{"2026-12-05T12:00:00+00:00", 1, 1796472000000000000}, /* gcs */
	/* s3 and gcs refused these two (no offset but +00:00); their
	 * servers write Z, so reading the offset right changes nothing */
	{"2026-12-05T12:00:00+01:00", 1, 1796468400000000000},
	{"2024-01-02T03:04:05+02:00", 1, 1704157445000000000},
	{"2024-01-02T03:04:05.5-07:30", 1, 1704191645500000000},
	{"2024-01-02T03:04:05-00:00", 1, 1704164645000000000},
	{"2024-01-02T03:04:05+23:59", 1, 1704078305000000000},
	/* lower-case t and z (RFC 3339 5.6, as gcs took them) */
	{"2024-01-02t03:04:05.123z", 1, 1704164645123000000},
	/* leap days: every 4 years, not every 100, every 400 */
	{"2024-02-29T00:00:00Z", 1, 1709164800000000000}, /* s3 */
	{"2000-02-29T00:00:00Z", 1, 951782400000000000},
	{"2023-02-29T00:00:00Z", REFUSED}, /* s3 */
	{"1900-02-29T00:00:00Z", REFUSED},
	{"2026-02-30T12:00:00Z", REFUSED}, /* gcs */
	{"2024-04-31T00:00:00Z", REFUSED},
	/* a leap second is the next minute's first second */
	{"2016-12-31T23:59:60Z", 1, 1483228800000000000},
	/* past 32-bit time_t, the far future, the limits of int64 ns */
	{"2038-01-19T03:14:08Z", 1, 2147483648000000000},
	{"2261-12-31T23:59:59.999999999Z", 1, 9214646399999999999},
	{"1678-01-01T00:00:00Z", 1, -9214560000000000000},
	{"2262-04-11T23:47:16.854775807Z", 1, INT64_MAX},
	{"2262-04-12T00:47:16.854775807+01:00", 1, INT64_MAX},
	{"1677-09-21T00:12:43.145224192Z", 1, INT64_MIN},
	{"1677-09-20T23:12:43.145224192-01:00", 1, INT64_MIN},
	/* overflow: one ns past either end, through the offset too */
	{"2262-04-11T23:47:16.854775808Z", REFUSED},
	{"2262-04-11T23:47:16.854775807-00:01", REFUSED},
	{"1677-09-21T00:12:43.145224191Z", REFUSED},
	{"1677-09-21T00:12:43.145224192+00:01", REFUSED},
	{"2262-05-01T00:00:00Z", REFUSED},     /* s3 */
	{"9999-12-31T23:59:59.000Z", REFUSED}, /* s3 */
	{"0000-01-01T00:00:00.000Z", REFUSED}, /* s3 */
	{"0001-01-01T00:00:00Z", REFUSED},     /* Go's zero time */
	/* fields out of range */
	{"2024-13-01T00:00:00Z", REFUSED}, /* s3 */
	{"2024-00-01T00:00:00Z", REFUSED},
	{"2024-01-00T00:00:00Z", REFUSED},
	{"2024-01-32T00:00:00Z", REFUSED},
	{"2024-01-02T24:00:00Z", REFUSED}, /* s3 */
	{"2024-01-02T23:60:00Z", REFUSED},
	{"2024-01-02T23:59:61Z", REFUSED},
	{"2024-01-02T03:04:05+24:00", REFUSED},
	{"2024-01-02T03:04:05+02:60", REFUSED},
	/* fields of the wrong width, signs, spaces */
	{"2024-1-02T03:04:05Z", REFUSED}, /* s3 */
	{"2024-01-02T3:04:05Z", REFUSED},
	{"20240-01-02T03:04:05Z", REFUSED},
	{"+2024-01-02T03:04:05Z", REFUSED},
	{" 2024-01-02T03:04:05Z", REFUSED},
	{"2024-01-02 03:04:05Z", REFUSED},
	{"2024-01-02T03:04:5Z", REFUSED},
	{"2024-01-02T03:04:05+2:00", REFUSED},
	{"2024-01-02T03:04:05+0200", REFUSED},
	{"2024-01-02T03:04:05+02", REFUSED},
	{"2024-01-02T03:04:05.+02:00", REFUSED},
	/* fractions: 1 to 9 digits after a dot */
	{"2024-01-02T03:04:05.-5Z", REFUSED}, /* s3 */
	{"2026-12-05T12:00:00.Z", REFUSED},   /* gcs */
	{"2024-01-02T03:04:05.1234567890Z", REFUSED},
	{"2024-01-02T03:04:05,5Z", REFUSED},
	/* missing parts and trailing garbage */
	{"2026-12-05", REFUSED}, /* gcs */
	{"", REFUSED},           /* s3 */
	{"2024-01-02T03:04:05", REFUSED},
	{"2024-01-02T03:04:05.123", REFUSED},
	{"2024-01-02T03:04:05UTC", REFUSED},
	{"2024-01-02T03:04:05Zjunk", REFUSED},
	{"2024-01-02T03:04:05Z ", REFUSED},
	{"2024-01-02T03:04:05+02:00Z", REFUSED},
	{"2024-01-02T03:04:05 +0000 UTC", REFUSED}, /* Go's String() */
};

/* IMF-fixdate, RFC 9110's HTTP date (httpdate.h). */
static const struct rcase http_cases[] = {
	/* what servers send: S3's Last-Modified, Blaxel's process times */
	{"Sun, 06 Nov 1994 08:49:37 GMT", 1, 784111777000000000}, /* s3 */
	{"Thu, 01 Jan 1970 00:00:10 GMT", 1, 10000000000},        /* s3 */
	{"Mon, 07 Dec 2026 18:40:00 GMT", 1, 1796668800000000000},
	{"Thu, 01 Jan 1970 00:00:00 GMT", 1, 0},
	{"Wed, 31 Dec 1969 23:59:59 GMT", 1, -1000000000},
	/* leap days; a day that does not exist */
	{"Thu, 29 Feb 2024 00:00:00 GMT", 1, 1709164800000000000},
	{"Tue, 29 Feb 2000 12:00:00 GMT", 1, 951825600000000000},
	{"Wed, 29 Feb 2023 00:00:00 GMT", REFUSED},
	{"Thu, 29 Feb 1900 00:00:00 GMT", REFUSED},
	{"Sun, 31 Nov 1994 08:49:37 GMT", REFUSED}, /* s3 */
	{"Sun, 00 Nov 1994 08:49:37 GMT", REFUSED},
	/* a leap second is the next minute's first second */
	{"Sat, 31 Dec 2016 23:59:60 GMT", 1, 1483228800000000000},
	/* past 32-bit time_t; the ends of int64 ns (s3: strptime took
	 * these, and the ns count overflowed) */
	{"Fri, 01 Jan 2100 00:00:00 GMT", 1, 4102444800000000000},
	{"Fri, 31 Dec 9999 23:59:59 GMT", REFUSED}, /* s3 */
	{"Sat, 01 Jan 0000 00:00:00 GMT", REFUSED}, /* s3 */
	{"Sat, 12 Apr 2262 00:00:00 GMT", REFUSED},
	/* fields out of range */
	{"Sun, 06 Nov 1994 24:00:00 GMT", REFUSED},
	{"Sun, 06 Nov 1994 08:60:00 GMT", REFUSED},
	{"Sun, 06 Nov 1994 08:49:61 GMT", REFUSED},
	{"Sun, 32 Nov 1994 08:49:37 GMT", REFUSED},
	/* names: RFC 9110's, exactly (the day-name is not checked against
	 * the date) */
	{"Sun, 06 Xyz 1994 08:49:37 GMT", REFUSED}, /* s3 */
	{"Xyz, 06 Nov 1994 08:49:37 GMT", REFUSED},
	{"sun, 06 nov 1994 08:49:37 GMT", REFUSED},
	{"Mon, 06 Nov 1994 08:49:37 GMT", 1, 784111777000000000},
	/* widths, spaces, signs; zones; the obsolete forms */
	{"Sun, 06 Nov 1994 8:49:37 GMT", REFUSED},  /* s3 */
	{"Sun,  6 Nov 1994 08:49:37 GMT", REFUSED}, /* Blaxel's strptime */
	{"Sun, 06 Nov 1994 -8:49:37 GMT", REFUSED},
	{"Sun, 06 Nov 1994 08:49:37 UTC", REFUSED}, /* s3 */
	{"Sun, 06 Nov 1994 08:49:37 gmt", REFUSED},
	{"Sunday, 06-Nov-94 08:49:37 GMT", REFUSED},
	{"Sun Nov  6 08:49:37 1994", REFUSED},
	/* missing parts and trailing garbage */
	{"Sun, 06 Nov 1994 08:49:37 GMT trailing", REFUSED}, /* s3 */
	{"Sun, 06 Nov 1994 08:49:37 GMT ", REFUSED},
	{" Sun, 06 Nov 1994 08:49:37 GMT", REFUSED},
	{"Sun, 06 Nov 1994 08:49:37", REFUSED},
	{"", REFUSED},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

typedef int (*reader)(int64_t *out, const char *s);
typedef int64_t (*reader_or0)(const char *s);

static void run_table(reader read, reader_or0 or0, const struct rcase *cases,
		      size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct rcase *c = &cases[i];
		int64_t ns = 42;
		int rc = read(&ns, c->in);

		/* the _or0 form: the same instant, or 0 for a refusal */
		CU_ASSERT_EQUAL(or0(c->in), c->ok ? c->ns : 0);

		if (c->ok ? rc != 0 || ns != c->ns : rc != -1 || ns != 42)
			printf("\n  \"%s\": rc %d ns %lld, wanted %s %lld",
			       c->in, rc, (long long)ns,
			       c->ok ? "accepted" : "refused",
			       (long long)c->ns);
		CU_ASSERT_EQUAL(rc, c->ok ? 0 : -1);
		/* a refusal leaves *out alone */
		CU_ASSERT_EQUAL(ns, c->ok ? c->ns : 42);
	}
}

/* Every proper prefix of an accepted stamp misses a part: refused. */
static void run_prefixes(reader read, const struct rcase *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char cut[64];
		size_t len = strlen(cases[i].in);
		int64_t ns = 42;

		if (!cases[i].ok || len >= sizeof(cut))
			continue;
		for (size_t k = 0; k < len; k++) {
			memcpy(cut, cases[i].in, k);
			cut[k] = '\0';
			if (read(&ns, cut) != -1)
				printf("\n  \"%s\" accepted", cut);
			CU_ASSERT_EQUAL(read(&ns, cut), -1);
		}
		CU_ASSERT_EQUAL(ns, 42);
	}
}

static void test_rfc3339_table(void)
{
	run_table(rfc3339_ns, rfc3339_ns_or0, rfc3339_cases,
		  COUNT(rfc3339_cases));
}

static void test_rfc3339_prefixes(void)
{
	run_prefixes(rfc3339_ns, rfc3339_cases, COUNT(rfc3339_cases));
}

static void test_http_table(void)
{
	run_table(http_date_ns, http_date_ns_or0, http_cases,
		  COUNT(http_cases));
}

static void test_http_prefixes(void)
{
	run_prefixes(http_date_ns, http_cases, COUNT(http_cases));
}

static void test_null(void)
{
	int64_t ns = 42;

	CU_ASSERT_EQUAL(rfc3339_ns(&ns, NULL), -1);
	CU_ASSERT_EQUAL(http_date_ns(&ns, NULL), -1);
	CU_ASSERT_EQUAL(ns, 42);
	/* a missing stamp is an unknown one */
	CU_ASSERT_EQUAL(rfc3339_ns_or0(NULL), 0);
	CU_ASSERT_EQUAL(http_date_ns_or0(NULL), 0);
}

static CU_TestInfo tests[] = {
	{"RFC 3339: accepted and refused stamps", test_rfc3339_table},
	{"RFC 3339: every prefix of an accepted stamp refused",
	 test_rfc3339_prefixes},
	{"HTTP date: accepted and refused dates", test_http_table},
	{"HTTP date: every prefix of an accepted date refused",
	 test_http_prefixes},
	{"NULL refused, or 0", test_null},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("time stamps", NULL, NULL, tests)
