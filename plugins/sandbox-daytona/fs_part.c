/*
 * plugins/sandbox-daytona/fs_part.c - a part of a file out of a
 * download's body: where the body starts (a 206's Content-Range, else
 * the file's start) and the caller's sink given only the bytes asked.
 * Nothing here makes a request: fuzzed on its own (tests/fuzz/fuzz_dtfs.c).
 */
#include "dtfs.h"

#include <stdio.h>
#include <strings.h>

int dt_part_take(const void *data, size_t len, void *payload)
{
	struct dt_part *s = payload;
	const char *p = data;
	size_t n;
	int rc;

	if (s->skip) {
		n = s->skip < len ? (size_t)s->skip : len;
		s->skip -= n;
		p += n;
		len -= n;
	}
	n = s->left < len ? (size_t)s->left : len;
	if (!n)
		return 0;
	if ((rc = s->sink(p, n, s->payload)))
		return rc;
	s->left -= n;
	if (s->left)
		return 0;
	s->full = 1;
	return WSP_ECANCELED; /* no need for the rest */
}

/* A 206's "Content-Range: bytes S-E/T": the body starts at S. */
int dt_part_header(const char *name, const char *value, void *payload)
{
	struct dt_part *s = payload;
	unsigned long long start;

	if (strcasecmp(name, "Content-Range"))
		return 0;
	if (sscanf(value, "bytes %llu-", &start) != 1 || start > s->offset) {
		s->bad_range = 1;
		return WSP_EPROTO;
	}
	s->skip = s->offset - start;
	return 0;
}
