/*
 * plugins/sandbox-daytona/progress.c - what a wait for a sandbox's state
 * shows while it lasts (creating, pending_build, starting...: an image
 * build can take minutes): a line when the state changes, and one every
 * DT_PROGRESS_EVERY_MS while it stays, with the time so far.
 *
 * On a terminal (standard error is a tty) the lines go there, as the
 * CLI's own progress bars do; elsewhere they are info log lines, which
 * `-v` shows. Never on standard output, so `--json` output stays JSON.
 * Only the logical id and Daytona's state names: nothing secret.
 */
#include "daytona.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define DT_PROGRESS_EVERY_MS 5000

void dt_progress_init(struct dt_progress *p, int64_t now_ms)
{
	memset(p, 0, sizeof(*p));
	p->start_ms = now_ms;
}

void dt_progress_note(struct dt_progress *p, struct dt *d, const char *state,
		      int64_t now_ms)
{
	double secs = (double)(now_ms - p->start_ms) / 1000.0;

	if (!strcmp(p->state, state) &&
	    now_ms - p->shown_ms < DT_PROGRESS_EVERY_MS)
		return;
	snprintf(p->state, sizeof p->state, "%s", state);
	p->shown_ms = now_ms;
	if (isatty(STDERR_FILENO)) {
		fprintf(stderr, "wsp: daytona: sandbox '%s' %s (%.1f s)\n",
			d->logical_id, state, secs);
		fflush(stderr);
	} else {
		d->host->log(d->host, WSP_LOG_INFO,
			     "daytona: sandbox '%s' %s (%.1f s)", d->logical_id,
			     state, secs);
	}
}
