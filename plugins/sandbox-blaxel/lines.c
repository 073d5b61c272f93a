/*
 * plugins/sandbox-blaxel/lines.c - a streamed exec's NDJSON answer cut
 * into lines on the slot's thread (see streams.h).
 *
 * The core's engine could cut lines itself, but only by holding each
 * whole, and the last one, the result, holds the whole output twice over
 * (result.c): so the engine hands raw pieces and lines are cut here.
 * Events are short (the service splits output every 64 KiB) and are
 * held until their newline; a line that begins as the result goes to
 * the scanner as its bytes come and is never held.
 */
#include "streams.h"
#include "growbuf.h"

#include <wsp/common.h>

#include <stdlib.h>
#include <string.h>

#define PREFIX_LEN (sizeof(BL_RESULT_PREFIX) - 1)

void bl_lines_init(struct bl_lines *l, const struct bl_lines_ops *ops,
		   void *payload)
{
	memset(l, 0, sizeof(*l));
	l->ops = ops;
	l->payload = payload;
}

void bl_lines_free(struct bl_lines *l)
{
	free(l->buf);
	l->buf = NULL;
	l->len = l->cap = 0;
}

/* An empty piece appends nothing: there may be no buffer yet. */
static int append(struct bl_lines *l, const char *data, size_t n)
{
	int rc = growbuf_append(&l->buf, &l->len, &l->cap, BL_LINE_MAX, data,
				n);

	return rc == GROWBUF_TOO_BIG ? BL_LINES_TOO_LONG : rc;
}

/* Once the line is long enough to tell: is it the result? */
static int check_result(struct bl_lines *l)
{
	int rc;

	if (l->in_result || l->len < PREFIX_LEN ||
	    memcmp(l->buf, BL_RESULT_PREFIX, PREFIX_LEN))
		return 0;
	l->in_result = 1;
	if ((rc = l->ops->result_begin(&l->rs, l->payload)))
		return rc;
	rc = bl_rscan_feed(&l->rs, l->buf + PREFIX_LEN, l->len - PREFIX_LEN);
	l->len = 0;
	return rc;
}

/* The line is whole (at its newline, or the body's end). */
static int line_end(struct bl_lines *l)
{
	int rc = check_result(l);

	if (rc)
		return rc;
	if (l->in_result) {
		l->in_result = 0;
		return l->ops->result_end(&l->rs, l->payload);
	}
	if (l->len && l->buf[l->len - 1] == '\r')
		l->len--;
	rc = l->ops->line(l->buf ? l->buf : "", l->len, l->payload);
	l->len = 0;
	return rc;
}

int bl_lines_feed(struct bl_lines *l, const char *data, size_t len)
{
	while (len) {
		const char *nl = memchr(data, '\n', len);
		size_t n = nl ? (size_t)(nl - data) : len;
		int rc;

		if (l->in_result)
			rc = bl_rscan_feed(&l->rs, data, n);
		else if (!(rc = append(l, data, n)))
			rc = check_result(l);
		if (!rc && nl) {
			rc = line_end(l);
			n++;
		}
		if (rc)
			return rc;
		data += n;
		len -= n;
	}
	return 0;
}

int bl_lines_end(struct bl_lines *l)
{
	if (!l->in_result && !l->len)
		return 0;
	return line_end(l);
}
