/*
 * toolkit/lsp_frame.h - the base protocol of the Language Server Protocol:
 * JSON-RPC messages framed by a "Content-Length: N" header block, as a
 * language server writes them on its stdout (never installed).
 *
 * The reader is fed bytes as they arrive and hands out whole bodies. It
 * is bounded: a header block longer than WSP__LSP_HEADER_MAX, a length
 * above the reader's max_body, a missing, repeated or non-decimal
 * Content-Length, or a header line without a colon is a protocol error
 * (the server is then restarted, never trusted again).
 */
#ifndef WSP_CORE_LSP_FRAME_H
#define WSP_CORE_LSP_FRAME_H

#include "internal.h"

#include <stddef.h>

#define WSP__LSP_HEADER_MAX 1024

struct wsp__lsp_frame {
	char *buf;
	size_t len, cap;
	size_t used;	 /* bytes of the last message handed out */
	size_t max_body; /* largest body accepted */
};

WSP_INTERNAL void wsp__lsp_frame_init(struct wsp__lsp_frame *f,
				      size_t max_body);
WSP_INTERNAL void wsp__lsp_frame_free(struct wsp__lsp_frame *f);
/* Drop everything (a new server). */
WSP_INTERNAL void wsp__lsp_frame_reset(struct wsp__lsp_frame *f);

/* Append received bytes: 0, or WSP_ENOMEM. */
WSP_INTERNAL int wsp__lsp_frame_feed(struct wsp__lsp_frame *f, const void *data,
				     size_t len);

/*
 * The next whole message: 1 with *body (inside the reader, valid until
 * the next call) and *len, 0 when more bytes are needed, WSP_EPROTO
 * (why filled) for a broken frame.
 */
WSP_INTERNAL int wsp__lsp_frame_next(struct wsp__lsp_frame *f,
				     const char **body, size_t *len, char *why,
				     size_t why_cap);

/* A body framed for sending (malloc'd, *out_len bytes), or NULL. */
WSP_INTERNAL char *wsp__lsp_frame_encode(const char *body, size_t len,
					 size_t *out_len);

#endif /* WSP_CORE_LSP_FRAME_H */
