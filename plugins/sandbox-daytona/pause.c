/*
 * plugins/sandbox-daytona/pause.c - pause and resume (WSP_CAP_SANDBOX_PAUSE),
 * and the hold that keeps a paused sandbox paused.
 *
 * Pause is Daytona's `POST /sandbox/{id}/pause`: the sandbox freezes with
 * its memory, so its processes carry on after the resume, which is
 * `POST …/start` (Daytona's start resumes a paused sandbox). Daytona
 * pauses some sandbox classes only; one it refuses to pause (400, or no
 * such route: 405/501) is stopped instead, files kept, processes ended,
 * said at info level. The SDK's contract is ours too: a pause is done
 * once the sandbox left `pausing`, for `paused` or for `stopped`.
 *
 * The hold ("hold" in the state store, so every wsp on this machine sees
 * it): set by pause, dropped by resume, start, stop and destroy. While it
 * is set, commands, processes and the files refuse with WSP_EBUSY instead
 * of starting the sandbox (docs/abi.md: a pause is a decision a stray
 * call must not undo), and status answers paused for a sandbox stopped in
 * the pause's place.
 */
#include "daytona.h"

#include <string.h>

#define HOLD "hold"

int dt_held(struct dt *d)
{
	wsp_error e = {0};
	char *v = NULL;
	size_t n = 0;

	if (!d->state ||
	    d->host->state_get(&v, &n, d->host, d->state, HOLD, &e))
		return 0;
	d->host->free(d->host, v);
	return 1;
}

void dt_hold_set(struct dt *d, int on, wsp_error *err)
{
	wsp_error e = {0};

	(void)err; /* a hold that cannot be kept must not fail the change */
	if (!d->state)
		return;
	if (on)
		d->host->state_put(d->host, d->state, HOLD, "paused", 6, &e);
	else
		d->host->state_delete(d->host, d->state, HOLD, &e);
}

static int no_sandbox(struct dt *d, wsp_error *err)
{
	return wsp_error_set(err, WSP_ENOTFOUND, "no Daytona sandbox '%s'",
			     d->logical_id);
}

/* Daytona's pause, waited for until the sandbox left `pausing`. */
static int pause_remote(struct dt_remote *r, struct dt *d, const wsp_call *call,
			wsp_error *err)
{
	int rc;

	if (!dt_state_settled(r->state) &&
	    (rc = dt_wait_for(r, d, NULL, 0, call, err)))
		return rc;
	if (!strcmp(r->state, "paused") || !strcmp(r->state, "stopped") ||
	    !strcmp(r->state, "archived"))
		return 0;
	rc = dt_post_action(d, r->id, "pause", call, err);
	if (rc == WSP_EINVAL || rc == WSP_ENOTSUP) {
		d->host->log(
			d->host, WSP_LOG_INFO,
			"daytona: sandbox '%s' cannot pause (%s); stopping "
			"it instead: its files stay, its processes end",
			d->logical_id, err ? err->message : "refused");
		if (err)
			memset(err, 0, sizeof(*err));
		return dt_stop_located(r, d, call, 0, err);
	}
	if (rc)
		return rc;
	strcpy(r->state, "pausing");
	if ((rc = dt_wait_for(r, d, NULL, 0, call, err)))
		return rc;
	if (strcmp(r->state, "paused") && strcmp(r->state, "stopped") &&
	    strcmp(r->state, "archived"))
		return wsp_error_set(
			err, WSP_EIO, "sandbox '%s' is %s, not paused%s%s",
			d->logical_id, r->state, r->error_reason[0] ? ": " : "",
			r->error_reason);
	return 0;
}

int dt_pause(void *self, const wsp_call *call, uint32_t flags, wsp_error *err)
{
	struct dt *d = self;
	struct dt_remote r;
	int rc = dt_locate(&r, d, call, err);

	(void)flags;
	if (rc == WSP_ENOTFOUND)
		return no_sandbox(d, err);
	if (rc)
		return rc;
	/* Held first: another wsp's command refuses from now on. */
	dt_hold_set(d, 1, err);
	dt_forget_toolbox(d);
	rc = pause_remote(&r, d, call, err);
	if (rc)
		dt_hold_set(d, 0, err);
	return rc;
}

int dt_resume(void *self, const wsp_call *call, uint32_t flags, wsp_error *err)
{
	struct dt *d = self;
	struct dt_remote r;
	int rc;

	(void)flags;
	dt_hold_set(d, 0, err);
	rc = dt_locate(&r, d, call, err);
	if (rc == WSP_ENOTFOUND)
		return no_sandbox(d, err);
	return rc ? rc : dt_bring_up(&r, d, call, 1, err);
}
