/*
 * plugins/sandbox-blaxel/procs_wait.c - waiting for a background process
 * and reading its output.
 *
 * A wait follows `GET /process/{id}/logs/stream` on the core's streaming
 * engine: Blaxel ends that answer when the process ends, so the slot
 * sleeps in poll() (the stream's eventfd, the call's cancel descriptor,
 * the wait's own limit) instead of asking again and again. The stream
 * also ends for other reasons (a standby, a proxy's limit): the status
 * says whether the process really ended, and the wait goes on if not.
 *
 * A read is `/logs` (each stream's raw bytes), cut here to the offsets
 * and tails asked for; with wait_ms it waits first, and a wait that runs
 * out still reads. A follow is procs_follow.c's.
 */
#include "procs.h"
#include "remote.h"
#include "stream_queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int bl_logs_drain(int *cut, struct bl *b, const wsp_call *call, const char *id,
		  int64_t until, bl_line_fn line, void *payload, wsp_error *err)
{
	struct sq q;
	int rc;

	if (sq_init(&q))
		return wsp_error_set(err, WSP_EIO, "cannot make an eventfd");
	rc = bl_logs_stream_open(&q, b, call, id, err);
	while (!rc) {
		struct sq_frame *l;
		int64_t rem = b->host->call_remaining_ms(b->host, call);
		int code = b->host->call_expired(b->host, call);

		while (!rc && (l = sq_pop(&q, b->host))) {
			if (line)
				rc = line(l->data, l->len, payload);
			free(l);
		}
		if (rc || sq_done(&q))
			break;
		if (code) {
			rc = wsp_error_set(
				err, code, "the log stream of '%s': %s", id,
				code == WSP_ECANCELED ? "canceled"
						      : "the deadline passed");
			break;
		}
		if (until && rmt_now_ms() >= until) {
			rc = WSP_ETIMEDOUT; /* the wait's own limit */
			break;
		}
		if (until && (rem < 0 || until - rmt_now_ms() < rem))
			rem = until - rmt_now_ms();
		sq_wait(&q, b->host, call, rem);
	}
	sq_finish(&q, b->host);
	if (cut) {
		*cut = !rc && (q.failed || q.status != 200);
		if (*cut && err && q.err.code)
			*err = q.err;
	}
	sq_fini(&q);
	return rc;
}

int bl_wait(wsp_proc_status *out, void *self, const wsp_call *call,
	    const char *id, int64_t timeout_ms, uint32_t flags, wsp_error *err)
{
	struct bl *b = self;
	int64_t t0 = rmt_now_ms(), until = timeout_ms < 0 ? 0 : t0 + timeout_ms;
	int64_t quick = 50;
	int rc;

	(void)flags;
	for (;;) {
		int64_t began = rmt_now_ms();

		if ((rc = bl_proc_full_status(out, NULL, b, call, id, err)))
			return rc;
		if (out->state != WSP_PROC_RUNNING)
			return 0;
		if (until && rmt_now_ms() >= until)
			return wsp_error_set(err, WSP_ETIMEDOUT,
					     "'%s' still runs", id);
		rc = bl_logs_drain(NULL, b, call, id, until, NULL, NULL, err);
		if (rc == WSP_ETIMEDOUT && until && rmt_now_ms() >= until) {
			bl_proc_full_status(out, NULL, b, call, id, err);
			return wsp_error_set(err, WSP_ETIMEDOUT,
					     "'%s' still runs", id);
		}
		if (rc) {
			wsp_error keep = err ? *err : (wsp_error){0};

			/* the last status seen, then the wait's own error */
			bl_proc_full_status(out, NULL, b, call, id, NULL);
			if (err)
				*err = keep;
			return rc;
		}
		/* a stream that ends at once while the process runs (a cut,
		 * a standby): do not spin on it */
		if (rmt_now_ms() - began < quick) {
			struct timespec ts = {0, (long)quick * 1000000L};

			nanosleep(&ts, NULL);
			quick = quick < 1000 ? quick * 2 : 1000;
		}
	}
}

size_t bl_tail_start(const char *text, size_t len, uint64_t off,
		     const wsp_output_opts *o)
{
	if (off >= len)
		return len;
	return rmt_tail_start(text, len, (size_t)off, o);
}

/* Deliver text[off..] of one stream, cut to the tails asked for. */
static int deliver(uint32_t stream, const char *text, uint64_t off,
		   const wsp_output_opts *o, wsp_output_fn sink, void *payload)
{
	size_t len = text ? strlen(text) : 0, start;

	if (!(o->streams & stream) || off >= len)
		return 0;
	start = bl_tail_start(text, len, off, o);
	return len > start ? sink(stream, text + start, len - start, payload)
			   : 0;
}

int bl_read_output(wsp_proc_status *out, void *self, const wsp_call *call,
		   const char *id, const wsp_output_opts *o,
		   wsp_output_fn sink, void *payload, wsp_error *err)
{
	struct bl *b = self;
	wsp_proc_status st = {.struct_size = sizeof(st)};
	cJSON *logs = NULL;
	int rc;

	if (o->flags & WSP_OUTPUT_FOLLOW)
		return bl_follow(out, b, call, id, o, sink, payload, err);
	if (o->wait_ms) {
		rc = bl_wait(&st, b, call, id, o->wait_ms, 0, err);
		/* a wait that runs out still reads; the call's end does not */
		if (rc && !(rc == WSP_ETIMEDOUT &&
			    !b->host->call_expired(b->host, call)))
			return rc;
	}
	if ((rc = bl_proc_full_status(&st, &logs, b, call, id, err)))
		return rc;
	rc = deliver(WSP_STDOUT, bl_str(logs, "stdout"), o->offset, o, sink,
		     payload);
	if (!rc)
		rc = deliver(WSP_STDERR, bl_str(logs, "stderr"),
			     o->stderr_offset, o, sink, payload);
	cJSON_Delete(logs);
	if (rc)
		return wsp_error_set(err, rc, "the output sink stopped");
	if (out) {
		st.struct_size = out->struct_size;
		*out = st;
	}
	return 0;
}
