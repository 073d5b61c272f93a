/*
 * core/tbuf.h - a growable text buffer (never installed): tool results,
 * search snippets and skill listings are built in one.
 *
 * Appends never fail loudly: on allocation failure the buffer keeps what
 * it has and sets oom, so the caller can finish and report it once.
 */
#ifndef WSP_CORE_TBUF_H
#define WSP_CORE_TBUF_H

#include "internal.h"

#include <stddef.h>

struct wsp__tbuf {
	char *p; /* NUL-terminated once anything was added */
	size_t len;
	size_t cap;
	int oom; /* an append failed; contents are cut */
};

WSP_INTERNAL void wsp__tbuf_add(struct wsp__tbuf *b, const void *data,
				size_t len);
WSP_INTERNAL void wsp__tbuf_puts(struct wsp__tbuf *b, const char *s);
WSP_INTERNAL void wsp__tbuf_addf(struct wsp__tbuf *b, const char *fmt, ...)
	WSP_PRINTF(2, 3);
/* A read sink (wsp_files_read's) appending to the buffer payload. */
WSP_INTERNAL int wsp__tbuf_sink(const void *data, size_t len, void *payload);
/* Hand the text over (never NULL unless out of memory); b is emptied. */
WSP_INTERNAL char *wsp__tbuf_take(struct wsp__tbuf *b);
WSP_INTERNAL void wsp__tbuf_free(struct wsp__tbuf *b);

#endif /* WSP_CORE_TBUF_H */
