/*
 * plugins/sandbox-daytona/wsconn.c - a WebSocket client connection to
 * the toolbox (see wsconn.h): the opening handshake of RFC 6455 §4 over
 * a socket libcurl connected, then frames read as they come, pings
 * answered, the close handshake.
 *
 * Blocking, on the calling thread (the exec's, or a follow's): the
 * socket and the call's cancel descriptor are polled together, so a
 * cancel or a deadline ends the wait at once. Memory is bounded: one
 * read buffer and the decoder's state; data passes straight through.
 */
#include "wsconn.h"
#include "wsframe.h"

#include <curl/curl.h>
#include <openssl/sha.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define WS_BUF (64u << 10)
#define WS_HEAD_MAX (16u << 10) /* the 101 answer's header */
/* Longest frame taken: the daemon sends reads of 1 KiB; generous. */
#define WS_FRAME_MAX (16u << 20)

struct dt_ws {
	struct dt *d;
	CURL *curl;
	curl_socket_t sock;
	struct dt_ws_dec dec;
	unsigned char buf[WS_BUF];
	size_t have; /* bytes in buf not yet decoded (after the head) */
	int closed;  /* a close frame was sent */
	unsigned close_code;
	int got_close;
	dt_ws_data_fn fn;
	void *payload;
	int64_t deadline;
	const wsp_call *call;
	wsp_error *err;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for the socket (events), the call's end or the deadline. */
static int wait_sock(struct dt_ws *ws, short events)
{
	const wsp_host *h = ws->d->host;
	struct pollfd p[2] = { { .fd = (int)ws->sock, .events = events },
			       { .fd = h->call_fd(h, ws->call),
				 .events = POLLIN } };
	int64_t left = h->call_remaining_ms(h, ws->call), ms = 1000;
	int rc;

	if ((rc = h->call_expired(h, ws->call)))
		return wsp_error_set(ws->err, rc, "the log follow was %s",
				     rc == WSP_ECANCELED ? "canceled"
							 : "out of time");
	if (ws->deadline) {
		if (now_ms() >= ws->deadline)
			return wsp_error_set(ws->err, WSP_ETIMEDOUT,
					     "the log follow is out of time");
		if (ws->deadline - now_ms() < ms)
			ms = ws->deadline - now_ms();
	}
	if (left >= 0 && left < ms)
		ms = left;
	poll(p, p[1].fd >= 0 ? 2 : 1, (int)(ms > 0 ? ms : 0));
	return 0;
}

static int send_all(struct dt_ws *ws, const void *data, size_t len)
{
	const char *p = data;
	size_t n;
	CURLcode cc;
	int rc;

	while (len) {
		cc = curl_easy_send(ws->curl, p, len, &n);
		if (cc == CURLE_AGAIN) {
			if ((rc = wait_sock(ws, POLLOUT)))
				return rc;
			continue;
		}
		if (cc != CURLE_OK)
			return wsp_error_set(ws->err, WSP_EUNAVAIL,
					     "the log follow's connection "
					     "broke: %s", curl_easy_strerror(cc));
		p += n;
		len -= n;
	}
	return 0;
}

/* Up to cap bytes into p: *n (0 at the end of the stream). */
static int recv_some(struct dt_ws *ws, unsigned char *p, size_t cap,
		     size_t *n)
{
	CURLcode cc;
	int rc;

	for (;;) {
		cc = curl_easy_recv(ws->curl, p, cap, n);
		if (cc == CURLE_OK)
			return 0;
		if (cc != CURLE_AGAIN)
			return wsp_error_set(ws->err, WSP_EUNAVAIL,
					     "the log follow's connection "
					     "broke: %s", curl_easy_strerror(cc));
		if ((rc = wait_sock(ws, POLLIN)))
			return rc;
	}
}

static int send_frame(struct dt_ws *ws, int opcode, const void *data,
		      size_t len)
{
	unsigned char out[DT_WS_HEAD_MAX + DT_WS_CTL_MAX], mask[4];
	size_t n;

	if (getrandom(mask, sizeof mask, 0) != (ssize_t)sizeof mask)
		return wsp_error_set(ws->err, WSP_EIO, "no random bytes");
	n = dt_ws_encode(out, opcode, data, len, mask);
	return send_all(ws, out, n);
}

/* The request's Host, path and query from the URL. */
static int url_parts(char *host, size_t hcap, char *target, size_t tcap,
		     const char *url, wsp_error *err)
{
	CURLU *u = curl_url();
	char *h = NULL, *port = NULL, *path = NULL, *query = NULL;
	int rc = 0;

	if (!u || curl_url_set(u, CURLUPART_URL, url, 0) ||
	    curl_url_get(u, CURLUPART_HOST, &h, 0) ||
	    curl_url_get(u, CURLUPART_PATH, &path, 0)) {
		rc = wsp_error_set(err, WSP_EINVAL, "not a toolbox URL");
		goto out;
	}
	curl_url_get(u, CURLUPART_PORT, &port, 0); /* only when given */
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	if ((size_t)snprintf(host, hcap, "%s%s%s", h, port ? ":" : "",
			     port ? port : "") >= hcap ||
	    (size_t)snprintf(target, tcap, "%s%s%s", path, query ? "?" : "",
			     query ? query : "") >= tcap)
		rc = wsp_error_set(err, WSP_ETOOBIG, "toolbox URL too long");
out:
	curl_free(h);
	curl_free(port);
	curl_free(path);
	curl_free(query);
	curl_url_cleanup(u);
	return rc;
}

/* A header's value in the head (name: value\r\n), copied; 0 if absent. */
static int head_value(char *out, size_t cap, const char *head,
		      const char *name)
{
	size_t nl = strlen(name);
	const char *p = strstr(head, "\r\n");

	for (; p && p[2]; p = strstr(p + 2, "\r\n")) {
		const char *line = p + 2, *v, *e;

		if (strncasecmp(line, name, nl) || line[nl] != ':')
			continue;
		for (v = line + nl + 1; *v == ' ' || *v == '\t'; v++)
			;
		e = strstr(v, "\r\n");
		while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if ((size_t)(e - v) >= cap)
			return 0;
		memcpy(out, v, (size_t)(e - v));
		out[e - v] = '\0';
		return 1;
	}
	return 0;
}

/* Whether a comma-separated header value holds token. */
static int has_token(const char *v, const char *token)
{
	size_t n = strlen(token);

	while (*v) {
		while (*v == ' ' || *v == ',' || *v == '\t')
			v++;
		if (!strncasecmp(v, token, n) &&
		    (!v[n] || v[n] == ',' || v[n] == ' ' || v[n] == '\t'))
			return 1;
		while (*v && *v != ',')
			v++;
	}
	return 0;
}

/* The 101 answer's checks (RFC 6455 §4.1, the client's side). */
static int check_switch(struct dt_ws *ws, const char *head, const char *key)
{
	char v[256], want[64], src[128];
	unsigned char sha[SHA_DIGEST_LENGTH];

	snprintf(src, sizeof src, "%s%s", key, WS_GUID);
	SHA1((const unsigned char *)src, strlen(src), sha);
	dt_base64(want, sha, sizeof sha);
	if (!head_value(v, sizeof v, head, "Upgrade") ||
	    !has_token(v, "websocket") ||
	    !head_value(v, sizeof v, head, "Connection") ||
	    !has_token(v, "upgrade"))
		return wsp_error_set(ws->err, WSP_EPROTO,
				     "the toolbox switched to something "
				     "other than a WebSocket");
	if (!head_value(v, sizeof v, head, "Sec-WebSocket-Accept") ||
	    strcmp(v, want))
		return wsp_error_set(ws->err, WSP_EPROTO,
				     "the toolbox's Sec-WebSocket-Accept is "
				     "wrong");
	/* wsp offered no extension and no subprotocol */
	if (head_value(v, sizeof v, head, "Sec-WebSocket-Extensions") ||
	    head_value(v, sizeof v, head, "Sec-WebSocket-Protocol"))
		return wsp_error_set(ws->err, WSP_EPROTO,
				     "the toolbox chose an extension or "
				     "subprotocol wsp did not offer");
	return 0;
}

/* Read the answer's head; *status from its status line. */
static int read_head(struct dt_ws *ws, long *status, const char *key)
{
	char *end = NULL;
	size_t n, hl;
	int rc;

	ws->have = 0;
	while (!end) {
		if (ws->have >= WS_HEAD_MAX)
			return wsp_error_set(ws->err, WSP_EPROTO,
					     "the toolbox's answer to the "
					     "upgrade has no end of header");
		if ((rc = recv_some(ws, ws->buf + ws->have,
				    WS_HEAD_MAX - ws->have, &n)))
			return rc;
		if (!n)
			return wsp_error_set(ws->err, WSP_EUNAVAIL,
					     "the toolbox closed the "
					     "connection before answering");
		ws->have += n;
		ws->buf[ws->have] = '\0'; /* WS_HEAD_MAX < WS_BUF */
		end = memmem(ws->buf, ws->have, "\r\n\r\n", 4);
	}
	hl = (size_t)(end - (char *)ws->buf) + 4;
	end[2] = '\0'; /* the head, its last line's CRLF kept */
	if (sscanf((char *)ws->buf, "HTTP/1.%*1[01] %3ld", status) != 1)
		*status = 0;
	if (*status != 101) {
		rc = wsp_error_set(ws->err, WSP_EPROTO,
				   "the toolbox answered the upgrade with "
				   "HTTP %ld", *status);
		return DT_WS_REFUSED;
	}
	if (check_switch(ws, (char *)ws->buf, key))
		return DT_WS_REFUSED;
	/* frames that came with the head */
	memmove(ws->buf, ws->buf + hl, ws->have - hl);
	ws->have -= hl;
	(void)rc;
	return 0;
}

static int connect_to(struct dt_ws *ws, const char *url)
{
	struct dt *d = ws->d;
	const wsp_host *h = d->host;
	int64_t left = h->call_remaining_ms(h, ws->call), ms = 10000;
	CURLcode cc;

	if (!(ws->curl = curl_easy_init()))
		return wsp_error_set(ws->err, WSP_ENOMEM, "out of memory");
	if (left >= 0 && left < ms)
		ms = left > 0 ? left : 1;
	curl_easy_setopt(ws->curl, CURLOPT_URL, url);
	curl_easy_setopt(ws->curl, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(ws->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(ws->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)ms);
	/* a proxy carries the upgrade only through a tunnel */
	curl_easy_setopt(ws->curl, CURLOPT_HTTPPROXYTUNNEL, 1L);
	cc = curl_easy_perform(ws->curl);
	if (cc == CURLE_OK)
		cc = curl_easy_getinfo(ws->curl, CURLINFO_ACTIVESOCKET,
				       &ws->sock);
	if (cc != CURLE_OK)
		return wsp_error_set(ws->err, WSP_EUNAVAIL,
				     "cannot reach the toolbox's log follow: "
				     "%s", curl_easy_strerror(cc));
	return 0;
}

int dt_ws_open(struct dt_ws **out, struct dt *d, const char *url,
	       const wsp_call *call, long *status, wsp_error *err)
{
	struct dt_ws *ws = calloc(1, sizeof(*ws));
	char host[512], target[DT_URL_MAX + 64], key[32], *req;
	unsigned char raw[16];
	size_t cap = 2048 + DT_URL_MAX + strlen(d->cfg.api_key);
	int rc, n;

	*out = NULL;
	*status = 0;
	if (!ws)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	ws->d = d;
	ws->call = call;
	ws->err = err;
	ws->deadline = d->cfg.request_timeout_ms
			       ? now_ms() + d->cfg.request_timeout_ms
			       : 0;
	dt_ws_dec_init(&ws->dec, WS_FRAME_MAX);
	if ((rc = url_parts(host, sizeof host, target, sizeof target, url,
			    err)))
		goto fail;
	if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
		rc = wsp_error_set(err, WSP_EIO, "no random bytes");
		goto fail;
	}
	dt_base64(key, raw, sizeof raw);
	if (!(req = malloc(cap))) {
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
		goto fail;
	}
	n = snprintf(req, cap,
		     "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
		     "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
		     "Sec-WebSocket-Version: 13\r\n"
		     "Authorization: Bearer %s\r\n"
		     "X-Daytona-SDK-Version: " DT_SDK_VERSION "\r\n"
		     "X-Daytona-Source: wsp\r\n\r\n",
		     target, host, key, d->cfg.api_key);
	rc = n < 0 || (size_t)n >= cap
		     ? wsp_error_set(err, WSP_ETOOBIG, "request too long")
		     : 0;
	if (!rc && !(rc = connect_to(ws, url)))
		rc = send_all(ws, req, (size_t)n);
	memset(req, 0, cap); /* the key */
	free(req);
	if (!rc)
		rc = read_head(ws, status, key);
	if (rc)
		goto fail;
	ws->deadline = 0;
	*out = ws;
	return 0;
fail:
	ws->closed = 1; /* nothing to close politely */
	dt_ws_free(ws);
	return rc;
}

/* the event handler saw the server's close (no code fn returns) */
enum { STOP_CLOSE = 0x636c6f73 };

static int on_event(int opcode, const unsigned char *p, size_t len, int fin,
		    void *payload)
{
	struct dt_ws *ws = payload;

	(void)fin;
	switch (opcode) {
	case DT_WS_TEXT:
	case DT_WS_BINARY:
		return len ? ws->fn(p, len, ws->payload) : 0;
	case DT_WS_PING:
		return send_frame(ws, DT_WS_PONG, p, len);
	case DT_WS_CLOSE:
		ws->got_close = 1;
		ws->close_code = len >= 2 ? ((unsigned)p[0] << 8) | p[1] : 1005;
		return STOP_CLOSE;
	default: /* a pong we never asked for */
		return 0;
	}
}

/* Answer the server's close: its code echoed (none for 1005). */
static void answer_close(struct dt_ws *ws)
{
	unsigned char c[2] = { (unsigned char)(ws->close_code >> 8),
			       (unsigned char)ws->close_code };

	ws->closed = 1;
	send_frame(ws, DT_WS_CLOSE, c, ws->close_code == 1005 ? 0 : 2);
}

int dt_ws_run(struct dt_ws *ws, dt_ws_data_fn fn, void *payload,
	      int64_t deadline_ms, const wsp_call *call, unsigned *code,
	      wsp_error *err)
{
	size_t n = ws->have;
	int rc;

	ws->fn = fn;
	ws->payload = payload;
	ws->deadline = deadline_ms;
	ws->call = call;
	ws->err = err;
	ws->have = 0;
	for (;;) {
		rc = n ? dt_ws_dec_feed(&ws->dec, ws->buf, n, on_event, ws)
		       : 0;
		if (rc == STOP_CLOSE) {
			wsp_error e = { 0 };

			ws->err = &e; /* the answer is a courtesy */
			answer_close(ws);
			*code = ws->close_code;
			return 0;
		}
		if (rc == WSP_EPROTO && ws->dec.failed)
			return wsp_error_set(err, WSP_EPROTO,
					     "the toolbox's log follow sent %s",
					     ws->dec.why);
		if (rc)
			return rc;
		if ((rc = recv_some(ws, ws->buf, WS_BUF, &n)))
			return rc;
		if (!n) {
			ws->closed = 1;
			return wsp_error_set(err, WSP_EUNAVAIL,
					     "the toolbox's log follow ended "
					     "without a close");
		}
	}
}

void dt_ws_free(struct dt_ws *ws)
{
	if (!ws)
		return;
	if (!ws->closed && ws->curl) {
		/* a close of our own, without waiting for the answer */
		static const unsigned char bye[2] = { 0x03, 0xe8 };
		wsp_error e = { 0 };

		ws->err = &e;
		ws->deadline = now_ms() + 200;
		ws->call = NULL;
		send_frame(ws, DT_WS_CLOSE, bye, 2);
	}
	if (ws->curl)
		curl_easy_cleanup(ws->curl);
	free(ws);
}
