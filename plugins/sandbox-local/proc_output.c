/*
 * plugins/sandbox-local/proc_output.c - a background process's output
 * from its log: one read of a stream's part, and following both streams
 * until the process ends (WSP_OUTPUT_FOLLOW), woken by inotify.
 *
 * The monitor appends output with pwrite(), which raises IN_MODIFY on the
 * log, changes its status through the shared mapping followed by
 * futimens() (IN_ATTRIB), and its log is closed when it exits
 * (IN_CLOSE_WRITE): every change a follower waits for is an event on the
 * process directory, so a follower sleeps in poll() with no timeout until
 * one comes, or the call's cancel or deadline does. The only wake-up
 * without an event is the instant between an append's write (the event)
 * and its published total (proc_log_writing): then it looks again after
 * a millisecond.
 */
#include "proc_client.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

int proc_send_log(uint64_t *out_end, int *out_busy, const struct proc_log *l,
		  uint32_t stream, uint64_t offset, const wsp_output_opts *o,
		  wsp_output_fn sink, void *payload, char *buf)
{
	int index = stream == WSP_STDOUT ? 0 : 1, rc = 0;
	uint64_t end, start;
	ssize_t n;

	end = proc_log_total(l, index);
	if (proc_log_writing(l, index))
		*out_busy = 1;
	*out_end = end;
	start = offset;
	if (o->tail_bytes && end > o->tail_bytes && end - o->tail_bytes > start)
		start = end - o->tail_bytes;
	if (o->tail_lines) {
		uint64_t from =
			proc_log_tail_lines(l, index, end, o->tail_lines);

		if (from > start)
			start = from;
	}
	while (start < end && !rc) {
		n = proc_log_read(l, index, &start, end, buf,
				  PROC_OUTPUT_CHUNK);
		if (n <= 0)
			break;
		rc = sink(stream, buf, (size_t)n, payload);
		start += (uint64_t)n;
	}
	return rc;
}

int proc_send_stream(uint64_t *out_end, int *out_busy, int dirfd,
		     uint32_t stream, uint64_t offset, const wsp_output_opts *o,
		     wsp_output_fn sink, void *payload, char *buf)
{
	struct proc_log l;
	int rc;

	if (proc_log_open(&l, dirfd) < 0)
		return 0; /* no log (yet): nothing to send */
	rc = proc_send_log(out_end, out_busy, &l, stream, offset, o, sink,
			   payload, buf);
	proc_log_close(&l);
	return rc;
}

int proc_sink_stopped(wsp_error *err, int rc, const char *id)
{
	return wsp_error_set(err, rc,
			     "reading the output of '%s' was stopped by its "
			     "consumer",
			     id);
}

static int watch(const char *path, wsp_error *err)
{
	int ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK), e;

	if (ino >= 0 &&
	    inotify_add_watch(ino, path,
			      IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE |
				      IN_CREATE | IN_DELETE_SELF |
				      IN_MOVE_SELF | IN_DONT_FOLLOW |
				      IN_ONLYDIR) >= 0)
		return ino;
	e = errno;
	if (ino >= 0)
		close(ino);
	return wsp_error_set_os(err, WSP_EIO, e,
				"cannot watch a background process's output "
				"(inotify): %s",
				strerror(e));
}

/* Sleep until the directory changes, the call ends, or (busy) 1 ms. */
static void sleep_for_change(int ino, const wsp_host *h, const wsp_call *call,
			     int busy)
{
	struct pollfd p[2];
	int n = 0, wait = busy ? 1 : -1, cfd = h->call_fd(h, call);
	int64_t left = h->call_remaining_ms(h, call);
	char events[4096];

	if (left >= 0 && (wait < 0 || left < wait))
		wait = left > 1000000 ? 1000000 : (int)left;
	p[n++] = (struct pollfd){ino, POLLIN, 0};
	if (cfd >= 0)
		p[n++] = (struct pollfd){cfd, POLLIN, 0};
	poll(p, (nfds_t)n, wait);
	while (read(ino, events, sizeof(events)) > 0)
		;
}

int proc_follow(struct proc_view *v, struct local_sandbox *sb, int dirfd,
		const char *path, const char *id, const wsp_output_opts *o,
		wsp_output_fn sink, void *payload, const wsp_call *call,
		char *buf, uint64_t next[2], wsp_error *err)
{
	const wsp_host *h = local_host(sb);
	wsp_output_opts part = *o;
	struct proc_log log;
	int ino, rc = 0;

	/* Watching starts before the first read: nothing falls between. */
	ino = watch(path, err);
	if (ino < 0)
		return ino;
	next[0] = o->offset;
	next[1] = o->stderr_offset;
	log.fd = -1;
	for (;;) {
		int ended, busy = 0, i;

		/*
		 * The log, once it exists, stays open: a wake-up then costs
		 * no open() or mmap(). Until then, each pass looks for it.
		 */
		if (log.fd < 0 && proc_log_open(&log, dirfd) < 0)
			log.fd = -1;
		/* Ended before the read: the read then gets the rest. */
		if (log.fd >= 0)
			proc_observe_log(v, &log);
		else
			proc_observe(v, dirfd);
		ended = v->state != WSP_PROC_RUNNING;
		for (i = 0; i < 2 && !rc && log.fd >= 0; i++) {
			uint32_t stream = i ? WSP_STDERR : WSP_STDOUT;

			if (sink && (o->streams & stream))
				rc = proc_send_log(&next[i], &busy, &log,
						   stream, next[i], &part, sink,
						   payload, buf);
		}
		if (rc) {
			rc = proc_sink_stopped(err, rc, id);
			break;
		}
		/* A tail is where following starts, not a filter. */
		part.tail_lines = 0;
		part.tail_bytes = 0;
		if (ended)
			break;
		rc = h->call_expired(h, call);
		if (rc) {
			rc = wsp_error_set(
				err, rc, "following the output of '%s': %s", id,
				rc == WSP_ECANCELED ? "the call was canceled"
						    : "the call's deadline "
						      "passed");
			break;
		}
		sleep_for_change(ino, h, call, busy);
	}
	if (log.fd >= 0)
		proc_log_close(&log);
	close(ino);
	return rc;
}
