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
 *
 * replay.c: /logs answers that hold only a tail, and an ended process's
 * whole output rebuilt from its log stream's replay.
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

/* ---- replay.c ------------------------------------------------------------ */

/* What the sandbox-api puts before an output whose head it left out. */
#define BL_TRUNCATION_MARKER \
	"[... truncated, see the process log file for the full output ...]\n"
#define BL_MARKER_LEN (sizeof(BL_TRUNCATION_MARKER) - 1)

/*
 * One stream of a /logs answer (len bytes, raw may be NULL): 1 when it
 * is only a tail (the marker first), whose bytes no offset is known for;
 * *tail, *tail_len: the output after any marker.
 */
int bl_logs_tail(const char **tail, size_t *tail_len, const char *raw,
		 size_t len);

/*
 * 1 when a log stream's line (kind and text, from bl_logline) is the
 * marker: as a replay's first output line, it says the replay begins
 * after a released head, at no known offset.
 */
int bl_logline_marker(enum bl_log_kind k, const char *text, size_t len);

#define BL_REPLAY_TOO_BIG 1 /* a stream past max */
#define BL_REPLAY_NOMEM 2
#define BL_REPLAY_GONE 3     /* the log file's head was released */
#define BL_REPLAY_MISMATCH 4 /* the replay does not end as the tail */

/* Each stream's output rebuilt from a log stream's replayed lines. */
struct bl_replay {
	char *buf[2]; /* stdout, stderr: every line with a newline */
	size_t len[2], cap[2];
	size_t max;   /* longest stream kept */
	size_t lines; /* output lines so far */
	int gone;     /* the replay began with the marker */
};

void bl_replay_init(struct bl_replay *r, size_t max);
void bl_replay_free(struct bl_replay *r);
/* One line of the stream (no newline): 0 or BL_REPLAY_TOO_BIG/NOMEM. */
int bl_replay_line(struct bl_replay *r, const char *line, size_t n);
/*
 * Stream s (0 stdout, 1 stderr) checked against its /logs tail: 0 and
 * *whole, how many bytes of buf[s] are the output; BL_REPLAY_GONE or
 * BL_REPLAY_MISMATCH when no whole output can be given.
 */
int bl_replay_settle(size_t *whole, const struct bl_replay *r, int s,
		     const char *tail, size_t tail_len);

/* ---- result.c ------------------------------------------------------------ */

/*
 * A streamed exec's result event as its bytes come: the line starts with
 * BL_RESULT_PREFIX (the service's and the fake's order), and what
 * follows is fed in pieces. stdout and stderr of the ProcessResponse go
 * to fn in pieces (is_stderr, bytes; len 0 once when the string begins),
 * nothing else of it is kept but status and exitCode.
 */
#define BL_RESULT_PREFIX "{\"type\":\"result\",\"data\":\""
#define BL_RSCAN_BAD 1 /* bl_rscan_end: not a result of a process */
#define BL_RSCAN_CUT 2 /* bl_rscan_end: the line ended early */

typedef int (*bl_out_fn)(int is_stderr, const char *data, size_t len,
			 void *payload);

struct bl_jstr { /* where in a JSON string's escapes */
	int st, nhex;
	uint32_t cp, hi;
};

struct bl_rscan {
	int outer;              /* in the event's string, after it, ... */
	struct bl_jstr o, j;    /* the event's string; the response's */
	int st, target;         /* where in the response; whose value */
	int depth, nest_str, nest_esc; /* a nested value being skipped */
	char key[16];
	size_t klen;
	int key_long;
	char scalar[32], status[16];
	size_t slen;
	char pend[4096]; /* output not handed to fn yet */
	size_t plen;
	int have_out, have_err; /* the response had stdout, stderr */
	int exit_code;          /* -1 when none, or ended by a signal */
	int term_signal;        /* 9 killed, 15 stopped, or 0 */
	bl_out_fn fn;
	void *payload;
	int rc; /* fn's non-zero: it stopped the scan */
};

void bl_rscan_init(struct bl_rscan *r, bl_out_fn fn, void *payload);
/* The line's bytes after the prefix, in order; fn's non-zero, or 0. */
int bl_rscan_feed(struct bl_rscan *r, const char *data, size_t len);
/*
 * The line ended: 0 when it was a whole result (exit_code, term_signal,
 * have_out/have_err set), BL_RSCAN_BAD, BL_RSCAN_CUT, or fn's non-zero.
 */
int bl_rscan_end(struct bl_rscan *r);

/* ---- inline.c ------------------------------------------------------------ */

/*
 * One stream of the output a ProcessResponse inlines (a streamed exec's
 * result), read as it comes. The sandbox-api inlines at most the last
 * 64 KiB of each stream (MaxInlinedLogBytes), the marker in front when
 * it left some out, and does not say how much: such a tail's bytes have
 * no known offset, so they are never placed. Whole output (no marker)
 * goes to fn at its offsets; of a tail only its length and last byte are
 * kept, which say whether the output really ended with a newline.
 */
#define BL_INLINE_OPEN 0 /* too few bytes yet to tell */
#define BL_INLINE_RAW 1  /* the whole output */
#define BL_INLINE_TAIL 2 /* the marker, then the last bytes */

typedef int (*bl_raw_fn)(uint64_t at, const char *data, size_t len,
			 void *payload);

struct bl_inline {
	char head[BL_MARKER_LEN]; /* the first bytes, while OPEN */
	size_t hlen;
	int kind;           /* BL_INLINE_* */
	uint64_t at;        /* RAW: bytes handed to fn */
	uint64_t tail_len;  /* TAIL: bytes after the marker */
	unsigned char last; /* TAIL: the last of them */
};

void bl_inline_init(struct bl_inline *t);
/* The string's next bytes; fn's non-zero, or 0. */
int bl_inline_feed(struct bl_inline *t, const char *data, size_t len,
		   bl_raw_fn fn, void *payload);
/*
 * The string ended: one still OPEN was whole output shorter than the
 * marker (handed to fn, at least once, even empty). fn's non-zero, or 0.
 */
int bl_inline_end(struct bl_inline *t, bl_raw_fn fn, void *payload);

/* ---- lines.c ------------------------------------------------------------- */

/* Longest line held (an event: 64 KiB of output, escaped). */
#define BL_LINE_MAX (1u << 20)
#define BL_LINES_TOO_LONG 3 /* bl_lines_feed: a line past BL_LINE_MAX */

/* What the answer's lines go to; a non-zero answer stops the feed. */
struct bl_lines_ops {
	int (*line)(const char *line, size_t len, void *payload);
	/* a result line begins: init rs (bl_rscan_init) */
	int (*result_begin)(struct bl_rscan *rs, void *payload);
	/* it ended (or the body did, inside it): see bl_rscan_end */
	int (*result_end)(struct bl_rscan *rs, void *payload);
};

struct bl_lines {
	char *buf; /* the line so far (never the result) */
	size_t len, cap;
	int in_result;
	struct bl_rscan rs;
	const struct bl_lines_ops *ops;
	void *payload;
};

void bl_lines_init(struct bl_lines *l, const struct bl_lines_ops *ops,
		   void *payload);
void bl_lines_free(struct bl_lines *l);
/* A raw piece of the body; the ops' non-zero, BL_LINES_TOO_LONG, or 0. */
int bl_lines_feed(struct bl_lines *l, const char *data, size_t len);
/* The body ended: a last line without its newline is whole now. */
int bl_lines_end(struct bl_lines *l);

#endif
