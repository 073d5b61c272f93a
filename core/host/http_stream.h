/*
 * core/host/http_stream.h - the HTTP service's streaming mode (internal API).
 *
 * One engine runs many long-lived HTTP responses (process output, log
 * follows, keep-alive streams) on one thread: libcurl's multi-socket
 * interface driven by a libuv loop the engine owns (curl's multi-uv.c
 * pattern). Blocking request/response calls stay in http.c; this is for
 * bodies that arrive over minutes. No libuv type appears here.
 *
 * Settings come from the same place as the blocking service's
 * (wsp__http_effective: CA bundle, connect timeout; proxies from the
 * environment, as libcurl reads them), errors from the same mapping and
 * messages (http_error.c).
 *
 * Threads. The engine has one thread, its loop. wsp__hs_start(),
 * wsp__hs_resume(), wsp__hs_cancel() and wsp__hs_release() may be called
 * from any thread, callbacks included; they post work to the loop and
 * return at once. on_data and on_done run on the engine's thread, one at a
 * time for the whole engine, so they must be quick and never block: a slow
 * consumer pauses its stream instead (backpressure) and resumes it later
 * from wherever it drains. wsp__hs_engine_free() must not be called from
 * a callback, nor while another thread still calls into the engine or
 * its streams; after it returns, wsp__hs_resume() and wsp__hs_cancel() on
 * its streams do nothing and wsp__hs_release() only frees. The engine
 * installs no signal handlers.
 *
 * Lifetime of a stream: on_done is called exactly once (success, error,
 * idle timeout, cancel, or the engine stopping); after it no callback of
 * that stream runs again. The caller's reference from wsp__hs_start()
 * stays valid until wsp__hs_release(), which may come before or after
 * on_done (before: the stream is canceled, on_done still comes). The
 * payload must stay valid until on_done has returned.
 */
#ifndef WSP_CORE_HTTP_STREAM_H
#define WSP_CORE_HTTP_STREAM_H

#include "http.h"

#include <stddef.h>
#include <stdint.h>

typedef struct wsp__hs_engine wsp__hs_engine;
typedef struct wsp__hs_stream wsp__hs_stream;

/* on_data's answer: stop delivering until wsp__hs_resume(). */
#define WSP__HS_PAUSE 1

/*
 * A piece of a 2xx response body, in order. Return 0 when it was consumed,
 * WSP__HS_PAUSE when it was NOT consumed and the stream should wait (the
 * same bytes come again after wsp__hs_resume(), possibly cut differently;
 * the server is not read meanwhile, so TCP pushes back), or a negative
 * wsp code to abort the stream with that code. Error bodies (status >= 400)
 * never reach on_data: they become on_done's message.
 */
typedef int (*wsp__hs_data_fn)(wsp__hs_stream *s, const char *data, size_t len,
			       void *payload);

/*
 * The end: status is the HTTP status (0 when none arrived); err is NULL on
 * success (a 2xx body read to its end), else the failure with a message
 * in the blocking service's style. err lives only during the call.
 */
typedef void (*wsp__hs_done_fn)(wsp__hs_stream *s, long status,
				const wsp_error *err, void *payload);

/*
 * One header of a 2xx response (trimmed, NUL-terminated), before any
 * on_data. Return 0 to go on, or a negative wsp code to end the stream.
 */
typedef int (*wsp__hs_header_fn)(wsp__hs_stream *s, const char *name,
				 const char *value, void *payload);

/* wsp__hs_request.framing: what one on_data call carries. */
enum {
	WSP__HS_RAW = 0,     /* pieces as they come */
	WSP__HS_LINES = 1,   /* one line (http_lines.c) */
	WSP__HS_ENVELOPE = 2 /* one Connect envelope's message */
};

typedef struct wsp__hs_request {
	const char *method; /* "GET", "POST"... */
	const char *url;    /* http:// or https:// */
	const wsp_http_header *headers;
	size_t n_headers;
	const void *body; /* copied; may be NULL */
	size_t body_len;
	/*
	 * No byte (headers or body) for this long ends the stream with
	 * WSP_ETIMEDOUT; time paused by the consumer does not count. 0 = the
	 * settings' low_speed_time (30 s). Pick it above the server's
	 * keep-alive interval (Blaxel 30 s, E2B 50 s).
	 */
	int64_t idle_timeout_ms;
	int64_t connect_timeout_ms; /* 0 = the settings' (10 s) */
	int64_t timeout_ms;	    /* whole stream; 0 = none */
	/* Values masked in messages (NULL-terminated; copied). */
	const char *const *secrets;
	/* The http: section of the calling workspace, or NULL. */
	const wsp__http_settings *ws;
	/*
	 * Framed delivery: on_data gets one whole line or envelope message
	 * (the framers of http_frame.h, bounded by max_frame, 0 = 1 MiB).
	 * A pause holds the frames already cut from the piece and hands them
	 * over first after the resume. ENVELOPE: the end-of-stream envelope
	 * is not handed over; its "error" ends the stream with that error.
	 */
	int framing;
	size_t max_frame;
	/* Canceled (WSP_ECANCELED) once this token fires; may be NULL. The
	 * engine watches a duplicate of its descriptor from the loop, so the
	 * token need only be valid during wsp__hs_start(). */
	const wsp_cancel *cancel;
	wsp__hs_header_fn on_header; /* may be NULL */
	wsp__hs_data_fn on_data; /* required */
	wsp__hs_done_fn on_done; /* required */
	void *payload;
} wsp__hs_request;

/* Start an engine and its thread. */
WSP_INTERNAL int wsp__hs_engine_new(wsp__hs_engine **out, wsp_error *err);

/*
 * Stop: every stream still running ends with WSP_ECANCELED (its on_done
 * runs on the engine thread before this returns), then the thread is
 * joined and the engine freed. Streams not yet released stay valid
 * handles until wsp__hs_release(). NULL is a no-op.
 */
WSP_INTERNAL void wsp__hs_engine_free(wsp__hs_engine *eng);

/*
 * Start a stream (the request is copied; nothing of it need outlive the
 * call). On success *out holds the caller's reference and on_done will be
 * called; on failure nothing is called and nothing must be released.
 */
WSP_INTERNAL int wsp__hs_start(wsp__hs_engine *eng, const wsp__hs_request *req,
			       wsp__hs_stream **out, wsp_error *err);

/* Deliver again after on_data returned WSP__HS_PAUSE; else a no-op. */
WSP_INTERNAL void wsp__hs_resume(wsp__hs_stream *s);

/* End the stream with WSP_ECANCELED unless it already ended. */
WSP_INTERNAL void wsp__hs_cancel(wsp__hs_stream *s);

/* Drop the caller's reference (canceling a stream still running). */
WSP_INTERNAL void wsp__hs_release(wsp__hs_stream *s);

#endif /* WSP_CORE_HTTP_STREAM_H */
