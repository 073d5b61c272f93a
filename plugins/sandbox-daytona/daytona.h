/*
 * plugins/sandbox-daytona/daytona.h - wsp-sandbox-daytona.so: a sandbox
 * in Daytona (issue 15), reached through the core's HTTP service.
 *
 * Two planes: the API (`api_url`, /sandbox...) creates, finds, starts,
 * stops and deletes sandboxes; the toolbox (the daemon inside each
 * sandbox, `{toolboxProxyUrl}/{id}/...`) runs commands. One file per job:
 *   config.c     options: the schema, reading and checking them
 *   request.c    one request to either plane, its answer parsed
 *   remote.c     the Sandbox answer: id, state, toolbox URL
 *   create.c     the create request's body from the options
 *   volumes.c    the volumes option, checked, and its part of that body
 *   lifecycle.c  start (reconnect or create), destroy, status
 *   stop.c       stop, and the archive after it (archive_on_stop)
 *   pause.c      pause and resume, and the hold that keeps a pause
 *   progress.c   a wait's states shown on a terminal (or logged)
 *   describe.c   info and instructions
 *   idle.c       set_timeout: auto-stop interval and keep-alive
 *   preview.c    preview URLs and their token header
 *   script.c     the shell text a session command runs for one exec
 *   logmux.c     the multiplexed log split into stdout and stderr
 *   tail.c       a stream's trailer found as the log arrives
 *   wsframe.c    WebSocket frames (RFC 6455), client side
 *   wsconn.c     a WebSocket on a libcurl connection: the log follow
 *   logfollow.c  a command's log followed over it (exec, processes)
 *   session.c    a toolbox session and the commands it runs
 *   cmdanswer.c  its answers (command id, exit code, log) read
 *   pool.c       idle sessions kept for the next exec
 *   exec.c       foreground commands through a toolbox session
 *   procs.c      background processes: records, spawn, list, status,
 *                stdin, signal, release (procs.h)
 *   procs_read.c waiting for a process and reading its output
 *   procs_follow.c following its output (the WebSocket, then polling)
 *   proc_seen.c  processes as last seen, answered while paused
 *   fs.c         the sandbox's disk as a filesystem (sandbox_fs): stat,
 *                list, mkdir, remove, move, copy
 *   fs_io.c      its reads and writes, streamed (dtfs.h); a part of a
 *                file cut out of a download's body and the upload's body
 *                come from plugins/shared/remote_io.c
 *   fileinfo.c   the toolbox's FileInfo read; listed names checked
 *   mount.c      object stores mounted inside the sandbox (S3, GCS),
 *                by plugins/shared/remote_mount.c
 *   plugin.c     the descriptor, init and fini
 */
#ifndef WSP_DAYTONA_H
#define WSP_DAYTONA_H

#include <wsp/plugin.h>

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

/* The SDK version sent as X-Daytona-SDK-Version: >= 0.167.0 makes the
 * toolbox answer logs as JSON with stdout and stderr apart. */
#define DT_SDK_VERSION "0.218.0"
/* The label that names the sandbox by wsp's logical id (reconnect when
 * the state store is gone). */
#define DT_LABEL_ID "wsp-sandbox-id"
/* Longest remote id we accept (Daytona's are UUIDs). */
#define DT_ID_MAX  64
#define DT_URL_MAX 1024
/* Bounds on what a server may send us. */
#define DT_ANSWER_MAX  (64u << 20) /* a log snapshot may be large */
#define DT_STDIN_MAX   (4u << 20)  /* stdin data travels in the command */
#define DT_PATH_MAX    256	   /* a toolbox path below the base */
#define DT_FS_PATH_MAX 1024	   /* a file's full path in the sandbox */
#define DT_SEEN_MAX    16	   /* processes remembered (proc_seen.c) */
#define DT_IDLE_MAX    4	   /* idle sessions kept for execs (pool.c) */

/* One `volumes` entry (volumes.c). */
struct dt_volume {
	char *volume, *mount, *subpath; /* subpath may be NULL */
};

struct dt_config {
	char *api_url; /* no trailing '/' */
	char *api_key; /* secret */
	char *target, *snapshot, *image, *user, *language;
	int64_t cpu, memory_gib, disk_gib; /* 0 = server default */
	const char *const *env;	   /* map: k, v, ..., NULL (cfg-owned) */
	const char *const *labels; /* map, as env */
	char *network_allow_list;  /* comma-joined CIDRs, or NULL */
	struct dt_volume *volumes; /* n_volumes of them */
	size_t n_volumes;
	int public_, network_block_all, ephemeral, archive_on_stop;
	int install_mount_tools; /* apt-get s3fs/rclone when missing */
	int64_t auto_stop_min, auto_archive_min, auto_delete_min; /* -2 unset */
	int64_t timeout_ms;	   /* default command timeout */
	int64_t create_timeout_ms; /* wait for `started` */
	int64_t request_timeout_ms;
	uint64_t max_capture;
};

struct dt {
	const wsp_host *host;
	const wsp_state *state;
	char *logical_id;
	struct dt_config cfg;
	const char *secrets[2];	       /* { api_key, NULL } */
	pthread_mutex_t lock;	       /* guards remote_id and toolbox */
	char remote_id[DT_ID_MAX + 1]; /* "" until known */
	char toolbox[DT_URL_MAX];      /* {toolboxProxyUrl}/{id}, or "" */
	unsigned long seq;	       /* session names, with pid */
	/* proc_seen.c: processes as last seen, for a paused sandbox */
	struct dt_seen {
		char id[80];
		wsp_proc_status st;
	} seen[DT_SEEN_MAX];
	unsigned seen_next;
	/* pool.c: sessions whose last exec ended, for the next exec */
	struct dt_idle {
		char sid[80];
		char base[DT_URL_MAX]; /* the toolbox it lives in */
	} idle[DT_IDLE_MAX];
	unsigned n_idle;
	/* fs.c: the working directory of the toolbox it was asked of */
	char workdir[DT_FS_PATH_MAX], workdir_of[DT_URL_MAX];
};

/* What we keep of a Sandbox answer. */
struct dt_remote {
	char id[DT_ID_MAX + 1];
	char state[32];
	char toolbox[DT_URL_MAX]; /* toolboxProxyUrl as sent, may be "" */
	char target[32], snapshot[128], user[64], error_reason[160];
	int64_t cpu, memory_gib, disk_gib;
};

/* config.c */
extern const wsp_option_spec dt_options[];
int dt_config_read(struct dt_config *c, const wsp_host *host,
		   const wsp_config *cfg, wsp_error *err);
void dt_config_free(struct dt_config *c);

/* volumes.c: the `volumes` option, and its part of the create body */
int dt_volumes_read(struct dt_config *c, const wsp_host *host,
		    const wsp_config *cfg, wsp_error *err);
void dt_volumes_free(struct dt_config *c);
int dt_volumes_add(cJSON *body, const struct dt_config *c);

/* request.c */
struct dt_req {
	const char *base; /* NULL: the API; else a toolbox base (dt_ensure) */
	const char *method;
	const char *path;     /* after the plane's base, starts with '/' */
	cJSON *json;	      /* body, or NULL */
	uint32_t flags;	      /* WSP_HTTP_* */
	const wsp_call *call; /* NULL for cleanup after a call ended */
	/* Streamed bodies (files): a 2xx answer's body to sink instead of
	 * parsed; a body from source (size -1: chunked) of content_type. */
	wsp_sink_fn sink;
	void *sink_payload;
	wsp_source_fn source;
	void *source_payload;
	int64_t source_size;
	const char *content_type, *accept; /* NULL: JSON */
	const char *range;		   /* a Range header's value, or NULL */
	wsp_http_header_fn on_header;	   /* the answer's headers, or NULL */
	void *header_payload;
	int64_t timeout_ms; /* 0: the request timeout option; -1: none */
};
/*
 * Send r; a 2xx answer's JSON (if any, and if out) in *out. Failures are
 * mapped by the host (404 WSP_ENOTFOUND...). *status gets the HTTP status
 * when not NULL.
 */
int dt_request(struct dt *d, const struct dt_req *r, cJSON **out, long *status,
	       wsp_error *err);
/* Percent-encode s into out (unreserved bytes kept); WSP_ETOOBIG. */
int dt_url_escape(char *out, size_t cap, const char *s, wsp_error *err);

/* remote.c */
int dt_remote_parse(struct dt_remote *r, const cJSON *j, wsp_error *err);
/* wsp_sandbox_state for a Daytona state name. */
uint32_t dt_state_map(const char *state);
/* 1: settled (started, stopped, archived, error...), 0: moving. */
int dt_state_settled(const char *state);
/* Whether s is an id we put in URLs: [A-Za-z0-9-], 1..DT_ID_MAX. */
int dt_id_ok(const char *s);

/* create.c */
cJSON *dt_create_body(const struct dt *d);

/* lifecycle.c */
int dt_start(uint32_t *out, void *self, const wsp_call *call, uint32_t flags,
	     wsp_error *err);
/* stop.c */
int dt_stop(void *self, const wsp_call *call, uint32_t flags, wsp_error *err);
int dt_destroy(void *self, const wsp_call *call, uint32_t flags,
	       wsp_error *err);
int dt_status(uint32_t *out, void *self, const wsp_call *call, uint32_t flags,
	      wsp_error *err);
/*
 * The toolbox base of a started sandbox, starting or creating it first
 * when needed (exec on a fresh workspace). out holds DT_URL_MAX.
 */
int dt_ensure(char *out, struct dt *d, const wsp_call *call, wsp_error *err);
/* Forget the cached toolbox (the sandbox was found stopped). */
void dt_forget_toolbox(struct dt *d);
/*
 * The sandbox the logical id names (stored id, then label), in any
 * state; WSP_ENOTFOUND when there is none.
 */
int dt_locate(struct dt_remote *r, struct dt *d, const wsp_call *call,
	      wsp_error *err);
/* GET the sandbox by its remote id. */
int dt_get(struct dt_remote *r, struct dt *d, const char *id,
	   const wsp_call *call, wsp_error *err);

/* POST /sandbox/{id}/{action} (start, stop, pause, archive). */
int dt_post_action(struct dt *d, const char *id, const char *action,
		   const wsp_call *call, wsp_error *err);
/*
 * Poll until the sandbox is in state want (stopped takes archived too),
 * or gone when gone_ok; want NULL: any settled state. A settled other
 * state fails with Daytona's reason; create_timeout and the call bound it.
 */
int dt_wait_for(struct dt_remote *r, struct dt *d, const char *want,
		int gone_ok, const wsp_call *call, wsp_error *err);
/*
 * A located sandbox brought to `started`. explicit_: a start or resume,
 * which thaw a paused sandbox; else (a command) a paused or held one is
 * WSP_EBUSY.
 */
int dt_bring_up(struct dt_remote *r, struct dt *d, const wsp_call *call,
		int explicit_, wsp_error *err);
/* The sandbox is gone: its stored id, hold and process records too. */
void dt_forget(struct dt *d);

/* progress.c: a wait's states shown (a terminal, else info lines) */
struct dt_progress {
	int64_t start_ms, shown_ms;
	char state[32];
};
void dt_progress_init(struct dt_progress *p, int64_t now_ms);
/* The state polled now: shown when new, or again after a while. */
void dt_progress_note(struct dt_progress *p, struct dt *d, const char *state,
		      int64_t now_ms);

/* stop.c: stop a located sandbox, then archive it when archive_after. */
int dt_stop_located(struct dt_remote *r, struct dt *d, const wsp_call *call,
		    int archive_after, wsp_error *err);

/* pause.c */
int dt_pause(void *self, const wsp_call *call, uint32_t flags, wsp_error *err);
int dt_resume(void *self, const wsp_call *call, uint32_t flags, wsp_error *err);
/* Whether a pause holds the sandbox (the state store's "hold"). */
int dt_held(struct dt *d);
void dt_hold_set(struct dt *d, int on, wsp_error *err);

/* procs.c: the sandbox is gone, and every process record with it. */
void dt_procs_forget_all(struct dt *d);

/* describe.c */
int dt_info(void *self, const wsp_call *call, uint32_t flags, wsp_kv_fn cb,
	    void *payload, wsp_error *err);
int dt_instructions(void *self, const wsp_call *call, uint32_t flags,
		    wsp_sink_fn sink, void *payload, wsp_error *err);

/* script.c */
#define DT_NONCE_LEN 24
struct dt_script {
	char *text; /* malloc'd */
	char nonce[DT_NONCE_LEN + 1];
};
int dt_script_build(struct dt_script *s, const wsp_exec_opts *o,
		    wsp_error *err);
/* A background process's script (see script.c); timeout_ms 0: none. */
int dt_script_build_proc(struct dt_script *s, const wsp_spawn_opts *o,
			 int64_t timeout_ms, wsp_error *err);
void dt_script_free(struct dt_script *s);
/* Base64 of n bytes into out (4 * ceil(n / 3) + 1 bytes); its length. */
size_t dt_base64(char *out, const void *data, size_t n);
/*
 * How much of a stream's log so far is the command's own output, known
 * for sure: its whole lines, never the trailer (a line that ends with
 * the nonce: what precedes the nonce on it is output). With DT_LOG_DONE
 * the log must end with the trailer: *len is then the exact output, and
 * *nostart is the stderr trailer's tag (below). DT_LOG_LAST (the last
 * look before a kill) reads as DT_LOG_RUNNING.
 */
enum { DT_LOG_RUNNING = 0, DT_LOG_DONE = 1, DT_LOG_LAST = 2 };
/*
 * *nostart is the stderr trailer's tag: 0 none; the command never started
 * (DT_END_CWD, DT_END_PROG, DT_END_TMP: no temporary directory); or how a
 * background process ended (DT_END_TIMEOUT, DT_END_SIG + signal).
 */
enum {
	DT_END_CWD = 1,
	DT_END_PROG = 2,
	DT_END_TMP = 3,
	DT_END_TIMEOUT = 4,
	DT_END_SIG = 64
};
int dt_script_output(size_t *len, int *nostart, const char *log, size_t log_len,
		     const char *nonce, int mode);
/* What follows the nonce in a trailer: its tag (above, 0 none), or -1. */
int dt_trailer_tag(const char *t, size_t n);

/* tail.c: one stream's trailer found as the log arrives */
#define DT_TAIL_MAX (DT_NONCE_LEN + 8) /* the nonce and ":timeout" */
typedef int (*dt_tail_fn)(const char *p, size_t n, void *payload);
struct dt_tail {
	const char *nonce;
	char hold[DT_TAIL_MAX + 1]; /* the line's newest bytes, and '\n' */
	size_t n;
	int ended; /* the trailer was seen: later bytes are not output */
	int tag;   /* its tag, as dt_script_output's *nostart */
};
void dt_tail_init(struct dt_tail *t, const char *nonce);
/* The stream's next bytes: its output to fn (never empty); fn's code. */
int dt_tail_feed(struct dt_tail *t, const char *p, size_t n, dt_tail_fn fn,
		 void *payload);

/* session.c: a session and the commands it runs */
struct dt_cmd {
	struct dt *d;
	char base[DT_URL_MAX]; /* the toolbox, from dt_ensure */
	char sid[80], cid[DT_ID_MAX + 1];
};
/* method {base}/process/session/{sid}{path} */
int dt_cmd_call(struct dt_cmd *c, const char *method, const char *path,
		cJSON *json, cJSON **out, const wsp_call *call, uint32_t flags,
		wsp_error *err);
/* Create session c->sid (c->base found or refreshed on the way). */
int dt_session_open(struct dt_cmd *c, const wsp_call *call, wsp_error *err);
/* Start text asynchronously in it: c->cid. quiet_input: no input echo. */
int dt_session_launch(struct dt_cmd *c, const char *text, int quiet_input,
		      const wsp_call *call, wsp_error *err);
/* The command's exit code (*done once it has one). */
int dt_session_status(struct dt_cmd *c, int *done, int *exit_code,
		      const wsp_call *call, wsp_error *err);
/* The command's exit code (*done once it has one), then its log. */
int dt_session_look(struct dt_cmd *c, int *done, int *exit_code, cJSON **logs,
		    const wsp_call *call, wsp_error *err);
/* Send line (the daemon adds a newline when it has none). */
int dt_session_input(struct dt_cmd *c, const char *line, const wsp_call *call,
		     wsp_error *err);
/* Delete the session, killing all it runs; gone already is fine. */
int dt_session_delete(struct dt_cmd *c, const wsp_call *call, wsp_error *err);

/* cmdanswer.c: the toolbox's answers about a command, read and checked */
/* An exec answer's "cmdId", one dt_id_ok takes. */
int dt_cmd_id_read(char out[DT_ID_MAX + 1], const cJSON *a, wsp_error *err);
/* A status answer: *done and *code (0..255) once "exitCode" is there. */
int dt_exit_read(int *done, int *code, const cJSON *st, wsp_error *err);
/* A log answer: an object, with "stdout" and "stderr" made from the
 * marked "output" when it has neither. */
int dt_log_read(cJSON *logs, wsp_error *err);
/* One stream of a log answer ("" when absent). */
const char *dt_log_text(const cJSON *logs, int stderr_, size_t *len);

/*
 * pool.c: idle sessions (their last command ended) for execs. take: one
 * of the toolbox in use into c->sid and c->base (1), or none (0); put:
 * c's session kept, or deleted when the pool is full or the toolbox
 * changed; clear: all forgotten, and deleted when delete_ (fini).
 */
int dt_pool_take(struct dt_cmd *c);
void dt_pool_put(struct dt_cmd *c);
/*
 * Start text asynchronously (dt_session_launch) in an idle session, or
 * in a new one named fresh when there is none or the idle ones are gone.
 * After a failure, c->sid is "" unless a session needs deleting.
 */
int dt_pool_launch(struct dt_cmd *c, const char *fresh, const char *text,
		   int quiet_input, const wsp_call *call, wsp_error *err);
void dt_pool_clear(struct dt *d, int delete_);

/* idle.c, preview.c */
int dt_set_timeout(void *self, const wsp_call *call, uint64_t idle_ms,
		   uint32_t flags, wsp_error *err);
int dt_preview(wsp_preview *out, void *self, const wsp_call *call,
	       uint32_t port, uint32_t flags, wsp_error *err);

/* fs.c: the sandbox's disk (the descriptor's sandbox_fs) */
extern const wsp_fs_vtable dt_fs;

/* exec.c */
int dt_exec(wsp_exec_result *out, void *self, const wsp_call *call,
	    const wsp_exec_opts *opts, wsp_error *err);

/* mount.c: the slots mount and unmount */
int dt_mount(void *self, const wsp_call *call, const wsp_mount_source *src,
	     const char *path, uint32_t flags, wsp_error *err);
int dt_unmount(void *self, const wsp_call *call, const char *path,
	       uint32_t flags, wsp_error *err);

#endif /* WSP_DAYTONA_H */
