/*
 * plugins/shared/proclog/proc_log.h - the log file of a background
 * process kept on the host: a header page (the command line, the
 * status, the counters of both output rings) and two bounded rings,
 * stdout then stderr, in <state>/procs/<id>/log.
 *
 * One writer (the local sandbox's monitor, or the E2B keeper) holds an
 * exclusive flock() on the log as long as it writes it: a free lock means
 * the writer is gone, which holds across kill -9 and reboots. Any process
 * of the same user reads it without locks (proc_view.h).
 *
 * libc only: the local monitor links it too.
 */
#ifndef WSP_SHARED_PROC_LOG_H
#define WSP_SHARED_PROC_LOG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PROC_FILE_LOG "log"

#define PROC_DEFAULT_LOG_LIMIT (UINT64_C(8) << 20)
#define PROC_MAX_LOG_LIMIT     (UINT64_C(1) << 30)

#define PROC_LOG_MAGIC	     "WSPPROC1"
#define PROC_LOG_HEADER_SIZE 4096u
#define PROC_COMMAND_MAX     2048 /* bytes of the command line kept */
#define PROC_STREAMS	     2	  /* 0 stdout, 1 stderr */

enum proc_run_state {
	PROC_STARTING = 0,
	PROC_RUNNING = 1,
	PROC_EXITED = 2,
	PROC_SIGNALED = 3,
	/* the writer found the process gone and its outcome unknown (the
	 * E2B keeper, after a restart, when envd no longer lists it) */
	PROC_GONE = 4
};

/* The monitor's report, in the header under a sequence lock. */
struct proc_status_file {
	int32_t state; /* enum proc_run_state */
	int32_t exit_code, term_signal;
	int32_t timed_out, stdin_open;
	/* times output went unheard (the E2B keeper restarted while the
	 * process ran: envd replays nothing); 0 for a local process */
	int32_t gaps;
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
/*
 * Writer: take over an existing log in dirfd whose writer is gone (its
 * lock free): open it read-write, lock it, map its header; 0, -EBUSY
 * when a writer still holds it, or -errno (a refusal as for readers).
 */
int proc_log_adopt(struct proc_log *l, int dirfd);
/* Writer: publish a new status and touch the log (inotify IN_ATTRIB:
 * mapped writes raise no event, waiters watch for this one). */
void proc_log_publish(struct proc_log *l, const struct proc_status_file *st);
/*
 * Writer: leave the starter. Fork once; the first process exits at once
 * (its starter reaps it), so the writer is nobody's child and outlives
 * it; a session of its own, and the starter's stdin/stdout/stderr
 * swapped for /dev/null. 0 in the writer, or -errno (no fork).
 */
int proc_writer_detach(void);
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
/*
 * Reader: a consistent copy of the status, waiting out a writer stopped
 * inside a change (up to 2 s). -EAGAIN, and *st zeroed (PROC_STARTING),
 * when its writer died inside one or never finished it. A writer may
 * read its own log: no change of its own is half done, so it returns at
 * once and never tries the lock its fd holds.
 */
int proc_log_get_status(const struct proc_log *l, struct proc_status_file *st);
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

#endif /* WSP_SHARED_PROC_LOG_H */
