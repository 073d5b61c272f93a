/*
 * plugins/sandbox-daytona/procs.h - the process manager's shared parts:
 * a process's record in the state store and one look at it (procs.c),
 * waits and output reads (procs_read.c), follows (procs_follow.c).
 */
#ifndef WSP_DAYTONA_PROCS_H
#define WSP_DAYTONA_PROCS_H

#include "daytona.h"

/* What the state store keeps of a process (key "proc.<id>"). */
struct dt_proc {
	char id[WSP_PROC_ID_MAX]; /* wsp's id: the record's key */
	struct dt_cmd c; /* its session (the id's, or one reused), cid,
			  * base once looked */
	char nonce[DT_NONCE_LEN + 1];
	char command[512]; /* for listings, cut */
	int64_t started_ms, ended_ms;
	int stdin_pipe, stdin_closed;
};

/* The record of id: WSP_ENOTFOUND for an unknown or released one. */
int dt_proc_load(struct dt_proc *p, struct dt *d, const char *id,
		 wsp_error *err);
int dt_proc_save(const struct dt_proc *p, wsp_error *err);

/*
 * One look: the status and, when logs is not NULL, the log answer
 * (*logs; NULL when the session is gone) with each stream's exact or
 * sure length in out_len[2].
 */
int dt_proc_look(wsp_proc_status *out, cJSON **logs, size_t out_len[2],
		 struct dt_proc *p, const wsp_call *call, wsp_error *err);

int dt_spawn(char out_id[WSP_PROC_ID_MAX], void *self, const wsp_call *call,
	     const wsp_spawn_opts *o, wsp_error *err);
int dt_list(void *self, const wsp_call *call, uint32_t flags, wsp_proc_fn cb,
	    void *payload, wsp_error *err);
int dt_pstatus(wsp_proc_status *out, void *self, const wsp_call *call,
	       const char *id, uint32_t flags, wsp_error *err);
int dt_signal(void *self, const wsp_call *call, const char *id, int signum,
	      uint32_t flags, wsp_error *err);
int dt_release(void *self, const wsp_call *call, const char *id, uint32_t flags,
	       wsp_error *err);
int dt_write_stdin(void *self, const wsp_call *call, const char *id,
		   const void *data, size_t len, uint32_t flags,
		   wsp_error *err);
int dt_close_stdin(void *self, const wsp_call *call, const char *id,
		   uint32_t flags, wsp_error *err);
int dt_wait(wsp_proc_status *out, void *self, const wsp_call *call,
	    const char *id, int64_t timeout_ms, uint32_t flags, wsp_error *err);
int dt_read_output(wsp_proc_status *out, void *self, const wsp_call *call,
		   const char *id, const wsp_output_opts *o, wsp_output_fn sink,
		   void *payload, wsp_error *err);
/*
 * Where a read of one stream of text t (len sure bytes) starts: the
 * offset, moved on by o's tails (procs_read.c).
 */
size_t dt_read_from(const char *t, size_t len, uint64_t off,
		    const wsp_output_opts *o);
/* Sleep ms at most, waking when the call is canceled (procs_read.c). */
void dt_nap(const wsp_host *h, const wsp_call *call, int64_t ms);
/* WSP_OUTPUT_FOLLOW for p, loaded (procs_follow.c). */
int dt_follow_output(wsp_proc_status *out, struct dt_proc *p,
		     const wsp_call *call, const wsp_output_opts *o,
		     wsp_output_fn sink, void *payload, wsp_error *err);

/* proc_seen.c: a look's status kept; the last one kept (1) or none. */
void dt_seen_put(struct dt *d, const char *id, const wsp_proc_status *st);
int dt_seen_get(wsp_proc_status *out, struct dt *d, const char *id);

#endif
