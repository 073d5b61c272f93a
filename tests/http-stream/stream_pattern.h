/*
 * tests/http-stream/stream_pattern.h - the bytes stream_server's bodies
 * are made of ('a' + offset % 26), for the server that sends them and
 * the tests that check a stream came whole and in order.
 */
#ifndef WSP_TEST_STREAM_PATTERN_H
#define WSP_TEST_STREAM_PATTERN_H

#include <stddef.h>

/* The byte at offset off of a body. */
static inline char stream_pattern_at(size_t off)
{
	return (char)('a' + off % 26);
}

/* How many of len bytes received at offset off are not the pattern's. */
static inline int stream_pattern_errors(const char *data, size_t len,
					size_t off)
{
	int bad = 0;

	for (size_t i = 0; i < len; i++)
		if (data[i] != stream_pattern_at(off + i))
			bad++;
	return bad;
}

#endif
