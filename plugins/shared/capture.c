/*
 * plugins/shared/capture.c - bounded capture of an output stream: the
 * newest bytes are kept in a ring, older ones are counted as dropped
 * (see capture.h).
 */
#include "capture.h"

#include <stdlib.h>
#include <string.h>

void capture_init(struct capture *c, size_t cap)
{
	memset(c, 0, sizeof(*c));
	c->cap = cap;
}

/* Grow a not-yet-full buffer so that it holds `need` bytes (<= cap). */
static int grow(struct capture *c, size_t need)
{
	size_t alloc = c->alloc ? c->alloc : 4096;
	char *p;

	while (alloc < need)
		alloc *= 2;
	if (alloc > c->cap)
		alloc = c->cap;
	p = realloc(c->buf, alloc);
	if (!p)
		return -1;
	c->buf = p;
	c->alloc = alloc;
	return 0;
}

int capture_append(struct capture *c, const void *data,
			 size_t n)
{
	const char *d = data;
	size_t pos, first;

	if (n == 0)
		return 0;
	if (c->cap == 0) {
		c->dropped += n;
		return 0;
	}
	if (n >= c->cap) {
		/* Only the end of this chunk survives. */
		c->dropped += c->len + (n - c->cap);
		d += n - c->cap;
		n = c->cap;
		c->len = 0;
		c->start = 0;
	}
	if (c->len + n > c->alloc && c->alloc < c->cap &&
	    grow(c, c->len + n) < 0) {
		c->dropped += n;
		return -1;
	}
	if (c->len + n > c->alloc) {
		/* Full ring (alloc == cap): forget the oldest bytes. */
		size_t over = c->len + n - c->alloc;

		c->start = (c->start + over) % c->alloc;
		c->len -= over;
		c->dropped += over;
	}
	pos = (c->start + c->len) % c->alloc;
	first = c->alloc - pos < n ? c->alloc - pos : n;
	memcpy(c->buf + pos, d, first);
	memcpy(c->buf, d + first, n - first);
	c->len += n;
	return 0;
}

size_t capture_tail(const struct capture *c, char *dst,
			  size_t n)
{
	size_t skip, i;

	if (n > c->len)
		n = c->len;
	skip = c->len - n;
	for (i = 0; i < n; i++)
		dst[i] = c->buf[(c->start + skip + i) % c->alloc];
	return n;
}

char *capture_take(const struct capture *c, const wsp_host *h)
{
	char *p = h->alloc(h, c->len + 1);
	size_t first;

	if (!p)
		return NULL;
	if (c->len) {
		first = c->alloc - c->start < c->len ? c->alloc - c->start
						     : c->len;
		memcpy(p, c->buf + c->start, first);
		memcpy(p + first, c->buf, c->len - first);
	}
	p[c->len] = '\0';
	return p;
}

void capture_free(struct capture *c)
{
	free(c->buf);
	memset(c, 0, sizeof(*c));
}
