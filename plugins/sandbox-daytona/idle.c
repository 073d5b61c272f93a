/*
 * plugins/sandbox-daytona/idle.c - set_timeout: Daytona's auto-stop
 * interval (whole minutes, 0 = never), and keep-alive (the API's
 * last-activity mark, which resets the idle clock as a toolbox request
 * does).
 */
#include "daytona.h"

#include <stdio.h>

int dt_set_timeout(void *self, const wsp_call *call, uint64_t idle_ms,
		   uint32_t flags, wsp_error *err)
{
	struct dt *d = self;
	struct dt_remote r;
	struct dt_req q = { .method = "POST", .call = call,
			    .flags = WSP_HTTP_IDEMPOTENT };
	char path[DT_ID_MAX + 48];
	uint64_t min;
	int rc = dt_locate(&r, d, call, err);

	if (rc == WSP_ENOTFOUND)
		return wsp_error_set(err, WSP_ENOTFOUND,
				     "no Daytona sandbox '%s'", d->logical_id);
	if (rc)
		return rc;
	if (flags & WSP_SANDBOX_KEEPALIVE) {
		snprintf(path, sizeof path, "/sandbox/%s/last-activity", r.id);
	} else {
		/* Minutes, rounded up: never stop earlier than asked. */
		min = idle_ms / 60000 + (idle_ms % 60000 ? 1 : 0);
		if (min > 525600)
			return wsp_error_set(err, WSP_EINVAL,
					     "idle timeout over a year");
		snprintf(path, sizeof path, "/sandbox/%s/autostop/%llu", r.id,
			 (unsigned long long)min);
	}
	q.path = path;
	return dt_request(d, &q, NULL, NULL, err);
}
