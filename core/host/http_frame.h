/*
 * core/host/http_frame.h - incremental framers for streamed response bodies
 * (internal API), fed from the streaming engine's data callback in pieces
 * of any size, cut anywhere:
 *
 *   wsp__lines     newline-delimited text: NDJSON (Blaxel's streamed exec)
 *                  and prefixed lines (Blaxel's "stdout:"/"stderr:" log
 *                  stream); http_lines.c
 *   wsp__envelope  Connect envelopes (E2B's process streams): a flags byte,
 *                  a 4-byte big-endian length, that many bytes of message;
 *                  http_envelope.c
 *
 * Both bound what they hold (a line, a message), so a server cannot make
 * the client buffer without end, and both are sticky: after an error
 * (bound, broken frame, or the callback's own) every later feed returns
 * that error again. Messages handed to callbacks are NOT NUL-terminated
 * and live only during the call. Not thread-safe: one framer per stream,
 * fed from one thread at a time.
 */
#ifndef WSP_CORE_HTTP_FRAME_H
#define WSP_CORE_HTTP_FRAME_H

#include "http.h"

#include <stddef.h>
#include <stdint.h>

/* A complete line without its "\n" (and without one "\r" before it).
 * Return 0 to go on, else a negative wsp code that stops the framer. */
typedef int (*wsp__line_fn)(const char *line, size_t len, void *payload);

typedef struct wsp__lines {
	char *buf; /* the line begun in an earlier piece */
	size_t len, cap;
	size_t max; /* longest line, "\r" included, "\n" not */
	int err;
	wsp__line_fn fn;
	void *payload;
} wsp__lines;

WSP_INTERNAL void wsp__lines_init(wsp__lines *l, size_t max_line,
				  wsp__line_fn fn, void *payload);

/* Hand every line that data completes to fn; keep the rest. A line
 * longer than max_line is WSP_ETOOBIG. */
WSP_INTERNAL int wsp__lines_feed(wsp__lines *l, const char *data, size_t len,
				 wsp_error *err);

/* The body ended: a last line without "\n" goes to fn. */
WSP_INTERNAL int wsp__lines_finish(wsp__lines *l, wsp_error *err);

WSP_INTERNAL void wsp__lines_free(wsp__lines *l);

/* Connect envelope flags. */
#define WSP__ENVELOPE_COMPRESSED 0x01
#define WSP__ENVELOPE_END_STREAM 0x02

/* One whole envelope: its flags and message. Return as wsp__line_fn. */
typedef int (*wsp__envelope_fn)(uint8_t flags, const char *msg, size_t len,
				void *payload);

typedef struct wsp__envelope {
	uint8_t head[5];
	size_t head_len; /* header bytes seen of the current envelope */
	char *buf;	 /* message bytes seen, when cut across pieces */
	size_t len, cap;
	size_t want; /* the current message's length */
	size_t max;  /* largest message */
	bool ended;  /* the end-of-stream envelope came */
	int err;
	wsp__envelope_fn fn;
	void *payload;
} wsp__envelope;

WSP_INTERNAL void wsp__envelope_init(wsp__envelope *e, size_t max_message,
				     wsp__envelope_fn fn, void *payload);

/*
 * Hand every envelope that data completes to fn. WSP_ETOOBIG for a
 * message over max_message (before any of it is buffered); WSP_EPROTO for
 * a compressed envelope (wsp never negotiates compression), unknown flag
 * bits, or bytes after the end-of-stream envelope.
 */
WSP_INTERNAL int wsp__envelope_feed(wsp__envelope *e, const char *data,
				    size_t len, wsp_error *err);

/* The body ended: WSP_EPROTO when it ended inside an envelope or before
 * the end-of-stream envelope (Connect requires one). */
WSP_INTERNAL int wsp__envelope_finish(wsp__envelope *e, wsp_error *err);

WSP_INTERNAL void wsp__envelope_free(wsp__envelope *e);

#endif /* WSP_CORE_HTTP_FRAME_H */
