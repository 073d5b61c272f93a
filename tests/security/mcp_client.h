/*
 * tests/security/mcp_client.h - a strict MCP client for the security
 * suites: runs `wsp mcp` on pipes, sends raw lines (any bytes, any
 * length) and reads the answers, checking every line the server writes:
 * a JSON object in UTF-8, no raw control characters, "jsonrpc": "2.0".
 * A line that fails counts in m->bad and is printed, so a suite asserts
 * m->bad == 0 once, after everything it sent.
 */
#ifndef WSP_TEST_MCP_CLIENT_H
#define WSP_TEST_MCP_CLIENT_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <sys/types.h>

struct mcp {
	pid_t pid;
	int to, from; /* the server's stdin and stdout (our ends) */
	char *buf;    /* what it wrote and we have not taken yet */
	size_t len, cap;
	int bad;   /* lines that were not valid JSON-RPC 2.0 */
	int lines; /* lines it wrote */
	int eof;
};

/*
 * Start `WSP_CLI mcp` in cwd with env changed as tu_run() does ("K=V" sets,
 * "K" unsets). 0, or -1.
 */
int mcp_start(struct mcp *m, const char *cwd, const char *const *env);

/* Write len bytes and a newline, reading what the server says meanwhile
 * (so neither side blocks). 0, or -1 when the server stopped reading. */
int mcp_send(struct mcp *m, const char *data, size_t len);

/*
 * The next answer whose id, printed as JSON, is id ("7", "\"a\"", "null"),
 * waiting at most ms; lines before it are checked and dropped. NULL on
 * timeout or end of output. Free with cJSON_Delete().
 */
cJSON *mcp_answer(struct mcp *m, const char *id, int ms);

/* initialize + notifications/initialized; 0 when answered with a result. */
int mcp_initialize(struct mcp *m);

/* The error code of an answer, or 0 when it is a result. */
int mcp_code(const cJSON *answer);

/* Close its stdin, read to the end, wait: its exit status (128+N: signal
 * N), or -1. */
int mcp_stop(struct mcp *m);

/* 1 when s[0..len) is valid UTF-8 (no overlongs, surrogates, > U+10FFFF). */
int mcp_utf8_valid(const unsigned char *s, size_t len);

#endif
