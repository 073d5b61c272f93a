/*
 * tests/fuzz/fuzz_lines.h - the fuzz targets' own count of lines, the
 * slow obvious one that a parser's line numbers are checked against
 * (fuzz_search's chunks, fuzz_skill's body line).
 */
#ifndef WSP_FUZZ_LINES_H
#define WSP_FUZZ_LINES_H

#include <stddef.h>
#include <stdint.h>

/* The 1-based line of t that byte off stands on: 1 + the newlines before. */
static inline uint32_t fuzz_line_at(const char *t, size_t off)
{
	uint32_t n = 1;
	size_t i;

	for (i = 0; i < off; i++)
		n += t[i] == '\n';
	return n;
}

#endif
