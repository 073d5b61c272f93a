/*
 * plugins/fs-gcs/gcstext.c - small text forms of the GCS wire: base64url
 * (JWTs), decimal strings (object JSON), printable copies of what a
 * server said, and the rule for object names. Its RFC 3339 times are
 * read by util/rfc3339.c, its UTF-8 by util/utf8seq.c.
 */
#include "gcs.h"
#include "utf8seq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char b64u[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *gcs_b64url(const void *data, size_t len)
{
	const unsigned char *p = data;
	char *out = malloc(len / 3 * 4 + 5), *o = out;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 |
			     p[i + 2];

		*o++ = b64u[v >> 18];
		*o++ = b64u[(v >> 12) & 63];
		*o++ = b64u[(v >> 6) & 63];
		*o++ = b64u[v & 63];
	}
	if (len - i == 1) {
		*o++ = b64u[p[i] >> 2];
		*o++ = b64u[(p[i] & 3) << 4];
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)p[i] << 8 | p[i + 1];

		*o++ = b64u[v >> 10];
		*o++ = b64u[(v >> 4) & 63];
		*o++ = b64u[(v & 15) << 2];
	}
	*o = '\0';
	return out;
}

static int b64u_val(char c)
{
	const char *p = c ? strchr(b64u, c) : NULL;

	return p ? (int)(p - b64u) : -1;
}

int gcs_b64url_decode(unsigned char **out, size_t *out_len, const char *s,
		      size_t len)
{
	unsigned char *buf;
	uint32_t acc = 0;
	int bits = 0;
	size_t n = 0;

	while (len && s[len - 1] == '=')
		len--;
	if (len % 4 == 1)
		return -1;
	buf = malloc(len / 4 * 3 + 3);
	if (!buf)
		return -1;
	for (size_t i = 0; i < len; i++) {
		int v = b64u_val(s[i]);

		if (v < 0) {
			free(buf);
			return -1;
		}
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[n++] = (unsigned char)(acc >> bits);
		}
	}
	*out = buf;
	*out_len = n;
	return 0;
}

int gcs_parse_u64(uint64_t *out, const char *s)
{
	uint64_t v = 0;

	if (!s || !*s || strlen(s) > 20)
		return -1;
	for (; *s; s++) {
		unsigned d;

		if (*s < '0' || *s > '9')
			return -1;
		d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

void gcs_printable(char *out, size_t cap, const char *s, size_t len)
{
	size_t o = 0;

	if (!cap)
		return;
	for (size_t i = 0; s && i < len && o + 5 < cap; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || c == '\\')
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

bool gcs_name_ok(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	if (len == 0 || len > GCS_NAME_MAX)
		return false;
	while (i < len) {
		size_t n;

		/* NUL, CR and LF: refused in object names */
		if (p[i] == 0 || p[i] == '\r' || p[i] == '\n')
			return false;
		/* valid UTF-8: no overlong, surrogate or truncated sequence */
		n = utf8_seq_len(p + i, len - i);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

void gcs_secret_free(char *s)
{
	if (s) {
		/* volatile stores: the wipe is not optimised away */
		volatile char *v = s;

		while (*v)
			*v++ = '\0';
		free(s);
	}
}
