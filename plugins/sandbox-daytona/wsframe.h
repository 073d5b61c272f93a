/*
 * plugins/sandbox-daytona/wsframe.h - the frames of RFC 6455 as a client
 * sees them (issue 15: the toolbox's log follow is a WebSocket, and
 * Debian 12's libcurl has no WebSocket support).
 *
 * The decoder takes the server's bytes in pieces of any size and hands
 * out data as it arrives, a frame's payload possibly in several pieces,
 * so a message is never held whole: memory is the decoder's struct. A
 * control frame (at most 125 bytes, never fragmented) comes whole. What
 * a server must not send is a protocol error (WSP_EPROTO from the feed,
 * and the decoder stays failed): a masked frame, reserved bits (no
 * extension is ever offered), unknown opcodes, a continuation with no
 * message begun or a new message inside one, a length with the top bit
 * set or not in its shortest form, a frame longer than the bound, a
 * close whose payload is one byte or whose code is not one a peer may
 * send.
 *
 * The encoder writes the client's frames: always FIN, always masked.
 */
#ifndef WSP_DAYTONA_WSFRAME_H
#define WSP_DAYTONA_WSFRAME_H

#include <stddef.h>
#include <stdint.h>

enum { DT_WS_CONT = 0, DT_WS_TEXT = 1, DT_WS_BINARY = 2, DT_WS_CLOSE = 8,
       DT_WS_PING = 9, DT_WS_PONG = 10 };

/* A frame's header is at most 14 bytes; a control payload 125. */
#define DT_WS_HEAD_MAX 14
#define DT_WS_CTL_MAX 125

/*
 * What the decoder hands out. Data: opcode is the message's (TEXT or
 * BINARY, also for its continuations), data/len a piece of its payload
 * (len > 0), fin set on the last piece of the last frame. Control
 * (CLOSE, PING, PONG): the whole payload. Non-zero return stops the feed
 * with that code.
 */
typedef int (*dt_ws_event_fn)(int opcode, const unsigned char *data,
			      size_t len, int fin, void *payload);

struct dt_ws_dec {
	uint64_t max_frame;         /* longest payload taken */
	unsigned char head[DT_WS_HEAD_MAX];
	unsigned head_len;          /* bytes of head read */
	int in_payload;             /* head done, payload being read */
	int opcode, fin;            /* of the current frame */
	uint64_t left;              /* payload bytes still to come */
	int message;                /* opcode of a message begun, or 0 */
	unsigned char ctl[DT_WS_CTL_MAX];
	unsigned ctl_len;
	int failed;                 /* a protocol error was seen */
	const char *why;            /* its reason, for messages */
};

void dt_ws_dec_init(struct dt_ws_dec *d, uint64_t max_frame);
/* Decode the next len bytes: 0, the callback's code, or WSP_EPROTO. */
int dt_ws_dec_feed(struct dt_ws_dec *d, const unsigned char *p, size_t len,
		   dt_ws_event_fn fn, void *payload);
/* 1 between frames (a clean place for the connection to end). */
int dt_ws_dec_idle(const struct dt_ws_dec *d);

/*
 * One masked client frame (FIN, opcode, payload of at most
 * DT_WS_CTL_MAX bytes: the client sends only control frames) into out
 * (DT_WS_HEAD_MAX + DT_WS_CTL_MAX bytes); its length, or 0 when len is
 * too long.
 */
size_t dt_ws_encode(unsigned char *out, int opcode, const void *data,
		    size_t len, const unsigned char mask[4]);

/* A close code a peer may send (1000-1003, 1007-1011, 3000-4999). */
int dt_ws_close_code_ok(unsigned code);

#endif
