/*
 * tests/http/fault_server_impl.h - what fault_server.c shares with its
 * S3 look-alike (fault_s3.c). Not for the tests themselves.
 */
#ifndef WSP_TEST_FAULT_SERVER_IMPL_H
#define WSP_TEST_FAULT_SERVER_IMPL_H

#include "test_http_server.h"
#include "fault_server.h"

#include <stddef.h>

/* 1 = input is waiting, 0 = ms passed, -1 = the server stops. */
int fault_wait_readable(struct fault_server *fs, int fd, int ms);
int fault_sendf(int fd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* len bytes of the pattern 'a' + offset % 26, from offset `from` on. */
void fault_send_pattern(int fd, size_t from, size_t len);
/* Count a hit of target (any string); the new count. */
int fault_count_hit(struct fault_server *fs, const char *target);
/* A query number, a request header's value, sending a buffer whole:
 * test_http_query_long, test_http_header and test_http_send_all
 * (tests/common/test_http_server.h, included here). */

/*
 * Answer a request for /team-data/... (hit: its count for this target).
 * 0 keeps the connection, -1 closes it, -2 resets it.
 */
int fault_s3(struct fault_server *fs, int fd, const char *method,
	     const char *target, const char *head, int hit);

#endif
