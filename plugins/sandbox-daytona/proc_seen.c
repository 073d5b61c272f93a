/*
 * plugins/sandbox-daytona/proc_seen.c - each process's status as this wsp
 * last saw it, answered while the sandbox is paused.
 *
 * A paused sandbox's toolbox is unreachable, but its processes are not
 * lost: they are frozen, so their output does not grow and their state
 * does not change until the resume. Status and listings then answer what
 * the last look saw (a process this wsp never looked at: running, no
 * output known). In memory only, a few entries, the oldest replaced.
 */
#include "procs.h"

#include <stdio.h>
#include <string.h>

void dt_seen_put(struct dt *d, const char *id, const wsp_proc_status *st)
{
	unsigned i, slot;

	pthread_mutex_lock(&d->lock);
	slot = d->seen_next % DT_SEEN_MAX;
	for (i = 0; i < DT_SEEN_MAX; i++)
		if (!strcmp(d->seen[i].id, id)) {
			slot = i;
			break;
		}
	if (i == DT_SEEN_MAX)
		d->seen_next++;
	snprintf(d->seen[slot].id, sizeof d->seen[slot].id, "%s", id);
	d->seen[slot].st = *st;
	pthread_mutex_unlock(&d->lock);
}

int dt_seen_get(wsp_proc_status *out, struct dt *d, const char *id)
{
	uint32_t size = out->struct_size;
	unsigned i;
	int found = 0;

	pthread_mutex_lock(&d->lock);
	for (i = 0; i < DT_SEEN_MAX && !found; i++)
		if (d->seen[i].id[0] && !strcmp(d->seen[i].id, id)) {
			*out = d->seen[i].st;
			found = 1;
		}
	pthread_mutex_unlock(&d->lock);
	out->struct_size = size;
	return found;
}
