/*
 * plugins/shared/proclog/proc_view.h - a manager's side of a background
 * process kept in a log file (proc_log.h; proc_view.c): its state and
 * counters, its output read and followed, waits for its end. Shared by
 * the local sandbox and the E2B sandbox; the caller opens the process's
 * directory (its own layout and checks) and hands its descriptor in.
 */
#ifndef WSP_SHARED_PROC_VIEW_H
#define WSP_SHARED_PROC_VIEW_H

#include "proc_log.h"

#include <wsp/plugin.h>

/* What a manager sees of one background process. */
struct proc_view {
	struct proc_status_file file;
	int published;	/* its writer made the log and started it */
	int alive;	/* its writer (monitor, keeper) holds the lock */
	int refused;	/* -errno when its log is refused (proc_refusal) */
	uint32_t state; /* enum wsp_proc_state */
	uint64_t total[2], dropped[2]; /* stdout, stderr */
	char command[PROC_COMMAND_MAX];
};

/* Look at the process (lock first, then status, then the counters). */
void proc_observe(struct proc_view *v, int dirfd);
/* The same, through a log the caller holds open (proc_log_open). */
void proc_observe_log(struct proc_view *v, const struct proc_log *l);
/* Copy a view into a caller's status struct (honouring struct_size). */
void proc_fill_status(wsp_proc_status *out, const struct proc_view *v);

/*
 * Wait until the process is no longer running (or its writer gone when
 * until_gone), watching the directory with inotify. timeout_ms -1 waits
 * forever; the call (NULL: none) ends the wait earlier at its cancel or
 * deadline. 0, WSP_ETIMEDOUT or WSP_ECANCELED; v holds the last view.
 */
int proc_wait(struct proc_view *v, const wsp_host *host, int dirfd,
	      const char *path, int until_gone, int64_t timeout_ms,
	      const wsp_call *call, wsp_error *err);

/* Bytes a reader of a process's output copies at a time. */
#define PROC_OUTPUT_CHUNK 65536

/*
 * Send one stream's part from offset (raised to the
 * oldest kept byte, cut to o's tail) to sink through buf
 * (PROC_OUTPUT_CHUNK bytes); *out_end is where it stopped, the next
 * offset, and *out_busy is set while an append is being published. 0,
 * or the sink's non-zero result.
 */
int proc_send_stream(uint64_t *out_end, int *out_busy, int dirfd,
		     uint32_t stream, uint64_t offset,
		     const wsp_output_opts *o, wsp_output_fn sink,
		     void *payload, char *buf);
/* The same from a log the caller holds open. */
int proc_send_log(uint64_t *out_end, int *out_busy, const struct proc_log *l,
		  uint32_t stream, uint64_t offset, const wsp_output_opts *o,
		  wsp_output_fn sink, void *payload, char *buf);
/* Set err for a read that sink stopped with rc; returns rc. */
int proc_sink_stopped(wsp_error *err, int rc, const char *id);
/*
 * WSP_OUTPUT_FOLLOW: send o's streams from o->offset / o->stderr_offset
 * as they are written until the process has ended (0), the call ends
 * (WSP_ECANCELED, WSP_ETIMEDOUT) or sink stops it; next[] receives the
 * offsets delivered up to, v the last view. Sleeps on inotify only.
 */
int proc_follow(struct proc_view *v, const wsp_host *host, int dirfd,
		const char *path, const char *id, const wsp_output_opts *o,
		wsp_output_fn sink, void *payload, const wsp_call *call,
		char *buf, uint64_t next[2], wsp_error *err);

/*
 * read_output of the process whose directory is dirfd (path, for
 * inotify): o's wait first, then one read of both streams or a follow;
 * v gets the final view with the totals as read (the next offsets).
 * 0 or an error code (a follow's end sets v too).
 */
int proc_read(struct proc_view *v, const wsp_host *h, int dirfd,
	      const char *path, const char *id, const wsp_output_opts *o,
	      wsp_output_fn sink, void *payload, const wsp_call *call,
	      wsp_error *err);

#endif /* WSP_SHARED_PROC_VIEW_H */
