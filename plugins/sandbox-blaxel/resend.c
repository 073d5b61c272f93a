/*
 * plugins/sandbox-blaxel/resend.c - whether a process start that Blaxel
 * answered 429 or 502/503/504 may be sent again.
 *
 * The core retries those answers only for idempotent requests, and a
 * process start (`POST /process`, and the streamed exec, which the core's
 * streaming engine never retries) is not: sent twice after a lost "ok",
 * a short command would run twice. But each start here carries a fresh
 * name, and Blaxel finds processes by name, so the doubt can be settled:
 * a start is sent again only when `GET /process/{name}` says no process
 * of that name exists, after the server's Retry-After (else a doubling
 * pause), a few times at most and never past the call. That check is
 * what the core cannot do for us; the waits stay its rules.
 */
#include "procs.h"
#include "remote.h"


#define RESENDS_MAX 4
#define FIRST_PAUSE_MS 250
#define LONGEST_PAUSE_MS 5000

static int transient(long status)
{
	return status == 429 || status == 502 || status == 503 ||
	       status == 504;
}

int bl_resend(int *started, struct bl *b, const wsp_call *call,
	      const char *name, int attempt, long status,
	      const wsp_error *said, wsp_error *err)
{
	int64_t ms = (int64_t)FIRST_PAUSE_MS << (attempt - 1);
	int st = 0, rc;

	*started = 0;
	if (!transient(status))
		return 0;
	if (said && (said->flags & WSP_ERROR_HAS_RETRY_AFTER))
		ms = said->retry_after_ms;
	if (ms > LONGEST_PAUSE_MS)
		ms = LONGEST_PAUSE_MS;
	/* the look itself is a GET: the core retries its own 429s */
	rc = bl_proc_request(&st, NULL, b, call, "GET", name, NULL, NULL, 0,
			     NULL, err);
	*started = !rc && st == 200;
	if (rc || st != 404 || attempt >= RESENDS_MAX)
		return 0; /* it started, we cannot tell, or enough */
	if (rmt_nap(b->host, call, ms))
		return 0;
	b->host->log(b->host, WSP_LOG_DEBUG,
		     "blaxel: process start answered %ld and never ran; "
		     "sending it again (attempt %d)",
		     status, attempt + 1);
	return 1;
}
