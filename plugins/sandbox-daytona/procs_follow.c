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
#include "logfollow.h"
#include "procs.h"

#include <string.h>

static const uint32_t bit[2] = { WSP_STDOUT, WSP_STDERR };

struct pf {
	struct dt_proc *p;
	const wsp_output_opts *o;
	wsp_output_fn sink;
	void *payload;
	uint64_t pos[2];  /* each stream delivered (or skipped) up to here */
	uint64_t seen[2]; /* output bytes the follow read, per stream */
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

/* The follow's output, counted from the log's start. */
static int follow_out(int stream, const char *p, size_t n, void *payload)
{
	struct pf *f = payload;
	int rc = put(f, stream, p, n, f->seen[stream]);

	f->seen[stream] += n;
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
			struct dt_follow fl;

			followed = 1;
			rc = dt_follow_log(&fl, &p->c, p->nonce, 0, call,
					   follow_out, &f, err);
			if (rc < 0 || f.sink_rc)
				break; /* the call's end or the sink's code */
			rc = 0;
		} else if ((rc = h->call_expired(h, call))) {
			rc = wsp_error_set(err, rc, "following '%s': %s",
					   p->id, rc == WSP_ECANCELED
							     ? "canceled"
							     : "the deadline "
							       "passed");
			break;
		} else {
			dt_nap(h, call, pause);
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
