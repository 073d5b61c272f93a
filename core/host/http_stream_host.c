/*
 * core/host/http_stream_host.c - host->http_stream_*: a provider's request
 * normalised (abi_normalize.h) and handed to the process's one engine
 * (http_stream.c), its callbacks wrapped so the provider sees only
 * <wsp/stream.h> types.
 *
 * A wsp_http_stream holds two references: the provider's (until
 * http_stream_release) and the engine's (until on_done has returned). The
 * engine's stream inside is released with the last one.
 */
#include "abi_normalize.h"
#include "call.h"
#include "host.h"
#include "http_stream.h"
#include "http_stream_host.h"

#include <wsp/cancel.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

_Static_assert(WSP_STREAM_PAUSE == WSP__HS_PAUSE, "one pause answer");
_Static_assert((int)WSP_STREAM_RAW == (int)WSP__HS_RAW &&
		       (int)WSP_STREAM_LINES == (int)WSP__HS_LINES &&
		       (int)WSP_STREAM_CONNECT_ENVELOPE == (int)WSP__HS_ENVELOPE,
	       "one framing enum");

struct wsp_http_stream {
	/* Set after start and by every callback (the same value): a
	 * callback may come before wsp__hs_start() has returned. */
	_Atomic(wsp__hs_stream *) hs;
	atomic_int refs;
	wsp_stream_header_fn on_header;
	wsp_stream_data_fn on_data;
	wsp_stream_done_fn on_done;
	void *payload;
};

/* The process's engine. */
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static wsp__hs_engine *shared;	/* (shared_lock) */
static pid_t shared_pid;	/* the process whose thread runs it */
static unsigned shared_users;	/* (shared_lock) open workspaces */

static void unref(wsp_http_stream *w)
{
	if (atomic_fetch_sub(&w->refs, 1) != 1)
		return;
	wsp__hs_release(atomic_load(&w->hs));
	free(w);
}

static int t_header(wsp__hs_stream *hs, const char *name, const char *value,
		    void *p)
{
	wsp_http_stream *w = p;

	atomic_store(&w->hs, hs);
	return w->on_header(w, name, value, w->payload);
}

static int t_data(wsp__hs_stream *hs, const char *data, size_t len, void *p)
{
	wsp_http_stream *w = p;

	atomic_store(&w->hs, hs);
	return w->on_data(w, data, len, w->payload);
}

static void t_done(wsp__hs_stream *hs, long status, const wsp_error *err,
		   void *p)
{
	wsp_http_stream *w = p;

	atomic_store(&w->hs, hs);
	w->on_done(w, status, err, w->payload);
	unref(w); /* the engine's */
}

/* The call's cancel token and deadline (call.c); 0 to go on. */
static int check_call(const wsp_call *call, int64_t *timeout_ms,
		      const wsp_cancel **cancel, wsp_error *err)
{
	wsp_call c;
	int64_t left;
	int rc;

	wsp__call_normalize(&c, call);
	*cancel = c.cancel;
	rc = wsp__call_expired(&c);
	if (rc == WSP_ECANCELED)
		return wsp_error_set(err, rc,
				     "cannot open an http stream: the call "
				     "was canceled");
	if (rc)
		return wsp_error_set(err, rc,
				     "cannot open an http stream: the call's "
				     "deadline has passed");
	left = wsp__call_remaining_ms(&c);
	if (left >= 0 && (*timeout_ms <= 0 || *timeout_ms > left))
		*timeout_ms = left ? left : 1;
	return 0;
}

/* Start on the shared engine, starting it first if need be. */
static int start_shared(const wsp__hs_request *r, wsp__hs_stream **out,
			wsp_error *err)
{
	int rc = 0;

	pthread_mutex_lock(&shared_lock);
	if (!shared) {
		rc = wsp__hs_engine_new(&shared, err);
		shared_pid = getpid();
	}
	if (!rc)
		rc = wsp__hs_start(shared, r, out, err);
	pthread_mutex_unlock(&shared_lock);
	return rc;
}

int wsp__hs_host_open(wsp_http_stream **out, const wsp_host *host,
		      const wsp_call *call, const wsp_http_stream_request *req,
		      wsp_error *err)
{
	wsp_http_stream_request r;
	wsp__hs_request hr;
	wsp_http_stream *w;
	wsp__hs_stream *hs = NULL;
	char **secrets;
	uint32_t theirs;
	int rc;

	if (!out)
		return wsp_error_set(err, WSP_EINVAL,
				     "no place for the http stream");
	*out = NULL;
	theirs = wsp__sized_copy(&r, sizeof(r), req);
	if (!req || theirs < offsetof(wsp_http_stream_request, payload))
		return wsp_error_set(err, WSP_EINVAL,
				     "invalid http stream: the request is "
				     "missing or its struct_size too small");
	if (r.flags)
		return wsp_error_set(err, WSP_EINVAL,
				     "invalid http stream: unknown flags "
				     "0x%x",
				     (unsigned)r.flags);
	memset(&hr, 0, sizeof(hr));
	hr.timeout_ms = r.timeout_ms;
	rc = check_call(call, &hr.timeout_ms, &hr.cancel, err);
	if (rc)
		return rc;
	w = calloc(1, sizeof(*w));
	secrets = wsp__host_secrets(host, r.secrets);
	if (!w || !secrets) {
		free(w);
		wsp__host_secrets_free(secrets);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	atomic_init(&w->refs, 2); /* the provider's and the engine's */
	atomic_init(&w->hs, NULL);
	w->on_header = r.on_header;
	w->on_data = r.on_data;
	w->on_done = r.on_done;
	w->payload = r.payload;
	hr.method = r.method ? r.method : "GET";
	hr.url = r.url;
	hr.headers = r.headers;
	hr.n_headers = r.n_headers;
	hr.body = r.body;
	hr.body_len = r.body_len;
	hr.idle_timeout_ms = r.idle_timeout_ms;
	hr.connect_timeout_ms = r.connect_timeout_ms;
	hr.secrets = (const char *const *)secrets;
	hr.ws = wsp__host_http_settings(host);
	hr.framing = r.framing;
	hr.max_frame = r.max_frame;
	hr.on_header = r.on_header ? t_header : NULL;
	/* NULL stays NULL: the engine refuses the request. */
	hr.on_data = r.on_data ? t_data : NULL;
	hr.on_done = r.on_done ? t_done : NULL;
	hr.payload = w;
	rc = start_shared(&hr, &hs, err);
	wsp__host_secrets_free(secrets);
	if (rc) {
		free(w);
		return rc;
	}
	atomic_store(&w->hs, hs);
	*out = w;
	return 0;
}

void wsp__hs_host_resume(const wsp_host *host, wsp_http_stream *s)
{
	(void)host;
	if (s)
		wsp__hs_resume(atomic_load(&s->hs));
}

void wsp__hs_host_cancel(const wsp_host *host, wsp_http_stream *s)
{
	(void)host;
	if (s)
		wsp__hs_cancel(atomic_load(&s->hs));
}

void wsp__hs_host_release(const wsp_host *host, wsp_http_stream *s)
{
	(void)host;
	if (!s)
		return;
	wsp__hs_cancel(atomic_load(&s->hs));
	unref(s);
}

void wsp__hs_shared_hold(void)
{
	pthread_mutex_lock(&shared_lock);
	shared_users++;
	pthread_mutex_unlock(&shared_lock);
}

/* Take the engine out under the lock; free it outside (its callbacks may
 * open streams, which takes the lock). */
static bool stop_if_unused(void)
{
	wsp__hs_engine *eng = NULL;

	pthread_mutex_lock(&shared_lock);
	/* A forked child has the memory but not the thread. */
	if (!shared_users && shared && shared_pid == getpid()) {
		eng = shared;
		shared = NULL;
	}
	pthread_mutex_unlock(&shared_lock);
	wsp__hs_engine_free(eng);
	return eng != NULL;
}

void wsp__hs_shared_drop(void)
{
	pthread_mutex_lock(&shared_lock);
	if (shared_users)
		shared_users--;
	pthread_mutex_unlock(&shared_lock);
	stop_if_unused();
}

bool wsp__hs_shared_stop(void)
{
	return stop_if_unused();
}

bool wsp__hs_shared_running(void)
{
	bool on;

	pthread_mutex_lock(&shared_lock);
	on = shared != NULL;
	pthread_mutex_unlock(&shared_lock);
	return on;
}

/*
 * libwsp unloaded (dlclose, or exit) with no workspace open: no thread is
 * left behind. With one open, streams may still be in use by other
 * threads; the engine stays (the process is ending).
 */
__attribute__((destructor)) static void unload(void)
{
	stop_if_unused();
}
