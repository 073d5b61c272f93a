/*
 * tests/http/fault_server.h - a misbehaving HTTP/1.1 server for the tests.
 *
 * Listens on 127.0.0.1 (ephemeral port) in threads of the test process,
 * so a test can count connections and requests and see what was sent.
 * Behaviour is chosen by the request path (see fault_server.c); counters
 * are per request target (path and query), so each test uses its own.
 */
#ifndef WSP_TEST_FAULT_SERVER_H
#define WSP_TEST_FAULT_SERVER_H

#include <stddef.h>

struct fault_server;

/* Start a server; NULL on failure. */
struct fault_server *fault_server_start(void);

/* Stop it, close every connection and join its threads. */
void fault_server_stop(struct fault_server *fs);

int fault_server_port(const struct fault_server *fs);

/* Connections accepted so far. */
int fault_server_accepts(struct fault_server *fs);

/* Requests seen for this exact target ("/path?query"). */
int fault_server_hits(struct fault_server *fs, const char *target);

/*
 * Copy of the last request received: its head (request line and
 * headers) and body. Returns the body length.
 */
size_t fault_server_last(struct fault_server *fs, char *head, size_t head_cap,
			 char *body, size_t body_cap);

#endif
