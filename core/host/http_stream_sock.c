/*
 * core/host/http_stream_sock.c - libcurl's multi-socket interface on the
 * engine's uv loop, the pattern of curl's docs/examples/multi-uv.c:
 * libcurl says which sockets to watch (CURLMOPT_SOCKETFUNCTION, one
 * uv_poll each) and when to call back (CURLMOPT_TIMERFUNCTION, one
 * uv_timer); readiness and timeouts go back in through
 * curl_multi_socket_action(). Nothing here blocks or sleeps, so one thread
 * serves every stream.
 */
#include "http_stream_impl.h"

#include <stdlib.h>

struct sock {
	uv_poll_t poll; /* first: the handle is the struct */
	curl_socket_t fd;
	wsp__hs_engine *eng;
};

void wsp__hs_sock_closed(uv_handle_t *h)
{
	free(h); /* struct sock starts with its handle */
}

void wsp__hs_sock_check_done(wsp__hs_engine *eng)
{
	CURLMsg *msg;
	int left;

	while (eng->multi && (msg = curl_multi_info_read(eng->multi, &left))) {
		wsp__hs_stream *s = NULL;
		CURLcode rc = msg->data.result;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &s);
		/* msg dies with the handle's removal: rc was read first */
		if (s)
			wsp__hs_easy_end(s, rc);
	}
}

static void on_poll(uv_poll_t *h, int status, int events)
{
	struct sock *c = h->data;
	wsp__hs_engine *eng = c->eng;
	int flags = 0, running;

	/*
	 * libuv reports a socket's POLLERR (a reset by the peer) as a failed
	 * poll. CURL_CSELECT_ERR alone would fail the transfer with "select/
	 * poll returned error"; curl's own poll loop instead lets the next
	 * read or write meet the socket's error, which names it (connection
	 * reset) and lets curl retry a reused connection that died unused.
	 */
	if (status < 0)
		flags = CURL_CSELECT_IN | CURL_CSELECT_OUT;
	if (events & UV_READABLE)
		flags |= CURL_CSELECT_IN;
	if (events & UV_WRITABLE)
		flags |= CURL_CSELECT_OUT;
	/* c may be closed inside (CURL_POLL_REMOVE); its memory stays
	 * until the close callback, which runs later on this loop */
	curl_multi_socket_action(eng->multi, c->fd, flags, &running);
	wsp__hs_sock_check_done(eng);
}

static void on_timeout(uv_timer_t *t)
{
	wsp__hs_engine *eng = t->data;
	int running;

	curl_multi_socket_action(eng->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	wsp__hs_sock_check_done(eng);
}

static int on_curl_timer(CURLM *multi, long ms, void *u)
{
	wsp__hs_engine *eng = u;

	(void)multi;
	if (ms < 0)
		uv_timer_stop(&eng->timer);
	else /* 0 = as soon as possible: the next loop iteration */
		uv_timer_start(&eng->timer, on_timeout, (uint64_t)ms, 0);
	return 0;
}

static int on_curl_socket(CURL *easy, curl_socket_t fd, int what, void *u,
			  void *sockp)
{
	wsp__hs_engine *eng = u;
	struct sock *c = sockp;
	int events = 0;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (c) {
			uv_poll_stop(&c->poll);
			uv_close((uv_handle_t *)&c->poll, wsp__hs_sock_closed);
			/* no curl_multi_assign: curl forgets the socket itself,
			 * also while curl_multi_cleanup() runs */
		}
		return 0;
	}
	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c)
			return -1;
		if (uv_poll_init_socket(&eng->loop, &c->poll, fd)) {
			free(c);
			return -1;
		}
		c->fd = fd;
		c->eng = eng;
		c->poll.data = c;
		curl_multi_assign(eng->multi, fd, c);
	}
	if (what & CURL_POLL_IN)
		events |= UV_READABLE;
	if (what & CURL_POLL_OUT)
		events |= UV_WRITABLE;
	if (events)
		uv_poll_start(&c->poll, events, on_poll);
	else
		uv_poll_stop(&c->poll);
	return 0;
}

void wsp__hs_sock_setup(wsp__hs_engine *eng)
{
	curl_multi_setopt(eng->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
	curl_multi_setopt(eng->multi, CURLMOPT_SOCKETDATA, eng);
	curl_multi_setopt(eng->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
	curl_multi_setopt(eng->multi, CURLMOPT_TIMERDATA, eng);
}
