/*
 * plugins/sandbox-e2b/procs.h - the process manager's slots (procs.c):
 * background processes held by the sandbox's keeper (keeper.h).
 */
#ifndef WSP_SANDBOX_E2B_PROCS_H
#define WSP_SANDBOX_E2B_PROCS_H

#include "e2b.h"

int e2b_spawn(char out_id[WSP_PROC_ID_MAX], void *self, const wsp_call *call,
	      const wsp_spawn_opts *o, wsp_error *err);
int e2b_plist(void *self, const wsp_call *call, uint32_t flags,
	      wsp_proc_fn cb, void *payload, wsp_error *err);
int e2b_pstatus(wsp_proc_status *out, void *self, const wsp_call *call,
		const char *id, uint32_t flags, wsp_error *err);
int e2b_read_output(wsp_proc_status *out, void *self, const wsp_call *call,
		    const char *id, const wsp_output_opts *o,
		    wsp_output_fn sink, void *payload, wsp_error *err);
int e2b_psignal(void *self, const wsp_call *call, const char *id, int signum,
		uint32_t flags, wsp_error *err);
int e2b_prelease(void *self, const wsp_call *call, const char *id,
		 uint32_t flags, wsp_error *err);
int e2b_write_stdin(void *self, const wsp_call *call, const char *id,
		    const void *data, size_t len, uint32_t flags,
		    wsp_error *err);
int e2b_close_stdin(void *self, const wsp_call *call, const char *id,
		    uint32_t flags, wsp_error *err);
int e2b_pwait(wsp_proc_status *out, void *self, const wsp_call *call,
	      const char *id, int64_t timeout_ms, uint32_t flags,
	      wsp_error *err);
/*
 * After a start or resume: envd dropped every stream when it paused, so
 * the keeper gives each process still running a Connect stream again
 * (its output from now on; what it printed in between is lost, envd
 * replays nothing, and the log counts the gap). Processes whose keeper
 * died get a new one, which reconciles them with envd's list.
 */
void e2b_procs_reattach(struct e2b *e);
/* The sandbox stops or goes: its keeper marks what ran as gone and
 * leaves (why: "stopped", "destroyed"). */
void e2b_procs_end(struct e2b *e, const char *sandbox, const char *why);

#endif
