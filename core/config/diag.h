/*
 * core/config/diag.h - configuration diagnostics: "FILE:LINE:COL: message" lines.
 *
 * Checking a configuration reports every problem it finds, not just the
 * first, so `wsp config check` can list them all; callers that want one
 * error take the first line.
 */
#ifndef WSP_CORE_DIAG_H
#define WSP_CORE_DIAG_H

#include "internal.h"

/* Past this many lines, further problems are counted but not kept. */
#define WSP__DIAG_MAX 64

struct wsp__diags {
	char *lines[WSP__DIAG_MAX];
	size_t n;       /* lines kept */
	size_t dropped; /* problems past WSP__DIAG_MAX */
	int oom;        /* a line could not be allocated */
};

/* Add "FILE:LINE:COL: message" (line 0 drops the position). */
WSP_INTERNAL void wsp__diag_add(struct wsp__diags *d, const char *file,
				unsigned line, unsigned col, const char *fmt,
				...) WSP_PRINTF(5, 6);

/* Number of problems reported. */
WSP_INTERNAL size_t wsp__diag_count(const struct wsp__diags *d);

/*
 * Fill err from the first problem (with "(and N more)" when there are
 * several) and return WSP_ECONFIG; returns 0 when there were none.
 */
WSP_INTERNAL int wsp__diag_to_error(const struct wsp__diags *d,
				    wsp_error *err);

WSP_INTERNAL void wsp__diag_clear(struct wsp__diags *d);

#endif /* WSP_CORE_DIAG_H */
