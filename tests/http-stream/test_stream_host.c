/*
 * tests/http-stream/test_stream_host.c - the streaming engine as a
 * provider reaches it: through host->http_stream_* of the host table the
 * core hands to providers (wsp__host_setup, as a workspace makes it), only
 * <wsp/stream.h> types, against stream_server, a real server process on
 * 127.0.0.1. Raw pieces, lines, Connect envelopes, response headers,
 * backpressure, the call's cancel token and deadline, the idle timeout,
 * error statuses, many streams at once, and the shared engine stopping.
 */
#include "host.h"
#include "http_stream_host.h"
#include "stream_end.h"
#include "stream_pattern.h"
#include "stream_server_proc.h"

#include <wsp/cancel.h>

#include <CUnit/CUnit.h>
#include <cu_main.h>
#include <test_wait.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS 30000

static struct stream_server_proc server;
static struct wsp__logsink logsink;
static struct wsp__host core_host;
static const wsp_host *host;

struct sink {
	struct stream_end end; /* first: its mu guards the rest too */
	wsp_http_stream *s;
	/* what came */
	size_t got;	     /* RAW bytes, or frames */
	int order_errors;    /* a byte or frame out of order */
	int data_before_header;
	bool header_seen;
	char stream_id[64];
	/* consumer behaviour */
	int pause_every; /* PAUSE every n-th call (not taking it) */
	int calls, pauses;
	bool paused;
	const char *frame_fmt; /* frames expected: this and the index */
};

static void sink_init(struct sink *k)
{
	memset(k, 0, sizeof(*k));
	stream_end_init(&k->end);
}

static void sink_destroy(struct sink *k)
{
	stream_end_destroy(&k->end);
}

static int on_header(wsp_http_stream *s, const char *name, const char *value,
		     void *p)
{
	struct sink *k = p;

	(void)s;
	pthread_mutex_lock(&k->end.mu);
	if (!strcasecmp(name, "X-Stream-Id")) {
		k->header_seen = true;
		snprintf(k->stream_id, sizeof(k->stream_id), "%s", value);
	}
	pthread_mutex_unlock(&k->end.mu);
	return 0;
}

/* A piece or frame: checked against what must come next. */
static int on_data(wsp_http_stream *s, const char *data, size_t len, void *p)
{
	struct sink *k = p;
	char want[64];
	int rc = 0;

	pthread_mutex_lock(&k->end.mu);
	k->s = s;
	k->calls++;
	if (!k->header_seen)
		k->data_before_header++;
	if (k->pause_every && k->calls % k->pause_every == 0) {
		k->paused = true;
		k->pauses++;
		rc = WSP_STREAM_PAUSE;
	} else if (k->frame_fmt) {
		snprintf(want, sizeof(want), "%s%zu", k->frame_fmt, k->got);
		if (len != strlen(want) || memcmp(data, want, len))
			k->order_errors++;
		k->got++;
	} else {
		k->order_errors += stream_pattern_errors(data, len, k->got);
		k->got += len;
	}
	pthread_cond_broadcast(&k->end.cv);
	pthread_mutex_unlock(&k->end.mu);
	return rc;
}

static void on_done(wsp_http_stream *s, long status, const wsp_error *err,
		    void *p)
{
	struct sink *k = p;

	(void)s;
	stream_end_done(&k->end, status, err);
}

static int sink_wait(struct sink *k, int (*pred)(void *), int ms)
{
	return stream_end_wait(&k->end, pred, k, ms);
}

static int has_data(void *p)
{
	const struct sink *k = p;

	return k->got > 0;
}

static void url_of(char *out, size_t cap, const char *path)
{
	snprintf(out, cap, "http://127.0.0.1:%d%s", server.port, path);
}

/* A request as a provider fills it: zero is default everywhere. */
static wsp_http_stream_request request(const char *url, struct sink *k)
{
	wsp_http_stream_request r = { .struct_size = sizeof(r) };

	r.url = url;
	r.on_header = on_header;
	r.on_data = on_data;
	r.on_done = on_done;
	r.payload = k;
	return r;
}

/* Open path, wait for its end, release it; the open's return code. */
static int run(struct sink *k, const char *path, wsp_http_stream_request *r,
	       const wsp_call *call)
{
	char url[256];
	wsp_http_stream *s = NULL;
	wsp_error err = { 0 };
	int rc;

	url_of(url, sizeof(url), path);
	r->url = url;
	rc = host->http_stream_open(&s, host, call, r, &err);
	if (rc)
		return rc;
	CU_ASSERT_PTR_NOT_NULL(s);
	CU_ASSERT(sink_wait(k, stream_end_is_done, WAIT_MS));
	host->http_stream_release(host, s);
	/* A failed wait must not leave a stream calling into a freed k:
	 * the release canceled it, its on_done comes. */
	sink_wait(k, stream_end_is_done, WAIT_MS);
	return 0;
}

/* run() of a request with nothing but the sink's callbacks set. */
static int run_plain(struct sink *k, const char *path, const wsp_call *call)
{
	wsp_http_stream_request r = request(NULL, k);

	return run(k, path, &r, call);
}

static void test_raw_in_order(void)
{
	struct sink k;

	sink_init(&k);
	CU_ASSERT_EQUAL(run_plain(&k, "/chunks?n=50&size=1000&gap=1", NULL), 0);
	CU_ASSERT_EQUAL(k.end.done_calls, 1);
	CU_ASSERT_FALSE(k.end.failed);
	CU_ASSERT_EQUAL(k.end.status, 200);
	CU_ASSERT_EQUAL(k.got, 50000);
	CU_ASSERT_EQUAL(k.order_errors, 0);
	sink_destroy(&k);
}

static void test_response_header(void)
{
	struct sink k;

	sink_init(&k);
	CU_ASSERT_EQUAL(run_plain(&k, "/chunks?n=3&size=10", NULL), 0);
	CU_ASSERT_FALSE(k.end.failed);
	CU_ASSERT_TRUE(k.header_seen);
	CU_ASSERT_STRING_EQUAL(k.stream_id, "7f3a-blue");
	CU_ASSERT_EQUAL(k.data_before_header, 0);
	sink_destroy(&k);
}

static int refuse_header(wsp_http_stream *s, const char *name,
			 const char *value, void *p)
{
	(void)s;
	(void)value;
	(void)p;
	return strcasecmp(name, "X-Stream-Id") ? 0 : WSP_EPROTO;
}

static void test_header_refused(void)
{
	struct sink k;
	wsp_http_stream_request r;

	sink_init(&k);
	r = request(NULL, &k);
	r.on_header = refuse_header;
	CU_ASSERT_EQUAL(run(&k, "/chunks?n=3&size=10", &r, NULL), 0);
	CU_ASSERT_TRUE(k.end.failed);
	CU_ASSERT_EQUAL(k.end.err.code, WSP_EPROTO);
	CU_ASSERT_EQUAL(k.got, 0);
	sink_destroy(&k);
}

/* A framed stream: frames "fmt<index>" in order, then its end. */
struct framed_case {
	const char *path;
	int framing;
	const char *fmt;
	size_t want; /* the frames handed over */
	int code;    /* the error that ends it, 0 for none */
	const char *service_code, *message; /* of that error (NULL: any) */
};

static const struct framed_case lines_cases[] = {
	/* 7-byte pieces cut every line somewhere */
	{ "/lines?n=500&cut=7", WSP_STREAM_LINES, "line-", 500, 0, NULL, NULL },
	/* a last line without "\n" comes at the end */
	{ "/lines?n=20&cut=5&last=1", WSP_STREAM_LINES, "line-", 20, 0, NULL,
	  NULL },
};

/* the end-of-stream envelope is not handed over */
static const struct framed_case envelope_cases[] = {
	{ "/envelopes?n=300&cut=3", WSP_STREAM_CONNECT_ENVELOPE, "msg-", 300,
	  0, NULL, NULL },
};

static const struct framed_case envelope_end_cases[] = {
	/* the error the end-of-stream envelope carries */
	{ "/envelopes?n=5&cut=11&end=2", WSP_STREAM_CONNECT_ENVELOPE, "msg-",
	  5, WSP_ENOTFOUND, "not_found", "not_found: process 4242 not found" },
	/* Connect requires the end-of-stream envelope */
	{ "/envelopes?n=5&end=0", WSP_STREAM_CONNECT_ENVELOPE, "msg-", 5,
	  WSP_EPROTO, NULL, "without the end-of-stream envelope" },
};

static void framed_runs(const struct framed_case *c, size_t n)
{
	for (; n--; c++) {
		struct sink k;
		wsp_http_stream_request r;

		sink_init(&k);
		r = request(NULL, &k);
		r.framing = c->framing;
		k.frame_fmt = c->fmt;
		CU_ASSERT_EQUAL(run(&k, c->path, &r, NULL), 0);
		CU_ASSERT_EQUAL(k.got, c->want);
		CU_ASSERT_EQUAL(k.order_errors, 0);
		CU_ASSERT_EQUAL(k.end.failed, c->code != 0);
		if (c->code)
			CU_ASSERT_EQUAL(k.end.err.code, c->code);
		if (c->service_code)
			CU_ASSERT_STRING_EQUAL(k.end.err.service_code,
					       c->service_code);
		if (c->message)
			CU_ASSERT_PTR_NOT_NULL(
				strstr(k.end.err.message, c->message));
		sink_destroy(&k);
	}
}

#define FRAMED_RUNS(cases) framed_runs(cases, sizeof(cases) / sizeof(*cases))

static void test_lines(void)
{
	FRAMED_RUNS(lines_cases);
}

static void test_line_too_long(void)
{
	struct sink k;
	wsp_http_stream_request r;

	sink_init(&k);
	r = request(NULL, &k);
	r.framing = WSP_STREAM_LINES;
	r.max_frame = 64; /* the pattern body has no "\n" at all */
	CU_ASSERT_EQUAL(run(&k, "/chunks?n=4&size=100", &r, NULL), 0);
	CU_ASSERT_TRUE(k.end.failed);
	CU_ASSERT_EQUAL(k.end.err.code, WSP_ETOOBIG);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(k.end.err.message, "longer than 64 bytes"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(k.end.err.message, "cannot GET 'http://"));
	sink_destroy(&k);
}

static void test_envelopes(void)
{
	FRAMED_RUNS(envelope_cases);
}

static void test_envelope_end_error(void)
{
	FRAMED_RUNS(envelope_end_cases);
}

/* Resumes k's stream from another thread whenever the consumer paused. */
struct resumer {
	struct sink *k;
	bool stop;
	pthread_t t;
};

static void *resume_main(void *arg)
{
	struct resumer *r = arg;
	struct sink *k = r->k;

	pthread_mutex_lock(&k->end.mu);
	while (!r->stop && !k->end.done_calls) {
		if (k->paused) {
			wsp_http_stream *s = k->s;

			k->paused = false;
			pthread_mutex_unlock(&k->end.mu);
			usleep(2000); /* drained later, from elsewhere */
			host->http_stream_resume(host, s);
			pthread_mutex_lock(&k->end.mu);
			continue;
		}
		pthread_cond_wait(&k->end.cv, &k->end.mu);
	}
	pthread_mutex_unlock(&k->end.mu);
	return NULL;
}

static void paused_run(const char *path, int framing, const char *fmt,
		       size_t want)
{
	struct sink k;
	struct resumer rs = { 0 };
	wsp_http_stream_request r;

	sink_init(&k);
	k.pause_every = 3;
	k.frame_fmt = fmt;
	rs.k = &k;
	pthread_create(&rs.t, NULL, resume_main, &rs);
	r = request(NULL, &k);
	r.framing = framing;
	CU_ASSERT_EQUAL(run(&k, path, &r, NULL), 0);
	pthread_mutex_lock(&k.end.mu);
	rs.stop = true;
	pthread_cond_broadcast(&k.end.cv);
	pthread_mutex_unlock(&k.end.mu);
	pthread_join(rs.t, NULL);
	CU_ASSERT_FALSE(k.end.failed);
	CU_ASSERT_EQUAL(k.got, want);
	CU_ASSERT_EQUAL(k.order_errors, 0);
	CU_ASSERT(k.pauses > 10);
	sink_destroy(&k);
}

static void test_pause_resume_raw(void)
{
	paused_run("/chunks?n=60&size=3000", WSP_STREAM_RAW, NULL, 180000);
}

/* A pause on a frame in the middle of a piece: the frames before it were
 * taken, the rest come after the resume, none twice, none lost. */
static void test_pause_resume_frames(void)
{
	paused_run("/lines?n=400&cut=50", WSP_STREAM_LINES, "line-", 400);
	paused_run("/envelopes?n=300&cut=64", WSP_STREAM_CONNECT_ENVELOPE,
		   "msg-", 300);
}

struct firer {
	struct sink *k;
	wsp_cancel *c;
};

static void *fire_main(void *arg)
{
	struct firer *f = arg;

	sink_wait(f->k, has_data, WAIT_MS);
	wsp_cancel_fire(f->c);
	return NULL;
}

static void test_cancel_token(void)
{
	struct sink k;
	struct firer f;
	wsp_call call = { .struct_size = sizeof(call) };
	wsp_cancel *c = NULL;
	pthread_t t;

	CU_ASSERT_EQUAL_FATAL(wsp_cancel_new(&c, NULL), 0);
	sink_init(&k);
	f.k = &k;
	f.c = c;
	call.cancel = c;
	pthread_create(&t, NULL, fire_main, &f);
	CU_ASSERT_EQUAL(run_plain(&k, "/stall?bytes=10", &call), 0);
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(k.got, 10);
	CU_ASSERT_TRUE(k.end.failed);
	CU_ASSERT_EQUAL(k.end.err.code, WSP_ECANCELED);
	CU_ASSERT_PTR_NOT_NULL(strstr(k.end.err.message, "canceled"));
	sink_destroy(&k);

	/* an already canceled call is refused, nothing is called */
	sink_init(&k);
	CU_ASSERT_EQUAL(run_plain(&k, "/chunks?n=1", &call), WSP_ECANCELED);
	CU_ASSERT_EQUAL(k.end.done_calls, 0);
	sink_destroy(&k);
	wsp_cancel_free(c);
}

/* The token may be freed while its stream runs: the engine holds its own
 * descriptor (no stale or reused descriptor is watched). */
static void test_cancel_token_freed(void)
{
	struct sink k;
	wsp_http_stream_request r;
	wsp_call call = { .struct_size = sizeof(call) };
	wsp_http_stream *s = NULL;
	wsp_cancel *c = NULL;
	char url[256];

	CU_ASSERT_EQUAL_FATAL(wsp_cancel_new(&c, NULL), 0);
	sink_init(&k);
	call.cancel = c;
	url_of(url, sizeof(url), "/chunks?n=20&size=100&gap=20");
	r = request(url, &k);
	CU_ASSERT_EQUAL_FATAL(host->http_stream_open(&s, host, &call, &r, NULL),
			      0);
	wsp_cancel_free(c);
	CU_ASSERT(sink_wait(&k, stream_end_is_done, WAIT_MS));
	CU_ASSERT_FALSE(k.end.failed);
	CU_ASSERT_EQUAL(k.got, 2000);
	host->http_stream_release(host, s);
	sink_destroy(&k);
}

static void test_deadline(void)
{
	struct sink k;
	wsp_call call = { .struct_size = sizeof(call) };
	int64_t t0 = test_now_ms();

	sink_init(&k);
	call.deadline_ms = t0 + 400;
	CU_ASSERT_EQUAL(run_plain(&k, "/stall?bytes=10", &call), 0);
	CU_ASSERT_TRUE(k.end.failed);
	CU_ASSERT_EQUAL(k.end.err.code, WSP_ETIMEDOUT);
	CU_ASSERT(test_now_ms() - t0 >= 350);
	CU_ASSERT(test_now_ms() - t0 < 10000);
	sink_destroy(&k);

	/* a deadline already past is refused */
	sink_init(&k);
	call.deadline_ms = test_now_ms() - 1;
	CU_ASSERT_EQUAL(run_plain(&k, "/chunks?n=1", &call), WSP_ETIMEDOUT);
	CU_ASSERT_EQUAL(k.end.done_calls, 0);
	sink_destroy(&k);
}

static void test_idle_timeout(void)
{
	struct sink k;
	wsp_http_stream_request r;
	int64_t t0 = test_now_ms();

	sink_init(&k);
	r = request(NULL, &k);
	r.idle_timeout_ms = 300;
	CU_ASSERT_EQUAL(run(&k, "/stall?bytes=10", &r, NULL), 0);
	CU_ASSERT_TRUE(k.end.failed);
	CU_ASSERT_EQUAL(k.end.err.code, WSP_ETIMEDOUT);
	CU_ASSERT_PTR_NOT_NULL(strstr(k.end.err.message, "no data for 300 ms"));
	CU_ASSERT(test_now_ms() - t0 < 10000);
	sink_destroy(&k);
}

static void test_error_status(void)
{
	struct sink k;

	sink_init(&k);
	CU_ASSERT_EQUAL(run_plain(&k, "/no-such-route", NULL), 0);
	CU_ASSERT_TRUE(k.end.failed);
	CU_ASSERT_EQUAL(k.end.status, 404);
	CU_ASSERT_EQUAL(k.end.err.code, WSP_ENOTFOUND);
	CU_ASSERT_EQUAL(k.end.err.http_status, 404);
	CU_ASSERT_EQUAL(k.got, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(k.end.err.message, "HTTP 404"));
	CU_ASSERT_PTR_NOT_NULL(strstr(k.end.err.message, "no such route"));
	sink_destroy(&k);
}

/* The workspace's own secrets (the host table's log sink) are masked in
 * stream errors like the request's. */
static void test_workspace_secret_masked(void)
{
	struct sink k;

	sink_init(&k);
	CU_ASSERT_EQUAL(run_plain(&k, "/status?code=500", NULL), 0);
	CU_ASSERT_TRUE(k.end.failed);
	CU_ASSERT_PTR_NULL(strstr(k.end.err.message, "team-blue"));
	CU_ASSERT_PTR_NOT_NULL(strstr(k.end.err.message, "made-up failure for "
						     "********"));
	sink_destroy(&k);
}

static void test_invalid(void)
{
	struct sink k;
	wsp_http_stream_request r;
	wsp_http_stream *s = (wsp_http_stream *)&k;
	wsp_error err = { 0 };
	char url[256];

	sink_init(&k);
	url_of(url, sizeof(url), "/chunks?n=1");
	r = request(url, &k);
	r.on_data = NULL;
	CU_ASSERT_EQUAL(host->http_stream_open(&s, host, NULL, &r, &err),
			WSP_EINVAL);
	CU_ASSERT_PTR_NULL(s);
	r = request(url, &k);
	r.struct_size = 8; /* an older caller missing required members */
	CU_ASSERT_EQUAL(host->http_stream_open(&s, host, NULL, &r, &err),
			WSP_EINVAL);
	r = request(url, &k);
	r.flags = 0x80;
	CU_ASSERT_EQUAL(host->http_stream_open(&s, host, NULL, &r, &err),
			WSP_EINVAL);
	r = request(url, &k);
	r.framing = 9;
	CU_ASSERT_EQUAL(host->http_stream_open(&s, host, NULL, &r, &err),
			WSP_EINVAL);
	r = request("ftp://127.0.0.1/x", &k);
	CU_ASSERT_EQUAL(host->http_stream_open(&s, host, NULL, &r, &err),
			WSP_EINVAL);
	CU_ASSERT_EQUAL(host->http_stream_open(&s, host, NULL, NULL, &err),
			WSP_EINVAL);
	usleep(50000);
	CU_ASSERT_EQUAL(k.end.done_calls, 0);
	sink_destroy(&k);
}

#define MANY 200

static void test_many_at_once(void)
{
	struct sink *k = calloc(MANY, sizeof(*k));
	wsp_http_stream **s = calloc(MANY, sizeof(*s));
	wsp_http_stream_request r;
	char url[256];
	int ok = 0, bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	url_of(url, sizeof(url), "/chunks?n=20&size=500&gap=5");
	for (int i = 0; i < MANY; i++) {
		sink_init(&k[i]);
		r = request(url, &k[i]);
		r.framing = WSP_STREAM_RAW;
		if (host->http_stream_open(&s[i], host, NULL, &r, NULL))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	for (int i = 0; i < MANY; i++) {
		if (s[i] && sink_wait(&k[i], stream_end_is_done, WAIT_MS * 2) &&
		    !k[i].end.failed && k[i].got == 10000 && !k[i].order_errors)
			ok++;
		host->http_stream_release(host, s[i]);
		sink_destroy(&k[i]);
	}
	CU_ASSERT_EQUAL(ok, MANY);
	free(k);
	free(s);
}

/* A release before the end cancels; on_done still comes, once. */
static void test_release_early(void)
{
	struct sink k;
	wsp_http_stream_request r;
	wsp_http_stream *s = NULL;
	char url[256];

	sink_init(&k);
	url_of(url, sizeof(url), "/stall?bytes=10");
	r = request(url, &k);
	CU_ASSERT_EQUAL_FATAL(host->http_stream_open(&s, host, NULL, &r, NULL),
			      0);
	sink_wait(&k, has_data, WAIT_MS);
	host->http_stream_release(host, s);
	CU_ASSERT(sink_wait(&k, stream_end_is_done, WAIT_MS));
	usleep(20000);
	CU_ASSERT_EQUAL(k.end.done_calls, 1);
	CU_ASSERT_EQUAL(k.end.err.code, WSP_ECANCELED);
	sink_destroy(&k);
}

/* The shared engine: held by workspaces, stopped when the last goes,
 * ending streams still running; a later open starts a new one. */
static void test_engine_lifecycle(void)
{
	struct sink k;
	wsp_http_stream_request r;
	wsp_http_stream *s = NULL;
	char url[256];

	sink_init(&k);
	url_of(url, sizeof(url), "/stall?bytes=10");
	r = request(url, &k);
	wsp__hs_shared_hold(); /* as a workspace opening */
	CU_ASSERT_EQUAL_FATAL(host->http_stream_open(&s, host, NULL, &r, NULL),
			      0);
	CU_ASSERT_TRUE(wsp__hs_shared_running());
	CU_ASSERT_FALSE(wsp__hs_shared_stop()); /* held: stays */
	sink_wait(&k, has_data, WAIT_MS);
	wsp__hs_shared_drop(); /* the last workspace closes */
	CU_ASSERT_FALSE(wsp__hs_shared_running());
	/* its stream ended before the drop returned */
	CU_ASSERT_EQUAL(k.end.done_calls, 1);
	CU_ASSERT_EQUAL(k.end.err.code, WSP_ECANCELED);
	host->http_stream_release(host, s); /* still a valid handle */
	sink_destroy(&k);

	sink_init(&k);
	CU_ASSERT_EQUAL(run_plain(&k, "/chunks?n=2&size=10", NULL), 0);
	CU_ASSERT_FALSE(k.end.failed);
	CU_ASSERT_TRUE(wsp__hs_shared_stop());
	CU_ASSERT_FALSE(wsp__hs_shared_running());
	sink_destroy(&k);
}

static int suite_init(void)
{
	if (stream_server_proc_start(&server, WSP_TEST_STREAM_SERVER))
		return 1;
	wsp__logsink_init(&logsink, NULL, NULL, WSP_LOG_WARN);
	/* a SECRET option of the workspace */
	wsp__logsink_add_secret(&logsink, "team-blue");
	wsp__host_setup(&core_host, &logsink, "sandbox 'made-up'");
	host = &core_host.pub;
	return 0;
}

static int suite_clean(void)
{
	wsp__hs_shared_stop();
	wsp__logsink_fini(&logsink);
	stream_server_proc_stop(&server);
	return 0;
}

static CU_TestInfo tests[] = {
	{ "raw pieces whole and in order", test_raw_in_order },
	{ "response headers before the body", test_response_header },
	{ "a refused header ends the stream", test_header_refused },
	{ "lines framing", test_lines },
	{ "a line over max_frame", test_line_too_long },
	{ "Connect envelope framing", test_envelopes },
	{ "the end-of-stream envelope's error", test_envelope_end_error },
	{ "pause and resume, raw", test_pause_resume_raw },
	{ "pause and resume inside pieces, framed", test_pause_resume_frames },
	{ "the call's cancel token, fired from another thread",
	  test_cancel_token },
	{ "a cancel token freed while its stream runs",
	  test_cancel_token_freed },
	{ "the call's deadline", test_deadline },
	{ "idle timeout", test_idle_timeout },
	{ "404 with the server's message", test_error_status },
	{ "workspace secrets masked", test_workspace_secret_masked },
	{ "invalid requests call nothing", test_invalid },
	{ "200 streams at once", test_many_at_once },
	{ "release before the end", test_release_early },
	{ "the shared engine's lifecycle", test_engine_lifecycle },
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("stream-host", suite_init, suite_clean, tests)
