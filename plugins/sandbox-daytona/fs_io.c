/*
 * plugins/sandbox-daytona/fs_io.c - reads and writes of the sandbox's
 * files, streamed both ways through the core's HTTP service, never held
 * whole; and the commands the toolbox's file routes lack (mv -f, cp -R).
 *
 * A read is GET /files/download (the raw bytes) into the caller's sink;
 * a part of a file is asked with a Range (the daemon serves the file
 * with Go's http.ServeFile: 206 and Content-Range). An answer without
 * Content-Range is the whole file (a proxy that drops the header): the
 * part is then cut here from the stream, which ends as soon as the part
 * went out. A write is POST
 * /files/bulk-upload, the route Daytona's SDK uses, of one multipart
 * part made around the caller's source (chunked when its size is not
 * known) to a temporary name beside the file, then a rename over it:
 * `mv -f` in the sandbox (rename(2): readers see the old file or the new
 * one, never half), or the toolbox's move when nothing may be replaced
 * (it refuses an existing destination).
 */
#include "dtfs.h"
#include "remote_fs.h"
#include "remote_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * s quoted at out (its end, or NULL when it does not fit or cannot be
 * quoted so): process/execute's command is read by a shell in some
 * daemons and split by the daemon itself in others (words at spaces,
 * '...' and "..." kept whole, no escapes). Single quotes mean the same
 * to both; double quotes too, for text without $ ` \ or ". A path with
 * a single quote and one of those goes the long way (a session command).
 */
static char *quote_both(char *out, const char *end, const char *s)
{
	char q = !strchr(s, '\'') ? '\'' : !strpbrk(s, "\"$`\\") ? '"' : 0;
	size_t n = strlen(s);

	if (!q || (size_t)(end - out) < n + 3)
		return NULL;
	*out++ = q;
	memcpy(out, s, n);
	out += n;
	*out++ = q;
	*out = '\0';
	return out;
}

/* argv (prefix, a, b) as a session command: any bytes, more requests. */
static int sh_session(const struct dt_fsx *x, const char *const *prefix,
		      const char *a, const char *b, wsp_error *err)
{
	return rio_fs_run(dt_exec, x->d, x->d->host, x->call, prefix, a, b,
			  err);
}

int dt_fs_sh(const struct dt_fsx *x, const char *const *prefix,
	     const char *a, const char *b, wsp_error *err)
{
	char text[2 * DT_FS_PATH_MAX + 64], *p = text,
					    *end = text + sizeof text;
	struct dt_req r = { .base = x->base, .method = "POST",
			    .path = "/process/execute", .call = x->call,
			    .timeout_ms = -1 };
	cJSON *ans = NULL;
	const cJSON *code, *out;
	int rc;

	for (const char *const *w = prefix; *w; w++)
		p += snprintf(p, (size_t)(end - p), "%s ", *w);
	if ((p = quote_both(p, end, a)) && p + 2 < end) {
		*p++ = ' ';
		p = quote_both(p, end, b);
	} else {
		p = NULL;
	}
	if (!p)
		return sh_session(x, prefix, a, b, err);
	if (!(r.json = cJSON_CreateObject()) ||
	    !cJSON_AddStringToObject(r.json, "command", text)) {
		cJSON_Delete(r.json);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	rc = dt_request(x->d, &r, &ans, NULL, err);
	cJSON_Delete(r.json);
	code = cJSON_GetObjectItemCaseSensitive(ans, "exitCode");
	out = cJSON_GetObjectItemCaseSensitive(ans, "result");
	if (!rc && !cJSON_IsNumber(code))
		rc = wsp_error_set(err, WSP_EPROTO,
				   "process/execute answered no exit code");
	else if (!rc && code->valueint)
		/* what the command said, bounded: it names paths, no secret */
		rc = wsp_error_set(err, WSP_EIO, "%s in the sandbox exited %d: "
				   "%.200s", prefix[0], code->valueint,
				   cJSON_IsString(out) ? out->valuestring : "");
	cJSON_Delete(ans);
	return rc;
}

int dt_fs_read(void *self, const wsp_call *call, const char *path,
	       const wsp_fs_read_opts *opts, wsp_sink_fn sink, void *payload,
	       wsp_error *err)
{
	struct dt_fsx x;
	wsp_fs_stat st = { .struct_size = sizeof st };
	struct rio_part ps = { .offset = opts->offset, .skip = opts->offset,
				.left = opts->length, .sink = sink,
				.payload = payload };
	char esc[3 * DT_FS_PATH_MAX], route[3 * DT_FS_PATH_MAX + 32];
	char range[64];
	struct dt_req r = { .method = "GET", .path = route, .call = call,
			    .sink = rio_part_take, .sink_payload = &ps,
			    .on_header = rio_part_header, .header_payload = &ps,
			    .accept = "application/octet-stream",
			    .timeout_ms = -1 /* a large file takes long */ };
	int rc = dt_fs_open(&x, &st, self, path, call, err);

	if (!rc && st.type == WSP_FS_TYPE_DIR)
		rc = wsp_error_set(err, WSP_EISDIR, "'%s' is a directory", path);
	if (rc || opts->offset >= st.size)
		return rc;
	if ((rc = dt_url_escape(esc, sizeof esc, x.full, err)))
		return rc;
	snprintf(route, sizeof route, "/files/download?path=%s", esc);
	if (rio_part_range(range, sizeof range, opts, st.size))
		r.range = range;
	r.base = x.base;
	rc = dt_request(x.d, &r, NULL, NULL, err);
	return rio_part_end(&ps, rc, "the toolbox", err);
}

/* One multipart part around the caller's source: head, bytes, tail. */
struct upload {
	char head[2 * DT_FS_PATH_MAX + 512], tail[64];
	struct rio_wrap w;
};

/* POST /files/bulk-upload of source to the file tmp. */
static int upload(const struct dt_fsx *x, const char *tmp,
		  const wsp_fs_write_opts *opts, wsp_source_fn source,
		  void *payload, wsp_error *err)
{
	struct upload *u = calloc(1, sizeof *u);
	char boundary[40], type[80];
	const char *name;
	struct dt_req r = { .base = x->base, .method = "POST",
			    .path = "/files/bulk-upload", .call = x->call,
			    .flags = WSP_HTTP_NO_RETRY, /* a source is read once */
			    .source = rio_wrap_give, .content_type = type,
			    .timeout_ms = -1 };
	int rc;

	if (!u)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	if ((rc = rio_boundary(boundary, tmp, err)))
		goto out;
	name = strrchr(tmp, '/') + 1;
	snprintf(type, sizeof type, "multipart/form-data; boundary=%s",
		 boundary);
	/* the toolbox takes files[i].path, then files[i].file (its name
	 * ours: no quote to escape) */
	u->w.head = u->head;
	u->w.head_len = (size_t)snprintf(
		u->head, sizeof u->head,
		"--%s\r\nContent-Disposition: form-data; name=\"files[0].path\""
		"\r\n\r\n%s\r\n--%s\r\nContent-Disposition: form-data; "
		"name=\"files[0].file\"; filename=\"%s\"\r\nContent-Type: "
		"application/octet-stream\r\n\r\n",
		boundary, tmp, boundary, name);
	r.source_payload = &u->w;
	r.source_size = rio_wrap_form(&u->w, u->tail, sizeof u->tail,
				      boundary, opts, source, payload);
	rc = dt_request(x->d, &r, NULL, NULL, err);
out:
	free(u);
	return rc;
}

int dt_fs_write(wsp_fs_stat *out, void *self, const wsp_call *call,
		const char *path, const wsp_fs_write_opts *opts,
		wsp_source_fn source, void *payload, wsp_error *err)
{
	struct dt_fsx x;
	wsp_fs_stat st = { .struct_size = sizeof st };
	char tmp[DT_FS_PATH_MAX] = "";
	int rc, missing;

	if ((rc = rio_write_plain(opts, "Daytona's toolbox", err)))
		return rc;
	rc = dt_fs_open(&x, &st, self, path, call, err);
	missing = rc == WSP_ENOTFOUND;
	if ((rc = rfs_write_ok(rc, &st, opts->flags, path, err)))
		return rc;
	/* the toolbox makes parents: with NO_PARENTS they must be there */
	if (missing && (opts->flags & WSP_FS_WRITE_NO_PARENTS) &&
	    (rc = dt_fs_parent_there(&x, x.full, err)))
		return rc;
	rc = rfs_temp_name(tmp, DT_FS_PATH_MAX, x.full, err);
	if (!rc)
		rc = upload(&x, tmp, opts, source, payload, err);
	/* 400: making a parent met a file, mostly; say which */
	if (rc == WSP_EINVAL && dt_fs_parent_there(&x, x.full, err))
		return err->code;
	if (!rc)
		rc = opts->flags & WSP_FS_WRITE_NO_OVERWRITE
			     ? dt_fs_move_full(&x, tmp, x.full, err)
			     : dt_fs_sh(&x, dt_mv, tmp, x.full, err);
	if (rc && tmp[0]) { /* no half file left behind, whatever the call
			     * says */
		struct dt_fsx quiet = x;
		wsp_error ignored = { 0 };

		quiet.call = NULL;
		dt_fs_delete(&quiet, tmp, 0, &ignored);
	}
	if (rc)
		return rc;
	return out ? dt_fs_stat_full(out, &x, x.full, err) : 0;
}

int dt_fs_put(const struct dt_fsx *x, const char *full, const void *data,
	      size_t len, wsp_error *err)
{
	wsp_fs_write_opts o = WSP_FS_WRITE_OPTS_INIT;
	/* a wrap at its tail gives just those bytes, then ends */
	struct rio_wrap b = { .tail = data, .tail_len = len, .stage = 2 };

	o.flags = WSP_FS_WRITE_SIZE_KNOWN;
	o.size_hint = len;
	return upload(x, full, &o, rio_wrap_give, &b, err);
}
