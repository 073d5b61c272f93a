/*
 * plugins/sandbox-daytona/describe.c - info and instructions: what the
 * sandbox is, from Daytona's own answer. Never the key.
 */
#include "daytona.h"

#include <stdio.h>
#include <string.h>

int dt_info(void *self, const wsp_call *call, uint32_t flags, wsp_kv_fn cb,
	    void *payload, wsp_error *err)
{
	struct dt *d = self;
	struct dt_remote r;
	char id[DT_ID_MAX + 1] = "", mem[32] = "", cpus[32] = "";
	int have = 0, rc;

	(void)flags;
	pthread_mutex_lock(&d->lock);
	snprintf(id, sizeof id, "%s", d->remote_id);
	pthread_mutex_unlock(&d->lock);
	if (id[0]) {
		rc = dt_get(&r, d, id, call, err);
		if (rc && rc != WSP_ENOTFOUND)
			return rc;
		have = !rc;
	}
	if (have) {
		snprintf(cpus, sizeof cpus, "%lld", (long long)r.cpu);
		snprintf(mem, sizeof mem, "%llu",
			 (unsigned long long)r.memory_gib << 30);
	}
	if ((rc = cb("id", d->logical_id, payload)) ||
	    (rc = cb("provider", "daytona", payload)) ||
	    (rc = cb("state", have ? r.state : "unknown", payload)) ||
	    (have && (rc = cb("cpus", cpus, payload))) ||
	    (have && (rc = cb("memory_bytes", mem, payload))) ||
	    (rc = cb("isolation", "daytona sandbox (remote)", payload)) ||
	    (rc = cb("api_url", d->cfg.api_url, payload)) ||
	    (have && (rc = cb("remote_id", r.id, payload))) ||
	    (have && r.target[0] && (rc = cb("target", r.target, payload))) ||
	    (have && r.snapshot[0] &&
	     (rc = cb("snapshot", r.snapshot, payload))) ||
	    (have && r.user[0] && (rc = cb("user", r.user, payload))))
		return rc < 0 ? rc : WSP_ECANCELED;
	return 0;
}

int dt_instructions(void *self, const wsp_call *call, uint32_t flags,
		    wsp_sink_fn sink, void *payload, wsp_error *err)
{
	struct dt *d = self;
	char text[512];
	int n;

	(void)call;
	(void)flags;
	(void)err;
	n = snprintf(text, sizeof text,
		     "Commands run in a remote Daytona sandbox ('%s'), a Linux "
		     "container with its own filesystem; the working directory "
		     "is the sandbox user's home. Files on this machine are "
		     "not visible there. Each command starts from a clean "
		     "shell: cd and export do not carry over.\n",
		     d->logical_id);
	return sink(text, (size_t)n < sizeof text ? (size_t)n
						  : sizeof text - 1,
		    payload);
}
