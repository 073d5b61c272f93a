/*
 * util/rfc3339.c - RFC 3339 time stamps to nanoseconds (rfc3339.h).
 * Replaces the four readers the providers had, each with its own
 * strictness (fs-s3, fs-gcs, remote_io's for Daytona and Blaxel,
 * sandbox-e2b's), issue 19.
 *
 * Every character is checked before the next is read, so a string that
 * ends early stops at its NUL. The calendar is libc's (timegm); the only
 * sums here are the zone's offset and the overflow checks, done before
 * any multiplication could overflow.
 */
#include "rfc3339.h"

#include <errno.h>
#include <stdbool.h>
#include <time.h>

#define NS_PER_S 1000000000LL

/* Exactly n digits at *p, within [min, max]; *p moves past them. */
static bool field(int *out, const char **p, int n, int min, int max)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			return false; /* the NUL too: nothing past it is read */
		v = v * 10 + (c - '0');
	}
	if (v < min || v > max)
		return false;
	*out = v;
	*p += n;
	return true;
}

/* The character at *p is a or b; *p moves past it. */
static bool sep(const char **p, char a, char b)
{
	if (**p != a && **p != b)
		return false;
	(*p)++;
	return true;
}

/* ".d" to ".ddddddddd" at *p as nanoseconds (none: 0); *p past it. */
static bool fraction(int64_t *out, const char **p)
{
	int64_t scale = NS_PER_S;
	int n = 0;

	*out = 0;
	if (**p != '.')
		return true;
	for ((*p)++; **p >= '0' && **p <= '9'; (*p)++, n++) {
		if (n == 9)
			return false;
		scale /= 10;
		*out += (**p - '0') * scale;
	}
	return n > 0;
}

/* 'Z' or ±hh:mm at *p as seconds east of UTC; *p past it. */
static bool zone(int64_t *out, const char **p)
{
	int sign, h, m;

	*out = 0;
	if (sep(p, 'Z', 'z'))
		return true;
	if (**p != '+' && **p != '-')
		return false;
	sign = **p == '-' ? -1 : 1;
	(*p)++;
	if (!field(&h, p, 2, 0, 23) || !sep(p, ':', ':') ||
	    !field(&m, p, 2, 0, 59))
		return false;
	*out = sign * (h * 3600 + m * 60);
	return true;
}

/* secs + frac / 1e9 (frac 0..999999999) as int64_t ns, if it fits. */
static bool to_ns(int64_t *out, int64_t secs, int64_t frac)
{
	int64_t v;

	/* before 1970 the fraction still counts forward from its second:
	 * borrow it so that the limit INT64_MIN itself is reachable */
	if (secs < 0 && frac) {
		secs++;
		frac -= NS_PER_S;
	}
	if (secs > INT64_MAX / NS_PER_S || secs < INT64_MIN / NS_PER_S)
		return false;
	v = secs * NS_PER_S;
	if (frac > 0 ? v > INT64_MAX - frac : v < INT64_MIN - frac)
		return false;
	*out = v + frac;
	return true;
}

int64_t rfc3339_ns_or0(const char *s)
{
	int64_t ns;

	return rfc3339_ns(&ns, s) ? 0 : ns;
}

int rfc3339_ns(int64_t *out, const char *s)
{
	const char *p = s;
	int y, mo, d, h, mi, se;
	int64_t frac, off;
	struct tm tm = {0};
	time_t t;

	if (!s || !field(&y, &p, 4, 0, 9999) || !sep(&p, '-', '-') ||
	    !field(&mo, &p, 2, 1, 12) || !sep(&p, '-', '-') ||
	    !field(&d, &p, 2, 1, 31) || !sep(&p, 'T', 't') ||
	    !field(&h, &p, 2, 0, 23) || !sep(&p, ':', ':') ||
	    !field(&mi, &p, 2, 0, 59) || !sep(&p, ':', ':') ||
	    !field(&se, &p, 2, 0, 60) || !fraction(&frac, &p) ||
	    !zone(&off, &p) || *p)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se == 60 ? 59 : se; /* the leap second is added below */
	errno = 0;
	t = timegm(&tm);
	/* timegm carries a day past its month's end into the next month
	 * (30 February is 2 March): that is how a day that does not exist
	 * shows; -1 with errno is a year a 32-bit time_t cannot hold */
	if ((t == (time_t)-1 && errno) || tm.tm_mday != d)
		return -1;
	return to_ns(out, (int64_t)t + (se == 60) - off, frac) ? 0 : -1;
}
