/*
 * plugins/sandbox-daytona/procs_follow.c - following a background
 * process's output (WSP_OUTPUT_FOLLOW, WSP_CAP_PROC_FOLLOW) over the
 * toolbox's WebSocket log follow, as exec does (issue 15).
 *
 * First what is retained, from one log snapshot (offsets and tails as a
 * plain read); then, while the process runs, the follow: the toolbox sends
 * the log from its start, so each stream's output is counted and only
 * the part past what was delivered goes to the sink. The follow stops
 * once both streams' trailers came (all output is in) or when the socket
 * closes or breaks; then the status is looked at again, from a snapshot
 * that also delivers whatever the follow did not (the polling fallback:
 * a refused upgrade, a dropped connection), until the process has ended.
 * The call's cancel or deadline and a sink's code end it with the totals
 * delivered, from which a later follow resumes.
 */
#include "logmux.h"
#include "procs.h"
#include "wsconn.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>

static const uint32_t bit[2] = { WSP_STDOUT, WSP_STDERR };

enum { ALL_IN = 2 }; /* ws_data: both trailers came */

struct pf {
	struct dt_proc *p;
	const wsp_output_opts *o;
	wsp_output_fn sink;
	void *payload;
	uint64_t pos[2];  /* each stream delivered (or skipped) up to here */
	uint64_t seen[2]; /* output bytes the follow read, per stream */
	struct dt_mux mux;
	struct dt_tail tail[2];
	int cur;
	int sink_rc;
};

/* Bytes [at, at + n) of stream i: the part past pos to the sink. */
static int put(struct pf *f, int i, const char *p, size_t n, uint64_t at)
{
	uint64_t end = at + n;
	int rc;

	if (end <= f->pos[i] || at > f->pos[i])
		return 0;
	p += f->pos[i] - at;
	n = (size_t)(end - f->pos[i]);
	if ((f->o->streams & bit[i]) &&
	    (rc = f->sink(bit[i], p, n, f->payload))) {
		f->sink_rc = rc;
		return rc;
	}
	f->pos[i] = end;
	return 0;
}

static int tail_out(const char *p, size_t n, void *payload)
{
	struct pf *f = payload;
	int rc = put(f, f->cur, p, n, f->seen[f->cur]);

	f->seen[f->cur] += n;
	return rc;
}

static int mux_out(int stream, const char *p, size_t n, void *payload)
{
	struct pf *f = payload;

	f->cur = stream;
	return dt_tail_feed(&f->tail[stream], p, n, tail_out, f);
}

static int ws_data(const unsigned char *p, size_t n, void *payload)
{
	struct pf *f = payload;
	int rc = dt_mux_feed(&f->mux, (const char *)p, n, mux_out, f);

	if (!rc && f->tail[0].ended && f->tail[1].ended)
		rc = ALL_IN;
	return rc;
}

/*
 * One snapshot: the status in *st and each stream's sure output past
 * pos to the sink. first: pos starts where a plain read would (tails).
 */
static int snap(struct pf *f, wsp_proc_status *st, int first,
		const wsp_call *call, wsp_error *err)
{
	cJSON *logs = NULL;
	size_t len[2];
	int i, rc = dt_proc_look(st, &logs, len, f->p, call, err);

	for (i = 0; i < 2 && !rc && logs; i++) {
		size_t n;
		const char *t = dt_log_text(logs, i, &n);

		if (first) { /* an offset past the retained output stays */
			size_t from = dt_read_from(t, len[i], f->pos[i], f->o);

			if (from > f->pos[i])
				f->pos[i] = from;
		}
		rc = put(f, i, t, len[i], 0);
	}
	cJSON_Delete(logs);
	return rc;
}

/* The WebSocket follow: 0 when polling is to go on, else the end's code. */
static int ws_follow(struct pf *f, const wsp_call *call, wsp_error *err)
{
	struct dt *d = f->p->c.d;
	char url[DT_URL_MAX + DT_PATH_MAX];
	struct dt_ws *ws = NULL;
	wsp_error e = { 0 };
	unsigned code = 0;
	long status = 0;
	int rc;

	dt_mux_init(&f->mux);
	dt_tail_init(&f->tail[0], f->p->nonce);
	dt_tail_init(&f->tail[1], f->p->nonce);
	snprintf(url, sizeof url,
		 "%s/process/session/%s/command/%s/logs?follow=true",
		 f->p->c.base, f->p->c.sid, f->p->c.cid);
	rc = dt_ws_open(&ws, d, url, call, &status, &e);
	if (rc == DT_WS_REFUSED) {
		d->host->log(d->host, WSP_LOG_INFO,
			     "daytona: the toolbox refused the log follow's "
			     "WebSocket (HTTP %ld: %s); polling the log instead",
			     status, e.message);
		return 0;
	}
	if (!rc)
		rc = dt_ws_run(ws, ws_data, f, 0, call, &code, &e);
	dt_ws_free(ws);
	if (f->sink_rc)
		return f->sink_rc;
	if (rc == WSP_ECANCELED || rc == WSP_ETIMEDOUT)
		return wsp_error_set(err, rc, "following '%s': %s",
				     f->p->c.sid, e.message);
	if (rc && rc != ALL_IN)
		d->host->log(d->host, WSP_LOG_INFO,
			     "daytona: the log follow of '%s' stopped (%s); "
			     "polling the log from there", f->p->c.sid,
			     e.message);
	return 0;
}

static void nap(const wsp_host *h, const wsp_call *call, int64_t ms)
{
	int64_t left = h->call_remaining_ms(h, call);
	struct pollfd p = { .fd = h->call_fd(h, call), .events = POLLIN };

	if (left >= 0 && left < ms)
		ms = left;
	if (ms > 0)
		poll(&p, p.fd >= 0 ? 1 : 0, (int)ms);
}

int dt_follow_output(wsp_proc_status *out, struct dt_proc *p,
		     const wsp_call *call, const wsp_output_opts *o,
		     wsp_output_fn sink, void *payload, wsp_error *err)
{
	const wsp_host *h = p->c.d->host;
	struct pf f = { .p = p, .o = o, .sink = sink, .payload = payload,
			.pos = { o->offset, o->stderr_offset } };
	wsp_proc_status st = { .struct_size = sizeof(st) };
	int64_t pause = 20;
	int rc = snap(&f, &st, 1, call, err), followed = 0;

	while (!rc && st.state == WSP_PROC_RUNNING) {
		if (!followed) {
			followed = 1;
			if ((rc = ws_follow(&f, call, err)))
				break;
		} else if ((rc = h->call_expired(h, call))) {
			rc = wsp_error_set(err, rc, "following '%s': %s",
					   p->c.sid, rc == WSP_ECANCELED
							     ? "canceled"
							     : "the deadline "
							       "passed");
			break;
		} else {
			nap(h, call, pause);
			if (pause < 500)
				pause = pause * 3 / 2;
		}
		rc = snap(&f, &st, 0, call, err);
	}
	if (f.sink_rc)
		rc = wsp_error_set(err, f.sink_rc, "the output sink stopped");
	/* the totals delivered: where a later follow resumes */
	st.stdout_total = f.pos[0];
	st.stderr_total = f.pos[1];
	if (out)
		memcpy((char *)out + sizeof(out->struct_size),
		       (char *)&st + sizeof(st.struct_size),
		       sizeof(st) - sizeof(st.struct_size));
	return rc;
}
