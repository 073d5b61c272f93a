/*
 * core/call.c - the call context: is it canceled, past its deadline, how
 * long is left. Providers never compute time themselves; they ask these
 * through the host table so every provider rounds and orders the same way.
 */
#include "call.h"
#include "abi_normalize.h"

#include <wsp/cancel.h>

#include <time.h>

int64_t wsp__now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t wsp_deadline_in(int64_t ms)
{
	int64_t now = wsp__now_ms();

	/*
	 * Zero or less: a deadline that has passed. Never 0, which means
	 * "none" in wsp_call.deadline_ms.
	 */
	if (ms <= 0)
		return now > 0 ? now : 1;
	if (ms > INT64_MAX - now)
		return INT64_MAX;
	return now + ms;
}

void wsp__call_normalize(wsp_call *dst, const wsp_call *src)
{
	wsp__sized_copy(dst, sizeof(*dst), src);
	dst->flags = 0; /* reserved: nothing is defined yet */
}

/*
 * The members of a call someone else made, read only as far as its
 * struct_size reaches (a provider may hand back a short one).
 */
static const wsp_cancel *cancel_of(const wsp_call *call)
{
	if (!call || !WSP_HAS_MEMBER(wsp_call, call, cancel))
		return NULL;
	return call->cancel;
}

static int64_t deadline_of(const wsp_call *call)
{
	if (!call || !WSP_HAS_MEMBER(wsp_call, call, deadline_ms))
		return 0;
	return call->deadline_ms;
}

int wsp__call_expired(const wsp_call *call)
{
	int64_t deadline = deadline_of(call);

	if (wsp_cancel_requested(cancel_of(call)))
		return WSP_ECANCELED;
	if (deadline != 0 && wsp__now_ms() >= deadline)
		return WSP_ETIMEDOUT;
	return 0;
}

int64_t wsp__call_remaining_ms(const wsp_call *call)
{
	int64_t deadline = deadline_of(call), now;

	if (wsp_cancel_requested(cancel_of(call)))
		return 0;
	if (deadline == 0)
		return -1;
	now = wsp__now_ms();
	return deadline > now ? deadline - now : 0;
}

int wsp__call_fd(const wsp_call *call)
{
	return wsp_cancel_fd(cancel_of(call));
}
