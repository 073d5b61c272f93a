/*
 * tests/http/test_host.h - a fake host table for testing core services
 * alone: it captures the log and implements cancel tokens that fire on
 * demand or after a delay.
 */
#ifndef WSP_TEST_HOST_H
#define WSP_TEST_HOST_H

#include <stdatomic.h>
#include <wsp/host.h>

#include "test_wait.h" /* test_now_ms */

struct test_cancel {
	atomic_int fired;
	int64_t fire_at_ms; /* CLOCK_MONOTONIC ms, 0 = never by itself */
};

/* The host; its log goes to an in-memory buffer (and stderr if asked). */
const wsp_host *test_host(void);

/* Forget the captured log. */
void test_host_log_clear(void);

/* Copy of the captured log (caller frees). */
char *test_host_log(void);

/* A token that fires after ms milliseconds (0 = only by hand). */
void test_cancel_init(struct test_cancel *c, int64_t ms);

static inline const wsp_cancel *test_cancel_token(struct test_cancel *c)
{
	return (const wsp_cancel *)(void *)c;
}

/*
 * A call context for wsp_http_request.call: c's token (or none) and a
 * deadline ms from now (0 = none). The host answers call_expired() for
 * both, as the core's does.
 */
static inline wsp_call test_call(struct test_cancel *c, int64_t ms)
{
	wsp_call call = {
		.struct_size = sizeof(call),
		.cancel = c ? test_cancel_token(c) : NULL,
		.deadline_ms = ms ? test_now_ms() + ms : 0,
	};

	return call;
}

#endif
