/*
 * core/host/http_stream.c - the streaming engine: its loop thread, the work
 * other threads post to it, and stopping.
 *
 * Every call from outside the loop only marks a stream under eng->lock
 * and wakes the loop (uv_async); libcurl and libuv are touched on the
 * loop thread alone, so neither needs to be thread-safe here. A posting
 * holds a reference, so a stream released right after wsp__hs_cancel()
 * stays alive until the loop has seen the cancel.
 */
#include "http_stream_impl.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t wsp__hs_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void wsp__hs_unref(wsp__hs_stream *s)
{
	if (atomic_fetch_sub(&s->refs, 1) == 1)
		wsp__hs_easy_free(s);
}

enum { POST_START = 1, POST_CANCEL = 2, POST_RESUME = 4 };

/* Mark work for the loop (eng->lock held; not closed). */
static void post_locked(wsp__hs_stream *s, int what)
{
	wsp__hs_engine *eng = s->eng;

	s->want_start |= (what & POST_START) != 0;
	s->want_cancel |= (what & POST_CANCEL) != 0;
	s->want_resume |= (what & POST_RESUME) != 0;
	if (!s->queued) {
		s->queued = true;
		s->next_pending = eng->pending;
		eng->pending = s;
		atomic_fetch_add(&s->refs, 1);
	}
	/* Under the lock, so it never races the loop closing the handle. */
	uv_async_send(&eng->wake);
}

/* Mark work for the loop; nothing once the stream or the engine ended. */
static void post(wsp__hs_stream *s, int what)
{
	wsp__hs_engine *eng = s->eng;

	/* An ended stream may outlive its engine: never touch eng then. */
	if (atomic_load(&s->gone))
		return;
	pthread_mutex_lock(&eng->lock);
	if (!eng->closed)
		post_locked(s, what);
	pthread_mutex_unlock(&eng->lock);
}

/* One stream's posted work, on the loop. */
static void handle(wsp__hs_stream *s, bool start, bool cancel, bool resume,
		   bool stopping)
{
	if (s->ended)
		return;
	if (cancel || (stopping && !s->attached)) {
		s->canceled = cancel;
		s->stopped = !cancel;
		wsp__hs_easy_end(s, CURLE_OK);
		return;
	}
	if (start && !s->attached)
		wsp__hs_easy_attach(s);
	if (resume && s->attached && !s->ended)
		wsp__hs_easy_resume(s);
}

/* Run the work in list (taken off eng->pending). */
static void run_list(wsp__hs_engine *eng, wsp__hs_stream *s, bool stopping)
{
	while (s) {
		bool start, cancel, resume;
		wsp__hs_stream *next;

		/* next is read before queued drops: a new posting relinks */
		pthread_mutex_lock(&eng->lock);
		next = s->next_pending;
		start = s->want_start;
		cancel = s->want_cancel;
		resume = s->want_resume;
		s->want_start = s->want_cancel = s->want_resume = false;
		s->queued = false;
		pthread_mutex_unlock(&eng->lock);
		handle(s, start, cancel, resume, stopping);
		wsp__hs_unref(s);
		s = next;
	}
}

static wsp__hs_stream *take_pending(wsp__hs_engine *eng, bool *stopping,
				    bool close)
{
	wsp__hs_stream *list;

	pthread_mutex_lock(&eng->lock);
	list = eng->pending;
	eng->pending = NULL;
	*stopping = eng->stopping;
	if (close)
		eng->closed = true;
	pthread_mutex_unlock(&eng->lock);
	return list;
}

static void close_any(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, h->type == UV_POLL ? wsp__hs_sock_closed : NULL);
}

/* End every stream, release libcurl, close every handle: uv_run returns. */
static void stop(wsp__hs_engine *eng)
{
	bool stopping;

	while (eng->active) {
		eng->active->stopped = true;
		wsp__hs_easy_end(eng->active, CURLE_OK);
	}
	/* What on_done posted meanwhile; later postings are dropped. */
	run_list(eng, take_pending(eng, &stopping, true), true);
	(void)stopping;
	curl_multi_cleanup(eng->multi);
	eng->multi = NULL;
	uv_walk(&eng->loop, close_any, NULL);
}

static void on_wake(uv_async_t *a)
{
	wsp__hs_engine *eng = a->data;
	bool stopping;
	wsp__hs_stream *list = take_pending(eng, &stopping, false);

	run_list(eng, list, stopping);
	if (stopping)
		stop(eng);
}

static void *loop_main(void *arg)
{
	wsp__hs_engine *eng = arg;

	uv_run(&eng->loop, UV_RUN_DEFAULT);
	return NULL;
}

int wsp__hs_engine_new(wsp__hs_engine **out, wsp_error *err)
{
	wsp__hs_engine *eng;
	sigset_t all, old;
	int rc;

	*out = NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return wsp_error_set(err, WSP_ENOMEM,
				     "cannot start the http stream engine: "
				     "libcurl failed to initialise");
	eng = calloc(1, sizeof(*eng));
	if (!eng || uv_loop_init(&eng->loop)) {
		free(eng);
		curl_global_cleanup();
		return wsp_error_set(err, WSP_ENOMEM,
				     "cannot start the http stream engine: "
				     "no event loop");
	}
	pthread_mutex_init(&eng->lock, NULL);
	uv_async_init(&eng->loop, &eng->wake, on_wake);
	eng->wake.data = eng;
	uv_timer_init(&eng->loop, &eng->timer);
	eng->timer.data = eng;
	eng->multi = curl_multi_init();
	if (eng->multi)
		wsp__hs_sock_setup(eng);
	/* The loop thread takes no signal: they stay the program's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = eng->multi ? pthread_create(&eng->thread, NULL, loop_main, eng)
			: -1;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		if (eng->multi)
			curl_multi_cleanup(eng->multi);
		uv_close((uv_handle_t *)&eng->wake, NULL);
		uv_close((uv_handle_t *)&eng->timer, NULL);
		uv_run(&eng->loop, UV_RUN_DEFAULT);
		uv_loop_close(&eng->loop);
		pthread_mutex_destroy(&eng->lock);
		free(eng);
		curl_global_cleanup();
		return wsp_error_set(err, WSP_ENOMEM,
				     "cannot start the http stream engine: "
				     "no thread");
	}
	*out = eng;
	return 0;
}

void wsp__hs_engine_free(wsp__hs_engine *eng)
{
	if (!eng)
		return;
	/* From a callback this would wait for itself forever. */
	if (pthread_equal(pthread_self(), eng->thread))
		abort();
	pthread_mutex_lock(&eng->lock);
	eng->stopping = true;
	uv_async_send(&eng->wake);
	pthread_mutex_unlock(&eng->lock);
	pthread_join(eng->thread, NULL);
	uv_loop_close(&eng->loop);
	pthread_mutex_destroy(&eng->lock);
	free(eng);
	curl_global_cleanup();
}

static bool http_url(const char *url)
{
	return url &&
	       (!strncmp(url, "http://", 7) || !strncmp(url, "https://", 8));
}

int wsp__hs_start(wsp__hs_engine *eng, const wsp__hs_request *req,
		  wsp__hs_stream **out, wsp_error *err)
{
	wsp__http_settings set;
	wsp__hs_stream *s;
	char *ca = NULL;
	int rc;

	*out = NULL;
	if (!eng || !req || !req->method || !req->method[0] ||
	    strpbrk(req->method, " \r\n") || !http_url(req->url) ||
	    !req->on_data || !req->on_done || (req->n_headers && !req->headers))
		return wsp_error_set(err, WSP_EINVAL,
				     "invalid http stream: need a method, an "
				     "http:// or https:// url and callbacks");
	s = calloc(1, sizeof(*s));
	if (!s)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	s->eng = eng;
	s->cancel_fd = -1;
	atomic_init(&s->refs, 2); /* the caller's and the engine's */
	atomic_init(&s->gone, false);
	wsp__http_effective(&set, &ca, req->ws);
	s->ca = ca;
	rc = wsp__hs_easy_new(s, req, &set, err);
	if (rc) {
		wsp__hs_easy_free(s);
		return rc;
	}
	/* Checked and queued under one lock: a stream is either refused
	 * here or sure to reach the loop before it closes. */
	pthread_mutex_lock(&eng->lock);
	if (eng->stopping) {
		pthread_mutex_unlock(&eng->lock);
		wsp__hs_easy_free(s);
		return wsp_error_set(err, WSP_ECANCELED,
				     "cannot start an http stream: the engine "
				     "is stopping");
	}
	post_locked(s, POST_START);
	pthread_mutex_unlock(&eng->lock);
	*out = s;
	return 0;
}

void wsp__hs_resume(wsp__hs_stream *s)
{
	if (s)
		post(s, POST_RESUME);
}

void wsp__hs_cancel(wsp__hs_stream *s)
{
	if (s)
		post(s, POST_CANCEL);
}

void wsp__hs_release(wsp__hs_stream *s)
{
	if (!s)
		return;
	post(s, POST_CANCEL);
	wsp__hs_unref(s);
}
