/*
 * plugins/sandbox-local/env_proto.h - the wire between the host and the
 * agent that keeps an isolated sandbox's environment (agent/agent.c).
 *
 * An isolated sandbox is one bubblewrap environment, started once and kept
 * until stop (docs/local-environment.md). Inside it runs wsp-local-agent,
 * which accepts connections on a unix stream socket the host bound in the
 * sandbox's state directory (`env/agent.sock`) and handed in as a
 * descriptor; the socket's path is not visible inside. Each connection
 * asks one thing:
 *
 *   RUN      -> STARTED | ERROR, later EXIT     start a command, report its end
 *   SIGNAL   (on a RUN connection)              kill(-pgid, sig)
 *   CONNECT  -> FD | ERROR                      a TCP socket connected to a
 *                                               port inside (previews)
 *   PING     -> PONG                            the environment answers
 *   SHUTDOWN                                    end every process, then itself
 *
 * and the holder on the host (agent/hold.c), on `env/holder.sock`:
 *
 *   FORWARD  -> PORT | ERROR                    a port of 127.0.0.1 on the
 *                                               host forwarded to a port
 *                                               inside (previews without
 *                                               network)
 *
 * Closing a RUN connection kills what is left of the command's process
 * group (SIGKILL): a caller that dies takes its command with it.
 *
 * A frame is a 8-byte header (little-endian u32 payload length, u32 type)
 * then the payload. RUN carries the command's stdin, stdout and stderr as
 * three descriptors (SCM_RIGHTS) with its first byte; FD carries one.
 * Both sides bound every length and check every field: the agent shares
 * its environment with the sandbox's own code, so the host reads it as
 * untrusted. libc only: the agent links this too.
 */
#ifndef WSP_SANDBOX_LOCAL_ENV_PROTO_H
#define WSP_SANDBOX_LOCAL_ENV_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ENV_AGENT_NAME "wsp-local-agent"
#define ENV_DIR_NAME   "env"
#define ENV_SOCK_NAME  "agent.sock"
#define ENV_HOLD_NAME  "holder.sock" /* the holder's, on the host: FORWARD */

/* Descriptors of the agent as bubblewrap starts it. */
/* (3 is where bwrap reads its seccomp filter: LOCAL_SECCOMP_FD.) */
#define ENV_LISTEN_FD 4 /* the listening socket */
#define ENV_EXE_FD    5 /* the agent's executable, run as /proc/self/fd/5 */
#define ENV_EXE_ARG   "/proc/self/fd/5"

#define ENV_HEADER_SIZE 8u
#define ENV_FRAME_MAX	(8u << 20) /* argv + environment, like ARG_MAX */
#define ENV_ERROR_MAX	512u

enum env_frame_type {
	ENV_RUN = 1,
	ENV_STARTED = 2,
	ENV_ERROR = 3,
	ENV_EXIT = 4,
	ENV_SIGNAL = 5,
	ENV_CONNECT = 6,
	ENV_FD = 7,
	ENV_PING = 8,
	ENV_PONG = 9,
	ENV_SHUTDOWN = 10,
	ENV_FORWARD = 11,
	ENV_PORT = 12
};

/* rlimit pairs carried by RUN, in this order; UINT64_MAX = no limit. */
enum env_limit { ENV_LIM_AS, ENV_LIM_NPROC, ENV_LIM_CPU, ENV_LIM_FSIZE,
		 ENV_LIMITS };

/* A command to start (RUN). Strings point into the frame's payload. */
struct env_run {
	uint64_t soft[ENV_LIMITS], hard[ENV_LIMITS];
	const char *cwd;
	char **argv; /* NULL-terminated; argv[0] a path (relative: to cwd) */
	char **envp; /* NULL-terminated */
};

/* How a command ended (EXIT): a wait status and its CPU time. */
struct env_exit {
	int32_t status;
	uint64_t cpu_ms;
};

/* A frame read in whole. */
struct env_frame {
	uint32_t type;
	uint32_t len;
	char *data;	/* len bytes, NUL-terminated one past; malloc'ed */
	int fds[3];	/* received descriptors, -1 when absent */
	int nfds;
};

/*
 * Send one frame with up to 3 descriptors attached; blocking, every byte
 * (EINTR retried, no SIGPIPE). 0, or -errno.
 */
int env_send(int sock, uint32_t type, const void *payload, size_t len,
	     const int *fds, int nfds);

/*
 * Read one whole frame (blocking; bounded by ENV_FRAME_MAX). Descriptors
 * that arrive are kept in f->fds (close-on-exec). 0, -EPROTO for a bad
 * header, -ECONNRESET at end of stream, or -errno.
 */
int env_recv(int sock, struct env_frame *f);
void env_frame_free(struct env_frame *f);

/* RUN's payload for a command; *out malloc'ed. 0 or -E2BIG/-ENOMEM. */
int env_run_encode(const struct env_run *run, char **out, size_t *out_len);
/*
 * Read RUN's payload (which must stay alive: the strings point into it);
 * run->argv and run->envp malloc'ed. 0 or -EPROTO/-ENOMEM.
 */
int env_run_decode(struct env_run *run, char *data, size_t len);
void env_run_free(struct env_run *run);

/* Little-endian integers in payloads. */
void env_put32(unsigned char *p, uint32_t v);
void env_put64(unsigned char *p, uint64_t v);
uint32_t env_get32(const unsigned char *p);
uint64_t env_get64(const unsigned char *p);

/* EXIT's payload (12 bytes) and its reading; 0 or -EPROTO. */
#define ENV_EXIT_SIZE 12u
void env_exit_encode(const struct env_exit *x, unsigned char *out);
int env_exit_decode(struct env_exit *x, const char *data, size_t len);

/*
 * Connect to the agent's socket in the open directory dirfd (through
 * /proc/self/fd, so a long state path never meets sun_path's 108 bytes).
 * A close-on-exec descriptor, or -errno (-ENOENT/-ECONNREFUSED: no agent).
 */
int env_connect_at(int dirfd);
/* The same for another socket of the directory (ENV_HOLD_NAME). */
int env_connect_name(int dirfd, const char *name);
/*
 * A listening socket bound to name in dirfd (an old one there removed
 * first); close-on-exec descriptor or -errno.
 */
int env_listen_at(int dirfd, const char *name);

#endif /* WSP_SANDBOX_LOCAL_ENV_PROTO_H */
