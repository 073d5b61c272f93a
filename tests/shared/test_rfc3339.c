/*
 * tests/shared/test_rfc3339.c - the one RFC 3339 reader every provider
 * uses (plugins/shared/rfc3339.c), on a table of what servers send, what
 * the four readers it replaced were tested with, and what must be
 * refused. Where a case comes from an old suite its origin is named:
 * s3 (tests/s3/test_s3text.c), gcs (tests/gcs/test_gcs_units.c).
 */
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

static const struct rcase cases[] = {
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

static void test_table(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rcase *c = &cases[i];
		int64_t ns = 42;
		int rc = rfc3339_ns(&ns, c->in);

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
static void test_prefixes(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char cut[64];
		size_t n = strlen(cases[i].in);
		int64_t ns;

		if (!cases[i].ok || n >= sizeof(cut))
			continue;
		for (size_t k = 0; k < n; k++) {
			memcpy(cut, cases[i].in, k);
			cut[k] = '\0';
			if (rfc3339_ns(&ns, cut) != -1)
				printf("\n  \"%s\" accepted", cut);
			CU_ASSERT_EQUAL(rfc3339_ns(&ns, cut), -1);
		}
	}
}

static void test_null(void)
{
	int64_t ns = 42;

	CU_ASSERT_EQUAL(rfc3339_ns(&ns, NULL), -1);
	CU_ASSERT_EQUAL(ns, 42);
}

static CU_TestInfo tests[] = {
	{"table of accepted and refused stamps", test_table},
	{"every prefix of an accepted stamp refused", test_prefixes},
	{"NULL refused", test_null},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("rfc3339", NULL, NULL, tests)
