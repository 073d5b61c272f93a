/*
 * plugins/sandbox-blaxel/procs.h - the process manager's shared parts
 * (procs.c: ids, facts, status, the slots that are one request;
 * procs_wait.c: waits and output reads).
 */
#ifndef WSP_SANDBOX_BLAXEL_PROCS_H
#define WSP_SANDBOX_BLAXEL_PROCS_H

#include "blaxel.h"

/* A fact about process id kept in the state store (1: there). */
int bl_fact(struct bl *b, const char *fact, const char *id);
void bl_fact_set(struct bl *b, const char *fact, const char *id);

/* method {url}/process[/id][suffix] on the data plane. */
int bl_proc_request(int *status, cJSON **out, struct bl *b,
		    const wsp_call *call, const char *method, const char *id,
		    const char *suffix, const void *body, size_t body_len,
		    const char *ctype, wsp_error *err);
int bl_proc_get(cJSON **pr, struct bl *b, const wsp_call *call,
		const char *id, wsp_error *err);
/* A ProcessResponse (and /logs when given: exact totals) as a status. */
void bl_proc_status(wsp_proc_status *out, struct bl *b, const char *id,
		    const cJSON *pr, const cJSON *logs);
/*
 * The status and /logs; *partial: bit 0 stdout, bit 1 stderr, a stream
 * of which /logs held only the tail (procs_logs.c), kept as that tail:
 * the process still runs, or with BL_PARTIAL_GONE its head is no longer
 * kept, with BL_PARTIAL_BAD its replay did not match. Other streams are
 * whole. The totals of a partial stream are floors.
 */
#define BL_PARTIAL_GONE 4u
#define BL_PARTIAL_BAD 8u
int bl_proc_logs(wsp_proc_status *out, cJSON **logs, unsigned *partial,
		 struct bl *b, const wsp_call *call, const char *id,
		 wsp_error *err);
/* The same, where a partial stream asked for (logs) is an error. */
int bl_proc_full_status(wsp_proc_status *out, cJSON **logs, struct bl *b,
			const wsp_call *call, const char *id, wsp_error *err);

/* procs_logs.c: lg's streams made whole (see bl_proc_logs). */
int bl_logs_whole(cJSON *lg, unsigned *partial, int ended, struct bl *b,
		  const wsp_call *call, const char *id, wsp_error *err);
/* The error for a read that needs a partial stream (its bits). */
int bl_logs_partial_error(unsigned partial, const char *id, wsp_error *err);

/*
 * resend.c: 1 when a process start answered status (429, 502-504) may be
 * sent again, after the pause it wants: no process of that name exists
 * and attempt is not the last. *started is 1 when it does exist (the
 * answer was lost, the start was not).
 */
int bl_resend(int *started, struct bl *b, const wsp_call *call,
	      const char *name, int attempt, long status,
	      const wsp_error *said, wsp_error *err);

/* procs_follow.c: open GET {url}/process/{id}/logs/stream onto q. */
struct sq;
int bl_logs_stream_open(struct sq *q, struct bl *b, const wsp_call *call,
			const char *id, wsp_error *err);
/* A read with WSP_OUTPUT_FOLLOW. */
int bl_follow(wsp_proc_status *out, struct bl *b, const wsp_call *call,
	      const char *id, const wsp_output_opts *o, wsp_output_fn sink,
	      void *payload, wsp_error *err);
/*
 * procs_wait.c: the log stream read until it ends (0; *cut when it ended
 * broken, not at the process's end), until (an rmt_now_ms() time, 0: none)
 * passes (WSP_ETIMEDOUT), the call ends, or line (each line, may be
 * NULL) returns non-zero (its code).
 */
typedef int (*bl_line_fn)(const char *line, size_t len, void *payload);
int bl_logs_drain(int *cut, struct bl *b, const wsp_call *call,
		  const char *id, int64_t until, bl_line_fn line, void *payload,
		  wsp_error *err);
/* procs_wait.c: where text (len bytes) is read from for offset off and
 * o's tails. */
size_t bl_tail_start(const char *text, size_t len, uint64_t off,
		     const wsp_output_opts *o);

int bl_spawn(char out_id[WSP_PROC_ID_MAX], void *self, const wsp_call *call,
	     const wsp_spawn_opts *o, wsp_error *err);
int bl_list(void *self, const wsp_call *call, uint32_t flags, wsp_proc_fn cb,
	    void *payload, wsp_error *err);
int bl_pstatus(wsp_proc_status *out, void *self, const wsp_call *call,
	       const char *id, uint32_t flags, wsp_error *err);
int bl_signal(void *self, const wsp_call *call, const char *id, int signum,
	      uint32_t flags, wsp_error *err);
int bl_release(void *self, const wsp_call *call, const char *id,
	       uint32_t flags, wsp_error *err);
int bl_write_stdin(void *self, const wsp_call *call, const char *id,
		   const void *data, size_t len, uint32_t flags,
		   wsp_error *err);
int bl_close_stdin(void *self, const wsp_call *call, const char *id,
		   uint32_t flags, wsp_error *err);
int bl_wait(wsp_proc_status *out, void *self, const wsp_call *call,
	    const char *id, int64_t timeout_ms, uint32_t flags,
	    wsp_error *err);
int bl_read_output(wsp_proc_status *out, void *self, const wsp_call *call,
		   const char *id, const wsp_output_opts *o,
		   wsp_output_fn sink, void *payload, wsp_error *err);

#endif
