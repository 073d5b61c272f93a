/* core/config/diag.c - collecting "FILE:LINE:COL: message" diagnostics. */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void wsp__diag_add(struct wsp__diags *d, const char *file, unsigned line,
		   unsigned col, const char *fmt, ...)
{
	char msg[WSP_ERROR_MSG_MAX];
	char *s;
	va_list ap;
	int n;

	if (d->n >= WSP__DIAG_MAX) {
		d->dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		n = snprintf(NULL, 0, "%s:%u:%u: %s", file, line, col, msg);
	else
		n = snprintf(NULL, 0, "%s: %s", file, msg);
	s = malloc((size_t)n + 1);
	if (!s) {
		d->oom = 1;
		d->dropped++;
		return;
	}
	if (line)
		snprintf(s, (size_t)n + 1, "%s:%u:%u: %s", file, line, col,
			 msg);
	else
		snprintf(s, (size_t)n + 1, "%s: %s", file, msg);
	d->lines[d->n++] = s;
}

size_t wsp__diag_count(const struct wsp__diags *d)
{
	return d->n + d->dropped;
}

int wsp__diag_to_error(const struct wsp__diags *d, wsp_error *err)
{
	size_t more;

	if (!wsp__diag_count(d))
		return 0;
	if (!d->n)
		return wsp_error_set(err, WSP_ENOMEM,
				     "out of memory while checking the "
				     "configuration");
	more = wsp__diag_count(d) - 1;
	if (more)
		return wsp_error_set(err, WSP_ECONFIG, "%s (and %zu more)",
				     d->lines[0], more);
	return wsp_error_set(err, WSP_ECONFIG, "%s", d->lines[0]);
}

void wsp__diag_clear(struct wsp__diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->lines[i]);
	memset(d, 0, sizeof(*d));
}
