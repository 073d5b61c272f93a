/*
 * plugins/shared/stream_queue.c - the bridge between a stream's
 * callbacks (the core's engine thread, which must never block) and the
 * slot's thread, which parses lines and calls the caller's sink.
 *
 * Callbacks copy each line into a bounded queue and poke an eventfd; the
 * slot sleeps in poll() on that eventfd and the call's cancel descriptor,
 * so a cancel, a deadline and new output all wake it at once. A full
 * queue answers WSP_STREAM_PAUSE and the slot resumes the stream once it
 * drained it, so a fast command cannot fill memory.
 */
#include "stream_queue.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define QUEUE_MAX (4u << 20)
#define COALESCE_FRAME (64u << 10) /* a coalescing frame's least room */

static void poke(struct sq *q)
{
	uint64_t one = 1;

	/* non-blocking: a counter already set wakes the reader anyway */
	if (write(q->efd, &one, sizeof(one)) < 0) {
	}
}

int sq_init(struct sq *q)
{
	memset(q, 0, sizeof(*q));
	q->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->efd < 0)
		return WSP_EIO;
	pthread_mutex_init(&q->lock, NULL);
	return 0;
}

void sq_fini(struct sq *q)
{
	struct sq_frame *l = q->head;

	while (l) {
		struct sq_frame *next = l->next;

		free(l);
		l = next;
	}
	if (q->efd >= 0)
		close(q->efd);
	pthread_mutex_destroy(&q->lock);
}

int sq_on_header(wsp_http_stream *s, const char *name, const char *value,
		 void *payload)
{
	struct sq *q = payload;

	(void)s;
	(void)name;
	(void)value;
	pthread_mutex_lock(&q->lock);
	q->started = 1; /* a 2xx came: the process exists */
	pthread_mutex_unlock(&q->lock);
	poke(q);
	return 0;
}

int sq_on_data(wsp_http_stream *s, const char *data, size_t len, void *payload)
{
	struct sq *q = payload;
	struct sq_frame *l, *t;
	size_t cap = q->coalesce && len < COALESCE_FRAME ? COALESCE_FRAME : len;
	int rc = 0, wake = 1;

	(void)s;
	pthread_mutex_lock(&q->lock);
	t = q->tail;
	if (q->coalesce)
		wake = !q->head; /* else the slot is draining, or will */
	if (q->queued && q->queued + len > QUEUE_MAX) {
		q->paused = 1;
		rc = WSP_STREAM_PAUSE; /* comes again after resume */
	} else if (q->coalesce && t && t->cap - t->len >= len + 1) {
		memcpy(t->data + t->len, data, len);
		t->len += len;
		t->data[t->len] = '\0';
		q->queued += len;
	} else if (!(l = malloc(sizeof(*l) + cap + 1))) {
		rc = WSP_ENOMEM;
	} else {
		l->next = NULL;
		l->len = len;
		l->cap = cap + 1;
		memcpy(l->data, data, len);
		l->data[len] = '\0';
		if (q->tail)
			q->tail->next = l;
		else
			q->head = l;
		q->tail = l;
		q->queued += len;
	}
	pthread_mutex_unlock(&q->lock);
	if (wake || rc)
		poke(q);
	return rc;
}

void sq_on_done(wsp_http_stream *s, long status, const wsp_error *err,
		void *payload)
{
	struct sq *q = payload;

	(void)s;
	pthread_mutex_lock(&q->lock);
	q->done = 1;
	q->status = status;
	if (err) {
		q->failed = 1;
		q->err = *err;
	}
	pthread_mutex_unlock(&q->lock);
	poke(q);
}

struct sq_frame *sq_pop(struct sq *q, const wsp_host *host)
{
	struct sq_frame *l;
	int resume = 0;

	pthread_mutex_lock(&q->lock);
	l = q->head;
	if (l) {
		q->head = l->next;
		if (!q->head)
			q->tail = NULL;
		q->queued -= l->len;
	} else if (q->paused) {
		q->paused = 0;
		resume = 1;
	}
	pthread_mutex_unlock(&q->lock);
	if (resume && q->stream)
		host->http_stream_resume(host, q->stream);
	return l;
}

int sq_started(struct sq *q)
{
	int started;

	pthread_mutex_lock(&q->lock);
	started = q->started;
	pthread_mutex_unlock(&q->lock);
	return started;
}

int sq_done(struct sq *q)
{
	int done;

	pthread_mutex_lock(&q->lock);
	done = q->done && !q->head;
	pthread_mutex_unlock(&q->lock);
	return done;
}

void sq_wait(struct sq *q, const wsp_host *host, const wsp_call *call,
	     int64_t ms)
{
	struct pollfd p[2] = {{.fd = q->efd, .events = POLLIN},
			      {.fd = call ? host->call_fd(host, call) : -1,
			       .events = POLLIN}};
	uint64_t v;

	if (ms > 60000)
		ms = 60000;
	if (poll(p, p[1].fd >= 0 ? 2 : 1, (int)(ms < 0 ? -1 : ms)) > 0 &&
	    (p[0].revents & POLLIN)) {
		if (read(q->efd, &v, sizeof(v)) < 0) {
		}
	}
}

void sq_finish(struct sq *q, const wsp_host *host)
{
	if (!q->stream)
		return;
	host->http_stream_cancel(host, q->stream);
	/* on_done always comes; the payload must live until then */
	for (;;) {
		int done;

		pthread_mutex_lock(&q->lock);
		done = q->done;
		pthread_mutex_unlock(&q->lock);
		if (done)
			break;
		sq_wait(q, host, NULL, 1000);
	}
	host->http_stream_release(host, q->stream);
	q->stream = NULL;
}
