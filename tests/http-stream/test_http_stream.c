/*
 * tests/http-stream/test_http_stream.c - the streaming engine
 * (core/http_stream*.c) against stream_server, a real server process on
 * 127.0.0.1: many streams at once, idle timeouts, cancel, backpressure,
 * resets, error statuses, stopping the engine with streams running.
 */
#include "http_stream.h"
#include "stream_end.h"
#include "stream_pattern.h"
#include "stream_server_proc.h"

#include <CUnit/CUnit.h>
#include <cu_main.h>
#include <test_wait.h>
#include <test_port.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS 30000

static struct stream_server_proc server;
static wsp__hs_engine *eng;

struct sink {
	struct stream_end end; /* first: its mu guards the rest too */
	wsp__hs_stream *s;
	size_t got;
	int order_errors;
	int calls;
	char head[4096]; /* first bytes, for text answers */
	/* consumer behaviour */
	int pause_every;   /* PAUSE every n-th call (not consuming it) */
	int pause_once_ms; /* PAUSE the first call; resume after this */
	int fail_with;	   /* return this from the first call */
	bool paused;
	int pauses;
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

static int on_data(wsp__hs_stream *s, const char *data, size_t len, void *p)
{
	struct sink *k = p;
	int rc = 0;

	pthread_mutex_lock(&k->end.mu);
	k->s = s;
	k->calls++;
	if (k->fail_with) {
		rc = k->fail_with;
	} else if ((k->pause_every && k->calls % k->pause_every == 0) ||
		   (k->pause_once_ms && k->calls == 1)) {
		k->paused = true;
		k->pauses++;
		rc = WSP__HS_PAUSE;
	} else {
		k->order_errors += stream_pattern_errors(data, len, k->got);
		if (k->got < sizeof(k->head) - 1) {
			size_t n = len;

			if (n > sizeof(k->head) - 1 - k->got)
				n = sizeof(k->head) - 1 - k->got;
			memcpy(k->head + k->got, data, n);
		}
		k->got += len;
	}
	pthread_cond_broadcast(&k->end.cv);
	pthread_mutex_unlock(&k->end.mu);
	return rc;
}

static void on_done(wsp__hs_stream *s, long status, const wsp_error *err,
		    void *p)
{
	struct sink *k = p;

	(void)s;
	stream_end_done(&k->end, status, err);
}

/* Wait until pred(k) holds (checked under k's lock); 1 if it did. */
static int sink_wait(struct sink *k, int (*pred)(void *), int ms)
{
	return stream_end_wait(&k->end, pred, k, ms);
}

static void url_for(char *dst, size_t cap, const char *target)
{
	snprintf(dst, cap, "http://127.0.0.1:%d%s", server.port, target);
}

/* Start r on the engine, its URL the server's target and its callbacks
 * k's. */
static wsp__hs_stream *start_request(struct sink *k, wsp__hs_request *r,
				     const char *target)
{
	char url[256];
	wsp__hs_stream *s = NULL;
	wsp_error err = {0};

	url_for(url, sizeof(url), target);
	r->url = url;
	r->on_data = on_data;
	r->on_done = on_done;
	r->payload = k;
	CU_ASSERT_EQUAL_FATAL(wsp__hs_start(eng, r, &s, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(s);
	r->url = NULL; /* the engine took a copy; url ends here */
	return s;
}

/* A GET of target with that idle timeout. */
static wsp__hs_stream *start(struct sink *k, const char *target,
			     int64_t idle_ms)
{
	wsp__hs_request r = {.method = "GET", .idle_timeout_ms = idle_ms};

	return start_request(k, &r, target);
}

/* The server's count of responses whose client went away. */
static int peer_closed(void)
{
	struct sink k;
	wsp__hs_stream *s;
	int n = -1;

	sink_init(&k);
	s = start(&k, "/stats", 0);
	if (sink_wait(&k, stream_end_is_done, WAIT_MS) && !k.end.failed)
		sscanf(k.head, "peer_closed=%d", &n);
	wsp__hs_release(s);
	sink_destroy(&k);
	return n;
}

static int suite_init(void)
{
	wsp_error err = {0};

	if (stream_server_proc_start(&server, WSP_TEST_STREAM_SERVER))
		return -1;
	return wsp__hs_engine_new(&eng, &err) ? -1 : 0;
}

static int suite_clean(void)
{
	wsp__hs_engine_free(eng);
	eng = NULL;
	stream_server_proc_stop(&server);
	return 0;
}

#define N_MANY 100

/* Many chunked streams at once on the one engine thread, each whole and
 * in order. */
static void test_many_streams(void)
{
	static struct sink k[N_MANY];
	wsp__hs_stream *s[N_MANY];

	for (int i = 0; i < N_MANY; i++) {
		sink_init(&k[i]);
		s[i] = start(&k[i], "/chunks?n=40&size=1500&gap=5", 0);
	}
	for (int i = 0; i < N_MANY; i++) {
		CU_ASSERT_TRUE(sink_wait(&k[i], stream_end_is_done, WAIT_MS));
		CU_ASSERT_FALSE(k[i].end.failed);
		CU_ASSERT_EQUAL(k[i].end.status, 200);
		CU_ASSERT_EQUAL(k[i].got, 40 * 1500);
		CU_ASSERT_EQUAL(k[i].order_errors, 0);
		CU_ASSERT_EQUAL(k[i].end.done_calls, 1);
		wsp__hs_release(s[i]);
	}
	for (int i = 0; i < N_MANY; i++)
		sink_destroy(&k[i]);
}

/* A server that sends 10 bytes and then nothing: the idle timer ends the
 * stream after its own timeout, not libcurl's 30 s. */
static void test_idle_timeout_stalled(void)
{
	struct sink k;
	wsp__hs_stream *s;
	int64_t t0 = test_now_ms();

	sink_init(&k);
	s = start(&k, "/stall?bytes=10", 300);
	CU_ASSERT_TRUE_FATAL(sink_wait(&k, stream_end_is_done, WAIT_MS));
	CU_ASSERT_TRUE(k.end.failed);
	CU_ASSERT_EQUAL(k.end.err.code, WSP_ETIMEDOUT);
	CU_ASSERT_EQUAL(k.got, 10);
	CU_ASSERT_PTR_NOT_NULL(strstr(k.end.err.message, "no data for 300 ms"));
	CU_ASSERT_PTR_NOT_NULL(strstr(k.end.err.message, "after 10 bytes"));
	CU_ASSERT_TRUE(k.end.done_at - t0 >= 290);
	CU_ASSERT_TRUE(k.end.done_at - t0 < 10000);
	wsp__hs_release(s);
	sink_destroy(&k);
}

/* One byte every 100 ms for 1.2 s: twice the idle timeout in all, but
 * never quiet for one (six gaps' margin for a loaded machine), so it
 * completes. */
static void test_idle_timeout_trickle(void)
{
	struct sink k;
	wsp__hs_stream *s;

	sink_init(&k);
	s = start(&k, "/trickle?n=12&gap=100", 600);
	CU_ASSERT_TRUE_FATAL(sink_wait(&k, stream_end_is_done, WAIT_MS));
	CU_ASSERT_FALSE(k.end.failed);
	CU_ASSERT_EQUAL(k.got, 12);
	CU_ASSERT_EQUAL(k.order_errors, 0);
	wsp__hs_release(s);
	sink_destroy(&k);
}

static int got_20(void *p)
{
	const struct sink *k = p;

	return k->got >= 20 || k->end.done_calls;
}

/* Cancel from the test's thread while bytes flow: on_done once with
 * WSP_ECANCELED, and the server sees the connection go. */
static void test_cancel_midstream(void)
{
	int before = peer_closed();
	struct sink k;
	wsp__hs_stream *s;
	int after = before;

	CU_ASSERT_TRUE_FATAL(before >= 0);
	sink_init(&k);
	s = start(&k, "/trickle?n=100000&gap=5", 0);
	CU_ASSERT_TRUE_FATAL(sink_wait(&k, got_20, WAIT_MS));
	wsp__hs_cancel(s);
	CU_ASSERT_TRUE_FATAL(sink_wait(&k, stream_end_is_done, WAIT_MS));
	CU_ASSERT_TRUE(k.end.failed);
	CU_ASSERT_EQUAL(k.end.err.code, WSP_ECANCELED);
	CU_ASSERT_PTR_NOT_NULL(strstr(k.end.err.message, "canceled"));
	wsp__hs_cancel(s); /* after the end: nothing happens */
	wsp__hs_release(s);
	for (int i = 0; i < 500 && after <= before; i++) {
		usleep(10000);
		after = peer_closed();
	}
	CU_ASSERT_TRUE(after > before);
	CU_ASSERT_EQUAL(k.end.done_calls, 1);
	sink_destroy(&k);
}

struct resumer {
	struct sink *k;
	bool stop;
	int delay_ms;
};

/* The consumer side of backpressure: lift each pause from another
 * thread, after a while. */
static void *resume_main(void *arg)
{
	struct resumer *r = arg;
	struct sink *k = r->k;

	pthread_mutex_lock(&k->end.mu);
	while (!k->end.done_calls) {
		if (k->paused) {
			wsp__hs_stream *s = k->s;

			k->paused = false;
			pthread_mutex_unlock(&k->end.mu);
			usleep((useconds_t)r->delay_ms * 1000);
			wsp__hs_resume(s);
			pthread_mutex_lock(&k->end.mu);
			continue;
		}
		pthread_cond_wait(&k->end.cv, &k->end.mu);
	}
	pthread_mutex_unlock(&k->end.mu);
	return NULL;
}

/*
 * Stream target into k (set to pause) with a thread lifting each pause
 * after delay_ms, to the end, which must not be a failure: the pause
 * tests differ only in how the sink pauses and what arrives. The stream
 * is the caller's to release.
 */
static wsp__hs_stream *start_resumed(struct sink *k, const char *target,
				     int64_t idle_ms, int delay_ms)
{
	struct resumer r = {.k = k, .delay_ms = delay_ms};
	wsp__hs_stream *s;
	pthread_t t;

	pthread_create(&t, NULL, resume_main, &r);
	s = start(k, target, idle_ms);
	CU_ASSERT_TRUE(sink_wait(k, stream_end_is_done, WAIT_MS));
	pthread_join(t, NULL);
	CU_ASSERT_FALSE(k->end.failed);
	if (k->end.failed)
		fprintf(stderr, "%s\n", k->end.err.message);
	return s;
}

/* Every third piece is refused with PAUSE and resumed from another
 * thread: every byte still arrives, once and in order. */
static void test_pause_resume_every_byte(void)
{
	struct sink k;
	wsp__hs_stream *s;

	sink_init(&k);
	k.pause_every = 3;
	s = start_resumed(&k, "/chunks?n=200&size=4096&gap=0", 0, 1);
	CU_ASSERT_EQUAL(k.got, 200 * 4096);
	CU_ASSERT_EQUAL(k.order_errors, 0);
	CU_ASSERT_TRUE(k.pauses >= 10);
	wsp__hs_release(s);
	sink_destroy(&k);
}

/* Paused for three idle timeouts: the consumer's time is not the
 * server's silence, so the stream still completes. */
static void test_pause_is_not_idle(void)
{
	struct sink k;
	wsp__hs_stream *s;

	sink_init(&k);
	k.pause_once_ms = 600;
	s = start_resumed(&k, "/chunks?n=3&size=100&gap=0", 200, 600);
	CU_ASSERT_EQUAL(k.pauses, 1);
	CU_ASSERT_EQUAL(k.got, 300);
	CU_ASSERT_EQUAL(k.order_errors, 0);
	wsp__hs_release(s);
	sink_destroy(&k);
}

/* A reset after 1000 bytes is an error that says how far it got. */
static void test_server_reset(void)
{
	struct sink k;
	wsp__hs_stream *s;

	sink_init(&k);
	s = start(&k, "/reset?bytes=1000", 0);
	CU_ASSERT_TRUE_FATAL(sink_wait(&k, stream_end_is_done, WAIT_MS));
	CU_ASSERT_TRUE(k.end.failed);
	CU_ASSERT_TRUE(k.end.err.code == WSP_EUNAVAIL ||
		       k.end.err.code == WSP_EPROTO);
	CU_ASSERT_EQUAL(k.got, 1000);
	CU_ASSERT_PTR_NOT_NULL(strstr(k.end.err.message, "after 1000 bytes"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(k.end.err.message, "cannot GET 'http://"));
	wsp__hs_release(s);
	sink_destroy(&k);
}

/* Error statuses never reach on_data; they map as in the blocking
 * service, with the server's own message. */
static void test_error_status(void)
{
	static const struct {
		const char *target;
		int code;
	} cases[] = {{"/status?code=503", WSP_EUNAVAIL},
		     {"/status?code=404", WSP_ENOTFOUND},
		     {"/status?code=401", WSP_EAUTH}};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sink k;
		wsp__hs_stream *s;

		sink_init(&k);
		s = start(&k, cases[i].target, 0);
		CU_ASSERT_TRUE_FATAL(
			sink_wait(&k, stream_end_is_done, WAIT_MS));
		CU_ASSERT_TRUE(k.end.failed);
		CU_ASSERT_EQUAL(k.end.err.code, cases[i].code);
		CU_ASSERT_EQUAL(k.calls, 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(k.end.err.message,
					      "made-up failure for team-blue"));
		/* the detail, as the blocking service fills it */
		CU_ASSERT_EQUAL(k.end.err.http_status, k.end.status);
		CU_ASSERT_STRING_EQUAL(k.end.err.service_code,
				       "team-blue.failed");
		if (k.end.status == 503) {
			CU_ASSERT_EQUAL(k.end.err.flags,
					WSP_ERROR_RETRYABLE |
						WSP_ERROR_HAS_RETRY_AFTER);
			CU_ASSERT_EQUAL(k.end.err.retry_after_ms, 9000);
		} else {
			CU_ASSERT_EQUAL(k.end.err.flags, 0);
		}
		wsp__hs_release(s);
		sink_destroy(&k);
	}
}

/* Method, headers and body go out as given. */
static void test_post_with_body(void)
{
	static const wsp_http_header h[] = {{"X-Test", "team-blue"}};
	struct sink k;
	wsp__hs_request r = {.method = "POST",
			     .headers = h,
			     .n_headers = 1,
			     .body = "hello stream",
			     .body_len = 12};
	wsp__hs_stream *s;

	sink_init(&k);
	s = start_request(&k, &r, "/echo");
	CU_ASSERT_TRUE_FATAL(sink_wait(&k, stream_end_is_done, WAIT_MS));
	CU_ASSERT_FALSE(k.end.failed);
	CU_ASSERT_STRING_EQUAL(k.head, "POST team-blue\nhello stream");
	wsp__hs_release(s);
	sink_destroy(&k);
}

/* A port nobody listens on. */
static void test_connection_refused(void)
{
	int port = test_free_port();
	char url[128];
	struct sink k;
	wsp__hs_request r = {.method = "GET",
			     .url = url,
			     .on_data = on_data,
			     .on_done = on_done,
			     .payload = &k};
	wsp__hs_stream *s = NULL;
	wsp_error err = {0};

	CU_ASSERT_TRUE_FATAL(port > 0); /* freed, never listened: it refuses */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/x", port);
	sink_init(&k);
	CU_ASSERT_EQUAL_FATAL(wsp__hs_start(eng, &r, &s, &err), 0);
	CU_ASSERT_TRUE_FATAL(sink_wait(&k, stream_end_is_done, WAIT_MS));
	CU_ASSERT_EQUAL(k.end.err.code, WSP_EUNAVAIL);
	CU_ASSERT_EQUAL(k.end.status, 0);
	wsp__hs_release(s);
	sink_destroy(&k);
}

/* A consumer's error ends the stream with that code. */
static void test_consumer_error(void)
{
	struct sink k;
	wsp__hs_stream *s;

	sink_init(&k);
	k.fail_with = WSP_EIO;
	s = start(&k, "/chunks?n=5&size=100&gap=0", 0);
	CU_ASSERT_TRUE_FATAL(sink_wait(&k, stream_end_is_done, WAIT_MS));
	CU_ASSERT_EQUAL(k.end.err.code, WSP_EIO);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(k.end.err.message, "the stream consumer stopped"));
	CU_ASSERT_EQUAL(k.calls, 1);
	wsp__hs_release(s);
	sink_destroy(&k);
}

/* Secrets in the URL's path never reach a message. */
static void test_secret_masked(void)
{
	static const char *const secrets[] = {"sekrit-team-blue", NULL};
	struct sink k;
	wsp__hs_request r = {.method = "GET", .secrets = secrets};
	wsp__hs_stream *s;

	sink_init(&k);
	s = start_request(&k, &r, "/status-sekrit-team-blue?code=403");
	CU_ASSERT_TRUE_FATAL(sink_wait(&k, stream_end_is_done, WAIT_MS));
	CU_ASSERT_EQUAL(k.end.err.code, WSP_EAUTH);
	CU_ASSERT_PTR_NULL(strstr(k.end.err.message, "sekrit"));
	CU_ASSERT_PTR_NOT_NULL(strstr(k.end.err.message, "********"));
	wsp__hs_release(s);
	sink_destroy(&k);
}

/* Bad requests fail at once and call nothing. */
static void test_invalid_requests(void)
{
	static const wsp_http_header bad[] = {{"X-Test", "a\r\nInjected: 1"}};
	struct sink k;
	wsp__hs_request r = {.method = "GET",
			     .url = "ftp://127.0.0.1/x",
			     .on_data = on_data,
			     .on_done = on_done,
			     .payload = &k};
	wsp__hs_stream *s = NULL;
	wsp_error err = {0};

	sink_init(&k);
	CU_ASSERT_EQUAL(wsp__hs_start(eng, &r, &s, &err), WSP_EINVAL);
	CU_ASSERT_PTR_NULL(s);
	r.url = "http://127.0.0.1:1/x";
	r.headers = bad;
	r.n_headers = 1;
	CU_ASSERT_EQUAL(wsp__hs_start(eng, &r, &s, &err), WSP_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "X-Test"));
	r.headers = NULL;
	r.n_headers = 0;
	r.on_data = NULL;
	CU_ASSERT_EQUAL(wsp__hs_start(eng, &r, &s, &err), WSP_EINVAL);
	usleep(50000);
	CU_ASSERT_EQUAL(k.end.done_calls, 0);
	sink_destroy(&k);
}

static int got_any(void *p)
{
	const struct sink *k = p;

	return k->got > 0 || k->end.done_calls;
}

#define N_STOP 20

/* Stopping the engine ends every running stream once, with
 * WSP_ECANCELED, before it returns; handles stay releasable after. */
static void test_engine_stop(void)
{
	static struct sink k[N_STOP];
	wsp__hs_stream *s[N_STOP];
	wsp__hs_engine *own = NULL;
	wsp_error err = {0};
	char url[256];

	CU_ASSERT_EQUAL_FATAL(wsp__hs_engine_new(&own, &err), 0);
	url_for(url, sizeof(url), "/stall?bytes=10");
	for (int i = 0; i < N_STOP; i++) {
		wsp__hs_request r = {.method = "GET",
				     .url = url,
				     .on_data = on_data,
				     .on_done = on_done,
				     .payload = &k[i]};

		sink_init(&k[i]);
		CU_ASSERT_EQUAL_FATAL(wsp__hs_start(own, &r, &s[i], &err), 0);
	}
	for (int i = 0; i < N_STOP; i++)
		CU_ASSERT_TRUE(sink_wait(&k[i], got_any, WAIT_MS));
	wsp__hs_engine_free(own);
	for (int i = 0; i < N_STOP; i++) {
		CU_ASSERT_EQUAL(k[i].end.done_calls, 1);
		CU_ASSERT_EQUAL(k[i].end.err.code, WSP_ECANCELED);
		CU_ASSERT_PTR_NOT_NULL(
			strstr(k[i].end.err.message, "engine stopped"));
		wsp__hs_resume(s[i]);
		wsp__hs_release(s[i]);
		sink_destroy(&k[i]);
	}
}

static CU_TestInfo tests[] = {
	{"many concurrent chunked streams", test_many_streams},
	{"idle timeout ends a stalled stream", test_idle_timeout_stalled},
	{"idle timeout spares a trickling stream", test_idle_timeout_trickle},
	{"cancel mid-stream", test_cancel_midstream},
	{"pause/resume delivers every byte in order",
	 test_pause_resume_every_byte},
	{"a paused stream is not idle", test_pause_is_not_idle},
	{"server reset is an error", test_server_reset},
	{"error statuses map with the server's message", test_error_status},
	{"POST with headers and body", test_post_with_body},
	{"connection refused", test_connection_refused},
	{"consumer error ends the stream", test_consumer_error},
	{"secrets masked in messages", test_secret_masked},
	{"invalid requests", test_invalid_requests},
	{"stopping the engine cancels its streams", test_engine_stop},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("http-stream", suite_init, suite_clean, tests)
