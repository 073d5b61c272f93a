/*
 * plugins/sandbox-daytona/pool.c - idle toolbox sessions kept for the
 * next foreground exec.
 *
 * A session runs its commands one after another in its one shell, so
 * it can take a new command once its last one ended: an exec that ends
 * on its own (an exit code from the toolbox, no kill) puts its session
 * here, and the next exec runs in it instead of creating a session and
 * deleting it afterwards (two requests of five). Execs at the same time
 * each take a different session, so none waits behind another; a
 * timeout, a cancel or a failure still deletes the session (the
 * toolbox's only kill), so nothing it ran is reused. The script runs
 * each command in a subshell (script.c), so no cd, export or exit
 * reaches the next one.
 *
 * Background processes take one too, and give it back when released
 * after they ended (procs.c): processes one after another share a
 * session; processes side by side cannot (each would wait for the one
 * before it to end).
 *
 * Kept in memory, per instance: a session is deleted when the instance
 * ends (fini), so a later wsp finds none of them; a sandbox that stopped
 * lost them, and the command that tries one then opens a new one.
 */
#include "daytona.h"

#include <stdio.h>
#include <string.h>

int dt_pool_take(struct dt_cmd *c)
{
	struct dt *d = c->d;
	int got = 0;

	pthread_mutex_lock(&d->lock);
	/* the toolbox not known (yet): none taken, none dropped */
	while (d->toolbox[0] && d->n_idle && !got) {
		struct dt_idle *s = &d->idle[--d->n_idle];

		/* one of another toolbox went with its sandbox: dropped */
		if (!strcmp(s->base, d->toolbox)) {
			snprintf(c->sid, sizeof c->sid, "%s", s->sid);
			snprintf(c->base, sizeof c->base, "%s", s->base);
			got = 1;
		}
	}
	pthread_mutex_unlock(&d->lock);
	return got;
}

/*
 * Delete one session, at most once and briefly: for sessions no command
 * needs (the pool full, the instance ending), where a slow or absent
 * toolbox must not hold anything up.
 */
static void drop(struct dt *d, const char *base, const char *sid)
{
	char path[DT_PATH_MAX];
	struct dt_req q = {.base = base,
			   .method = "DELETE",
			   .path = path,
			   .timeout_ms = 5000};
	wsp_error e = {0};

	if ((size_t)snprintf(path, sizeof path, "/process/session/%s", sid) <
	    sizeof path)
		dt_request(d, &q, NULL, NULL, &e);
}

/* A failure a new session may not have: not the call's, nor the key's. */
static int retry_fresh(int rc)
{
	return rc && rc != WSP_ECANCELED && rc != WSP_ETIMEDOUT &&
	       rc != WSP_EAUTH;
}

int dt_pool_launch(struct dt_cmd *c, const char *fresh, const char *text,
		   int quiet_input, const wsp_call *call, wsp_error *err)
{
	int rc;

	/* the toolbox known first (a paused sandbox refused here), so an
	 * instance that has not asked yet finds its idle sessions */
	if ((rc = dt_ensure(c->base, c->d, call, err)))
		return rc;
	while (dt_pool_take(c)) {
		wsp_error e = {0};

		rc = dt_session_launch(c, text, quiet_input, call, &e);
		if (!retry_fresh(rc)) {
			if (rc)
				*err = e;
			return rc;
		}
		/* gone (the sandbox stopped, its shell exited): dropped */
	}
	snprintf(c->sid, sizeof c->sid, "%s", fresh);
	if ((rc = dt_session_open(c, call, err))) {
		c->sid[0] = '\0';
		return rc;
	}
	return dt_session_launch(c, text, quiet_input, call, err);
}

void dt_pool_put(struct dt_cmd *c)
{
	struct dt *d = c->d;
	int kept = 0;

	pthread_mutex_lock(&d->lock);
	if (d->n_idle < DT_IDLE_MAX && !strcmp(c->base, d->toolbox)) {
		struct dt_idle *s = &d->idle[d->n_idle++];

		snprintf(s->sid, sizeof s->sid, "%s", c->sid);
		snprintf(s->base, sizeof s->base, "%s", c->base);
		kept = 1;
	}
	pthread_mutex_unlock(&d->lock);
	if (!kept)
		drop(d, c->base, c->sid);
}

void dt_pool_clear(struct dt *d, int delete_)
{
	struct dt_idle all[DT_IDLE_MAX];
	unsigned n, i;

	pthread_mutex_lock(&d->lock);
	n = d->n_idle;
	memcpy(all, d->idle, n * sizeof(all[0]));
	d->n_idle = 0;
	pthread_mutex_unlock(&d->lock);
	for (i = 0; delete_ && i < n; i++)
		drop(d, all[i].base, all[i].sid);
}
