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

#define PROC_DIR_NAME	 "procs"
#define PROC_DEAD_PREFIX ".dead-"

#define PROC_FILE_LOG	"log"
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

#define PROC_DEFAULT_LOG_LIMIT (UINT64_C(8) << 20)
#define PROC_MAX_LOG_LIMIT     (UINT64_C(1) << 30)
#define PROC_SPEC_MAX	       (16u << 20) /* bytes of a spec file */

/* ---- The log file (proc_log.c) ---------------------------------------- */

#define PROC_LOG_MAGIC	     "WSPPROC1"
#define PROC_LOG_HEADER_SIZE 4096u
#define PROC_COMMAND_MAX     2048 /* bytes of the command line kept */
#define PROC_STREAMS	     2	  /* 0 stdout, 1 stderr */

enum proc_run_state {
	PROC_STARTING = 0,
	PROC_RUNNING = 1,
	PROC_EXITED = 2,
	PROC_SIGNALED = 3
};

/* The monitor's report, in the header under a sequence lock. */
struct proc_status_file {
	int32_t state; /* enum proc_run_state */
	int32_t exit_code, term_signal;
	int32_t timed_out, stdin_open;
	int32_t reserved;
	int64_t monitor_pid;
	int64_t pid; /* the command (process group leader) */
	int64_t pgid;
	uint64_t start_ticks; /* field 22 of /proc/<pid>/stat */
	char boot_id[40];     /* /proc/sys/kernel/random/boot_id */
	int64_t started_ms, ended_ms;
};

/*
 * The first page of the log file. Byte number `off` (from 0) of stream s
 * lives at header + s * capacity + off % capacity. For each stream the
 * writer announces a write by raising reserved[s], copies the bytes, then
 * publishes them by raising total[s]; a reader takes total before and
 * reserved after copying and keeps only bytes at offsets of at least
 * reserved - capacity, which no write can have touched. The status is
 * guarded by seq (odd while the monitor rewrites it). Counters are
 * accessed atomically through shared mappings of this page.
 */
struct proc_shared {
	char magic[8]; /* set last when the file is made */
	uint64_t capacity;
	uint64_t total[PROC_STREAMS];
	uint64_t reserved[PROC_STREAMS];
	uint64_t seq;
	struct proc_status_file status;
	char command[PROC_COMMAND_MAX];
};

struct proc_log {
	int fd;
	uint64_t capacity;
	struct proc_shared *hdr; /* shared mapping of the first page */
};

/*
 * The files of the state directory are read as untrusted input: anyone
 * who could write there could forge them (the state directory never lies
 * where the sandbox writes, but a reader checks anyway). Everything is
 * opened relative to a directory descriptor, without following symbolic
 * links, and checked for its type and owner; what fails is refused with
 * one of these errors (proc_refusal() names them):
 *   -ELOOP        a symbolic link
 *   -EMEDIUMTYPE  not the type wsp made (a directory, a regular file, a FIFO)
 *   -EPERM        owned by another user than the caller's effective uid
 *   -EPROTO       malformed content (a status out of range, a bad header)
 */
const char *proc_refusal(int neg_errno);
/*
 * Open name in the directory at (flags | O_NOFOLLOW | O_CLOEXEC) only if
 * it is of type (S_IFDIR, S_IFREG, S_IFIFO) and the caller's; the
 * descriptor or -errno (above, or from open).
 */
int proc_openat(int at, const char *name, int flags, mode_t type);
/* Largest pid the kernel hands out (PID_MAX_LIMIT on 64-bit). */
#define PROC_PID_MAX 4194304
/* 0 when every field of a status read from a log is in range, else -EPROTO. */
int proc_status_check(const struct proc_status_file *st);

/*
 * Monitor: create the log in dirfd with capacity bytes per stream and the
 * command line, and take its lock; 0 or -errno.
 */
int proc_log_create(struct proc_log *l, int dirfd, uint64_t capacity,
		    const char *command);
/* Monitor: append bytes to a stream (keeps the newest capacity bytes). */
int proc_log_append(struct proc_log *l, int stream, const void *data,
		    size_t len);
/* Monitor: publish a new status. */
void proc_log_set_status(struct proc_log *l, const struct proc_status_file *st);

/*
 * Reader: open an existing log read-only: a regular file of the caller's
 * (never through a symbolic link) with a valid header; 0 or -errno.
 */
int proc_log_open(struct proc_log *l, int dirfd);
void proc_log_close(struct proc_log *l);
/* Reader: true while a monitor holds the log's lock. */
int proc_log_monitor_alive(const struct proc_log *l);
/* Reader: a consistent copy of the status. */
void proc_log_get_status(const struct proc_log *l, struct proc_status_file *st);
/* Reader: bytes published so far, and the oldest offset still kept. */
uint64_t proc_log_total(const struct proc_log *l, int stream);
uint64_t proc_log_oldest(const struct proc_log *l, int stream);
/*
 * Reader: true while the monitor is between announcing an append and
 * publishing it (its write already raised the inotify event a follower
 * woke for, the new total is an instant away).
 */
int proc_log_writing(const struct proc_log *l, int stream);
/*
 * Reader: copy up to cap bytes of a stream starting at *off (raised to
 * the oldest kept byte if older) and below end; bytes overwritten while
 * copying are cut off the front. Sets *off to the offset of the first
 * byte returned and returns how many bytes were stored in buf (0 at
 * end), or -errno.
 */
ssize_t proc_log_read(const struct proc_log *l, int stream, uint64_t *off,
		      uint64_t end, void *buf, size_t cap);
/*
 * Reader: the offset where the last n lines before end begin (a final
 * newline ends the last line rather than starting an empty one).
 */
uint64_t proc_log_tail_lines(const struct proc_log *l, int stream, uint64_t end,
			     uint32_t n);

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
