/*
 * tests/core/test_call.c - the call context: a deadline in the past or
 * the future, a fired token, no call at all, and a caller's struct from
 * an older or newer header, through the core's functions, the host table
 * and the embedder's wsp_deadline_in().
 */
#include "call.h"
#include "host.h"
#include "testutil.h"

#include <wsp/cancel.h>

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static wsp_call make_call(const wsp_cancel *c, int64_t deadline)
{
	wsp_call call;

	memset(&call, 0, sizeof(call));
	call.struct_size = sizeof(call);
	call.cancel = c;
	call.deadline_ms = deadline;
	return call;
}

static void test_no_call(void)
{
	wsp_call zero = make_call(NULL, 0);

	CU_ASSERT_EQUAL(wsp__call_expired(NULL), 0);
	CU_ASSERT_EQUAL(wsp__call_remaining_ms(NULL), -1);
	CU_ASSERT_EQUAL(wsp__call_fd(NULL), -1);
	CU_ASSERT_EQUAL(wsp__call_expired(&zero), 0);
	CU_ASSERT_EQUAL(wsp__call_remaining_ms(&zero), -1);
	CU_ASSERT_EQUAL(wsp__call_fd(&zero), -1);
}

static void test_deadline_past(void)
{
	wsp_call now = make_call(NULL, wsp_deadline_in(0));
	wsp_call before = make_call(NULL, wsp_deadline_in(-5000));
	wsp_call ancient = make_call(NULL, -1); /* never 0: that means none */

	CU_ASSERT_NOT_EQUAL(now.deadline_ms, 0);
	CU_ASSERT_EQUAL(wsp__call_expired(&now), WSP_ETIMEDOUT);
	CU_ASSERT_EQUAL(wsp__call_remaining_ms(&now), 0);
	CU_ASSERT_EQUAL(wsp__call_expired(&before), WSP_ETIMEDOUT);
	CU_ASSERT_EQUAL(wsp__call_remaining_ms(&before), 0);
	CU_ASSERT_EQUAL(wsp__call_expired(&ancient), WSP_ETIMEDOUT);
	CU_ASSERT_EQUAL(wsp__call_remaining_ms(&ancient), 0);
}

static void test_deadline_future(void)
{
	int64_t before = wsp__now_ms();
	wsp_call call = make_call(NULL, wsp_deadline_in(60000));
	int64_t left = wsp__call_remaining_ms(&call);

	CU_ASSERT(call.deadline_ms >= before + 60000);
	CU_ASSERT(call.deadline_ms <= wsp__now_ms() + 60000);
	CU_ASSERT_EQUAL(wsp__call_expired(&call), 0);
	CU_ASSERT(left > 59000 && left <= 60000);
	/* A deadline that passes while we wait. */
	call = make_call(NULL, wsp_deadline_in(30));
	CU_ASSERT_EQUAL(wsp__call_expired(&call), 0);
	poll(NULL, 0, 60);
	CU_ASSERT_EQUAL(wsp__call_expired(&call), WSP_ETIMEDOUT);
	CU_ASSERT_EQUAL(wsp__call_remaining_ms(&call), 0);
	/* No overflow at the far end. */
	CU_ASSERT_EQUAL(wsp_deadline_in(INT64_MAX), INT64_MAX);
}

static void test_fired_token(void)
{
	wsp_cancel *c = NULL;
	wsp_error err;
	wsp_call call, past;
	struct pollfd pfd;

	CU_ASSERT_EQUAL_FATAL(wsp_cancel_new(&c, &err), 0);
	call = make_call(c, wsp_deadline_in(60000));
	past = make_call(c, wsp_deadline_in(-1));
	CU_ASSERT_EQUAL(wsp__call_expired(&call), 0);
	CU_ASSERT_EQUAL(wsp__call_fd(&call), wsp_cancel_fd(c));
	pfd.fd = wsp__call_fd(&call);
	pfd.events = POLLIN;
	CU_ASSERT_EQUAL(poll(&pfd, 1, 0), 0);
	CU_ASSERT_EQUAL(wsp__call_expired(&past), WSP_ETIMEDOUT);
	wsp_cancel_fire(c);
	CU_ASSERT_EQUAL(wsp__call_expired(&call), WSP_ECANCELED);
	CU_ASSERT_EQUAL(wsp__call_remaining_ms(&call), 0);
	CU_ASSERT_EQUAL(poll(&pfd, 1, 0), 1);
	/* Canceled and past the deadline: the caller's cancel wins. */
	CU_ASSERT_EQUAL(wsp__call_expired(&past), WSP_ECANCELED);
	/* Canceled without a deadline: nothing is left either. */
	call = make_call(c, 0);
	CU_ASSERT_EQUAL(wsp__call_remaining_ms(&call), 0);
	wsp_cancel_free(c);
}

/* A call from an older header: members past its size are not read. */
static void test_short_struct(void)
{
	wsp_cancel *c = NULL;
	wsp_error err;
	wsp_call call, full;

	CU_ASSERT_EQUAL_FATAL(wsp_cancel_new(&c, &err), 0);
	wsp_cancel_fire(c);
	call = make_call(c, wsp_deadline_in(-1000));
	call.struct_size = offsetof(wsp_call, deadline_ms);
	CU_ASSERT_EQUAL(wsp__call_expired(&call), WSP_ECANCELED);
	call.struct_size = offsetof(wsp_call, cancel);
	CU_ASSERT_EQUAL(wsp__call_expired(&call), 0);
	CU_ASSERT_EQUAL(wsp__call_remaining_ms(&call), -1);
	CU_ASSERT_EQUAL(wsp__call_fd(&call), -1);

	/* Normalised: the full size, what the short one lacked is zero. */
	call.struct_size = offsetof(wsp_call, deadline_ms);
	call.flags = 7;
	memset(&full, 0xab, sizeof(full));
	wsp__call_normalize(&full, &call);
	CU_ASSERT_EQUAL(full.struct_size, sizeof(wsp_call));
	CU_ASSERT_EQUAL(full.flags, 0);
	CU_ASSERT_PTR_EQUAL(full.cancel, c);
	CU_ASSERT_EQUAL(full.deadline_ms, 0);
	CU_ASSERT_EQUAL(wsp__call_expired(&full), WSP_ECANCELED);

	/* NULL: a zeroed full-size one. */
	memset(&full, 0xab, sizeof(full));
	wsp__call_normalize(&full, NULL);
	CU_ASSERT_EQUAL(full.struct_size, sizeof(wsp_call));
	CU_ASSERT_PTR_NULL(full.cancel);
	CU_ASSERT_EQUAL(full.deadline_ms, 0);
	wsp_cancel_free(c);
}

/* A call from a newer header: bytes past ours are ignored. */
static void test_newer_struct(void)
{
	struct {
		wsp_call call;
		int64_t later;
	} big;
	wsp_call full;
	int64_t deadline = wsp_deadline_in(60000);

	memset(&big, 0, sizeof(big));
	big.call.struct_size = sizeof(big);
	big.call.deadline_ms = deadline;
	big.later = -1;
	wsp__call_normalize(&full, &big.call);
	CU_ASSERT_EQUAL(full.struct_size, sizeof(wsp_call));
	CU_ASSERT_EQUAL(full.deadline_ms, deadline);
	CU_ASSERT_EQUAL(wsp__call_expired(&big.call), 0);
}

/* Providers ask the same questions through the host table. */
static void test_through_host(void)
{
	wsp_host h;
	wsp_cancel *c = NULL;
	wsp_error err;
	wsp_call call;

	wsp__host_init(&h);
	CU_ASSERT_FATAL(WSP_HAS_MEMBER(wsp_host, &h, call_fd));
	CU_ASSERT_EQUAL_FATAL(wsp_cancel_new(&c, &err), 0);
	call = make_call(c, wsp_deadline_in(60000));
	CU_ASSERT_EQUAL(h.call_expired(&h, NULL), 0);
	CU_ASSERT_EQUAL(h.call_remaining_ms(&h, NULL), -1);
	CU_ASSERT_EQUAL(h.call_fd(&h, NULL), -1);
	CU_ASSERT_EQUAL(h.call_expired(&h, &call), 0);
	CU_ASSERT(h.call_remaining_ms(&h, &call) > 59000);
	CU_ASSERT_EQUAL(h.call_fd(&h, &call), wsp_cancel_fd(c));
	wsp_cancel_fire(c);
	CU_ASSERT_EQUAL(h.call_expired(&h, &call), WSP_ECANCELED);
	CU_ASSERT_EQUAL(h.call_remaining_ms(&h, &call), 0);
	call = make_call(NULL, wsp_deadline_in(-1));
	CU_ASSERT_EQUAL(h.call_expired(&h, &call), WSP_ETIMEDOUT);
	wsp_cancel_free(c);
}

static const CU_TestInfo tests[] = {
	{ "no call never expires", test_no_call },
	{ "deadline in the past", test_deadline_past },
	{ "deadline in the future", test_deadline_future },
	{ "fired token", test_fired_token },
	{ "short struct", test_short_struct },
	{ "newer struct", test_newer_struct },
	{ "through the host table", test_through_host },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return tu_main("core_call", tests);
}
