/*
 * wsp/stream.h - long HTTP responses through the core's streaming engine
 * (host->http_stream_open and friends in <wsp/host.h>).
 *
 * For bodies that arrive over minutes: process output (E2B's Connect
 * server streams), log follows (Blaxel's "stdout:" lines), NDJSON. The
 * core runs every stream of the process on one thread of its own (one
 * event loop, libcurl's multi interface), with a per-stream idle timeout,
 * backpressure and cancellation; a provider holds no thread per stream.
 * Request/response calls keep using host->http_request.
 *
 * Threads. host->http_stream_open, _resume, _cancel and _release may be
 * called from any thread, the callbacks included; they never wait for
 * the engine. on_header, on_data and on_done run on the engine's thread,
 * one at a time for every stream of the process: they must be quick and
 * never block (no blocking I/O, no waiting for another thread, no
 * host->http_request). A consumer that cannot take more returns
 * WSP_STREAM_PAUSE from on_data and calls host->http_stream_resume()
 * when it has drained; the server is not read meanwhile, so TCP pushes
 * back on it, and other streams go on.
 *
 * Lifetime. on_done is called exactly once for every stream that
 * http_stream_open() started (the body's end, an error, the idle timeout,
 * the call's cancel token or deadline, http_stream_cancel(), or the core
 * shutting down); no callback of that stream runs after it. The handle
 * stays valid until http_stream_release(), which may come before or after
 * on_done (before: the stream is canceled, on_done still comes). The
 * payload must stay valid until on_done has returned, so a provider's
 * fini cancels its streams and waits for their on_done. The request and
 * the call are copied: nothing of them need outlive http_stream_open().
 *
 * Errors. Only 2xx bodies reach on_data. An error status ends the stream
 * with the blocking service's code and the server's own message (from
 * the first 64 KiB of its body); libcurl failures map the same way.
 * Messages read "cannot GET 'https://host/path': why", the query left out
 * and secrets masked. Streams are never retried: what to resume from is
 * the provider's knowledge.
 */
#ifndef WSP_STREAM_H
#define WSP_STREAM_H

#include <wsp/common.h>
#include <wsp/http.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A running stream, owned by the core. */
typedef struct wsp_http_stream wsp_http_stream;

/* on_data's answer: this piece was NOT taken; wait for resume. */
#define WSP_STREAM_PAUSE 1

/* wsp_http_stream_request.framing: what one on_data call carries. */
enum wsp_stream_framing {
	/* Pieces of the body as they arrive, cut anywhere. */
	WSP_STREAM_RAW = 0,
	/*
	 * One line, without its "\n" (and one "\r" before it): NDJSON,
	 * prefixed log lines. A last line without "\n" comes at the end.
	 */
	WSP_STREAM_LINES = 1,
	/*
	 * One Connect envelope's message (flags byte, 4-byte big-endian
	 * length, message), as E2B's process streams send them. The
	 * end-of-stream envelope is not handed over: its "error" ends the
	 * stream with the matching wsp code (service_code holds the Connect
	 * code, "not_found"...) and message; a body without one is
	 * WSP_EPROTO. Compressed envelopes are refused (wsp never asks).
	 */
	WSP_STREAM_CONNECT_ENVELOPE = 2
};

/*
 * One header of a 2xx response (name and value trimmed, NUL-terminated,
 * valid during the call), before any on_data. Return 0 to go on, or a
 * negative wsp code to end the stream with it.
 */
typedef int (*wsp_stream_header_fn)(wsp_http_stream *s, const char *name,
				    const char *value, void *payload);

/*
 * A piece of the body (RAW) or one whole frame (LINES, ENVELOPE), in
 * order; data is not NUL-terminated and lives only during the call.
 * Return 0 when taken; WSP_STREAM_PAUSE when NOT taken: delivery stops
 * until host->http_stream_resume(), then the same piece or frame comes
 * again (a RAW piece possibly cut differently); or a negative wsp code to
 * end the stream with it. (A PAUSE for a last line handed over at the
 * body's end is taken as 0: the body is already whole.)
 */
typedef int (*wsp_stream_data_fn)(wsp_http_stream *s, const char *data,
				  size_t len, void *payload);

/*
 * The end, exactly once: status is the HTTP status (0 when none came);
 * err is NULL when the body was read to its end (and, for envelopes, the
 * end-of-stream envelope carried no error), else the failure. err lives
 * only during the call.
 */
typedef void (*wsp_stream_done_fn)(wsp_http_stream *s, long status,
				   const wsp_error *err, void *payload);

/* Zero means "default" in every member; url, on_data, on_done required. */
typedef struct wsp_http_stream_request {
	uint32_t struct_size; /* sizeof(wsp_http_stream_request) */
	uint32_t flags;	      /* reserved, zero */
	const char *method;   /* NULL = "GET" */
	const char *url;      /* absolute http:// or https:// URL */
	const wsp_http_header *headers;
	size_t n_headers;
	const void *body; /* copied; may be NULL */
	size_t body_len;
	/*
	 * No byte for this long (headers or body) ends the stream with
	 * WSP_ETIMEDOUT; time the consumer kept it paused does not count.
	 * 0 = the workspace's http.low_speed_time (30 s). Pick it above the
	 * server's keep-alive interval (Blaxel 30 s, E2B 50 s).
	 */
	int64_t idle_timeout_ms;
	int64_t connect_timeout_ms; /* 0 = the workspace's (10 s) */
	/* The whole stream; 0 = none. The call's deadline bounds it too. */
	int64_t timeout_ms;
	/* NULL-terminated values masked in messages (API keys); copied. */
	const char *const *secrets;
	int framing;	  /* enum wsp_stream_framing */
	uint32_t max_frame; /* longest line or message; 0 = 1 MiB */
	wsp_stream_header_fn on_header; /* may be NULL */
	wsp_stream_data_fn on_data;	/* required */
	wsp_stream_done_fn on_done;	/* required */
	void *payload;
} wsp_http_stream_request;

#ifdef __cplusplus
}
#endif
#endif /* WSP_STREAM_H */
