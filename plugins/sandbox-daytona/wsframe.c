/*
 * plugins/sandbox-daytona/wsframe.c - RFC 6455 frames, client side (see
 * wsframe.h). The header is gathered byte by byte (at most 14), then the
 * payload passes through as it comes; only a control frame's payload is
 * kept until it is whole.
 */
#include "wsframe.h"

#include <wsp/common.h>

#include <string.h>

void dt_ws_dec_init(struct dt_ws_dec *d, uint64_t max_frame)
{
	memset(d, 0, sizeof(*d));
	d->max_frame = max_frame;
}

int dt_ws_dec_idle(const struct dt_ws_dec *d)
{
	return !d->failed && !d->in_payload && d->head_len == 0;
}

static int fail(struct dt_ws_dec *d, const char *why)
{
	d->failed = 1;
	d->why = why;
	return WSP_EPROTO;
}

int dt_ws_close_code_ok(unsigned code)
{
	return (code >= 1000 && code <= 1003) ||
	       (code >= 1007 && code <= 1011) ||
	       (code >= 3000 && code <= 4999);
}

/* How long the header is once its second byte is known. */
static unsigned head_need(const struct dt_ws_dec *d)
{
	unsigned n = d->head[1] & 0x7f;

	return n == 127 ? 10 : n == 126 ? 4 : 2;
}

/* The whole header is in d->head: check it and start the payload. */
static int head_done(struct dt_ws_dec *d)
{
	unsigned b0 = d->head[0], b1 = d->head[1], i;
	uint64_t len = b1 & 0x7f;

	if (b0 & 0x70)
		return fail(d, "a frame with reserved bits set");
	if (b1 & 0x80)
		return fail(d, "a masked frame from the server");
	d->fin = (b0 & 0x80) != 0;
	d->opcode = (int)(b0 & 0x0f);
	if (len == 126) {
		len = ((uint64_t)d->head[2] << 8) | d->head[3];
		if (len < 126)
			return fail(d, "a frame length not in its shortest form");
	} else if (len == 127) {
		for (len = 0, i = 2; i < 10; i++)
			len = (len << 8) | d->head[i];
		if (len >> 63)
			return fail(d, "a frame length with its top bit set");
		if (len <= 0xffff)
			return fail(d, "a frame length not in its shortest form");
	}
	switch (d->opcode) {
	case DT_WS_CLOSE:
	case DT_WS_PING:
	case DT_WS_PONG:
		if (!d->fin || len > DT_WS_CTL_MAX)
			return fail(d, "a control frame fragmented or too long");
		break;
	case DT_WS_CONT:
		if (!d->message)
			return fail(d, "a continuation with no message begun");
		break;
	case DT_WS_TEXT:
	case DT_WS_BINARY:
		if (d->message)
			return fail(d, "a new message inside a fragmented one");
		d->message = d->opcode;
		break;
	default:
		return fail(d, "a frame with an unknown opcode");
	}
	if (len > d->max_frame)
		return fail(d, "a frame longer than wsp takes");
	d->left = len;
	d->ctl_len = 0;
	d->in_payload = 1;
	d->head_len = 0;
	return 0;
}

/* A control frame is whole: check a close's payload, hand it out. */
static int control_done(struct dt_ws_dec *d, dt_ws_event_fn fn, void *pl)
{
	if (d->opcode == DT_WS_CLOSE && d->ctl_len) {
		unsigned code = ((unsigned)d->ctl[0] << 8) | d->ctl[1];

		if (d->ctl_len == 1 || !dt_ws_close_code_ok(code))
			return fail(d, "a close frame with a bad code");
	}
	return fn(d->opcode, d->ctl, d->ctl_len, 1, pl);
}

/* The current frame's payload ended (or was empty). */
static int frame_done(struct dt_ws_dec *d, dt_ws_event_fn fn, void *pl)
{
	int op = d->opcode;

	d->in_payload = 0;
	if (op >= DT_WS_CLOSE)
		return control_done(d, fn, pl);
	if (!d->fin)
		return 0;
	op = d->message;
	d->message = 0;
	/* an empty last frame still says the message ended */
	return fn(op, (const unsigned char *)"", 0, 1, pl);
}

int dt_ws_dec_feed(struct dt_ws_dec *d, const unsigned char *p, size_t len,
		   dt_ws_event_fn fn, void *pl)
{
	size_t i = 0;
	int rc;

	if (d->failed)
		return WSP_EPROTO;
	while (i < len) {
		if (!d->in_payload) {
			d->head[d->head_len++] = p[i++];
			if (d->head_len < 2 || d->head_len < head_need(d))
				continue;
			if ((rc = head_done(d)))
				return rc;
			if (!d->left && (rc = frame_done(d, fn, pl)))
				return rc;
			continue;
		}
		size_t n = len - i < d->left ? len - i : (size_t)d->left;

		d->left -= n;
		if (d->opcode >= DT_WS_CLOSE) {
			memcpy(d->ctl + d->ctl_len, p + i, n);
			d->ctl_len += (unsigned)n;
		} else if (d->left || !d->fin) {
			/* a piece in the middle of the message */
			if ((rc = fn(d->message, p + i, n, 0, pl)))
				return rc;
		} else {
			/* the message's last piece carries fin */
			int op = d->message;

			d->message = 0;
			d->in_payload = 0;
			if ((rc = fn(op, p + i, n, 1, pl)))
				return rc;
			i += n;
			continue;
		}
		i += n;
		if (!d->left && (rc = frame_done(d, fn, pl)))
			return rc;
	}
	return 0;
}

size_t dt_ws_encode(unsigned char *out, int opcode, const void *data,
		    size_t len, const unsigned char mask[4])
{
	const unsigned char *p = data;
	size_t i;

	if (len > DT_WS_CTL_MAX)
		return 0;
	out[0] = (unsigned char)(0x80 | (opcode & 0x0f));
	out[1] = (unsigned char)(0x80 | len);
	memcpy(out + 2, mask, 4);
	for (i = 0; i < len; i++)
		out[6 + i] = p[i] ^ mask[i & 3];
	return 6 + len;
}
