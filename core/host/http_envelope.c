/*
 * core/host/http_envelope.c - Connect envelope framing of a streamed body (see
 * http_frame.h): [flags:1][length:4, big-endian][message:length]. The
 * length is checked against the bound as soon as the header is whole, so
 * a hostile length never allocates; a message wholly inside one piece
 * goes to the callback from the piece itself.
 */
#include "http_frame.h"

#include <stdlib.h>
#include <string.h>

#define KNOWN_FLAGS (WSP__ENVELOPE_COMPRESSED | WSP__ENVELOPE_END_STREAM)

void wsp__envelope_init(wsp__envelope *e, size_t max_message,
			wsp__envelope_fn fn, void *payload)
{
	memset(e, 0, sizeof(*e));
	e->max = max_message;
	e->fn = fn;
	e->payload = payload;
}

void wsp__envelope_free(wsp__envelope *e)
{
	free(e->buf);
	e->buf = NULL;
	e->len = e->cap = 0;
}

static int fail(wsp__envelope *e, int code, wsp_error *err, const char *why)
{
	e->err = code;
	return wsp_error_set(err, code, "cannot read the stream: %s", why);
}

/* The header is whole: check it and learn the message's length. */
static int header_done(wsp__envelope *e, wsp_error *err)
{
	uint8_t f = e->head[0];
	uint64_t n = (uint64_t)e->head[1] << 24 | (uint64_t)e->head[2] << 16 |
		     (uint64_t)e->head[3] << 8 | e->head[4];

	if (f & WSP__ENVELOPE_COMPRESSED)
		return fail(e, WSP_EPROTO, err,
			    "a compressed envelope, and no compression was "
			    "negotiated");
	if (f & ~KNOWN_FLAGS)
		return fail(e, WSP_EPROTO, err,
			    "an envelope with unknown flags");
	if (n > e->max) {
		e->err = WSP_ETOOBIG;
		return wsp_error_set(err, WSP_ETOOBIG,
				     "cannot read the stream: a message of "
				     "%llu bytes, more than %zu",
				     (unsigned long long)n, e->max);
	}
	e->want = (size_t)n;
	e->len = 0;
	return 0;
}

static int deliver(wsp__envelope *e, const char *msg, size_t len,
		   wsp_error *err)
{
	uint8_t flags = e->head[0];
	int rc;

	e->head_len = 0;
	e->len = 0;
	if (flags & WSP__ENVELOPE_END_STREAM)
		e->ended = true;
	rc = e->fn(flags, msg, len, e->payload);
	if (rc)
		return fail(e, rc < 0 ? rc : WSP_ERROR, err,
			    "the message consumer stopped");
	return 0;
}

static int keep(wsp__envelope *e, const char *data, size_t len, wsp_error *err)
{
	if (e->len + len > e->cap) {
		char *nb = realloc(e->buf, e->want);

		if (!nb)
			return fail(e, WSP_ENOMEM, err, "out of memory");
		e->buf = nb;
		e->cap = e->want;
	}
	memcpy(e->buf + e->len, data, len);
	e->len += len;
	return 0;
}

int wsp__envelope_feed(wsp__envelope *e, const char *data, size_t len,
		       wsp_error *err)
{
	int rc;

	if (e->err)
		return wsp_error_set(err, e->err,
				     "cannot read the stream: it failed "
				     "before");
	while (len) {
		size_t need, n;

		if (e->ended)
			return fail(e, WSP_EPROTO, err,
				    "data after the end-of-stream envelope");
		if (e->head_len < sizeof(e->head)) {
			n = sizeof(e->head) - e->head_len;
			if (n > len)
				n = len;
			memcpy(e->head + e->head_len, data, n);
			e->head_len += n;
			data += n;
			len -= n;
			if (e->head_len < sizeof(e->head))
				return 0;
			rc = header_done(e, err);
			if (!rc && !e->want) /* an empty message */
				rc = deliver(e, "", 0, err);
			if (rc)
				return rc;
			continue;
		}
		need = e->want - e->len;
		if (!e->len && len >= need) {
			/* whole in this piece: no copy */
			rc = deliver(e, data, need, err);
			data += need;
			len -= need;
		} else {
			n = len < need ? len : need;
			rc = keep(e, data, n, err);
			data += n;
			len -= n;
			if (!rc && e->len == e->want)
				rc = deliver(e, e->buf, e->len, err);
		}
		if (rc)
			return rc;
	}
	return 0;
}

int wsp__envelope_finish(wsp__envelope *e, wsp_error *err)
{
	if (e->err)
		return wsp_error_set(err, e->err,
				     "cannot read the stream: it failed "
				     "before");
	if (e->head_len)
		return fail(e, WSP_EPROTO, err,
			    "the body ended inside an envelope");
	if (!e->ended)
		return fail(e, WSP_EPROTO, err,
			    "the body ended without the end-of-stream "
			    "envelope");
	return 0;
}
