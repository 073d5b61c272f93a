/*
 * plugins/sandbox-e2b/envelope.h - the Connect protocol's pieces that
 * E2B's process streams need beyond the core's framing (the core splits
 * a streamed body into envelopes, WSP_STREAM_CONNECT_ENVELOPE; this
 * builds the request's envelope and reads each message): see envelope.c.
 * No dependency on the rest of the provider: the fuzz target compiles
 * envelope.c alone.
 */
#ifndef WSP_SANDBOX_E2B_ENVELOPE_H
#define WSP_SANDBOX_E2B_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

/* The envelope header: [flags:1][length:4, big-endian]. */
#define E2B_ENVELOPE_HEAD 5
/* Longest process event we accept (envd sends data in 32 KiB chunks). */
#define E2B_EVENT_MAX (4u << 20)

/*
 * A request body of one message: the header, then json_len bytes of
 * json. *out is malloc'ed (E2B_ENVELOPE_HEAD + json_len bytes); 0, or
 * -1 when out of memory or the length does not fit 32 bits.
 */
int e2b_envelope(char **out, size_t *out_len, const char *json,
		 size_t json_len);

enum e2b_event_kind {
	E2B_EV_START = 1,     /* pid */
	E2B_EV_DATA = 2,      /* stream, data, len */
	E2B_EV_END = 3,       /* exit_code, signal, status */
	E2B_EV_KEEPALIVE = 4, /* nothing */
	E2B_EV_OTHER = 5      /* a newer event: ignored */
};

#define E2B_STATUS_MAX 128

struct e2b_event {
	int kind;
	uint32_t pid;     /* START */
	int stream;       /* DATA: 1 stdout, 2 stderr */
	unsigned char *data; /* DATA: decoded bytes, malloc'ed */
	size_t len;
	int exited;       /* END: the process exited by itself */
	int exit_code;    /* END: exitCode (0 when absent) */
	int signal;       /* END: N of "signal: NAME" (0: none or unknown) */
	char status[E2B_STATUS_MAX]; /* END: printable, cut */
	char error[E2B_STATUS_MAX];  /* END: printable, cut */
};

/*
 * One message of a Start/Connect stream:
 * {"event":{"start":{"pid":N}}}, {"event":{"data":{"stdout":"b64"}}},
 * {"event":{"end":{"exitCode":N,"exited":B,"status":S,"error":S}}},
 * {"event":{"keepalive":{}}}. 0, or -1 for anything else (not JSON, no
 * event, a start without a pid, data that is not base64) and -2 when out
 * of memory. Free with e2b_event_free (also after a failure).
 */
int e2b_event_parse(struct e2b_event *ev, const char *msg, size_t len);
void e2b_event_free(struct e2b_event *ev);

/*
 * base64 (standard or URL-safe alphabet, padding optional, as proto3's
 * JSON allows) into out, which holds at least 3 * (len / 4) + 3 bytes.
 * The decoded length, or -1 when it is not base64.
 */
long e2b_base64_decode(unsigned char *out, const char *in, size_t len);
/* base64 with padding of len bytes into out (4 * ((len + 2) / 3) + 1). */
size_t e2b_base64_encode(char *out, const unsigned char *in, size_t len);

/* The signal number of Go's name in "signal: NAME" (0 when unknown). */
int e2b_signal_number(const char *status);

#endif
