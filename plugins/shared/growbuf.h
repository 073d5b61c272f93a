/*
 * plugins/shared/growbuf.h - bytes appended to a heap buffer that grows
 * by doubling up to a bound, the one way our providers keep a line, a
 * stream's output or a text they are still reading.
 *
 * The buffer is the caller's three fields (data, length, capacity: all
 * zero to begin, free(data) at the end), so a struct may hold several
 * side by side. The capacity always leaves a byte past the data for a
 * NUL the caller may write; it starts at 4096 and doubles, and past
 * 4096 it never exceeds max + 1.
 */
#ifndef WSP_PLUGIN_GROWBUF_H
#define WSP_PLUGIN_GROWBUF_H

#include <stddef.h>

/* growbuf_append's refusal of more than max bytes in all. */
#define GROWBUF_TOO_BIG 1

/*
 * Append n bytes of d to *buf (*len used of *cap). 0; GROWBUF_TOO_BIG when *len + n
 * would pass max, nothing appended; WSP_ENOMEM, nothing appended. n == 0
 * appends nothing and allocates nothing.
 */
int growbuf_append(char **buf, size_t *len, size_t *cap, size_t max,
		   const void *d, size_t n);

#endif
