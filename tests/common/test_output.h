/*
 * tests/common/test_output.h - an exec's on_output (wsp_output_fn) that
 * stops the command at its first output, for the suites that check a
 * callback's negative code ends the command and is what exec returns.
 */
#ifndef WSP_TEST_OUTPUT_H
#define WSP_TEST_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

/* Returns the code payload points to (an int, a negative WSP_E*). */
static inline int test_output_stop(uint32_t stream, const void *data,
				   size_t len, void *payload)
{
	(void)stream;
	(void)data;
	(void)len;
	return *(const int *)payload;
}

#endif
