/*
 * plugins/sandbox-e2b/keeper/kpr.h - what the keeper's two modules
 * share: keeper.c (the process itself: start, socket, requests, when to
 * leave) and kprocs.c (the processes: envd's streams into the logs,
 * reattaching and reconciling with envd's list).
 */
#ifndef WSP_E2B_KEEPER_KPR_H
#define WSP_E2B_KEEPER_KPR_H

#include "keeper.h"
#include "proc_log.h"

struct kproc;

struct keeper {
	/* an e2b whose host, user, request timeout and conn are set: what
	 * process.c and request.c need to reach envd (no api key) */
	struct e2b e;
	int procsfd; /* <dir>/procs */
	int efd;     /* poked by the engine's callbacks */
	pthread_mutex_t lock;
	struct kproc *procs; /* under lock */
	int64_t retry_at;    /* monotonic ms of the next reattach, 0: none */
	int retry_ms;        /* its back-off */
	int64_t failing_since;
};

/* Start process from a spawn request; *id and *pid on success. */
int kp_spawn(struct keeper *k, const cJSON *req, char id[WSP_PROC_ID_MAX],
	     uint32_t *pid, wsp_error *err);
/*
 * Take over the logs a dead keeper left running (their locks free) and
 * reconcile them with envd's list: reattached (the gap counted) or gone.
 */
void kp_adopt(struct keeper *k);
/* Reattach (or mark gone) processes whose stream broke, when due; now
 * forces it. */
void kp_retry(struct keeper *k, int now);
/* Drop processes that ended; how many still run (or wait to reattach). */
int kp_sweep(struct keeper *k);
/* ms until kp_retry wants to run, -1 when nothing waits. */
int kp_next_ms(struct keeper *k);
/* The status says stdin is closed. */
int kp_stdin_closed(struct keeper *k, const char *id);
/* Let id go: its stream ended, its log closed (release removes it). */
int kp_forget(struct keeper *k, const char *id);
/* Everything still running ends as gone (why: stopped, destroyed). */
void kp_end_all(struct keeper *k, const char *why);

/* Let every process go as it is (the keeper leaves while they run: a
 * later keeper reconciles them). */
void kp_release_all(struct keeper *k);

int64_t kp_mono_ms(void);

#endif
