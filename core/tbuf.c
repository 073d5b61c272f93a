/*
 * core/tbuf.c - a growable text buffer (core/tbuf.h).
 *
 * Appends never fail loudly: on allocation failure the buffer keeps what
 * it has and sets oom, so a tool can finish and the set reports it once.
 */
#include "tbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(struct wsp__tbuf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->oom)
		return -1;
	if (extra > SIZE_MAX / 2 - b->len) {
		b->oom = 1;
		return -1;
	}
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

void wsp__tbuf_add(struct wsp__tbuf *b, const void *data, size_t len)
{
	if (grow(b, len))
		return;
	if (len)
		memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
}

void wsp__tbuf_puts(struct wsp__tbuf *b, const char *s)
{
	wsp__tbuf_add(b, s, strlen(s));
}

void wsp__tbuf_addf(struct wsp__tbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *wsp__tbuf_take(struct wsp__tbuf *b)
{
	char *p;

	if (!b->p)
		wsp__tbuf_add(b, "", 0);
	p = b->p;
	b->p = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
	return p;
}

void wsp__tbuf_free(struct wsp__tbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}

int wsp__tbuf_sink(const void *data, size_t len, void *payload)
{
	struct wsp__tbuf *t = payload;

	wsp__tbuf_add(t, data, len);
	return t->oom ? WSP_ENOMEM : 0;
}
