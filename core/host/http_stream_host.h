/*
 * core/host/http_stream_host.h - the streaming engine in the host table
 * (host->http_stream_*, <wsp/stream.h>), and the one engine the process
 * shares.
 *
 * The engine starts on the first stream opened and stops when the last
 * workspace closes (each holds it while open, and its providers' fini
 * has ended their streams by then), or when libwsp is unloaded with no
 * workspace open (a program that used host tables without one: tests).
 */
#ifndef WSP_CORE_HTTP_STREAM_HOST_H
#define WSP_CORE_HTTP_STREAM_HOST_H

#include "internal.h"

#include <stdbool.h>
#include <wsp/host.h>

/* The host table's four slots: see <wsp/host.h>. */
WSP_INTERNAL int wsp__hs_host_open(wsp_http_stream **out, const wsp_host *host,
				   const wsp_call *call,
				   const wsp_http_stream_request *req,
				   wsp_error *err);
WSP_INTERNAL void wsp__hs_host_resume(const wsp_host *host,
				      wsp_http_stream *s);
WSP_INTERNAL void wsp__hs_host_cancel(const wsp_host *host,
				      wsp_http_stream *s);
WSP_INTERNAL void wsp__hs_host_release(const wsp_host *host,
				       wsp_http_stream *s);

/* A workspace opens (hold) and closes (drop, after its providers' fini). */
WSP_INTERNAL void wsp__hs_shared_hold(void);
WSP_INTERNAL void wsp__hs_shared_drop(void);

/*
 * Stop the shared engine now unless a workspace holds it (streams still
 * running end with WSP_ECANCELED first); a later open starts a new one.
 * Never from a stream callback. Returns whether one was stopped.
 */
WSP_INTERNAL bool wsp__hs_shared_stop(void);

/* Whether the shared engine runs (tests). */
WSP_INTERNAL bool wsp__hs_shared_running(void);

#endif /* WSP_CORE_HTTP_STREAM_HOST_H */
