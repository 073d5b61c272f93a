/*
 * plugins/sandbox-blaxel/procs_logs.c - /logs made whole again.
 *
 * The sandbox-api answers /logs with the last 4 MiB of each stream, a
 * marker in front (replay.c): bytes that no offset can be given for. For
 * a process that ended, such a stream is rebuilt from the log stream's
 * replay of the whole log file, checked against the tail; for one that
 * still runs (its replay never ends) the stream is left as its tail and
 * said to be partial, so a reader can refuse it and a follower take it
 * from the log stream's lines instead. Output the service no longer
 * keeps at all (its log file's head released) is an error, never bytes.
 */
#include "procs.h"
#include "streams.h"

#include <stdlib.h>
#include <string.h>

#define REPLAY_MAX   ((size_t)256 << 20) /* one stream rebuilt, at most */
#define REPLAY_TRIES 3			 /* replays cut on the way */

static const char *const names[2] = {"stdout", "stderr"};

struct fill {
	struct bl_replay *r;
	const char *id;
	wsp_error *err;
};

static int fill_line(const char *line, size_t len, void *payload)
{
	struct fill *f = payload;
	int bad = bl_replay_line(f->r, line, len);

	if (!bad)
		return 0;
	return wsp_error_set(
		f->err, bad == BL_REPLAY_TOO_BIG ? WSP_ETOOBIG : WSP_ENOMEM,
		"the output of '%s' is too large to rebuild", f->id);
}

static int replay(struct bl_replay *r, struct bl *b, const wsp_call *call,
		  const char *id, wsp_error *err)
{
	for (int tries = 1;; tries++) {
		struct fill f = {r, id, err};
		int cut = 0, rc;

		bl_replay_init(r, REPLAY_MAX);
		/* the process ended: its log stream ends after the replay */
		rc = bl_logs_drain(&cut, b, call, id, 0, fill_line, &f, err);
		if (!rc && !cut)
			return 0; /* r is the caller's to free */
		bl_replay_free(r);
		if (rc)
			return rc;
		if (tries == REPLAY_TRIES)
			return wsp_error_set(err, WSP_EUNAVAIL,
					     "the replay of '%s''s output was "
					     "cut %d times",
					     id, tries);
	}
}

/* Stream s's value in lg: its tail alone (a floor of the total), or
 * its rebuilt whole. */
static int keep_tail(cJSON *lg, int s, const char *tail, wsp_error *err)
{
	cJSON *t = cJSON_CreateString(tail);

	if (!t || !cJSON_ReplaceItemInObjectCaseSensitive(lg, names[s], t)) {
		cJSON_Delete(t);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	return 0;
}

int bl_logs_whole(cJSON *lg, unsigned *partial, int ended, struct bl *b,
		  const wsp_call *call, const char *id, wsp_error *err)
{
	const char *tail[2];
	size_t tail_len[2];
	int cut[2], rc = 0;
	struct bl_replay r;

	*partial = 0;
	for (int s = 0; s < 2; s++) {
		const char *raw = bl_str(lg, names[s]);

		cut[s] = bl_logs_tail(&tail[s], &tail_len[s], raw,
				      raw ? strlen(raw) : 0);
	}
	if (!cut[0] && !cut[1])
		return 0;
	if (!ended) {
		for (int s = 0; s < 2 && !rc; s++)
			if (cut[s]) {
				*partial |= 1u << s;
				rc = keep_tail(lg, s, tail[s], err);
			}
		return rc;
	}
	if ((rc = replay(&r, b, call, id, err)))
		return rc;
	for (int s = 0; s < 2 && !rc; s++) {
		size_t whole = 0;
		int why;

		if (!cut[s])
			continue;
		if ((why = bl_replay_settle(&whole, &r, s, tail[s],
					    tail_len[s]))) {
			/* no whole output: the tail, said to be partial */
			*partial |= (1u << s) |
				    (why == BL_REPLAY_GONE ? BL_PARTIAL_GONE
							   : BL_PARTIAL_BAD);
			rc = keep_tail(lg, s, tail[s], err);
			continue;
		}
		if (r.buf[s])
			r.buf[s][whole] = '\0';
		rc = keep_tail(lg, s, r.buf[s] ? r.buf[s] : "", err);
	}
	bl_replay_free(&r);
	return rc;
}

int bl_logs_partial_error(unsigned partial, const char *id, wsp_error *err)
{
	const char *name = partial & 1 ? "stdout" : "stderr";

	if (partial & BL_PARTIAL_GONE)
		return wsp_error_set(
			err, WSP_ENOTFOUND,
			"the start of the %s of '%s' is no longer kept: the "
			"sandbox released the head of its log file and keeps "
			"only the last bytes, at an offset it does not say",
			name, id);
	if (partial & BL_PARTIAL_BAD)
		return wsp_error_set(err, WSP_EPROTO,
				     "the sandbox's replay of the %s of '%s' "
				     "does not end in the bytes /logs holds",
				     name, id);
	return wsp_error_set(err, WSP_EBUSY,
			     "'%s' still runs and has written more %s than the "
			     "sandbox answers at once (only the last bytes, "
			     "at an offset it does not say): wait for its end "
			     "or follow its output",
			     id, name);
}
