/*
 * plugins/fs-s3/copy.c - server-side copies of one object.
 *
 * CopyObject copies up to 5 GiB in one request, keeping the source's
 * metadata. Above multipart_copy_threshold (5 GiB by default) the copy
 * is a multipart upload whose parts are UploadPartCopy requests, each
 * naming a byte range of the source (x-amz-copy-source-range) and the
 * source's ETag (x-amz-copy-source-if-match, so a source that changes
 * mid-copy fails the copy instead of mixing two versions). Parts go in
 * parallel through multipart.c, which aborts the upload on any failure;
 * the upload is created with the source's Content-Type.
 */
#include "s3.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB (1024ull * 1024ull)

struct copy_job {
	const char *source; /* x-amz-copy-source: "/bucket/key" encoded */
	const char *etag;   /* of the source */
	uint64_t size, part_size;
	int parts;
};

static char *copy_source(struct s3 *s, const char *src_key)
{
	char *enc = s3_uri_encode(src_key, true), *source = NULL;

	if (enc && asprintf(&source, "/%s/%s", s->bucket, enc) < 0)
		source = NULL;
	free(enc);
	return source;
}

/* S3 may answer a copy 200 and still fail it in the body. */
static int copy_answer(const wsp_http_response *resp, const char *op,
		       const char *path, wsp_error *err)
{
	int rc;

	if (resp->status == 200 &&
	    !(resp->body && strstr(resp->body, "<Error>")))
		return 0;
	rc = s3_fail(resp, op, path, err);
	return rc ? rc
		  : wsp_error_set(err, WSP_EIO, "cannot %s '%s'", op, path);
}

static int copy_whole(struct s3 *s, const wsp_call *call, const char *source,
		      const char *dst_key, const char *path, wsp_error *err)
{
	const wsp_http_header h[] = {{"x-amz-copy-source", source}};
	wsp_http_response resp;
	struct s3_req r = {
		.method = "PUT",
		.key = dst_key,
		.headers = h,
		.n_headers = 1,
		.flags = WSP_HTTP_NO_ERROR_MAP,
		.call = call,
	};
	int rc = s3_request(&resp, s, &r, err);

	if (rc)
		return rc;
	rc = copy_answer(&resp, "copy", path, err);
	s3_release(s, &resp);
	return rc;
}

static int copy_part(struct s3_upload *u, const struct copy_job *j, int number,
		     wsp_error *err)
{
	uint64_t from = (uint64_t)(number - 1) * j->part_size;
	uint64_t to = from + j->part_size > j->size ? j->size - 1
						    : from + j->part_size - 1;
	char query[512], range[64];
	wsp_http_header h[3];
	wsp_http_response resp;
	size_t nh = 0;
	int rc;

	s3_upload_query(query, sizeof(query), u, number);
	snprintf(range, sizeof(range), "bytes=%" PRIu64 "-%" PRIu64, from, to);
	h[nh++] = (wsp_http_header){"x-amz-copy-source", j->source};
	h[nh++] = (wsp_http_header){"x-amz-copy-source-range", range};
	if (j->etag && j->etag[0])
		h[nh++] = (wsp_http_header){"x-amz-copy-source-if-match",
					    j->etag};

	struct s3_req r = {
		.method = "PUT",
		.key = u->key,
		.query = query,
		.headers = h,
		.n_headers = nh,
		.flags = WSP_HTTP_NO_ERROR_MAP,
		.call = u->call,
	};

	rc = s3_request(&resp, u->s, &r, err);
	if (rc)
		return rc;
	if (resp.status == 412)
		rc = wsp_error_set(err, WSP_ESTALE,
				   "cannot copy '%s': it changed during the "
				   "copy",
				   u->path);
	else
		rc = copy_answer(&resp, "copy a part of", u->path, err);
	if (!rc) {
		char *etag = s3xml_find(resp.body, resp.body_len,
					"CopyPartResult/ETag");

		rc = s3_upload_keep(u, number, etag, err);
		free(etag);
	}
	s3_release(u->s, &resp);
	return rc;
}

static void *copy_worker(void *arg)
{
	struct s3_upload *u = arg;
	const struct copy_job *j = u->job;
	wsp_error err = {0};

	for (;;) {
		int number, rc;

		pthread_mutex_lock(&u->lock);
		if (u->failed || u->next_part > j->parts) {
			pthread_mutex_unlock(&u->lock);
			break;
		}
		number = u->next_part++;
		pthread_mutex_unlock(&u->lock);
		rc = s3_expired(u->s, u->call, &err, "copy", u->path);
		if (!rc)
			rc = copy_part(u, j, number, &err);
		if (rc) {
			s3_upload_fail(u, rc, &err);
			break;
		}
	}
	return NULL;
}

/*
 * part_size, grown (in whole MiB) when the object would need more than
 * S3's 10000 parts: copied parts cost no memory here.
 */
static uint64_t copy_part_size(const struct s3 *s, uint64_t size)
{
	uint64_t part = s->part_size;

	if ((size + part - 1) / part > S3_MAX_PARTS) {
		part = (size + S3_MAX_PARTS - 1) / S3_MAX_PARTS;
		part = (part + MIB - 1) / MIB * MIB;
	}
	return part;
}

static int copy_in_parts(struct s3 *s, const wsp_call *call, const char *source,
			 uint64_t size, const char *etag, const char *mime,
			 const char *dst_key, const char *path, wsp_error *err)
{
	static const wsp_fs_write_opts none = WSP_FS_WRITE_OPTS_INIT;
	struct copy_job j = {
		.source = source,
		.etag = etag,
		.size = size,
		.part_size = copy_part_size(s, size),
	};
	struct s3_upload u;
	int rc;

	j.parts = (int)((size + j.part_size - 1) / j.part_size);
	rc = s3_upload_init(&u, s, call, dst_key, path, mime, &none, NULL);
	if (rc)
		return wsp_error_set(err, rc, "out of memory");
	u.job = &j;
	rc = s3_upload_run(&u, copy_worker, NULL, err);
	s3_upload_free(&u);
	return rc;
}

int s3_copy_object(struct s3 *s, const wsp_call *call, const char *src_key,
		   uint64_t size, const char *etag, const char *mime,
		   const char *dst_key, const char *path, wsp_error *err)
{
	char *source = copy_source(s, src_key);
	struct s3_head hd;
	int rc;

	if (!source)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	if (size <= s->copy_threshold) {
		rc = copy_whole(s, call, source, dst_key, path, err);
		free(source);
		return rc;
	}
	if (!mime || !etag) {
		/* a listing gives neither the type nor, always, the ETag */
		rc = s3_head(&hd, s, src_key, path, call, err);
		if (rc == 0)
			rc = wsp_error_set(err, WSP_ENOTFOUND,
					   "cannot copy '%s': it vanished",
					   path);
		if (rc < 0) {
			free(source);
			return rc;
		}
		size = hd.size;
		etag = hd.etag;
		mime = hd.mime[0] ? hd.mime : "application/octet-stream";
	}
	if (size <= s->copy_threshold) /* it shrank meanwhile */
		rc = copy_whole(s, call, source, dst_key, path, err);
	else
		rc = copy_in_parts(s, call, source, size, etag, mime, dst_key,
				   path, err);
	free(source);
	return rc;
}
