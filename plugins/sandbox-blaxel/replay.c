/*
 * plugins/sandbox-blaxel/replay.c - a process's whole output when /logs
 * holds only its tail (see streams.h).
 *
 * The sandbox-api answers GET /process/{id}/logs with the last 4 MiB of
 * each stream (SANDBOX_MAX_LOGS_RESPONSE_BYTES), a truncation marker in
 * front, and says nowhere how much came before: those bytes cannot be
 * placed at any offset. Its log stream replays the whole combined log
 * file a line at a time, so an ended process's output is rebuilt from
 * the lines; the tail then settles what the lines cannot say (whether
 * the last line had its newline) and checks the rebuild: a replay that
 * does not end in the tail's bytes (a cut, a line the service split or
 * trimmed) is refused, never delivered. A replay that begins with the
 * marker is of a log file whose head was released: that output is gone.
 */
#include "streams.h"
#include "growbuf.h"

#include <stdlib.h>
#include <string.h>

int bl_logs_tail(const char **tail, size_t *tail_len, const char *raw,
		 size_t len)
{
	int cut = raw && len >= BL_MARKER_LEN &&
		  !memcmp(raw, BL_TRUNCATION_MARKER, BL_MARKER_LEN);

	*tail = raw ? raw + (cut ? BL_MARKER_LEN : 0) : "";
	*tail_len = raw ? len - (cut ? BL_MARKER_LEN : 0) : 0;
	return cut;
}

void bl_replay_init(struct bl_replay *r, size_t max)
{
	memset(r, 0, sizeof(*r));
	r->max = max;
}

void bl_replay_free(struct bl_replay *r)
{
	free(r->buf[0]);
	free(r->buf[1]);
	memset(r, 0, sizeof(*r));
}

static int append(struct bl_replay *r, int s, const char *d, size_t n)
{
	int rc = growbuf_append(&r->buf[s], &r->len[s], &r->cap[s], r->max, d,
				n);

	if (rc == GROWBUF_TOO_BIG)
		return BL_REPLAY_TOO_BIG;
	return rc ? BL_REPLAY_NOMEM : 0;
}

int bl_logline_marker(enum bl_log_kind k, const char *text, size_t len)
{
	return k == BL_LOG_STDOUT && len == BL_MARKER_LEN - 1 &&
	       !memcmp(text, BL_TRUNCATION_MARKER, len);
}

int bl_replay_line(struct bl_replay *r, const char *line, size_t n)
{
	const char *text;
	size_t len;
	enum bl_log_kind k = bl_logline(&text, &len, line, n);
	int s = k == BL_LOG_STDERR, rc;

	if (k != BL_LOG_STDOUT && k != BL_LOG_STDERR)
		return 0;
	/* the service writes the marker as the replay's first line */
	if (!r->lines++ && bl_logline_marker(k, text, len)) {
		r->gone = 1;
		return 0;
	}
	if ((len && (rc = append(r, s, text, len))) ||
	    (rc = append(r, s, "\n", 1)))
		return rc;
	return 0;
}

static int ends_with(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen >= blen && (!blen || !memcmp(a + alen - blen, b, blen));
}

int bl_replay_settle(size_t *whole, const struct bl_replay *r, int s,
		     const char *tail, size_t tail_len)
{
	const char *p = r->buf[s];
	size_t n = r->len[s];

	if (r->gone)
		return BL_REPLAY_GONE;
	if (!tail_len) /* a tail of nothing: no cap cuts to that */
		return BL_REPLAY_MISMATCH;
	/* a last line that had its newline ends in it, as the tail does;
	 * one without it got one: the tail ends in its last byte */
	if (ends_with(p, n, tail, tail_len)) {
		*whole = n;
		return 0;
	}
	if (n && ends_with(p, n - 1, tail, tail_len)) {
		*whole = n - 1;
		return 0;
	}
	return BL_REPLAY_MISMATCH;
}
