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
 * Kept in memory, per instance: a session is deleted when the instance
 * ends (fini), so a later wsp finds none of them; a sandbox that stopped
 * lost them, and the exec that tries one then opens a new one (exec.c).
 */
#include "daytona.h"

#include <stdio.h>
#include <string.h>

int dt_pool_take(struct dt_cmd *c)
{
	struct dt *d = c->d;
	int got = 0;

	pthread_mutex_lock(&d->lock);
	while (d->n_idle && !got) {
		struct dt_idle *s = &d->idle[--d->n_idle];

		/* one for the toolbox in use; others are of a sandbox gone */
		if (d->toolbox[0] && !strcmp(s->base, d->toolbox)) {
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
	struct dt_req q = { .base = base, .method = "DELETE", .path = path,
			    .timeout_ms = 5000 };
	wsp_error e = { 0 };

	if ((size_t)snprintf(path, sizeof path, "/process/session/%s", sid) <
	    sizeof path)
		dt_request(d, &q, NULL, NULL, &e);
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
