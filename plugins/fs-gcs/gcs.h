/*
 * plugins/fs-gcs/gcs.h - what the GCS provider's files share.
 *
 * crc32c.c   CRC-32C (Castagnoli): SSE4.2 when the CPU has it, a table
 *            otherwise; its base64 form for X-Goog-Hash and object JSON
 * gcstext.c  base64url, RFC 3339 times, decimal strings, printable copies
 * gcsjson.c  bounded readers of the JSON API's answers and of key files
 * auth.c     credentials: service-account JWT, gcloud user file, metadata
 *            server, anonymous; the cached access token
 *
 * The vtable (stat, read, write, list, ...) comes with ABI 2.0's fs slots.
 * All HTTP goes through host->http_request.
 */
#ifndef WSP_FS_GCS_H
#define WSP_FS_GCS_H

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

/*
 * RFC 3339 in UTC ("2026-01-02T03:04:05.678Z", any fraction, Z or
 * +00:00) to ns since the epoch; 0 when it is not one or lies outside
 * years 1678..2261.
 */
int64_t gcs_parse_time(const char *s);

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

#endif /* WSP_FS_GCS_H */
