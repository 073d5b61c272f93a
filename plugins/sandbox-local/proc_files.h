/*
 * plugins/sandbox-local/proc_files.h - the on-disk contract between the
 * process manager (procmgr.c, in whatever process calls it) and the
 * monitor (monitor/monitor.c, one per background process).
 *
 * Every background process owns a directory <state>/procs/<id>/ holding:
 *
 *   spec        what to run (argv, envp, cwd, limits...), written by the
 *               manager, read and then unlinked by the monitor (it may
 *               carry configured secrets in the environment)
 *   command     the command line for listings, written by the manager
 *   lock        the monitor holds an exclusive flock() on it for as long
 *               as it lives; a free lock means the monitor is gone, which
 *               holds across kill -9 and reboots alike
 *   status      the monitor's view (pid, state, exit...), replaced
 *               atomically by rename()
 *   stdout.log, stderr.log   bounded rings (struct proc_ring_header)
 *   stdin       FIFO the monitor relays into the command's stdin
 *   ctl         FIFO of one-line requests to the monitor (PROC_CTL_*)
 *
 * A directory is made as ".new-<id>" and renamed to "<id>" only once the
 * monitor reported the command started, and renamed to ".dead-<id>"
 * before it is removed, so listings never see half a process.
 *
 * This header is included by the monitor too: libc only.
 */
#ifndef WSP_SANDBOX_LOCAL_PROC_FILES_H
#define WSP_SANDBOX_LOCAL_PROC_FILES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PROC_DIR_NAME "procs"
#define PROC_NEW_PREFIX ".new-"
#define PROC_DEAD_PREFIX ".dead-"

#define PROC_FILE_SPEC "spec"
#define PROC_FILE_COMMAND "command"
#define PROC_FILE_LOCK "lock"
#define PROC_FILE_STATUS "status"
#define PROC_FILE_STATUS_TMP "status.tmp"
#define PROC_FILE_STDOUT "stdout.log"
#define PROC_FILE_STDERR "stderr.log"
#define PROC_FILE_STDIN "stdin"
#define PROC_FILE_CTL "ctl"

/* The monitor executable, installed next to the plugin. */
#define PROC_MONITOR_NAME "wsp-local-monitor"
/* The descriptor the monitor reports readiness on (see monitor.c). */
#define PROC_READY_FD 3

/* Requests written to the ctl FIFO, one line each (< PIPE_BUF: atomic). */
#define PROC_CTL_SIGNAL "signal"       /* "signal N": kill(-pgid, N) */
#define PROC_CTL_TERMINATE "terminate" /* SIGTERM, SIGKILL after grace */
#define PROC_CTL_CLOSE_STDIN "close-stdin"
#define PROC_CTL_RELEASE "release" /* SIGKILL the group and exit */

#define PROC_DEFAULT_LOG_LIMIT (UINT64_C(8) << 20)
#define PROC_MAX_LOG_LIMIT (UINT64_C(1) << 30)
#define PROC_SPEC_MAX (16u << 20) /* bytes of a spec file */

/* ---- Bounded logs (proc_ring.c) ---------------------------------------- */

#define PROC_RING_MAGIC "WSPRING1"
#define PROC_RING_HEADER_SIZE 4096u

/*
 * The first page of a ring file; data follows it. Byte number `off` of
 * the stream (counting from 0) lives at header + off % capacity. The
 * writer announces a write by raising `reserved`, copies the bytes, then
 * publishes them by raising `total`; a reader takes `total` before and
 * `reserved` after copying, and keeps only bytes at offsets of at least
 * reserved - capacity, which no write can have touched. Both counters are
 * accessed atomically through shared mappings of this page.
 */
struct proc_ring_header {
	char magic[8];
	uint64_t capacity;
	uint64_t total;    /* bytes published */
	uint64_t reserved; /* bytes announced (>= total) */
};

struct proc_ring {
	int fd;
	uint64_t capacity;
	struct proc_ring_header *hdr; /* shared mapping of the first page */
};

/* Monitor: create name in dirfd for capacity bytes; 0 or -errno. */
int proc_ring_create(struct proc_ring *r, int dirfd, const char *name,
		     uint64_t capacity);
/* Monitor: append bytes (keeps the newest capacity bytes). */
int proc_ring_append(struct proc_ring *r, const void *data, size_t len);

/* Reader: open an existing ring read-only; 0 or -errno. */
int proc_ring_open(struct proc_ring *r, int dirfd, const char *name);
void proc_ring_close(struct proc_ring *r);
/* Reader: bytes published so far, and the oldest offset still kept. */
uint64_t proc_ring_total(const struct proc_ring *r);
uint64_t proc_ring_oldest(const struct proc_ring *r);
/*
 * Reader: copy up to cap bytes starting at *off (raised to the oldest
 * kept byte if older) and below end; bytes overwritten while copying are
 * cut off the front. Sets *off to the offset of the first byte returned
 * and returns how many bytes were stored in buf (0 at end), or -errno.
 */
ssize_t proc_ring_read(const struct proc_ring *r, uint64_t *off,
		       uint64_t end, void *buf, size_t cap);
/*
 * Reader: the offset where the last n lines before end begin (a final
 * newline ends the last line rather than starting an empty one).
 */
uint64_t proc_ring_tail_lines(const struct proc_ring *r, uint64_t end,
			      uint32_t n);

/* ---- What to run (proc_spec.c) ----------------------------------------- */

struct proc_spec {
	char **argv; /* NULL-terminated; argv[0] a path or a name in PATH */
	char **envp; /* NULL-terminated */
	char *cwd;
	uint64_t limit_as, limit_nproc, limit_cpu, limit_fsize; /* 0 = none */
	int stdin_pipe;     /* 1: FIFO relay; 0: /dev/null */
	int64_t timeout_ms; /* 0 = none */
	int64_t grace_ms;   /* SIGTERM .. SIGKILL */
	uint64_t log_limit; /* bytes kept per stream */
};

/* Serialise to a new file name in dirfd (mode 0600); 0 or -errno. */
int proc_spec_write(const struct proc_spec *spec, int dirfd,
		    const char *name);
/* Parse name in dirfd into spec (heap members); 0 or -errno. */
int proc_spec_read(struct proc_spec *spec, int dirfd, const char *name);
void proc_spec_release(struct proc_spec *spec);

/* ---- The monitor's report (proc_status.c) ------------------------------ */

enum proc_run_state {
	PROC_STARTING = 0,
	PROC_RUNNING = 1,
	PROC_EXITED = 2,
	PROC_SIGNALED = 3
};

struct proc_status_file {
	int state; /* enum proc_run_state */
	int64_t monitor_pid;
	int64_t pid;  /* the command (process group leader) */
	int64_t pgid;
	uint64_t start_ticks; /* field 22 of /proc/<pid>/stat */
	char boot_id[40];     /* /proc/sys/kernel/random/boot_id */
	int64_t started_ms, ended_ms;
	int exit_code, term_signal;
	int timed_out, stdin_open;
};

/* Monitor: replace the status file atomically; 0 or -errno. */
int proc_status_write(const struct proc_status_file *st, int dirfd);
/* Manager: read it; -ENOENT when absent. */
int proc_status_read(struct proc_status_file *st, int dirfd);

/* The running kernel's boot id into buf (>= 40 bytes); 0 or -errno. */
int proc_boot_id(char *buf, size_t size);
/* Start time of pid in clock ticks since boot; 0 if unknown. */
uint64_t proc_start_ticks(pid_t pid);
/* Milliseconds since the epoch. */
int64_t proc_now_ms(void);

/* A process id: "p-" and 8 lower-case hex digits. */
#define PROC_ID_LEN 10
int proc_id_valid(const char *id);

#endif /* WSP_SANDBOX_LOCAL_PROC_FILES_H */
