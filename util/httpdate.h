/*
 * util/httpdate.h - the one reader of HTTP dates wsp is sent: S3's
 * Last-Modified header and Blaxel's process times (startedAt,
 * completedAt: Go's http.TimeFormat) in the providers, any server's
 * Retry-After in the core's HTTP service (core/host/http_retry.c), all
 * RFC 9110's IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT". RFC 3339
 * stamps are rfc3339.h's. Fuzzed by tests/fuzz/fuzz_s3text.c and
 * fuzz_http.c, tested by tests/shared/test_times.c.
 */
#ifndef WSP_UTIL_HTTPDATE_H
#define WSP_UTIL_HTTPDATE_H

#include <stdint.h>

/*
 * s, the whole string, as nanoseconds since 1970-01-01T00:00:00Z into
 * *out: 0, else -1 with *out untouched.
 *
 * Accepted, and nothing else: IMF-fixdate exactly, 29 characters,
 *   day-name ", " DD " " month-name " " YYYY " " hh ":" mm ":" ss " GMT"
 * with the English three-letter names as RFC 9110 spells them (case
 * counts), two-digit fields (no space, no sign), a day that exists in
 * its month, hh 00..23, mm 00..59, ss 00..60 (a leap second counts as
 * the next minute's first second) and an instant whose nanoseconds fit
 * an int64_t (years 1678 to 2262). The day-name is not checked against
 * the date: no server here gets it wrong, and a wrong one tells nothing.
 *
 * Refused: RFC 850 and asctime dates (obsolete forms a sender must not
 * generate), any zone but GMT, anything before or after.
 */
int http_date_ns(int64_t *out, const char *s);

/*
 * s as http_date_ns() reads it, or 0 when http_date_ns() refuses it (a
 * NULL s too): "an unreadable or missing date is an unknown one", as
 * Blaxel's process times take it. 0 is also the epoch itself; a caller
 * that must tell the two apart calls http_date_ns().
 */
int64_t http_date_ns_or0(const char *s);

#endif
