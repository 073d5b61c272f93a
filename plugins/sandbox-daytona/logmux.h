/*
 * plugins/sandbox-daytona/logmux.h - the toolbox's multiplexed log: the
 * daemon writes each line of a command's output after a 3-byte marker,
 * 01 01 01 for stdout or 02 02 02 for stderr, and a marker stays in
 * force until the next one. This is the form of a log's "output" field,
 * of the raw text/plain logs older SDK versions get, and of the
 * WebSocket follow's messages, where a marker may straddle two of them.
 * The demultiplexer takes the bytes in pieces of any size and holds back
 * at most two bytes that may begin a marker. No allocation, no limit.
 */
#ifndef WSP_DAYTONA_LOGMUX_H
#define WSP_DAYTONA_LOGMUX_H

#include <stddef.h>

/* stream: 0 stdout, 1 stderr; non-zero return stops the feed with it. */
typedef int (*dt_mux_fn)(int stream, const char *data, size_t len,
			 void *payload);

struct dt_mux {
	int stream;             /* in force: 0 until a marker says else */
	unsigned char run_byte; /* 1 or 2: a marker may be starting */
	unsigned run;           /* how many of run_byte held (0..2) */
};

void dt_mux_init(struct dt_mux *m);
/* Demultiplex the next len bytes: fn's code, or 0. */
int dt_mux_feed(struct dt_mux *m, const char *p, size_t len, dt_mux_fn fn,
		void *payload);
/* The end: held bytes were output after all. */
int dt_mux_end(struct dt_mux *m, dt_mux_fn fn, void *payload);

#endif
