/*
 * core/call.h - the call context (wsp_call) inside the core: normalising
 * a caller's one, and the questions providers ask through the host table
 * (host->call_expired, call_remaining_ms, call_fd), answered in one place.
 */
#ifndef WSP_CORE_CALL_H
#define WSP_CORE_CALL_H

#include "internal.h"

#include <stdint.h>

/* Now on CLOCK_MONOTONIC in ms: the clock wsp_call.deadline_ms uses. */
WSP_INTERNAL int64_t wsp__now_ms(void);

/*
 * dst becomes a full-size copy of src (NULL or from an older or newer
 * header): members src lacks are zero, so no cancel and no deadline.
 */
WSP_INTERNAL void wsp__call_normalize(wsp_call *dst, const wsp_call *src);

/*
 * 0 while the call may go on, WSP_ECANCELED once its token fired,
 * WSP_ETIMEDOUT once its deadline passed. NULL never expires. Cancel wins
 * over the deadline: the caller asked for it.
 */
WSP_INTERNAL int wsp__call_expired(const wsp_call *call);

/*
 * Milliseconds before the deadline (0 when passed or canceled), -1 when
 * the call has no deadline: what to hand poll() or libcurl.
 */
WSP_INTERNAL int64_t wsp__call_remaining_ms(const wsp_call *call);

/* The cancel token's descriptor (readable once fired), or -1. */
WSP_INTERNAL int wsp__call_fd(const wsp_call *call);

#endif /* WSP_CORE_CALL_H */
