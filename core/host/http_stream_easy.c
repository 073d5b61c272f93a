/*
 * core/host/http_stream_easy.c - one stream: its easy handle and callbacks,
 * its idle timer, pausing, and its end (status and error to on_done).
 *
 * Streams speak HTTP/1.1: each holds its own connection, so pausing one
 * (backpressure) never stalls another multiplexed beside it, and the
 * vendors' streams (E2B Connect, Blaxel logs) are HTTP/1.1 chunked
 * anyway. The idle timeout is a timer of our own rather than libcurl's
 * low-speed check: it has millisecond resolution, differs per stream, and
 * does not count time the consumer kept the stream paused.
 */
#include "http_stream_impl.h"

#include <wsp/cancel.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define DEFAULT_IDLE_MS 30000
/* Error bodies are kept only this far, for the message. */
#define ERROR_BODY_MAX 65536

/* snprintf for text that may be cut (messages). */
static void cut(char *dst, size_t cap, const char *fmt, ...) WSP_PRINTF(3, 4);
static void cut(char *dst, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, cap, fmt, ap);
	va_end(ap);
}

static char **copy_secrets(const char *const *src, bool *fail)
{
	size_t n = 0;
	char **out;

	*fail = false;
	if (!src)
		return NULL;
	while (src[n])
		n++;
	out = calloc(n + 1, sizeof(*out));
	if (!out) {
		*fail = true;
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		out[i] = strdup(src[i]);
		if (!out[i]) {
			*fail = true; /* out stays NULL-ended for freeing */
			break;
		}
	}
	return out;
}

static bool is_2xx(long status)
{
	return status >= 200 && status < 300;
}

static size_t trim_len(const char *p, size_t n)
{
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r' ||
		     p[n - 1] == '\n'))
		n--;
	return n;
}

/* One header of a 2xx response to the consumer; its answer. */
static int pass_header(wsp__hs_stream *s, const char *line, size_t ll)
{
	const char *colon = memchr(line, ':', ll), *v;
	char *name, *value;
	size_t vl;
	int rc;

	if (!colon || colon == line)
		return 0;
	v = colon + 1;
	vl = ll - (size_t)(v - line);
	while (vl && (*v == ' ' || *v == '\t')) {
		v++;
		vl--;
	}
	name = strndup(line, (size_t)(colon - line));
	value = strndup(v, vl);
	rc = name && value ? s->on_header(s, name, value, s->payload) :
			     WSP_ENOMEM;
	free(name);
	free(value);
	return rc;
}

static size_t on_header(char *data, size_t size, size_t n, void *u)
{
	wsp__hs_stream *s = u;
	size_t len = size * n, ll = trim_len(data, len);
	int rc;

	s->last_byte_ms = wsp__hs_now_ms();
	/* A status line starts a response (a 100 Continue comes first). */
	if (ll >= 5 && !strncmp(data, "HTTP/", 5)) {
		const char *sp = memchr(data, ' ', ll);

		s->head_status = sp ? strtol(sp + 1, NULL, 10) : 0;
		s->retry_after[0] = '\0';
		return len;
	}
	/* Only Retry-After is kept for errors: their detail reports it. */
	if (ll > 12 && !strncasecmp(data, "Retry-After:", 12)) {
		const char *v = data + 12;
		size_t vl = ll - 12;

		while (vl && (*v == ' ' || *v == '\t')) {
			v++;
			vl--;
		}
		if (vl >= sizeof(s->retry_after))
			vl = sizeof(s->retry_after) - 1;
		memcpy(s->retry_after, v, vl);
		s->retry_after[vl] = '\0';
	}
	if (!s->on_header || !is_2xx(s->head_status))
		return len;
	rc = pass_header(s, data, ll);
	if (rc) {
		s->consumer_err = rc < 0 ? rc : WSP_ERROR;
		return 0; /* libcurl ends the transfer */
	}
	return len;
}

static void keep_error_body(wsp__hs_stream *s, const char *data, size_t len)
{
	if (s->err_len + len > ERROR_BODY_MAX)
		len = ERROR_BODY_MAX - s->err_len;
	if (!len)
		return;
	char *nb = realloc(s->err_body, s->err_len + len + 1);

	if (!nb)
		return; /* the message just says less */
	s->err_body = nb;
	memcpy(nb + s->err_len, data, len);
	s->err_len += len;
	nb[s->err_len] = '\0';
}

static size_t on_write(char *data, size_t size, size_t n, void *u)
{
	wsp__hs_stream *s = u;
	size_t len = size * n;
	int rc;

	s->last_byte_ms = wsp__hs_now_ms();
	if (!s->status_seen) {
		s->status_seen = true;
		curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &s->status);
		s->deliver = is_2xx(s->status);
	}
	if (!s->deliver) {
		keep_error_body(s, data, len);
		return len;
	}
	rc = wsp__hs_frame_data(s, data, len);
	if (rc == WSP__HS_PAUSE) {
		s->paused = true;
		return CURL_WRITEFUNC_PAUSE;
	}
	if (rc) {
		s->consumer_err = rc < 0 ? rc : WSP_ERROR;
		return 0;
	}
	s->delivered += len;
	return len;
}

static bool has_body(const wsp__hs_request *r)
{
	return r->body_len || !strcmp(r->method, "POST") ||
	       !strcmp(r->method, "PUT") || !strcmp(r->method, "PATCH");
}

static int setup(wsp__hs_stream *s, const wsp__hs_request *r,
		 const wsp__http_settings *set)
{
	CURL *h = s->easy;
	int64_t cto = r->connect_timeout_ms > 0 ? r->connect_timeout_ms
						: set->connect_timeout_ms;
	CURLcode rc = (CURLcode)wsp__http_easy_base(h, s->url,
						    (long)CURL_HTTP_VERSION_1_1,
						    s->ca, s->errbuf, s->hdrs);

#define SET(opt, val) WSP__CURL_SET(rc, h, opt, val)
	SET(CURLOPT_PRIVATE, s);
	if (cto > 0)
		SET(CURLOPT_CONNECTTIMEOUT_MS, (long)cto);
	if (r->timeout_ms > 0)
		SET(CURLOPT_TIMEOUT_MS, (long)r->timeout_ms);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, s);
	SET(CURLOPT_WRITEFUNCTION, on_write);
	SET(CURLOPT_WRITEDATA, s);
	if (!strcmp(s->method, "HEAD")) {
		SET(CURLOPT_NOBODY, 1L);
	} else if (has_body(r)) {
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)s->body_len);
		SET(CURLOPT_POSTFIELDS, s->body ? (char *)s->body : "");
		if (strcmp(s->method, "POST"))
			SET(CURLOPT_CUSTOMREQUEST, s->method);
	} else if (strcmp(s->method, "GET")) {
		SET(CURLOPT_CUSTOMREQUEST, s->method);
	}
#undef SET
	return rc == CURLE_OK ? 0 : WSP_EINVAL;
}

int wsp__hs_easy_new(wsp__hs_stream *s, const wsp__hs_request *r,
		     const wsp__http_settings *set, wsp_error *err)
{
	bool fail = false;
	int rc;

	s->on_data = r->on_data;
	s->on_done = r->on_done;
	s->on_header = r->on_header;
	rc = wsp__hs_frame_init(s, r, err);
	if (rc)
		return rc;
	if (r->cancel) {
		/* Our own descriptor: the token may be freed meanwhile, and
		 * libuv wants one poll handle per descriptor number. */
		s->cancel_fd = fcntl(wsp_cancel_fd(r->cancel), F_DUPFD_CLOEXEC,
				     3);
		if (s->cancel_fd < 0)
			return wsp_error_set_os(err, WSP_EIO, errno,
						"cannot watch the cancel "
						"token: %s",
						strerror(errno));
	}
	s->payload = r->payload;
	s->idle_ms = r->idle_timeout_ms > 0	  ? r->idle_timeout_ms
		     : set->low_speed_time_ms > 0 ? set->low_speed_time_ms
						  : DEFAULT_IDLE_MS;
	s->method = strdup(r->method);
	s->url = strdup(r->url);
	s->secrets = copy_secrets(r->secrets, &fail);
	if (r->body_len) {
		s->body = malloc(r->body_len);
		if (s->body && r->body)
			memcpy(s->body, r->body, r->body_len);
		else
			fail = true;
		s->body_len = r->body_len;
	}
	if (fail || !s->method || !s->url)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	rc = wsp__http_header_list(&s->hdrs, r->headers, r->n_headers, err);
	if (rc)
		return rc;
	s->easy = curl_easy_init();
	if (!s->easy)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	if (setup(s, r, set))
		return wsp_error_set(err, WSP_EINVAL,
				     "cannot set up http stream '%s'",
				     s->method);
	return 0;
}

static void on_cancel_fd(uv_poll_t *p, int status, int events)
{
	wsp__hs_stream *s = p->data;

	(void)status;
	(void)events;
	s->canceled = true;
	wsp__hs_easy_end(s, CURLE_OK);
}

static void on_idle(uv_timer_t *t)
{
	wsp__hs_stream *s = t->data;
	int64_t quiet = wsp__hs_now_ms() - s->last_byte_ms;

	/* A paused stream waits for its consumer, not for the server. */
	if (s->paused || quiet < s->idle_ms) {
		uv_timer_start(
			&s->idle, on_idle,
			(uint64_t)(s->paused ? s->idle_ms : s->idle_ms - quiet),
			0);
		return;
	}
	s->timed_out = true;
	wsp__hs_easy_end(s, CURLE_OK);
}

void wsp__hs_easy_attach(wsp__hs_stream *s)
{
	wsp__hs_engine *eng = s->eng;

	uv_timer_init(&eng->loop, &s->idle);
	s->idle.data = s;
	s->idle_on = true;
	s->last_byte_ms = wsp__hs_now_ms();
	uv_timer_start(&s->idle, on_idle, (uint64_t)s->idle_ms, 0);
	if (s->cancel_fd >= 0 &&
	    !uv_poll_init(&eng->loop, &s->cancel_poll, s->cancel_fd)) {
		s->cancel_poll.data = s;
		s->cancel_on = true;
		atomic_fetch_add(&s->refs, 1); /* dropped when it closes */
		uv_poll_start(&s->cancel_poll, UV_READABLE, on_cancel_fd);
	}
	if (curl_multi_add_handle(eng->multi, s->easy) != CURLM_OK) {
		wsp__hs_easy_end(s, CURLE_OUT_OF_MEMORY);
		return;
	}
	s->attached = true;
	s->next = eng->active;
	if (eng->active)
		eng->active->prev = s;
	eng->active = s;
}

void wsp__hs_easy_resume(wsp__hs_stream *s)
{
	CURLcode rc;

	if (!s->paused)
		return;
	s->paused = false;
	s->last_byte_ms = wsp__hs_now_ms();
	/* Delivers what was held back right here (on_data may pause again),
	 * then libcurl asks for an immediate timeout to read on. */
	rc = curl_easy_pause(s->easy, CURLPAUSE_CONT);
	if (rc != CURLE_OK && !s->ended)
		wsp__hs_easy_end(s, rc);
}

/* "cannot GET 'http://host/path'": the query never appears. */
static void subject(char *dst, size_t cap, const wsp__hs_stream *s)
{
	char url[512];

	wsp__http_mask_url(url, sizeof(url), s->url,
			   (const char *const *)s->secrets);
	url[strcspn(url, "?")] = '\0';
	cut(dst, cap, "%s '%s'", s->method, url);
}

/*
 * The error to report, or 0 for success; *d gets what the service said
 * (the same detail as the blocking service's).
 */
static int judge(wsp__hs_stream *s, CURLcode rc, char *why, size_t cap,
		 struct wsp__http_detail *d)
{
	const char *const *secrets = (const char *const *)s->secrets;
	bool transient;
	char msg[160];
	int code;

	if (s->canceled) {
		cut(why, cap, "canceled");
		return WSP_ECANCELED;
	}
	if (s->stopped) {
		cut(why, cap, "the stream engine stopped");
		return WSP_ECANCELED;
	}
	if (s->timed_out) {
		cut(why, cap, "no data for %lld ms", (long long)s->idle_ms);
		return WSP_ETIMEDOUT;
	}
	if (s->consumer_err) {
		cut(why, cap, "%s",
		    s->reason[0] ? s->reason : "the stream consumer stopped");
		return s->consumer_err;
	}
	if (rc != CURLE_OK) {
		wsp__http_curl_detail(why, cap, (int)rc, s->errbuf, secrets);
		code = wsp__http_curl_code((int)rc, &transient);
		if (transient)
			d->flags |= WSP_ERROR_RETRYABLE;
		return code;
	}
	if (s->status >= 400) {
		wsp__http_server_message(msg, sizeof(msg), s->err_body,
					 s->err_len, secrets);
		wsp__http_detail_of(d, s->status, s->err_body, s->err_len,
				    s->retry_after, secrets);
		cut(why, cap, "HTTP %ld%s%s", s->status, msg[0] ? ": " : "",
		    msg);
		return wsp__http_status_code(s->status);
	}
	if (!is_2xx(s->status)) {
		cut(why, cap, "HTTP %ld is not a stream", s->status);
		return WSP_EPROTO;
	}
	return wsp__hs_frame_end(s, why, cap);
}

static void idle_closed(uv_handle_t *h)
{
	wsp__hs_unref(h->data); /* the engine's reference */
}

static void cancel_closed(uv_handle_t *h)
{
	wsp__hs_unref(h->data); /* the poll handle's reference */
}

void wsp__hs_easy_end(wsp__hs_stream *s, CURLcode rc)
{
	wsp__hs_engine *eng = s->eng;
	char why[400], subj[300];
	struct wsp__http_detail detail;
	wsp_error err;
	int code;

	if (s->ended)
		return;
	s->ended = true;
	if (s->attached) {
		curl_multi_remove_handle(eng->multi, s->easy);
		s->attached = false;
		if (s->prev)
			s->prev->next = s->next;
		else
			eng->active = s->next;
		if (s->next)
			s->next->prev = s->prev;
		s->prev = s->next = NULL;
	}
	if (!s->status)
		curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &s->status);
	why[0] = '\0';
	memset(&detail, 0, sizeof(detail));
	code = judge(s, rc, why, sizeof(why), &detail);
	atomic_store(&s->gone, true);
	if (code) {
		subject(subj, sizeof(subj), s);
		if (s->delivered)
			wsp_error_set(&err, code,
				      "cannot %s: %s after %llu bytes of the "
				      "body",
				      subj, why,
				      (unsigned long long)s->delivered);
		else
			wsp_error_set(&err, code, "cannot %s: %s", subj, why);
		wsp__http_detail_apply(&err, &detail);
		if (s->service_code[0]) /* a Connect end-of-stream error */
			snprintf(err.service_code, sizeof(err.service_code),
				 "%s", s->service_code);
	}
	s->on_done(s, s->status, code ? &err : NULL, s->payload);
	curl_easy_cleanup(s->easy);
	s->easy = NULL;
	if (s->cancel_on) {
		uv_poll_stop(&s->cancel_poll);
		uv_close((uv_handle_t *)&s->cancel_poll, cancel_closed);
		s->cancel_on = false;
	}
	if (s->idle_on) {
		uv_timer_stop(&s->idle);
		uv_close((uv_handle_t *)&s->idle, idle_closed);
	} else {
		wsp__hs_unref(s);
	}
}

void wsp__hs_easy_free(wsp__hs_stream *s)
{
	if (s->easy)
		curl_easy_cleanup(s->easy);
	curl_slist_free_all(s->hdrs);
	if (s->secrets)
		for (char **p = s->secrets; *p; p++)
			free(*p);
	free(s->secrets);
	free(s->method);
	free(s->url);
	free(s->ca);
	free(s->body);
	free(s->err_body);
	wsp__hs_frame_free(s);
	if (s->cancel_fd >= 0)
		close(s->cancel_fd);
	free(s);
}
