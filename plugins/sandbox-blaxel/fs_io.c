/*
 * plugins/sandbox-blaxel/fs_io.c - reads and writes of the sandbox's
 * files, streamed both ways through the core's HTTP service, never held
 * whole.
 *
 * A read is GET /filesystem/{path}?download=true with `Accept:
 * application/octet-stream` (the raw bytes; without it a file comes as
 * JSON with its whole text) into the caller's sink; a part of a file is
 * asked with a Range. A server that ignores the Range (the sandbox-api
 * copies the file out whole) is cut here, the transfer stopped once the
 * part went out (plugins/shared/remote_io.c).
 *
 * A write is PUT /filesystem//{path} of a multipart form (the
 * sandbox-api streams its `file` part to disk; the route and form
 * Blaxel's SDK uses for binary files) made around the caller's source,
 * chunked unless the size is known, to a temporary name beside the file,
 * then a rename over it in the sandbox: `mv -f` (rename(2): readers see
 * the old file or the new one, never half), or `ln` then removing the
 * temporary name when nothing may be replaced (link(2) refuses an
 * existing name: no-overwrite is atomic). The sandbox-api's own PUT
 * truncates the file in place, and its multipart upload (used by the SDK
 * above 5 MiB) also assembles in place.
 */
#include "blfs.h"
#include "remote_fs.h"
#include "remote_io.h"
#include "remote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* An answer of a failed transfer: the sandbox-api's {"error"}. */
static int io_fail(const struct bl_fsx *x, const wsp_http_response *resp,
		   const char *what, wsp_error *err)
{
	cJSON *ans = bl_parse(resp->body, resp->body_len);
	int rc;

	if (resp->status == 404)
		rc = wsp_error_set(err, WSP_ENOTFOUND, "%s: not found", what);
	else
		rc = bl_fail(x->b, resp->status, ans, what, err);
	wsp_http_error_detail(err, resp);
	cJSON_Delete(ans);
	return rc;
}

/* One streamed request of a file's bytes (req's body or sink set). */
static int transfer(const struct bl_fsx *x, wsp_http_request *req,
		    const char *method, const char *url, wsp_http_header *h,
		    size_t n, const char *what, wsp_error *err)
{
	wsp_http_response resp = {.struct_size = sizeof(resp)};
	const wsp_host *host = x->b->host;
	int rc;

	req->struct_size = sizeof(*req);
	req->flags |= WSP_HTTP_NO_ERROR_MAP;
	req->method = method;
	req->url = url;
	req->headers = h;
	req->n_headers = n;
	req->timeout_ms = 0; /* a large file takes what it takes */
	req->call = x->call;
	req->secrets = x->b->secrets;
	if ((rc = host->http_request(&resp, host, req, err)))
		return rc;
	if (resp.status >= 300)
		rc = io_fail(x, &resp, what, err);
	host->http_response_release(host, &resp);
	return rc;
}

int bl_fs_read(void *self, const wsp_call *call, const char *path,
	       const wsp_fs_read_opts *opts, wsp_sink_fn sink, void *payload,
	       wsp_error *err)
{
	struct bl_fsx x;
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	struct rio_part ps = {.offset = opts->offset, .skip = opts->offset,
			      .left = opts->length, .sink = sink,
			      .payload = payload};
	wsp_http_request req = {.response_sink = rio_part_take,
				.response_payload = &ps,
				.on_header = rio_part_header,
				.header_payload = &ps};
	wsp_http_header h[8];
	char auth[512], range[64], url[BL_FS_URL_MAX];
	size_t n;
	int rc = bl_fs_begin(&x, self, path, call, err);

	if (!rc)
		rc = bl_fs_stat_full(&st, &x, x.full, err);
	if (!rc && st.is_symlink) /* the target's size and type */
		rc = bl_fs_follow(&st, &x, x.full, err);
	if (!rc && st.type == WSP_FS_TYPE_DIR)
		rc = wsp_error_set(err, WSP_EISDIR, "'%s' is a directory", path);
	if (rc || opts->offset >= st.size)
		return rc;
	if ((rc = bl_fs_url(url, x.url, "/filesystem", x.full, BL_PATH_ESCAPED,
			    "download=true", err)))
		return rc;
	n = bl_headers(h, auth, sizeof(auth), x.b);
	h[n++] = (wsp_http_header){"Accept", "application/octet-stream"};
	if (rio_part_range(range, sizeof(range), opts, st.size))
		h[n++] = (wsp_http_header){"Range", range};
	rc = transfer(&x, &req, "GET", url, h, n, "read", err);
	memset(auth, 0, sizeof(auth));
	return rio_part_end(&ps, rc, "the sandbox", err);
}

/* What a download's headers say of the path (the body is not wanted). */
struct probe {
	int file;     /* Content-Disposition: attachment (a download) */
	int sized;    /* from Content-Range (its total wins) or -Length */
	uint64_t size;
	int sunk;     /* the body began: stopped here */
};

static int probe_header(const char *name, const char *value, void *payload)
{
	struct probe *p = payload;
	const char *slash;
	unsigned long long n;

	if (!strcasecmp(name, "Content-Disposition")) {
		p->file = !strncasecmp(value, "attachment", 10);
	} else if (!strcasecmp(name, "Content-Range")) {
		/* "bytes 0-0/T" of a 206, "bytes * /T" of a 416 */
		slash = strrchr(value, '/');
		if (slash && sscanf(slash + 1, "%llu", &n) == 1) {
			p->size = n;
			p->sized = 2;
		}
	} else if (!strcasecmp(name, "Content-Length") && p->sized < 2 &&
		   sscanf(value, "%llu", &n) == 1) {
		p->size = n;
		p->sized = 1;
	}
	return 0;
}

static int probe_sink(const void *data, size_t len, void *payload)
{
	(void)data;
	(void)len;
	((struct probe *)payload)->sunk = 1;
	return WSP_ECANCELED; /* the headers said it all */
}

int bl_fs_follow(wsp_fs_stat *st, const struct bl_fsx *x, const char *full,
		 wsp_error *err)
{
	struct probe p = {0};
	wsp_http_request req = {.struct_size = sizeof(req),
				.flags = WSP_HTTP_NO_ERROR_MAP,
				.method = "GET",
				.response_sink = probe_sink,
				.response_payload = &p,
				.on_header = probe_header,
				.header_payload = &p,
				.call = x->call,
				.secrets = x->b->secrets};
	wsp_http_response resp = {.struct_size = sizeof(resp)};
	const wsp_host *host = x->b->host;
	wsp_http_header h[8];
	char auth[512], url[BL_FS_URL_MAX];
	int rc = bl_fs_url(url, x->url, "/filesystem", full, BL_PATH_ESCAPED,
			   "download=true", err);

	if (rc)
		return rc;
	req.url = url;
	req.headers = h;
	req.n_headers = bl_headers(h, auth, sizeof(auth), x->b);
	h[req.n_headers++] = (wsp_http_header){"Accept",
					       "application/octet-stream"};
	/* one byte: a server that honours it says the size in Content-Range */
	h[req.n_headers++] = (wsp_http_header){"Range", "bytes=0-0"};
	req.timeout_ms = x->b->request_timeout_ms;
	rc = host->http_request(&resp, host, &req, err);
	memset(auth, 0, sizeof(auth));
	if (rc == WSP_ECANCELED && p.sunk)
		rc = 0;
	else if (!rc && resp.status == 404)
		rc = wsp_error_set(err, WSP_ENOTFOUND,
				   "stat: the link leads nowhere");
	else if (!rc && resp.status == 416) /* no byte 0: an empty file */
		p.file = 1;
	else if (!rc && resp.status >= 300)
		rc = io_fail(x, &resp, "stat", err);
	host->http_response_release(host, &resp);
	if (rc)
		return rc;
	/* a download is a file; a directory answers its listing instead */
	st->type = p.file ? WSP_FS_TYPE_FILE : WSP_FS_TYPE_DIR;
	st->size = p.file && p.sized ? p.size : 0;
	return 0;
}

/* The form around the caller's bytes: the mode first (the sandbox-api
 * reads it only before the file), then the file part. */
struct upload {
	char head[512], tail[64];
	struct rio_wrap w;
};

/* PUT /filesystem//{tmp} of the source. */
static int upload(const struct bl_fsx *x, char *tmp,
		  const wsp_fs_write_opts *opts, wsp_source_fn source,
		  void *payload, wsp_error *err)
{
	struct upload *u = calloc(1, sizeof(*u));
	wsp_http_request req = {.flags = WSP_HTTP_NO_RETRY, /* read once */
				.body_source = rio_wrap_give};
	wsp_http_header h[8];
	char boundary[40], type[80], auth[512], url[BL_FS_URL_MAX];
	size_t n;
	int rc;

	if (!u)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	if ((rc = rfs_temp_name(tmp, BL_FS_PATH_MAX, x->full, err)) ||
	    (rc = rio_boundary(boundary, tmp, err)) ||
	    (rc = bl_fs_url(url, x->url, "/filesystem", tmp, BL_PATH_RAW, NULL,
			    err)))
		goto out;
	snprintf(type, sizeof(type), "multipart/form-data; boundary=%s",
		 boundary);
	/* the file's name is ours (hex): nothing to escape */
	u->w.head = u->head;
	u->w.head_len = (size_t)snprintf(
		u->head, sizeof(u->head),
		"--%s\r\nContent-Disposition: form-data; name=\"permissions\""
		"\r\n\r\n0644\r\n--%s\r\nContent-Disposition: form-data; "
		"name=\"file\"; filename=\"%s\"\r\nContent-Type: "
		"application/octet-stream\r\n\r\n",
		boundary, boundary, strrchr(tmp, '/') + 1);
	req.body_payload = &u->w;
	req.body_size = rio_wrap_form(&u->w, u->tail, sizeof(u->tail),
				      boundary, opts, source, payload);
	n = bl_headers(h, auth, sizeof(auth), x->b);
	h[n++] = (wsp_http_header){"Accept", "application/json"};
	h[n++] = (wsp_http_header){"Content-Type", type};
	rc = transfer(x, &req, "PUT", url, h, n, "write", err);
	memset(auth, 0, sizeof(auth));
out:
	free(u);
	return rc;
}

static const char *const mv_f[] = {"mv", "-f", "--", NULL};
static const char *const ln[] = {"ln", "--", NULL};

/* tmp onto full; with no_overwrite, only if nothing is there. */
static int rename_over(const struct bl_fsx *x, const char *tmp,
		       const char *full, int no_overwrite, wsp_error *err)
{
	int rc;

	if (!no_overwrite)
		return bl_fs_sh(x, mv_f, tmp, full, err);
	rc = bl_fs_sh(x, ln, tmp, full, err);
	if (rc == WSP_EIO && !bl_fs_stat_full(NULL, x, full, err))
		return wsp_error_set(err, WSP_EEXIST, "it exists");
	return rc ? rc : bl_fs_delete(x, tmp, 0, err);
}

int bl_fs_write(wsp_fs_stat *out, void *self, const wsp_call *call,
		const char *path, const wsp_fs_write_opts *opts,
		wsp_source_fn source, void *payload, wsp_error *err)
{
	struct bl_fsx x;
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	char tmp[BL_FS_PATH_MAX] = "";
	int rc, missing;

	if ((rc = rio_write_plain(opts, "Blaxel's sandbox-api", err)) ||
	    (rc = bl_fs_begin(&x, self, path, call, err)))
		return rc;
	rc = bl_fs_stat_full(&st, &x, x.full, err);
	missing = rc == WSP_ENOTFOUND;
	if ((rc = rfs_write_ok(rc, &st, opts->flags, path, err)))
		return rc;
	/* the sandbox-api makes parents: with NO_PARENTS they must be there */
	if (missing && (opts->flags & WSP_FS_WRITE_NO_PARENTS) &&
	    (rc = bl_fs_parent_there(&x, x.full, err)))
		return rc;
	rc = upload(&x, tmp, opts, source, payload, err);
	if (!rc)
		rc = rename_over(&x, tmp, x.full,
				 (opts->flags & WSP_FS_WRITE_NO_OVERWRITE) != 0,
				 err);
	if (rc && tmp[0]) { /* no half file left behind, whatever the call
			     * says */
		struct bl_fsx quiet = x;
		wsp_error ignored = {0};

		quiet.call = NULL;
		bl_fs_delete(&quiet, tmp, 0, &ignored);
	}
	if (rc)
		return rc;
	return out ? bl_fs_stat_full(out, &x, x.full, err) : 0;
}
