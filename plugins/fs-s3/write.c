/*
 * plugins/fs-s3/write.c - PutObject, and multipart uploads above the
 * threshold with parts sent in parallel.
 *
 * Up to multipart_threshold bytes are buffered; a source that ends
 * sooner becomes one PutObject. Otherwise the buffer is part 1 of a
 * multipart upload and `parallelism` workers take turns reading the next
 * part from the source (one at a time, under a lock, so the source sees
 * ordered calls) and upload their parts concurrently. Every part and
 * every single PUT carries Content-MD5, so S3 rejects a corrupted body.
 * Any failure aborts the upload (AbortMultipartUpload), so no parts are
 * left behind; memory stays at parallelism x part_size.
 */
#include "s3.h"
#include "objfs.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void s3_md5_b64(char out[32], const void *data, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!EVP_Digest(data, len, md, &n, EVP_md5(), NULL))
		n = 0; /* an empty digest: S3 refuses the request */
	EVP_EncodeBlock((unsigned char *)out, md, (int)n);
}

/* Fill buf from source until cap bytes or the end; *eof when it ended. */
static int fill(size_t *got, bool *eof, char *buf, size_t cap,
		wsp_source_fn source, void *payload, wsp_error *err)
{
	*got = 0;
	*eof = false;
	while (*got < cap) {
		size_t n = 0;
		int rc = source(buf + *got, cap - *got, &n, payload);

		if (rc)
			return wsp_error_set(err, rc,
					     "cannot write: the data source "
					     "failed");
		if (!n) {
			*eof = true;
			break;
		}
		*got += n;
	}
	return 0;
}

static int put_single(struct s3_etag *tag, struct s3 *s, const wsp_call *call,
		      const char *key, const char *path,
		      const wsp_fs_write_opts *o, const char *if_match,
		      const char *mime, const char *buf, size_t len,
		      wsp_error *err)
{
	wsp_http_header h[5];
	char md5[32];
	size_t n = s3_object_headers(h, o, if_match, mime);
	wsp_http_response resp;
	int rc;

	s3_md5_b64(md5, buf, len);
	h[n++] = (wsp_http_header){"Content-MD5", md5};

	struct s3_req r = {
		.method = "PUT",
		.key = key,
		.headers = h,
		.n_headers = n,
		.body = len ? buf : NULL,
		.body_len = len,
		.on_header = s3_on_etag,
		.header_payload = tag,
		.flags = WSP_HTTP_NO_ERROR_MAP,
		.call = call,
	};

	if (!len) {
		/* an empty body: say so, or libcurl sends no length */
		r.body = "";
	}
	rc = s3_request(&resp, s, &r, err);
	if (rc)
		return rc;
	if (resp.status != 200)
		rc = s3_write_fail(&resp, o, if_match, path, err);
	s3_release(s, &resp);
	return rc;
}

/* --- multipart: parts read from the source in turn --- */

struct feed {
	wsp_source_fn source;
	void *payload;
	bool source_done;
	uint64_t total;
	/* part 1, read before the upload started */
	char *first;
	size_t first_len;
};

static int put_part(struct s3_upload *u, int number, const char *buf,
		    size_t len, wsp_error *err)
{
	char query[512], md5[32];
	struct s3_etag tag = {""};
	wsp_http_response resp;
	int rc;

	s3_upload_query(query, sizeof(query), u, number);
	s3_md5_b64(md5, buf, len);

	const wsp_http_header h[] = {{"Content-MD5", md5}};
	struct s3_req r = {
		.method = "PUT",
		.key = u->key,
		.query = query,
		.headers = h,
		.n_headers = 1,
		.body = buf,
		.body_len = len,
		.on_header = s3_on_etag,
		.header_payload = &tag,
		.flags = WSP_HTTP_NO_ERROR_MAP,
		.call = u->call,
	};

	rc = s3_request(&resp, u->s, &r, err);
	if (rc)
		return rc;
	if (resp.status != 200)
		rc = s3_fail(&resp, "upload a part of", u->path, err);
	s3_release(u->s, &resp);
	return rc ? rc : s3_upload_keep(u, number, tag.etag, err);
}

static void *worker(void *arg)
{
	struct s3_upload *u = arg;
	struct feed *f = u->job;
	size_t cap = u->s->part_size;
	char *buf = malloc(cap);
	wsp_error err = {0};

	if (!buf) {
		s3_upload_fail(u, WSP_ENOMEM, NULL);
		return NULL;
	}
	for (;;) {
		size_t got = 0;
		bool eof = false;
		int number, rc = 0;

		pthread_mutex_lock(&u->lock);
		if (u->failed || f->source_done) {
			pthread_mutex_unlock(&u->lock);
			break;
		}
		number = u->next_part;
		if (number > S3_MAX_PARTS) {
			pthread_mutex_unlock(&u->lock);
			wsp_error_set(&err, WSP_ETOOBIG,
				      "cannot write '%s': more than %d parts; "
				      "raise part_size",
				      u->path, S3_MAX_PARTS);
			s3_upload_fail(u, WSP_ETOOBIG, &err);
			break;
		}
		/* Per part: the source may have fired the token. */
		rc = s3_expired(u->s, u->call, &err, "write", u->path);
		if (!rc)
			rc = fill(&got, &eof, buf, cap, f->source, f->payload,
				  &err);
		if (!rc && got) {
			u->next_part++;
			f->total += got;
		}
		if (eof || rc)
			f->source_done = true;
		pthread_mutex_unlock(&u->lock);
		if (!rc && got)
			rc = put_part(u, number, buf, got, &err);
		if (rc) {
			s3_upload_fail(u, rc, &err);
			break;
		}
		if (eof)
			break;
	}
	free(buf);
	return NULL;
}

static void *first_part(void *arg)
{
	struct s3_upload *u = arg;
	struct feed *f = u->job;
	wsp_error err = {0};
	int rc = put_part(u, 1, f->first, f->first_len, &err);

	if (rc)
		s3_upload_fail(u, rc, &err);
	return NULL;
}

static int put_multipart(struct s3_etag *tag, uint64_t *total, struct s3 *s,
			 const wsp_call *call, const char *key,
			 const char *path, const wsp_fs_write_opts *o,
			 const char *if_match, const char *mime, char *first,
			 size_t first_len, wsp_source_fn source, void *payload,
			 wsp_error *err)
{
	struct feed f = {
		.source = source,
		.payload = payload,
		.total = first_len,
		.first = first,
		.first_len = first_len,
	};
	struct s3_upload u;
	int rc = s3_upload_init(&u, s, call, key, path, mime, o, if_match);

	if (rc)
		return wsp_error_set(err, rc, "out of memory");
	u.job = &f;
	u.next_part = 2; /* part 1 goes up while the workers read on */
	rc = s3_upload_run(&u, worker, first_part, err);
	snprintf(tag->etag, sizeof(tag->etag), "%s", u.etag);
	*total = f.total;
	s3_upload_free(&u);
	return rc;
}

int s3_write(wsp_fs_stat *out, void *self, const wsp_call *call,
	     const char *path, const wsp_fs_write_opts *opts,
	     wsp_source_fn source, void *payload, wsp_error *err)
{
	struct s3 *s = self;
	const wsp_fs_write_opts *o = opts; /* the core's full-size copy */
	char key[S3_KEY_MAX + 1], seen[WSP_FS_VERSION_MAX];
	const char *mime, *if_match = NULL;
	struct s3_etag tag = {""};
	size_t got = 0;
	uint64_t total = 0;
	bool eof = false;
	char *buf = NULL;
	int rc;

	if (s->read_only)
		return wsp_error_set(err, WSP_EROFS,
				     "cannot write '%s': the S3 mount is "
				     "read-only",
				     path);
	if (!strcmp(path, "."))
		return objfs_write_not_dir(1, path, err);
	if (o->flags & WSP_FS_WRITE_APPEND)
		return wsp_error_set(err, WSP_ENOTSUP,
				     "cannot append to '%s': S3 objects are "
				     "written whole",
				     path);
	rc = s3_key(key, sizeof(key), s, path, err);
	if (rc)
		return rc;
	rc = objfs_write_not_dir(s3_is_dir(s, key, call, err), path, err);
	if (rc)
		return rc;
	if (o->flags & WSP_FS_WRITE_NO_PARENTS) {
		char parent[S3_KEY_MAX + 1];
		wsp_fs_stat st;

		if (objfs_parent(parent, sizeof(parent), path)) {
			rc = s3_stat(&st, s, call, parent, 0, err);
			rc = objfs_write_parent(rc, &st, path, parent, err);
			if (rc)
				return rc;
		}
	}
	if (o->expected_version && o->expected_version[0])
		if_match = o->expected_version;
	if (o->expected_mtime_ns) {
		wsp_fs_stat st;

		rc = s3_stat(&st, s, call, path, 0, err);
		if (rc)
			return rc;
		/* S3 keeps whole seconds */
		if (st.mtime_ns / 1000000000 !=
		    o->expected_mtime_ns / 1000000000)
			return wsp_error_set(err, WSP_ESTALE,
					     "cannot write '%s': it changed "
					     "since it was read",
					     path);
		/*
		 * The write must land on the object this HEAD saw: a change
		 * between the HEAD and the PUT is a 412, not a lost update.
		 */
		snprintf(seen, sizeof(seen), "%s", st.version);
		if (!if_match && seen[0])
			if_match = seen;
	}
	mime = objfs_upload_type(o);
	buf = malloc(s->multipart_threshold ? s->multipart_threshold : 1);
	if (!buf)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	rc = fill(&got, &eof, buf, s->multipart_threshold, source, payload,
		  err);
	/* The source may have fired the token: nothing is sent then. */
	if (!rc)
		rc = s3_expired(s, call, err, "write", path);
	if (!rc && eof) {
		rc = put_single(&tag, s, call, key, path, o, if_match, mime,
				buf, got, err);
		total = got;
	} else if (!rc) {
		rc = put_multipart(&tag, &total, s, call, key, path, o,
				   if_match, mime, buf, got, source, payload,
				   err);
	}
	free(buf);
	if (!rc && out) {
		memset(out, 0, sizeof(*out));
		out->struct_size = sizeof(*out);
		out->type = WSP_FS_TYPE_FILE;
		out->size = total;
		out->mtime_ns = (int64_t)time(NULL) * 1000000000;
		snprintf(out->version, sizeof(out->version), "%s", tag.etag);
		snprintf(out->mime_type, sizeof(out->mime_type), "%s", mime);
	}
	return rc;
}
