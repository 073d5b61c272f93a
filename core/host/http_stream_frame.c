/*
 * core/host/http_stream_frame.c - framed delivery of a stream: the body's
 * pieces go through the framers of http_frame.h (no second parser) and
 * on_data gets one line or one Connect envelope's message per call.
 *
 * Backpressure with frames: the engine's pause means "this piece was not
 * taken; hand it over again". A consumer pausing on a frame in the middle
 * of a piece has taken the frames before it, so the piece is framed to
 * its end anyway, the frames from the paused one on are held (copied, at
 * most one piece's worth plus one frame the framer had buffered), the
 * piece is refused, and when it comes again after the resume the held
 * frames go first and the piece's bytes, already framed, are skipped.
 */
#include "http_stream_impl.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_FRAME (1u << 20)
#define FRAMER_PREFIX "cannot read the stream: "

/* Append a frame to the held ones. */
static int hold(wsp__hs_stream *s, const char *msg, size_t len)
{
	size_t need = s->held_len + sizeof(len) + len;

	if (need > s->held_cap) {
		size_t nc = s->held_cap ? s->held_cap * 2 : 4096;
		char *nb;

		while (nc < need)
			nc *= 2;
		nb = realloc(s->held, nc);
		if (!nb)
			return WSP_ENOMEM;
		s->held = nb;
		s->held_cap = nc;
	}
	memcpy(s->held + s->held_len, &len, sizeof(len));
	if (len)
		memcpy(s->held + s->held_len + sizeof(len), msg, len);
	s->held_len = need;
	return 0;
}

/* A whole frame for the consumer; held once it paused. */
static int frame_out(wsp__hs_stream *s, const char *msg, size_t len)
{
	int rc;

	if (!s->holding) {
		rc = s->on_data(s, msg, len, s->payload);
		if (rc != WSP__HS_PAUSE) {
			if (rc)
				s->frame_rc = rc < 0 ? rc : WSP_ERROR;
			return s->frame_rc ? s->frame_rc : 0;
		}
		s->holding = true;
	}
	rc = hold(s, msg, len);
	if (rc)
		snprintf(s->reason, sizeof(s->reason), "out of memory");
	return rc;
}

static int on_line(const char *line, size_t len, void *p)
{
	return frame_out(p, line, len);
}

static int on_envelope(uint8_t flags, const char *msg, size_t len, void *p)
{
	wsp__hs_stream *s = p;

	if (flags & WSP__ENVELOPE_END_STREAM) {
		/* Judged at the end (wsp__hs_frame_end), never handed over. */
		s->end_seen = true;
		if (len) {
			s->end_msg = malloc(len);
			if (!s->end_msg) {
				snprintf(s->reason, sizeof(s->reason),
					 "out of memory");
				return WSP_ENOMEM;
			}
			memcpy(s->end_msg, msg, len);
			s->end_len = len;
		}
		return 0;
	}
	return frame_out(s, msg, len);
}

int wsp__hs_frame_init(wsp__hs_stream *s, const wsp__hs_request *r,
		       wsp_error *err)
{
	size_t max = r->max_frame ? r->max_frame : DEFAULT_MAX_FRAME;

	s->framing = r->framing;
	switch (r->framing) {
	case WSP__HS_RAW:
		return 0;
	case WSP__HS_LINES:
		wsp__lines_init(&s->lines, max, on_line, s);
		return 0;
	case WSP__HS_ENVELOPE:
		wsp__envelope_init(&s->env, max, on_envelope, s);
		return 0;
	default:
		return wsp_error_set(err, WSP_EINVAL,
				     "invalid http stream: unknown framing %d",
				     r->framing);
	}
}

/* Hand over held frames in order; WSP__HS_PAUSE when paused again. */
static int drain(wsp__hs_stream *s)
{
	while (s->held_off < s->held_len) {
		size_t len;
		int rc;

		memcpy(&len, s->held + s->held_off, sizeof(len));
		rc = s->on_data(s, s->held + s->held_off + sizeof(len), len,
				s->payload);
		if (rc == WSP__HS_PAUSE)
			return rc;
		if (rc)
			return rc < 0 ? rc : WSP_ERROR;
		s->held_off += sizeof(len) + len;
	}
	s->held_off = s->held_len = 0;
	s->holding = false;
	return 0;
}

/* The framer's own failure, for the message ("a line is longer..."). */
static void framer_reason(wsp__hs_stream *s, const wsp_error *e)
{
	const char *m = e->message;

	if (s->frame_rc || s->reason[0])
		return; /* the consumer's own error, or said already */
	if (!strncmp(m, FRAMER_PREFIX, sizeof(FRAMER_PREFIX) - 1))
		m += sizeof(FRAMER_PREFIX) - 1;
	/* A message cut to the reason's size reads as well. */
	size_t n = strlen(m);

	if (n >= sizeof(s->reason))
		n = sizeof(s->reason) - 1;
	memcpy(s->reason, m, n);
	s->reason[n] = '\0';
}

int wsp__hs_frame_data(wsp__hs_stream *s, const char *data, size_t len)
{
	size_t piece = len, n;
	wsp_error e;
	int rc;

	if (s->framing == WSP__HS_RAW)
		return s->on_data(s, data, len, s->payload);
	if (s->holding) {
		rc = drain(s);
		if (rc)
			return rc;
	}
	/* The piece comes again from where it began, perhaps cut smaller. */
	n = s->skip < len ? s->skip : len;
	s->skip -= n;
	data += n;
	len -= n;
	if (!len)
		return 0;
	rc = s->framing == WSP__HS_LINES ?
		     wsp__lines_feed(&s->lines, data, len, &e) :
		     wsp__envelope_feed(&s->env, data, len, &e);
	if (rc) {
		framer_reason(s, &e);
		return s->frame_rc ? s->frame_rc : rc;
	}
	if (s->holding) {
		s->skip = piece; /* all of it is framed: skip it next time */
		return WSP__HS_PAUSE;
	}
	return 0;
}

/* Connect's error codes (connectrpc.com/docs/protocol#error-codes). */
static int connect_code(const char *c)
{
	static const struct {
		const char *name;
		int code;
	} map[] = {
		{ "canceled", WSP_ECANCELED },
		{ "invalid_argument", WSP_EINVAL },
		{ "deadline_exceeded", WSP_ETIMEDOUT },
		{ "not_found", WSP_ENOTFOUND },
		{ "already_exists", WSP_EEXIST },
		{ "permission_denied", WSP_EPERM },
		{ "resource_exhausted", WSP_ERATELIMIT },
		{ "failed_precondition", WSP_ESTALE },
		{ "aborted", WSP_EBUSY },
		{ "out_of_range", WSP_EINVAL },
		{ "unimplemented", WSP_ENOTSUP },
		{ "unavailable", WSP_EUNAVAIL },
		{ "data_loss", WSP_EIO },
		{ "unauthenticated", WSP_EAUTH },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(c, map[i].name))
			return map[i].code;
	return WSP_ERROR; /* "unknown", "internal", anything new */
}

/* Printable ASCII only: the code is the server's text. */
static void printable(char *dst, size_t cap, const char *src)
{
	size_t i = 0;

	for (; *src && i + 1 < cap; src++)
		if (*src > 0x20 && *src < 0x7f)
			dst[i++] = *src;
	dst[i] = '\0';
}

/* The end-of-stream message: {"error":{"code":..,"message":..}} or not. */
static int connect_end(wsp__hs_stream *s, char *why, size_t cap)
{
	const char *const *secrets = (const char *const *)s->secrets;
	cJSON *root, *error, *code, *msg;
	char text[200] = "";
	int rc = 0;

	if (!s->end_len)
		return 0;
	root = cJSON_ParseWithLength(s->end_msg, s->end_len);
	if (!root || !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		snprintf(why, cap, "the end-of-stream envelope is not JSON");
		return WSP_EPROTO;
	}
	error = cJSON_GetObjectItemCaseSensitive(root, "error");
	if (cJSON_IsObject(error)) {
		code = cJSON_GetObjectItemCaseSensitive(error, "code");
		msg = cJSON_GetObjectItemCaseSensitive(error, "message");
		printable(s->service_code, sizeof(s->service_code),
			  cJSON_IsString(code) ? code->valuestring :
						 "unknown");
		rc = connect_code(s->service_code);
		if (cJSON_IsString(msg))
			wsp__http_server_message(text, sizeof(text),
						 msg->valuestring,
						 strlen(msg->valuestring),
						 secrets);
		snprintf(why, cap, "%s%s%s", s->service_code,
			 text[0] ? ": " : "", text);
	}
	cJSON_Delete(root);
	return rc;
}

int wsp__hs_frame_end(wsp__hs_stream *s, char *why, size_t cap)
{
	wsp_error e;
	int rc;

	switch (s->framing) {
	case WSP__HS_LINES:
		/* Nothing is held at the end (a paused transfer cannot end);
		 * a pause on the last line cannot wait: it counts as taken. */
		rc = wsp__lines_finish(&s->lines, &e);
		s->holding = false;
		s->held_len = s->held_off = 0;
		break;
	case WSP__HS_ENVELOPE:
		rc = wsp__envelope_finish(&s->env, &e);
		if (!rc)
			return connect_end(s, why, cap);
		break;
	default:
		return 0;
	}
	if (!rc)
		return 0;
	if (s->frame_rc) {
		snprintf(why, cap, "the stream consumer stopped");
		return s->frame_rc;
	}
	framer_reason(s, &e);
	snprintf(why, cap, "%s", s->reason);
	return rc;
}

void wsp__hs_frame_free(wsp__hs_stream *s)
{
	if (s->framing == WSP__HS_LINES)
		wsp__lines_free(&s->lines);
	else if (s->framing == WSP__HS_ENVELOPE)
		wsp__envelope_free(&s->env);
	free(s->held);
	free(s->end_msg);
}
