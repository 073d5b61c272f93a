/*
 * plugins/sandbox-blaxel/stream_queue.h - lines of a streamed answer
 * handed from the core's engine thread to the slot's thread (see
 * stream_queue.c).
 */
#ifndef WSP_SANDBOX_BLAXEL_STREAM_QUEUE_H
#define WSP_SANDBOX_BLAXEL_STREAM_QUEUE_H

#include <wsp/plugin.h>

#include <pthread.h>
#include <stddef.h>

struct bl_line {
	struct bl_line *next;
	size_t len;
	char data[]; /* NUL-terminated copy */
};

struct bl_queue {
	pthread_mutex_t lock;
	int efd; /* readable when something changed */
	struct bl_line *head, *tail;
	size_t queued;
	int paused, started, done, failed;
	long status;
	wsp_error err;          /* with failed */
	wsp_http_stream *stream; /* set by the slot after open */
};

int bl_queue_init(struct bl_queue *q);
/* Free what is left; only after bl_queue_finish (or a failed open). */
void bl_queue_fini(struct bl_queue *q);

/* The stream's callbacks; payload is the queue. */
int bl_queue_on_header(wsp_http_stream *s, const char *name,
		       const char *value, void *payload);
int bl_queue_on_data(wsp_http_stream *s, const char *data, size_t len,
		     void *payload);
void bl_queue_on_done(wsp_http_stream *s, long status, const wsp_error *err,
		      void *payload);

/* The next line (free() it), or NULL; resumes a paused, drained stream. */
struct bl_line *bl_queue_pop(struct bl_queue *q, const wsp_host *host);
/* 1 once a 2xx answer's headers came (the process exists). */
int bl_queue_started(struct bl_queue *q);
/* 1 once the stream ended and every line was popped. */
int bl_queue_done(struct bl_queue *q);
/* Sleep until a change, the call's cancel, or ms (-1: no limit). */
void bl_queue_wait(struct bl_queue *q, const wsp_host *host,
		   const wsp_call *call, int64_t ms);
/* Cancel the stream if still running, wait for on_done, release it. */
void bl_queue_finish(struct bl_queue *q, const wsp_host *host);

#endif
