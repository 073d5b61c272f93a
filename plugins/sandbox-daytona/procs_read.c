/*
 * plugins/sandbox-daytona/procs_read.c - waiting for a background process
 * and reading its output.
 *
 * Both poll the toolbox: the command's status, then its log (a follow,
 * WSP_OUTPUT_FOLLOW, is procs_follow.c's). A wait looks every 20 ms at
 * first, backing off to 500 ms, and sleeps in poll() on the call's cancel
 * descriptor so a cancel ends it at once. A read takes one log snapshot
 * (stdout and stderr apart, as the toolbox demultiplexes them for a
 * current SDK version) and cuts each stream to the offsets and tails
 * asked for; with wait_ms it waits first, and a wait that runs out still
 * reads.
 */
#include "procs.h"

#include <poll.h>
#include <string.h>
#include <time.h>

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void dt_nap(const wsp_host *h, const wsp_call *call, int64_t ms)
{
	int64_t left = h->call_remaining_ms(h, call);
	struct pollfd p = { .fd = h->call_fd(h, call), .events = POLLIN };

	if (left >= 0 && left < ms)
		ms = left;
	if (ms > 0)
		poll(&p, p.fd >= 0 ? 1 : 0, (int)ms);
}

/* Wait with p loaded; out holds the last status seen either way. */
static int wait_loaded(wsp_proc_status *out, struct dt_proc *p,
		       const wsp_call *call, int64_t timeout_ms,
		       wsp_error *err)
{
	const wsp_host *h = p->c.d->host;
	int64_t until = timeout_ms < 0 ? -1 : mono_ms() + timeout_ms;
	int64_t pause = 20;
	int rc;

	for (;;) {
		if ((rc = dt_proc_look(out, NULL, NULL, p, call, err)))
			return rc;
		if (out->state != WSP_PROC_RUNNING)
			return 0;
		if ((rc = h->call_expired(h, call)))
			return wsp_error_set(err, rc, "waiting for '%s': %s",
					     p->id,
					     rc == WSP_ECANCELED
						     ? "canceled"
						     : "the deadline passed");
		if (until >= 0 && mono_ms() >= until)
			return wsp_error_set(err, WSP_ETIMEDOUT,
					     "'%s' still runs", p->id);
		dt_nap(h, call,
		    until >= 0 && until - mono_ms() < pause ? until - mono_ms()
							     : pause);
		if (pause < 500)
			pause = pause * 3 / 2;
	}
}

int dt_wait(wsp_proc_status *out, void *self, const wsp_call *call,
	    const char *id, int64_t timeout_ms, uint32_t flags,
	    wsp_error *err)
{
	struct dt_proc p;
	int rc = dt_proc_load(&p, self, id, err);

	(void)flags;
	return rc ? rc : wait_loaded(out, &p, call, timeout_ms, err);
}

/*
 * Where a read of one stream starts: the offset, moved on to the last
 * tail_bytes, then to the start of the last tail_lines lines (a final
 * newline ends the last line rather than starting another).
 */
size_t dt_read_from(const char *t, size_t len, uint64_t off,
		    const wsp_output_opts *o)
{
	size_t from = off < len ? (size_t)off : len, i;
	uint32_t lines = 0;

	if (o->tail_bytes && len - from > o->tail_bytes)
		from = len - (size_t)o->tail_bytes;
	if (!o->tail_lines)
		return from;
	for (i = len; i > from; i--) {
		if (t[i - 1] != '\n' || i == len)
			continue;
		if (++lines == o->tail_lines)
			return i;
	}
	return from;
}

int dt_read_output(wsp_proc_status *out, void *self, const wsp_call *call,
		   const char *id, const wsp_output_opts *o,
		   wsp_output_fn sink, void *payload, wsp_error *err)
{
	static const uint32_t bit[2] = { WSP_STDOUT, WSP_STDERR };
	struct dt_proc p;
	wsp_proc_status st = { .struct_size = sizeof(st) };
	cJSON *logs = NULL;
	size_t len[2];
	int i, rc = dt_proc_load(&p, self, id, err);

	if (rc)
		return rc;
	if (o->flags & WSP_OUTPUT_FOLLOW)
		return dt_follow_output(out, &p, call, o, sink, payload, err);
	if (o->wait_ms) {
		const wsp_host *h = p.c.d->host;

		rc = wait_loaded(&st, &p, call, o->wait_ms, err);
		/* a wait that runs out still reads; the call's end does not */
		if (rc && !(rc == WSP_ETIMEDOUT && !h->call_expired(h, call)))
			return rc;
	}
	if ((rc = dt_proc_look(&st, &logs, len, &p, call, err)))
		return rc;
	for (i = 0; i < 2 && logs && !rc; i++) {
		size_t n, from;
		const char *t = dt_log_text(logs, i, &n);
		uint64_t off = i ? o->stderr_offset : o->offset;

		if (!(o->streams & bit[i]))
			continue;
		from = dt_read_from(t, len[i], off, o);
		if (from < len[i])
			rc = sink(bit[i], t + from, len[i] - from, payload);
	}
	cJSON_Delete(logs);
	if (!rc && out) /* the caller's struct_size stays */
		memcpy((char *)out + sizeof(out->struct_size),
		       (char *)&st + sizeof(st.struct_size),
		       sizeof(st) - sizeof(st.struct_size));
	return rc ? wsp_error_set(err, rc, "the output sink stopped") : 0;
}
