/*
 * wsp/sigv4.h - AWS Signature Version 4 through the core (host->sign_aws_v4).
 *
 * Providers that talk to S3 or an S3-compatible store build a request,
 * have the core sign it, and send it through host->http_request. The core
 * signs with OpenSSL's HMAC-SHA256, proven against AWS's test suite, so
 * no provider carries its own crypto.
 *
 * Canonicalisation: path and query are given as they appear in the URL
 * sent; each is percent-decoded and re-encoded the SigV4 way (unreserved
 * characters kept, everything else %XX, '/' kept in the path), which is
 * S3's single encoding. Query parameters are sorted by name, then value.
 * Header names are lower-cased, values trimmed with inner runs of spaces
 * squeezed, repeated headers joined with ',' in order.
 */
#ifndef WSP_SIGV4_H
#define WSP_SIGV4_H

#include <wsp/common.h>
#include <wsp/http.h>

#ifdef __cplusplus
extern "C" {
#endif

/* wsp_sigv4_request.flags */
/* Sign the query (presigned URL) instead of an Authorization header. */
#define WSP_SIGV4_PRESIGN (1u << 0)
/*
 * Remove "." and ".." segments and collapse repeated slashes before
 * signing, as most AWS services (but not S3) expect.
 */
#define WSP_SIGV4_NORMALIZE_PATH (1u << 1)

typedef struct wsp_sigv4_request {
	uint32_t struct_size; /* sizeof(wsp_sigv4_request) */
	uint32_t flags;	      /* WSP_SIGV4_* */
	const char *method;
	const char *path;  /* "/bucket/key%20name", as in the URL */
	const char *query; /* "list-type=2&prefix=a%2F", no '?'; may be NULL */
	/*
	 * Headers to sign; must include "host", and "x-amz-date" in header
	 * mode (and x-amz-security-token / x-amz-content-sha256 if sent).
	 * Send exactly these values.
	 */
	const wsp_http_header *headers;
	size_t n_headers;
	/*
	 * Hex SHA-256 of the payload, or "UNSIGNED-PAYLOAD"; NULL = hash
	 * payload/payload_len here.
	 */
	const char *payload_sha256;
	const void *payload;
	size_t payload_len;
	const char *amz_date; /* "20150830T123600Z", the X-Amz-Date sent */
	const char *region;   /* "us-east-1" */
	const char *service;  /* "s3" */
	const char *access_key_id;
	const char *secret_access_key;
	/* Presign: added as X-Amz-Security-Token (NULL if none). */
	const char *session_token;
	int64_t expires_s; /* presign: X-Amz-Expires, 1..604800 */
} wsp_sigv4_request;

#ifdef __cplusplus
}
#endif
#endif /* WSP_SIGV4_H */
