/*
 * sdk/fakehost/fakehost_call.c - call contexts a test cancels or expires:
 * the core's own cancel token (wsp_cancel_*), so a provider waiting on
 * host->call_fd wakes exactly as in production.
 */
#include "fakehost_impl.h"

#include <wsp/cancel.h>

#include <stdlib.h>

wsp_call *wsp_fakehost_call(wsp_fakehost *fh, int64_t timeout_ms)
{
	struct fh_call *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (wsp_cancel_new(&c->cancel, NULL)) {
		free(c);
		return NULL;
	}
	c->call.struct_size = sizeof(c->call);
	c->call.cancel = c->cancel;
	c->call.deadline_ms = timeout_ms > 0 ? wsp_deadline_in(timeout_ms) : 0;
	pthread_mutex_lock(&fh->lock);
	c->next = fh->calls;
	fh->calls = c;
	pthread_mutex_unlock(&fh->lock);
	return &c->call;
}

void wsp_fakehost_call_cancel(wsp_call *call)
{
	wsp_cancel_fire(((struct fh_call *)call)->cancel);
}

void wsp_fakehost_call_expire(wsp_call *call)
{
	/* Now: passed, and never 0 (which would mean "no deadline"). */
	__atomic_store_n(&call->deadline_ms, wsp_deadline_in(0),
			 __ATOMIC_SEQ_CST);
}

void wsp__fakehost_calls_fini(wsp_fakehost *fh)
{
	struct fh_call *c, *next;

	for (c = fh->calls; c; c = next) {
		next = c->next;
		wsp_cancel_free(c->cancel);
		free(c);
	}
	fh->calls = NULL;
}
