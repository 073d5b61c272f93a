/*
 * tests/fuzz/fuzz_s3text.c - the S3 provider's small text parsers on
 * arbitrary bytes: Content-Length and listing sizes, HTTP dates (the
 * shared reader, util/httpdate.c, which Last-Modified, Blaxel's process
 * times and the core's Retry-After use), Content-Range, ETags (each a header value
 * or element text from a server) and the AWS credentials/config INI
 * reader (a user's file). A listing's RFC 3339 times are fuzz_rfc3339's.
 *
 * Every parser sees every input. What they accept must round-trip: a
 * date prints back as the same text, a number as the same digits; what
 * they return stays within the bounds s3.h documents.
 *
 * The parsers live in the plugin, which links nothing of the core, so
 * their source files are compiled in here; the date reader is util/'s,
 * linked (wsp_internal brings wsp_util).
 */
#include "../../plugins/fs-s3/s3text.c"
#include "httpdate.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_u64(const char *s)
{
	char back[32];
	uint64_t v;

	if (s3_parse_u64(&v, s))
		return;
	while (s[0] == '0' && s[1])
		s++; /* leading zeros do not print back */
	snprintf(back, sizeof(back), "%" PRIu64, v);
	if (strcmp(back, s))
		__builtin_trap();
}

/*
 * The date and time fields of ns as fmt prints them, in UTC. Dates before
 * 1970 are negative: their whole seconds are the floor, not the
 * truncation, so a fraction does not move the time back a second.
 */
static void print_date(char *out, size_t cap, int64_t ns, const char *fmt)
{
	int64_t secs = ns / 1000000000 - (ns % 1000000000 < 0);
	time_t t = (time_t)secs;
	struct tm tm;

	if (!gmtime_r(&t, &tm))
		__builtin_trap();
	strftime(out, cap, fmt, &tm);
}

static void check_dates(const char *s)
{
	char back[64], want[32];
	int64_t ns = 0;
	int leap;

	if (!http_date_ns(&ns, s)) {
		if (ns % 1000000000 || strlen(s) != 29)
			__builtin_trap();
		/* "DD Mon YYYY hh:mm:ss GMT"; a leap second (ss 60) is read as
		 * the next minute's first: the second before it prints as 59 */
		snprintf(want, sizeof(want), "%s", s + 5);
		leap = !strcmp(want + 18, "60 GMT");
		if (leap)
			want[19] = '9', want[18] = '5';
		/* the C locale's %b; the weekday is not checked */
		print_date(back, sizeof(back), ns - leap * 1000000000LL,
			   "%d %b %Y %H:%M:%S GMT");
		if (strcmp(back, want))
			__builtin_trap();
	}
}

static void check_range(const char *s)
{
	uint64_t a, b, n;

	if (!s3_parse_content_range(&a, &b, &n, s) && !(a <= b && b < n))
		__builtin_trap();
}

static void check_etag(const char *s)
{
	if (!s3_etag_ok(s))
		return;
	if (!*s || strlen(s) >= WSP_FS_VERSION_MAX)
		__builtin_trap();
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			__builtin_trap();
}

static void check_ini(const char *text, size_t len, const char *section,
		      const char *key)
{
	char *v = NULL;
	size_t n;

	if (s3_ini_get(&v, text, len, section, key) || !v)
		return;
	/* one trimmed, non-empty value from one line */
	n = strlen(v);
	if (!n || n >= INI_LINE_MAX || strchr(v, '\n') ||
	    isspace((unsigned char)v[0]) || isspace((unsigned char)v[n - 1]))
		__builtin_trap();
	free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_u64(s);
	check_dates(s);
	check_range(s);
	check_etag(s);
	/* the credentials file's lookups, then the config file's */
	check_ini((const char *)data, size, "default", "aws_access_key_id");
	check_ini((const char *)data, size, "profile dev-box", "region");
	free(s);
	return 0;
}
