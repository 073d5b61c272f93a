/*
 * tests/common/test_wait.h - waiting for an event a test can observe
 * instead of sleeping for a guessed time, which a loaded machine (CI on
 * two cores, AddressSanitizer) can always outlast.
 */
#ifndef WSP_TEST_WAIT_H
#define WSP_TEST_WAIT_H

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

#endif
