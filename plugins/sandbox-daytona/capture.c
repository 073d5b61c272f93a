/*
 * plugins/sandbox-daytona/capture.c - the newest bytes of a stream: an
 * exec result keeps at most max_capture bytes per stream (the end of the
 * output, where errors are) and counts what it dropped.
 */
#include "daytona.h"

#include <stdlib.h>
#include <string.h>

int dt_capture_init(struct dt_capture *c, size_t cap)
{
	memset(c, 0, sizeof(*c));
	c->cap = cap ? cap : 1;
	c->buf = malloc(c->cap);
	return c->buf ? 0 : WSP_ENOMEM;
}

void dt_capture_put(struct dt_capture *c, const char *p, size_t n)
{
	size_t i;

	if (n >= c->cap) { /* only the tail of p survives */
		c->dropped += c->len + (n - c->cap);
		memcpy(c->buf, p + n - c->cap, c->cap);
		c->start = 0;
		c->len = c->cap;
		return;
	}
	for (i = 0; i < n; i++) {
		if (c->len == c->cap) {
			c->buf[c->start] = p[i];
			c->start = (c->start + 1) % c->cap;
			c->dropped++;
		} else {
			c->buf[(c->start + c->len) % c->cap] = p[i];
			c->len++;
		}
	}
}

char *dt_capture_take(struct dt_capture *c, const wsp_host *host,
		      size_t *len)
{
	char *out = host->alloc(host, c->len + 1);
	size_t first;

	if (!out)
		return NULL;
	first = c->cap - c->start < c->len ? c->cap - c->start : c->len;
	memcpy(out, c->buf + c->start, first);
	memcpy(out + first, c->buf, c->len - first);
	out[c->len] = '\0';
	*len = c->len;
	return out;
}

void dt_capture_free(struct dt_capture *c)
{
	free(c->buf);
	memset(c, 0, sizeof(*c));
}
