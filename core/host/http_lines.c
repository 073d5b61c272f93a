/*
 * core/host/http_lines.c - newline-delimited framing of a streamed body (see
 * http_frame.h). A line wholly inside one piece goes to the callback from
 * the piece itself; only a line cut across pieces is copied, and never
 * beyond the bound.
 */
#include "http_frame.h"

#include <stdlib.h>
#include <string.h>

void wsp__lines_init(wsp__lines *l, size_t max_line, wsp__line_fn fn,
		     void *payload)
{
	memset(l, 0, sizeof(*l));
	l->max = max_line;
	l->fn = fn;
	l->payload = payload;
}

void wsp__lines_free(wsp__lines *l)
{
	free(l->buf);
	l->buf = NULL;
	l->len = l->cap = 0;
}

static int fail(wsp__lines *l, int code, wsp_error *err, const char *why)
{
	l->err = code;
	return wsp_error_set(err, code, "cannot read the stream: %s", why);
}

static int too_long(wsp__lines *l, wsp_error *err)
{
	l->err = WSP_ETOOBIG;
	return wsp_error_set(err, WSP_ETOOBIG,
			     "cannot read the stream: a line is longer than "
			     "%zu bytes",
			     l->max);
}

static int deliver(wsp__lines *l, const char *line, size_t len, wsp_error *err)
{
	int rc;

	if (len && line[len - 1] == '\r')
		len--;
	rc = l->fn(line, len, l->payload);
	if (rc)
		return fail(l, rc < 0 ? rc : WSP_ERROR, err,
			    "the line consumer stopped");
	return 0;
}

static int keep(wsp__lines *l, const char *data, size_t len, wsp_error *err)
{
	if (len > l->max - l->len)
		return too_long(l, err);
	if (l->len + len > l->cap) {
		size_t nc = l->cap ? l->cap : 256;
		char *nb;

		while (nc < l->len + len)
			nc *= 2;
		if (nc > l->max)
			nc = l->max;
		nb = realloc(l->buf, nc);
		if (!nb)
			return fail(l, WSP_ENOMEM, err, "out of memory");
		l->buf = nb;
		l->cap = nc;
	}
	memcpy(l->buf + l->len, data, len);
	l->len += len;
	return 0;
}

int wsp__lines_feed(wsp__lines *l, const char *data, size_t len, wsp_error *err)
{
	int rc;

	if (l->err)
		return wsp_error_set(err, l->err,
				     "cannot read the stream: it failed "
				     "before");
	while (len) {
		const char *nl = memchr(data, '\n', len);
		size_t seg;

		if (!nl)
			return keep(l, data, len, err);
		seg = (size_t)(nl - data);
		if (!l->len) {
			if (seg > l->max)
				return too_long(l, err);
			rc = deliver(l, data, seg, err);
		} else {
			rc = keep(l, data, seg, err);
			if (!rc)
				rc = deliver(l, l->buf, l->len, err);
			l->len = 0;
		}
		if (rc)
			return rc;
		data += seg + 1;
		len -= seg + 1;
	}
	return 0;
}

int wsp__lines_finish(wsp__lines *l, wsp_error *err)
{
	int rc;

	if (l->err)
		return wsp_error_set(err, l->err,
				     "cannot read the stream: it failed "
				     "before");
	if (!l->len)
		return 0;
	rc = deliver(l, l->buf, l->len, err);
	l->len = 0;
	return rc;
}
