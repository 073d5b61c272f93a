/*
 * toolkit/lsp_frame.c - Content-Length framing of the Language Server
 * Protocol's base protocol (see lsp_frame.h for the bounds).
 *
 * Headers are ASCII "Name: value" lines ended by CRLF, then an empty
 * line; only Content-Length matters (Content-Type is utf-8 JSON-RPC in
 * practice and ignored, as editors do). A bare LF is accepted too: a
 * lenient reader costs nothing and some servers' debug wrappers use it.
 */
#include "lsp_frame.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void wsp__lsp_frame_init(struct wsp__lsp_frame *f, size_t max_body)
{
	memset(f, 0, sizeof(*f));
	f->max_body = max_body;
}

void wsp__lsp_frame_free(struct wsp__lsp_frame *f)
{
	free(f->buf);
	wsp__lsp_frame_init(f, f->max_body);
}

void wsp__lsp_frame_reset(struct wsp__lsp_frame *f)
{
	f->len = 0;
	f->used = 0;
}

/* Forget the message handed out last. */
static void drop_used(struct wsp__lsp_frame *f)
{
	if (!f->used)
		return;
	memmove(f->buf, f->buf + f->used, f->len - f->used);
	f->len -= f->used;
	f->used = 0;
}

int wsp__lsp_frame_feed(struct wsp__lsp_frame *f, const void *data, size_t len)
{
	size_t cap;
	char *p;

	drop_used(f);
	if (len > SIZE_MAX / 2 - f->len)
		return WSP_ENOMEM;
	if (f->len + len + 1 > f->cap) {
		cap = f->cap ? f->cap : 4096;
		while (cap < f->len + len + 1)
			cap *= 2;
		p = realloc(f->buf, cap);
		if (!p)
			return WSP_ENOMEM;
		f->buf = p;
		f->cap = cap;
	}
	memcpy(f->buf + f->len, data, len);
	f->len += len;
	return 0;
}

/* The end of the header block (index after the empty line), or 0. */
static size_t header_end(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] != '\n')
			continue;
		if (i + 1 < n && s[i + 1] == '\n')
			return i + 2;
		if (i + 2 < n && s[i + 1] == '\r' && s[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

static int proto(char *why, size_t cap, const char *msg)
{
	snprintf(why, cap, "%s", msg);
	return WSP_EPROTO;
}

/* Content-Length of the header block s[0..n): 0 or WSP_EPROTO. */
static int parse_headers(const char *s, size_t n, size_t max_body, size_t *out,
			 char *why, size_t cap)
{
	const char *line = s, *end = s + n, *nl, *colon, *v;
	int seen = 0;
	size_t len = 0;

	while (line < end && (nl = memchr(line, '\n', (size_t)(end - line)))) {
		const char *stop = nl > line && nl[-1] == '\r' ? nl - 1 : nl;

		if (stop == line)
			break; /* the empty line */
		colon = memchr(line, ':', (size_t)(stop - line));
		if (!colon)
			return proto(why, cap, "a header line has no ':'");
		if ((size_t)(colon - line) == 14 &&
		    !strncasecmp(line, "Content-Length", 14)) {
			if (seen++)
				return proto(why, cap,
					     "Content-Length is given twice");
			for (v = colon + 1; v < stop && *v == ' '; v++)
				;
			if (v == stop)
				return proto(why, cap,
					     "Content-Length has no value");
			for (; v < stop && *v != ' '; v++) {
				if (*v < '0' || *v > '9')
					return proto(why, cap,
						     "Content-Length is not a "
						     "number");
				if (len > max_body / 10)
					return proto(why, cap,
						     "a message is larger than "
						     "the limit");
				len = len * 10 + (size_t)(*v - '0');
			}
			for (; v < stop; v++)
				if (*v != ' ')
					return proto(why, cap,
						     "Content-Length is not a "
						     "number");
		}
		line = nl + 1;
	}
	if (!seen)
		return proto(why, cap, "a message has no Content-Length");
	if (len > max_body)
		return proto(why, cap, "a message is larger than the limit");
	*out = len;
	return 0;
}

int wsp__lsp_frame_next(struct wsp__lsp_frame *f, const char **body,
			size_t *len, char *why, size_t why_cap)
{
	size_t hend, blen;
	int rc;

	drop_used(f);
	hend = header_end(f->buf ? f->buf : "", f->len);
	if (!hend || hend > WSP__LSP_HEADER_MAX) {
		if (hend > WSP__LSP_HEADER_MAX || f->len > WSP__LSP_HEADER_MAX)
			return proto(why, why_cap,
				     "a header block is longer than 1024 "
				     "bytes");
		return 0;
	}
	rc = parse_headers(f->buf, hend, f->max_body, &blen, why, why_cap);
	if (rc)
		return rc;
	if (f->len - hend < blen)
		return 0;
	*body = f->buf + hend;
	*len = blen;
	f->used = hend + blen;
	return 1;
}

char *wsp__lsp_frame_encode(const char *body, size_t len, size_t *out_len)
{
	char head[64];
	int n = snprintf(head, sizeof(head), "Content-Length: %zu\r\n\r\n",
			 len);
	char *p = malloc((size_t)n + len + 1);

	if (!p)
		return NULL;
	memcpy(p, head, (size_t)n);
	memcpy(p + n, body, len);
	p[(size_t)n + len] = '\0';
	*out_len = (size_t)n + len;
	return p;
}
