/*
 * plugins/sandbox-daytona/logfollow.c - a session command's log over the
 * toolbox's WebSocket (see logfollow.h): the URL, the frames' bytes
 * through the demultiplexer and the trailer readers, and what ends it.
 */
#include "logfollow.h"
#include "wsconn.h"

#include <stdio.h>

static int tail_out(const char *p, size_t n, void *payload)
{
	struct dt_follow *f = payload;
	int rc = f->fn(f->cur, p, n, f->payload);

	if (rc)
		f->fn_rc = rc;
	return rc;
}

static int mux_out(int stream, const char *p, size_t n, void *payload)
{
	struct dt_follow *f = payload;

	f->cur = stream;
	return dt_tail_feed(&f->tail[stream], p, n, tail_out, f);
}

static int ws_data(const unsigned char *p, size_t n, void *payload)
{
	struct dt_follow *f = payload;
	int rc = dt_mux_feed(&f->mux, (const char *)p, n, mux_out, f);

	if (!rc && f->tail[0].ended && f->tail[1].ended)
		rc = DT_FOLLOW_ALL_IN;
	return rc;
}

int dt_follow_log(struct dt_follow *f, struct dt_cmd *c, const char *nonce,
		  int64_t deadline_ms, const wsp_call *call, dt_follow_fn fn,
		  void *payload, wsp_error *err)
{
	const wsp_host *h = c->d->host;
	char url[DT_URL_MAX + DT_PATH_MAX];
	struct dt_ws *ws = NULL;
	wsp_error e = { 0 };
	unsigned code = 0;
	long status = 0;
	int rc;

	dt_mux_init(&f->mux);
	dt_tail_init(&f->tail[0], nonce);
	dt_tail_init(&f->tail[1], nonce);
	f->fn = fn;
	f->payload = payload;
	f->fn_rc = 0;
	snprintf(url, sizeof url,
		 "%s/process/session/%s/command/%s/logs?follow=true", c->base,
		 c->sid, c->cid);
	rc = dt_ws_open(&ws, c->d, url, call, &status, &e);
	if (rc == DT_WS_REFUSED) {
		h->log(h, WSP_LOG_INFO,
		       "daytona: the toolbox refused the log follow's "
		       "WebSocket (HTTP %ld: %s); polling the log instead",
		       status, e.message);
		return DT_FOLLOW_POLL;
	}
	if (!rc)
		rc = dt_ws_run(ws, ws_data, f, deadline_ms, call, &code, &e);
	dt_ws_free(ws);
	if (f->fn_rc)
		return f->fn_rc;
	if (rc == DT_FOLLOW_ALL_IN ||
	    (!rc && f->tail[0].ended && f->tail[1].ended))
		return DT_FOLLOW_ALL_IN;
	if (rc == WSP_ECANCELED || rc == WSP_ETIMEDOUT)
		return wsp_error_set(err, rc, "following '%s': %s", c->sid,
				     e.message);
	if (rc)
		h->log(h, WSP_LOG_INFO,
		       "daytona: the log follow of '%s' stopped (%s); polling "
		       "the log from there", c->sid, e.message);
	/* closed before both trailers: polling says why */
	return DT_FOLLOW_POLL;
}
