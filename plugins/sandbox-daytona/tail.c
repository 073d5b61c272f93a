/*
 * plugins/sandbox-daytona/tail.c - one stream of a command's log read as
 * it arrives (the WebSocket follow), its script's trailer found on the
 * way: the streaming form of dt_script_output (script.c).
 *
 * The trailer is the nonce and a tag at the end of a line, at most
 * DT_TAIL_MAX bytes, so only the newest DT_TAIL_MAX bytes of the line
 * being written are held back; everything before them is output for
 * sure and goes on at once, whatever the line's length (10 MiB without a
 * newline are not held). When a line ends, its held bytes are either the
 * trailer (what precedes the nonce is output; the stream is over and
 * later bytes, a background child's, are dropped) or output with the
 * newline.
 */
#include "daytona.h"

#include <string.h>

void dt_tail_init(struct dt_tail *t, const char *nonce)
{
	memset(t, 0, sizeof(*t));
	t->nonce = nonce;
}

/* Line bytes: the held ones and p[0..n) less the newest DT_TAIL_MAX go. */
static int keep(struct dt_tail *t, const char *p, size_t n, dt_tail_fn fn,
		void *pl)
{
	size_t out;
	int rc;

	if (t->n + n <= DT_TAIL_MAX) {
		memcpy(t->hold + t->n, p, n);
		t->n += n;
		return 0;
	}
	out = t->n + n - DT_TAIL_MAX;
	if (out <= t->n) {
		if ((rc = fn(t->hold, out, pl)))
			return rc;
		memmove(t->hold, t->hold + out, t->n - out);
		t->n -= out;
		memcpy(t->hold + t->n, p, n);
		t->n += n;
		return 0;
	}
	if (t->n && (rc = fn(t->hold, t->n, pl)))
		return rc;
	if ((rc = fn(p, out - t->n, pl)))
		return rc;
	memcpy(t->hold, p + (out - t->n), DT_TAIL_MAX);
	t->n = DT_TAIL_MAX;
	return 0;
}

/* A line ended: its held bytes are the trailer, or output. */
static int line_end(struct dt_tail *t, dt_tail_fn fn, void *pl)
{
	size_t nl = strlen(t->nonce), i;
	int tag;

	for (i = t->n >= nl ? t->n - nl + 1 : 0; i-- > 0;)
		if (!memcmp(t->hold + i, t->nonce, nl))
			break;
	if (i != (size_t)-1 &&
	    (tag = dt_trailer_tag(t->hold + i + nl, t->n - i - nl)) >= 0) {
		t->ended = 1;
		t->tag = tag;
		t->n = 0;
		return i ? fn(t->hold, i, pl) : 0;
	}
	t->hold[t->n++] = '\n'; /* hold has room for it */
	i = t->n;
	t->n = 0;
	return fn(t->hold, i, pl);
}

int dt_tail_feed(struct dt_tail *t, const char *p, size_t n, dt_tail_fn fn,
		 void *pl)
{
	int rc;

	while (n && !t->ended) {
		const char *e = memchr(p, '\n', n);
		size_t seg = e ? (size_t)(e - p) : n;

		if ((rc = keep(t, p, seg, fn, pl)))
			return rc;
		if (!e)
			break;
		if ((rc = line_end(t, fn, pl)))
			return rc;
		p += seg + 1;
		n -= seg + 1;
	}
	return 0;
}
