/*
 * util/rfc3339.h - the one reader of RFC 3339 time stamps the
 * providers' servers send: S3's ListObjects LastModified
 * ("2024-01-02T03:04:05.000Z"), GCS's object updated and timeCreated
 * ("2024-01-02T03:04:05.123Z"), Go's time.Time in the remote sandboxes'
 * JSON (Daytona's modifiedAt, Blaxel's lastModified: RFC3339Nano, Z or
 * an offset) and protobuf's Timestamp in E2B's envd (modifiedTime: Z,
 * 0, 3, 6 or 9 fraction digits). Fuzzed by tests/fuzz/fuzz_rfc3339.c,
 * tested by tests/shared/test_times.c.
 */
#ifndef WSP_UTIL_RFC3339_H
#define WSP_UTIL_RFC3339_H

#include <stdint.h>

/*
 * s, the whole string, as nanoseconds since 1970-01-01T00:00:00Z into
 * *out: 0, else -1 with *out untouched.
 *
 * Accepted, and nothing else (RFC 3339 section 5.6, "date-time"):
 *   YYYY-MM-DD 'T' hh:mm:ss [ '.' 1 to 9 digits ] ( 'Z' | ('+'|'-') hh:mm )
 * with 'T' and 'Z' also lower case (5.6's note), every field exactly its
 * digits (no sign, no space), a day that exists in its month (29 February
 * in leap years only), hh 00..23, mm 00..59, ss 00..60 (a leap second
 * counts as the next minute's first second: POSIX time has none), an
 * offset's hh 00..23 and mm 00..59 ("-00:00" is UTC), and an instant
 * whose nanoseconds fit an int64_t (1677-09-21T00:12:43.145224192Z to
 * 2262-04-11T23:47:16.854775807Z).
 *
 * Refused: a NULL or empty s, a missing part (no zone, an empty
 * fraction "."), a field out of range or with too few or too many
 * digits, a fraction of 10 digits or more, a space for 'T', anything
 * after the zone, and an instant outside int64_t nanoseconds.
 *
 * A caller that takes a refusal as an unknown time, as every provider's
 * listing does (mtime_ns 0), calls rfc3339_ns_or0() instead.
 */
int rfc3339_ns(int64_t *out, const char *s);

/*
 * s as rfc3339_ns() reads it, or 0 when rfc3339_ns() refuses it (a NULL
 * s too): "an unreadable or missing stamp is an unknown one", written
 * once. 0 is also the epoch itself; a caller that must tell the two
 * apart calls rfc3339_ns().
 */
int64_t rfc3339_ns_or0(const char *s);

#endif
