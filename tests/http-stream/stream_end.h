/*
 * tests/http-stream/stream_end.h - the end of a test's stream as its
 * on_done reports it, and the lock and condition the test waits on. The
 * engine's suite (wsp__hs_*) and the host table's suite (wsp_http_stream)
 * hand different stream types to their callbacks, but end a stream the
 * same way; each suite's sink holds one of these as its first member.
 */
#ifndef WSP_TEST_STREAM_END_H
#define WSP_TEST_STREAM_END_H

#include <wsp/common.h>

#include <test_wait.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct stream_end {
	pthread_mutex_t mu; /* guards the whole sink, not only this */
	pthread_cond_t cv;  /* broadcast on every callback */
	int done_calls;
	long status;
	bool failed;
	wsp_error err;
	int64_t done_at; /* test_now_ms() when on_done came */
};

static inline void stream_end_init(struct stream_end *e)
{
	pthread_mutex_init(&e->mu, NULL);
	pthread_cond_init(&e->cv, NULL);
}

static inline void stream_end_destroy(struct stream_end *e)
{
	pthread_mutex_destroy(&e->mu);
	pthread_cond_destroy(&e->cv);
}

/* What on_done does: record the end and wake the waiters. */
static inline void stream_end_done(struct stream_end *e, long status,
				   const wsp_error *err)
{
	pthread_mutex_lock(&e->mu);
	e->done_calls++;
	e->status = status;
	e->failed = err != NULL;
	if (err)
		e->err = *err;
	e->done_at = test_now_ms();
	pthread_cond_broadcast(&e->cv);
	pthread_mutex_unlock(&e->mu);
}

/* Wait until pred(sink) holds, checked under e->mu, for at most ms; 1 if
 * it did. sink is the struct e is the first member of. */
static inline int stream_end_wait(struct stream_end *e, int (*pred)(void *),
				  void *sink, int ms)
{
	return test_cond_wait(&e->mu, &e->cv, pred, sink, ms);
}

/* A predicate for stream_end_wait: on_done came. */
static inline int stream_end_is_done(void *sink)
{
	const struct stream_end *e = sink; /* the sink's first member */

	return e->done_calls > 0;
}

#endif
