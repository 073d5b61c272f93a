/*
 * plugins/sandbox-e2b/e2b.h - what the modules of wsp-sandbox-e2b.so
 * share (issue 14).
 *
 * One instance is one E2B sandbox, found from wsp's logical id. Two
 * planes: the control plane (api_url: create, connect, list, pause,
 * timeout, kill) and the sandbox's envd (sandbox_url, or
 * https://49983-ID.DOMAIN: processes and files, the Connect protocol).
 * Every request goes through the core's HTTP service and every streamed
 * answer through its streaming engine; the plugin links no HTTP client.
 *
 *   options.c    the options and an instance made from them
 *   request.c    one JSON request to either plane, errors from answers
 *   lifecycle.c  find, connect or create the sandbox; start
 *   control.c    stop, destroy, pause, resume, set_timeout, status, info
 *   envelope.c   Connect envelopes and envd's process events
 *   command.c    what a command becomes in a Start request
 *   process.c    envd's process calls: Start as a stream, stdin, signals
 *   exec.c       a foreground command over process.Process/Start
 *   procs.c      background processes, read from the state directory
 *   keeper_*.c   talking to wsp-e2b-keeper, which holds their streams
 *                (keeper.h; the keeper itself is keeper/)
 *   preview.c    the URL (and token) of a port inside the sandbox
 *   fs.c         the sandbox's own disk as a filesystem (sandbox_fs)
 *   mount.c      object stores mounted inside it (s3fs, remote_mount.c)
 */
#ifndef WSP_SANDBOX_E2B_H
#define WSP_SANDBOX_E2B_H

#include <wsp/plugin.h>

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define E2B_URL_MAX 1024
#define E2B_ID_MAX 64     /* sandbox ids: [a-z0-9], ~20 in practice */
#define E2B_TOKEN_MAX 256 /* envd access token */
/* Largest control- or data-plane JSON answer we parse (not a stream). */
#define E2B_JSON_MAX (16u << 20)
/* envd's port: the one the E2B proxy routes to the daemon */
#define E2B_ENVD_PORT "49983"
/* E2B's longest sandbox lifetime (24 h) */
#define E2B_MAX_LIFETIME_S 86400
/* the metadata key a sandbox is found by when the state store is gone */
#define E2B_META_ID "wsp-id"

/* How to reach one sandbox's envd; copied out of the lock for a call. */
struct e2b_conn {
	char id[E2B_ID_MAX];       /* "" until reached */
	char token[E2B_TOKEN_MAX]; /* envdAccessToken, "" when none */
	char url[E2B_URL_MAX];     /* envd base, no trailing '/' */
	char domain[256];          /* previews: PORT-ID.DOMAIN */
	char traffic[E2B_TOKEN_MAX]; /* trafficAccessToken, "" when none */
	char envd[24];               /* envdVersion, "" when not said */
};

struct e2b {
	const wsp_host *host;
	const wsp_state *state;
	char *instance_id;
	char *state_dir; /* the host's; background processes live below */
	/* options, immutable after init */
	char *api_key; /* secret: only in a header, masked everywhere */
	char *api_url; /* control plane, no trailing '/' */
	char *sandbox_url; /* envd for every sandbox, or NULL: by domain */
	char *domain;
	char *template_id;
	int64_t lifetime_s; /* the sandbox's timeout, sent on create/connect */
	cJSON *metadata;    /* {"k":"v"}, always with wsp-id */
	cJSON *envs;        /* {"K":"V"} or NULL */
	int allow_internet, auto_pause, secure, public_traffic;
	cJSON *allow_out, *deny_out; /* network rules: ["cidr|ip|host"] */
	int recreate; /* a command finding it gone makes a new one */
	char *working_dir;
	char *user; /* envd user (Basic auth), NULL: envd's default */
	int64_t exec_timeout_ms;
	int64_t request_timeout_ms;
	uint64_t max_capture;
	int install_mount_tools; /* apt-get s3fs/rclone when missing */

	/* run-time state, under lock */
	pthread_mutex_t lock;
	struct e2b_conn conn; /* id "" until reached */
	/* "paused" or "stopped" as this or an earlier wsp left it, or "" */
	char held[16];
};

/* options.c */
extern const wsp_option_spec e2b_options[];
int e2b_open(struct e2b **out, const wsp_host *host,
	     const wsp_instance_args *args, wsp_error *err);
void e2b_close(struct e2b *e);

/* request.c: one JSON request to a plane. */
enum e2b_plane { E2B_CONTROL, E2B_ENVD };
struct e2b_req {
	enum e2b_plane plane;
	const char *method;
	const char *path; /* appended to the plane's base URL */
	const char *body; /* JSON, may be NULL */
	const struct e2b_conn *conn; /* envd: the sandbox */
	const wsp_call *call; /* NULL: none (cleanup after a call ended) */
	uint32_t flags;       /* WSP_HTTP_* */
};
/*
 * Send it; *status gets the HTTP status and *out (may be NULL) the parsed
 * JSON of any answer (NULL when it is not JSON). Every status reaches the
 * caller (NO_ERROR_MAP); transport failures are a negative code.
 */
int e2b_request(int *status, cJSON **out, struct e2b *e,
		const struct e2b_req *r, wsp_error *err);
/* An error for a failed status, with the service's own message. */
int e2b_fail(const struct e2b *e, int status, const cJSON *body,
	     const char *what, wsp_error *err);
/*
 * The headers of an envd request (the proxy's routing headers, the
 * access token, the user): fills h (room for 4), returns how many; auth
 * is where the user's Basic value is kept.
 */
size_t e2b_envd_headers(wsp_http_header *h, char *auth, size_t cap,
			const struct e2b *e, const struct e2b_conn *c);
/* The secrets a request names: the key (none in the keeper) and the
 * tokens (c: NULL). */
void e2b_secrets(const char *s[4], const struct e2b *e,
		 const struct e2b_conn *c);
const char *e2b_str(const cJSON *o, const char *name);
/* Percent-encode s (RFC 3986 unreserved kept) into out. */
int e2b_escape(char *out, size_t cap, const char *s);

/* lifecycle.c */
int e2b_start(uint32_t *out, void *self, const wsp_call *call,
	      uint32_t flags, wsp_error *err);
/*
 * The sandbox reached, connecting (or creating) first if need be: how to
 * reach it in *c. WSP_EBUSY while it is paused or stopped (only resume
 * or start undo that).
 */
int e2b_ready(struct e2b_conn *c, struct e2b *e, const wsp_call *call,
	      wsp_error *err);
/*
 * Reach sandbox id only if it is the one this instance keeps (never
 * making or finding another): WSP_ENOTFOUND when it is not, or gone;
 * WSP_EBUSY while it is paused or stopped.
 */
int e2b_reach_id(struct e2b_conn *c, struct e2b *e, const char *id,
		 const wsp_call *call, wsp_error *err);
/* Reach (or make) it, lock held; outcome WSP_START_* (may be NULL). */
int e2b_connect_locked(uint32_t *outcome, struct e2b *e,
		       const wsp_call *call, wsp_error *err);
/* The newest running or paused sandbox whose wsp-id is ours (lock held). */
int e2b_find_id(char *id, size_t cap, struct e2b *e, const wsp_call *call,
		wsp_error *err);
/* The id the state store keeps, "" when none (lock held). */
void e2b_kept_id(char *out, size_t cap, struct e2b *e);
/* Take id and access token from a create/connect answer (lock held). */
int e2b_take_sandbox(struct e2b *e, const cJSON *sb, wsp_error *err);
/* Record that the sandbox is paused/stopped (NULL to clear), lock held. */
void e2b_hold(struct e2b *e, const char *why);
/* Forget the sandbox (gone): id, token, the state store's keys. */
void e2b_forget(struct e2b *e);
/*
 * The error for sandbox id that E2B no longer has (expired or killed);
 * forgets it if it is still the one this instance reaches. Takes the lock.
 */
int e2b_gone(struct e2b *e, const char *id, wsp_error *err);
/*
 * envd's proxy answered 502 for sandbox id: ask the control plane why
 * and say it (gone: e2b_gone, and *gone = 1; paused outside this wsp:
 * WSP_EBUSY; else WSP_EUNAVAIL).
 */
int e2b_lost(struct e2b *e, const char *id, const wsp_call *call, int *gone,
	     wsp_error *err);

/* control.c */
int e2b_stop(void *self, const wsp_call *call, uint32_t flags,
	     wsp_error *err);
int e2b_destroy(void *self, const wsp_call *call, uint32_t flags,
		wsp_error *err);
int e2b_pause(void *self, const wsp_call *call, uint32_t flags,
	      wsp_error *err);
int e2b_resume(void *self, const wsp_call *call, uint32_t flags,
	       wsp_error *err);
int e2b_set_timeout(void *self, const wsp_call *call, uint64_t idle_ms,
		    uint32_t flags, wsp_error *err);
int e2b_status(uint32_t *out, void *self, const wsp_call *call,
	       uint32_t flags, wsp_error *err);
int e2b_info(void *self, const wsp_call *call, uint32_t flags, wsp_kv_fn cb,
	     void *payload, wsp_error *err);
int e2b_instructions(void *self, const wsp_call *call, uint32_t flags,
		     wsp_sink_fn sink, void *payload, wsp_error *err);

/* command.c: the "process" member of a Start request. */
int e2b_process_config(cJSON **out, const struct e2b *e,
		       const wsp_exec_opts *o, wsp_error *err);
/* 1 when envd's version (MAJOR.MINOR.PATCH) is at least the one given;
 * an unknown version counts as new enough. */
int e2b_envd_at_least(const char *version, int major, int minor, int patch);
/* 1 when stderr is the marker of an argv program that is not there */
int e2b_missing_program(const char *stderr_data, size_t len);

/* fs.c: the sandbox's disk (the descriptor's sandbox_fs) */
extern const wsp_fs_vtable e2b_fs;

/* preview.c */
int e2b_preview(wsp_preview *out, void *self, const wsp_call *call,
		uint32_t port, uint32_t flags, wsp_error *err);

/* process.c: envd's process.Process calls */
struct e2b_stream_cbs {
	wsp_stream_header_fn on_header; /* may be NULL */
	wsp_stream_data_fn on_data;
	wsp_stream_done_fn on_done;
	void *payload;
};
/* The body of a Start request for o (stdin a pipe when with_stdin). */
int e2b_start_request(cJSON **out, const struct e2b *e,
		      const wsp_exec_opts *o, int with_stdin, wsp_error *err);
/* POST process.Process/METHOD with one envelope of json as a stream on
 * the core's engine, not tied to a call (its owner ends it); envd's
 * deadline deadline_ms (none when <= 0). */
int e2b_open_process_stream(wsp_http_stream **out, struct e2b *e,
			    const struct e2b_conn *c, const char *method,
			    const char *json, int64_t deadline_ms,
			    const struct e2b_stream_cbs *cbs, wsp_error *err);
/* Start o (stdin a pipe when with_stdin) as a Connect stream; envd's
 * deadline (Connect-Timeout-Ms) deadline_ms, or none when <= 0. */
int e2b_start_stream(wsp_http_stream **out, struct e2b *e,
		     const struct e2b_conn *c, const wsp_exec_opts *o,
		     int with_stdin, int64_t deadline_ms,
		     const struct e2b_stream_cbs *cbs, wsp_error *err);
/* Reattach to pid's output (process.Process/Connect): only what it
 * prints from now on (envd replays nothing). */
int e2b_connect_stream(wsp_http_stream **out, struct e2b *e,
		       const struct e2b_conn *c, uint32_t pid,
		       const struct e2b_stream_cbs *cbs, wsp_error *err);
/* One unary process.Process call (json body); its error for a status. */
int e2b_process_call(struct e2b *e, const struct e2b_conn *c,
		     const char *method, const char *json,
		     const wsp_call *call, wsp_error *err);
/* SendInput of data to pid, in pieces. */
int e2b_send_input(struct e2b *e, const struct e2b_conn *c, uint32_t pid,
		   const void *data, size_t len, const wsp_call *call,
		   wsp_error *err);

/* mount.c */
int e2b_mount(void *self, const wsp_call *call, const wsp_mount_source *src,
	      const char *path, uint32_t flags, wsp_error *err);
int e2b_unmount(void *self, const wsp_call *call, const char *path,
		uint32_t flags, wsp_error *err);

/* exec.c */
int e2b_exec(wsp_exec_result *out, void *self, const wsp_call *call,
	     const wsp_exec_opts *opts, wsp_error *err);

#endif
