/*
 * plugins/fs-gcs/gcs.h - what the GCS provider's files share.
 *
 * crc32c.c   CRC-32C (Castagnoli): SSE4.2 when the CPU has it, a table
 *            otherwise; its base64 form for X-Goog-Hash and object JSON
 * gcstext.c  base64url, decimal strings, printable copies
 * gcsjson.c  bounded readers of the JSON API's answers and of key files
 * auth.c     credentials: service-account JWT, gcloud user file, metadata
 *            server, anonymous; the cached access token
 * request.c  one JSON API request: URL, token (renewed once on 401), the
 *            core's HTTP service; failures to wsp codes
 * objects.c  object calls: metadata, delete, ranged media reads resumed
 *            with a generation pin, multipart uploads with CRC-32C,
 *            listing pages, rewrite loops
 * resumable.c  resumable uploads, resumed from the server's Range
 * config.c   options, and an instance made from them
 * compose.c  appends by compose, removes of a whole prefix
 * batch.c    deletes of up to 100 objects in one batch request
 * batchparse.c  the bounded reader of batch answers (multipart/mixed)
 * paths.c    paths to object names, stat results, versions, directories
 *
 * fsops.c    the vtable's stat, read, exists, mkdir, remove, rmdir, copy,
 *            move
 * fslist.c   list (one level with a delimiter, or the whole subtree)
 * fswrite.c  write: multipart, resumable, conditional, append
 * mount.c    the bucket as a mount source for tools inside sandboxes
 * plugin.c   the descriptor, init and fini
 *
 * All HTTP goes through host->http_request.
 */
#ifndef WSP_FS_GCS_H
#define WSP_FS_GCS_H

#include <wsp/mount.h>
#include <wsp/plugin.h>

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* GCS object names are at most 1024 bytes of UTF-8. */
#define GCS_NAME_MAX 1024
/* The largest JSON answer read whole (a 1000-item listing is ~1 MiB). */
#define GCS_JSON_MAX (8u << 20)
/* Key files and the gcloud user file are small. */
#define GCS_KEYFILE_MAX (64u << 10)

/* --- crc32c.c --- */

/* Extend crc (0 to start) over len bytes; the fastest path available. */
uint32_t gcs_crc32c(uint32_t crc, const void *data, size_t len);
/* The table path and the SSE4.2 path on their own (tests). */
uint32_t gcs_crc32c_sw(uint32_t crc, const void *data, size_t len);
/* false when this CPU (or build) has no crc32 instruction. */
bool gcs_crc32c_hw_available(void);
uint32_t gcs_crc32c_hw(uint32_t crc, const void *data, size_t len);

/* base64 of the big-endian 4 bytes: 8 characters and a NUL. */
void gcs_crc32c_b64(char out[9], uint32_t crc);
/* The reverse; 0, or -1 when b64 is not exactly that form. */
int gcs_crc32c_from_b64(uint32_t *out, const char *b64);

/* --- gcstext.c --- */

/* base64url without padding (JWT); malloc'ed, NULL on no memory. */
char *gcs_b64url(const void *data, size_t len);
/* Decode base64url (padding optional) into *out (malloc'ed); -1 if bad. */
int gcs_b64url_decode(unsigned char **out, size_t *out_len, const char *s,
		      size_t len);

/* Decimal digits only, within uint64_t: 0, else -1. */
int gcs_parse_u64(uint64_t *out, const char *s);

/* A copy of untrusted text for a message: control bytes as \xNN, cut. */
void gcs_printable(char *out, size_t cap, const char *s, size_t len);

/* Whether s (len bytes) is UTF-8 without NUL, CR or LF (GCS names). */
bool gcs_name_ok(const char *s, size_t len);

/* --- gcsjson.c --- */

/* What an object resource says (the JSON API's storage#object). */
struct gcs_object {
	char name[GCS_NAME_MAX + 1];
	uint64_t size;
	int64_t generation;	/* > 0 */
	int64_t metageneration; /* > 0 */
	int64_t mtime_ns;	/* "updated"; 0 if absent */
	uint32_t crc32c;
	bool has_crc32c;
	char md5[25]; /* base64 of 16 bytes, "" if absent (composites) */
	char content_type[WSP_FS_MIME_MAX];
	char etag[WSP_FS_VERSION_MAX];
};

/* A whole object resource: 0, or WSP_EPROTO with err filled. */
int gcs_parse_object(struct gcs_object *o, const char *body, size_t len,
		     wsp_error *err);

/*
 * One page of a listing: fn once per item (prefix NULL) and once per
 * prefix (obj NULL), in the answer's order; *next_token is the
 * nextPageToken (malloc'ed) or NULL. fn's non-zero return stops the walk
 * and is returned.
 */
typedef int (*gcs_list_fn)(const struct gcs_object *obj, const char *prefix,
			   void *payload);
int gcs_parse_list(const char *body, size_t len, gcs_list_fn fn,
		   void *payload, char **next_token, wsp_error *err);

/* A rewrite answer: done with the resource, or the token to send back. */
struct gcs_rewrite {
	bool done;
	char *token; /* malloc'ed when !done */
	uint64_t total, rewritten;
	struct gcs_object resource; /* when done */
};
int gcs_parse_rewrite(struct gcs_rewrite *r, const char *body, size_t len,
		      wsp_error *err);
void gcs_rewrite_free(struct gcs_rewrite *r);

/*
 * Google's error body {"error":{"code","message","errors":[{"reason"}]}}:
 * the first reason and the message as printable text ("" when absent or
 * when the body is not that shape). Never fails.
 */
void gcs_parse_error(char *reason, size_t rcap, char *message, size_t mcap,
		     const char *body, size_t len);

/* An OAuth token answer (token endpoint or metadata server). */
struct gcs_token {
	char *access_token; /* malloc'ed */
	int64_t expires_in; /* seconds; 3600 when absent */
};
/*
 * 0 with t filled; WSP_EAUTH for an OAuth error answer
 * ({"error","error_description"}, quoted printable); WSP_EPROTO for
 * anything else.
 */
int gcs_parse_token(struct gcs_token *t, const char *body, size_t len,
		    wsp_error *err);
void gcs_token_free(struct gcs_token *t);

/* s as a JSON string literal with its quotes (malloc'ed). */
char *gcs_json_string(const char *s);

/* A credentials file: a service-account key or a gcloud user file. */
enum gcs_key_type { GCS_KEY_SERVICE_ACCOUNT = 1, GCS_KEY_USER = 2 };
struct gcs_key {
	int type;
	char *client_email, *private_key, *private_key_id; /* service account */
	char *client_id, *client_secret, *refresh_token;   /* user */
	char *token_uri; /* the key's, else Google's */
	char *project_id; /* or NULL; quota_project_id for a user file */
};
/* what names the source in messages ("key file '...'"), never the key. */
int gcs_parse_key(struct gcs_key *k, const char *json, size_t len,
		  const char *what, wsp_error *err);
/* Frees and wipes the secrets. */
void gcs_key_free(struct gcs_key *k);

/* --- auth.c --- */

#define GCS_SCOPE_RW "https://www.googleapis.com/auth/devstorage.read_write"
#define GCS_SCOPE_RO "https://www.googleapis.com/auth/devstorage.read_only"
#define GCS_METADATA_DEFAULT "169.254.169.254"

enum gcs_auth_kind {
	GCS_AUTH_ANONYMOUS = 0,
	GCS_AUTH_SERVICE_ACCOUNT,
	GCS_AUTH_USER,
	GCS_AUTH_METADATA,
};

/*
 * Where a provider instance gets its access tokens, and the cached one.
 * Shared by every thread of the instance: gcs_auth_bearer() fetches under
 * the lock, so concurrent callers wait for one exchange.
 */
struct gcs_auth {
	const wsp_host *host;
	int kind;
	char *source; /* "key file '/x.json'", "GOOGLE_APPLICATION_CREDENTIALS
			 file ...", "the metadata server ..." (messages) */
	struct gcs_key key;
	char *key_json; /* the key file's text, for a mount source (secret) */
	void *pkey; /* EVP_PKEY of the service account */
	char *metadata_host; /* host[:port] of the metadata server */
	const char *scope;

	pthread_mutex_t lock;
	char *token;		/* current access token, or NULL */
	int64_t refresh_at_ms;	/* CLOCK_MONOTONIC: fetch a new one after */
	int64_t expires_at_ms;	/* it stops working at */
	uint64_t fetches;	/* exchanges made (tests) */
};

/*
 * Pick the credentials: credentials (a key file path or inline JSON,
 * NULL = Application Default Credentials: GOOGLE_APPLICATION_CREDENTIALS,
 * then the gcloud user file under $CLOUDSDK_CONFIG or
 * ~/.config/gcloud, then the metadata server at $GCE_METADATA_HOST or
 * 169.254.169.254), or none at all when anonymous. Nothing is fetched
 * yet.
 */
int gcs_auth_init(struct gcs_auth *a, const wsp_host *host,
		  const char *credentials, bool anonymous, bool read_only,
		  wsp_error *err);
void gcs_auth_free(struct gcs_auth *a);

/*
 * The current access token (malloc'ed; free with gcs_secret_free), or
 * NULL with 0 when anonymous. Fetched when there is none, when it is
 * due for refresh (before it expires) or when it equals stale (the one
 * a 401 was answered to).
 */
int gcs_auth_token(char **out, struct gcs_auth *a, const char *stale,
		   wsp_error *err);

/* The RS256 JWT the service account sends (tests see its claims). */
int gcs_auth_jwt(char **out, struct gcs_auth *a, int64_t now_s,
		 wsp_error *err);

/* free() after wiping. */
void gcs_secret_free(char *s);

/* --- request.c --- */

#define GCS_ENDPOINT_DEFAULT "https://storage.googleapis.com"

/* One provider instance (the vtable's self, once there is one). */
struct gcs {
	const wsp_host *host;
	struct gcs_auth auth;
	char *endpoint; /* scheme://authority, no trailing slash */
	char *bucket;
	char *prefix; /* "" or "team/" */
	char *project_id; /* or NULL */
	bool read_only;
	uint64_t chunk_size;	      /* resumable chunk (multiple of 256 KiB) */
	uint64_t resumable_threshold; /* larger writes are resumable */
	uint32_t parallelism;
	uint32_t page_size; /* maxResults of a listing (1000) */
	/* the endpoint answered a batch with 404 or 501 (emulators without
	 * one): deletes go singly from then on (__atomic_*: workers share) */
	bool no_batch;
};

/* --- config.c --- */

extern const wsp_option_spec gcs_options[];

/* An instance from its options (see gcs_options); gcs_close() frees. */
int gcs_open(struct gcs **out, const wsp_host *host, const wsp_config *cfg,
	     wsp_error *err);
void gcs_close(struct gcs *g);

/* GCS's rule for bucket names. */
bool gcs_bucket_ok(const char *b);
/* "team/data" -> "team/data/" ("" stays ""); WSP_ECONFIG if invalid. */
int gcs_normalise_prefix(char **out, const char *p, wsp_error *err);

/* Percent-encoding of everything but RFC 3986's unreserved bytes. */
char *gcs_encode(const char *s);

struct gcs_req {
	const char *method;
	const char *url;    /* absolute (a resumable session), or NULL: */
	bool upload;	    /* under /upload/storage/v1 */
	const char *object; /* b/{bucket}/o/{object}; NULL = b/{bucket}/o */
	const char *suffix; /* after that, already encoded ("/rewriteTo/…") */
	const char *query;  /* encoded, without '?', may be NULL */
	const wsp_http_header *headers;
	size_t n_headers;
	const void *body;
	size_t body_len;
	wsp_sink_fn sink;
	void *sink_payload;
	wsp_http_header_fn on_header;
	void *header_payload;
	uint32_t flags; /* WSP_HTTP_* besides NO_ERROR_MAP, which is always on */
};

/*
 * Send r with the instance's token; a 401 renews the token and sends
 * once more (the body is in memory). 0 with resp->status set
 * (any status: the caller decides, gcs_fail() explains), or a negative
 * code when nothing was answered. Release resp after.
 */
int gcs_request(wsp_http_response *resp, struct gcs *g,
		const struct gcs_req *r, wsp_error *err);
void gcs_release(struct gcs *g, wsp_http_response *resp);

/*
 * The call of the slot running on this thread: every request carries it
 * (its cancel token and deadline end a transfer) and the loops below
 * check it between pages, chunks, rewrite rounds and deletes. A slot
 * enters its call and restores the previous one (returned) on leaving;
 * none (NULL) when the calls are used without a slot (tests).
 */
const wsp_call *gcs_call_enter(const wsp_call *call);
const wsp_call *gcs_call(void);
/* 0 while the call may go on; else its code, err "cannot <op> '<name>'". */
int gcs_expired(const struct gcs *g, const char *op, const char *name,
		wsp_error *err);

/*
 * The wsp code of an unexpected answer, with GCS's reason and message:
 * "cannot <op> '<path>': HTTP 412 conditionNotMet: ...". 404 is
 * WSP_ENOTFOUND, 412 WSP_ESTALE, 401/403 WSP_EAUTH, 429 WSP_ERATELIMIT,
 * 5xx WSP_EUNAVAIL. err->http_status and service_code are set.
 */
int gcs_fail(const wsp_http_response *resp, const char *op, const char *path,
	     wsp_error *err);

/* --- objects.c --- */

/* Metadata of object name: 0 (o filled), 1 = no such object, or < 0. */
int gcs_stat_object(struct gcs_object *o, struct gcs *g, const char *name,
		    wsp_error *err);

/* Delete name; if_generation > 0 makes it conditional (412 = ESTALE). */
int gcs_delete_object(struct gcs *g, const char *name, int64_t if_generation,
		      wsp_error *err);

/*
 * Bytes off .. off + len - 1 (len UINT64_MAX: to the end) of name into
 * sink. A body that breaks off is resumed where it stopped, pinned to the
 * generation first read (WSP_ESTALE if that one is gone). A whole-object
 * read is checked against the server's CRC-32C (X-Goog-Hash); a mismatch
 * is WSP_EIO. WSP_ENOTFOUND when missing; a range past the end reads
 * nothing.
 */
int gcs_download(struct gcs *g, const char *name, uint64_t off, uint64_t len,
		 wsp_sink_fn sink, void *payload, wsp_error *err);

/*
 * Write data as name in one multipart upload, its CRC-32C sent in the
 * metadata and checked in the answer (a server that disagrees is
 * WSP_EIO). if_generation_match: -1 none, 0 create only (412 =
 * WSP_EEXIST), > 0 that generation must be live (412 = WSP_ESTALE).
 */
int gcs_upload_multipart(struct gcs_object *out, struct gcs *g,
			 const char *name, const void *data, size_t len,
			 const char *mime, int64_t if_generation_match,
			 wsp_error *err);

/*
 * Write what src gives as name by a resumable upload in chunk_size
 * chunks, resumed from the server's Range after a failure; CRC-32C sent
 * with the last chunk and checked in the answer. Preconditions as above.
 */
int gcs_upload_resumable(struct gcs_object *out, struct gcs *g,
			 const char *name, wsp_source_fn src, void *payload,
			 const char *mime, int64_t if_generation_match,
			 wsp_error *err);

/*
 * After either upload: 0 when o, what GCS made, is name with the CRC-32C
 * crc and size bytes that were sent; else the object is deleted (undone)
 * and WSP_EIO says what differed.
 */
int gcs_check_made(struct gcs *g, const struct gcs_object *o,
		   const char *name, uint64_t size, uint32_t crc,
		   wsp_error *err);

/* Fill buf from the source: how many bytes (< cap only at its end). */
int gcs_fill(size_t *got, char *buf, size_t cap, wsp_source_fn src,
	     void *payload);

/*
 * Every object (and, with a delimiter, every prefix) under name_prefix,
 * page after page, page_size per page (0: the instance's). fn as
 * gcs_parse_list's.
 */
int gcs_list_walk(struct gcs *g, const char *name_prefix, bool delimit,
		  uint32_t page_size, gcs_list_fn fn, void *payload,
		  wsp_error *err);

/*
 * Server-side copy src -> dst in the bucket, sending the rewrite token
 * back until done. if_generation_match as for uploads (for dst).
 */
int gcs_rewrite(struct gcs_object *out, struct gcs *g, const char *src,
		const char *dst, int64_t if_generation_match, wsp_error *err);

/* --- compose.c --- */

/*
 * Compose 1..32 sources (each pinned to src_gen[i] when > 0) onto dst
 * with that content type; if_generation_match as for uploads.
 */
int gcs_compose(struct gcs_object *out, struct gcs *g, const char *dst,
		const char *const *src, const int64_t *src_gen, size_t n,
		const char *mime, int64_t if_generation_match, wsp_error *err);

/*
 * Append data to name by compose (created when missing); WSP_ESTALE when
 * name changed meanwhile.
 */
int gcs_append(struct gcs_object *out, struct gcs *g, const char *name,
	       const void *data, size_t len, const char *mime, wsp_error *err);

/*
 * Remove every object under name_prefix (the listed generations only),
 * in batches of up to 100 (batch.c), parallelism at once, or singly
 * where the endpoint has no batches; *removed counts them.
 */
int gcs_delete_prefix(struct gcs *g, const char *name_prefix, size_t *removed,
		      wsp_error *err);

/* --- batch.c, batchparse.c --- */

/* Google's limit of requests in one batch. */
#define GCS_BATCH_MAX 100
/* RFC 2046's limit of a multipart boundary. */
#define GCS_BOUNDARY_MAX 70

/*
 * The multipart/mixed body of a batch of n (1..GCS_BATCH_MAX) object
 * deletes: part i has Content-ID <i+1> and holds "DELETE
 * /storage/v1/b/{bucket}/o/{name}?ifGenerationMatch=G" (G = gens[i] when
 * > 0; names percent-encoded as single requests send them; userProject
 * when the instance has a project). malloc'ed in *out; 0 or WSP_ENOMEM.
 */
int gcs_batch_delete_body(char **out, size_t *len, const struct gcs *g,
			  const char *boundary, const char *const *names,
			  const int64_t *gens, size_t n);

/*
 * Delete names[0..n-1] (n <= GCS_BATCH_MAX) at their generations in one
 * batch request. Parts answered 2xx or 404 (gone already) are done; 412
 * is WSP_ESTALE and other refusals fail as single deletes do; parts
 * answered 401, 408, 429 or 5xx, missing or garbled are deleted singly
 * (gcs_delete_single). 0, the first failure, or 1 when the endpoint has
 * no batches (it answered 404 or 501, now or before: g->no_batch) and
 * nothing was deleted.
 */
int gcs_delete_batch(struct gcs *g, const char *const *names,
		     const int64_t *gens, size_t n, wsp_error *err);
/* One delete at gen (> 0: conditional); gone already (404) is 0. */
int gcs_delete_single(struct gcs *g, const char *name, int64_t gen,
		      wsp_error *err);

/* One part of a batch answer, matched to its request. */
struct gcs_batch_part {
	int status;	  /* the nested response's; 0 = none or garbled */
	const char *body; /* inside the answer, not NUL-terminated */
	size_t body_len;
};

/*
 * The boundary of a "multipart/mixed; boundary=..." Content-Type (quoted
 * or not, 1..70 of RFC 2046's characters): 0, or -1 when it is not one.
 */
int gcs_batch_boundary(char out[GCS_BOUNDARY_MAX + 1], const char *ct);

/*
 * Read a batch answer: parts[i] (i < n <= GCS_BATCH_MAX) gets the part
 * whose Content-ID is <response-(i+1)>. Requests without a well-formed
 * part, or with two, keep status 0. Returns how many were answered.
 */
size_t gcs_batch_parse(struct gcs_batch_part *parts, size_t n,
		       const char *boundary, const char *body, size_t len);

/* --- paths.c --- */

/* prefix + path ("." = the prefix itself); checked against GCS's rules. */
int gcs_name(char *out, size_t cap, const struct gcs *g, const char *path,
	     wsp_error *err);
/* A file's stat: size, mtime, generation as the version, content type. */
void gcs_object_stat(wsp_fs_stat *st, const struct gcs_object *o);
/* A version token back to a generation (WSP_EINVAL when not one). */
int gcs_parse_version(int64_t *generation, const char *version,
		      wsp_error *err);
/* 1 = a directory (marker or objects) exists at name + "/", 0, or < 0. */
int gcs_is_dir(struct gcs *g, const char *name, wsp_error *err);

/* --- fsops.c, fslist.c, fswrite.c: the vtable's slots --- */

/*
 * Each enters its call (gcs_call_enter) for the object calls below it.
 * Directories are markers "dir/" (mkdir) or objects below "dir/".
 */
int gcs_fs_stat(wsp_fs_stat *out, void *self, const wsp_call *call,
		const char *path, uint32_t flags, wsp_error *err);
int gcs_fs_read(void *self, const wsp_call *call, const char *path,
		const wsp_fs_read_opts *opts, wsp_sink_fn sink, void *payload,
		wsp_error *err);
int gcs_fs_write(wsp_fs_stat *out, void *self, const wsp_call *call,
		 const char *path, const wsp_fs_write_opts *opts,
		 wsp_source_fn source, void *payload, wsp_error *err);
int gcs_fs_list(void *self, const wsp_call *call, const char *path,
		const wsp_fs_list_opts *opts, wsp_fs_entry_fn cb, void *payload,
		wsp_error *err);
int gcs_fs_mkdir(void *self, const wsp_call *call, const char *path,
		 uint32_t flags, wsp_error *err);
int gcs_fs_remove(void *self, const wsp_call *call, const char *path,
		  uint32_t flags, wsp_error *err);
int gcs_fs_rmdir(void *self, const wsp_call *call, const char *path,
		 uint32_t flags, wsp_error *err);
int gcs_fs_copy(void *self, const wsp_call *call, const char *src,
		const char *dst, uint32_t flags, wsp_error *err);
int gcs_fs_move(void *self, const wsp_call *call, const char *src,
		const char *dst, uint32_t flags, wsp_error *err);
int gcs_fs_exists(int *out, void *self, const wsp_call *call,
		  const char *path, uint32_t flags, wsp_error *err);

/* mount.c: the bucket as a mount source (<wsp/mount.h>) */
int gcs_mount_source(wsp_mount_source *out, void *self, const wsp_call *call,
		     const char *path, uint32_t flags, wsp_error *err);

/* fsops.c's helpers the other slot files use */
/* The object name of a path, without a trailing '/' ("" = the root). */
int gcs_dir_name(char *out, size_t cap, const struct gcs *g,
		 const char *path, wsp_error *err);
/* WSP_EROFS when the mount is read-only. */
int gcs_refuse_read_only(const struct gcs *g, const char *op,
			 const char *path, wsp_error *err);

#endif /* WSP_FS_GCS_H */
