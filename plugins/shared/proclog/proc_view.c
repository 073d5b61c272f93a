/*
 * plugins/shared/proclog/proc_view.c - what a manager sees of a
 * background process kept in a log file (proc_log.h): its state, its
 * output read by offset and tail, followed as it is written, and waits
 * for its end. Used by the local sandbox (whose monitor writes the log)
 * and the E2B sandbox (whose keeper does).
 *
 * Liveness is the writer's flock on the log file: the kernel drops it
 * when the writer dies however it dies, and no lock survives a reboot,
 * so a process is never shown running without a writer behind it.
 *
 * Followers and waiters sleep on inotify: the writer's appends are
 * pwrite()s (IN_MODIFY on the log), its status changes end with
 * futimens() (IN_ATTRIB), and its exit closes the log (IN_CLOSE_WRITE),
 * so every change is an event on the process directory. The only
 * wake-up without an event is the instant between an append's write
 * and its published total (proc_log_writing): then it looks again after
 * a millisecond.
 */
#include "proc_view.h"

#include <errno.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

void proc_observe(struct proc_view *v, int dirfd)
{
	struct proc_log l;
	int rc;

	rc = proc_log_open(&l, dirfd);
	if (rc < 0) {
		memset(v, 0, sizeof(*v));
		/* No log yet: a spawn in progress, or one that died early;
		 * or a log wsp did not make, which is refused. */
		v->state = WSP_PROC_LOST;
		v->refused = proc_refusal(rc) ? rc : 0;
		return;
	}
	proc_observe_log(v, &l);
	proc_log_close(&l);
}

void proc_observe_log(struct proc_view *v, const struct proc_log *log)
{
	const struct proc_log l = *log;
	int i;

	memset(v, 0, sizeof(*v));
	/*
	 * Lock first: a monitor publishes its final status before it lets
	 * go of the lock, so a free lock followed by a "running" status
	 * means the monitor died without finishing.
	 */
	v->alive = proc_log_monitor_alive(&l);
	/* No consistent copy (a writer that died inside a change) comes
	 * zeroed, "starting": lost below, never running. */
	(void)proc_log_get_status(&l, &v->file);
	if (proc_status_check(&v->file) < 0) {
		/* Nothing of a malformed status is used, its pids least. */
		memset(&v->file, 0, sizeof(v->file));
		v->file.state = PROC_RUNNING; /* listed, as lost */
		v->alive = 0;
		v->refused = -EPROTO;
	}
	v->published = v->file.state != PROC_STARTING;
	switch (v->file.state) {
	case PROC_EXITED:
		v->state = WSP_PROC_EXITED;
		break;
	case PROC_SIGNALED:
		v->state = WSP_PROC_SIGNALED;
		break;
	case PROC_GONE:
		v->state = WSP_PROC_LOST;
		break;
	default:
		v->state = v->alive && v->published ? WSP_PROC_RUNNING
						    : WSP_PROC_LOST;
		break;
	}
	if (v->state == WSP_PROC_LOST)
		v->file.stdin_open = 0;
	for (i = 0; i < PROC_STREAMS; i++) {
		v->total[i] = proc_log_total(&l, i);
		v->dropped[i] = proc_log_oldest(&l, i);
	}
	memcpy(v->command, l.hdr->command, sizeof(v->command));
	v->command[sizeof(v->command) - 1] = '\0';
}

void proc_fill_status(wsp_proc_status *out, const struct proc_view *v)
{
	wsp_proc_status s;

	/* The core hands providers full-size structs (<wsp/sandbox.h>). */
	if (!out)
		return;
	memset(&s, 0, sizeof(s));
	s.struct_size = sizeof(s);
	s.state = v->state;
	s.exit_code = v->file.exit_code;
	s.term_signal = v->file.term_signal;
	s.os_pid = v->file.pid > 0 ? v->file.pid : -1;
	s.started_ms = v->file.started_ms;
	s.ended_ms = v->file.ended_ms;
	s.stdout_total = v->total[0];
	s.stderr_total = v->total[1];
	s.stdout_dropped = v->dropped[0];
	s.stderr_dropped = v->dropped[1];
	s.timed_out = (uint32_t)v->file.timed_out;
	s.stdin_open = (uint32_t)v->file.stdin_open;
	*out = s;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int finished(const struct proc_view *v, int until_gone)
{
	if (until_gone)
		return !v->alive;
	return v->state != WSP_PROC_RUNNING;
}

int proc_wait(struct proc_view *v, const wsp_host *host, int dirfd,
	      const char *path, int until_gone, int64_t timeout_ms,
	      const wsp_call *call, wsp_error *err)
{
	int64_t deadline = timeout_ms >= 0 ? mono_ms() + timeout_ms : -1;
	int ino, cfd = host->call_fd(host, call), rc = 0;
	char events[4096];

	proc_observe(v, dirfd);
	if (finished(v, until_gone))
		return 0;
	/* The monitor touches its log when the status changes and closes
	 * it when it exits: both are inotify events on the directory. */
	ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (ino >= 0)
		inotify_add_watch(ino, path,
				  IN_ATTRIB | IN_CLOSE_WRITE | IN_DELETE_SELF |
					  IN_MOVE_SELF | IN_DONT_FOLLOW |
					  IN_ONLYDIR);
	for (;;) {
		struct pollfd p[2];
		int n = 0, wait = 250;
		int64_t now, left;

		proc_observe(v, dirfd);
		if (finished(v, until_gone))
			break;
		rc = host->call_expired(host, call);
		if (rc) {
			rc = wsp_error_set(err, rc,
					   "waiting for a background process: "
					   "%s",
					   rc == WSP_ECANCELED
						   ? "the call was canceled"
						   : "the call's deadline "
						     "passed");
			break;
		}
		now = mono_ms();
		if (deadline >= 0 && now >= deadline) {
			rc = wsp_error_set(err, WSP_ETIMEDOUT,
					   "background process still running "
					   "after %lld ms",
					   (long long)timeout_ms);
			break;
		}
		if (deadline >= 0 && deadline - now < wait)
			wait = (int)(deadline - now);
		left = host->call_remaining_ms(host, call);
		if (left >= 0 && left < wait)
			wait = (int)left;
		/* Without inotify, poll the files; with it, still look
		 * again now and then in case an event was missed. */
		if (ino >= 0)
			p[n++] = (struct pollfd){ino, POLLIN, 0};
		if (cfd >= 0)
			p[n++] = (struct pollfd){cfd, POLLIN, 0};
		if (ino < 0 && wait > 20)
			wait = 20;
		poll(p, (nfds_t)n, wait);
		if (ino >= 0)
			while (read(ino, events, sizeof(events)) > 0)
				;
	}
	if (ino >= 0)
		close(ino);
	return rc;
}

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

int proc_follow(struct proc_view *v, const wsp_host *h, int dirfd,
		const char *path, const char *id, const wsp_output_opts *o,
		wsp_output_fn sink, void *payload, const wsp_call *call,
		char *buf, uint64_t next[2], wsp_error *err)
{
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

int proc_read(struct proc_view *v, const wsp_host *h, int dirfd,
	      const char *path, const char *id, const wsp_output_opts *opts,
	      wsp_output_fn sink, void *payload, const wsp_call *call,
	      wsp_error *err)
{
	const wsp_output_opts o = *opts; /* full size, checked by the core */
	uint64_t end[2] = {UINT64_MAX, UINT64_MAX};
	char *buf = NULL;
	int busy = 0, rc = 0;

	memset(v, 0, sizeof(*v));
	v->state = WSP_PROC_LOST; /* until it is looked at */
	if (o.wait_ms) {
		/*
		 * Reading after a wait that ran out is still a read; one the
		 * call ended (its cancel or deadline) is not.
		 */
		rc = proc_wait(v, h, dirfd, path, 0, o.wait_ms, call, err);
		if (rc == WSP_ETIMEDOUT && !h->call_expired(h, call))
			rc = 0;
		if (rc)
			return rc;
	}
	buf = malloc(PROC_OUTPUT_CHUNK);
	if (!buf)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	if (o.flags & WSP_OUTPUT_FOLLOW) {
		rc = proc_follow(v, h, dirfd, path, id, &o, sink, payload, call,
				 buf, end, err);
		goto status;
	}
	if (sink && (o.streams & WSP_STDOUT))
		rc = proc_send_stream(&end[0], &busy, dirfd, WSP_STDOUT,
				      o.offset, &o, sink, payload, buf);
	if (!rc && sink && (o.streams & WSP_STDERR))
		rc = proc_send_stream(&end[1], &busy, dirfd, WSP_STDERR,
				      o.stderr_offset, &o, sink, payload, buf);
	if (rc) {
		free(buf);
		return proc_sink_stopped(err, rc, id);
	}
	proc_observe(v, dirfd);
status:
	/* Totals as read, so they are the next offsets (see sandbox.h). */
	if (end[0] != UINT64_MAX)
		v->total[0] = end[0];
	if (end[1] != UINT64_MAX)
		v->total[1] = end[1];
	free(buf);
	return rc;
}
