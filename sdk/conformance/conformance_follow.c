/*
 * sdk/conformance/conformance_follow.c - following background output
 * (WSP_OUTPUT_FOLLOW, WSP_OUTPUT_STREAM_OFFSETS) and output history
 * (WSP_CAP_PROC_OUTPUT_HISTORY).
 *
 * A provider with WSP_CAP_PROC_FOLLOW must deliver output while the
 * process runs and return once it has ended with everything delivered;
 * end promptly at the call's cancel or deadline with the totals it
 * delivered, from which a second follow resumes with nothing lost or
 * repeated; and read both streams from their own offsets. One without
 * must be answered WSP_ENOTSUP by the core, whatever it does itself.
 */
#include "conformance.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct followed {
	struct conf_text text;
	wsp_workspace *ws;
	const char *id;
	int first_while_running; /* -1 unknown, 0 no, 1 yes */
};

static int on_followed(uint32_t stream, const void *data, size_t len,
		       void *payload)
{
	struct followed *f = payload;
	wsp_proc_status st = {.struct_size = sizeof(st)};
	wsp_error err = {0};

	/*
	 * The first chunk: the process must still be running. A status
	 * can lag the output (a provider that learns the exit code after
	 * the log ends), so the chunk must also hold only what was written
	 * before the last write: stdout's "a", never its final "c".
	 */
	if (f->first_while_running < 0 && f->ws &&
	    !wsp_proc_get_status(&st, f->ws, NULL, f->id, &err))
		f->first_while_running = st.state == WSP_PROC_RUNNING &&
					 stream == WSP_STDOUT &&
					 !memchr(data, 'c', len);
	conf_text_add(&f->text, stream, data, len);
	return 0;
}

static int follow(wsp_proc_status *st, struct followed *f, wsp_workspace *ws,
		  const wsp_call *call, const char *id,
		  const wsp_output_opts *o, wsp_error *err)
{
	memset(st, 0, sizeof(*st));
	st->struct_size = sizeof(*st);
	return wsp_proc_read_output(st, ws, call, id, o, on_followed, f, err);
}

/* follow() from each stream's own offset, into a cleared f. */
static int follow_from(wsp_proc_status *st, struct followed *f,
		       wsp_workspace *ws, const char *id, uint64_t out_off,
		       uint64_t err_off, wsp_error *err)
{
	wsp_output_opts oo = WSP_OUTPUT_OPTS_INIT;

	memset(f, 0, sizeof(*f));
	oo.flags = WSP_OUTPUT_FOLLOW | WSP_OUTPUT_STREAM_OFFSETS;
	oo.offset = out_off;
	oo.stderr_offset = err_off;
	return follow(st, f, ws, NULL, id, &oo, err);
}

/* Live output, to the end; then both streams from their own offsets. */
static void check_stream(wsp_workspace *ws)
{
	wsp_output_opts oo = WSP_OUTPUT_OPTS_INIT;
	wsp_proc_status st;
	char id[WSP_PROC_ID_MAX];
	struct followed f = {.first_while_running = -1};
	wsp_error err = {0};
	int rc;

	if (conf_spawn(id, "proc.follow-stream", ws,
		       "printf a; sleep 1; printf b >&2; sleep 0.3; printf c",
		       WSP_STDIN_IGNORE))
		return;
	f.ws = ws;
	f.id = id;
	oo.flags = WSP_OUTPUT_FOLLOW;
	rc = follow(&st, &f, ws, NULL, id, &oo, &err);
	if (rc)
		conf_expect("proc.follow-stream", rc, 0, &err);
	else if (strcmp(f.text.out, "ac") || strcmp(f.text.err, "b") ||
		 st.state != WSP_PROC_EXITED || st.stdout_total != 2 ||
		 st.stderr_total != 1)
		conf_fail(
			"proc.follow-stream",
			"stdout '%s' stderr '%s' (state %u, totals %llu/%llu),"
			" want 'ac' and 'b' after the exit",
			f.text.out, f.text.err, st.state,
			(unsigned long long)st.stdout_total,
			(unsigned long long)st.stderr_total);
	else if (f.first_while_running != 1)
		conf_fail("proc.follow-stream",
			  "the first output arrived only after the exit");
	else
		conf_pass("proc.follow-stream");
	if (rc)
		goto out;
	rc = follow_from(&st, &f, ws, id, 1, 0, &err);
	if (rc)
		conf_expect("proc.follow-stream-offsets", rc, 0, &err);
	else if (strcmp(f.text.out, "c") || strcmp(f.text.err, "b"))
		conf_fail("proc.follow-stream-offsets",
			  "stdout '%s' stderr '%s', want 'c' and 'b'",
			  f.text.out, f.text.err);
	else
		conf_pass("proc.follow-stream-offsets");
out:
	wsp_proc_release(ws, NULL, id, &err);
}

static void *fire_soon(void *cancel)
{
	usleep(400 * 1000);
	wsp_cancel_fire(cancel);
	return NULL;
}

/*
 * A follow the call ends (cancel, then deadline) returns promptly with
 * the totals it delivered; a follow from them after the process ended
 * delivers exactly the rest.
 */
static void check_interrupted(wsp_workspace *ws)
{
	static const char *const names[2] = {"proc.follow-canceled",
					     "proc.follow-deadline"};
	wsp_output_opts oo = WSP_OUTPUT_OPTS_INIT;
	wsp_proc_status st;
	char id[WSP_PROC_ID_MAX];
	struct followed f;
	wsp_cancel *cancel = NULL;
	wsp_error err = {0};
	pthread_t th;
	int i, rc;

	if (wsp_cancel_new(&cancel, &err)) {
		conf_fail(names[0], "%s", err.message);
		return;
	}
	if (conf_spawn(id, names[0], ws,
		       "printf one; sleep 2; printf two; exec sleep 30",
		       WSP_STDIN_IGNORE))
		goto out;
	for (i = 0; i < 2; i++) {
		wsp_call call = {sizeof(call), 0, i ? NULL : cancel,
				 i ? wsp_deadline_in(400) : 0};
		int want = i ? WSP_ETIMEDOUT : WSP_ECANCELED;
		int64_t t0 = conf_now_ms(), took;

		memset(&f, 0, sizeof(f));
		oo.flags = WSP_OUTPUT_FOLLOW;
		if (!i && pthread_create(&th, NULL, fire_soon, cancel)) {
			conf_fail(names[0], "cannot start a thread");
			goto out;
		}
		rc = follow(&st, &f, ws, &call, id, &oo, &err);
		took = conf_now_ms() - t0;
		if (!i)
			pthread_join(th, NULL);
		if (rc != want)
			conf_expect(names[i], rc, want, &err);
		else if (took > 1800)
			conf_fail(names[i],
				  "took %lld ms: the call was not "
				  "watched",
				  (long long)took);
		else if (strcmp(f.text.out, "one") || st.stdout_total != 3)
			conf_fail(names[i],
				  "delivered '%s', total %llu; want "
				  "'one' and 3",
				  f.text.out,
				  (unsigned long long)st.stdout_total);
		else
			conf_pass(names[i]);
	}
	/* Resume from the totals once it has written the rest and ended. */
	for (i = 0; i < 250; i++) {
		memset(&st, 0, sizeof(st));
		st.struct_size = sizeof(st);
		if (wsp_proc_get_status(&st, ws, NULL, id, &err) ||
		    st.stdout_total >= 6)
			break;
		usleep(20 * 1000);
	}
	wsp_proc_signal(ws, NULL, id, SIGKILL, &err);
	rc = follow_from(&st, &f, ws, id, 3, 0, &err);
	if (rc)
		conf_expect("proc.follow-resume", rc, 0, &err);
	else if (strcmp(f.text.out, "two") || f.text.err_len ||
		 st.state == WSP_PROC_RUNNING)
		conf_fail("proc.follow-resume",
			  "stdout '%s' stderr '%s' (state %u), want 'two' "
			  "after the end",
			  f.text.out, f.text.err, st.state);
	else
		conf_pass("proc.follow-resume");
out:
	wsp_proc_release(ws, NULL, id, &err);
	wsp_cancel_free(cancel);
}

/* Flags the core refuses before any provider sees them. */
static void check_bad_flags(wsp_workspace *ws)
{
	wsp_output_opts oo = WSP_OUTPUT_OPTS_INIT;
	struct followed f = {0};
	wsp_error err = {0};
	int a, b;

	oo.flags = 1u << 7;
	a = wsp_proc_read_output(NULL, ws, NULL, "wsp-conf-id", &oo,
				 on_followed, &f, &err);
	oo.flags = WSP_OUTPUT_FOLLOW;
	oo.wait_ms = 100;
	b = wsp_proc_read_output(NULL, ws, NULL, "wsp-conf-id", &oo,
				 on_followed, &f, &err);
	if (a != WSP_EINVAL || b != WSP_EINVAL)
		conf_fail("proc.follow-bad-flags",
			  "unknown flag %s, follow with wait_ms %s; want "
			  "WSP_EINVAL for both",
			  conf_errname(a), conf_errname(b));
	else
		conf_pass("proc.follow-bad-flags");
}

/* Without the capability the core says so; the provider never sees it. */
static void check_absent(wsp_workspace *ws)
{
	wsp_output_opts oo = WSP_OUTPUT_OPTS_INIT;
	wsp_proc_status st;
	char id[WSP_PROC_ID_MAX];
	struct followed f = {0};
	wsp_error err = {0};
	int rc;

	if (conf_spawn(id, "proc.follow-absent", ws, "echo x",
		       WSP_STDIN_IGNORE))
		return;
	oo.flags = WSP_OUTPUT_FOLLOW;
	rc = follow(&st, &f, ws, NULL, id, &oo, &err);
	if (rc != WSP_ENOTSUP || f.text.out_len)
		conf_fail("proc.follow-absent",
			  "%s with '%s' delivered; without "
			  "WSP_CAP_PROC_FOLLOW want WSP_ENOTSUP and nothing",
			  conf_errname(rc), f.text.out);
	else
		conf_pass("proc.follow-absent");
	wsp_proc_release(ws, NULL, id, &err);
}

/*
 * WSP_CAP_PROC_OUTPUT_HISTORY: another workspace on the same sandbox
 * (another wsp process, in practice) reads an ended process's output.
 */
static void check_history(const struct conf *c)
{
	wsp_output_opts oo = WSP_OUTPUT_OPTS_INIT;
	wsp_proc_status st = {.struct_size = sizeof(st)};
	wsp_workspace *other = NULL;
	char id[WSP_PROC_ID_MAX];
	struct followed f = {0};
	wsp_error err = {0};
	int rc;

	if (!(c->caps & WSP_CAP_PROC_OUTPUT_HISTORY)) {
		conf_skip("proc.output-history",
			  "declared absent (no WSP_CAP_PROC_OUTPUT_HISTORY)");
		return;
	}
	if (conf_spawn(id, "proc.output-history", c->ws,
		       "echo kept; echo too >&2", WSP_STDIN_IGNORE))
		return;
	if (wsp_proc_wait(&st, c->ws, NULL, id, 10000, &err) ||
	    conf_open(&other, c, NULL, &err)) {
		conf_fail("proc.output-history", "%s", err.message);
		goto out;
	}
	rc = wsp_proc_read_output(NULL, other, NULL, id, &oo, on_followed, &f,
				  &err);
	if (rc || strcmp(f.text.out, "kept\n") || strcmp(f.text.err, "too\n"))
		conf_fail("proc.output-history",
			  "%s: another workspace read '%s' / '%s'",
			  conf_errname(rc), f.text.out, f.text.err);
	else
		conf_pass("proc.output-history");
	wsp_workspace_close(other);
out:
	wsp_proc_release(c->ws, NULL, id, &err);
}

void conf_run_follow(struct conf *c)
{
	check_bad_flags(c->ws);
	if (c->caps & WSP_CAP_PROC_FOLLOW) {
		check_stream(c->ws);
		check_interrupted(c->ws);
	} else {
		check_absent(c->ws);
	}
	check_history(c);
}
