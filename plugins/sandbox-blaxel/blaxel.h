/*
 * plugins/sandbox-blaxel/blaxel.h - what the modules of
 * wsp-sandbox-blaxel.so share (issue 16).
 *
 * One instance is one Blaxel sandbox, named from wsp's logical id. Two
 * planes: the control plane (api_url, sandboxes by name) and the
 * sandbox's own data plane (its metadata.url, processes and files), both
 * with the same headers. Every request goes through the core's HTTP
 * service (host->http_request) and every long answer through its
 * streaming engine; the plugin links no HTTP client.
 */
#ifndef WSP_SANDBOX_BLAXEL_H
#define WSP_SANDBOX_BLAXEL_H

#include <wsp/plugin.h>

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

/* Blaxel's sandbox names: [a-z0-9-], at most 49 (the API's limit). */
#define BL_NAME_MAX 49
#define BL_URL_MAX 1024
/* Largest control- or data-plane JSON answer we parse (not a stream). */
#define BL_JSON_MAX (64u << 20)

struct bl {
	const wsp_host *host;
	const wsp_state *state;
	char *instance_id;
	/* options, immutable after init */
	char *api_key; /* secret: only in headers, masked everywhere */
	char *workspace;
	char *api_url; /* control plane, no trailing '/' */
	char name[BL_NAME_MAX + 1];        /* the one reached (under lock) */
	char config_name[BL_NAME_MAX + 1]; /* the one the options give */
	char *image;
	uint64_t memory_mb;
	char *region;     /* NULL: Blaxel's default */
	char *ttl;        /* "3600s" or NULL */
	cJSON *ports;     /* [{"name","target","protocol"}] or NULL */
	cJSON *envs;      /* [{"name","value"}] or NULL */
	cJSON *labels;    /* {"k":"v"}, always with wsp-id */
	char *working_dir;
	int64_t timeout_ms;       /* exec default */
	int64_t request_timeout_ms;
	int64_t start_timeout_ms; /* waiting for DEPLOYED */
	uint64_t max_capture;
	int install_mount_tools; /* apt-get s3fs/rclone when missing */
	const char *secrets[2]; /* { api_key, NULL } */

	/* run-time state, under lock */
	pthread_mutex_t lock;
	char url[BL_URL_MAX]; /* data plane; "" until started */
	int stopped;          /* stop ran here; only start undoes it */
};

/* options.c */
extern const wsp_option_spec bl_options[];
int bl_open(struct bl **out, const wsp_host *host,
	    const wsp_instance_args *args, wsp_error *err);
void bl_close(struct bl *b);
int bl_name_from_id(char *out, size_t cap, const char *id);

/* request.c: one JSON request to a plane. */
struct bl_req {
	const char *method;
	const char *url;  /* absolute */
	const char *body; /* JSON or raw bytes, may be NULL */
	size_t body_len;
	const char *content_type; /* NULL: application/json with a body */
	const wsp_call *call;     /* NULL: none (cleanup after a call ended) */
	uint32_t flags;           /* WSP_HTTP_* */
};
/*
 * Send it; *status gets the HTTP status and *out (may be NULL) the parsed
 * JSON of any answer (NULL when it is not JSON). Every status reaches the
 * caller (NO_ERROR_MAP); transport failures are a negative code.
 */
int bl_request(int *status, cJSON **out, struct bl *b, const struct bl_req *r,
	       wsp_error *err);
/* An error for a failed status, with the service's own message. */
int bl_fail(const struct bl *b, int status, const cJSON *body,
	    const char *what, wsp_error *err);
/* The headers every request of both planes carries (auth kept in buf). */
size_t bl_headers(wsp_http_header *h, char *auth, size_t cap,
		  const struct bl *b);
/* json.c: cJSON of at most BL_JSON_MAX bytes, or NULL. */
cJSON *bl_parse(const char *text, size_t len);
/* The string member or NULL. */
const char *bl_str(const cJSON *o, const char *name);

/* lifecycle.c */
int bl_start(uint32_t *out, void *self, const wsp_call *call, uint32_t flags,
	     wsp_error *err);
int bl_stop(void *self, const wsp_call *call, uint32_t flags, wsp_error *err);
int bl_destroy(void *self, const wsp_call *call, uint32_t flags,
	       wsp_error *err);
int bl_status(uint32_t *out, void *self, const wsp_call *call, uint32_t flags,
	      wsp_error *err);
int bl_info(void *self, const wsp_call *call, uint32_t flags, wsp_kv_fn cb,
	    void *payload, wsp_error *err);
int bl_instructions(void *self, const wsp_call *call, uint32_t flags,
		    wsp_sink_fn sink, void *payload, wsp_error *err);
/* The data plane's URL, starting (or reconnecting) first if need be. */
int bl_ready(char *url, size_t cap, struct bl *b, const wsp_call *call,
	     wsp_error *err);

/* preview.c */
int bl_preview(wsp_preview *out, void *self, const wsp_call *call,
	       uint32_t port, uint32_t flags, wsp_error *err);

/* find.c: the sandbox of this id by its wsp-id label. */
/* 1 when sb has no wsp-id label or ours (0: another id's sandbox). */
int bl_owned(const struct bl *b, const cJSON *sb);
/* The name of this id's newest sandbox that is not going, or
 * WSP_ENOTFOUND. */
int bl_find_by_label(char *name, size_t cap, struct bl *b,
		     const wsp_call *call, wsp_error *err);

/* command.c: what a command becomes on the wire. */
int bl_command_text(char **out, const wsp_exec_opts *o);
int bl_working_dir(char **out, const struct bl *b, const char *cwd,
		   wsp_error *err);
int bl_env_object(cJSON **out, const char *const *env, wsp_error *err);
/* 1 when stderr is the marker of an argv program that is not there */
int bl_missing_program(const char *stderr_data, size_t len);
void bl_random_name(char *out, size_t cap, const char *prefix);

/* mount.c: object stores mounted inside the sandbox (s3fs) */
int bl_mount(void *self, const wsp_call *call, const wsp_mount_source *src,
	     const char *path, uint32_t flags, wsp_error *err);
int bl_unmount(void *self, const wsp_call *call, const char *path,
	       uint32_t flags, wsp_error *err);

/* exec.c */
int bl_exec(wsp_exec_result *out, void *self, const wsp_call *call,
	    const wsp_exec_opts *opts, wsp_error *err);

#endif
