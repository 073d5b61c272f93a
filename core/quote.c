/*
 * core/quote.c - untrusted text made safe to quote: control characters
 * escaped in messages, and JSON strings that hide a NUL found before they
 * become C strings; the hex digits of %XX escapes.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

void wsp__escape_ctl(char *dst, size_t cap, const char *src)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0;

	if (!cap)
		return;
	for (; *s; s++) {
		/*
		 * C0 controls and DEL as \xNN; a C1 control (U+0080..U+009F,
		 * UTF-8 C2 80..C2 9F; 9B is CSI) as \u00NN: a terminal must
		 * never receive an escape sequence from a path or an argument.
		 */
		int c1 = s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f;

		if (*s < 0x20 || *s == 0x7f || c1) {
			unsigned char c = c1 ? s[1] : *s;

			if (o + (c1 ? 6 : 4) >= cap)
				break;
			memcpy(dst + o, c1 ? "\\u00" : "\\x", c1 ? 4 : 2);
			o += c1 ? 4 : 2;
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
			s += c1;
			continue;
		}
		if (o + 1 >= cap)
			break;
		dst[o++] = (char)*s;
	}
	dst[o] = '\0';
}

void wsp__escape_ctl_inplace(char *text, size_t cap)
{
	char buf[4096];

	wsp__escape_ctl(buf, sizeof(buf) < cap ? sizeof(buf) : cap, text);
	snprintf(text, cap, "%s", buf);
}

int wsp__json_has_nul(const char *json, size_t len)
{
	size_t i;

	if (len == 0) /* also NULL: memchr must never see it */
		return 0;
	/* A raw NUL byte: cJSON takes it into the string and cuts it there
	 * just the same (JSON allows no raw control character at all). */
	if (memchr(json, '\0', len))
		return 1;
	/* Outside strings valid JSON has no backslash, so every one starts
	 * an escape; "\\u0000" is a backslash escape, then "u0000". */
	for (i = 0; i + 1 < len; i++) {
		if (json[i] != '\\')
			continue;
		if (json[i + 1] == 'u' && i + 5 < len &&
		    !strncmp(json + i + 2, "0000", 4))
			return 1;
		i++; /* skip the escaped character */
	}
	return 0;
}

int wsp__hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
