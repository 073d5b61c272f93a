/*
 * plugins/sandbox-daytona/stop.c - stop, and with `archive_on_stop` the
 * archive after it (Daytona moves an archived sandbox's disk to object
 * storage: cheaper to keep, slower to start again).
 */
#include "daytona.h"

#include <string.h>

static int stopped(const struct dt_remote *r)
{
	return !strcmp(r->state, "stopped") || !strcmp(r->state, "archived");
}

/* Archive a stopped sandbox and wait for `archived`. */
static int archive(struct dt_remote *r, struct dt *d, const wsp_call *call,
		   wsp_error *err)
{
	int rc;

	if (!strcmp(r->state, "archived"))
		return 0;
	d->host->log(d->host, WSP_LOG_INFO, "daytona: archiving sandbox '%s'",
		     d->logical_id);
	if ((rc = dt_post_action(d, r->id, "archive", call, err)))
		return rc;
	strcpy(r->state, "archiving");
	return dt_wait_for(r, d, "archived", 0, call, err);
}

int dt_stop_located(struct dt_remote *r, struct dt *d, const wsp_call *call,
		    int archive_after, wsp_error *err)
{
	int rc = 0;

	dt_forget_toolbox(d);
	if (!stopped(r)) {
		rc = dt_post_action(d, r->id, "stop", call, err);
		if (rc == WSP_ESTALE) {
			/* A create or start in progress (Daytona refuses the
			 * stop meanwhile, 409): let it end, then stop. */
			if ((rc = dt_wait_for(r, d, NULL, 0, call, err)))
				return rc;
			if (!stopped(r))
				rc = dt_post_action(d, r->id, "stop", call,
						    err);
			else
				rc = 0;
		}
		if (rc)
			return rc;
		if (!stopped(r)) {
			strcpy(r->state, "stopping");
			rc = dt_wait_for(r, d, "stopped", 1, call, err);
		}
		if (rc == WSP_ENOTFOUND) { /* ephemeral: deleted at stop */
			dt_forget(d);
			return 0;
		}
		if (rc)
			return rc;
	}
	return archive_after ? archive(r, d, call, err) : 0;
}

int dt_stop(void *self, const wsp_call *call, uint32_t flags, wsp_error *err)
{
	struct dt *d = self;
	struct dt_remote r;
	int rc = dt_locate(&r, d, call, err);

	(void)flags;
	if (rc == WSP_ENOTFOUND)
		return wsp_error_set(err, WSP_ENOTFOUND,
				     "no Daytona sandbox '%s'", d->logical_id);
	if (rc)
		return rc;
	rc = dt_stop_located(&r, d, call, d->cfg.archive_on_stop, err);
	/* Stopped, not paused: a later command starts it, as after any
	 * stop. */
	if (!rc)
		dt_hold_set(d, 0, err);
	return rc;
}
