/*
 * plugins/sandbox-blaxel/inline.c - the output a ProcessResponse
 * inlines: the whole of a stream, or only its tail (see streams.h).
 *
 * The sandbox-api's GET /process/{id}, which a streamed exec's result
 * is, reads each stream's last MaxInlinedLogBytes (64 KiB) and puts the
 * truncation marker first when there was more. Placing the tail at
 * offset 0 would garble the output (or, as it is shorter than what the
 * events delivered, lose a final newline), so a tail is only measured.
 * Untrusted: nothing of it is kept but BL_MARKER_LEN bytes.
 */
#include "streams.h"

#include <string.h>

void bl_inline_init(struct bl_inline *t)
{
	memset(t, 0, sizeof(*t));
	t->kind = BL_INLINE_OPEN;
}

/* Bytes of a decided string. */
static int pass(struct bl_inline *t, const char *data, size_t len, bl_raw_fn fn,
		void *payload)
{
	int rc = 0;

	if (t->kind == BL_INLINE_RAW) {
		rc = fn(t->at, data, len, payload);
		t->at += len;
	} else if (len) {
		t->tail_len += len;
		t->last = (unsigned char)data[len - 1];
	}
	return rc;
}

int bl_inline_feed(struct bl_inline *t, const char *data, size_t len,
		   bl_raw_fn fn, void *payload)
{
	size_t take;
	int rc;

	if (t->kind != BL_INLINE_OPEN)
		return pass(t, data, len, fn, payload);
	take = BL_MARKER_LEN - t->hlen < len ? BL_MARKER_LEN - t->hlen : len;
	memcpy(t->head + t->hlen, data, take);
	t->hlen += take;
	if (!memcmp(t->head, BL_TRUNCATION_MARKER, t->hlen)) {
		if (t->hlen < BL_MARKER_LEN)
			return 0; /* still the marker's start */
		t->kind = BL_INLINE_TAIL;
	} else {
		/* not the marker: whole output, the head its first bytes */
		t->kind = BL_INLINE_RAW;
		if ((rc = pass(t, t->head, t->hlen, fn, payload)))
			return rc;
	}
	return pass(t, data + take, len - take, fn, payload);
}

int bl_inline_end(struct bl_inline *t, bl_raw_fn fn, void *payload)
{
	if (t->kind != BL_INLINE_OPEN)
		return 0;
	t->kind = BL_INLINE_RAW;
	return pass(t, t->head, t->hlen, fn, payload);
}
