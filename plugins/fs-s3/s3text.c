/*
 * plugins/fs-s3/s3text.c - the small text formats the S3 provider reads
 * from servers and files: numbers of headers and listings, HTTP dates,
 * Content-Range, ETags, and the INI files of the AWS tools. A listing's
 * RFC 3339 LastModified is read by plugins/shared/rfc3339.c.
 *
 * All of it is untrusted. Each parser takes exactly its format (digits
 * only where digits are meant: no sign, no space, no overflow) and says
 * "not one" rather than guess; dates are checked field by field so that
 * no calendar arithmetic or nanosecond count can overflow.
 */
#include "s3.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Longest INI line looked at; a longer one is skipped whole. */
#define INI_LINE_MAX 4096

int s3_parse_u64(uint64_t *out, const char *s)
{
	uint64_t v = 0;

	if (!isdigit((unsigned char)*s))
		return -1;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned d = (unsigned)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (*s)
		return -1;
	*out = v;
	return 0;
}

/* Exactly n digits at *p, within [min, max]; *p moves past them. */
static int field(int *out, const char **p, int n, int min, int max)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	*p += n;
	return 0;
}

static int expect(const char **p, const char *lit)
{
	size_t n = strlen(lit);

	if (strncmp(*p, lit, n))
		return -1;
	*p += n;
	return 0;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/*
 * Seconds since the epoch of a checked UTC date, 0 when it is not a real
 * day or its nanoseconds would not fit in an int64_t (years 1678..2261
 * do, with room to spare).
 */
static int64_t to_seconds(int y, int mon, int d, int h, int mi, int s)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31};
	struct tm tm = {0};

	if (y < 1678 || y > 2261 || d > mdays[mon - 1] + (mon == 2 && leap(y)))
		return 0;
	tm.tm_year = y - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (int64_t)timegm(&tm);
}

static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
static const char wdays[] = "SunMonTueWedThuFriSat";

static int name_index(const char *table, int n, const char **p)
{
	for (int i = 0; i < n; i++)
		if (!strncmp(*p, table + 3 * i, 3)) {
			*p += 3;
			return i;
		}
	return -1;
}

int64_t s3_parse_http_date(const char *v)
{
	const char *p = v;
	int y, mon, d, h, mi, s;
	int64_t secs;

	/* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
	if (name_index(wdays, 7, &p) < 0 || expect(&p, ", ") ||
	    field(&d, &p, 2, 1, 31) || expect(&p, " ") ||
	    (mon = name_index(months, 12, &p) + 1) < 1 || expect(&p, " ") ||
	    field(&y, &p, 4, 0, 9999) || expect(&p, " ") ||
	    field(&h, &p, 2, 0, 23) || expect(&p, ":") ||
	    field(&mi, &p, 2, 0, 59) || expect(&p, ":") ||
	    field(&s, &p, 2, 0, 59) || strcmp(p, " GMT"))
		return 0;
	secs = to_seconds(y, mon, d, h, mi, s);
	return secs * 1000000000;
}

/* Digits up to stop (a character that must follow them). */
static int u64_until(uint64_t *out, const char **p, char stop)
{
	const char *e = strchr(*p, stop);
	char num[24];
	size_t n;

	if (!e || (n = (size_t)(e - *p)) >= sizeof(num))
		return -1;
	memcpy(num, *p, n);
	num[n] = '\0';
	if (s3_parse_u64(out, num))
		return -1;
	*p = e + 1;
	return 0;
}

int s3_parse_content_range(uint64_t *first, uint64_t *last, uint64_t *size,
			   const char *v)
{
	const char *p = v;

	if (expect(&p, "bytes ") || u64_until(first, &p, '-') ||
	    u64_until(last, &p, '/') || s3_parse_u64(size, p))
		return -1;
	return *first <= *last && *last < *size ? 0 : -1;
}

bool s3_etag_ok(const char *v)
{
	size_t n = 0;

	for (; v[n]; n++)
		if ((unsigned char)v[n] < 0x20 || v[n] == 0x7f)
			return false;
	return n && n < WSP_FS_VERSION_MAX;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/*
 * One line of an INI file: 1 = "key = value" of the section (*value set,
 * within line), 0 = anything else. *in tracks whether the current
 * section is the one wanted. Nested blocks ("s3 =\n    addressing_style =
 * path") are skipped: their lines are indented. As in the AWS tools
 * (Python's configparser), keys are case-insensitive and end at the first
 * '=' or ':'; section names are exact.
 */
/* ASCII case-insensitive equality, whatever the process's locale. */
static bool same_key(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
		char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;

		if (x != y)
			return false;
	}
	return *a == *b;
}

static int ini_line(char **value, char *line, const char *section,
		    const char *key, bool *in)
{
	char *l = trim(line), *eq;

	if (*l == '#' || *l == ';' || !*l)
		return 0;
	if (*l == '[') {
		char *close = strchr(l, ']');

		if (close) {
			*close = '\0';
			*in = !strcmp(trim(l + 1), section);
		}
		return 0;
	}
	if (!*in || isspace((unsigned char)line[0]))
		return 0;
	eq = strpbrk(l, "=:");
	if (!eq)
		return 0;
	*eq = '\0';
	if (!same_key(trim(l), key))
		return 0;
	*value = trim(eq + 1);
	return **value != '\0';
}

int s3_ini_get(char **out, const char *text, size_t len, const char *section,
	       const char *key)
{
	char line[INI_LINE_MAX];
	const char *p = text, *end = text + len;
	bool in = false;

	*out = NULL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		char *v;

		if (n < sizeof(line)) {
			/* a NUL ends the line, as it would for fgets() */
			memcpy(line, p, n);
			line[n] = '\0';
			if (ini_line(&v, line, section, key, &in)) {
				*out = strdup(v);
				return *out ? 0 : WSP_ENOMEM;
			}
		} else {
			/* too long to be ours: never a key, nor its tail */
			const char *c = p;

			while (c < p + n && isspace((unsigned char)*c))
				c++;
			if (c < p + n && *c == '[')
				in = false; /* an unreadable section */
		}
		p += n + (nl != NULL);
	}
	return 0;
}
