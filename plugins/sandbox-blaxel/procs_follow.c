/*
 * plugins/sandbox-blaxel/procs_follow.c - following a background
 * process's output as it is written (WSP_OUTPUT_FOLLOW).
 *
 * What is there first comes from `/logs` (raw bytes, cut to the offsets
 * and tails); then `GET /process/{id}/logs/stream` is followed on the
 * core's streaming engine: Blaxel sends each line as `stdout:`/`stderr:`
 * text (backlog first, then live) and ends the answer when the process
 * ends. logline.c places every line's bytes in its stream, so the backlog
 * and any replay after a cut deliver nothing twice, and the newline a
 * line may not really have had waits for proof. At the end `/logs`
 * settles the last bytes (a held newline, a partial last line).
 *
 * Blaxel's stream carries whole lines only: a line still being written
 * ("printf a; sleep 5") shows nowhere but in `/logs`. So after a quiet
 * spell with no line (0.1 s, doubling up to 5 s) one `/logs` read
 * delivers what an unfinished line holds. That is the only look not
 * woken by the sandbox, and it is never made while lines flow; a quiet
 * process costs one read every 5 s once it has been quiet for 6 s.
 */
#include "procs.h"
#include "remote.h"
#include "stream_queue.h"
#include "streams.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUIET_FIRST_MS 100
#define QUIET_LONGEST_MS 5000

struct fol {
	struct bl_logpos pos[2]; /* stdout, stderr */
	size_t lines;            /* output lines of this replay */
	const wsp_output_opts *o;
	wsp_output_fn sink;
	void *payload;
	int sink_rc;
};

struct to {
	struct fol *f;
	uint32_t stream;
};

static int to_sink(const char *data, size_t len, void *payload)
{
	struct to *t = payload;
	int rc;

	if (!(t->f->o->streams & t->stream))
		return 0; /* not asked for: only counted */
	rc = t->f->sink(t->stream, data, len, t->f->payload);
	if (rc)
		t->f->sink_rc = rc;
	return rc;
}

/*
 * /logs: deliver what each stream holds past what was delivered. A
 * partial stream (only its tail, the process past the sandbox's cap)
 * gives nothing: its bytes come from the log stream's lines.
 */
static int from_logs(struct fol *f, const cJSON *logs, unsigned partial,
		     int first, const char *id, wsp_error *err)
{
	static const char *const names[2] = {"stdout", "stderr"};
	int rc = 0;

	for (int s = 0; s < 2 && !rc; s++) {
		const char *raw = bl_str(logs, names[s]);
		size_t len = raw ? strlen(raw) : 0;
		struct to t = {f, s ? WSP_STDERR : WSP_STDOUT};

		if (partial & (1u << s)) {
			/* gone, or a tail asked for: nothing can be placed */
			if ((f->o->streams & t.stream) &&
			    ((partial & (BL_PARTIAL_GONE | BL_PARTIAL_BAD)) ||
			     (first && (f->o->tail_bytes || f->o->tail_lines))))
				return bl_logs_partial_error(
					(partial & ~3u) | (1u << s), id, err);
			continue;
		}

		/* tails apply to what is there when the follow starts */
		if (first && len > f->pos[s].done)
			f->pos[s].done =
				bl_tail_start(raw, len, f->pos[s].done, f->o);
		rc = bl_logpos_raw(&f->pos[s], raw ? raw : "", len, to_sink,
				   &t);
	}
	return rc;
}

/* One line of the log stream; 1 when it was output. */
static int from_line(struct fol *f, const char *line, size_t n,
		     const char *id, wsp_error *err, int *rc)
{
	const char *text;
	size_t len;
	enum bl_log_kind k = bl_logline(&text, &len, line, n);
	int s = k == BL_LOG_STDERR;
	struct to t = {f, s ? WSP_STDERR : WSP_STDOUT};

	if (k != BL_LOG_STDOUT && k != BL_LOG_STDERR)
		return 0;
	/* a replay after a released head: its lines have no offsets */
	if (!f->lines++ && bl_logline_marker(k, text, len)) {
		*rc = bl_logs_partial_error(1u | BL_PARTIAL_GONE, id, err);
		return 1;
	}
	*rc = bl_logpos_line(&f->pos[s], text, len, to_sink, &t);
	return 1;
}

int bl_logs_stream_open(struct sq *q, struct bl *b, const wsp_call *call,
			const char *id, wsp_error *err)
{
	char url[BL_URL_MAX + 128], auth[512];
	wsp_http_header h[5];
	size_t n = bl_headers(h, auth, sizeof(auth), b);
	int rc;

	if ((rc = bl_ready(url, BL_URL_MAX, b, call, err)))
		return rc;
	snprintf(url + strlen(url), sizeof(url) - strlen(url),
		 "/process/%s/logs/stream", id);
	wsp_http_stream_request req = {
		.struct_size = sizeof(req),
		.url = url,
		.headers = h,
		.n_headers = n,
		/* [keepalive] lines come every 30 s */
		.idle_timeout_ms = 75000,
		.secrets = b->secrets,
		.framing = WSP_STREAM_LINES,
		.max_frame = 16u << 20,
		.on_header = sq_on_header,
		.on_data = sq_on_data,
		.on_done = sq_on_done,
		.payload = q,
	};
	/* no call: the slot watches it and ends the stream itself */
	rc = b->host->http_stream_open(&q->stream, b->host, NULL, &req, err);
	memset(auth, 0, sizeof(auth));
	return rc;
}

static int ended_by_call(struct bl *b, const wsp_call *call, const char *id,
			 wsp_error *err)
{
	int code = b->host->call_expired(b->host, call);

	return code ? wsp_error_set(err, code, "following '%s': %s", id,
				    code == WSP_ECANCELED
					    ? "canceled"
					    : "the deadline passed")
		    : 0;
}

/*
 * Follow one log stream until it ends (0), or the call, the sink or a
 * failed /logs look ends the follow (its code).
 */
static int follow_stream(struct fol *f, struct bl *b, const wsp_call *call,
			 const char *id, wsp_error *err)
{
	struct sq q;
	int64_t quiet = QUIET_FIRST_MS, last = rmt_now_ms();
	int rc;

	if (sq_init(&q))
		return wsp_error_set(err, WSP_EIO, "cannot make an eventfd");
	bl_logpos_replay(&f->pos[0]);
	bl_logpos_replay(&f->pos[1]);
	f->lines = 0;
	rc = bl_logs_stream_open(&q, b, call, id, err);
	while (!rc) {
		struct sq_frame *l;
		int64_t rem, wait;

		while (!rc && (l = sq_pop(&q, b->host))) {
			if (from_line(f, l->data, l->len, id, err, &rc))
				last = rmt_now_ms(); /* not quiet */
			free(l);
		}
		if (rc || sq_done(&q) || (rc = ended_by_call(b, call, id, err)))
			break;
		if (rmt_now_ms() - last >= quiet) {
			/* an unfinished line shows only in /logs */
			cJSON *logs = NULL;
			unsigned partial = 0;

			rc = bl_proc_logs(NULL, &logs, &partial, b, call, id,
					  err);
			if (!rc)
				rc = from_logs(f, logs, partial, 0, id, err);
			cJSON_Delete(logs);
			last = rmt_now_ms();
			quiet = quiet < QUIET_LONGEST_MS / 2 ? quiet * 2
							     : QUIET_LONGEST_MS;
			continue;
		}
		wait = quiet - (rmt_now_ms() - last);
		rem = b->host->call_remaining_ms(b->host, call);
		sq_wait(&q, b->host, call, rem >= 0 && rem < wait ? rem : wait);
	}
	sq_finish(&q, b->host);
	sq_fini(&q);
	if (rc && f->sink_rc)
		rc = wsp_error_set(err, f->sink_rc, "the output sink stopped");
	return rc;
}

int bl_follow(wsp_proc_status *out, struct bl *b, const wsp_call *call,
	      const char *id, const wsp_output_opts *o, wsp_output_fn sink,
	      void *payload, wsp_error *err)
{
	struct fol f = {.o = o, .sink = sink, .payload = payload};
	wsp_proc_status st = {.struct_size = sizeof(st)};
	int64_t quick = 50;
	int first = 1, rc;

	bl_logpos_init(&f.pos[0], o->offset);
	bl_logpos_init(&f.pos[1], o->stderr_offset);
	for (;;) {
		cJSON *logs = NULL;
		unsigned partial = 0;
		int64_t began;

		/* the status first: /logs read after it holds all its output */
		rc = bl_proc_logs(&st, &logs, &partial, b, call, id, err);
		if (!rc && (rc = from_logs(&f, logs, partial, first, id, err)) &&
		    f.sink_rc)
			rc = wsp_error_set(err, f.sink_rc,
					   "the output sink stopped");
		cJSON_Delete(logs);
		first = 0;
		if (rc || st.state != WSP_PROC_RUNNING)
			break;
		began = rmt_now_ms();
		if ((rc = follow_stream(&f, b, call, id, err)))
			break;
		/* a stream cut while it runs (a standby, a proxy): again,
		 * without spinning on one that ends at once */
		if (rmt_now_ms() - began < quick) {
			if ((rc = rmt_nap(b->host, call, quick)))
				rc = ended_by_call(b, call, id, err);
			if (rc)
				break;
			quick = quick < 1000 ? quick * 2 : 1000;
		}
	}
	if (out) {
		/* the totals delivered: where a follower resumes */
		if (rc)
			st.state = WSP_PROC_RUNNING;
		if (rc || st.stdout_total < f.pos[0].done)
			st.stdout_total = f.pos[0].done;
		if (rc || st.stderr_total < f.pos[1].done)
			st.stderr_total = f.pos[1].done;
		st.struct_size = out->struct_size;
		*out = st;
	}
	return rc;
}
