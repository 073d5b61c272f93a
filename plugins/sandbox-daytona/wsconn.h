/*
 * plugins/sandbox-daytona/wsconn.h - one WebSocket to the toolbox (the
 * log follow), on a connection libcurl makes (issue 15).
 *
 * libcurl connects (CURLOPT_CONNECT_ONLY: TLS, the CA bundle, proxies
 * through a CONNECT tunnel and the connect timeout are libcurl's), the
 * upgrade request and the 101 answer go through curl_easy_send and
 * curl_easy_recv, and the frames through wsframe.c. The core's HTTP
 * service cannot hand over a raw connection on ABI 2.0, and Debian 12's
 * libcurl (7.88) is built without its own WebSocket support.
 */
#ifndef WSP_DAYTONA_WSCONN_H
#define WSP_DAYTONA_WSCONN_H

#include "daytona.h"

struct dt_ws;

/* dt_ws_open's answer when the server did not switch protocols. */
#define DT_WS_REFUSED 1

/*
 * Upgrade GET url (http:// or https://, sent as is) with the toolbox's
 * headers. 0 and *out; DT_WS_REFUSED with *status (0: an answer that
 * was not HTTP) when the server answered but not with a valid 101 (err
 * says why); a negative wsp code when no answer came.
 */
int dt_ws_open(struct dt_ws **out, struct dt *d, const char *url,
	       const wsp_call *call, long *status, wsp_error *err);

/* A piece of a data message's payload (never empty); non-zero stops
 * dt_ws_run with that code (0x636c6f73 is taken). */
typedef int (*dt_ws_data_fn)(const unsigned char *data, size_t len,
			     void *payload);

/*
 * Read messages until the server closes: 0 after its close frame (its
 * code in *code, 1005 when it gave none; the close is answered). Else
 * WSP_EUNAVAIL when the connection broke without a close, WSP_EPROTO,
 * fn's code, the call's WSP_ECANCELED / WSP_ETIMEDOUT, or WSP_ETIMEDOUT
 * at deadline_ms (CLOCK_MONOTONIC ms; 0 none). Pings are answered.
 */
int dt_ws_run(struct dt_ws *ws, dt_ws_data_fn fn, void *payload,
	      int64_t deadline_ms, const wsp_call *call, unsigned *code,
	      wsp_error *err);

/* Close (a close frame when still open) and free; NULL is fine. */
void dt_ws_free(struct dt_ws *ws);

#endif
