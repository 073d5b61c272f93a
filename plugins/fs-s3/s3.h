/*
 * plugins/fs-s3/s3.h - what the S3 provider's files share.
 *
 * plugin.c   options, init/fini, the vtable
 * creds.c    credentials and region: options, AWS_* env, shared files
 * request.c  one signed S3 request through host->http_request
 * s3xml.c    a small bounded reader for the XML S3 answers with
 * s3text.c   header values, dates, ETags and the AWS INI files
 * ops.c      stat, read, exists, mkdir, remove, rmdir, copy, move
 * read.c     GetObject, resumed where a body broke off
 * list.c     ListObjectsV2 walking (directories = common prefixes)
 * multipart.c  a multipart upload: create, parallel parts, complete/abort
 * write.c    PutObject and uploads from a data source
 * copy.c     CopyObject, and UploadPartCopy above multipart_copy_threshold
 * mount.c    the bucket as a mount source for s3fs in a sandbox
 */
#ifndef WSP_FS_S3_H
#define WSP_FS_S3_H

#include <wsp/plugin.h>

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define S3_KEY_MAX 1024

struct s3 {
	const wsp_host *host;
	char *bucket;
	char *region;
	char *scheme;	 /* "https" or "http" */
	char *authority; /* "s3.us-east-1.amazonaws.com" or "127.0.0.1:4569" */
	bool path_style;
	char *prefix;		     /* "" or "team/" (always ends with '/') */
	char *akid, *secret, *token; /* NULL when anonymous */
	bool anonymous;
	bool read_only;
	uint64_t multipart_threshold;
	uint64_t part_size;
	uint64_t copy_threshold; /* larger objects are copied in parts */
	uint32_t parallelism;
	uint32_t max_keys; /* ListObjectsV2 page size (1000) */
};

/* --- creds.c --- */

struct s3_creds {
	char *akid, *secret, *token, *region;
};

/*
 * Fill in what is missing from c (each field may already be set from
 * options): AWS_* environment first, then the shared credentials and
 * config files of profile (NULL: $AWS_PROFILE or "default").
 */
int s3_creds_resolve(struct s3_creds *c, const char *profile, wsp_error *err);
void s3_creds_free(struct s3_creds *c);

/* --- request.c --- */

struct s3_req {
	const char *method;
	const char *key;   /* full object key, NULL = the bucket itself */
	const char *query; /* encoded, may be NULL */
	const wsp_http_header *headers; /* extra headers (signed too) */
	size_t n_headers;
	const void *body;
	size_t body_len;
	const char *payload_sha256; /* NULL: hashed here (in-memory body) */
	wsp_sink_fn sink;
	void *sink_payload;
	wsp_http_header_fn on_header;
	void *header_payload;
	uint32_t flags; /* WSP_HTTP_* */
	const wsp_call *call; /* the slot's call: cancel and deadline */
};

/* Send; resp->status says what happened; release resp after. */
int s3_request(wsp_http_response *resp, struct s3 *s, const struct s3_req *r,
	       wsp_error *err);
void s3_release(struct s3 *s, wsp_http_response *resp);

/*
 * 0 while the call may go on; else its code (WSP_ECANCELED,
 * WSP_ETIMEDOUT) with "cannot <op> '<path>': ..." in err. Checked between
 * listed items, pages and parts; requests carry the call themselves.
 */
int s3_expired(const struct s3 *s, const wsp_call *call, wsp_error *err,
	       const char *op, const char *path);

/* Append the URI encoding of s (keeping '/' when keep_slash). */
char *s3_uri_encode(const char *s, bool keep_slash);

/* key = prefix + path ("." = the root, i.e. the prefix itself). */
int s3_key(char *out, size_t cap, const struct s3 *s, const char *path,
	   wsp_error *err);

/* The S3 error code ("NoSuchKey") of an error body, or "". */
void s3_error_code(char *out, size_t cap, const char *body, size_t len);

/*
 * The wsp code an unexpected S3 status stands for, with S3's own code and
 * message: "cannot <op> '<path>': HTTP 403 AccessDenied: ...". A 200 gives
 * 0 (the caller decides).
 */
int s3_fail(const wsp_http_response *resp, const char *op, const char *path,
	    wsp_error *err);

/* --- s3xml.c --- */

/*
 * A forward-only reader over an XML document. s3xml_next() returns the
 * next element's text, with the element path ("ListBucketResult/
 * Contents/Key", namespaces and attributes ignored) in path; entities are
 * decoded. 1 = an element, 0 = end, negative = malformed or too deep.
 * Only leaf text is reported; structure is in the path.
 */
struct s3xml {
	const char *p, *end;
	char path[256];
	size_t path_len;
	int depth;
	char *text; /* decoded text of the last element (owned) */
	size_t text_len, text_cap;
	bool opened;	  /* an element was just opened (a leaf candidate) */
	bool pending_pop; /* the reported leaf is popped on the next call */
	bool bad;	  /* refused at init (a NUL byte) */
};

void s3xml_init(struct s3xml *x, const char *doc, size_t len);
int s3xml_next(struct s3xml *x);
void s3xml_free(struct s3xml *x);

/* Whole text of the first element at path, or NULL (malloc'ed). */
char *s3xml_find(const char *doc, size_t len, const char *path);

/* --- s3text.c --- */

/* Decimal digits and nothing else, within uint64_t: 0, else -1. */
int s3_parse_u64(uint64_t *out, const char *s);

/* "bytes <first>-<last>/<size>" with first <= last < size: 0, else -1. */
int s3_parse_content_range(uint64_t *first, uint64_t *last, uint64_t *size,
			   const char *v);

/*
 * Whether an ETag header may be kept and sent back (If-Match): not
 * empty, shorter than WSP_FS_VERSION_MAX, no control characters.
 */
bool s3_etag_ok(const char *v);

/*
 * Look key up in [section] of INI text (the AWS credentials and config
 * files); *out is NULL when absent. Lines of 4 KiB or more are skipped.
 */
int s3_ini_get(char **out, const char *text, size_t len, const char *section,
	       const char *key);

/* --- list.c --- */

/* One object or common prefix of a listing. */
struct s3_item {
	const char *key; /* full key */
	bool is_prefix;
	uint64_t size;
	int64_t mtime_ns;
	const char *etag;
};

typedef int (*s3_item_fn)(const struct s3_item *it, void *payload);

/* Every item under key_prefix (delimited by '/' unless recursive). */
/* The call is checked before every item and after the last one. */
int s3_list_keys(struct s3 *s, const char *key_prefix, bool recursive,
		 uint32_t max_keys, const wsp_call *call, s3_item_fn fn,
		 void *payload, wsp_error *err);

int s3_list(void *self, const wsp_call *call, const char *path,
	    const wsp_fs_list_opts *opts, wsp_fs_entry_fn cb, void *payload,
	    wsp_error *err);

/* --- ops.c --- */

int s3_stat(wsp_fs_stat *out, void *self, const wsp_call *call,
	    const char *path, uint32_t flags, wsp_error *err);
int s3_read(void *self, const wsp_call *call, const char *path,
	    const wsp_fs_read_opts *opts, wsp_sink_fn sink, void *payload,
	    wsp_error *err);
int s3_mount_source(wsp_mount_source *out, void *self, const wsp_call *call,
		    const char *path, uint32_t flags, wsp_error *err);
int s3_exists(int *out, void *self, const wsp_call *call, const char *path,
	      uint32_t flags, wsp_error *err);
int s3_mkdir(void *self, const wsp_call *call, const char *path, uint32_t flags,
	     wsp_error *err);
int s3_remove(void *self, const wsp_call *call, const char *path,
	      uint32_t flags, wsp_error *err);
int s3_rmdir(void *self, const wsp_call *call, const char *path, uint32_t flags,
	     wsp_error *err);
int s3_copy(void *self, const wsp_call *call, const char *src, const char *dst,
	    uint32_t flags, wsp_error *err);
int s3_move(void *self, const wsp_call *call, const char *src, const char *dst,
	    uint32_t flags, wsp_error *err);

/* What HeadObject says of an object. */
struct s3_head {
	uint64_t size;
	int64_t mtime_ns;
	char etag[WSP_FS_VERSION_MAX];
	char mime[WSP_FS_MIME_MAX];
};

/* HEAD an object: 1 = found (h filled), 0 = missing, < 0 = error. */
int s3_head(struct s3_head *h, struct s3 *s, const char *key, const char *path,
	    const wsp_call *call, wsp_error *err);

/* 1 = a directory (marker or common prefix) exists at key + "/". */
int s3_is_dir(struct s3 *s, const char *key, const wsp_call *call,
	      wsp_error *err);

/* Delete every key under key_prefix, 1000 per DeleteObjects. */
int s3_delete_prefix(struct s3 *s, const wsp_call *call, const char *key_prefix,
		     wsp_error *err);

/* --- read.c --- */

/*
 * GetObject of key, bytes off to off + len - 1 (len UINT64_MAX: to the
 * end) into sink, resuming a body that broke off mid-way. 0 = done
 * (also when the range starts past the end), 1 = no such object, or a
 * negative code; WSP_ESTALE when the object changed in between.
 */
int s3_get(struct s3 *s, const char *key, const char *path, uint64_t off,
	   uint64_t len, const wsp_call *call, wsp_sink_fn sink, void *payload,
	   wsp_error *err);

/* --- multipart.c --- */

#define S3_MAX_PARTS 10000

/* Collects the ETag response header (an s3_req on_header). */
struct s3_etag {
	char etag[WSP_FS_VERSION_MAX];
};
int s3_on_etag(const char *name, const char *value, void *payload);

/* A failed write: 412 is EEXIST (overwrite: false) or ESTALE. */
int s3_write_fail(const wsp_http_response *resp, const wsp_fs_write_opts *o,
		  const char *if_match, const char *path, wsp_error *err);

/*
 * Content-Type and the write's preconditions (If-None-Match: * for
 * overwrite: false, If-Match: if_match unless NULL) into h (3 at most);
 * how many.
 */
size_t s3_object_headers(wsp_http_header *h, const wsp_fs_write_opts *o,
			 const char *if_match, const char *mime);

/* One multipart upload; the workers share it under lock. */
struct s3_upload {
	struct s3 *s;
	const char *key, *path, *mime;
	const wsp_fs_write_opts *o; /* preconditions */
	const wsp_call *call;	    /* every request's, checked per part */
	const char *if_match;
	void *job; /* what the workers fill parts from */
	char *upload_id;

	pthread_mutex_t lock;
	int next_part;		       /* the number the next part gets */
	int failed;		       /* first error code */
	wsp_error err;		       /* its message */
	char **etags;		       /* [1 .. S3_MAX_PARTS] */
	char etag[WSP_FS_VERSION_MAX]; /* of the completed object */
};

int s3_upload_init(struct s3_upload *u, struct s3 *s, const wsp_call *call,
		   const char *key, const char *path, const char *mime,
		   const wsp_fs_write_opts *o, const char *if_match);
void s3_upload_free(struct s3_upload *u);

/*
 * Create the upload, run worker on `parallelism` threads (this one
 * included) and extra (if not NULL) on one more, then complete the
 * parts 1 .. next_part - 1, or abort the upload on any failure.
 */
int s3_upload_run(struct s3_upload *u, void *(*worker)(void *),
		  void *(*extra)(void *), wsp_error *err);

/* Record the first failure; the workers stop taking parts. */
void s3_upload_fail(struct s3_upload *u, int rc, const wsp_error *e);

/* Keep part number's ETag for the completion. */
int s3_upload_keep(struct s3_upload *u, int number, const char *etag,
		   wsp_error *err);

/* "partNumber=<number>&uploadId=<id>" */
void s3_upload_query(char *out, size_t cap, const struct s3_upload *u,
		     int number);

/* --- copy.c --- */

/*
 * Copy one object (size bytes, ETag etag, Content-Type mime or NULL for
 * "look it up") to dst_key: CopyObject, or UploadPartCopy parts above
 * multipart_copy_threshold, keeping the Content-Type.
 */
int s3_copy_object(struct s3 *s, const wsp_call *call, const char *src_key,
		   uint64_t size, const char *etag, const char *mime,
		   const char *dst_key, const char *path, wsp_error *err);

/* --- write.c --- */

int s3_write(wsp_fs_stat *out, void *self, const wsp_call *call,
	     const char *path, const wsp_fs_write_opts *opts,
	     wsp_source_fn source, void *payload, wsp_error *err);

/* Base64 MD5 of data, for Content-MD5 (25 bytes with the NUL). */
void s3_md5_b64(char out[32], const void *data, size_t len);


#endif /* WSP_FS_S3_H */
