/*
 * core/host/http_retry.c - which HTTP failures are retried and how long to wait.
 *
 * Backoff is "full jitter": a uniform draw below an exponentially growing
 * ceiling, so clients that failed together do not retry together. A
 * server's Retry-After wins over the draw (the caller caps it).
 */
#include "http.h"

#include "httpdate.h" /* util/: the one HTTP date reader, the providers' too */

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

bool wsp__http_idempotent_method(const char *method)
{
	static const char *const idem[] = {"GET", "HEAD", "PUT", "DELETE",
					   "OPTIONS"};

	for (size_t i = 0; i < sizeof(idem) / sizeof(idem[0]); i++)
		if (!strcmp(method, idem[i]))
			return true;
	return false;
}

bool wsp__http_retryable_status(long status)
{
	/* 408: the server gave up waiting for us; RFC 9110 lets us repeat */
	return status == 408 || status == 429 || status == 500 ||
	       status == 502 || status == 503 || status == 504;
}

int64_t wsp__http_parse_retry_after(const char *value, int64_t now)
{
	const char *p = value;

	while (*p == ' ' || *p == '\t')
		p++;
	if (isdigit((unsigned char)*p)) {
		int64_t secs = 0;

		for (; isdigit((unsigned char)*p); p++) {
			if (secs > 86400 * 365)
				return -1;
			secs = secs * 10 + (*p - '0');
		}
		while (*p == ' ' || *p == '\t')
			p++;
		return *p ? -1 : secs * 1000;
	}
	int64_t at_ns;

	/* whole seconds: an IMF-fixdate has no fraction */
	if (http_date_ns(&at_ns, p))
		return -1;
	int64_t at = at_ns / 1000000000;

	return at > now ? (at - now) * 1000 : 0;
}

int64_t wsp__http_retry_after_ms(const char *value, int64_t now)
{
	int64_t ms = wsp__http_parse_retry_after(value, now);

	return ms > WSP__HTTP_RETRY_AFTER_MAX_MS ? WSP__HTTP_RETRY_AFTER_MAX_MS
						 : ms;
}

static uint64_t random_u64(void)
{
	uint64_t r;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) == (ssize_t)sizeof(r))
		return r;
	/* No entropy yet (early boot): time-based jitter is still jitter. */
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_nsec * 6364136223846793005ull + ts.tv_sec;
}

int64_t wsp__http_backoff_ms(uint32_t attempt, int64_t base_ms, int64_t max_ms)
{
	int64_t ceiling = base_ms;

	for (uint32_t i = 2; i < attempt && ceiling < max_ms; i++)
		ceiling *= 2;
	if (ceiling > max_ms)
		ceiling = max_ms;
	if (ceiling <= 0)
		return 0;
	return (int64_t)(random_u64() % ((uint64_t)ceiling + 1));
}
