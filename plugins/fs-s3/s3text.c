/*
 * plugins/fs-s3/s3text.c - the small text formats the S3 provider reads
 * from servers and files: numbers of headers and listings,
 * Content-Range, ETags, and the INI files of the AWS tools. A listing's
 * RFC 3339 LastModified is read by util/rfc3339.c, a Last-Modified
 * header's HTTP date by util/httpdate.c.
 *
 * All of it is untrusted. Each parser takes exactly its format (digits
 * only where digits are meant: no sign, no space, no overflow) and says
 * "not one" rather than guess.
 */
#include "s3.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

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

static int expect(const char **p, const char *lit)
{
	size_t n = strlen(lit);

	if (strncmp(*p, lit, n))
		return -1;
	*p += n;
	return 0;
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
