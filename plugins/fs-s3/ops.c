/*
 * plugins/fs-s3/ops.c - stat, read, exists, mkdir, remove, rmdir, copy,
 * move on S3.
 *
 * Directories are key prefixes: "a/b" is a directory when some key starts
 * with "a/b/" (a marker object "a/b/" written by mkdir, or any file below
 * it). A plain object "a/b" is a file.
 */
#include "s3.h"
#include "httpdate.h"
#include "objfs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DELETE_BATCH 1000

int s3_fail(const wsp_http_response *resp, const char *op, const char *path,
	    wsp_error *err)
{
	char code[64] = "";
	char *msg = NULL;
	int c;

	if (resp->body) {
		s3_error_code(code, sizeof(code), resp->body, resp->body_len);
		msg = s3xml_find(resp->body, resp->body_len, "Error/Message");
	}
	switch (resp->status) {
	case 401:
	case 403:
		c = WSP_EAUTH;
		break;
	case 404:
		c = WSP_ENOTFOUND;
		break;
	case 409:
		c = WSP_EBUSY;
		break;
	case 412:
		c = WSP_ESTALE;
		break;
	case 429:
		c = WSP_ERATELIMIT;
		break;
	default:
		c = resp->status >= 500 ? WSP_EUNAVAIL : WSP_EIO;
	}
	wsp_error_set(err, c, "cannot %s '%s': HTTP %d%s%s%s%s", op, path,
		      resp->status, code[0] ? " " : "", code,
		      msg && msg[0] ? ": " : "", msg ? msg : "");
	wsp_http_error_detail(err, resp);
	free(msg);
	return c;
}

static int on_head_header(const char *name, const char *value, void *p)
{
	struct s3_head *h = p;

	if (!strcasecmp(name, "Content-Length"))
		(void)s3_parse_u64(&h->size, value); /* stays 0 if not */
	else if (!strcasecmp(name, "Last-Modified"))
		(void)http_date_ns(&h->mtime_ns, value); /* stays 0 if not */
	else if (!strcasecmp(name, "ETag") && s3_etag_ok(value))
		snprintf(h->etag, sizeof(h->etag), "%s", value);
	else if (!strcasecmp(name, "Content-Type"))
		snprintf(h->mime, sizeof(h->mime), "%s", value);
	return 0;
}

int s3_head(struct s3_head *h, struct s3 *s, const char *key, const char *path,
	    const wsp_call *call, wsp_error *err)
{
	wsp_http_response resp;
	struct s3_req r = {
		.method = "HEAD",
		.key = key,
		.on_header = on_head_header,
		.header_payload = h,
		.flags = WSP_HTTP_NO_ERROR_MAP,
		.call = call,
	};
	int rc;

	memset(h, 0, sizeof(*h));
	rc = s3_request(&resp, s, &r, err);
	if (rc)
		return rc;
	if (resp.status == 200)
		rc = 1;
	else if (resp.status == 404)
		rc = 0;
	else
		rc = s3_fail(&resp, "stat", path, err);
	s3_release(s, &resp);
	return rc;
}

static int stop_at_first(const struct s3_item *it, void *payload)
{
	(void)it;
	*(int *)payload = 1;
	return 1;
}

int s3_is_dir(struct s3 *s, const char *key, const wsp_call *call,
	      wsp_error *err)
{
	char dir[S3_KEY_MAX + 2];
	int found = 0, rc;

	if (!key[0])
		return 1; /* the root (empty prefix) */
	snprintf(dir, sizeof(dir), "%s/", key);
	rc = s3_list_keys(s, dir, false, 1, call, stop_at_first, &found, err);
	return rc < 0 ? rc : found;
}

/* The key of a directory path ("" for the root without a prefix). */
static int dir_key(char *out, size_t cap, struct s3 *s, const char *path,
		   wsp_error *err)
{
	int rc = s3_key(out, cap, s, path, err);
	size_t n = strlen(out);

	if (!rc && n && out[n - 1] == '/')
		out[n - 1] = '\0'; /* the prefix itself */
	return rc;
}

int s3_stat(wsp_fs_stat *out, void *self, const wsp_call *call,
	    const char *path, uint32_t flags, wsp_error *err)
{
	struct s3 *s = self;
	char key[S3_KEY_MAX + 1];
	struct s3_head h;
	int rc;

	(void)flags;
	memset(out, 0, sizeof(*out));
	out->struct_size = sizeof(*out);
	if (!strcmp(path, ".")) {
		out->type = WSP_FS_TYPE_DIR;
		return 0;
	}
	rc = dir_key(key, sizeof(key), s, path, err);
	if (rc)
		return rc;
	rc = s3_head(&h, s, key, path, call, err);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		out->type = WSP_FS_TYPE_FILE;
		out->size = h.size;
		out->mtime_ns = h.mtime_ns;
		snprintf(out->version, sizeof(out->version), "%s", h.etag);
		snprintf(out->mime_type, sizeof(out->mime_type), "%s", h.mime);
		return 0;
	}
	rc = s3_is_dir(s, key, call, err);
	if (rc < 0)
		return rc;
	return objfs_stat_dir(out, rc ? OBJDIR_DIR : OBJDIR_NOTHING, path,
			      err);
}

int s3_exists(int *out, void *self, const wsp_call *call, const char *path,
	      uint32_t flags, wsp_error *err)
{
	wsp_fs_stat st;
	int rc = s3_stat(&st, self, call, path, 0, err);

	(void)flags;

	*out = rc == 0;
	return rc == WSP_ENOTFOUND ? 0 : rc;
}

int s3_read(void *self, const wsp_call *call, const char *path,
	    const wsp_fs_read_opts *opts, wsp_sink_fn sink, void *payload,
	    wsp_error *err)
{
	struct s3 *s = self;
	char key[S3_KEY_MAX + 1];
	/* opts is the core's full-size copy: length UINT64_MAX = the rest */
	uint64_t off = opts->offset;
	uint64_t len = opts->length;
	wsp_error missing = {0};
	int rc;

	if (!strcmp(path, "."))
		return wsp_error_set(err, WSP_EISDIR,
				     "cannot read '.': is a directory");
	rc = dir_key(key, sizeof(key), s, path, err);
	if (rc)
		return rc;
	if (len == 0) {
		struct s3_head hd;

		rc = s3_head(&hd, s, key, path, call, err);
		if (rc)
			return rc < 0 ? rc : 0;
	} else {
		rc = s3_get(s, key, path, off, len, call, sink, payload, err);
		if (rc <= 0)
			return rc;
		if (err)
			missing = *err; /* S3's answer: 404 NoSuchKey */
	}
	/* no such object: a directory, or nothing */
	rc = s3_is_dir(s, key, call, err);
	if (rc < 0)
		return rc;
	return objfs_read_missing(rc ? OBJDIR_DIR : OBJDIR_NOTHING, path,
				  &missing, err);
}

/* PUT an empty object (a directory marker) or DELETE one key. */
static int simple(struct s3 *s, const wsp_call *call, const char *method,
		  const char *key, const wsp_http_header *h, size_t nh,
		  const char *op, const char *path, wsp_error *err)
{
	wsp_http_response resp;
	struct s3_req r = {
		.method = method,
		.key = key,
		.headers = h,
		.n_headers = nh,
		.flags = WSP_HTTP_NO_ERROR_MAP,
		.call = call,
	};
	int rc = s3_request(&resp, s, &r, err);

	if (rc)
		return rc;
	if (resp.status >= 300)
		rc = s3_fail(&resp, op, path, err);
	s3_release(s, &resp);
	return rc;
}

static int refuse_read_only(struct s3 *s, const char *op, const char *path,
			    wsp_error *err)
{
	if (!s->read_only)
		return 0;
	return wsp_error_set(err, WSP_EROFS,
			     "cannot %s '%s': the S3 mount is read-only", op,
			     path);
}

/* mkdir's questions to the bucket (objdir.h). */
struct mkdir_ctx {
	struct s3 *s;
	const wsp_call *call;
};

static int mkdir_dir_name(char *out, size_t cap, void *self, const char *path,
			  wsp_error *err)
{
	return dir_key(out, cap, ((struct mkdir_ctx *)self)->s, path, err);
}

/* An object at the name is a file, else a directory or nothing. */
static int mkdir_what_is(void *self, const char *name, const char *path,
			 wsp_error *err)
{
	struct mkdir_ctx *m = self;
	struct s3_head hd;
	int rc = s3_head(&hd, m->s, name, path, m->call, err);

	if (rc)
		return rc < 0 ? rc : OBJDIR_FILE;
	return s3_is_dir(m->s, name, m->call, err);
}

static int mkdir_put_marker(void *self, const char *marker, const char *path,
			    wsp_error *err)
{
	struct mkdir_ctx *m = self;
	const wsp_http_header h[] = {
		{"Content-Type", "application/x-directory"},
	};

	return simple(m->s, m->call, "PUT", marker, h, 1, "mkdir", path, err);
}

int s3_mkdir(void *self, const wsp_call *call, const char *path, uint32_t flags,
	     wsp_error *err)
{
	struct mkdir_ctx m = {self, call};
	const struct objdir_store st = {&m, mkdir_dir_name, mkdir_what_is,
					mkdir_put_marker};
	int rc = refuse_read_only(m.s, "mkdir", path, err);

	return rc ? rc : objdir_mkdir(&st, path, flags, err);
}

/* DeleteObjects batches. */
struct batch {
	struct s3 *s;
	const wsp_call *call;
	char *keys[DELETE_BATCH];
	size_t n;
	const char *what;
	wsp_error *err;
};

static void xml_escape_into(char **p, const char *s)
{
	for (; *s; s++) {
		const char *e = NULL;

		switch (*s) {
		case '&':
			e = "&amp;";
			break;
		case '<':
			e = "&lt;";
			break;
		case '>':
			e = "&gt;";
			break;
		case '"':
			e = "&quot;";
			break;
		case '\'':
			e = "&apos;";
			break;
		}
		if (e) {
			strcpy(*p, e);
			*p += strlen(e);
		} else {
			*(*p)++ = *s;
		}
	}
}

static int batch_flush(struct batch *b)
{
	size_t cap = 64, n;
	char *xml, *p, md5b64[32];
	wsp_http_response resp;
	int rc;

	if (!b->n)
		return 0;
	for (size_t i = 0; i < b->n; i++)
		cap += 6 * strlen(b->keys[i]) + 32;
	xml = malloc(cap);
	if (!xml)
		return wsp_error_set(b->err, WSP_ENOMEM, "out of memory");
	p = xml;
	p += sprintf(p, "<Delete><Quiet>true</Quiet>");
	for (size_t i = 0; i < b->n; i++) {
		p += sprintf(p, "<Object><Key>");
		xml_escape_into(&p, b->keys[i]);
		p += sprintf(p, "</Key></Object>");
	}
	p += sprintf(p, "</Delete>");
	n = (size_t)(p - xml);
	s3_md5_b64(md5b64, xml, n);

	const wsp_http_header h[] = {
		{"Content-Type", "application/xml"},
		{"Content-MD5", md5b64},
	};
	struct s3_req r = {
		.method = "POST",
		.query = "delete=",
		.headers = h,
		.n_headers = 2,
		.body = xml,
		.body_len = n,
		/* deleting twice is harmless */
		.flags = WSP_HTTP_NO_ERROR_MAP | WSP_HTTP_IDEMPOTENT,
		.call = b->call,
	};

	rc = s3_request(&resp, b->s, &r, b->err);
	free(xml);
	if (!rc) {
		if (resp.status != 200) {
			rc = s3_fail(&resp, "delete", b->what, b->err);
		} else {
			char *k = s3xml_find(resp.body, resp.body_len,
					     "DeleteResult/Error/Key");

			if (k) {
				rc = wsp_error_set(b->err, WSP_EIO,
						   "cannot delete '%s': S3 "
						   "refused to delete key '%s'",
						   b->what, k);
				free(k);
			}
		}
		s3_release(b->s, &resp);
	}
	for (size_t i = 0; i < b->n; i++)
		free(b->keys[i]);
	b->n = 0;
	return rc;
}

static int batch_add(const struct s3_item *it, void *payload)
{
	struct batch *b = payload;

	if (it->is_prefix)
		return 0;
	b->keys[b->n] = strdup(it->key);
	if (!b->keys[b->n])
		return wsp_error_set(b->err, WSP_ENOMEM, "out of memory");
	if (++b->n == DELETE_BATCH)
		return batch_flush(b);
	return 0;
}

int s3_delete_prefix(struct s3 *s, const wsp_call *call, const char *key_prefix,
		     wsp_error *err)
{
	struct batch *b = calloc(1, sizeof(*b));
	int rc;

	if (!b)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	b->s = s;
	b->call = call;
	b->what = key_prefix;
	b->err = err;
	rc = s3_list_keys(s, key_prefix, true, s->max_keys, call, batch_add, b,
			  err);
	if (rc >= 0)
		rc = batch_flush(b);
	for (size_t i = 0; i < b->n; i++)
		free(b->keys[i]);
	free(b);
	return rc < 0 ? rc : 0;
}

int s3_remove(void *self, const wsp_call *call, const char *path,
	      uint32_t flags, wsp_error *err)
{
	struct s3 *s = self;
	char key[S3_KEY_MAX + 2];
	struct s3_head hd;
	int rc = refuse_read_only(s, "remove", path, err);

	if (!rc)
		rc = objfs_not_root("remove", path, err);
	if (!rc)
		rc = dir_key(key, sizeof(key) - 1, s, path, err);
	if (rc)
		return rc;
	rc = s3_head(&hd, s, key, path, call, err);
	if (rc < 0)
		return rc;
	if (rc == 1)
		return simple(s, call, "DELETE", key, NULL, 0, "remove", path,
			      err);
	rc = s3_is_dir(s, key, call, err);
	if (rc < 0)
		return rc;
	rc = objfs_remove_dir(rc ? OBJDIR_DIR : OBJDIR_NOTHING, path, flags,
			      err);
	if (rc != OBJFS_DELETE_DIR)
		return rc;
	strcat(key, "/");
	return s3_delete_prefix(s, call, key, err);
}

struct count {
	const char *marker;
	int n;
};

static int count_other(const struct s3_item *it, void *payload)
{
	struct count *c = payload;

	if (!strcmp(it->key, c->marker))
		return 0;
	c->n++;
	return 1;
}

int s3_rmdir(void *self, const wsp_call *call, const char *path, uint32_t flags,
	     wsp_error *err)
{
	struct s3 *s = self;
	char key[S3_KEY_MAX + 2];
	struct s3_head hd;
	struct count c = {.marker = key};
	int rc = refuse_read_only(s, "rmdir", path, err);

	if (!rc)
		rc = objfs_not_root("rmdir", path, err);
	if (!rc)
		rc = dir_key(key, sizeof(key) - 1, s, path, err);
	if (rc)
		return rc;
	rc = s3_head(&hd, s, key, path, call, err);
	if (rc)
		return rc < 0 ? rc : objfs_rmdir_kind(OBJDIR_FILE, path, flags, err);
	strcat(key, "/");
	rc = s3_list_keys(s, key, false, 2, call, count_other, &c, err);
	if (rc < 0)
		return rc;
	if (!c.n) {
		/* only a marker, or nothing at all */
		key[strlen(key) - 1] = '\0';
		rc = s3_is_dir(s, key, call, err);
		if (rc < 0)
			return rc;
		rc = objfs_rmdir_kind(rc ? OBJDIR_DIR : OBJDIR_NOTHING, path,
				      flags, err);
		if (rc != OBJFS_DELETE_DIR)
			return rc;
		strcat(key, "/");
	} else if ((rc = objfs_rmdir_full(path, flags, err))) {
		return rc;
	}
	return s3_delete_prefix(s, call, key, err);
}

struct tree_copy {
	struct s3 *s;
	const wsp_call *call;
	size_t src_len;
	const char *dst_prefix;
	const char *path;
	wsp_error *err;
};

static int copy_item(const struct s3_item *it, void *payload)
{
	struct tree_copy *t = payload;
	char dst[S3_KEY_MAX + 2];

	if (it->is_prefix)
		return 0;
	if (snprintf(dst, sizeof(dst), "%s%s", t->dst_prefix,
		     it->key + t->src_len) >= (int)sizeof(dst))
		return wsp_error_set(t->err, WSP_ETOOBIG,
				     "cannot copy '%s': key too long", t->path);
	return s3_copy_object(t->s, t->call, it->key, it->size, it->etag, NULL,
			      dst, t->path, t->err);
}

int s3_copy(void *self, const wsp_call *call, const char *src, const char *dst,
	    uint32_t flags, wsp_error *err)
{
	struct s3 *s = self;
	char skey[S3_KEY_MAX + 2], dkey[S3_KEY_MAX + 2];
	struct s3_head hd;
	wsp_fs_stat st;
	bool dst_is_dir;
	int rc = refuse_read_only(s, "copy to", dst, err);

	if (rc)
		return rc;
	rc = dir_key(skey, sizeof(skey) - 1, s, src, err);
	if (!rc)
		rc = dir_key(dkey, sizeof(dkey) - 1, s, dst, err);
	if (rc)
		return rc;
	rc = s3_stat(&st, s, call, dst, 0, err);
	rc = objfs_copy_target(&dst_is_dir, rc, &st, flags, dst, err);
	if (rc)
		return rc;
	rc = s3_head(&hd, s, skey, src, call, err);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		rc = objfs_copy_file(dst_is_dir, dst, err);
		return rc ? rc
			  : s3_copy_object(s, call, skey, hd.size, hd.etag,
					   hd.mime, dkey, src, err);
	}
	rc = s3_is_dir(s, skey, call, err);
	if (rc < 0)
		return rc;
	rc = objfs_copy_tree(rc ? OBJDIR_DIR : OBJDIR_NOTHING, skey, dkey, src,
			     dst, flags, err);
	if (rc)
		return rc;
	struct tree_copy t = {s, call, strlen(skey), dkey, src, err};

	rc = s3_list_keys(s, skey, true, s->max_keys, call, copy_item, &t, err);
	return rc < 0 ? rc : 0;
}

int s3_move(void *self, const wsp_call *call, const char *src, const char *dst,
	    uint32_t flags, wsp_error *err)
{
	static const wsp_call whole = {sizeof(wsp_call), 0, NULL, 0};
	int rc = s3_copy(self, call, src, dst, flags | WSP_FS_RECURSIVE, err);

	if (rc)
		return rc;
	/*
	 * S3 has no rename: the copy is complete, now drop the source,
	 * whatever the call says by now, or a canceled move would leave
	 * both copies.
	 */
	return s3_remove(self, &whole, src, WSP_FS_RECURSIVE, err);
}
