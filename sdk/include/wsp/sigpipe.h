/*
 * wsp/sigpipe.h - writing to a pipe whose reader may be gone without
 * SIGPIPE reaching the program.
 *
 * A command that stops reading its stdin, a process monitor that closes
 * its control FIFO as its process ends, an MCP client that hangs up: the
 * next write(2) raises SIGPIPE, whose default action kills the whole
 * program that loaded libwsp and its providers. A library must not change
 * the process's signal dispositions, so a writer holds SIGPIPE blocked in
 * its own thread for the duration of its writes and consumes the one they
 * raised (never one that was already pending: that is someone else's).
 * The write then simply fails with EPIPE.
 *
 *     struct wsp_sigpipe_hold hold;
 *     wsp_sigpipe_hold_begin(&hold);
 *     n = write(fd, buf, len);
 *     wsp_sigpipe_hold_end(&hold, n < 0 && errno == EPIPE);
 *
 * Header-only (static inline): no symbol, no part of the plugin ABI.
 * Sockets need none of this: send(2) with MSG_NOSIGNAL.
 */
#ifndef WSP_SIGPIPE_H
#define WSP_SIGPIPE_H

#include <pthread.h>
#include <signal.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

struct wsp_sigpipe_hold {
	sigset_t old_mask;
	int was_pending;
};

/* Block SIGPIPE in the calling thread and note whether one was pending. */
static inline void wsp_sigpipe_hold_begin(struct wsp_sigpipe_hold *h)
{
	sigset_t set, pending;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, &h->old_mask);
	sigpending(&pending);
	h->was_pending = sigismember(&pending, SIGPIPE) == 1;
}

/*
 * Restore the thread's mask. got_epipe: a write since the begin failed
 * with EPIPE, so the kernel queued a SIGPIPE to this thread; it is
 * consumed first unless one was pending before the begin.
 */
static inline void wsp_sigpipe_hold_end(struct wsp_sigpipe_hold *h,
					int got_epipe)
{
	sigset_t set;
	struct timespec zero = {0, 0};

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	if (got_epipe && !h->was_pending)
		sigtimedwait(&set, NULL, &zero);
	pthread_sigmask(SIG_SETMASK, &h->old_mask, NULL);
}

#ifdef __cplusplus
}
#endif
#endif /* WSP_SIGPIPE_H */
