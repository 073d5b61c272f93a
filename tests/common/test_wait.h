/*
 * tests/common/test_wait.h - waiting for an event a test can observe
 * instead of sleeping for a guessed time, which a loaded machine (CI on
 * two cores, AddressSanitizer) can always outlast.
 */
#ifndef WSP_TEST_WAIT_H
#define WSP_TEST_WAIT_H

#include <pthread.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

/*
 * 1 once the file at path exists and is not empty, 0 if that did not
 * happen within ms milliseconds. Polls every 10 ms: a file written by a
 * command (`echo $$ > pid`) is the test's signal that the command reached
 * that point.
 */
static inline int test_wait_file(const char *path, int ms)
{
	struct timespec tick = { 0, 10 * 1000000L };
	struct stat st;
	int waited;

	for (waited = 0; waited <= ms; waited += 10) {
		if (stat(path, &st) == 0 && st.st_size > 0)
			return 1;
		nanosleep(&tick, NULL);
	}
	return 0;
}

/* Milliseconds on CLOCK_MONOTONIC (deadlines of the waits below). */
static inline int64_t test_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * 1 once pred(arg) holds, 0 if it did not within ms milliseconds: pred is
 * checked with mu locked, after each broadcast on cv by the thread that
 * changes what it reads (callbacks of a stream under test), and at least
 * every 10 ms. mu is unlocked again on return.
 */
static inline int test_cond_wait(pthread_mutex_t *mu, pthread_cond_t *cv,
				 int (*pred)(void *arg), void *arg, int ms)
{
	int64_t end = test_now_ms() + ms;
	int ok;

	pthread_mutex_lock(mu);
	while (!(ok = pred(arg)) && test_now_ms() < end) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 10 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(cv, mu, &ts);
	}
	pthread_mutex_unlock(mu);
	return ok;
}

#endif
