/*
 * plugins/shared/stream_queue.h - the frames of a streamed answer
 * (lines, Connect messages) handed from the core's engine thread to the
 * slot's thread (see stream_queue.c). Shared by the remote sandboxes
 * (sandbox-blaxel, sandbox-e2b), which compile it in.
 */
#ifndef WSP_PLUGIN_SHARED_STREAM_QUEUE_H
#define WSP_PLUGIN_SHARED_STREAM_QUEUE_H

#include <wsp/plugin.h>

#include <pthread.h>
#include <stddef.h>

struct sq_frame {
	struct sq_frame *next;
	size_t len, cap; /* cap: room for data (coalesce) */
	char data[]; /* NUL-terminated copy */
};

struct sq {
	pthread_mutex_t lock;
	int efd; /* readable when something changed */
	struct sq_frame *head, *tail;
	size_t queued;
	int paused, started, done, failed;
	/*
	 * Set by the slot before the stream opens, for RAW streams only:
	 * pieces are appended to the last frame while it has room, and the
	 * slot is woken only when the queue was empty (it drains the queue
	 * before it sleeps), so a body sent in many tiny chunks costs a copy
	 * each, not an allocation and a wake-up each.
	 */
	int coalesce;
	long status;
	wsp_error err;          /* with failed */
	wsp_http_stream *stream; /* set by the slot after open */
};

int sq_init(struct sq *q);
/* Free what is left; only after sq_finish (or a failed open). */
void sq_fini(struct sq *q);

/* The stream's callbacks; payload is the queue. */
int sq_on_header(wsp_http_stream *s, const char *name, const char *value,
		 void *payload);
int sq_on_data(wsp_http_stream *s, const char *data, size_t len, void *payload);
void sq_on_done(wsp_http_stream *s, long status, const wsp_error *err,
		void *payload);

/* The next frame (free() it), or NULL; resumes a paused, drained stream. */
struct sq_frame *sq_pop(struct sq *q, const wsp_host *host);
/* 1 once a 2xx answer's headers came (the process exists). */
int sq_started(struct sq *q);
/* 1 once the stream ended and every frame was popped. */
int sq_done(struct sq *q);
/* Sleep until a change, the call's cancel, or ms (-1: no limit). */
void sq_wait(struct sq *q, const wsp_host *host, const wsp_call *call,
	     int64_t ms);
/* Cancel the stream if still running, wait for on_done, release it. */
void sq_finish(struct sq *q, const wsp_host *host);

#endif
