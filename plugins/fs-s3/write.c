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

#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_PARTS 10000

const char *s3_mime_type(const char *path)
{
	static const struct {
		const char *ext, *mime;
	} map[] = {
		{"txt", "text/plain"},
		{"md", "text/markdown"},
		{"html", "text/html"},
		{"htm", "text/html"},
		{"css", "text/css"},
		{"csv", "text/csv"},
		{"js", "text/javascript"},
		{"json", "application/json"},
		{"xml", "application/xml"},
		{"yaml", "application/yaml"},
		{"yml", "application/yaml"},
		{"pdf", "application/pdf"},
		{"zip", "application/zip"},
		{"gz", "application/gzip"},
		{"tar", "application/x-tar"},
		{"png", "image/png"},
		{"jpg", "image/jpeg"},
		{"jpeg", "image/jpeg"},
		{"gif", "image/gif"},
		{"svg", "image/svg+xml"},
		{"webp", "image/webp"},
		{"py", "text/x-python"},
		{"c", "text/x-c"},
		{"h", "text/x-c"},
		{"sh", "application/x-sh"},
		{"wasm", "application/wasm"},
	};
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash : path, '.');

	if (dot && dot[1])
		for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (!strcasecmp(dot + 1, map[i].ext))
				return map[i].mime;
	return "application/octet-stream";
}

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

struct etag_sink {
	char etag[WSP_FS_VERSION_MAX];
};

static int on_etag(const char *name, const char *value, void *p)
{
	struct etag_sink *e = p;

	if (!strcasecmp(name, "ETag"))
		snprintf(e->etag, sizeof(e->etag), "%s", value);
	return 0;
}

/* Map a conditional write's 412 to what the caller asked for. */
static int conditional_fail(const wsp_http_response *resp,
			    const wsp_fs_write_opts *o, const char *if_match,
			    const char *path, wsp_error *err)
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

/*
 * The conditional and content headers of the final object; if_match is
 * the ETag the object must still have (NULL: any).
 */
static size_t object_headers(wsp_http_header *h, const wsp_fs_write_opts *o,
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

static int put_single(struct etag_sink *tag, struct s3 *s, const char *key,
		      const char *path, const wsp_fs_write_opts *o,
		      const char *if_match, const char *mime, const char *buf,
		      size_t len, wsp_error *err)
{
	wsp_http_header h[5];
	char md5[32];
	size_t n = object_headers(h, o, if_match, mime);
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
		.on_header = on_etag,
		.header_payload = tag,
		.flags = WSP_HTTP_NO_ERROR_MAP,
		.cancel = o->cancel,
	};

	if (!len) {
		/* an empty body: say so, or libcurl sends no length */
		r.body = "";
	}
	rc = s3_request(&resp, s, &r, err);
	if (rc)
		return rc;
	if (resp.status != 200)
		rc = conditional_fail(&resp, o, if_match, path, err);
	s3_release(s, &resp);
	return rc;
}

/* --- multipart --- */

struct upload {
	struct s3 *s;
	const char *key, *path;
	const wsp_fs_write_opts *o;
	const char *if_match;
	char *upload_id;
	wsp_source_fn source;
	void *payload;

	pthread_mutex_t lock;
	int next_part; /* number the next read part gets */
	bool source_done;
	int failed;    /* first error code */
	wsp_error err; /* its message */
	uint64_t total;
	char *etags[MAX_PARTS + 1];

	/* part 1, read before the upload started */
	char *first;
	size_t first_len;
};

static void upload_fail(struct upload *u, int rc, const wsp_error *e)
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

static int put_part(struct upload *u, int number, const char *buf, size_t len,
		    wsp_error *err)
{
	char query[512], md5[32];
	struct etag_sink tag = {""};
	wsp_http_response resp;
	int rc;

	snprintf(query, sizeof(query), "partNumber=%d&uploadId=%s", number,
		 u->upload_id);
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
		.on_header = on_etag,
		.header_payload = &tag,
		.flags = WSP_HTTP_NO_ERROR_MAP,
		.cancel = u->o->cancel,
	};

	rc = s3_request(&resp, u->s, &r, err);
	if (rc)
		return rc;
	if (resp.status != 200)
		rc = s3_fail(&resp, "upload a part of", u->path, err);
	else if (!tag.etag[0])
		rc = wsp_error_set(err, WSP_EPROTO,
				   "cannot write '%s': part %d has no ETag",
				   u->path, number);
	s3_release(u->s, &resp);
	if (!rc) {
		u->etags[number] = strdup(tag.etag);
		if (!u->etags[number])
			rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	return rc;
}

static void *worker(void *arg)
{
	struct upload *u = arg;
	size_t cap = u->s->part_size;
	char *buf = malloc(cap);
	wsp_error err = {0};

	if (!buf) {
		upload_fail(u, WSP_ENOMEM, NULL);
		return NULL;
	}
	for (;;) {
		size_t got = 0;
		bool eof = false;
		int number, rc = 0;

		pthread_mutex_lock(&u->lock);
		if (u->failed || u->source_done) {
			pthread_mutex_unlock(&u->lock);
			break;
		}
		number = u->next_part;
		if (number > MAX_PARTS) {
			pthread_mutex_unlock(&u->lock);
			wsp_error_set(&err, WSP_ETOOBIG,
				      "cannot write '%s': more than %d parts; "
				      "raise part_size",
				      u->path, MAX_PARTS);
			upload_fail(u, WSP_ETOOBIG, &err);
			break;
		}
		rc = fill(&got, &eof, buf, cap, u->source, u->payload, &err);
		if (!rc && got) {
			u->next_part++;
			u->total += got;
		}
		if (eof || rc)
			u->source_done = true;
		pthread_mutex_unlock(&u->lock);
		if (!rc && got)
			rc = put_part(u, number, buf, got, &err);
		if (rc) {
			upload_fail(u, rc, &err);
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
	struct upload *u = arg;
	wsp_error err = {0};
	int rc = put_part(u, 1, u->first, u->first_len, &err);

	if (rc)
		upload_fail(u, rc, &err);
	return NULL;
}

static void abort_upload(struct upload *u)
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

static int create_upload(struct upload *u, const char *mime, wsp_error *err)
{
	const wsp_http_header h[] = {{"Content-Type", mime}};
	wsp_http_response resp;
	struct s3_req r = {
		.method = "POST",
		.key = u->key,
		.query = "uploads=",
		.headers = h,
		.n_headers = 1,
		.flags = WSP_HTTP_NO_ERROR_MAP,
		.cancel = u->o->cancel,
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

static int complete_upload(struct etag_sink *tag, struct upload *u, int parts,
			   wsp_error *err)
{
	size_t cap = 128 + (size_t)parts * (64 + WSP_FS_VERSION_MAX);
	char *xml = malloc(cap), *p = xml, query[512];
	wsp_http_header h[3];
	size_t nh = object_headers(h, u->o, u->if_match, "application/xml");
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
		.cancel = u->o->cancel,
	};

	rc = s3_request(&resp, u->s, &r, err);
	free(xml);
	if (rc)
		return rc;
	if (resp.status != 200) {
		rc = conditional_fail(&resp, u->o, u->if_match, u->path, err);
	} else if (resp.body && strstr(resp.body, "<Error>")) {
		/* S3 may fail a completion after its 200 */
		rc = s3_fail(&resp, "complete the upload of", u->path, err);
		if (!rc)
			rc = wsp_error_set(err, WSP_EIO, "cannot write '%s'",
					   u->path);
	} else {
		char *etag = s3xml_find(resp.body, resp.body_len,
					"CompleteMultipartUploadResult/ETag");

		snprintf(tag->etag, sizeof(tag->etag), "%s", etag ? etag : "");
		free(etag);
	}
	s3_release(u->s, &resp);
	return rc;
}

static int put_multipart(struct etag_sink *tag, uint64_t *total, struct s3 *s,
			 const char *key, const char *path,
			 const wsp_fs_write_opts *o, const char *if_match,
			 const char *mime, char *first, size_t first_len,
			 wsp_source_fn source, void *payload, wsp_error *err)
{
	struct upload *u = calloc(1, sizeof(*u));
	uint32_t nthreads = s->parallelism ? s->parallelism : 1;
	pthread_t *th = calloc(nthreads + 1, sizeof(*th));
	bool *started = calloc(nthreads + 1, sizeof(*started));
	int rc;

	if (!u || !th || !started) {
		free(u);
		free(th);
		free(started);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	u->s = s;
	u->key = key;
	u->path = path;
	u->o = o;
	u->if_match = if_match;
	u->source = source;
	u->payload = payload;
	u->first = first;
	u->first_len = first_len;
	u->next_part = 2;
	u->total = first_len;
	pthread_mutex_init(&u->lock, NULL);
	rc = create_upload(u, mime, err);
	if (rc)
		goto out;
	/* part 1 goes up while the workers read on */
	started[0] = !pthread_create(&th[0], NULL, first_part, u);
	if (!started[0])
		upload_fail(u, WSP_ENOMEM, NULL);
	for (uint32_t i = 1; i < nthreads; i++)
		started[i] = !pthread_create(&th[i], NULL, worker, u);
	worker(u); /* this thread is a worker too */
	for (uint32_t i = 0; i < nthreads; i++)
		if (started[i])
			pthread_join(th[i], NULL);
	if (!u->failed)
		for (int i = 1; i < u->next_part; i++)
			if (!u->etags[i])
				upload_fail(u, WSP_EIO, NULL);
	if (u->failed) {
		rc = u->failed;
		if (err)
			*err = u->err;
	} else {
		rc = complete_upload(tag, u, u->next_part - 1, err);
	}
	if (rc)
		abort_upload(u);
	*total = u->total;
out:
	for (int i = 0; i <= MAX_PARTS; i++)
		free(u->etags[i]);
	free(u->upload_id);
	pthread_mutex_destroy(&u->lock);
	free(u);
	free(th);
	free(started);
	return rc;
}

int s3_write(wsp_fs_stat *out, void *self, const char *path,
	     const wsp_fs_write_opts *opts, wsp_source_fn source, void *payload,
	     wsp_error *err)
{
	static const wsp_fs_write_opts none = WSP_FS_WRITE_OPTS_INIT;
	struct s3 *s = self;
	const wsp_fs_write_opts *o = opts ? opts : &none;
	char key[S3_KEY_MAX + 1], seen[WSP_FS_VERSION_MAX];
	const char *mime, *if_match = NULL;
	struct etag_sink tag = {""};
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
		return wsp_error_set(err, WSP_EISDIR,
				     "cannot write '.': is a directory");
	if (o->flags & WSP_FS_WRITE_APPEND)
		return wsp_error_set(err, WSP_ENOTSUP,
				     "cannot append to '%s': S3 objects are "
				     "written whole",
				     path);
	rc = s3_key(key, sizeof(key), s, path, err);
	if (rc)
		return rc;
	rc = s3_is_dir(s, key, o->cancel, err);
	if (rc)
		return rc < 0 ? rc
			      : wsp_error_set(err, WSP_EISDIR,
					      "cannot write '%s': is a "
					      "directory",
					      path);
	if (o->flags & WSP_FS_WRITE_NO_PARENTS) {
		const char *slash = strrchr(path, '/');
		char parent[S3_KEY_MAX + 1];

		if (slash) {
			snprintf(parent, sizeof(parent), "%.*s",
				 (int)(slash - path), path);
			wsp_fs_stat st;

			rc = s3_stat(&st, s, parent, 0, err);
			if (!rc && st.type != WSP_FS_TYPE_DIR)
				rc = wsp_error_set(err, WSP_ENOTDIR,
						   "cannot write '%s': '%s' is "
						   "not a directory",
						   path, parent);
			if (rc)
				return rc;
		}
	}
	if (o->expected_version && o->expected_version[0])
		if_match = o->expected_version;
	if (o->expected_mtime_ns) {
		wsp_fs_stat st;

		rc = s3_stat(&st, s, path, 0, err);
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
	mime = o->mime_type && o->mime_type[0] ? o->mime_type
					       : s3_mime_type(path);
	buf = malloc(s->multipart_threshold ? s->multipart_threshold : 1);
	if (!buf)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	rc = fill(&got, &eof, buf, s->multipart_threshold, source, payload,
		  err);
	if (!rc && eof) {
		rc = put_single(&tag, s, key, path, o, if_match, mime, buf, got,
				err);
		total = got;
	} else if (!rc) {
		rc = put_multipart(&tag, &total, s, key, path, o, if_match,
				   mime, buf, got, source, payload, err);
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
