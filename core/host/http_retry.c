/*
 * core/host/http_retry.c - which HTTP failures are retried and how long to wait.
 *
 * Backoff is "full jitter": a uniform draw below an exponentially growing
 * ceiling, so clients that failed together do not retry together. A
 * server's Retry-After wins over the draw (the caller caps it).
 */
#include "http.h"

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

static int month_index(const char *m)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

	for (int i = 0; i < 12; i++)
		if (!strncmp(m, months + 3 * i, 3))
			return i;
	return -1;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (no timegm needed). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

/*
 * Whether v has the IMF-fixdate's shape: letters, digits and separators
 * exactly where "Sun, 06 Nov 1994 08:49:37 GMT" has them. sscanf()'s %2d
 * alone also takes " 6", "+6" and "-8".
 */
static bool fixdate_shape(const char *v)
{
	static const char shape[] = "Aaa, 00 Aaa 0000 00:00:00 GMT";

	if (strlen(v) != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; shape[i]; i++) {
		unsigned char c = (unsigned char)v[i];
		bool ok = shape[i] == '0' ? isdigit(c) != 0
			  : shape[i] == 'A' || shape[i] == 'a'
				  ? isalpha(c) != 0
				  : c == (unsigned char)shape[i];

		if (!ok)
			return false;
	}
	return true;
}

/* IMF-fixdate only ("Sun, 06 Nov 1994 08:49:37 GMT"), as RFC 9110 sends. */
static int64_t parse_http_date(const char *v)
{
	char wd[4], mon[4], zone[4];
	int day, year, hh, mm, ss, n = 0;

	if (!fixdate_shape(v))
		return -1;
	if (sscanf(v, "%3[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d %3s%n", wd,
		   &day, mon, &year, &hh, &mm, &ss, zone, &n) != 8)
		return -1;
	if (strcmp(zone, "GMT") || v[n] != '\0')
		return -1;
	int mi = month_index(mon);

	if (mi < 0 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60)
		return -1;
	return days_from_civil(year, mi + 1, day) * 86400 + hh * 3600 +
	       mm * 60 + ss;
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
	int64_t at = parse_http_date(p);

	if (at < 0)
		return -1;
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
