/*
 * core/utf8.c - UTF-8 checked and cleaned: what goes back to an MCP
 * client or into an embedding request must be valid UTF-8.
 */
#include "utf8.h"
#include "utf8seq.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * Length of the valid UTF-8 sequence at s (0 if invalid), util/utf8seq.h's,
 * except that NUL counts as invalid here: wsp__utf8_valid() reads a C
 * string, and a cleaned text given with its length must come out as one
 * whole C string, its NUL bytes replaced like any other invalid byte.
 */
static size_t utf8_seq(const unsigned char *s, size_t len)
{
	return s[0] ? utf8_seq_len(s, len) : 0;
}

int wsp__utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), n;

	while (len) {
		n = utf8_seq(p, len);
		if (!n)
			return 0;
		p += n;
		len -= n;
	}
	return 1;
}

char *wsp__utf8_clean(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, o = 0, n;
	char *out;

	if (len > (SIZE_MAX - 1) / 3)
		return NULL;
	out = malloc(len * 3 + 1);
	if (!out)
		return NULL;
	while (i < len) {
		n = utf8_seq(p + i, len - i);
		if (n) {
			memcpy(out + o, p + i, n);
			o += n;
			i += n;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	out[o] = '\0';
	return out;
}
