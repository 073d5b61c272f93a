/*
 * tests/fuzz/fuzz_rfc3339.c - the one RFC 3339 reader of the providers
 * (util/rfc3339.c, linked: wsp_internal brings wsp_util) on arbitrary bytes, the text
 * of S3's LastModified, GCS's updated, Go's and envd's times.
 *
 * The input is copied into a buffer of exactly its length and a NUL, so
 * a read past the string is ASan's. Checked besides crashes and UB:
 * - a refusal leaves the output alone;
 * - an accepted stamp is 20..35 characters, the form's bounds;
 * - ends in 'Z': printed back from gmtime as YYYY-MM-DDThh:mm:ss.fffffffffZ
 *   it reads again as the same nanoseconds, and (but for a leap second,
 *   which is the next minute's) with the same date and time fields;
 * - ends in an offset: the same text with 'Z' instead, when accepted, is
 *   the offset's seconds later than the stamp.
 */
#include "rfc3339.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NS_PER_S 1000000000LL

static void fail_if(int bad)
{
	if (bad)
		__builtin_trap();
}

/* ns printed in UTC, the whole second the floor (before 1970 too). */
static void print_back(char *out, size_t cap, int64_t ns)
{
	int64_t secs = ns / NS_PER_S, frac = ns % NS_PER_S;
	time_t t;
	struct tm tm;

	if (frac < 0) { /* (secs - 1) * 1e9 may not fit: never multiply */
		frac += NS_PER_S;
		secs--;
	}
	t = (time_t)secs;
	fail_if(!gmtime_r(&t, &tm));
	snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (long long)frac);
}

static void check_utc(const char *s, size_t n, int64_t ns)
{
	char back[64];
	int64_t again = 0;

	print_back(back, sizeof(back), ns);
	fail_if(rfc3339_ns(&again, back) || again != ns);
	/* the fields, but for T/t; a leap second moved to the next minute */
	if (strncmp(s + 17, "60", 2))
		fail_if(strncasecmp(back, s, 19));
	/* the fraction's digits, padded to nine */
	if (s[19] == '.')
		fail_if(strncmp(back + 20, s + 20, n - 21) ||
			strspn(back + 20 + (n - 21), "0") != 9 - (n - 21));
}

static void check_offset(const char *s, size_t n, int64_t ns)
{
	char z[64];
	int64_t at_utc, off;

	/* ±hh:mm, the last six characters */
	off = ((s[n - 5] - '0') * 10 + (s[n - 4] - '0')) * 3600 +
	      ((s[n - 2] - '0') * 10 + (s[n - 1] - '0')) * 60;
	if (s[n - 6] == '-')
		off = -off;
	memcpy(z, s, n - 6);
	strcpy(z + n - 6, "Z");
	if (!rfc3339_ns(&at_utc, z))
		fail_if(at_utc - off * NS_PER_S != ns);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	int64_t ns = 42;
	size_t n;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (rfc3339_ns(&ns, s)) {
		fail_if(ns != 42);
		free(s);
		return 0;
	}
	n = strlen(s);
	fail_if(n < 20 || n > 35);
	if (s[n - 1] == 'Z' || s[n - 1] == 'z')
		check_utc(s, n, ns);
	else
		check_offset(s, n, ns);
	free(s);
	return 0;
}
