/*
 * util/httpdate.c - HTTP's IMF-fixdate to nanoseconds (httpdate.h).
 * Replaces fs-s3's hand-written reader, sandbox-blaxel's strptime, which
 * took a one-digit day, spaces and long names, and the core's own
 * Retry-After reader, which took any letters for the day-name and a day
 * past its month's end (31 February).
 *
 * The text is checked against the fixed shape before any field is read,
 * so nothing past the string is looked at; the calendar is libc's
 * (timegm), which carries a day past its month's end into the next
 * month: that is how a day that does not exist shows.
 */
#include "httpdate.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#define NS_PER_S 1000000000LL

/* '9' a digit, '@' a letter, anything else itself. */
static const char shape[] = "@@@, 99 @@@ 9999 99:99:99 GMT";

static int fits_shape(const char *s)
{
	size_t i;

	for (i = 0; shape[i]; i++) {
		char c = s[i], k = shape[i];

		if (k == '9' ? c < '0' || c > '9'
		    : k == '@' ? !((c >= 'A' && c <= 'Z') ||
				   (c >= 'a' && c <= 'z'))
			       : c != k)
			return 0; /* the NUL too: nothing past it is read */
	}
	return s[i] == '\0';
}

static int digits(const char *s, int n)
{
	int v = 0;

	while (n--)
		v = v * 10 + (*s++ - '0');
	return v;
}

/* The index of the three letters at s in table, or -1. */
static int name_at(const char *table, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (!memcmp(table + 3 * i, s, 3))
			return i;
	return -1;
}

int64_t http_date_ns_or0(const char *s)
{
	int64_t ns;

	return http_date_ns(&ns, s) ? 0 : ns;
}

int http_date_ns(int64_t *out, const char *s)
{
	struct tm tm = {0};
	int mon, day, leap;
	time_t t;

	if (!s || !fits_shape(s) ||
	    name_at("SunMonTueWedThuFriSat", 7, s) < 0 ||
	    (mon = name_at("JanFebMarAprMayJunJulAugSepOctNovDec", 12,
			   s + 8)) < 0)
		return -1;
	day = digits(s + 5, 2);
	tm.tm_year = digits(s + 12, 4) - 1900;
	tm.tm_mon = mon;
	tm.tm_mday = day;
	tm.tm_hour = digits(s + 17, 2);
	tm.tm_min = digits(s + 20, 2);
	tm.tm_sec = digits(s + 23, 2);
	if (day < 1 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	leap = tm.tm_sec == 60;
	tm.tm_sec -= leap; /* added back below */
	errno = 0;
	t = timegm(&tm);
	if ((t == (time_t)-1 && errno) || tm.tm_mday != day)
		return -1;
	if ((int64_t)t + leap > INT64_MAX / NS_PER_S ||
	    (int64_t)t < INT64_MIN / NS_PER_S)
		return -1;
	*out = ((int64_t)t + leap) * NS_PER_S;
	return 0;
}
