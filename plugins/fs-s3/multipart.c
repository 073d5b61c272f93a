/*
 * plugins/fs-s3/multipart.c - the life of a multipart upload, whatever
 * fills its parts: CreateMultipartUpload, part workers in parallel,
 * CompleteMultipartUpload with the write's preconditions, and
 * AbortMultipartUpload on any failure so no parts are left behind.
 * write.c fills parts from a data source (UploadPart), copy.c from an
 * existing object (UploadPartCopy).
 */
#include "s3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int s3_on_etag(const char *name, const char *value, void *p)
{
	struct s3_etag *e = p;

	if (!strcasecmp(name, "ETag") && s3_etag_ok(value))
		snprintf(e->etag, sizeof(e->etag), "%s", value);
	return 0;
}

int s3_write_fail(const wsp_http_response *resp, const wsp_fs_write_opts *o,
		  const char *if_match, const char *path, wsp_error *err)
{
	if (resp->status == 412 && (o->flags & WSP_FS_WRITE_NO_OVERWRITE) &&
	    !if_match)
		return wsp_error_set(err, WSP_EEXIST,
				     "cannot write '%s': it exists", path);
	if (resp->status == 412)
		return wsp_error_set(err, WSP_ESTALE,
				     "cannot write '%s': it changed since it "
				     "was read",
				     path);
	return s3_fail(resp, "write", path, err);
}

size_t s3_object_headers(wsp_http_header *h, const wsp_fs_write_opts *o,
			 const char *if_match, const char *mime)
{
	size_t n = 0;

	h[n++] = (wsp_http_header){"Content-Type", mime};
	if (o->flags & WSP_FS_WRITE_NO_OVERWRITE)
		h[n++] = (wsp_http_header){"If-None-Match", "*"};
	if (if_match)
		h[n++] = (wsp_http_header){"If-Match", if_match};
	return n;
}

void s3_upload_fail(struct s3_upload *u, int rc, const wsp_error *e)
{
	pthread_mutex_lock(&u->lock);
	if (!u->failed) {
		u->failed = rc;
		if (e)
			u->err = *e;
		else
			wsp_error_set(&u->err, rc, "cannot write '%s'",
				      u->path);
	}
	pthread_mutex_unlock(&u->lock);
}

int s3_upload_keep(struct s3_upload *u, int number, const char *etag,
		   wsp_error *err)
{
	if (!etag || !etag[0])
		return wsp_error_set(err, WSP_EPROTO,
				     "cannot write '%s': part %d has no ETag",
				     u->path, number);
	u->etags[number] = strdup(etag);
	return u->etags[number]
		       ? 0
		       : wsp_error_set(err, WSP_ENOMEM, "out of memory");
}

void s3_upload_query(char *out, size_t cap, const struct s3_upload *u,
		     int number)
{
	snprintf(out, cap, "partNumber=%d&uploadId=%s", number, u->upload_id);
}

static void abort_upload(struct s3_upload *u)
{
	char query[512];
	wsp_http_response resp;
	wsp_error err = {0};
	struct s3_req r = {
		.method = "DELETE",
		.key = u->key,
		.query = query,
		.flags = WSP_HTTP_NO_ERROR_MAP,
	};

	snprintf(query, sizeof(query), "uploadId=%s", u->upload_id);
	if (!s3_request(&resp, u->s, &r, &err)) {
		if (resp.status != 204 && resp.status != 200 &&
		    resp.status != 404)
			u->s->host->log(u->s->host, WSP_LOG_WARN,
					"fs-s3: could not abort the upload of "
					"'%s' (HTTP %d): parts may remain",
					u->path, resp.status);
		s3_release(u->s, &resp);
	} else {
		u->s->host->log(u->s->host, WSP_LOG_WARN,
				"fs-s3: could not abort the upload of '%s': "
				"%s",
				u->path, err.message);
	}
}

static int create_upload(struct s3_upload *u, wsp_error *err)
{
	const wsp_http_header h[] = {{"Content-Type", u->mime}};
	wsp_http_response resp;
	struct s3_req r = {
		.method = "POST",
		.key = u->key,
		.query = "uploads=",
		.headers = h,
		.n_headers = 1,
		.flags = WSP_HTTP_NO_ERROR_MAP,
		.call = u->call,
	};
	int rc = s3_request(&resp, u->s, &r, err);

	if (rc)
		return rc;
	if (resp.status != 200) {
		rc = s3_fail(&resp, "start an upload of", u->path, err);
	} else {
		u->upload_id =
			s3xml_find(resp.body, resp.body_len,
				   "InitiateMultipartUploadResult/UploadId");
		if (!u->upload_id || !u->upload_id[0] ||
		    strpbrk(u->upload_id, "&=?# \r\n"))
			rc = wsp_error_set(err, WSP_EPROTO,
					   "cannot write '%s': no usable "
					   "UploadId in the answer",
					   u->path);
	}
	s3_release(u->s, &resp);
	return rc;
}

static int complete_upload(struct s3_upload *u, int parts, wsp_error *err)
{
	size_t cap = 128 + (size_t)parts * (64 + WSP_FS_VERSION_MAX);
	char *xml = malloc(cap), *p = xml, query[512];
	wsp_http_header h[3];
	size_t nh = s3_object_headers(h, u->o, u->if_match, "application/xml");
	wsp_http_response resp;
	int rc;

	if (!xml)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	p += sprintf(p, "<CompleteMultipartUpload>");
	for (int i = 1; i <= parts; i++) {
		/* ETags are quoted hex: nothing to escape but quotes */
		p += sprintf(p, "<Part><PartNumber>%d</PartNumber><ETag>", i);
		for (const char *e = u->etags[i]; *e; e++)
			p += *e == '"' ? sprintf(p, "&quot;")
				       : sprintf(p, "%c", *e);
		p += sprintf(p, "</ETag></Part>");
	}
	p += sprintf(p, "</CompleteMultipartUpload>");
	snprintf(query, sizeof(query), "uploadId=%s", u->upload_id);

	struct s3_req r = {
		.method = "POST",
		.key = u->key,
		.query = query,
		.headers = h,
		.n_headers = nh,
		.body = xml,
		.body_len = (size_t)(p - xml),
		/* completing twice answers the same object */
		.flags = WSP_HTTP_NO_ERROR_MAP | WSP_HTTP_IDEMPOTENT,
		.call = u->call,
	};

	rc = s3_request(&resp, u->s, &r, err);
	free(xml);
	if (rc)
		return rc;
	if (resp.status != 200) {
		rc = s3_write_fail(&resp, u->o, u->if_match, u->path, err);
	} else if (resp.body && strstr(resp.body, "<Error>")) {
		/* S3 may fail a completion after its 200 */
		rc = s3_fail(&resp, "complete the upload of", u->path, err);
		if (!rc)
			rc = wsp_error_set(err, WSP_EIO, "cannot write '%s'",
					   u->path);
	} else {
		char *etag = s3xml_find(resp.body, resp.body_len,
					"CompleteMultipartUploadResult/ETag");

		snprintf(u->etag, sizeof(u->etag), "%s", etag ? etag : "");
		free(etag);
	}
	s3_release(u->s, &resp);
	return rc;
}

int s3_upload_run(struct s3_upload *u, void *(*worker)(void *),
		  void *(*extra)(void *), wsp_error *err)
{
	uint32_t nthreads = u->s->parallelism ? u->s->parallelism : 1;
	pthread_t *th = calloc(nthreads + 1, sizeof(*th));
	bool *started = calloc(nthreads + 1, sizeof(*started));
	int rc;

	if (!th || !started) {
		free(th);
		free(started);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	rc = create_upload(u, err);
	if (rc)
		goto out;
	if (extra) {
		started[0] = !pthread_create(&th[0], NULL, extra, u);
		if (!started[0])
			s3_upload_fail(u, WSP_ENOMEM, NULL);
	}
	for (uint32_t i = 1; i < nthreads; i++)
		started[i] = !pthread_create(&th[i], NULL, worker, u);
	worker(u); /* this thread is a worker too */
	for (uint32_t i = 0; i < nthreads; i++)
		if (started[i])
			pthread_join(th[i], NULL);
	if (!u->failed)
		for (int i = 1; i < u->next_part; i++)
			if (!u->etags[i])
				s3_upload_fail(u, WSP_EIO, NULL);
	if (u->failed) {
		rc = u->failed;
		if (err)
			*err = u->err;
	} else {
		rc = complete_upload(u, u->next_part - 1, err);
	}
	if (rc)
		abort_upload(u);
out:
	free(th);
	free(started);
	return rc;
}

int s3_upload_init(struct s3_upload *u, struct s3 *s, const wsp_call *call,
		   const char *key, const char *path, const char *mime,
		   const wsp_fs_write_opts *o, const char *if_match)
{
	memset(u, 0, sizeof(*u));
	u->etags = calloc(S3_MAX_PARTS + 1, sizeof(*u->etags));
	if (!u->etags)
		return WSP_ENOMEM;
	u->s = s;
	u->call = call;
	u->key = key;
	u->path = path;
	u->mime = mime;
	u->o = o;
	u->if_match = if_match;
	u->next_part = 1;
	pthread_mutex_init(&u->lock, NULL);
	return 0;
}

void s3_upload_free(struct s3_upload *u)
{
	for (int i = 0; u->etags && i <= S3_MAX_PARTS; i++)
		free(u->etags[i]);
	free(u->etags);
	free(u->upload_id);
	pthread_mutex_destroy(&u->lock);
}
