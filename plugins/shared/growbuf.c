/*
 * plugins/shared/growbuf.c - see growbuf.h.
 */
#include "growbuf.h"

#include <wsp/common.h>

#include <stdlib.h>
#include <string.h>

int growbuf_append(char **buf, size_t *len, size_t *cap, size_t max,
		   const void *d, size_t n)
{
	size_t need = *len + n;

	if (!n)
		return 0;
	if (need > max || need < n)
		return GROWBUF_TOO_BIG;
	if (need >= *cap) { /* room for a NUL after */
		size_t c = *cap ? *cap : 4096;
		char *p;

		while (c <= need)
			c = c > max / 2 ? max + 1 : c * 2;
		if (!(p = realloc(*buf, c)))
			return WSP_ENOMEM;
		*buf = p;
		*cap = c;
	}
	memcpy(*buf + *len, d, n);
	*len = need;
	return 0;
}
