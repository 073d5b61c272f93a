/*
 * plugins/sandbox-blaxel/streams.h - readers of the sandbox-api's two
 * streamed answers, one line at a time (the core's streaming engine cuts
 * the body into lines: WSP_STREAM_LINES). Pure functions of the bytes,
 * no host: tests/fuzz compiles them in (fuzz_blevent, fuzz_bllog).
 *
 * ndjson.c: a streamed exec's NDJSON events (remote-providers.md §3.3):
 * {"type":"stdout"|"stderr","data":...}, keepalives, and last
 * {"type":"result","data":"<ProcessResponse as a JSON string>"}.
 *
 * logline.c: a process's log stream, `stdout:`/`stderr:` prefixed lines
 * (backlog first, then live), `[keepalive]` lines and unprefixed notices;
 * and where each line's bytes lie in the stream's raw output, so a
 * follower delivers every byte once from any offset, whatever mix of
 * lines, replays after a cut and /logs snapshots it is given.
 */
#ifndef WSP_SANDBOX_BLAXEL_STREAMS_H
#define WSP_SANDBOX_BLAXEL_STREAMS_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* ---- ndjson.c ------------------------------------------------------------ */

enum bl_ev_kind {
	BL_EV_NOT_EVENT = 0, /* not a JSON object with a string "type" */
	BL_EV_STDOUT,
	BL_EV_STDERR,
	BL_EV_KEEPALIVE, /* either keepalive: its own, or the log's */
	BL_EV_RESULT,    /* the ProcessResponse, parsed */
	BL_EV_BAD_RESULT, /* a result whose data is no JSON object */
	BL_EV_ERROR,     /* the command could not start; data says why */
	BL_EV_OTHER      /* a type newer than this reader */
};

struct bl_event {
	enum bl_ev_kind kind;
	const char *data; /* STDOUT/STDERR/ERROR: NUL-terminated, in json */
	size_t data_len;
	/* BL_EV_RESULT */
	int exit_code;   /* -1 when none, or ended by a signal */
	int term_signal; /* 9 killed, 15 stopped (with exit_code -1), or 0 */
	const char *status, *out, *err; /* NULL when absent */
	cJSON *json, *result;           /* owned: bl_event_free */
};

/* Read one line; returns ev->kind. Always bl_event_free() after. */
enum bl_ev_kind bl_event_parse(struct bl_event *ev, const char *line,
			       size_t len);
void bl_event_free(struct bl_event *ev);

/* ---- logline.c ----------------------------------------------------------- */

enum bl_log_kind {
	BL_LOG_OTHER = 0, /* a notice, an error body, a blank line: not output */
	BL_LOG_STDOUT,
	BL_LOG_STDERR,
	BL_LOG_KEEPALIVE
};

/* What one line (without its newline) is; *text and *len: its output. */
enum bl_log_kind bl_logline(const char **text, size_t *len, const char *line,
			    size_t n);

/*
 * One stream's place. The log stream shows a line's text without saying
 * whether its newline was really written (a last line without one gets
 * one at the exit): the newline is held until the next line of the same
 * stream proves it, and /logs (the raw bytes) settles the end.
 */
struct bl_logpos {
	uint64_t pos;  /* raw bytes of this stream the lines so far cover */
	uint64_t done; /* delivered up to here (absolute, from the offset) */
	int held;      /* a newline after pos is likely but unproven */
};

typedef int (*bl_bytes_fn)(const char *data, size_t len, void *payload);

/* Start at offset: nothing before it is delivered. */
void bl_logpos_init(struct bl_logpos *p, uint64_t offset);
/* A new log stream replays from the start: lines count from 0 again. */
void bl_logpos_replay(struct bl_logpos *p);
/*
 * A line of this stream: delivers (fn) what of "\n" (when one is held)
 * and text lies past done. Returns fn's first non-zero, else 0.
 */
int bl_logpos_line(struct bl_logpos *p, const char *text, size_t len,
		   bl_bytes_fn fn, void *payload);
/*
 * The stream's raw bytes so far (/logs): delivers raw[done..len). A
 * snapshot shorter than done delivers nothing (it may be older).
 */
int bl_logpos_raw(struct bl_logpos *p, const char *raw, size_t len,
		  bl_bytes_fn fn, void *payload);

#endif
