/*
 * plugins/sandbox-local/proc_files.h - the on-disk contract between the
 * process manager (procmgr.c, in whatever process calls it) and the
 * monitor (monitor/monitor.c, one per background process).
 *
 * Every background process owns a directory <state>/procs/<id>/ holding
 * only three files, because creating files is what a spawn mostly costs:
 *
 *   log    a header page (struct proc_shared: the command line, the
 *          monitor's status, the counters of both output rings) and the
 *          two bounded rings, stdout then stderr. The monitor holds an
 *          exclusive flock() on it as long as it lives: a free lock means
 *          the monitor is gone, which holds across kill -9 and reboots.
 *   stdin  FIFO the monitor relays into the command's stdin (pipe mode)
 *   ctl    FIFO of one-line requests to the monitor (PROC_CTL_*)
 *
 * What to run (argv, envp, cwd, limits) reaches the monitor through a
 * pipe (PROC_SPEC_FD), never a file: the environment may carry secrets.
 * A directory whose log is not yet published (state PROC_STARTING) is a
 * spawn in progress and is not listed; a released one is renamed to
 * ".dead-<id>..." before it is removed, so listings never see half a
 * process.
 *
 * This header is included by the monitor too: libc only.
 */
#ifndef WSP_SANDBOX_LOCAL_PROC_FILES_H
#define WSP_SANDBOX_LOCAL_PROC_FILES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The log file, its rings and status: shared with the E2B keeper. */
#include "../shared/proclog/proc_log.h"

#define PROC_DIR_NAME	 "procs"
#define PROC_DEAD_PREFIX ".dead-"

#define PROC_FILE_STDIN "stdin"
#define PROC_FILE_CTL	"ctl"

/* The monitor executable, installed next to the plugin. */
#define PROC_MONITOR_NAME "wsp-local-monitor"
/* Descriptors of a starting monitor: where it reports, where it reads
 * its spec (see monitor.c). */
#define PROC_READY_FD 3
#define PROC_SPEC_FD  4

/* Requests written to the ctl FIFO, one line each (< PIPE_BUF: atomic). */
#define PROC_CTL_SIGNAL	     "signal"	 /* "signal N": kill(-pgid, N) */
#define PROC_CTL_TERMINATE   "terminate" /* SIGTERM, SIGKILL after grace */
#define PROC_CTL_CLOSE_STDIN "close-stdin"
#define PROC_CTL_RELEASE     "release" /* SIGKILL the group and exit */

#define PROC_SPEC_MAX	       (16u << 20) /* bytes of a spec file */

/* ---- What to run (proc_spec.c) ----------------------------------------- */

struct proc_spec {
	char **argv; /* NULL-terminated; argv[0] a path or a name in PATH */
	char **envp; /* NULL-terminated */
	char *cwd;
	uint64_t limit_as, limit_nproc, limit_cpu, limit_fsize; /* 0 = none */
	int stdin_pipe;	    /* 1: FIFO relay; 0: /dev/null */
	int64_t timeout_ms; /* 0 = none */
	int64_t grace_ms;   /* SIGTERM .. SIGKILL */
	uint64_t log_limit; /* bytes kept per stream */
	char *command;	    /* the command line shown by listings */
	int seccomp;	    /* argv is bwrap's: give it the seccomp filter */
};

/* Serialise into a new heap buffer; 0 or -errno. */
int proc_spec_encode(const struct proc_spec *spec, char **out, size_t *out_len);
/* Read fd to its end (at most PROC_SPEC_MAX) and parse; 0 or -errno. */
int proc_spec_read_fd(struct proc_spec *spec, int fd);
void proc_spec_release(struct proc_spec *spec);

/* ---- Small facts (proc_sys.c) ----------------------------------------- */

/* The running kernel's boot id into buf (>= 40 bytes); 0 or -errno. */
int proc_boot_id(char *buf, size_t size);
/* Start time of pid in clock ticks since boot; 0 if unknown. */
uint64_t proc_start_ticks(pid_t pid);
/* What /proc says of a live process (a zombie has no start time). */
struct proc_stat {
	int64_t pgrp, session;
	uint64_t start_ticks; /* field 22 of /proc/<pid>/stat */
	uid_t uid;	      /* owner of /proc/<pid> */
};
/* 0, or -errno (-ESRCH when there is no such process). */
int proc_stat_read(pid_t pid, struct proc_stat *out);
/* Milliseconds since the epoch. */
int64_t proc_now_ms(void);

/* A process id: "p-" and 8 lower-case hex digits. */
#define PROC_ID_LEN 10
int proc_id_valid(const char *id);

#endif /* WSP_SANDBOX_LOCAL_PROC_FILES_H */
