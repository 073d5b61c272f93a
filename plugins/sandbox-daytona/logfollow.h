/*
 * plugins/sandbox-daytona/logfollow.h - one session command's log
 * followed over the toolbox's WebSocket (issue 15), for a foreground exec
 * (exec.c) and a background process's follow (procs_follow.c).
 *
 * The toolbox sends the log from its start; the demultiplexer
 * (logmux.c) splits it by stream and each stream's trailer reader
 * (tail.c) hands on the command's own output, in order, exact. The
 * follow stops once both trailers came (all output is in: the daemon
 * closes the socket only a second after the last output).
 */
#ifndef WSP_DAYTONA_LOGFOLLOW_H
#define WSP_DAYTONA_LOGFOLLOW_H

#include "daytona.h"
#include "logmux.h"

/* Output of stream (0 stdout, 1 stderr); non-zero stops the follow. */
typedef int (*dt_follow_fn)(int stream, const char *p, size_t n,
			    void *payload);

struct dt_follow {
	struct dt_mux mux;
	struct dt_tail tail[2]; /* tail[1].tag: the stderr trailer's tag */
	int cur;
	dt_follow_fn fn;
	void *payload;
	int fn_rc;
};

/* dt_follow_log's answers besides the call's end and fn's code. */
enum { DT_FOLLOW_ALL_IN = 1, /* both trailers came */
       DT_FOLLOW_POLL = 2    /* refused, broken or closed early: poll */
};

/*
 * Follow c's command (its script's nonce) until both trailers came:
 * DT_FOLLOW_ALL_IN; DT_FOLLOW_POLL when polling must go on from what was
 * delivered (said at info level); WSP_ECANCELED / WSP_ETIMEDOUT (the
 * call, or deadline_ms; err says which); or fn's own code.
 */
int dt_follow_log(struct dt_follow *f, struct dt_cmd *c, const char *nonce,
		  int64_t deadline_ms, const wsp_call *call, dt_follow_fn fn,
		  void *payload, wsp_error *err);

#endif
