/*
 * core/host/http_stream_impl.h - what the streaming engine's files share.
 *
 * http_stream.c: the engine, its thread and the work posted to it;
 * http_stream_sock.c: libcurl's sockets and timer on the uv loop;
 * http_stream_easy.c: one stream's easy handle, callbacks, idle timer and
 * its end. Members marked (loop) are touched only on the engine thread,
 * (lock) only under eng->lock.
 */
#ifndef WSP_CORE_HTTP_STREAM_IMPL_H
#define WSP_CORE_HTTP_STREAM_IMPL_H

#include "http_frame.h"
#include "http_stream.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <uv.h>

struct wsp__hs_engine {
	uv_loop_t loop;
	uv_async_t wake;  /* posted work, stop */
	uv_timer_t timer; /* libcurl's timeout */
	pthread_t thread;
	CURLM *multi; /* (loop) */

	pthread_mutex_t lock;
	wsp__hs_stream *pending; /* (lock) streams with posted work */
	bool stopping;		 /* (lock) no new streams */
	bool closed;		 /* (lock) the loop is going: drop postings */

	wsp__hs_stream *active; /* (loop) attached to the multi */
};

struct wsp__hs_stream {
	wsp__hs_engine *eng;
	atomic_int refs;  /* the caller's, the engine's, one per posting */
	atomic_bool gone; /* ended: postings are dropped, eng may be freed */

	/* (lock) work posted to the loop */
	wsp__hs_stream *next_pending;
	bool queued, want_start, want_cancel, want_resume;

	/* (loop) */
	wsp__hs_stream *prev, *next; /* eng->active */
	CURL *easy;
	struct curl_slist *hdrs;
	uv_timer_t idle;
	bool attached, idle_on, paused, ended;
	bool canceled, timed_out, stopped;
	int consumer_err;
	int64_t last_byte_ms, idle_ms;
	long status;
	bool status_seen, deliver;
	uint64_t delivered;
	char *err_body; /* first bytes of an error body */
	size_t err_len;
	char retry_after[64]; /* the response's Retry-After, "" if none */
	char errbuf[CURL_ERROR_SIZE];
	long head_status;   /* of the response whose headers come in */
	char reason[160];   /* why the consumer's side failed, or "" */
	char service_code[WSP_ERROR_CODE_MAX]; /* a Connect error's code */

	/* (loop) framing: http_stream_frame.c */
	int framing;
	wsp__lines lines;
	wsp__envelope env;
	bool holding;	    /* the consumer paused inside a piece */
	char *held;	    /* frames cut but not taken: [size_t len][bytes] */
	size_t held_len, held_off, held_cap;
	size_t skip;	    /* bytes of the next pieces already framed */
	int frame_rc;	    /* the consumer's own error from a frame */
	char *end_msg;	    /* the end-of-stream envelope's message */
	size_t end_len;
	bool end_seen;

	/* the cancel token's descriptor (a dup, -1 for none) */
	int cancel_fd;
	uv_poll_t cancel_poll;
	bool cancel_on;
	wsp__hs_header_fn on_header;

	/* copied from the request, fixed after start */
	char *method, *url, *ca;
	void *body;
	size_t body_len;
	char **secrets;
	wsp__hs_data_fn on_data;
	wsp__hs_done_fn on_done;
	void *payload;
};

/* http_stream.c */
WSP_INTERNAL void wsp__hs_unref(wsp__hs_stream *s);
WSP_INTERNAL int64_t wsp__hs_now_ms(void);

/* http_stream_sock.c: wire eng->multi to eng->loop; run done transfers. */
WSP_INTERNAL void wsp__hs_sock_setup(wsp__hs_engine *eng);
WSP_INTERNAL void wsp__hs_sock_check_done(wsp__hs_engine *eng);
/* Close callback of a socket's poll handle (frees it). */
WSP_INTERNAL void wsp__hs_sock_closed(uv_handle_t *h);

/* http_stream_easy.c */
WSP_INTERNAL int wsp__hs_easy_new(wsp__hs_stream *s, const wsp__hs_request *req,
				  const wsp__http_settings *set,
				  wsp_error *err);
/* Add to the multi, start the idle timer (loop). */
WSP_INTERNAL void wsp__hs_easy_attach(wsp__hs_stream *s);
/* Lift a pause (loop). */
WSP_INTERNAL void wsp__hs_easy_resume(wsp__hs_stream *s);
/* End the stream: detach, call on_done, drop the engine's reference. */
WSP_INTERNAL void wsp__hs_easy_end(wsp__hs_stream *s, CURLcode rc);
/* http_stream_frame.c: set up framing from the request. */
WSP_INTERNAL int wsp__hs_frame_init(wsp__hs_stream *s,
				    const wsp__hs_request *req,
				    wsp_error *err);
/* A piece of a 2xx body: on_data's answer for the engine. */
WSP_INTERNAL int wsp__hs_frame_data(wsp__hs_stream *s, const char *data,
				    size_t len);
/* The body ended well: the last line, the end envelope's verdict (0 or a
 * wsp code with why and s->service_code set). */
WSP_INTERNAL int wsp__hs_frame_end(wsp__hs_stream *s, char *why,
				   size_t cap);
WSP_INTERNAL void wsp__hs_frame_free(wsp__hs_stream *s);

/* Free what the stream owns (last reference gone). */
WSP_INTERNAL void wsp__hs_easy_free(wsp__hs_stream *s);

#endif /* WSP_CORE_HTTP_STREAM_IMPL_H */
