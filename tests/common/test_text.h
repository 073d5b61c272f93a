/*
 * tests/common/test_text.h - a command's output as an on_output callback
 * (wsp_output_fn) got it, each stream kept as NUL-ended text, for the
 * suites that compare what exec or a read of a background process's
 * output delivered (tests/sandbox-blaxel, tests/sandbox-daytona).
 * sdk/conformance keeps its own: it ships with the SDK and does not
 * include the tests' helpers.
 */
#ifndef WSP_TEST_TEXT_H
#define WSP_TEST_TEXT_H

#include <wsp/common.h>
#include <wsp/sandbox.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct test_text {
	char out[65536], err[4096];
	size_t out_len, err_len;
};

/*
 * Add what stream got to its text. WSP_ETOOBIG, nothing added, when it
 * would not fit: returned from on_output it ends the call, so a test
 * never compares a text cut short.
 */
static inline int test_text_add(struct test_text *t, uint32_t stream,
				const void *data, size_t len)
{
	int e = stream == WSP_STDERR;
	char *buf = e ? t->err : t->out;
	size_t *n = e ? &t->err_len : &t->out_len;
	size_t cap = e ? sizeof(t->err) : sizeof(t->out);

	if (*n + len >= cap)
		return WSP_ETOOBIG;
	memcpy(buf + *n, data, len);
	*n += len;
	buf[*n] = '\0';
	return 0;
}

/* An on_output whose payload is a struct test_text (zeroed first). */
static inline int test_text_output(uint32_t stream, const void *data,
				   size_t len, void *payload)
{
	return test_text_add(payload, stream, data, len);
}

#endif
