/*
 * core/host/http.c - the HTTP service behind host->http_request.
 *
 * Every request runs on its own easy handle attached to one process-wide
 * curl share (connections, DNS, TLS sessions), so connections are reused
 * across calls and threads without a handle pool. The attempt loop lives
 * here; what to retry and how long to wait is in http_retry.c, masking in
 * http_log.c, error mapping in http_error.c.
 *
 * Streaming rule: a response sink only ever sees the 2xx body of the
 * attempt that becomes the final one. Once a byte reached the sink the
 * request is never retried: a later failure is returned as an error, so
 * the caller never mistakes a spliced body for a whole one.
 */
#include "http.h"
#include "call.h"
#include "host.h"
#include "tbuf.h"

#include <curl/curl.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DEFAULT_CONNECT_TIMEOUT_MS 10000
#define DEFAULT_LOW_SPEED_TIME_MS  30000
#define DEFAULT_LOW_SPEED_LIMIT	   1
#define DEFAULT_MAX_ATTEMPTS	   4
#define DEFAULT_BACKOFF_BASE_MS	   200
#define DEFAULT_BACKOFF_MAX_MS	   20000
#define DEFAULT_MAX_COLLECTED	   ((size_t)256 << 20)
/* Error bodies are kept only this far, for the message. */
#define ERROR_BODY_MAX 65536
/* Response headers kept per attempt (libcurl bounds each line itself). */
#define HEADER_BYTES_MAX 65536
#define TRANSFER_BUFFER	 (256 * 1024)

struct service {
	pthread_mutex_t settings_lock;
	wsp__http_settings settings;
	char *ca_bundle;
	CURLSH *share;
	pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
	int init_rc;
};

static struct service svc = {
	.settings_lock = PTHREAD_MUTEX_INITIALIZER,
};
static pthread_once_t svc_once = PTHREAD_ONCE_INIT;

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access acc,
		       void *u)
{
	(void)h;
	(void)acc;
	(void)u;
	pthread_mutex_lock(&svc.locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *u)
{
	(void)h;
	(void)u;
	pthread_mutex_unlock(&svc.locks[data]);
}

static CURLSH *share_new(void)
{
	CURLSH *sh = curl_share_init();

	if (!sh)
		return NULL;
	curl_share_setopt(sh, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(sh, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	return sh;
}

static void svc_init(void)
{
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&svc.locks[i], NULL);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		svc.init_rc = WSP_ENOMEM;
		return;
	}
	svc.share = share_new();
	if (!svc.share)
		svc.init_rc = WSP_ENOMEM;
}

static int svc_get(wsp_error *err)
{
	pthread_once(&svc_once, svc_init);
	if (svc.init_rc)
		return wsp_error_set(err, svc.init_rc,
				     "cannot start the http service: "
				     "libcurl failed to initialise");
	return 0;
}

int wsp__http_configure(const wsp__http_settings *settings, wsp_error *err)
{
	char *ca = NULL;

	if (settings && settings->ca_bundle) {
		ca = strdup(settings->ca_bundle);
		if (!ca)
			return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	pthread_mutex_lock(&svc.settings_lock);
	free(svc.ca_bundle);
	svc.ca_bundle = ca;
	if (settings)
		svc.settings = *settings;
	else
		memset(&svc.settings, 0, sizeof(svc.settings));
	svc.settings.ca_bundle = ca;
	pthread_mutex_unlock(&svc.settings_lock);
	return 0;
}

void wsp__http_shutdown(void)
{
	pthread_mutex_lock(&svc.settings_lock);
	if (svc.share) {
		/* Closes the cached connections; later requests start over. */
		curl_share_cleanup(svc.share);
		svc.share = share_new();
		if (!svc.share)
			svc.init_rc = WSP_ENOMEM;
	}
	pthread_mutex_unlock(&svc.settings_lock);
}

/* Members of ws that are set replace those of s. */
static void overlay(wsp__http_settings *s, const wsp__http_settings *ws)
{
	if (ws->connect_timeout_ms > 0)
		s->connect_timeout_ms = ws->connect_timeout_ms;
	if (ws->timeout_ms > 0)
		s->timeout_ms = ws->timeout_ms;
	if (ws->low_speed_time_ms > 0)
		s->low_speed_time_ms = ws->low_speed_time_ms;
	if (ws->low_speed_limit > 0)
		s->low_speed_limit = ws->low_speed_limit;
	if (ws->max_attempts)
		s->max_attempts = ws->max_attempts;
	if (ws->backoff_base_ms > 0)
		s->backoff_base_ms = ws->backoff_base_ms;
	if (ws->backoff_max_ms > 0)
		s->backoff_max_ms = ws->backoff_max_ms;
	if (ws->max_collected_body)
		s->max_collected_body = ws->max_collected_body;
}

/* The CA file named by the environment, as the curl tool reads it. */
static const char *env_ca_bundle(void)
{
	static const char *const vars[] = { "CURL_CA_BUNDLE", "SSL_CERT_FILE",
					    NULL };

	for (size_t i = 0; vars[i]; i++) {
		const char *v = getenv(vars[i]);

		if (v && v[0])
			return v;
	}
	return NULL;
}

void wsp__http_effective(wsp__http_settings *s, char **ca,
			 const wsp__http_settings *ws)
{
	const char *path;

	pthread_mutex_lock(&svc.settings_lock);
	*s = svc.settings;
	if (ws)
		overlay(s, ws);
	path = ws && ws->ca_bundle ? ws->ca_bundle : svc.ca_bundle;
	if (!path)
		path = env_ca_bundle();
	*ca = path ? strdup(path) : NULL;
	pthread_mutex_unlock(&svc.settings_lock);
	s->ca_bundle = *ca;
	if (s->connect_timeout_ms <= 0)
		s->connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
	if (s->low_speed_time_ms <= 0)
		s->low_speed_time_ms = DEFAULT_LOW_SPEED_TIME_MS;
	if (s->low_speed_limit <= 0)
		s->low_speed_limit = DEFAULT_LOW_SPEED_LIMIT;
	if (!s->max_attempts)
		s->max_attempts = DEFAULT_MAX_ATTEMPTS;
	if (s->backoff_base_ms <= 0)
		s->backoff_base_ms = DEFAULT_BACKOFF_BASE_MS;
	if (s->backoff_max_ms <= 0)
		s->backoff_max_ms = DEFAULT_BACKOFF_MAX_MS;
	if (!s->max_collected_body)
		s->max_collected_body = DEFAULT_MAX_COLLECTED;
}

/* snprintf for text that may be cut (log lines, messages). */
static void fmt_cut(char *dst, size_t cap, const char *fmt, ...)
	WSP_PRINTF(3, 4);
static void fmt_cut(char *dst, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, cap, fmt, ap);
	va_end(ap);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One response header line kept until we know the attempt is final. */
struct header {
	char *name;
	char *value;
};

struct xfer {
	const wsp_host *host;
	const wsp_http_request *req;
	const wsp__http_settings *set;
	wsp_call call; /* the caller's, full size (zeroed: none) */

	size_t body_off; /* in-memory request body position */
	int source_err;	 /* body_source failed */
	int canceled;
	int call_timed_out; /* the caller's deadline passed */

	long status;	    /* of the response being received */
	bool status_seen;   /* body callback ran for this attempt */
	bool deliver;	    /* this attempt's body goes to the sink */
	uint64_t delivered; /* bytes handed to the sink (all attempts) */
	int sink_err;
	bool headers_flushed;

	struct wsp__tbuf body; /* the collected body */
	size_t limit;
	bool too_big;

	struct header *hdrs;
	size_t n_hdrs, hdr_bytes;
	char retry_after[64];
};

static void headers_clear(struct xfer *x)
{
	for (size_t i = 0; i < x->n_hdrs; i++) {
		free(x->hdrs[i].name);
		free(x->hdrs[i].value);
	}
	free(x->hdrs);
	x->hdrs = NULL;
	x->n_hdrs = 0;
	x->hdr_bytes = 0;
	x->retry_after[0] = '\0';
}

/* Hand the final attempt's headers to the caller, once. */
static int headers_flush(struct xfer *x)
{
	if (x->headers_flushed)
		return 0;
	x->headers_flushed = true;
	if (!x->req->on_header)
		return 0;
	for (size_t i = 0; i < x->n_hdrs; i++) {
		int rc = x->req->on_header(x->hdrs[i].name, x->hdrs[i].value,
					   x->req->header_payload);

		if (rc)
			return rc < 0 ? rc : WSP_ERROR;
	}
	return 0;
}

static size_t trim_len(const char *s, size_t n)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
		     s[n - 1] == '\n'))
		n--;
	return n;
}

static size_t on_header_line(char *data, size_t size, size_t n, void *u)
{
	struct xfer *x = u;
	size_t len = size * n;
	size_t ll = trim_len(data, len);

	/* A status line starts a new response (after 100, or a retry). */
	if (ll >= 5 && !strncmp(data, "HTTP/", 5)) {
		const char *sp = memchr(data, ' ', ll);

		headers_clear(x);
		x->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		return len;
	}
	const char *colon = memchr(data, ':', ll);

	if (!colon || colon == data)
		return len;
	if (x->hdr_bytes + ll > HEADER_BYTES_MAX)
		return len; /* keep what fits; libcurl bounds the rest */
	size_t nl = (size_t)(colon - data);
	const char *v = colon + 1;
	size_t vl = ll - nl - 1;

	while (vl && (*v == ' ' || *v == '\t')) {
		v++;
		vl--;
	}
	struct header *grown =
		realloc(x->hdrs, (x->n_hdrs + 1) * sizeof(*x->hdrs));

	if (!grown)
		return 0;
	x->hdrs = grown;
	struct header *h = &x->hdrs[x->n_hdrs];

	h->name = strndup(data, nl);
	h->value = strndup(v, vl);
	if (!h->name || !h->value) {
		free(h->name);
		free(h->value);
		return 0;
	}
	x->n_hdrs++;
	x->hdr_bytes += ll;
	if (nl == 11 && !strncasecmp(data, "Retry-After", 11))
		fmt_cut(x->retry_after, sizeof(x->retry_after), "%s", h->value);
	return len;
}

static bool is_2xx(long status)
{
	return status >= 200 && status < 300;
}

static int collect(struct xfer *x, const char *data, size_t len)
{
	size_t kept = x->body.len;

	if (kept + len > x->limit) {
		/* Error bodies are only needed for their first bytes. */
		if (!is_2xx(x->status) &&
		    !(x->req->flags & WSP_HTTP_NO_ERROR_MAP)) {
			len = x->limit > kept ? x->limit - kept : 0;
		} else {
			x->too_big = true;
			return -1;
		}
	}
	wsp__tbuf_add(&x->body, data, len);
	return x->body.oom ? -1 : 0;
}

static size_t on_body(char *data, size_t size, size_t n, void *u)
{
	struct xfer *x = u;
	size_t len = size * n;

	if (!x->status_seen) {
		x->status_seen = true;
		x->deliver = x->req->response_sink && is_2xx(x->status);
		if (!is_2xx(x->status) &&
		    !(x->req->flags & WSP_HTTP_NO_ERROR_MAP))
			x->limit = ERROR_BODY_MAX;
	}
	if (x->deliver) {
		int rc = headers_flush(x);

		if (!rc)
			rc = x->req->response_sink(data, len,
						   x->req->response_payload);
		if (rc) {
			x->sink_err = rc < 0 ? rc : WSP_ERROR;
			return 0;
		}
		x->delivered += len;
		return len;
	}
	return collect(x, data, len) ? 0 : len;
}

static size_t on_read(char *buf, size_t size, size_t n, void *u)
{
	struct xfer *x = u;
	const wsp_http_request *r = x->req;
	size_t cap = size * n;

	if (r->body_source) {
		size_t got = 0;
		int rc = r->body_source(buf, cap, &got, r->body_payload);

		if (rc || got > cap) {
			x->source_err = rc < 0 ? rc : WSP_EINVAL;
			return CURL_READFUNC_ABORT;
		}
		return got;
	}
	size_t left = r->body_len - x->body_off;

	if (cap > left)
		cap = left;
	if (cap)
		memcpy(buf, (const char *)r->body + x->body_off, cap);
	x->body_off += cap;
	return cap;
}

static int rewind_body(struct xfer *x)
{
	const wsp_http_request *r = x->req;

	x->body_off = 0;
	if (!r->body_source)
		return 0;
	if (!r->body_rewind)
		return WSP_ENOTSUP;
	return r->body_rewind(r->body_payload);
}

/* libcurl rewinds by itself, e.g. to resend on a connection that died. */
static int on_seek(void *u, curl_off_t offset, int origin)
{
	struct xfer *x = u;

	if (offset != 0 || origin != SEEK_SET)
		return CURL_SEEKFUNC_CANTSEEK;
	return rewind_body(x) ? CURL_SEEKFUNC_CANTSEEK : CURL_SEEKFUNC_OK;
}

static bool cancel_now(struct xfer *x);

static int on_progress(void *u, curl_off_t dt, curl_off_t dn, curl_off_t ut,
		       curl_off_t un)
{
	struct xfer *x = u;

	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return cancel_now(x) ? 1 : 0;
}

static void log_debug(const struct xfer *x, const char *line)
{
	if (x->host && x->host->log)
		x->host->log(x->host, WSP_LOG_DEBUG, "http: %s", line);
}

static void log_request(const struct xfer *x, uint32_t attempt, uint32_t max)
{
	const wsp_http_request *r = x->req;
	char url[1024], line[1200], hdr[600];

	if (!x->host || !x->host->log)
		return;
	wsp__http_mask_url(url, sizeof(url), r->url, r->secrets);
	fmt_cut(line, sizeof(line), "> %s %s (attempt %u/%u)", r->method, url,
		attempt, max);
	log_debug(x, line);
	for (size_t i = 0; i < r->n_headers; i++) {
		wsp__http_mask_header(hdr, sizeof(hdr), r->headers[i].name,
				      r->headers[i].value ? r->headers[i].value
							  : "",
				      r->secrets);
		fmt_cut(line, sizeof(line), "> %s", hdr);
		log_debug(x, line);
	}
}

/*
 * libcurl asks the server for "100 Continue" before every upload it sends
 * as a PUT and waits for it: a round trip more per request, for bodies of
 * a few bytes as well. POST and PATCH take that path here only because
 * their bodies are streamed (CURLOPT_UPLOAD), so they get libcurl's own
 * rule for POST instead: a body of known size under 1 MiB goes at once
 * (an empty "Expect:" removes the header). A real PUT keeps libcurl's
 * rule, and with it how an upload cut off before any answer is retried
 * (the object stores' resumable uploads count on that); a caller's own
 * Expect stays.
 */
#define EXPECT_BAR (1 << 20)

static int send_small_bodies_at_once(struct curl_slist **hdrs,
				     const wsp_http_request *r,
				     wsp_error *err)
{
	int64_t size = r->body_source ? r->body_size : (int64_t)r->body_len;
	struct curl_slist *nl;

	if ((strcmp(r->method, "POST") && strcmp(r->method, "PATCH")) ||
	    size < 0 || size >= EXPECT_BAR)
		return 0;
	for (size_t i = 0; i < r->n_headers; i++)
		if (!strcasecmp(r->headers[i].name, "Expect"))
			return 0;
	nl = curl_slist_append(*hdrs, "Expect:");
	if (!nl)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	*hdrs = nl;
	return 0;
}

static int setup_easy(CURL *h, struct xfer *x, struct curl_slist *hdrs,
		      int64_t timeout_ms, char *errbuf)
{
	const wsp_http_request *r = x->req;
	const wsp__http_settings *s = x->set;
	bool has_body = r->body_source || r->body_len;
	bool upload = has_body || !strcmp(r->method, "PUT") ||
		      !strcmp(r->method, "POST") || !strcmp(r->method, "PATCH");
	int64_t lst = (s->low_speed_time_ms + 999) / 1000;
	int64_t cto = x->req->connect_timeout_ms > 0
			      ? x->req->connect_timeout_ms
			      : s->connect_timeout_ms;
	CURLcode rc = (CURLcode)wsp__http_easy_base(
		h, r->url, (long)CURL_HTTP_VERSION_2TLS, s->ca_bundle, errbuf,
		hdrs);

#define SET(opt, val) WSP__CURL_SET(rc, h, opt, val)
	SET(CURLOPT_SHARE, svc.share);
	SET(CURLOPT_CONNECTTIMEOUT_MS, (long)cto);
	if (timeout_ms > 0)
		SET(CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	SET(CURLOPT_LOW_SPEED_LIMIT, (long)s->low_speed_limit);
	SET(CURLOPT_LOW_SPEED_TIME, (long)(lst > 0 ? lst : 1));
	SET(CURLOPT_BUFFERSIZE, (long)TRANSFER_BUFFER);
	SET(CURLOPT_UPLOAD_BUFFERSIZE, (long)TRANSFER_BUFFER);
	SET(CURLOPT_HEADERFUNCTION, on_header_line);
	SET(CURLOPT_HEADERDATA, x);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, x);
	SET(CURLOPT_XFERINFOFUNCTION, on_progress);
	SET(CURLOPT_XFERINFODATA, x);
	SET(CURLOPT_NOPROGRESS, 0L);
	if (!strcmp(r->method, "HEAD")) {
		SET(CURLOPT_NOBODY, 1L);
	} else if (upload) {
		curl_off_t size = r->body_source ? (curl_off_t)r->body_size
						 : (curl_off_t)r->body_len;

		SET(CURLOPT_UPLOAD, 1L);
		SET(CURLOPT_READFUNCTION, on_read);
		SET(CURLOPT_READDATA, x);
		SET(CURLOPT_SEEKFUNCTION, on_seek);
		SET(CURLOPT_SEEKDATA, x);
		SET(CURLOPT_INFILESIZE_LARGE, size);
		if (strcmp(r->method, "PUT"))
			SET(CURLOPT_CUSTOMREQUEST, r->method);
	} else if (strcmp(r->method, "GET")) {
		SET(CURLOPT_CUSTOMREQUEST, r->method);
	}
#undef SET
	return rc == CURLE_OK ? 0 : WSP_EINVAL;
}

/*
 * Ask the host about the call, as providers do (a test's host answers for
 * its own tokens); a table without the members gets the core's answer.
 */
static int call_expired(const struct xfer *x)
{
	const wsp_host *h = x->host;

	if (h && WSP_HAS_MEMBER(wsp_host, h, call_expired) && h->call_expired)
		return h->call_expired(h, &x->call);
	return wsp__call_expired(&x->call);
}

static int call_fd(const struct xfer *x)
{
	const wsp_host *h = x->host;

	if (h && WSP_HAS_MEMBER(wsp_host, h, call_fd) && h->call_fd)
		return h->call_fd(h, &x->call);
	return wsp__call_fd(&x->call);
}

static bool call_deadline_passed(const struct xfer *x)
{
	return x->call.deadline_ms && now_ms() >= x->call.deadline_ms;
}

static bool cancel_now(struct xfer *x)
{
	int rc = call_expired(x);

	if (rc == WSP_ECANCELED)
		x->canceled = 1;
	else if (rc == WSP_ETIMEDOUT)
		x->call_timed_out = 1;
	return x->canceled || x->call_timed_out;
}

/*
 * curl_easy_perform() looks at the progress callback only about once a
 * second while a transfer is idle; a multi loop that also polls the
 * cancel descriptor (or wakes every 50 ms) cancels promptly.
 */
static CURLcode perform(CURL *h, struct xfer *x)
{
	CURLM *m = curl_multi_init();
	bool watch = x->call.cancel || x->call.deadline_ms;
	int fd = call_fd(x);
	CURLcode res = CURLE_OK;
	int running = 1, q;
	CURLMsg *msg;

	if (!m)
		return CURLE_OUT_OF_MEMORY;
	if (curl_multi_add_handle(m, h) != CURLM_OK) {
		curl_multi_cleanup(m);
		return CURLE_OUT_OF_MEMORY;
	}
	while (running) {
		struct curl_waitfd extra = {.fd = fd,
					    .events = CURL_WAIT_POLLIN};

		if (curl_multi_perform(m, &running) != CURLM_OK) {
			res = CURLE_OUT_OF_MEMORY;
			break;
		}
		if (!running)
			break;
		if (curl_multi_poll(m, fd >= 0 ? &extra : NULL, fd >= 0 ? 1 : 0,
				    watch ? 50 : 1000, NULL) != CURLM_OK) {
			res = CURLE_OUT_OF_MEMORY;
			break;
		}
		if (cancel_now(x)) {
			res = CURLE_ABORTED_BY_CALLBACK;
			break;
		}
	}
	while (!x->canceled && !x->call_timed_out &&
	       (msg = curl_multi_info_read(m, &q)))
		if (msg->msg == CURLMSG_DONE)
			res = msg->data.result;
	curl_multi_remove_handle(m, h);
	curl_multi_cleanup(m);
	return res;
}

/*
 * Sleep up to ms, waking early when the call is canceled (next_delay()
 * never asks for a wait past the caller's deadline).
 */
static int wait_or_cancel(const struct xfer *x, int64_t ms)
{
	int fd = call_fd(x);
	int64_t end = now_ms() + ms;

	for (;;) {
		if (call_expired(x) == WSP_ECANCELED)
			return WSP_ECANCELED;
		int64_t left = end - now_ms();

		if (left <= 0)
			return 0;
		if (fd >= 0) {
			struct pollfd p = {.fd = fd, .events = POLLIN};

			poll(&p, 1, (int)left);
		} else {
			/* no descriptor: look at the token every 20 ms */
			poll(NULL, 0, (int)(left < 20 ? left : 20));
		}
	}
}

/* "cannot GET 'https://host/path'" — the query never appears. */
static void request_subject(char *dst, size_t cap, const struct xfer *x)
{
	char url[512];

	wsp__http_mask_url(url, sizeof(url), x->req->url, x->req->secrets);
	url[strcspn(url, "?")] = '\0';
	fmt_cut(dst, cap, "%s '%s'", x->req->method, url);
}

struct outcome {
	int code;	  /* 0 = success */
	bool transient;	  /* another attempt may succeed */
	bool retryable;	  /* the same call may succeed later */
	bool soft;	  /* a status the caller asked to see, not an error */
	int64_t retry_ms; /* server's Retry-After, -1 if none */
	char detail[400]; /* why, for the message */
};

static void judge(struct outcome *o, struct xfer *x, CURLcode rc,
		  const char *errbuf)
{
	memset(o, 0, sizeof(*o));
	o->retry_ms = -1;
	if (x->canceled) {
		o->code = WSP_ECANCELED;
		fmt_cut(o->detail, sizeof(o->detail), "canceled");
	} else if (x->call_timed_out ||
		   (rc == CURLE_OPERATION_TIMEDOUT && call_deadline_passed(x))) {
		x->call_timed_out = 1;
		o->code = WSP_ETIMEDOUT;
		fmt_cut(o->detail, sizeof(o->detail),
			"the caller's deadline passed");
	} else if (x->sink_err) {
		o->code = x->sink_err;
		fmt_cut(o->detail, sizeof(o->detail),
			"the response consumer stopped");
	} else if (x->source_err) {
		o->code = x->source_err;
		fmt_cut(o->detail, sizeof(o->detail),
			"the request body could not be read");
	} else if (x->too_big) {
		o->code = WSP_ETOOBIG;
		fmt_cut(o->detail, sizeof(o->detail),
			"response body larger than %zu bytes", x->limit);
	} else if (rc != CURLE_OK) {
		o->code = wsp__http_curl_code((int)rc, &o->transient);
		o->retryable = o->transient;
		wsp__http_curl_detail(o->detail, sizeof(o->detail), (int)rc,
				      errbuf, x->req->secrets);
	} else if (x->status >= 400 &&
		   (!(x->req->flags & WSP_HTTP_NO_ERROR_MAP) ||
		    wsp__http_retryable_status(x->status))) {
		char msg[160];

		o->code = wsp__http_status_code(x->status);
		o->transient = wsp__http_retryable_status(x->status);
		o->retryable = o->transient;
		/* NO_ERROR_MAP: retried, then handed over as it is */
		o->soft = x->req->flags & WSP_HTTP_NO_ERROR_MAP;
		wsp__http_server_message(msg, sizeof(msg), x->body.p,
					 x->body.len, x->req->secrets);
		fmt_cut(o->detail, sizeof(o->detail), "HTTP %ld%s%s", x->status,
			msg[0] ? ": " : "", msg);
		if (x->retry_after[0])
			o->retry_ms = wsp__http_retry_after_ms(
				x->retry_after, (int64_t)time(NULL));
	}
	/* Bytes already handed over cannot be taken back. */
	if (x->delivered)
		o->transient = false;
}

static void log_outcome(const struct xfer *x, const struct outcome *o,
			int64_t ms)
{
	char line[400];

	if (!x->host || !x->host->log)
		return;
	if (o->code && !x->status)
		fmt_cut(line, sizeof(line), "< failed after %lld ms: %s",
			(long long)ms, o->detail);
	else
		fmt_cut(line, sizeof(line),
			"< %ld in %lld ms, %zu bytes kept, %llu streamed%s%s",
			x->status, (long long)ms, x->body.len,
			(unsigned long long)x->delivered, o->code ? ": " : "",
			o->code ? o->detail : "");
	log_debug(x, line);
}

static void xfer_reset_attempt(struct xfer *x)
{
	headers_clear(x);
	x->status = 0;
	x->status_seen = false;
	x->deliver = false;
	/* the body is emptied, its memory kept for the next attempt */
	x->body.len = 0;
	x->body.oom = 0;
	if (x->body.p)
		x->body.p[0] = '\0';
	x->limit = x->set->max_collected_body;
}

/*
 * Delay before the next attempt, -1 to stop retrying, or -2 when the
 * caller's deadline would pass before the next attempt could start.
 */
static int64_t next_delay(const struct xfer *x, const struct outcome *o,
			  uint32_t next_attempt, int64_t deadline)
{
	const wsp__http_settings *s = x->set;
	int64_t d;

	if (o->retry_ms >= 0) {
		/* Waiting less than asked only earns another refusal. */
		if (o->retry_ms > s->backoff_max_ms)
			return -1;
		d = o->retry_ms;
	} else {
		d = wsp__http_backoff_ms(next_attempt, s->backoff_base_ms,
					 s->backoff_max_ms);
	}
	if (x->call.deadline_ms && now_ms() + d >= x->call.deadline_ms)
		return -2;
	if (deadline && now_ms() + d >= deadline)
		return -1;
	return d;
}

/* The earlier of two deadlines, 0 standing for none. */
static int64_t earlier(int64_t a, int64_t b)
{
	if (!a || !b)
		return a ? a : b;
	return a < b ? a : b;
}

/*
 * What the final response said, for err (when the request failed) and for
 * the response itself (a status the caller maps, WSP_HTTP_NO_ERROR_MAP).
 */
static void give_detail(wsp_http_response *out, const struct xfer *x,
			const struct outcome *o, wsp_error *err)
{
	struct wsp__http_detail d;

	memset(&d, 0, sizeof(d));
	if (x->status >= 400)
		wsp__http_detail_of(&d, x->status, x->body.p, x->body.len,
				    x->retry_after, x->req->secrets);
	else if (o->retryable)
		d.flags = WSP_ERROR_RETRYABLE;
	if (o->code)
		wsp__http_detail_apply(err, &d);
	if (x->status < 400 ||
	    !WSP_HAS_MEMBER(wsp_http_response, out, service_code))
		return;
	out->error_flags = d.flags;
	out->retry_after_ms = d.retry_after_ms;
	memcpy(out->service_code, d.service_code, sizeof(out->service_code));
}

static int run(wsp_http_response *out, struct xfer *x, wsp_error *err)
{
	const wsp_http_request *r = x->req;
	const wsp__http_settings *s = x->set;
	int64_t total = r->timeout_ms > 0 ? r->timeout_ms : s->timeout_ms;
	int64_t own = total > 0 ? now_ms() + total : 0;
	int64_t deadline = earlier(own, x->call.deadline_ms);
	bool may_retry = !(r->flags & WSP_HTTP_NO_RETRY) &&
			 ((r->flags & WSP_HTTP_IDEMPOTENT) ||
			  wsp__http_idempotent_method(r->method));
	uint32_t max = may_retry ? (r->max_attempts ? r->max_attempts
						    : s->max_attempts)
				 : 1;
	struct curl_slist *hdrs = NULL;
	char errbuf[CURL_ERROR_SIZE];
	struct outcome o = {0};
	uint32_t attempt;
	int rc = wsp__http_header_list(&hdrs, r->headers, r->n_headers, err);

	if (!rc)
		rc = send_small_bodies_at_once(&hdrs, r, err);
	if (rc) {
		curl_slist_free_all(hdrs);
		return rc;
	}
	for (attempt = 1;; attempt++) {
		int64_t left = deadline ? deadline - now_ms() : 0;
		int64_t t0 = now_ms();
		CURL *h;
		CURLcode cc;

		if (cancel_now(x)) {
			o.code = x->canceled ? WSP_ECANCELED : WSP_ETIMEDOUT;
			o.soft = false;
			fmt_cut(o.detail, sizeof(o.detail), "%s",
				x->canceled ? "canceled"
					    : "the caller's deadline passed");
			break;
		}
		if (deadline && left <= 0) {
			o.code = WSP_ETIMEDOUT;
			o.soft = false;
			fmt_cut(o.detail, sizeof(o.detail),
				"no time left for attempt %u", attempt);
			break;
		}
		xfer_reset_attempt(x);
		if (attempt > 1 && rewind_body(x)) {
			/* keep the previous outcome: it is the real error */
			attempt--;
			break;
		}
		h = curl_easy_init();
		if (!h) {
			curl_slist_free_all(hdrs);
			return wsp_error_set(err, WSP_ENOMEM, "out of memory");
		}
		errbuf[0] = '\0';
		if (setup_easy(h, x, hdrs, left, errbuf)) {
			curl_easy_cleanup(h);
			curl_slist_free_all(hdrs);
			return wsp_error_set(err, WSP_EINVAL,
					     "cannot set up http request to "
					     "'%s'",
					     r->method);
		}
		log_request(x, attempt, max);
		cc = perform(h, x);
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &x->status);
		curl_easy_cleanup(h);
		judge(&o, x, cc, errbuf);
		log_outcome(x, &o, now_ms() - t0);
		if (!o.code || !o.transient || attempt >= max)
			break;
		int64_t d = next_delay(x, &o, attempt + 1, deadline);

		if (d == -2) {
			char last[sizeof(o.detail)];

			fmt_cut(last, sizeof(last), "%s", o.detail);
			o.code = WSP_ETIMEDOUT;
			o.soft = false;
			fmt_cut(o.detail, sizeof(o.detail),
				"the caller's deadline passes before attempt "
				"%u could start; last: %s",
				attempt + 1, last);
			break;
		}
		if (d < 0)
			break;
		if (x->host && x->host->log)
			x->host->log(x->host, WSP_LOG_DEBUG,
				     "http: retrying in %lld ms%s",
				     (long long)d,
				     o.retry_ms >= 0 ? " (Retry-After)" : "");
		if (wait_or_cancel(x, d)) {
			o.code = WSP_ECANCELED;
			o.transient = false;
			o.soft = false;
			fmt_cut(o.detail, sizeof(o.detail),
				"canceled while waiting to retry");
			break;
		}
	}
	curl_slist_free_all(hdrs);
	out->status = (int32_t)x->status;
	out->attempts = attempt;
	if (o.soft && o.code)
		o.code = 0;
	if (!o.code)
		o.code = headers_flush(x);
	if (o.code) {
		char subject[300];

		request_subject(subject, sizeof(subject), x);
		if (x->delivered && x->status_seen && is_2xx(x->status))
			wsp_error_set(err, o.code,
				      "cannot %s: %s after %llu bytes of the "
				      "body",
				      subject, o.detail,
				      (unsigned long long)x->delivered);
		else
			wsp_error_set(err, o.code, "cannot %s: %s%s", subject,
				      o.detail,
				      attempt > 1 ? " (after retries)" : "");
		give_detail(out, x, &o, err);
		return o.code;
	}
	give_detail(out, x, &o, err);
	if (!r->response_sink || !is_2xx(x->status)) {
		size_t len = x->body.len;

		out->body = wsp__tbuf_take(&x->body); /* "" for no body */
		if (!out->body)
			return wsp_error_set(err, WSP_ENOMEM, "out of memory");
		out->body_len = len;
	}
	return 0;
}

int wsp__http_request(wsp_http_response *out, const wsp_host *host,
		      const wsp_http_request *req_in, wsp_error *err)
{
	wsp_http_request req = {0};
	wsp__http_settings set;
	char *ca = NULL;
	struct xfer x = {0};
	int rc;

	if (!out || !req_in ||
	    req_in->struct_size < offsetof(wsp_http_request, headers))
		return wsp_error_set(err, WSP_EINVAL,
				     "invalid http request: missing fields");
	memcpy(&req, req_in,
	       req_in->struct_size < sizeof(req) ? req_in->struct_size
						 : sizeof(req));
	if (!req.method || !req.url || !req.method[0] ||
	    strpbrk(req.method, " \r\n") ||
	    (strncmp(req.url, "http://", 7) && strncmp(req.url, "https://", 8)))
		return wsp_error_set(err, WSP_EINVAL,
				     "invalid http request: need a method and "
				     "an http:// or https:// url");
	if (req.n_headers && !req.headers)
		return wsp_error_set(err, WSP_EINVAL,
				     "invalid http request: no headers array");
	if (req.body_len && !req.body && !req.body_source)
		return wsp_error_set(err, WSP_EINVAL,
				     "invalid http request: no body");
	out->status = 0;
	out->body = NULL;
	out->body_len = 0;
	out->attempts = 0;
	if (WSP_HAS_MEMBER(wsp_http_response, out, service_code)) {
		out->error_flags = 0;
		out->retry_after_ms = 0;
		out->service_code[0] = '\0';
	}
	rc = svc_get(err);
	if (rc)
		return rc;
	wsp__http_effective(&set, &ca, wsp__host_http_settings(host));
	x.host = host;
	wsp__call_normalize(&x.call, req.call);
	x.req = &req;
	x.set = &set;
	rc = run(out, &x, err);
	headers_clear(&x);
	wsp__tbuf_free(&x.body);
	free(ca);
	return rc;
}

void wsp__http_response_release(const wsp_host *host, wsp_http_response *resp)
{
	(void)host;
	if (!resp)
		return;
	free(resp->body);
	resp->body = NULL;
	resp->body_len = 0;
}
