/*
 * tests/http/test_host.c - see test_host.h.
 */
#include "test_host.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char *log_buf;
static size_t log_len;

static void host_log(const wsp_host *host, int level, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n;

	(void)host;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (getenv("WSP_TEST_VERBOSE"))
		fprintf(stderr, "[%d] %s\n", level, line);
	pthread_mutex_lock(&log_lock);
	char *nb = realloc(log_buf, log_len + (size_t)n + 2);

	if (nb) {
		log_buf = nb;
		memcpy(log_buf + log_len, line, (size_t)n);
		log_len += (size_t)n;
		log_buf[log_len++] = '\n';
		log_buf[log_len] = '\0';
	}
	pthread_mutex_unlock(&log_lock);
}

void test_host_log_clear(void)
{
	pthread_mutex_lock(&log_lock);
	log_len = 0;
	if (log_buf)
		log_buf[0] = '\0';
	pthread_mutex_unlock(&log_lock);
}

char *test_host_log(void)
{
	char *copy;

	pthread_mutex_lock(&log_lock);
	copy = strdup(log_buf ? log_buf : "");
	pthread_mutex_unlock(&log_lock);
	return copy;
}

static int host_cancel_requested(const wsp_host *host, const wsp_cancel *cancel)
{
	struct test_cancel *c = (struct test_cancel *)(void *)cancel;

	(void)host;
	if (!c)
		return 0;
	if (c->fire_at_ms && test_now_ms() >= c->fire_at_ms)
		atomic_store(&c->fired, 1);
	return atomic_load(&c->fired);
}

static int host_cancel_fd(const wsp_host *host, const wsp_cancel *cancel)
{
	(void)host;
	(void)cancel;
	return -1;
}

static int host_call_expired(const wsp_host *host, const wsp_call *call)
{
	if (!call)
		return 0;
	if (host_cancel_requested(host, call->cancel))
		return WSP_ECANCELED;
	if (call->deadline_ms && test_now_ms() >= call->deadline_ms)
		return WSP_ETIMEDOUT;
	return 0;
}

static int64_t host_call_remaining_ms(const wsp_host *host,
				      const wsp_call *call)
{
	int64_t left;

	if (call && host_cancel_requested(host, call->cancel))
		return 0;
	if (!call || !call->deadline_ms)
		return -1;
	left = call->deadline_ms - test_now_ms();
	return left > 0 ? left : 0;
}

static int host_call_fd(const wsp_host *host, const wsp_call *call)
{
	(void)host;
	(void)call;
	return -1; /* the tokens here have none: the service polls */
}

void test_cancel_init(struct test_cancel *c, int64_t ms)
{
	atomic_store(&c->fired, 0);
	c->fire_at_ms = ms ? test_now_ms() + ms : 0;
}

static const wsp_host host = {
	.struct_size = sizeof(wsp_host),
	.log = host_log,
	.cancel_requested = host_cancel_requested,
	.cancel_fd = host_cancel_fd,
	.call_expired = host_call_expired,
	.call_remaining_ms = host_call_remaining_ms,
	.call_fd = host_call_fd,
};

const wsp_host *test_host(void)
{
	return &host;
}
