/*
 * plugins/fs-s3/request.c - one S3 request: URL, signature, the core's
 * HTTP service.
 *
 * The URL path is encoded here with the same rule the signer
 * canonicalises with (unreserved bytes kept, '/' kept, the rest %XX), so
 * what is signed is exactly what is sent. Bucket-level requests use
 * "/bucket" without a trailing slash (some S3 look-alikes canonicalise
 * "/bucket/" wrongly).
 */
#include "s3.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_HEADERS 24

static bool unreserved(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

char *s3_uri_encode(const char *s, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *out = malloc(3 * n + 1), *o = out;

	if (!out)
		return NULL;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (unreserved(c) || (keep_slash && c == '/')) {
			*o++ = (char)c;
		} else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	return out;
}

int s3_key(char *out, size_t cap, const struct s3 *s, const char *path,
	   wsp_error *err)
{
	int n;

	if (!strcmp(path, "."))
		n = snprintf(out, cap, "%s", s->prefix);
	else
		n = snprintf(out, cap, "%s%s", s->prefix, path);
	if (n < 0 || (size_t)n >= cap || (size_t)n > S3_KEY_MAX)
		return wsp_error_set(err, WSP_ETOOBIG,
				     "path '%s' makes an S3 key longer than "
				     "%d bytes",
				     path, S3_KEY_MAX);
	return 0;
}

void s3_error_code(char *out, size_t cap, const char *body, size_t len)
{
	char *code = body ? s3xml_find(body, len, "Error/Code") : NULL;

	snprintf(out, cap, "%s", code ? code : "");
	free(code);
}

static void amz_now(char out[17])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/* Hex SHA-256 of an in-memory body, through the core (no crypto here). */
static const char *const empty_sha256 =
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

int s3_request(wsp_http_response *resp, struct s3 *s, const struct s3_req *r,
	       wsp_error *err)
{
	char date[17], host[512], *path = NULL, *url = NULL, *ekey = NULL;
	char authz[2048];
	wsp_http_header h[MAX_HEADERS];
	size_t n = 0;
	const char *secrets[] = {s->secret, s->token, NULL};
	int rc;

	if (r->n_headers + 5 > MAX_HEADERS)
		return wsp_error_set(err, WSP_EINVAL, "too many headers");
	if (r->key) {
		ekey = s3_uri_encode(r->key, true);
		if (!ekey)
			return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	if (s->path_style) {
		snprintf(host, sizeof(host), "%s", s->authority);
		rc = ekey ? asprintf(&path, "/%s/%s", s->bucket, ekey)
			  : asprintf(&path, "/%s", s->bucket);
	} else {
		snprintf(host, sizeof(host), "%s.%s", s->bucket, s->authority);
		rc = asprintf(&path, "/%s", ekey ? ekey : "");
	}
	free(ekey);
	if (rc < 0)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	if (asprintf(&url, "%s://%s%s%s%s", s->scheme, host, path,
		     r->query && *r->query ? "?" : "",
		     r->query ? r->query : "") < 0) {
		free(path);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}

	const char *payload = r->payload_sha256;

	if (!payload && !r->body_len)
		payload = empty_sha256;
	if (!payload)
		payload = "UNSIGNED-PAYLOAD";
	amz_now(date);
	h[n++] = (wsp_http_header){"Host", host};
	for (size_t i = 0; i < r->n_headers; i++)
		h[n++] = r->headers[i];
	if (!s->anonymous) {
		h[n++] = (wsp_http_header){"x-amz-date", date};
		h[n++] = (wsp_http_header){"x-amz-content-sha256", payload};
		if (s->token)
			h[n++] = (wsp_http_header){"x-amz-security-token",
						   s->token};
		wsp_sigv4_request sr = {
			.struct_size = sizeof(sr),
			.method = r->method,
			.path = path,
			.query = r->query,
			.headers = h,
			.n_headers = n,
			.payload_sha256 = payload,
			.amz_date = date,
			.region = s->region,
			.service = "s3",
			.access_key_id = s->akid,
			.secret_access_key = s->secret,
		};

		rc = s->host->sign_aws_v4(authz, sizeof(authz), s->host, &sr,
					  err);
		if (rc) {
			free(path);
			free(url);
			return rc;
		}
		h[n++] = (wsp_http_header){"Authorization", authz};
	}

	wsp_http_request hr = {
		.struct_size = sizeof(hr),
		.flags = r->flags,
		.method = r->method,
		.url = url,
		.headers = h,
		.n_headers = n,
		.body = r->body,
		.body_len = r->body_len,
		.response_sink = r->sink,
		.response_payload = r->sink_payload,
		.on_header = r->on_header,
		.header_payload = r->header_payload,
		.call = r->call,
		.secrets = secrets,
	};

	resp->struct_size = sizeof(*resp);
	rc = s->host->http_request(resp, s->host, &hr, err);
	free(path);
	free(url);
	return rc;
}

void s3_release(struct s3 *s, wsp_http_response *resp)
{
	s->host->http_response_release(s->host, resp);
}

int s3_expired(const struct s3 *s, const wsp_call *call, wsp_error *err,
	       const char *op, const char *path)
{
	int code = s->host->call_expired(s->host, call);

	if (!code)
		return 0;
	return wsp_error_set(err, code, "cannot %s '%s': %s", op, path,
			     code == WSP_ECANCELED ? "canceled"
						   : "the deadline passed");
}
