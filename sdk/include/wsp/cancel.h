/*
 * wsp/cancel.h - cancel tokens for embedders.
 *
 * A token is created by the caller, passed (as const) in the options of
 * long calls (exec, read, write, list, HTTP), and fired from any thread or
 * from a signal handler to ask those calls to stop; they then return
 * WSP_ECANCELED. Providers see it through host->cancel_requested() and
 * host->cancel_fd(). Firing is sticky: a fired token stays fired.
 *
 * A token and a deadline travel together in a wsp_call (<wsp/common.h>).
 */
#ifndef WSP_CANCEL_H
#define WSP_CANCEL_H

#include <wsp/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Create a token (not fired). */
WSP_EXTERN int wsp_cancel_new(wsp_cancel **out, wsp_error *err);

/* Fire it: async-signal-safe and thread-safe; firing twice is harmless. */
WSP_EXTERN void wsp_cancel_fire(wsp_cancel *cancel);

/* 1 once fired, else 0 (also 0 for NULL). */
WSP_EXTERN int wsp_cancel_requested(const wsp_cancel *cancel);

/*
 * A descriptor that becomes readable once the token is fired, for poll();
 * owned by the token (do not read or close it). -1 for NULL.
 */
WSP_EXTERN int wsp_cancel_fd(const wsp_cancel *cancel);

/* Free it; no call may still be using it. NULL is a no-op. */
WSP_EXTERN void wsp_cancel_free(wsp_cancel *cancel);

/*
 * A deadline ms milliseconds from now on CLOCK_MONOTONIC, for
 * wsp_call.deadline_ms: `call.deadline_ms = wsp_deadline_in(5000);`.
 * ms <= 0 gives one that has already passed (never 0, which means none).
 */
WSP_EXTERN int64_t wsp_deadline_in(int64_t ms);

#ifdef __cplusplus
}
#endif
#endif /* WSP_CANCEL_H */
